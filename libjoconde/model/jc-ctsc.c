#define G_LOG_DOMAIN "joconde-model"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <string.h>

#include "jc-ctsc.h"
#include "jc-encoding.h"
#include "jc-model-read-private.h"
#include "jc-model-render-private.h"
#include "jc-time.h"

#define JC_CTSC_MAX_ENTRIES 1024

static void
peer_ref_clear (gpointer p)
{
  jc_peer_ref_clear (p);
}

JcInputSpec *
jc_input_spec_new (const char *key)
{
  JcInputSpec *in = g_new0 (JcInputSpec, 1);

  in->key = g_strdup (key);
  in->peer.index = -1;
  in->schema = jc_schema_new ();
  return in;
}

JcOutputSpec *
jc_output_spec_new (const char *key)
{
  JcOutputSpec *out = g_new0 (JcOutputSpec, 1);

  out->key = g_strdup (key);
  out->peers = g_array_new (FALSE, TRUE, sizeof (JcPeerRef));
  g_array_set_clear_func (out->peers, peer_ref_clear);
  out->schema = jc_schema_new ();
  return out;
}

void
jc_output_spec_add_peer (JcOutputSpec *out, gint64 index, const char *name)
{
  JcPeerRef ref = { g_strdup (name), name ? -1 : index };

  g_array_append_val (out->peers, ref);
}

void
jc_input_spec_free (JcInputSpec *input)
{
  if (input == NULL)
    return;
  g_free (input->key);
  jc_peer_ref_clear (&input->peer);
  g_clear_pointer (&input->schema, g_ptr_array_unref);
  g_free (input->quality);
  g_free (input);
}

void
jc_output_spec_free (JcOutputSpec *output)
{
  if (output == NULL)
    return;
  g_free (output->key);
  g_clear_pointer (&output->peers, g_array_unref);
  g_clear_pointer (&output->schema, g_ptr_array_unref);
  g_free (output);
}

JcCtsc *
jc_ctsc_new (void)
{
  JcCtsc *c = g_new0 (JcCtsc, 1);

  c->measurements = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  c->computing_parties = g_ptr_array_new_with_free_func ((GDestroyNotify) jc_party_free);
  c->peers = g_ptr_array_new_with_free_func ((GDestroyNotify) jc_party_free);
  c->inputs = g_ptr_array_new_with_free_func ((GDestroyNotify) jc_input_spec_free);
  c->outputs = g_ptr_array_new_with_free_func ((GDestroyNotify) jc_output_spec_free);
  c->attachments = g_ptr_array_new_with_free_func ((GDestroyNotify) jc_attachment_free);
  return c;
}

void
jc_ctsc_free (JcCtsc *c)
{
  if (c == NULL)
    return;
  g_free (c->title);
  g_free (c->description);
  g_free (c->engine);
  g_ptr_array_unref (c->measurements);
  g_ptr_array_unref (c->computing_parties);
  g_ptr_array_unref (c->peers);
  g_ptr_array_unref (c->inputs);
  g_ptr_array_unref (c->outputs);
  g_free (c->algorithm);
  g_ptr_array_unref (c->attachments);
  g_free (c);
}

/* Engine ids: lowercase letters, digits and "-", e.g. "rss3-sh-z64". */
static char *
read_engine (JcObjReader *r)
{
  g_autofree char *engine = jc_obj_string (r, "engine", JC_TEXT_ANY, TRUE);
  gboolean ok;

  if (engine == NULL)
    return NULL;
  ok = engine[0] != '\0' && strlen (engine) <= 64 && g_ascii_isalnum (engine[0]);
  for (const char *p = engine; ok && *p; p++)
    ok = g_ascii_islower (*p) || g_ascii_isdigit (*p) || *p == '-';
  if (!ok)
    {
      g_autofree char *path = jc_path_member (r->path, "engine");
      g_autofree char *q = jc_quote (engine);
      jc_problems_add (r->problems, path,
                       _("%s is not an engine id (lowercase letters, digits and “-”, such as \"rss3-sh-z64\")"), q);
      return NULL;
    }
  return g_steal_pointer (&engine);
}

