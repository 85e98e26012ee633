#define G_LOG_DOMAIN "joconde-app"
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "jc-csv-engine-schema.h"
#include "jc-draft.h"
#include "jc-encoding.h"
#include "jc-time.h"

static const char *deadline_names[4] = { "approval", "input", "execution", "output" };

static void
input_free (JcDraftInput *in)
{
  g_free (in->key);
  g_free (in->peer);
  g_ptr_array_unref (in->schema);
  g_free (in->quality);
  g_free (in);
}

static void
output_free (JcDraftOutput *out)
{
  g_free (out->key);
  g_ptr_array_unref (out->peers);
  g_ptr_array_unref (out->schema);
  g_free (out);
}

JcDraft *
jc_draft_new (void)
{
  JcDraft *d = g_new0 (JcDraft, 1);

  d->title = g_strdup ("");
  d->description = g_strdup ("");
  d->engine = g_strdup ("rss3-sh-z64");
  d->platform = g_strdup ("sim");
  d->measurements = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < 4; i++)
    d->deadlines[i] = g_strdup ("");
  d->computing_parties = g_ptr_array_new_with_free_func (g_free);
  d->peers = g_ptr_array_new_with_free_func (g_free);
  d->inputs = g_ptr_array_new_with_free_func ((GDestroyNotify) input_free);
  d->outputs = g_ptr_array_new_with_free_func ((GDestroyNotify) output_free);
  d->algorithm = g_strdup ("");
  d->attachments = g_ptr_array_new_with_free_func ((GDestroyNotify) jc_attachment_free);
  return d;
}

void
jc_draft_free (JcDraft *d)
{
  if (d == NULL)
    return;
  g_free (d->title);
  g_free (d->description);
  g_free (d->engine);
  g_free (d->platform);
  g_ptr_array_unref (d->measurements);
  for (guint i = 0; i < 4; i++)
    g_free (d->deadlines[i]);
  g_ptr_array_unref (d->computing_parties);
  g_ptr_array_unref (d->peers);
  g_ptr_array_unref (d->inputs);
  g_ptr_array_unref (d->outputs);
  g_free (d->algorithm);
  g_ptr_array_unref (d->attachments);
  g_free (d);
}

JcDraftInput *
jc_draft_input_new (const char *key, const char *peer)
{
  JcDraftInput *in = g_new0 (JcDraftInput, 1);
  in->key = g_strdup (key);
  in->peer = g_strdup (peer);
  in->schema = jc_schema_new ();
  return in;
}

JcDraftOutput *
jc_draft_output_new (const char *key)
{
  JcDraftOutput *out = g_new0 (JcDraftOutput, 1);
  out->key = g_strdup (key);
  out->peers = g_ptr_array_new_with_free_func (g_free);
  out->schema = jc_schema_new ();
  return out;
}

GPtrArray *
jc_draft_split_names (const char *text)
{
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) parts = g_strsplit_set (text ? text : "", ", \t\n", -1);

  for (guint i = 0; parts[i]; i++)
    if (*parts[i])
      g_ptr_array_add (names, g_strdup (parts[i]));
  return names;
}

static gboolean
is_identifier (const char *s)
{
  if (s == NULL || !(g_ascii_isalpha (*s) || *s == '_') || strlen (s) > 64)
    return FALSE;
  for (; *s; s++)
    if (!g_ascii_isalnum (*s) && *s != '_')
      return FALSE;
  return TRUE;
}

static gboolean
is_blank (const char *s)
{
  for (; s && *s; s++)
    if (!g_ascii_isspace (*s))
      return FALSE;
  return TRUE;
}

static gboolean
is_engine_id (const char *s)
{
  if (s == NULL || !*s || strlen (s) > 64 || !(g_ascii_islower (*s) || g_ascii_isdigit (*s)))
    return FALSE;
  for (; *s; s++)
    if (!g_ascii_islower (*s) && !g_ascii_isdigit (*s) && *s != '-')
      return FALSE;
  return TRUE;
}

