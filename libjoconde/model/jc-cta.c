#define G_LOG_DOMAIN "joconde-model"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <sodium.h>
#include <string.h>

#include "jc-cta.h"
#include "jc-encoding.h"
#include "jc-model-read-private.h"
#include "jc-model-render-private.h"

#define JC_CTA_MAX_ENTRIES 4096

JcCta *
jc_cta_new (void)
{
  JcCta *cta = g_new0 (JcCta, 1);

  cta->ctsas = g_ptr_array_new_with_free_func ((GDestroyNotify) jc_ctsa_free);
  cta->node_signatures = g_ptr_array_new_with_free_func ((GDestroyNotify) jc_node_signature_free);
  cta->signatory_signatures = g_ptr_array_new_with_free_func ((GDestroyNotify) jc_signatory_signature_free);
  return cta;
}

void
jc_cta_free (JcCta *cta)
{
  if (cta == NULL)
    return;
  jc_ctsc_free (cta->ctsc);
  g_ptr_array_unref (cta->ctsas);
  g_ptr_array_unref (cta->node_signatures);
  g_ptr_array_unref (cta->signatory_signatures);
  jc_node_signature_free (cta->approval);
  g_free (cta);
}

static gpointer
read_ctsa (JsonNode *node, const char *path, JcProblems *problems)
{
  return jc_ctsa_read (node, path, problems);
}

static gpointer
read_node_signature (JsonNode *node, const char *path, JcProblems *problems)
{
  return jc_node_signature_read (node, path, problems);
}

static gpointer
read_signatory_signature (JsonNode *node, const char *path, JcProblems *problems)
{
  return jc_signatory_signature_read (node, path, problems);
}

/* The set of every key granted by GRANTS. */
static GHashTable *
granted_keys (GPtrArray *grants)
{
  GHashTable *keys = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; grants != NULL && i < grants->len; i++)
    {
      const JcPakGrant *g = g_ptr_array_index (grants, i);
      for (guint j = 0; j < g->keys->len; j++)
        g_hash_table_add (keys, g_ptr_array_index (g->keys, j));
    }
  return keys;
}

/* The checks that tie the parts of a CTA together; PATH is the CTA's own path. Called
 * when the CTSC could be read; parts that could not be read are NULL and left out (their
 * own problems are reported already). COMPLETE says everything was read without a
 * problem, which the checks over the whole CTA need. */
