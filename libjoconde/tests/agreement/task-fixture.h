/* A whole task made at test time, shared by the agreement tests and the guest tests:
 *   root CA
 *     └── so (relay, approver)
 *           ├── cp1, cp2, cp3 (cp)
 *           ├── nsi (organiser)        inputs: population       outputs: rates
 *           └── mno (organiser)        inputs: subscribers      outputs: rates
 * PAKs: nsi custodian, two mno custodians, two nsi analysts, one mno analyst.
 * The CTA is sealed by so. Deadlines are given in seconds from now. */
#pragma once

#include <glib.h>
#include <sodium.h>

#include "jc-agreement.h"
#include "jc-ca.h"
#include "jc-chain-fingerprint.h"
#include "jc-cert.h"
#include "jc-csr.h"
#include "jc-doc.h"
#include "jc-encoding.h"
#include "jc-error.h"
#include "jc-init.h"
#include "jc-model.h"
#include "jc-node-key.h"
#include "jc-secret.h"
#include "jc-time.h"
#include "jc-uuid.h"

enum { PAK_NSI_CUSTODIAN, PAK_MNO_CUSTODIAN, PAK_MNO_CUSTODIAN2, PAK_NSI_ANALYST,
       PAK_NSI_ANALYST2, PAK_MNO_ANALYST, PAK_STRANGER, N_PAKS };

typedef struct {
  gint64     now;
  JcNodeKey *root_key, *so_key, *cp_key[3], *nsi_key, *mno_key;
  JcCert    *root, *so, *cp[3], *nsi, *mno;
  JcSecret  *pak[N_PAKS];          /* libsodium Ed25519 secret keys (64 bytes) */
  guint8     pak_pub[N_PAKS][32];
  JcCta     *cta;
  GBytes    *cta_bytes;            /* the CTA document as a file holds it */
  guint8     cta_hash[JC_DOC_HASH_SIZE];
} Task;

static const char *task_algorithm =
  "OUTPUT rates AS\n"
  "  SELECT p.region AS region, COUNT(*) AS persons, SUM(s.active) AS subscribers\n"
  "  FROM population p JOIN subscribers s ON p.person_id = s.person_id\n"
  "  GROUP BY p.region;";

static JcNodeKey *
task_key (void)
{
  g_autoptr(GError) error = NULL;
  JcNodeKey *k = jc_node_key_generate (&error);
  g_assert_no_error (error);
  return k;
}

static JcCert *
task_issue (JcNodeKey *issuer_key, JcCert *issuer, JcNodeKey *key, const char *company,
            const char *name, JcRoles roles, gint64 now)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *email = g_strdup_printf ("joconde@%s.example.org", name);
  g_autoptr(JcNodeIdentity) id = jc_node_identity_new (company, NULL, email, name);
  g_autoptr(JcCsr) csr = jc_csr_new (key, id, roles, &error);
  JcValidity v;
  JcCert *cert;

  g_assert_no_error (error);
  jc_validity_init_months (&v, now, JC_PKI_ACTIVE_MONTHS, JC_PKI_PASSIVE_MONTHS);
  cert = jc_ca_issue (issuer_key, issuer, csr, roles, &v, &error);
  g_assert_no_error (error);
  return cert;
}

/* LEAF's chain up to the root: [leaf, so, root] (so's own: [so, root]). */
static GPtrArray *
task_chain (Task *t, JcCert *leaf)
{
  GPtrArray *chain = g_ptr_array_new_with_free_func (g_object_unref);
  g_ptr_array_add (chain, g_object_ref (leaf));
  if (leaf != t->so)
    g_ptr_array_add (chain, g_object_ref (t->so));
  g_ptr_array_add (chain, g_object_ref (t->root));
  return chain;
}

