#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Encodings used in documents and on the wire. Decoders are strict: they refuse
 * anything that a correct encoder could not have produced, so every value has exactly
 * one written form (this matters for canonical hashing). */

char   *jc_hex_encode       (const guint8 *data, gsize len);
GBytes *jc_hex_decode       (const char *hex, GError **error);
gboolean jc_hex_decode_into (const char *hex, guint8 *out, gsize out_len, GError **error);

/* RFC 4648 §5 base64url without padding. */
char   *jc_base64url_encode (const guint8 *data, gsize len);
GBytes *jc_base64url_decode (const char *text, GError **error);

/* Groups of five decimal digits derived from a digest, for reading aloud and comparing
 * out of band: one group per 5 bytes of digest, at most 12 groups (a SHA-512 digest
 * gives 12 groups = 60 digits). */
char   *jc_digits_fingerprint (const guint8 *digest, gsize len);

G_END_DECLS
