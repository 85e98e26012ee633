#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "engine.h"

G_BEGIN_DECLS

/* The IO protocol between a client node and a CT VM (docs/guest.md "IO protocol"), shared by
 * the client (jc-ctio.h) and the guest. It runs on an attested TLS stream (jc-atls.h) after
 * the handshake: JSON requests and replies framed as in jc_atls_frame_write, and bulk data
 * as chunks: a 4-byte big-endian length (1 … JC_CTIO_CHUNK_MAX) and that many bytes; a
 * chunk of length 0 ends the data. */

#define JC_CTIO_CHUNK_MAX (256 * 1024)
#define JC_CTIO_UPLOAD_ID_SIZE 16

/* Writes one data chunk (LEN > 0) or, with LEN == 0, the end of the data. */
gboolean jc_ctio_chunk_write (GOutputStream *out, const void *buf, gsize len,
                              GCancellable *cancellable, GError **error);
/* Reads one chunk into a new GBytes; an empty GBytes is the end of the data. */
GBytes  *jc_ctio_chunk_read  (GInputStream *in, GCancellable *cancellable, GError **error);

/* An error reply {"type": "io-error", "code": NAME, "message": TEXT}, NAME being the
 * lower-case name of the JC_ERROR code ("denied", "state", "expired", …). */
JsonNode *jc_ctio_error_reply      (const GError *error);
/* If REPLY is an io-error, sets ERROR from it and returns FALSE; if its type is not
 * EXPECTED_TYPE, sets a protocol error; else TRUE. */
gboolean  jc_ctio_reply_check      (JsonNode *reply, const char *expected_type, GError **error);
const char *jc_ctio_error_code_name (int code);
int         jc_ctio_error_code_from_name (const char *name);

/* A model schema (GPtrArray of JcColumn*) as the engine ABI's schema; free with
 * jc_ctio_engine_schema_free. */
JcEngineSchema *jc_ctio_engine_schema_new  (const char *key, GPtrArray *columns);
void            jc_ctio_engine_schema_free (JcEngineSchema *schema);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JcEngineSchema, jc_ctio_engine_schema_free)

G_END_DECLS