static void
read_tee (JcObjReader *parent, JcCtsc *c)
{
  static const char *const platforms[] = { "sim", "sev-snp", "tdx", NULL };
  static const JcTeePlatform values[] = { JC_TEE_PLATFORM_SIM, JC_TEE_PLATFORM_SEV_SNP, JC_TEE_PLATFORM_TDX };
  JsonNode *node = jc_obj_member (parent, "tee", TRUE);
  g_autofree char *path = jc_path_member (parent->path, "tee");
  JcObjReader r;
  JsonArray *ms;
  int p;

  if (node == NULL)
    return;
  if (!jc_obj_reader_init (&r, node, path, parent->problems))
    {
      jc_obj_reader_finish (&r);
      return;
    }
  p = jc_obj_enum (&r, "platform", platforms);
  c->platform = p >= 0 ? values[p] : JC_TEE_PLATFORM_NONE;
  /* A real TEE without expected measurements would accept any code: required there.
   * For "sim" the list may be left out, but is not written empty, so that a CTSC has one
   * spelling (an empty list and no list would hash differently). */
  ms = jc_obj_array (&r, "measurements", 1, c->platform != JC_TEE_PLATFORM_SIM);
  if (ms != NULL)
    {
      g_autofree char *mpath = jc_path_member (path, "measurements");
      g_autoptr(GHashTable) seen = g_hash_table_new (g_bytes_hash, g_bytes_equal);
      guint n = MIN (json_array_get_length (ms), JC_CTSC_MAX_ENTRIES);

      for (guint i = 0; i < n; i++)
        {
          g_autofree char *ipath = jc_path_index (mpath, i);
          guint8 m[JC_TEE_MEASUREMENT_SIZE];
          GBytes *b;

          if (!jc_node_hex_into (json_array_get_element (ms, i), ipath, m, sizeof m, parent->problems))
            continue;
          b = g_bytes_new (m, sizeof m);
          if (g_hash_table_contains (seen, b))
            jc_problems_add (parent->problems, ipath, _("this measurement is listed twice"));
          else
            g_hash_table_add (seen, b);
          g_ptr_array_add (c->measurements, b);
        }
    }
  jc_obj_reader_finish (&r);
}

static void
read_deadlines (JcObjReader *parent, JcCtsc *c)
{
  static const char *const names[] = { "approval", "input", "execution", "output" };
  JsonNode *node = jc_obj_member (parent, "deadlines", TRUE);
  g_autofree char *path = jc_path_member (parent->path, "deadlines");
  gint64 *fields[] = { &c->approval_deadline, &c->input_deadline, &c->execution_deadline,
                       &c->output_deadline };
  gboolean ok[4] = { FALSE };
  JcObjReader r;

  if (node == NULL)
    return;
  if (jc_obj_reader_init (&r, node, path, parent->problems))
    for (int i = 0; i < 4; i++)
      ok[i] = jc_obj_time (&r, names[i], fields[i]);
  jc_obj_reader_finish (&r);

  /* Each deadline must come after the one before it (the previous one that was read). */
  for (int i = 1; i < 4; i++)
    for (int j = i - 1; j >= 0; j--)
      if (ok[i] && ok[j])
        {
          if (*fields[i] <= *fields[j])
            {
              g_autofree char *ipath = jc_path_member (path, names[i]);
              jc_problems_add (parent->problems, ipath, _("must be later than the %s deadline"), names[j]);
            }
          break;
        }
}

/* A party that could not be read stays as an empty one, to keep indices aligned with
 * the document. */
static gpointer
read_party (JsonNode *node, const char *path, JcProblems *problems)
{
  JcParty *party = jc_party_read (node, path, problems);

  return party != NULL ? party : jc_party_new ();
}