static gboolean
contains (GPtrArray *names, const char *name)
{
  for (guint i = 0; i < names->len; i++)
    if (g_strcmp0 (g_ptr_array_index (names, i), name) == 0)
      return TRUE;
  return FALSE;
}

static void
check_names (GPtrArray *names, const char *path, guint min, JcProblems *problems)
{
  if (names->len < min)
    jc_problems_add (problems, path, g_dngettext (GETTEXT_PACKAGE, "name at least %u node",
                                                  "name at least %u nodes", min), min);
  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      for (guint j = 0; j < i; j++)
        if (g_strcmp0 (g_ptr_array_index (names, j), name) == 0)
          jc_problems_add (problems, path, _("“%s” is named twice"), name);
    }
}

/* The KEY of an input or output: a name that no other input or output of the draft uses
 * (KEYS holds those seen so far). */
static void
check_key (const char *key, const char *key_path, GHashTable *keys, JcProblems *problems)
{
  if (!is_identifier (key))
    jc_problems_add (problems, key_path, _("a name is letters, digits and _, starting with a letter"));
  else if (!g_hash_table_add (keys, (gpointer) key))
    jc_problems_add (problems, key_path, _("“%s” names another input or output too"), key);
}

static void
check_schema (GPtrArray *schema, const char *path, JcProblems *problems)
{
  g_autoptr(JsonNode) node = jc_schema_to_json (schema);

  /* Read back only for its problems. */
  g_ptr_array_unref (jc_schema_read (node, path, problems));
}

static void
add_schemas (const JcDraft *d, GPtrArray *inputs, GPtrArray *outputs)
{
  for (guint i = 0; i < d->inputs->len; i++)
    {
      const JcDraftInput *in = g_ptr_array_index (d->inputs, i);
      g_ptr_array_add (inputs, jc_csv_engine_schema_new (in->key, in->schema));
    }
  for (guint i = 0; i < d->outputs->len; i++)
    {
      const JcDraftOutput *out = g_ptr_array_index (d->outputs, i);
      g_ptr_array_add (outputs, jc_csv_engine_schema_new (out->key, out->schema));
    }
}

static JcEngineSchema *
flatten (GPtrArray *schemas)
{
  JcEngineSchema *flat = g_new0 (JcEngineSchema, MAX (schemas->len, 1));
  for (guint i = 0; i < schemas->len; i++)
    flat[i] = ((JcCsvEngineSchema *) g_ptr_array_index (schemas, i))->schema;
  return flat;
}

gboolean
jc_draft_compile (const JcDraft *d, JcEngine *engine, guint *line, guint *column,
                  GError **error)
{
  g_autoptr(GPtrArray) ins = g_ptr_array_new_with_free_func ((GDestroyNotify) jc_csv_engine_schema_free);
  g_autoptr(GPtrArray) outs = g_ptr_array_new_with_free_func ((GDestroyNotify) jc_csv_engine_schema_free);
  g_autofree JcEngineSchema *flat_in = NULL;
  g_autofree JcEngineSchema *flat_out = NULL;
  JcEngineProgram *program;

  add_schemas (d, ins, outs);
  flat_in = flatten (ins);
  flat_out = flatten (outs);
  program = jc_engine_compile (engine, d->algorithm, flat_in, ins->len, flat_out, outs->len,
                               0, line, column, error);
  if (program == NULL)
    return FALSE;
  jc_engine_program_free (engine, program);
  return TRUE;
}