static void
cross_check (JcCta *cta, const char *path, gboolean complete, JcProblems *problems)
{
  const JcCtsc *c = cta->ctsc;
  guint8 ctsc_hash[JC_DOC_HASH_SIZE];
  guint n = cta->ctsas->len;
  g_autofree guint8 *hashes = g_malloc0 ((gsize) (n + 1) * JC_DOC_HASH_SIZE);
  g_autofree gint *ctsa_of_peer = g_new (gint, c->peers->len + 1);
  g_autofree gboolean *node_signed = g_new0 (gboolean, n + 1);
  g_autofree gboolean *signatory_signed = g_new0 (gboolean, n + 1);
  g_autofree char *ctsas_path = jc_path_member (path, "ctsas");
  g_autofree char *ns_path = jc_path_member (path, "node_signatures");
  g_autofree char *ss_path = jc_path_member (path, "signatory_signatures");

  jc_ctsc_hash (c, ctsc_hash);
  for (guint p = 0; p < c->peers->len; p++)
    ctsa_of_peer[p] = -1;

  for (guint i = 0; i < n; i++)
    {
      const JcCtsa *a = g_ptr_array_index (cta->ctsas, i);
      g_autofree char *ipath = jc_path_index (ctsas_path, i);

      if (a == NULL)
        continue;
      jc_ctsa_hash (a, (hashes + (gsize) i * JC_DOC_HASH_SIZE));
      jc_ctsa_check_against (a, c, ctsc_hash, ipath, problems);
      if (a->peer < 0 || a->peer >= (gint64) c->peers->len)
        continue;
      if (ctsa_of_peer[a->peer] >= 0)
        {
          g_autofree char *ppath = jc_path_member (ipath, "peer");
          jc_problems_add (problems, ppath, _("this peer already has an addendum (ctsas[%d])"),
                           ctsa_of_peer[a->peer]);
          continue;
        }
      ctsa_of_peer[a->peer] = (gint) i;
    }
  for (guint p = 0; p < c->peers->len && complete; p++)
    if (ctsa_of_peer[p] < 0)
      {
        const JcParty *peer = g_ptr_array_index (c->peers, p);
        g_autofree char *q = jc_quote (peer->name);
        jc_problems_add (problems, ctsas_path, _("peer [%u] %s has no addendum"), p, q);
      }

  for (guint k = 0; k < cta->node_signatures->len; k++)
    {
      const JcNodeSignature *sig = g_ptr_array_index (cta->node_signatures, k);
      g_autofree char *kpath = jc_path_index (ns_path, k);
      g_autofree char *spath = jc_path_member (kpath, "signer");
      const JcParty *expected = NULL;
      gint covers = -1;

      if (sig == NULL)
        continue;
      if (sodium_memcmp (sig->document_hash, ctsc_hash, JC_DOC_HASH_SIZE) == 0)
        {
          /* A signature over the CTSC is by one of its peers (the organiser). */
          for (guint p = 0; p < c->peers->len && expected == NULL; p++)
            {
              const JcParty *peer = g_ptr_array_index (c->peers, p);
              if (sodium_memcmp (peer->fingerprint, sig->signer.fingerprint, JC_DOC_HASH_SIZE) == 0)
                expected = peer;
            }
          if (expected == NULL)
            jc_problems_add (problems, spath, _("the CTSC is signed by a node that is not one of its peers"));
          continue;
        }
      for (guint i = 0; i < n && covers < 0; i++)
        if (g_ptr_array_index (cta->ctsas, i) != NULL &&
            sodium_memcmp (sig->document_hash, (hashes + (gsize) i * JC_DOC_HASH_SIZE), JC_DOC_HASH_SIZE) == 0)
          covers = (gint) i;
      if (covers < 0)
        {
          g_autofree char *hpath = jc_path_member (kpath, "document_hash");
          if (complete)
            jc_problems_add (problems, hpath, _("matches neither the CTSC nor any CTSA of this CTA"));
          continue;
        }
      {
        const JcCtsa *a = g_ptr_array_index (cta->ctsas, covers);
        if (a->peer < 0 || a->peer >= (gint64) c->peers->len)
          continue;
        expected = g_ptr_array_index (c->peers, a->peer);
        if (sodium_memcmp (expected->fingerprint, sig->signer.fingerprint, JC_DOC_HASH_SIZE) != 0 ||
            g_strcmp0 (expected->name, sig->signer.name) != 0)
          {
            g_autofree char *q = jc_quote (expected->name);
            jc_problems_add (problems, spath,
                             _("ctsas[%d] must be signed by its peer %s (name and certificate fingerprint as in the CTSC)"),
                             covers, q);
          }
        else
          node_signed[covers] = TRUE;
      }
    }

  for (guint k = 0; k < cta->signatory_signatures->len; k++)
    {
      const JcSignatorySignature *sig = g_ptr_array_index (cta->signatory_signatures, k);
      g_autofree char *kpath = jc_path_index (ss_path, k);
      gint covers = -1;

      if (sig == NULL)
        continue;
      for (guint i = 0; i < n && covers < 0; i++)
        if (g_ptr_array_index (cta->ctsas, i) != NULL &&
            sodium_memcmp (sig->ctsa_hash, (hashes + (gsize) i * JC_DOC_HASH_SIZE), JC_DOC_HASH_SIZE) == 0)
          covers = (gint) i;
      if (covers < 0)
        {
          g_autofree char *hpath = jc_path_member (kpath, "ctsa_hash");
          if (complete)
            jc_problems_add (problems, hpath, _("matches no CTSA of this CTA"));
          continue;
        }
      {
        const JcCtsa *a = g_ptr_array_index (cta->ctsas, covers);
        if (sig->signatory >= (gint64) a->signatories->len)
          {
            g_autofree char *ipath = jc_path_member (kpath, "signatory");
            jc_problems_add (problems, ipath,
                             _("signatory index %" PRId64 " is out of range (ctsas[%d] has %u signatories)"),
                             (int64_t) sig->signatory, covers, a->signatories->len);
            continue;
          }
        signatory_signed[covers] = TRUE;
      }
    }

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *ipath = jc_path_index (ctsas_path, i);
      if (g_ptr_array_index (cta->ctsas, i) == NULL || !complete)
        continue;
      if (!node_signed[i])
        jc_problems_add (problems, ipath, _("has no node signature of its peer"));
      if (!signatory_signed[i])
        jc_problems_add (problems, ipath, _("has no signature of any of its signatories"));
    }

  /* Every input needs someone to upload it, every output someone of each of its peers to
   * retrieve it: otherwise the task could never finish. */
  g_autoptr(GPtrArray) uploads = g_ptr_array_new_with_free_func ((GDestroyNotify) g_hash_table_unref);
  g_autoptr(GPtrArray) downloads = g_ptr_array_new_with_free_func ((GDestroyNotify) g_hash_table_unref);

  for (guint i = 0; i < n; i++)
    {
      const JcCtsa *a = g_ptr_array_index (cta->ctsas, i);
      g_ptr_array_add (uploads, granted_keys (a ? a->custodians : NULL));
      g_ptr_array_add (downloads, granted_keys (a ? a->analysts : NULL));
    }
  for (guint i = 0; i < c->inputs->len; i++)
    {
      const JcInputSpec *in = g_ptr_array_index (c->inputs, i);
      gint a = in->peer.index >= 0 ? ctsa_of_peer[in->peer.index] : -1;
      if (a >= 0 && !g_hash_table_contains (g_ptr_array_index (uploads, a), in->key))
        {
          g_autofree char *apath = jc_path_index (ctsas_path, (guint) a);
          g_autofree char *cpath = jc_path_member (apath, "custodians");
          g_autofree char *q = jc_quote (in->key);
          jc_problems_add (problems, cpath, _("no data custodian may upload the input %s"), q);
        }
    }
  for (guint i = 0; i < c->outputs->len; i++)
    {
      const JcOutputSpec *out = g_ptr_array_index (c->outputs, i);
      for (guint j = 0; j < out->peers->len; j++)
        {
          gint64 p = g_array_index (out->peers, JcPeerRef, j).index;
          gint a = p >= 0 ? ctsa_of_peer[p] : -1;
          if (a >= 0 && !g_hash_table_contains (g_ptr_array_index (downloads, a), out->key))
            {
              g_autofree char *apath = jc_path_index (ctsas_path, (guint) a);
              g_autofree char *cpath = jc_path_member (apath, "analysts");
              g_autofree char *q = jc_quote (out->key);
              jc_problems_add (problems, cpath, _("no data analyst may download the output %s"), q);
            }
        }
    }

  if (complete)
    {
      guint8 body[JC_DOC_HASH_SIZE];
      jc_cta_body_hash (cta, body);
      if (sodium_memcmp (body, cta->approval->document_hash, JC_DOC_HASH_SIZE) != 0)
        {
          g_autofree char *apath = jc_path_member (path, "approval");
          g_autofree char *hpath = jc_path_member (apath, "document_hash");
          g_autofree char *hex = jc_hex_encode (body, sizeof body);
          jc_problems_add (problems, hpath,
                           _("does not match the CTA without its approval (whose hash is %s)"), hex);
        }
    }
}