static gpointer
read_input (JsonNode *node, const char *path, JcProblems *problems)
{
  JcObjReader r;
  JcInputSpec *in;
  JsonNode *member;

  /* Not an object: an empty entry keeps the indices of the others as in the document. */
  if (!jc_obj_reader_init (&r, node, path, problems))
    {
      jc_obj_reader_finish (&r);
      return jc_input_spec_new (NULL);
    }
  in = g_new0 (JcInputSpec, 1);
  in->peer.index = -1;
  in->key = jc_obj_string (&r, "key", JC_TEXT_IDENTIFIER, TRUE);
  if ((member = jc_obj_member (&r, "peer", TRUE)) != NULL)
    {
      g_autofree char *ppath = jc_path_member (path, "peer");
      jc_peer_ref_read (member, ppath, &in->peer, problems);
    }
  if ((member = jc_obj_member (&r, "schema", TRUE)) != NULL)
    {
      g_autofree char *spath = jc_path_member (path, "schema");
      in->schema = jc_schema_read (member, spath, problems);
    }
  else
    in->schema = jc_schema_new ();
  in->quality = jc_obj_string (&r, "quality", JC_TEXT_BLOCK, FALSE);
  jc_obj_reader_finish (&r);
  return in;
}

static gpointer
read_output (JsonNode *node, const char *path, JcProblems *problems)
{
  JcObjReader r;
  JcOutputSpec *out;
  JsonNode *member;
  JsonArray *peers;

  if (!jc_obj_reader_init (&r, node, path, problems))
    {
      jc_obj_reader_finish (&r);
      return jc_output_spec_new (NULL);
    }
  out = jc_output_spec_new (NULL);
  g_clear_pointer (&out->schema, g_ptr_array_unref);
  out->key = jc_obj_string (&r, "key", JC_TEXT_IDENTIFIER, TRUE);
  peers = jc_obj_array (&r, "peers", 1, TRUE);
  if (peers != NULL)
    {
      g_autofree char *ppath = jc_path_member (path, "peers");
      guint n = MIN (json_array_get_length (peers), JC_CTSC_MAX_ENTRIES);
      for (guint i = 0; i < n; i++)
        {
          g_autofree char *ipath = jc_path_index (ppath, i);
          JcPeerRef ref = { NULL, -1 };
          jc_peer_ref_read (json_array_get_element (peers, i), ipath, &ref, problems);
          g_array_append_val (out->peers, ref);
        }
    }
  if ((member = jc_obj_member (&r, "schema", TRUE)) != NULL)
    {
      g_autofree char *spath = jc_path_member (path, "schema");
      out->schema = jc_schema_read (member, spath, problems);
    }
  else
    out->schema = jc_schema_new ();
  jc_obj_reader_finish (&r);
  return out;
}

static gpointer
read_attachment (JsonNode *node, const char *path, JcProblems *problems)
{
  return jc_attachment_read (node, path, problems);
}

/* Resolves a peer reference to an index into C's peers; a problem at PATH if it fails. */
static gboolean
resolve_peer (const JcCtsc *c, GHashTable *peer_index, JcPeerRef *ref, const char *path,
              JcProblems *problems)
{
  if (ref->name != NULL)
    {
      gpointer value;
      ref->index = g_hash_table_lookup_extended (peer_index, ref->name, NULL, &value)
                   ? GPOINTER_TO_INT (value) : -1;
      if (ref->index < 0)
        {
          g_autofree char *q = jc_quote (ref->name);
          jc_problems_add (problems, path, _("no peer is named %s"), q);
          return FALSE;
        }
      return TRUE;
    }
  if (ref->index < 0)
    return FALSE; /* already reported */
  if (ref->index >= (gint64) c->peers->len)
    {
      jc_problems_add (problems, path,
                       _("peer index %" PRId64 " is out of range (there are %u peers)"),
                       (int64_t) ref->index, c->peers->len);
      ref->index = -1;
      return FALSE;
    }
  return TRUE;
}

/* Checks that tie fields together: unique names, keys and fingerprints, peer references,
 * every peer taking part. */
