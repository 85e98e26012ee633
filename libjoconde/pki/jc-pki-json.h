#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Private: reading and writing the small JSON files of the pki area. */

/* A string member, NULL if absent or not a string. */
const char *jc_pki_json_get_string (JsonObject *o, const char *name);
/* Parses @json (at most @max_len bytes) as an object with "type" = @type and
 * "version" = 1; *out is valid while the returned parser lives. */
JsonParser *jc_pki_json_parse      (const char  *json,
                                    gssize       len,
                                    gsize        max_len,
                                    const char  *type,
                                    JsonObject **out,
                                    GError     **error);
/* Writes {"type": @type, "version": 1, NAME: VALUE, …}: the NAME, VALUE string pairs that
 * follow, in that order, up to a NULL name. */
char       *jc_pki_json_write      (const char  *type,
                                    ...) G_GNUC_NULL_TERMINATED;

G_END_DECLS
