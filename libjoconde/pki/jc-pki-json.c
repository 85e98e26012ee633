#define G_LOG_DOMAIN "joconde-pki"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdarg.h>
#include <string.h>

#include "jc-error.h"
#include "jc-pki-json.h"

const char *
jc_pki_json_get_string (JsonObject *o, const char *name)
{
  JsonNode *n = json_object_get_member (o, name);

  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (n);
}

JsonParser *
jc_pki_json_parse (const char *json, gssize len, gsize max_len, const char *type,
                   JsonObject **out, GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local = NULL;
  JsonNode *root, *version;
  JsonObject *o;

  if (len < 0)
    len = (gssize) strlen (json);
  if ((gsize) len > max_len)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_TOO_LARGE, _("The %s is too large"), type);
      return NULL;
    }
  if (!json_parser_load_from_data (parser, json, len, &local))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID, _("The %s is not JSON: %s"), type,
                   local->message);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    goto bad;
  o = json_node_get_object (root);
  version = json_object_get_member (o, "version");
  if (g_strcmp0 (jc_pki_json_get_string (o, "type"), type) != 0 ||
      version == NULL || !JSON_NODE_HOLDS_VALUE (version) ||
      json_node_get_value_type (version) != G_TYPE_INT64 || json_node_get_int (version) != 1)
    goto bad;
  *out = o;
  return g_steal_pointer (&parser);
bad:
  g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
               _("Not a %s (an object with \"type\": \"%s\" and \"version\": 1)"), type, type);
  return NULL;
}

char *
jc_pki_json_write (const char *type, ...)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  const char *name;
  va_list ap;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, type);
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, 1);
  va_start (ap, type);
  while ((name = va_arg (ap, const char *)) != NULL)
    {
      json_builder_set_member_name (b, name);
      json_builder_add_string_value (b, va_arg (ap, const char *));
    }
  va_end (ap);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  return json_generator_to_data (gen, NULL);
}