static void
cross_check (JcCtsc *c, const char *path, JcProblems *problems)
{
  g_autoptr(GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) fingerprints = g_hash_table_new_full (g_bytes_hash, g_bytes_equal,
                                                              (GDestroyNotify) g_bytes_unref, NULL);
  g_autoptr(GHashTable) keys = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree gboolean *peer_used = g_new0 (gboolean, c->peers->len + 1);
  GPtrArray *lists[] = { c->computing_parties, c->peers };
  const char *list_names[] = { "computing_parties", "peers" };
  g_autofree char *inputs_path = jc_path_member (path, "inputs");
  g_autofree char *outputs_path = jc_path_member (path, "outputs");
  /* Name → index of the first peer of that name: a lookup per reference stays cheap even
   * for a hostile document with a million references. */
  g_autoptr(GHashTable) peer_index = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = c->peers->len; i-- > 0;)
    {
      JcParty *party = g_ptr_array_index (c->peers, i);
      if (party->name != NULL)
        g_hash_table_insert (peer_index, party->name, GINT_TO_POINTER (i));
    }

  for (int l = 0; l < 2; l++)
    {
      g_autofree char *lpath = jc_path_member (path, list_names[l]);
      for (guint i = 0; i < lists[l]->len; i++)
        {
          JcParty *party = g_ptr_array_index (lists[l], i);
          g_autofree char *ipath = jc_path_index (lpath, i);
          GBytes *fp;

          if (party->name == NULL)
            continue;
          if (g_hash_table_contains (names, party->name))
            {
              g_autofree char *npath = jc_path_member (ipath, "name");
              g_autofree char *q = jc_quote (party->name);
              jc_problems_add (problems, npath, _("the node name %s is used twice"), q);
            }
          g_hash_table_add (names, party->name);
          if (party->chain->len == 0)
            continue;
          fp = g_bytes_new (party->fingerprint, sizeof party->fingerprint);
          if (g_hash_table_contains (fingerprints, fp))
            {
              g_autofree char *fpath = jc_path_member (ipath, "fingerprint");
              jc_problems_add (problems, fpath, _("the same certificate names two nodes"));
              g_bytes_unref (fp);
            }
          else
            g_hash_table_add (fingerprints, fp);
        }
    }

  for (guint i = 0; i < c->inputs->len; i++)
    {
      JcInputSpec *in = g_ptr_array_index (c->inputs, i);
      g_autofree char *ipath = jc_path_index (inputs_path, i);
      g_autofree char *ppath = jc_path_member (ipath, "peer");

      if (in->key != NULL)
        {
          if (g_hash_table_contains (keys, in->key))
            {
              g_autofree char *kpath = jc_path_member (ipath, "key");
              g_autofree char *q = jc_quote (in->key);
              jc_problems_add (problems, kpath, _("the key %s is used twice"), q);
            }
          g_hash_table_add (keys, in->key);
        }
      if ((in->peer.name != NULL || in->peer.index >= 0) &&
          resolve_peer (c, peer_index, &in->peer, ppath, problems))
        peer_used[in->peer.index] = TRUE;
    }

  for (guint i = 0; i < c->outputs->len; i++)
    {
      JcOutputSpec *out = g_ptr_array_index (c->outputs, i);
      g_autofree char *opath = jc_path_index (outputs_path, i);
      g_autofree char *ppath = jc_path_member (opath, "peers");
      g_autofree gboolean *seen = g_new0 (gboolean, c->peers->len + 1);

      if (out->key != NULL)
        {
          if (g_hash_table_contains (keys, out->key))
            {
              g_autofree char *kpath = jc_path_member (opath, "key");
              g_autofree char *q = jc_quote (out->key);
              jc_problems_add (problems, kpath, _("the key %s is used twice"), q);
            }
          g_hash_table_add (keys, out->key);
        }
      for (guint j = 0; j < out->peers->len; j++)
        {
          JcPeerRef *ref = &g_array_index (out->peers, JcPeerRef, j);
          g_autofree char *rpath = jc_path_index (ppath, j);

          if (ref->name == NULL && ref->index < 0)
            continue;
          if (!resolve_peer (c, peer_index, ref, rpath, problems))
            continue;
          if (seen[ref->index])
            jc_problems_add (problems, rpath, _("this peer is listed twice"));
          seen[ref->index] = TRUE;
          peer_used[ref->index] = TRUE;
        }
    }

  {
    g_autofree char *ppath = jc_path_member (path, "peers");
    for (guint i = 0; i < c->peers->len; i++)
      if (!peer_used[i])
        {
          g_autofree char *ipath = jc_path_index (ppath, i);
          jc_problems_add (problems, ipath, _("this peer has no input and no output"));
        }
  }
}

