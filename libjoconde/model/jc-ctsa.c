#define G_LOG_DOMAIN "joconde-model"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <sodium.h>
#include <string.h>

#include "jc-ctsa.h"
#include "jc-encoding.h"
#include "jc-model-read-private.h"
#include "jc-model-render-private.h"

#define JC_CTSA_MAX_ENTRIES 1024

JcSignatory *
jc_signatory_new (const char *name, JcFile *identification)
{
  JcSignatory *s = g_new0 (JcSignatory, 1);

  s->name = g_strdup (name);
  s->identification = identification;
  return s;
}

JcPakGrant *
jc_pak_grant_new (GBytes *pak)
{
  JcPakGrant *g = g_new0 (JcPakGrant, 1);

  g->pak = pak ? g_bytes_ref (pak) : NULL;
  g->keys = g_ptr_array_new_with_free_func (g_free);
  return g;
}

void
jc_signatory_free (JcSignatory *s)
{
  if (s == NULL)
    return;
  g_free (s->name);
  jc_file_free (s->identification);
  g_free (s);
}

void
jc_pak_grant_free (JcPakGrant *g)
{
  if (g == NULL)
    return;
  g_clear_pointer (&g->pak, g_bytes_unref);
  g_clear_pointer (&g->keys, g_ptr_array_unref);
  g_free (g);
}

JcCtsa *
jc_ctsa_new (void)
{
  JcCtsa *a = g_new0 (JcCtsa, 1);

  a->peer = -1;
  a->signatories = g_ptr_array_new_with_free_func ((GDestroyNotify) jc_signatory_free);
  a->custodians = g_ptr_array_new_with_free_func ((GDestroyNotify) jc_pak_grant_free);
  a->analysts = g_ptr_array_new_with_free_func ((GDestroyNotify) jc_pak_grant_free);
  return a;
}

void
jc_ctsa_free (JcCtsa *a)
{
  if (a == NULL)
    return;
  g_ptr_array_unref (a->signatories);
  g_ptr_array_unref (a->custodians);
  g_ptr_array_unref (a->analysts);
  g_free (a);
}

static void
read_signatories (JcObjReader *r, JcCtsa *a)
{
  JsonArray *array = jc_obj_array (r, "signatories", 1, TRUE);
  g_autofree char *path = jc_path_member (r->path, "signatories");
  guint n = array ? MIN (json_array_get_length (array), JC_CTSA_MAX_ENTRIES) : 0;

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *ipath = jc_path_index (path, i);
      JcObjReader s;
      JcSignatory *signatory;
      JsonNode *id;

      if (!jc_obj_reader_init (&s, json_array_get_element (array, i), ipath, r->problems))
        {
          jc_obj_reader_finish (&s);
          continue;
        }
      signatory = g_new0 (JcSignatory, 1);
      signatory->name = jc_obj_string (&s, "name", JC_TEXT_LINE, TRUE);
      if ((id = jc_obj_member (&s, "identification", FALSE)) != NULL)
        {
          g_autofree char *idpath = jc_path_member (ipath, "identification");
          signatory->identification = jc_file_read (id, idpath, r->problems);
        }
      jc_obj_reader_finish (&s);
      g_ptr_array_add (a->signatories, signatory);
    }
}

/* Reads "custodians" (KEYS_NAME "inputs") or "analysts" ("outputs"). PAKS collects every
 * PAK seen so far, since one PAK serves one role and one entry. */
