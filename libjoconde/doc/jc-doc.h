#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Documents of JOCONDE: strict reading, canonical form and hash.
 *
 * A document is JSON restricted to what the product writes: objects, arrays, strings,
 * integers within ±(2^53−1), true, false and null. The reader refuses everything else
 * with an error naming the place ("line 3, column 7 (byte 41): duplicate key “a”"), so a
 * document that is read has exactly one meaning and one canonical form.
 *
 * The canonical form is RFC 8785 (JSON Canonicalization Scheme) of the tree; the hash of
 * a document is SHA-256 over its canonical bytes. docs/hashing.md specifies both so that
 * a third party can re-implement them.
 *
 * Store and send documents as their canonical bytes: they are a valid document, so every
 * reader gets the same tree and the same hash back. */

#define JC_DOC_HASH_SIZE 32                          /* SHA-256 */
#define JC_DOC_DEFAULT_MAX_SIZE ((gsize) 16 << 20)   /* 16 MiB */
#define JC_DOC_DEFAULT_MAX_DEPTH 64u
#define JC_DOC_MAX_DEPTH_LIMIT 512u                  /* no limit may go beyond this */
#define JC_DOC_INT_MAX G_GINT64_CONSTANT (9007199254740991)  /* 2^53 − 1 */

/* Limits applied while reading. Size over max_size fails with JC_ERROR_TOO_LARGE before
 * any parsing; nesting deeper than max_depth (objects and arrays count one level each)
 * fails with JC_ERROR_TOO_LARGE at the place it happens. max_depth is clamped to
 * JC_DOC_MAX_DEPTH_LIMIT. */
typedef struct {
  gsize max_size;
  guint max_depth;
} JcDocLimits;

/* Fills LIMITS with the defaults (16 MiB, depth 64). */
void      jc_doc_limits_init (JcDocLimits *limits);

/* Reads one JSON document of LEN bytes. LIMITS may be NULL for the defaults. Returns a
 * new tree (free with json_node_unref) or NULL with an error in JC_ERROR:
 * JC_ERROR_TOO_LARGE for a limit, JC_ERROR_INVALID for anything else. Refused: a byte
 * order mark, invalid UTF-8 (overlong forms, encoded surrogates, code points beyond
 * U+10FFFF), control characters in strings, \u escapes of lone surrogates or of U+0000,
 * duplicate keys, numbers with a fraction or an exponent, leading zeros, "-0", integers
 * beyond ±(2^53−1), and anything after the value but whitespace. */
JsonNode *jc_doc_parse       (const char *data, gsize len, const JcDocLimits *limits,
                              GError **error);
JsonNode *jc_doc_parse_bytes (GBytes *bytes, const JcDocLimits *limits, GError **error);
/* Reads the file at PATH (refused with JC_ERROR_TOO_LARGE before reading when it is over
 * the size limit, JC_ERROR_IO when it cannot be read) and parses it; every error message
 * starts with PATH. */
JsonNode *jc_doc_read_file   (const char *path, const JcDocLimits *limits, GError **error);

/* The RFC 8785 canonical bytes of TREE (no trailing newline). Fails with JC_ERROR_INVALID
 * when TREE holds something a document cannot: a floating-point value, an integer beyond
 * ±(2^53−1), a string that is not valid UTF-8, or nesting beyond JC_DOC_MAX_DEPTH_LIMIT. */
GBytes   *jc_doc_canonicalize (JsonNode *tree, GError **error);

/* Parses DATA with LIMITS and returns its canonical bytes. */
GBytes   *jc_doc_canonicalize_text (const char *data, gsize len, const JcDocLimits *limits,
                                    GError **error);

/* SHA-256 of the canonical bytes of TREE into OUT (JC_DOC_HASH_SIZE bytes). */
gboolean  jc_doc_hash        (JsonNode *tree, guint8 out[JC_DOC_HASH_SIZE], GError **error);
/* The same hash as 64 lowercase hexadecimal digits. */
char     *jc_doc_hash_hex    (JsonNode *tree, GError **error);

/* Compares two UTF-8 strings by their UTF-16 code units, the order of RFC 8785 §3.2.3
 * for object keys. Both strings must be valid UTF-8. */
int       jc_doc_compare_keys (const char *a, const char *b);

G_END_DECLS
