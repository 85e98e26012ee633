#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Messages of the attestation handshake on the wire: a 4-byte big-endian length, then
 * that many bytes of one JSON object in UTF-8. The application may use the same framing
 * for its own messages after the handshake. Blocking; call from a worker thread. */

#define JC_ATLS_FRAME_MAX (1024 * 1024)

gboolean  jc_atls_frame_write (GIOStream *stream, JsonNode *message,
                               GCancellable *cancellable, GError **error);
/* Reads one frame; refuses frames over MAX bytes (0: JC_ATLS_FRAME_MAX) and anything but a
 * JSON object. */
JsonNode *jc_atls_frame_read  (GIOStream *stream, gsize max,
                               GCancellable *cancellable, GError **error);

G_END_DECLS