/* The chain fingerprint as 32 bytes, for signers. */
static void
task_fingerprint (Task *t, JcCert *leaf, guint8 out[32])
{
  g_autoptr(GPtrArray) chain = task_chain (t, leaf);
  g_autofree char *hex = NULL;
  jc_chain_fingerprint (chain, NULL, NULL, &hex);
  g_assert_true (jc_hex_decode_into (hex, out, 32, NULL));
}

static void
task_party_json (Task *t, GString *s, const char *name, JcCert *leaf)
{
  g_autoptr(GPtrArray) chain = task_chain (t, leaf);
  g_autofree char *fp = NULL;

  jc_chain_fingerprint (chain, NULL, NULL, &fp);
  g_string_append_printf (s, "{\"name\": \"%s\", \"chain\": [", name);
  for (guint i = 0; i < chain->len; i++)
    {
      g_autoptr(GBytes) d = jc_cert_get_der (g_ptr_array_index (chain, i));
      g_autofree char *b = jc_base64url_encode (g_bytes_get_data (d, NULL), g_bytes_get_size (d));
      g_string_append_printf (s, "%s\"%s\"", i ? ", " : "", b);
    }
  g_string_append_printf (s, "], \"fingerprint\": \"%s\"}", fp);
}

static char *
task_ctsc_json (Task *t, gint64 input_in, gint64 execution_in, gint64 output_in)
{
  GString *s = g_string_new (NULL);
  g_autofree char *approval = jc_time_format (t->now - 60);
  g_autofree char *input = jc_time_format (t->now + input_in);
  g_autofree char *execution = jc_time_format (t->now + execution_in);
  g_autofree char *output = jc_time_format (t->now + output_in);
  g_autofree char *algorithm = g_strescape (task_algorithm, NULL);

  g_string_append_printf (s,
    "{\"type\": \"ctsc\", \"version\": 1, \"title\": \"Subscription rates by region\","
    " \"description\": \"A test task.\", \"engine\": \"rss3-sh-z64\","
    " \"tee\": {\"platform\": \"sim\"},"
    " \"deadlines\": {\"approval\": \"%s\", \"input\": \"%s\", \"execution\": \"%s\", \"output\": \"%s\"},"
    " \"computing_parties\": [", approval, input, execution, output);
  for (int i = 0; i < 3; i++)
    {
      g_autofree char *name = g_strdup_printf ("cp%d", i + 1);
      if (i > 0)
        g_string_append (s, ", ");
      task_party_json (t, s, name, t->cp[i]);
    }
  g_string_append (s, "], \"peers\": [");
  task_party_json (t, s, "nsi", t->nsi);
  g_string_append (s, ", ");
  task_party_json (t, s, "mno", t->mno);
  g_string_append_printf (s, "],"
    " \"inputs\": ["
    "  {\"key\": \"population\", \"peer\": \"nsi\", \"schema\": ["
    "    {\"name\": \"person_id\", \"type\": \"ID\"},"
    "    {\"name\": \"region\", \"type\": \"CATEGORY\", \"codes\": [\"north\", \"south\"]},"
    "    {\"name\": \"age\", \"type\": \"INT\"}],"
    "   \"quality\": \"SELECT COUNT(*) AS violations FROM population WHERE age < 0 OR age > 120\"},"
    "  {\"key\": \"subscribers\", \"peer\": 1, \"schema\": ["
    "    {\"name\": \"person_id\", \"type\": \"ID\"},"
    "    {\"name\": \"active\", \"type\": \"BOOL\"}]}],"
    " \"outputs\": [{\"key\": \"rates\", \"peers\": [0, 1], \"schema\": ["
    "    {\"name\": \"region\", \"type\": \"CATEGORY\", \"codes\": [\"north\", \"south\"]},"
    "    {\"name\": \"persons\", \"type\": \"INT\"},"
    "    {\"name\": \"subscribers\", \"type\": \"INT\"}]}],"
    " \"algorithm\": \"%s\", \"attachments\": []}", algorithm);
  return g_string_free (s, FALSE);
}