JcCtsc *
jc_ctsc_read (JsonNode *node, const char *path, JcProblems *problems)
{
  g_autoptr(JcCtsc) c = jc_ctsc_new ();
  guint before = jc_problems_count (problems);
  JcObjReader r;

  if (!jc_obj_reader_init (&r, node, path, problems))
    {
      jc_obj_reader_finish (&r);
      return NULL;
    }
  jc_obj_header (&r, "ctsc");
  c->title = jc_obj_string (&r, "title", JC_TEXT_LINE, TRUE);
  c->description = jc_obj_string (&r, "description", JC_TEXT_BLOCK, TRUE);
  c->engine = read_engine (&r);
  read_tee (&r, c);
  read_deadlines (&r, c);
  jc_obj_items (&r, "computing_parties", 2, JC_CTSC_MAX_ENTRIES, read_party, FALSE,
                c->computing_parties);
  jc_obj_items (&r, "peers", 1, JC_CTSC_MAX_ENTRIES, read_party, FALSE, c->peers);
  jc_obj_items (&r, "inputs", 0, JC_CTSC_MAX_ENTRIES, read_input, FALSE, c->inputs);
  jc_obj_items (&r, "outputs", 1, JC_CTSC_MAX_ENTRIES, read_output, FALSE, c->outputs);
  c->algorithm = jc_obj_string (&r, "algorithm", JC_TEXT_BLOCK, TRUE);
  jc_obj_items (&r, "attachments", 0, JC_CTSC_MAX_ENTRIES, read_attachment, FALSE,
                c->attachments);
  cross_check (c, r.path, problems);
  jc_obj_reader_finish (&r);

  if (jc_problems_count (problems) != before)
    return NULL;
  return g_steal_pointer (&c);
}

JcCtsc *
jc_ctsc_from_json (JsonNode *node, GError **error)
{
  g_autoptr(JcProblems) problems = jc_problems_new ();
  JcCtsc *c = jc_ctsc_read (node, "", problems);

  if (!jc_problems_check (problems, _("The CTSC"), error))
    {
      jc_ctsc_free (c);
      return NULL;
    }
  return c;
}

static JsonNode *
parties_to_json (GPtrArray *parties)
{
  JsonArray *a = json_array_new ();

  for (guint i = 0; i < parties->len; i++)
    json_array_add_element (a, jc_party_to_json (g_ptr_array_index (parties, i)));
  return jc_node_from_array (a);
}

