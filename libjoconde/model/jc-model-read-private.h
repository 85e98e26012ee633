#pragma once

/* Private to libjoconde/model: reading document members while collecting problems.
 * Each reader takes the JSON path of what it reads, reports what is wrong with it in the
 * JcProblems, and returns NULL/FALSE for a value it could not take. */

#include <json-glib/json-glib.h>

#include "jc-doc.h"
#include "jc-problems.h"

G_BEGIN_DECLS

typedef enum {
  JC_TEXT_LINE,       /* one line: non-empty, no control characters, at most 200 characters */
  JC_TEXT_BLOCK,      /* several lines: non-empty, no control characters but LF and TAB */
  JC_TEXT_BLOCK_OR_EMPTY,
  JC_TEXT_IDENTIFIER, /* [A-Za-z_][A-Za-z0-9_]*, at most 64 bytes: keys and column names */
  JC_TEXT_NODE_NAME,  /* a node's name: 1 to 64 characters, no control characters */
  JC_TEXT_CODE,       /* a category code: non-empty, no control characters, at most 64 bytes */
  JC_TEXT_ANY,        /* any string (free text from a program, e.g. print output) */
} JcTextKind;

typedef struct {
  JcProblems *problems;
  JsonObject *object;  /* NULL when the node is not an object */
  char       *path;
  GHashTable *used;    /* member names read so far */
} JcObjReader;

char *jc_path_member (const char *parent, const char *key);
char *jc_path_index  (const char *parent, guint index);
/* A string value quoted for a problem message, control characters escaped, cut at 80. */
char *jc_quote       (const char *value);

/* Starts reading the object at NODE; reports a problem and returns FALSE if it is not
 * an object (the reader then returns nothing for every member). */
gboolean  jc_obj_reader_init   (JcObjReader *r, JsonNode *node, const char *path, JcProblems *problems);
/* Reports every member that was not read as unknown, then frees the reader. */
void      jc_obj_reader_finish (JcObjReader *r);
/* Checks "type" is TYPE and "version" is 1. */
gboolean  jc_obj_header        (JcObjReader *r, const char *type);

/* The member KEY (marked as read); a problem if it is REQUIRED and missing. */
JsonNode   *jc_obj_member  (JcObjReader *r, const char *key, gboolean required);
char       *jc_obj_string  (JcObjReader *r, const char *key, JcTextKind kind, gboolean required);
gboolean    jc_obj_int     (JcObjReader *r, const char *key, gint64 min, gint64 max, gint64 *out);
gboolean    jc_obj_bool    (JcObjReader *r, const char *key, gboolean *out);
JsonArray  *jc_obj_array   (JcObjReader *r, const char *key, gsize min_len, gboolean required);
gboolean    jc_obj_time    (JcObjReader *r, const char *key, gint64 *out);
gboolean    jc_obj_hash    (JcObjReader *r, const char *key, guint8 out[JC_DOC_HASH_SIZE]);
char       *jc_obj_uuid    (JcObjReader *r, const char *key);
/* Base64url without padding; EXACT_LEN 0 accepts any length up to MAX_LEN, MIN_LEN 1
 * refuses empty content. */
GBytes     *jc_obj_base64url (JcObjReader *r, const char *key, gsize exact_len, gsize min_len,
                              gboolean required);
char       *jc_obj_media_type (JcObjReader *r, const char *key);
/* An enumerated string: returns the index in NAMES (NULL-terminated) or -1. */
int         jc_obj_enum    (JcObjReader *r, const char *key, const char *const *names);

/* Reads one element of an array; NULL for an element that could not be read. */
typedef gpointer (*JcItemReader) (JsonNode *node, const char *path, JcProblems *problems);
/* Reads each element of the array KEY (at least MIN_LEN, required) with READ into INTO,
 * in order. An array longer than MAX_LEN is a problem and only its first MAX_LEN elements
 * are read. KEEP_NULL adds a NULL for an element that could not be read, so that indices
 * in INTO stay those of the document; otherwise such an element is left out. */
void        jc_obj_items   (JcObjReader *r, const char *key, gsize min_len, guint max_len,
                            JcItemReader read, gboolean keep_null, GPtrArray *into);

/* The same on a value instead of a member. */
char       *jc_node_string (JsonNode *node, const char *path, JcTextKind kind, JcProblems *problems);
gboolean    jc_node_int    (JsonNode *node, const char *path, gint64 min, gint64 max, gint64 *out,
                            JcProblems *problems);
GBytes     *jc_node_base64url (JsonNode *node, const char *path, gsize exact_len, gsize min_len,
                               JcProblems *problems);
gboolean    jc_node_hex_into (JsonNode *node, const char *path, guint8 *out, gsize len,
                              JcProblems *problems);

/* Building documents. */
void jc_add_string (JsonObject *o, const char *key, const char *value);
void jc_add_int    (JsonObject *o, const char *key, gint64 value);
void jc_add_bool   (JsonObject *o, const char *key, gboolean value);
void jc_add_hex    (JsonObject *o, const char *key, const guint8 *data, gsize len);
void jc_add_base64url (JsonObject *o, const char *key, GBytes *bytes);
void jc_add_time   (JsonObject *o, const char *key, gint64 t);
void jc_add_header (JsonObject *o, const char *type);
JsonNode *jc_node_from_object (JsonObject *o); /* takes O */
JsonNode *jc_node_from_array  (JsonArray *a);  /* takes A */
JsonNode *jc_node_from_string (const char *s);

G_END_DECLS