static char *
task_pak_b64 (Task *t, int i)
{
  return jc_base64url_encode (t->pak_pub[i], 32);
}

static char *
task_ctsa_json (Task *t, const guint8 ctsc_hash[JC_DOC_HASH_SIZE], int peer)
{
  g_autofree char *hash = jc_hex_encode (ctsc_hash, JC_DOC_HASH_SIZE);
  g_autofree char *c = task_pak_b64 (t, peer == 0 ? PAK_NSI_CUSTODIAN : PAK_MNO_CUSTODIAN);
  g_autofree char *a1 = task_pak_b64 (t, peer == 0 ? PAK_NSI_ANALYST : PAK_MNO_ANALYST);
  g_autofree char *a2 = task_pak_b64 (t, PAK_NSI_ANALYST2);
  g_autofree char *c2 = task_pak_b64 (t, PAK_MNO_CUSTODIAN2);
  g_autofree char *second = peer == 1
    ? g_strdup_printf (", {\"pak\": \"%s\", \"inputs\": [\"subscribers\"]}", c2) : g_strdup ("");

  return g_strdup_printf (
    "{\"type\": \"ctsa\", \"version\": 1, \"ctsc_hash\": \"%s\", \"peer\": %d,"
    " \"signatories\": [{\"name\": \"Director %d\"}],"
    " \"custodians\": [{\"pak\": \"%s\", \"inputs\": [\"%s\"]}%s],"
    " \"analysts\": [{\"pak\": \"%s\", \"outputs\": [\"rates\"]}%s%s%s]}",
    hash, peer, peer, c, peer == 0 ? "population" : "subscribers", second, a1,
    peer == 0 ? ", {\"pak\": \"" : "", peer == 0 ? a2 : "",
    peer == 0 ? "\", \"outputs\": [\"rates\"]}" : "");
}

static JsonNode *
task_parse (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = jc_doc_parse (text, strlen (text), NULL, &error);
  g_assert_no_error (error);
  return node;
}

/* Builds the CTA (not sealed: approval NULL) into t->cta. */
static void
task_build_cta (Task *t, gint64 input_in, gint64 execution_in, gint64 output_in)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *ctsc_text = task_ctsc_json (t, input_in, execution_in, output_in);
  g_autoptr(JsonNode) ctsc_node = task_parse (ctsc_text);
  guint8 ctsc_hash[JC_DOC_HASH_SIZE];
  g_autofree char *uuid = jc_uuid_new_v4 ();

  t->cta = jc_cta_new ();
  g_strlcpy (t->cta->task_id, uuid, sizeof t->cta->task_id);
  t->cta->ctsc = jc_ctsc_from_json (ctsc_node, &error);
  g_assert_no_error (error);
  jc_ctsc_hash (t->cta->ctsc, ctsc_hash);
  for (int peer = 0; peer < 2; peer++)
    {
      g_autofree char *text = task_ctsa_json (t, ctsc_hash, peer);
      g_autoptr(JsonNode) node = task_parse (text);
      JcCtsa *ctsa = jc_ctsa_from_json (node, &error);
      guint8 h[JC_DOC_HASH_SIZE];
      JcSignatorySignature *ss = jc_signatory_signature_new ();
      g_autoptr(GBytes) scan = g_bytes_new_static ("signed sheet", 12);

      g_assert_no_error (error);
      jc_ctsa_hash (ctsa, h);
      g_ptr_array_add (t->cta->ctsas, ctsa);
      g_autoptr(GPtrArray) chain = task_chain (t, peer == 0 ? t->nsi : t->mno);

      g_ptr_array_add (t->cta->node_signatures,
                       jc_agreement_sign (peer == 0 ? t->nsi_key : t->mno_key, chain,
                                          peer == 0 ? "nsi" : "mno", h, &error));
      g_assert_no_error (error);
      memcpy (ss->ctsa_hash, h, sizeof h);
      ss->signatory = 0;
      ss->file = jc_file_new ("sheet.pdf", "application/pdf", scan);
      g_ptr_array_add (t->cta->signatory_signatures, ss);
    }
}