JsonNode *
jc_ctsc_to_json (const JcCtsc *c)
{
  JsonObject *o = json_object_new ();
  JsonObject *tee = json_object_new ();
  JsonObject *deadlines = json_object_new ();
  JsonArray *ms = json_array_new ();
  JsonArray *inputs = json_array_new ();
  JsonArray *outputs = json_array_new ();
  JsonArray *attachments = json_array_new ();

  jc_add_header (o, "ctsc");
  jc_add_string (o, "title", c->title);
  jc_add_string (o, "description", c->description);
  jc_add_string (o, "engine", c->engine);

  jc_add_string (tee, "platform", jc_tee_platform_to_string (c->platform));
  for (guint i = 0; i < c->measurements->len; i++)
    {
      gsize len;
      const guint8 *m = g_bytes_get_data (g_ptr_array_index (c->measurements, i), &len);
      g_autofree char *hex = jc_hex_encode (m, len);
      json_array_add_string_element (ms, hex);
    }
  if (c->measurements->len > 0)
    json_object_set_array_member (tee, "measurements", ms);
  else
    json_array_unref (ms);
  json_object_set_object_member (o, "tee", tee);

  jc_add_time (deadlines, "approval", c->approval_deadline);
  jc_add_time (deadlines, "input", c->input_deadline);
  jc_add_time (deadlines, "execution", c->execution_deadline);
  jc_add_time (deadlines, "output", c->output_deadline);
  json_object_set_object_member (o, "deadlines", deadlines);

  json_object_set_member (o, "computing_parties", parties_to_json (c->computing_parties));
  json_object_set_member (o, "peers", parties_to_json (c->peers));

  for (guint i = 0; i < c->inputs->len; i++)
    {
      const JcInputSpec *in = g_ptr_array_index (c->inputs, i);
      JsonObject *io = json_object_new ();
      jc_add_string (io, "key", in->key);
      json_object_set_member (io, "peer", jc_peer_ref_to_json (&in->peer));
      json_object_set_member (io, "schema", jc_schema_to_json (in->schema));
      if (in->quality != NULL)
        jc_add_string (io, "quality", in->quality);
      json_array_add_object_element (inputs, io);
    }
  json_object_set_array_member (o, "inputs", inputs);

  for (guint i = 0; i < c->outputs->len; i++)
    {
      const JcOutputSpec *out = g_ptr_array_index (c->outputs, i);
      JsonObject *oo = json_object_new ();
      JsonArray *peers = json_array_new ();
      jc_add_string (oo, "key", out->key);
      for (guint j = 0; j < out->peers->len; j++)
        json_array_add_element (peers, jc_peer_ref_to_json (&g_array_index (out->peers, JcPeerRef, j)));
      json_object_set_array_member (oo, "peers", peers);
      json_object_set_member (oo, "schema", jc_schema_to_json (out->schema));
      json_array_add_object_element (outputs, oo);
    }
  json_object_set_array_member (o, "outputs", outputs);

  jc_add_string (o, "algorithm", c->algorithm);
  for (guint i = 0; i < c->attachments->len; i++)
    json_array_add_element (attachments, jc_attachment_to_json (g_ptr_array_index (c->attachments, i)));
  json_object_set_array_member (o, "attachments", attachments);
  return jc_node_from_object (o);
}

gboolean
jc_ctsc_hash (const JcCtsc *c, guint8 out[JC_DOC_HASH_SIZE])
{
  g_autoptr(JsonNode) node = jc_ctsc_to_json (c);

  return jc_doc_hash (node, out, NULL);
}

const JcInputSpec *
jc_ctsc_find_input (const JcCtsc *c, const char *key)
{
  for (guint i = 0; i < c->inputs->len; i++)
    {
      const JcInputSpec *in = g_ptr_array_index (c->inputs, i);
      if (in->key && strcmp (in->key, key) == 0)
        return in;
    }
  return NULL;
}

const JcOutputSpec *
jc_ctsc_find_output (const JcCtsc *c, const char *key)
{
  for (guint i = 0; i < c->outputs->len; i++)
    {
      const JcOutputSpec *out = g_ptr_array_index (c->outputs, i);
      if (out->key && strcmp (out->key, key) == 0)
        return out;
    }
  return NULL;
}

gint64
jc_ctsc_find_peer (const JcCtsc *c, const char *name)
{
  for (guint i = 0; i < c->peers->len; i++)
    {
      const JcParty *p = g_ptr_array_index (c->peers, i);
      if (p->name && strcmp (p->name, name) == 0)
        return i;
    }
  return -1;
}

/* Rendering. */

static void
render_parties (GString *out, guint indent, const char *heading, GPtrArray *parties)
{
  jc_render_heading (out, indent, heading);
  for (guint i = 0; i < parties->len; i++)
    {
      const JcParty *p = g_ptr_array_index (parties, i);
      g_autofree char *label = g_strdup_printf ("[%u]", i);
      g_autofree char *digits = jc_party_fingerprint_digits (p);

      jc_render_field (out, indent + 1, label, p->name);
      jc_render_field (out, indent + 2, "fingerprint", digits);
      jc_render_hash (out, indent + 2, "chain SHA-256", p->fingerprint);
      jc_render_fieldf (out, indent + 2, "chain", "%u certificate(s)", p->chain->len);
    }
}

