#define G_LOG_DOMAIN "joconde-client"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "jc-client-draft.h"
#include "jc-client-peers.h"
#include "jc-csv-engine-schema.h"
#include "jc-ctsc.h"
#include "jc-engine.h"
#include "jc-doc.h"
#include "jc-encoding.h"
#include "jc-error.h"

/* Attachments travel inside the CTSC, which travels in one message (4 MiB at most). */
#define ATTACHMENTS_MAX (2 * 1024 * 1024)

static JsonArray *
parties_of (JcStore *store, JsonObject *draft, const char *member, GError **error)
{
  JsonNode *node = json_object_get_member (draft, member);
  if (!node || !JSON_NODE_HOLDS_ARRAY (node))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("The draft's “%s” must be a list of node names"), member);
      return NULL;
    }
  JsonArray *names = json_node_get_array (node);
  g_autoptr(JsonArray) out = json_array_new ();
  for (guint i = 0; i < json_array_get_length (names); i++)
    {
      const char *name = NULL;
      JsonNode *n = json_array_get_element (names, i);
      if (JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING)
        name = json_node_get_string (n);
      if (!name || !*name)
        {
          g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                       _("%s[%u] of the draft must be a node name or a fingerprint"), member, i);
          return NULL;
        }
      g_autoptr(GError) local = NULL;
      g_autoptr(JcParty) party = jc_client_peers_party (store, name, &local);
      if (!party)
        {
          g_set_error (error, JC_ERROR, local->code, "%s[%u]: %s", member, i, local->message);
          return NULL;
        }
      json_array_add_element (out, jc_party_to_json (party));
    }
  return g_steal_pointer (&out);
}

static const char *
media_type_for (const char *path)
{
  if (g_str_has_suffix (path, ".pdf"))
    return "application/pdf";
  if (g_str_has_suffix (path, ".md"))
    return "text/markdown";
  if (g_str_has_suffix (path, ".txt"))
    return "text/plain";
  g_autofree char *type = g_content_type_guess (path, NULL, 0, NULL);
  g_autofree char *mime = type ? g_content_type_get_mime_type (type) : NULL;
  return g_intern_string (mime ? mime : "application/octet-stream");
}

static JsonArray *
attachments_of (JsonObject *draft, const char *base_dir, GError **error)
{
  g_autoptr(JsonArray) out = json_array_new ();
  JsonNode *node = json_object_get_member (draft, "attachments");
  if (!node || JSON_NODE_HOLDS_NULL (node))
    return g_steal_pointer (&out);
  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID, _("The draft's “attachments” must be a list"));
      return NULL;
    }
  gsize total = 0;
  JsonArray *list = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonNode *a = json_array_get_element (list, i);
      if (!JSON_NODE_HOLDS_OBJECT (a))
        {
          g_set_error (error, JC_ERROR, JC_ERROR_INVALID, _("attachments[%u] must be an object"), i);
          return NULL;
        }
      JsonObject *o = json_node_get_object (a);
      const char *file = json_object_get_string_member_with_default (o, "file", NULL);
      if (!file)
        {
          /* Already in the CTSC's form (content given inline). */
          json_array_add_element (out, json_node_copy (a));
          continue;
        }
      g_autofree char *path = g_path_is_absolute (file) ? g_strdup (file)
                                                        : g_build_filename (base_dir, file, NULL);
      g_autofree char *data = NULL;
      gsize len = 0;
      g_autoptr(GError) local = NULL;
      if (!g_file_get_contents (path, &data, &len, &local))
        {
          g_set_error (error, JC_ERROR, JC_ERROR_IO, _("attachments[%u]: cannot read %s: %s"), i,
                       path, local->message);
          return NULL;
        }
      total += len;
      if (total > ATTACHMENTS_MAX)
        {
          g_set_error (error, JC_ERROR, JC_ERROR_TOO_LARGE,
                       _("attachments[%u]: the attachments exceed %u MiB together; link large "
                         "documents instead"), i, ATTACHMENTS_MAX >> 20);
          return NULL;
        }
      g_autofree char *b64 = jc_base64url_encode ((const guint8 *) data, len);
      g_autofree char *base = g_path_get_basename (path);
      JsonObject *att = json_object_new ();
      json_object_set_string_member (att, "title",
                                     json_object_get_string_member_with_default (o, "title", base));
      json_object_set_string_member (att, "description",
                                     json_object_get_string_member_with_default (o, "description", ""));
      json_object_set_string_member (att, "media_type",
                                     json_object_get_string_member_with_default (o, "media_type",
                                                                                 media_type_for (path)));
      json_object_set_string_member (att, "content", b64);
      json_array_add_object_element (out, att);
    }
  return g_steal_pointer (&out);
}

/* The algorithm and the data-quality queries compiled by the task's engine, as the VMs
 * will compile them (docs/guest.md): an error found here names its line and column now,
 * rather than stopping the task's VMs later. Skipped when this node lacks the engine. */
