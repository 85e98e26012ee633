#pragma once

#include "jc-atls.h"

G_BEGIN_DECLS

/* Shared by the two ends of attested TLS; not part of the API. */

#define JC_ATLS_VERSION 1
#define JC_ATLS_DEFAULT_TIMEOUT 30

JcAtlsSession *jc_atls_session_new (GIOStream *stream, const guint8 *binding,
                                     JcTeeVerdict *peer_verdict /* taken; may be NULL */,
                                     const guint8 *peer_pak /* may be NULL */);

/* A message {"type": TYPE, …} to fill; json_builder_end_object + get_root when done. */
JsonBuilder *jc_atls_message_begin (const char *type);
JsonNode    *jc_atls_message_end   (JsonBuilder *builder);
/* The message's type when it is one of the expected ones (NULL-terminated varargs),
 * else an error. */
const char  *jc_atls_message_expect (JsonNode *message, GError **error, ...) G_GNUC_NULL_TERMINATED;
const char  *jc_atls_message_get_string (JsonNode *message, const char *member);
/* A base64url member decoded to exactly LEN bytes (or 1..LEN when AT_MOST). */
GBytes      *jc_atls_message_get_bytes (JsonNode *message, const char *member, gsize len,
                                        gboolean at_most, GError **error);
/* Sends atls-refused (VM) or atls-abort (client) with ERROR's message, ignoring failures:
 * the connection is being given up anyway. */
void         jc_atls_send_refusal (GIOStream *stream, const char *type, const GError *error);

/* Sets (and later clears) a timeout on the socket under BASE, if there is one. */
void         jc_atls_stream_set_timeout (GIOStream *base, guint seconds);

/* The glib-networking handler that accepts a self-signed certificate: the TEE evidence,
 * which binds the certificate's key, is what makes it trusted. */
gboolean     jc_atls_accept_any_certificate (GTlsConnection *connection, GTlsCertificate *peer,
                                             GTlsCertificateFlags errors, gpointer user_data);

G_END_DECLS