gboolean
jc_draft_check (const JcDraft *d, JcEngine *engine, JcProblems *problems, guint *alg_line,
                guint *alg_column)
{
  guint before = jc_problems_count (problems);
  gint64 previous = G_MININT64;
  g_autoptr(GHashTable) keys = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) used_peers = g_hash_table_new (g_str_hash, g_str_equal);
  JcTeePlatform platform;

  if (alg_line)
    *alg_line = 0;
  if (alg_column)
    *alg_column = 0;

  if (is_blank (d->title))
    jc_problems_add (problems, "title", _("give the task a title"));
  else if (strchr (d->title, '\n'))
    jc_problems_add (problems, "title", _("the title must be one line"));
  if (!is_engine_id (d->engine))
    jc_problems_add (problems, "engine", _("choose an engine"));
  if (!jc_tee_platform_from_string (d->platform, &platform, NULL))
    jc_problems_add (problems, "tee.platform", _("choose sim, sev-snp or tdx"));
  else if (platform != JC_TEE_PLATFORM_SIM && d->measurements->len == 0)
    jc_problems_add (problems, "tee.measurements",
                     _("a confidential platform needs at least one accepted measurement"));
  for (guint i = 0; i < d->measurements->len; i++)
    {
      const char *m = g_ptr_array_index (d->measurements, i);
      guint8 raw[48];
      g_autofree char *path = g_strdup_printf ("tee.measurements[%u]", i);
      if (strlen (m) != 96 || !jc_hex_decode_into (m, raw, sizeof raw, NULL))
        jc_problems_add (problems, path, _("a measurement is 96 hexadecimal digits"));
    }

  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *path = g_strdup_printf ("deadlines.%s", deadline_names[i]);
      gint64 t;
      if (!jc_time_parse (d->deadlines[i], &t, NULL))
        {
          jc_problems_add (problems, path, _("write a date and time like 2026-12-01T12:00:00Z"));
          continue;
        }
      if (t <= previous)
        jc_problems_add (problems, path, _("must be later than the deadline before it"));
      previous = t;
    }

  check_names (d->computing_parties, "computing_parties", 2, problems);
  if (engine && d->computing_parties->len != jc_engine_get_n_parties (engine)
      && d->computing_parties->len >= 2)
    jc_problems_add (problems, "computing_parties", _("the engine %s needs %u computing parties"),
                     jc_engine_get_id (engine), jc_engine_get_n_parties (engine));
  check_names (d->peers, "peers", 1, problems);

  for (guint i = 0; i < d->inputs->len; i++)
    {
      const JcDraftInput *in = g_ptr_array_index (d->inputs, i);
      g_autofree char *path = g_strdup_printf ("inputs[%u]", i);
      g_autofree char *key_path = g_strdup_printf ("%s.key", path);
      g_autofree char *peer_path = g_strdup_printf ("%s.peer", path);
      g_autofree char *schema_path = g_strdup_printf ("%s.schema", path);

      check_key (in->key, key_path, keys, problems);
      if (!contains (d->peers, in->peer))
        jc_problems_add (problems, peer_path, _("choose one of the peers"));
      else
        g_hash_table_add (used_peers, in->peer);
      check_schema (in->schema, schema_path, problems);
    }
  if (d->outputs->len == 0)
    jc_problems_add (problems, "outputs", _("add at least one output"));
  for (guint i = 0; i < d->outputs->len; i++)
    {
      const JcDraftOutput *out = g_ptr_array_index (d->outputs, i);
      g_autofree char *path = g_strdup_printf ("outputs[%u]", i);
      g_autofree char *key_path = g_strdup_printf ("%s.key", path);
      g_autofree char *peers_path = g_strdup_printf ("%s.peers", path);
      g_autofree char *schema_path = g_strdup_printf ("%s.schema", path);

      check_key (out->key, key_path, keys, problems);
      check_names (out->peers, peers_path, 1, problems);
      for (guint j = 0; j < out->peers->len; j++)
        {
          const char *p = g_ptr_array_index (out->peers, j);
          if (!contains (d->peers, p))
            jc_problems_add (problems, peers_path, _("“%s” is not one of the peers"), p);
          else
            g_hash_table_add (used_peers, (gpointer) p);
        }
      check_schema (out->schema, schema_path, problems);
    }
  for (guint i = 0; i < d->peers->len; i++)
    if (!g_hash_table_contains (used_peers, g_ptr_array_index (d->peers, i)))
      jc_problems_add (problems, "peers", _("the peer “%s” has no input and no output"),
                       (const char *) g_ptr_array_index (d->peers, i));

  if (d->algorithm == NULL || *d->algorithm == '\0')
    jc_problems_add (problems, "algorithm", _("write the algorithm"));
  else if (engine && jc_problems_count (problems) == before)
    {
      g_autoptr(GError) error = NULL;
      if (!jc_draft_compile (d, engine, alg_line, alg_column, &error))
        jc_problems_add (problems, "algorithm", "%s", error->message);
    }

  for (guint i = 0; i < d->attachments->len; i++)
    {
      const JcAttachment *a = g_ptr_array_index (d->attachments, i);
      g_autofree char *path = g_strdup_printf ("attachments[%u]", i);
      if (a->content == NULL || g_bytes_get_size (a->content) == 0)
        jc_problems_add (problems, path, _("the file is empty"));
    }
  return jc_problems_count (problems) == before;
}