static gboolean
check_with_engine (const JcCtsc *ctsc, GError **error)
{
  g_autoptr(GError) local = NULL;
  g_autoptr(JcEngine) engine = jc_engine_load_by_id (NULL, ctsc->engine, &local);
  if (!engine)
    {
      g_message ("The engine %s is not installed on this node; the algorithm is checked by the "
                 "computing parties only: %s", ctsc->engine, local->message);
      return TRUE;
    }
  g_autoptr(GPtrArray) in = g_ptr_array_new_with_free_func ((GDestroyNotify) jc_csv_engine_schema_free);
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) jc_csv_engine_schema_free);
  g_autoptr(GArray) ins = g_array_new (FALSE, FALSE, sizeof (JcEngineSchema));
  g_autoptr(GArray) outs = g_array_new (FALSE, FALSE, sizeof (JcEngineSchema));
  for (guint i = 0; i < ctsc->inputs->len; i++)
    {
      const JcInputSpec *spec = ctsc->inputs->pdata[i];
      JcCsvEngineSchema *s = jc_csv_engine_schema_new (spec->key, spec->schema);
      g_ptr_array_add (in, s);
      g_array_append_val (ins, s->schema);
    }
  for (guint i = 0; i < ctsc->outputs->len; i++)
    {
      const JcOutputSpec *spec = ctsc->outputs->pdata[i];
      JcCsvEngineSchema *s = jc_csv_engine_schema_new (spec->key, spec->schema);
      g_ptr_array_add (out, s);
      g_array_append_val (outs, s->schema);
    }
  guint line = 0, column = 0;
  JcEngineProgram *p = jc_engine_compile (engine, ctsc->algorithm, (JcEngineSchema *) ins->data, ins->len,
                                          (JcEngineSchema *) outs->data, outs->len, 0, &line, &column, &local);
  if (!p)
    {
      /* The engine's message names the line and column already. */
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID, _("algorithm: %s"), local->message);
      return FALSE;
    }
  jc_engine_program_free (engine, p);
  static const JcEngineColumn violations = { .name = "violations", .type = JC_ENGINE_TYPE_INT };
  const JcEngineSchema quality = { .key = "quality", .columns = &violations, .n_columns = 1 };
  for (guint i = 0; i < ctsc->inputs->len; i++)
    {
      const JcInputSpec *spec = ctsc->inputs->pdata[i];
      if (!spec->quality)
        continue;
      g_autofree char *query = g_strstrip (g_strdup (spec->quality));
      if (g_str_has_suffix (query, ";"))
        query[strlen (query) - 1] = '\0';
      g_autofree char *script = g_strdup_printf ("OUTPUT quality AS %s;", query);
      g_clear_error (&local);
      p = jc_engine_compile (engine, script, &g_array_index (ins, JcEngineSchema, i), 1, &quality, 1,
                             JC_ENGINE_COMPILE_DATA_QUALITY, &line, &column, &local);
      if (!p)
        {
          g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                       _("inputs[%u].quality (one SELECT whose only column, violations, counts the "
                         "rows that fail): %s"), i, local->message);
          return FALSE;
        }
      jc_engine_program_free (engine, p);
    }
  return TRUE;
}

JsonNode *
jc_client_draft_to_ctsc (JcStore *store, JsonNode *draft, const char *base_dir, GError **error)
{
  if (!draft || !JSON_NODE_HOLDS_OBJECT (draft))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID, _("A task draft is a JSON object"));
      return NULL;
    }
  JsonObject *d = json_node_get_object (draft);
  g_autoptr(JsonArray) cps = parties_of (store, d, "computing_parties", error);
  if (!cps)
    return NULL;
  g_autoptr(JsonArray) peers = parties_of (store, d, "peers", error);
  if (!peers)
    return NULL;
  g_autoptr(JsonArray) attachments = attachments_of (d, base_dir, error);
  if (!attachments)
    return NULL;

  /* Copy the draft member by member, through text: json_node_copy would share objects. */
  g_autofree char *text = json_to_string (draft, FALSE);
  g_autoptr(JsonNode) copy = json_from_string (text, error);
  if (!copy)
    return NULL;
  JsonObject *o = json_node_get_object (copy);
  json_object_set_string_member (o, "type", "ctsc");
  json_object_set_int_member (o, "version", 1);
  json_object_set_array_member (o, "computing_parties", json_array_ref (cps));
  json_object_set_array_member (o, "peers", json_array_ref (peers));
  json_object_set_array_member (o, "attachments", json_array_ref (attachments));
  if (!json_object_has_member (o, "description"))
    json_object_set_string_member (o, "description", "");

  g_autoptr(GError) local = NULL;
  g_autoptr(JcCtsc) check = jc_ctsc_from_json (copy, &local);
  if (!check)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID, _("The draft does not make a valid task: %s"),
                   local->message);
      return NULL;
    }
  if (!check_with_engine (check, &local))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID, _("The draft's queries do not compile: %s"),
                   local->message);
      return NULL;
    }
  /* The canonical form, as every node will hash it. */
  return jc_ctsc_to_json (check);
}

JsonNode *
jc_client_draft_load_ctsc (JcStore *store, const char *path, GError **error)
{
  g_autoptr(GError) local = NULL;
  g_autoptr(JsonNode) draft = jc_doc_read_file (path, NULL, &local);
  if (!draft)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID, _("Cannot read the draft %s: %s"), path,
                   local->message);
      return NULL;
    }
  g_autofree char *dir = g_path_get_dirname (path);
  return jc_client_draft_to_ctsc (store, draft, dir, error);
}