static void
read_grants (JcObjReader *r, const char *list, const char *keys_name, GPtrArray *into,
             GHashTable *paks)
{
  JsonArray *array = jc_obj_array (r, list, 0, TRUE);
  g_autofree char *path = jc_path_member (r->path, list);
  guint n = array ? MIN (json_array_get_length (array), JC_CTSA_MAX_ENTRIES) : 0;

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *ipath = jc_path_index (path, i);
      g_autofree char *kpath = jc_path_member (ipath, keys_name);
      JcObjReader g;
      JcPakGrant *grant;
      JsonArray *keys;

      if (!jc_obj_reader_init (&g, json_array_get_element (array, i), ipath, r->problems))
        {
          jc_obj_reader_finish (&g);
          continue;
        }
      grant = g_new0 (JcPakGrant, 1);
      grant->keys = g_ptr_array_new_with_free_func (g_free);
      grant->pak = jc_obj_base64url (&g, "pak", JC_PAK_PUBLIC_SIZE, 0, TRUE);
      if (grant->pak != NULL)
        {
          if (g_hash_table_contains (paks, grant->pak))
            {
              g_autofree char *ppath = jc_path_member (ipath, "pak");
              jc_problems_add (r->problems, ppath,
                               _("this PAK is listed twice (a PAK serves one custodian or one analyst)"));
            }
          else
            g_hash_table_add (paks, g_bytes_ref (grant->pak));
        }
      keys = jc_obj_array (&g, keys_name, 1, TRUE);
      if (keys != NULL)
        {
          g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
          guint m = MIN (json_array_get_length (keys), JC_CTSA_MAX_ENTRIES);
          for (guint j = 0; j < m; j++)
            {
              g_autofree char *jpath = jc_path_index (kpath, j);
              char *key = jc_node_string (json_array_get_element (keys, j), jpath,
                                          JC_TEXT_IDENTIFIER, r->problems);
              if (key == NULL)
                continue;
              if (g_hash_table_contains (seen, key))
                {
                  g_autofree char *q = jc_quote (key);
                  jc_problems_add (r->problems, jpath, _("the key %s is listed twice"), q);
                }
              g_hash_table_add (seen, key);
              g_ptr_array_add (grant->keys, key);
            }
        }
      jc_obj_reader_finish (&g);
      g_ptr_array_add (into, grant);
    }
}

JcCtsa *
jc_ctsa_read (JsonNode *node, const char *path, JcProblems *problems)
{
  g_autoptr(JcCtsa) a = jc_ctsa_new ();
  g_autoptr(GHashTable) paks = g_hash_table_new_full (g_bytes_hash, g_bytes_equal,
                                                      (GDestroyNotify) g_bytes_unref, NULL);
  guint before = jc_problems_count (problems);
  JcObjReader r;

  if (!jc_obj_reader_init (&r, node, path, problems))
    {
      jc_obj_reader_finish (&r);
      return NULL;
    }
  jc_obj_header (&r, "ctsa");
  jc_obj_hash (&r, "ctsc_hash", a->ctsc_hash);
  jc_obj_int (&r, "peer", 0, JC_DOC_INT_MAX, &a->peer);
  read_signatories (&r, a);
  read_grants (&r, "custodians", "inputs", a->custodians, paks);
  read_grants (&r, "analysts", "outputs", a->analysts, paks);
  if (r.object != NULL && a->custodians->len == 0 && a->analysts->len == 0 &&
      json_object_has_member (r.object, "custodians") && json_object_has_member (r.object, "analysts"))
    jc_problems_add (problems, r.path, _("the addendum names no data custodian and no data analyst"));
  jc_obj_reader_finish (&r);

  if (jc_problems_count (problems) != before)
    return NULL;
  return g_steal_pointer (&a);
}

JcCtsa *
jc_ctsa_from_json (JsonNode *node, GError **error)
{
  g_autoptr(JcProblems) problems = jc_problems_new ();
  JcCtsa *a = jc_ctsa_read (node, "", problems);

  if (!jc_problems_check (problems, _("The CTSA"), error))
    {
      jc_ctsa_free (a);
      return NULL;
    }
  return a;
}

