#define G_LOG_DOMAIN "joconde-ctio"
#include "config.h"

#include <glib/gi18n-lib.h>

#include "jc-ctio-protocol.h"
#include "jc-error.h"
#include "jc-schema.h"

gboolean
jc_ctio_chunk_write (GOutputStream *out, const void *buf, gsize len, GCancellable *cancellable,
                     GError **error)
{
  guint8 head[4] = { len >> 24, len >> 16, len >> 8, len };

  g_return_val_if_fail (len <= JC_CTIO_CHUNK_MAX, FALSE);
  if (!g_output_stream_write_all (out, head, 4, NULL, cancellable, error))
    return FALSE;
  return len == 0 || g_output_stream_write_all (out, buf, len, NULL, cancellable, error);
}

GBytes *
jc_ctio_chunk_read (GInputStream *in, GCancellable *cancellable, GError **error)
{
  guint8 head[4];
  gsize n = 0;
  guint32 len;
  g_autofree guint8 *buf = NULL;

  if (!g_input_stream_read_all (in, head, 4, &n, cancellable, error))
    return NULL;
  if (n != 4)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_IO, _("The connection closed in the middle of the data"));
      return NULL;
    }
  len = (guint32) head[0] << 24 | (guint32) head[1] << 16 | (guint32) head[2] << 8 | head[3];
  if (len > JC_CTIO_CHUNK_MAX)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_TOO_LARGE,
                   _("A data chunk of %u bytes is larger than the protocol allows"), len);
      return NULL;
    }
  buf = g_malloc (MAX (len, 1));
  if (len > 0 && (!g_input_stream_read_all (in, buf, len, &n, cancellable, error) || n != len))
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, JC_ERROR, JC_ERROR_IO, _("The connection closed in the middle of the data"));
      return NULL;
    }
  return g_bytes_new_take (g_steal_pointer (&buf), len);
}

static const char *const code_names[] = {
  [JC_ERROR_FAILED] = "failed", [JC_ERROR_INVALID] = "invalid",
  [JC_ERROR_TOO_LARGE] = "too-large", [JC_ERROR_NOT_FOUND] = "not-found",
  [JC_ERROR_EXISTS] = "exists", [JC_ERROR_IO] = "io", [JC_ERROR_CRYPTO] = "crypto",
  [JC_ERROR_BAD_SIGNATURE] = "bad-signature", [JC_ERROR_UNTRUSTED] = "untrusted",
  [JC_ERROR_EXPIRED] = "expired", [JC_ERROR_REVOKED] = "revoked", [JC_ERROR_DENIED] = "denied",
  [JC_ERROR_STATE] = "state", [JC_ERROR_UNSUPPORTED] = "unsupported",
  [JC_ERROR_CANCELLED] = "cancelled",
};

const char *
jc_ctio_error_code_name (int code)
{
  if (code >= 0 && code < (int) G_N_ELEMENTS (code_names) && code_names[code] != NULL)
    return code_names[code];
  return "failed";
}

int
jc_ctio_error_code_from_name (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (code_names); i++)
    if (code_names[i] != NULL && g_strcmp0 (code_names[i], name) == 0)
      return (int) i;
  return JC_ERROR_FAILED;
}

JsonNode *
jc_ctio_error_reply (const GError *error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  int code = error->domain == JC_ERROR ? error->code : JC_ERROR_FAILED;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, "io-error");
  json_builder_set_member_name (b, "code");
  json_builder_add_string_value (b, jc_ctio_error_code_name (code));
  json_builder_set_member_name (b, "message");
  json_builder_add_string_value (b, error->message);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

gboolean
jc_ctio_reply_check (JsonNode *reply, const char *expected_type, GError **error)
{
  JsonObject *o = JSON_NODE_HOLDS_OBJECT (reply) ? json_node_get_object (reply) : NULL;
  const char *type = o ? json_object_get_string_member_with_default (o, "type", "") : "";

  if (g_strcmp0 (type, "io-error") == 0)
    {
      const char *code = json_object_get_string_member_with_default (o, "code", "failed");
      const char *msg = json_object_get_string_member_with_default (o, "message", "");
      g_set_error_literal (error, JC_ERROR, jc_ctio_error_code_from_name (code), msg);
      return FALSE;
    }
  if (g_strcmp0 (type, expected_type) != 0)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("The computation VM answered “%s” where “%s” was expected"), type,
                   expected_type);
      return FALSE;
    }
  return TRUE;
}

JcEngineSchema *
jc_ctio_engine_schema_new (const char *key, GPtrArray *columns)
{
  JcEngineSchema *s = g_new0 (JcEngineSchema, 1);
  JcEngineColumn *cols = g_new0 (JcEngineColumn, MAX (columns->len, 1));

  s->key = g_strdup (key);
  for (guint i = 0; i < columns->len; i++)
    {
      const JcColumn *c = g_ptr_array_index (columns, i);
      cols[i].name = g_strdup (c->name);
      switch (c->type)
        {
        case JC_COLUMN_INT: cols[i].type = JC_ENGINE_TYPE_INT; break;
        case JC_COLUMN_DECIMAL: cols[i].type = JC_ENGINE_TYPE_DECIMAL; break;
        case JC_COLUMN_BOOL: cols[i].type = JC_ENGINE_TYPE_BOOL; break;
        case JC_COLUMN_DATE: cols[i].type = JC_ENGINE_TYPE_DATE; break;
        case JC_COLUMN_CATEGORY: cols[i].type = JC_ENGINE_TYPE_CATEGORY; break;
        case JC_COLUMN_ID: default: cols[i].type = JC_ENGINE_TYPE_ID; break;
        }
      cols[i].precision = c->precision;
      cols[i].scale = c->scale;
      if (c->codes != NULL)
        {
          char **codes = g_new0 (char *, c->codes->len + 1);
          for (guint k = 0; k < c->codes->len; k++)
            codes[k] = g_strdup (g_ptr_array_index (c->codes, k));
          cols[i].codes = (const char *const *) codes;
          cols[i].n_codes = c->codes->len;
        }
    }
  s->columns = cols;
  s->n_columns = columns->len;
  return s;
}

void
jc_ctio_engine_schema_free (JcEngineSchema *schema)
{
  if (schema == NULL)
    return;
  for (gsize i = 0; i < schema->n_columns; i++)
    {
      g_free ((char *) schema->columns[i].name);
      g_strfreev ((char **) schema->columns[i].codes);
    }
  g_free ((JcEngineColumn *) schema->columns);
  g_free ((char *) schema->key);
  g_free (schema);
}