JcCta *
jc_cta_read (JsonNode *node, const char *path, JcProblems *problems)
{
  g_autoptr(JcCta) cta = jc_cta_new ();
  guint before = jc_problems_count (problems);
  g_autofree char *task = NULL;
  JcObjReader r;
  JsonNode *member;

  if (!jc_obj_reader_init (&r, node, path, problems))
    {
      jc_obj_reader_finish (&r);
      return NULL;
    }
  jc_obj_header (&r, "cta");
  if ((task = jc_obj_uuid (&r, "task_id")) != NULL)
    g_strlcpy (cta->task_id, task, sizeof cta->task_id);
  if ((member = jc_obj_member (&r, "ctsc", TRUE)) != NULL)
    {
      g_autofree char *cpath = jc_path_member (r.path, "ctsc");
      cta->ctsc = jc_ctsc_read (member, cpath, problems);
    }
  jc_obj_items (&r, "ctsas", 1, JC_CTA_MAX_ENTRIES, read_ctsa, TRUE, cta->ctsas);
  jc_obj_items (&r, "node_signatures", 1, JC_CTA_MAX_ENTRIES, read_node_signature, TRUE,
                cta->node_signatures);
  jc_obj_items (&r, "signatory_signatures", 1, JC_CTA_MAX_ENTRIES, read_signatory_signature, TRUE,
                cta->signatory_signatures);
  if ((member = jc_obj_member (&r, "approval", TRUE)) != NULL)
    {
      g_autofree char *apath = jc_path_member (r.path, "approval");
      cta->approval = jc_node_signature_read (member, apath, problems);
    }
  if (cta->ctsc != NULL)
    cross_check (cta, r.path, jc_problems_count (problems) == before, problems);
  jc_obj_reader_finish (&r);

  if (jc_problems_count (problems) != before)
    return NULL;
  return g_steal_pointer (&cta);
}

JcCta *
jc_cta_from_json (JsonNode *node, GError **error)
{
  g_autoptr(JcProblems) problems = jc_problems_new ();
  JcCta *cta = jc_cta_read (node, "", problems);

  if (!jc_problems_check (problems, _("The CTA"), error))
    {
      jc_cta_free (cta);
      return NULL;
    }
  return cta;
}