gboolean
jc_ctsa_check_against (const JcCtsa *a, const JcCtsc *c, const guint8 ctsc_hash[JC_DOC_HASH_SIZE],
                       const char *path, JcProblems *problems)
{
  guint before = jc_problems_count (problems);
  g_autofree char *cpath = jc_path_member (path, "custodians");
  g_autofree char *apath = jc_path_member (path, "analysts");
  /* Key → spec, so that checking many grants costs one lookup each. */
  g_autoptr(GHashTable) inputs = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) outputs = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = c->inputs->len; i-- > 0;)
    {
      JcInputSpec *in = g_ptr_array_index (c->inputs, i);
      if (in->key != NULL)
        g_hash_table_insert (inputs, in->key, in);
    }
  for (guint i = c->outputs->len; i-- > 0;)
    {
      JcOutputSpec *out = g_ptr_array_index (c->outputs, i);
      if (out->key != NULL)
        g_hash_table_insert (outputs, out->key, out);
    }

  if (sodium_memcmp (a->ctsc_hash, ctsc_hash, JC_DOC_HASH_SIZE) != 0)
    {
      g_autofree char *hpath = jc_path_member (path, "ctsc_hash");
      g_autofree char *hex = jc_hex_encode (ctsc_hash, JC_DOC_HASH_SIZE);
      jc_problems_add (problems, hpath, _("does not match the CTSC (whose hash is %s)"), hex);
    }
  if (a->peer < 0 || a->peer >= (gint64) c->peers->len)
    {
      g_autofree char *ppath = jc_path_member (path, "peer");
      jc_problems_add (problems, ppath,
                       _("peer index %" PRId64 " is out of range (the CTSC has %u peers)"),
                       (int64_t) a->peer, c->peers->len);
      return FALSE;
    }

  for (guint i = 0; i < a->custodians->len; i++)
    {
      const JcPakGrant *g = g_ptr_array_index (a->custodians, i);
      g_autofree char *ipath = jc_path_index (cpath, i);
      g_autofree char *kpath = jc_path_member (ipath, "inputs");
      for (guint j = 0; j < g->keys->len; j++)
        {
          const char *key = g_ptr_array_index (g->keys, j);
          const JcInputSpec *in = g_hash_table_lookup (inputs, key);
          g_autofree char *jpath = jc_path_index (kpath, j);
          g_autofree char *q = jc_quote (key);
          if (in == NULL)
            jc_problems_add (problems, jpath, _("the CTSC has no input %s"), q);
          else if (in->peer.index != a->peer)
            jc_problems_add (problems, jpath, _("the input %s is supplied by another peer"), q);
        }
    }
  for (guint i = 0; i < a->analysts->len; i++)
    {
      const JcPakGrant *g = g_ptr_array_index (a->analysts, i);
      g_autofree char *ipath = jc_path_index (apath, i);
      g_autofree char *kpath = jc_path_member (ipath, "outputs");
      for (guint j = 0; j < g->keys->len; j++)
        {
          const char *key = g_ptr_array_index (g->keys, j);
          const JcOutputSpec *out = g_hash_table_lookup (outputs, key);
          g_autofree char *jpath = jc_path_index (kpath, j);
          g_autofree char *q = jc_quote (key);
          gboolean allowed = FALSE;

          if (out == NULL)
            {
              jc_problems_add (problems, jpath, _("the CTSC has no output %s"), q);
              continue;
            }
          for (guint k = 0; k < out->peers->len; k++)
            allowed |= g_array_index (out->peers, JcPeerRef, k).index == a->peer;
          if (!allowed)
            jc_problems_add (problems, jpath, _("the output %s is not for this peer"), q);
        }
    }
  return jc_problems_count (problems) == before;
}

static JsonNode *
grants_to_json (GPtrArray *grants, const char *keys_name)
{
  JsonArray *array = json_array_new ();

  for (guint i = 0; i < grants->len; i++)
    {
      const JcPakGrant *g = g_ptr_array_index (grants, i);
      JsonObject *o = json_object_new ();
      JsonArray *keys = json_array_new ();

      jc_add_base64url (o, "pak", g->pak);
      for (guint j = 0; j < g->keys->len; j++)
        json_array_add_string_element (keys, g_ptr_array_index (g->keys, j));
      json_object_set_array_member (o, keys_name, keys);
      json_array_add_object_element (array, o);
    }
  return jc_node_from_array (array);
}