/* Seals t->cta and keeps its document form and hash. */
static void
task_seal (Task *t)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *text = NULL;

  g_autoptr(GPtrArray) so_chain = task_chain (t, t->so);

  jc_agreement_seal (t->cta, t->so_key, so_chain, "so", &error);
  g_assert_no_error (error);
  node = jc_cta_to_json (t->cta);
  text = json_to_string (node, FALSE);
  g_clear_pointer (&t->cta_bytes, g_bytes_unref);
  gsize len = strlen (text);
  t->cta_bytes = g_bytes_new_take (g_steal_pointer (&text), len);
  jc_doc_hash (node, t->cta_hash, &error);
  g_assert_no_error (error);
}

static void
task_init (Task *t, gint64 input_in, gint64 execution_in, gint64 output_in)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcNodeIdentity) rid = jc_node_identity_new ("Statistics Office", NULL,
                                                        "pki@so.example.org", "root CA");
  JcValidity v;

  memset (t, 0, sizeof *t);
  g_assert_true (jc_init (&error));
  t->now = jc_time_now ();
  t->root_key = task_key ();
  t->so_key = task_key ();
  t->nsi_key = task_key ();
  t->mno_key = task_key ();
  jc_validity_init_root (&v, t->now);
  t->root = jc_ca_create_root (t->root_key, rid, &v, &error);
  g_assert_no_error (error);
  t->so = task_issue (t->root_key, t->root, t->so_key, "Statistics Office", "so",
                      JC_ROLE_RELAY | JC_ROLE_APPROVER, t->now);
  for (int i = 0; i < 3; i++)
    {
      g_autofree char *name = g_strdup_printf ("cp%d", i + 1);
      t->cp_key[i] = task_key ();
      t->cp[i] = task_issue (t->so_key, t->so, t->cp_key[i], "Computing Party", name,
                             JC_ROLE_CP, t->now);
    }
  t->nsi = task_issue (t->so_key, t->so, t->nsi_key, "Statistics Institute", "nsi",
                       JC_ROLE_ORGANISER, t->now);
  t->mno = task_issue (t->so_key, t->so, t->mno_key, "Mobile Operator", "mno",
                       JC_ROLE_ORGANISER, t->now);
  for (int i = 0; i < N_PAKS; i++)
    {
      t->pak[i] = jc_secret_new (crypto_sign_SECRETKEYBYTES);
      crypto_sign_keypair (t->pak_pub[i], t->pak[i]->data);
    }
  task_build_cta (t, input_in, execution_in, output_in);
  task_seal (t);
}

G_GNUC_UNUSED static void
task_trust (Task *t, JcAgreementTrust *trust)
{
  memset (trust, 0, sizeof *trust);
  trust->root = g_object_ref (t->root);
  trust->approver = g_ptr_array_new_with_free_func (g_object_unref);
  g_ptr_array_add (trust->approver, g_object_ref (t->so));
  trust->at = jc_time_now ();
}

static void
task_clear (Task *t)
{
  g_clear_object (&t->root_key);
  g_clear_object (&t->so_key);
  g_clear_object (&t->nsi_key);
  g_clear_object (&t->mno_key);
  g_clear_object (&t->root);
  g_clear_object (&t->so);
  g_clear_object (&t->nsi);
  g_clear_object (&t->mno);
  for (int i = 0; i < 3; i++)
    {
      g_clear_object (&t->cp_key[i]);
      g_clear_object (&t->cp[i]);
    }
  for (int i = 0; i < N_PAKS; i++)
    g_clear_pointer (&t->pak[i], jc_secret_free);
  g_clear_pointer (&t->cta, jc_cta_free);
  g_clear_pointer (&t->cta_bytes, g_bytes_unref);
}