static JsonObject *
body_to_object (const JcCta *cta)
{
  JsonObject *o = json_object_new ();
  JsonArray *ctsas = json_array_new ();
  JsonArray *ns = json_array_new ();
  JsonArray *ss = json_array_new ();

  jc_add_header (o, "cta");
  jc_add_string (o, "task_id", cta->task_id);
  json_object_set_member (o, "ctsc", cta->ctsc ? jc_ctsc_to_json (cta->ctsc) : json_node_new (JSON_NODE_NULL));
  for (guint i = 0; i < cta->ctsas->len; i++)
    json_array_add_element (ctsas, jc_ctsa_to_json (g_ptr_array_index (cta->ctsas, i)));
  json_object_set_array_member (o, "ctsas", ctsas);
  for (guint i = 0; i < cta->node_signatures->len; i++)
    json_array_add_element (ns, jc_node_signature_to_json (g_ptr_array_index (cta->node_signatures, i)));
  json_object_set_array_member (o, "node_signatures", ns);
  for (guint i = 0; i < cta->signatory_signatures->len; i++)
    json_array_add_element (ss, jc_signatory_signature_to_json (g_ptr_array_index (cta->signatory_signatures, i)));
  json_object_set_array_member (o, "signatory_signatures", ss);
  return o;
}

JsonNode *
jc_cta_to_json (const JcCta *cta)
{
  JsonObject *o = body_to_object (cta);

  json_object_set_member (o, "approval", cta->approval ? jc_node_signature_to_json (cta->approval)
                                                      : json_node_new (JSON_NODE_NULL));
  return jc_node_from_object (o);
}

gboolean
jc_cta_body_hash (const JcCta *cta, guint8 out[JC_DOC_HASH_SIZE])
{
  g_autoptr(JsonNode) node = jc_node_from_object (body_to_object (cta));

  return jc_doc_hash (node, out, NULL);
}

gboolean
jc_cta_hash (const JcCta *cta, guint8 out[JC_DOC_HASH_SIZE])
{
  g_autoptr(JsonNode) node = jc_cta_to_json (cta);

  return jc_doc_hash (node, out, NULL);
}

const JcCtsa *
jc_cta_find_ctsa (const JcCta *cta, gint64 peer)
{
  for (guint i = 0; i < cta->ctsas->len; i++)
    {
      const JcCtsa *a = g_ptr_array_index (cta->ctsas, i);
      if (a != NULL && a->peer == peer)
        return a;
    }
  return NULL;
}

char *
jc_cta_render (const JcCta *cta)
{
  GString *out = g_string_new (NULL);
  guint8 hash[JC_DOC_HASH_SIZE];

  jc_cta_hash (cta, hash);
  jc_render_header (out, "Computation Task Agreement (CTA)", hash);
  jc_render_field (out, 0, "Task", cta->task_id);
  jc_ctsc_hash (cta->ctsc, hash);
  jc_render_heading (out, 0, "CTSC:");
  jc_render_hash (out, 1, "CTSC hash", hash);
  jc_ctsc_render_to (cta->ctsc, out, 1);
  for (guint i = 0; i < cta->ctsas->len; i++)
    {
      const JcCtsa *a = g_ptr_array_index (cta->ctsas, i);
      g_autofree char *heading = g_strdup_printf ("CTSA [%u]:", i);
      jc_ctsa_hash (a, hash);
      jc_render_heading (out, 0, heading);
      jc_render_hash (out, 1, "CTSA hash", hash);
      jc_ctsa_render_to (a, cta->ctsc, out, 1);
    }
  for (guint i = 0; i < cta->node_signatures->len; i++)
    {
      g_autofree char *heading = g_strdup_printf ("Node signature [%u]:", i);
      jc_render_heading (out, 0, heading);
      jc_node_signature_render_to (g_ptr_array_index (cta->node_signatures, i), out, 1);
    }
  for (guint i = 0; i < cta->signatory_signatures->len; i++)
    {
      const JcSignatorySignature *sig = g_ptr_array_index (cta->signatory_signatures, i);
      g_autofree char *heading = g_strdup_printf ("Signatory signature [%u]:", i);

      jc_render_heading (out, 0, heading);
      jc_signatory_signature_render_to (sig, out, 1);
      /* Name the signatory from the CTSA it signs, which a valid CTA always holds. */
      for (guint j = 0; j < cta->ctsas->len; j++)
        {
          const JcCtsa *a = g_ptr_array_index (cta->ctsas, j);
          jc_ctsa_hash (a, hash);
          if (memcmp (hash, sig->ctsa_hash, sizeof hash) == 0 && sig->signatory < (gint64) a->signatories->len)
            {
              const JcSignatory *who = g_ptr_array_index (a->signatories, sig->signatory);
              g_autofree char *label = g_strdup_printf ("CTSA [%u], signatory [%" G_GINT64_FORMAT "]", j, sig->signatory);
              jc_render_field (out, 1, label, who->name);
              break;
            }
        }
    }
  jc_render_heading (out, 0, "SO approval:");
  jc_node_signature_render_to (cta->approval, out, 1);
  return g_string_free (out, FALSE);
}