JsonNode *
jc_ctsa_to_json (const JcCtsa *a)
{
  JsonObject *o = json_object_new ();
  JsonArray *signatories = json_array_new ();

  jc_add_header (o, "ctsa");
  jc_add_hex (o, "ctsc_hash", a->ctsc_hash, sizeof a->ctsc_hash);
  jc_add_int (o, "peer", a->peer);
  for (guint i = 0; i < a->signatories->len; i++)
    {
      const JcSignatory *s = g_ptr_array_index (a->signatories, i);
      JsonObject *so = json_object_new ();
      jc_add_string (so, "name", s->name);
      if (s->identification != NULL)
        json_object_set_member (so, "identification", jc_file_to_json (s->identification));
      json_array_add_object_element (signatories, so);
    }
  json_object_set_array_member (o, "signatories", signatories);
  json_object_set_member (o, "custodians", grants_to_json (a->custodians, "inputs"));
  json_object_set_member (o, "analysts", grants_to_json (a->analysts, "outputs"));
  return jc_node_from_object (o);
}

gboolean
jc_ctsa_hash (const JcCtsa *a, guint8 out[JC_DOC_HASH_SIZE])
{
  g_autoptr(JsonNode) node = jc_ctsa_to_json (a);

  return jc_doc_hash (node, out, NULL);
}

static void
render_grants (GString *out, guint indent, const char *heading, const char *what, GPtrArray *grants)
{
  jc_render_heading (out, indent, heading);
  for (guint i = 0; i < grants->len; i++)
    {
      const JcPakGrant *g = g_ptr_array_index (grants, i);
      gsize len;
      const guint8 *pak = g_bytes_get_data (g->pak, &len);
      g_autofree char *text = jc_base64url_encode (pak, len);
      g_autoptr(GString) keys = g_string_new (NULL);
      g_autofree char *label = g_strdup_printf ("[%u] PAK", i);

      for (guint j = 0; j < g->keys->len; j++)
        g_string_append_printf (keys, "%s%s", j ? ", " : "", (const char *) g_ptr_array_index (g->keys, j));
      jc_render_field (out, indent + 1, label, text);
      jc_render_field (out, indent + 2, what, keys->str);
    }
}

void
jc_ctsa_render_to (const JcCtsa *a, const JcCtsc *c, GString *out, guint indent)
{
  const JcParty *peer = c && a->peer >= 0 && a->peer < (gint64) c->peers->len
                        ? g_ptr_array_index (c->peers, a->peer) : NULL;

  jc_render_hash (out, indent, "CTSC hash", a->ctsc_hash);
  if (peer != NULL)
    jc_render_fieldf (out, indent, "Peer", "[%" G_GINT64_FORMAT "] %s", a->peer, peer->name);
  else
    jc_render_fieldf (out, indent, "Peer", "[%" G_GINT64_FORMAT "]", a->peer);
  jc_render_heading (out, indent, "Signatories:");
  for (guint i = 0; i < a->signatories->len; i++)
    {
      const JcSignatory *s = g_ptr_array_index (a->signatories, i);
      g_autofree char *label = g_strdup_printf ("[%u]", i);
      jc_render_field (out, indent + 1, label, s->name);
      if (s->identification != NULL)
        {
          jc_render_fieldf (out, indent + 2, "identification", "%s (%s)",
                            s->identification->name, s->identification->media_type);
          jc_render_bytes (out, indent + 3, "content", s->identification->content);
        }
    }
  render_grants (out, indent, "Data custodians:", "may upload inputs", a->custodians);
  render_grants (out, indent, "Data analysts:", "may download outputs", a->analysts);
}

char *
jc_ctsa_render (const JcCtsa *a)
{
  return jc_ctsa_render_for (a, NULL);
}

char *
jc_ctsa_render_for (const JcCtsa *a, const JcCtsc *c)
{
  GString *out = g_string_new (NULL);
  guint8 hash[JC_DOC_HASH_SIZE];

  jc_ctsa_hash (a, hash);
  jc_render_header (out, "Computation Task Specification Addendum (CTSA)", hash);
  if (c != NULL)
    {
      guint8 ctsc_hash[JC_DOC_HASH_SIZE];
      jc_ctsc_hash (c, ctsc_hash);
      jc_render_field (out, 0, "Belongs to the CTSC shown",
                       sodium_memcmp (ctsc_hash, a->ctsc_hash, sizeof ctsc_hash) == 0
                       ? "yes" : "NO: the CTSC hash differs");
      jc_render_field (out, 0, "Task title", c->title);
    }
  jc_ctsa_render_to (a, c, out, 0);
  return g_string_free (out, FALSE);
}