static char *
peer_label (const JcCtsc *c, const JcPeerRef *ref)
{
  const JcParty *p = ref->index >= 0 && ref->index < (gint64) c->peers->len
                     ? g_ptr_array_index (c->peers, ref->index) : NULL;

  return g_strdup_printf ("[%" G_GINT64_FORMAT "] %s", ref->index, p && p->name ? p->name : "?");
}

void
jc_ctsc_render_to (const JcCtsc *c, GString *out, guint indent)
{
  jc_render_field (out, indent, "Title", c->title);
  jc_render_block (out, indent, "Description", c->description);
  jc_render_field (out, indent, "MPC engine", c->engine);
  jc_render_fieldf (out, indent, "TEE platform", "%s%s", jc_tee_platform_to_string (c->platform),
                    c->platform == JC_TEE_PLATFORM_SIM ? " (SIMULATED: NOT CONFIDENTIAL)" : "");
  for (guint i = 0; i < c->measurements->len; i++)
    {
      gsize len;
      const guint8 *m = g_bytes_get_data (g_ptr_array_index (c->measurements, i), &len);
      g_autofree char *hex = jc_hex_encode (m, len);
      jc_render_field (out, indent + 1, "measurement", hex);
    }
  jc_render_heading (out, indent, "Deadlines (UTC):");
  {
    const char *labels[] = { "approval", "input", "execution", "output" };
    gint64 values[] = { c->approval_deadline, c->input_deadline, c->execution_deadline, c->output_deadline };
    for (int i = 0; i < 4; i++)
      {
        g_autofree char *t = jc_time_format (values[i]);
        jc_render_field (out, indent + 1, labels[i], t);
      }
  }
  render_parties (out, indent, "Computing parties:", c->computing_parties);
  render_parties (out, indent, "Peers:", c->peers);
  jc_render_heading (out, indent, "Inputs:");
  for (guint i = 0; i < c->inputs->len; i++)
    {
      const JcInputSpec *in = g_ptr_array_index (c->inputs, i);
      g_autofree char *label = g_strdup_printf ("[%u]", i);
      g_autofree char *peer = peer_label (c, &in->peer);
      jc_render_field (out, indent + 1, label, in->key);
      jc_render_field (out, indent + 2, "supplied by peer", peer);
      jc_schema_render (out, indent + 2, in->schema);
      if (in->quality != NULL)
        jc_render_block (out, indent + 2, "data-quality query", in->quality);
    }
  jc_render_heading (out, indent, "Outputs:");
  for (guint i = 0; i < c->outputs->len; i++)
    {
      const JcOutputSpec *o = g_ptr_array_index (c->outputs, i);
      g_autofree char *label = g_strdup_printf ("[%u]", i);
      jc_render_field (out, indent + 1, label, o->key);
      for (guint j = 0; j < o->peers->len; j++)
        {
          g_autofree char *peer = peer_label (c, &g_array_index (o->peers, JcPeerRef, j));
          jc_render_field (out, indent + 2, "retrieved by peer", peer);
        }
      jc_schema_render (out, indent + 2, o->schema);
    }
  jc_render_block (out, indent, "Algorithm", c->algorithm);
  jc_render_heading (out, indent, "Attachments:");
  for (guint i = 0; i < c->attachments->len; i++)
    {
      const JcAttachment *a = g_ptr_array_index (c->attachments, i);
      g_autofree char *label = g_strdup_printf ("[%u]", i);
      jc_render_field (out, indent + 1, label, a->title);
      jc_render_field (out, indent + 2, "media type", a->media_type);
      jc_render_bytes (out, indent + 2, "content", a->content);
      if (a->description && *a->description)
        jc_render_block (out, indent + 2, "description", a->description);
    }
}

char *
jc_ctsc_render (const JcCtsc *c)
{
  GString *out = g_string_new (NULL);
  guint8 hash[JC_DOC_HASH_SIZE];

  jc_ctsc_hash (c, hash);
  jc_render_header (out, "Computation Task Specification Core (CTSC)", hash);
  jc_ctsc_render_to (c, out, 0);
  return g_string_free (out, FALSE);
}