static JsonNode *
names_to_json (GPtrArray *names)
{
  JsonArray *array = json_array_new ();
  JsonNode *node = json_node_new (JSON_NODE_ARRAY);

  for (guint i = 0; i < names->len; i++)
    json_array_add_string_element (array, g_ptr_array_index (names, i));
  json_node_take_array (node, array);
  return node;
}

JsonNode *
jc_draft_to_json (const JcDraft *d)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "title");
  json_builder_add_string_value (b, d->title);
  json_builder_set_member_name (b, "description");
  json_builder_add_string_value (b, d->description);
  json_builder_set_member_name (b, "engine");
  json_builder_add_string_value (b, d->engine);
  json_builder_set_member_name (b, "tee");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "platform");
  json_builder_add_string_value (b, d->platform);
  if (d->measurements->len > 0)
    {
      json_builder_set_member_name (b, "measurements");
      json_builder_add_value (b, names_to_json (d->measurements));
    }
  json_builder_end_object (b);
  json_builder_set_member_name (b, "deadlines");
  json_builder_begin_object (b);
  for (guint i = 0; i < 4; i++)
    {
      json_builder_set_member_name (b, deadline_names[i]);
      json_builder_add_string_value (b, d->deadlines[i]);
    }
  json_builder_end_object (b);
  json_builder_set_member_name (b, "computing_parties");
  json_builder_add_value (b, names_to_json (d->computing_parties));
  json_builder_set_member_name (b, "peers");
  json_builder_add_value (b, names_to_json (d->peers));

  json_builder_set_member_name (b, "inputs");
  json_builder_begin_array (b);
  for (guint i = 0; i < d->inputs->len; i++)
    {
      const JcDraftInput *in = g_ptr_array_index (d->inputs, i);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "key");
      json_builder_add_string_value (b, in->key);
      json_builder_set_member_name (b, "peer");
      json_builder_add_string_value (b, in->peer);
      json_builder_set_member_name (b, "schema");
      json_builder_add_value (b, jc_schema_to_json (in->schema));
      if (in->quality && *in->quality)
        {
          json_builder_set_member_name (b, "quality");
          json_builder_add_string_value (b, in->quality);
        }
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "outputs");
  json_builder_begin_array (b);
  for (guint i = 0; i < d->outputs->len; i++)
    {
      const JcDraftOutput *out = g_ptr_array_index (d->outputs, i);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "key");
      json_builder_add_string_value (b, out->key);
      json_builder_set_member_name (b, "peers");
      json_builder_add_value (b, names_to_json (out->peers));
      json_builder_set_member_name (b, "schema");
      json_builder_add_value (b, jc_schema_to_json (out->schema));
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "algorithm");
  json_builder_add_string_value (b, d->algorithm);
  json_builder_set_member_name (b, "attachments");
  json_builder_begin_array (b);
  for (guint i = 0; i < d->attachments->len; i++)
    json_builder_add_value (b, jc_attachment_to_json (g_ptr_array_index (d->attachments, i)));
  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}
