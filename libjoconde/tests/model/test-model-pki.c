#define G_LOG_DOMAIN "joconde-test"
#include "config.h"

#include <string.h>

#include "jc-ca.h"
#include "jc-chain-fingerprint.h"
#include "jc-encoding.h"
#include "jc-error.h"
#include "jc-init.h"
#include "jc-model.h"
#include "jc-node-key.h"
#include "jc-time.h"

/* The model together with real keys and certificates: the fingerprint of a party is the
 * PKI's chain fingerprint, and a node signature made with a node key over a document's
 * hash survives writing and reading and verifies with the signer's certificate. */

typedef struct {
  JcNodeKey *root_key;
  JcCert    *root;
  JcNodeKey *node_key;
  JcCert    *node;
} Pki;

static void
pki_init (Pki *pki)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcNodeIdentity) root_id = jc_node_identity_new ("Eurostat", NULL, "so@example.org", "JOCONDE root CA");
  g_autoptr(JcNodeIdentity) node_id = jc_node_identity_new ("Statistics Office", "Methods", "nsi@example.org", "nsi");
  g_autoptr(JcCsr) csr = NULL;
  JcValidity validity;

  pki->root_key = jc_node_key_generate (&error);
  g_assert_no_error (error);
  jc_validity_init_root (&validity, jc_time_now ());
  pki->root = jc_ca_create_root (pki->root_key, root_id, &validity, &error);
  g_assert_no_error (error);
  pki->node_key = jc_node_key_generate (&error);
  g_assert_no_error (error);
  csr = jc_csr_new (pki->node_key, node_id, JC_ROLE_ORGANISER, &error);
  g_assert_no_error (error);
  jc_validity_init_months (&validity, jc_time_now (), JC_PKI_ACTIVE_MONTHS, JC_PKI_PASSIVE_MONTHS);
  pki->node = jc_ca_issue (pki->root_key, pki->root, csr, JC_ROLE_ORGANISER, &validity, &error);
  g_assert_no_error (error);
}

static void
pki_clear (Pki *pki)
{
  g_clear_object (&pki->root_key);
  g_clear_object (&pki->root);
  g_clear_object (&pki->node_key);
  g_clear_object (&pki->node);
}

static void
test_party_fingerprint_is_chain_fingerprint (void)
{
  Pki pki = { 0 };
  g_autoptr(JcParty) party = jc_party_new ();
  g_autoptr(GPtrArray) chain = g_ptr_array_new ();
  g_autofree char *digits = NULL, *sha256 = NULL, *hex = NULL, *mine = NULL;
  g_autoptr(JsonNode) json = NULL;
  g_autoptr(JcProblems) problems = jc_problems_new ();
  g_autoptr(JcParty) back = NULL;

  pki_init (&pki);
  g_ptr_array_add (chain, pki.node);
  g_ptr_array_add (chain, pki.root);
  party->name = g_strdup (jc_cert_get_name (pki.node));
  g_ptr_array_add (party->chain, jc_cert_get_der (pki.node));
  g_ptr_array_add (party->chain, jc_cert_get_der (pki.root));
  jc_party_compute_fingerprint (party);

  jc_chain_fingerprint (chain, NULL, &digits, &sha256);
  hex = jc_hex_encode (party->fingerprint, sizeof party->fingerprint);
  g_assert_cmpstr (hex, ==, sha256);
  mine = jc_party_fingerprint_digits (party);
  g_assert_cmpstr (mine, ==, digits);

  /* A real chain passes the model's checks and comes back equal. */
  json = jc_party_to_json (party);
  back = jc_party_read (json, "peers[0]", problems);
  g_assert_cmpuint (jc_problems_count (problems), ==, 0);
  g_assert_cmpmem (back->fingerprint, sizeof back->fingerprint, party->fingerprint, sizeof party->fingerprint);
  pki_clear (&pki);
}

static void
test_node_signature_verifies (void)
{
  Pki pki = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) ctsa = NULL;
  g_autoptr(JcNodeSignature) sig = jc_node_signature_new ();
  g_autoptr(JcNodeSignature) back = NULL;
  g_autoptr(JsonNode) json = NULL;
  g_autoptr(GBytes) canon = NULL;
  g_autoptr(JsonNode) reread = NULL;
  g_autoptr(GPtrArray) chain = g_ptr_array_new ();
  g_autofree char *sha256 = NULL;
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;
  gsize len;
  guint8 hash[JC_DOC_HASH_SIZE];

  pki_init (&pki);
  path = g_build_filename (g_getenv ("JC_SOURCE_ROOT") ? g_getenv ("JC_SOURCE_ROOT") : JC_SOURCE_ROOT,
                           "libjoconde", "tests", "model", "data", "ctsa.json", NULL);
  g_assert_true (g_file_get_contents (path, &text, &len, NULL));
  ctsa = jc_doc_parse (text, len, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (jc_doc_hash (ctsa, hash, &error));

  g_ptr_array_add (chain, pki.node);
  g_ptr_array_add (chain, pki.root);
  jc_chain_fingerprint (chain, NULL, NULL, &sha256);
  sig->signer.name = g_strdup ("nsi");
  g_assert_true (jc_hex_decode_into (sha256, sig->signer.fingerprint, JC_DOC_HASH_SIZE, NULL));
  memcpy (sig->document_hash, hash, sizeof hash);
  sig->signature = jc_node_key_sign_hash (pki.node_key, hash, sizeof hash, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (sig->signature), ==, JC_NODE_SIGNATURE_SIZE);

  /* Through the canonical text and back. */
  json = jc_node_signature_to_json (sig);
  canon = jc_doc_canonicalize (json, &error);
  g_assert_no_error (error);
  reread = jc_doc_parse_bytes (canon, NULL, &error);
  g_assert_no_error (error);
  back = jc_node_signature_from_json (reread, &error);
  g_assert_no_error (error);
  g_assert_true (jc_cert_verify_hash (pki.node, back->document_hash, JC_DOC_HASH_SIZE,
                                      g_bytes_get_data (back->signature, NULL),
                                      g_bytes_get_size (back->signature), &error));
  g_assert_no_error (error);

  /* A changed document no longer matches the signature. */
  hash[0] ^= 1;
  g_assert_false (jc_cert_verify_hash (pki.node, hash, JC_DOC_HASH_SIZE,
                                       g_bytes_get_data (back->signature, NULL),
                                       g_bytes_get_size (back->signature), &error));
  g_assert_nonnull (error);
  pki_clear (&pki);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_assert_true (jc_init (NULL));
  g_test_add_func ("/model/pki/party-fingerprint", test_party_fingerprint_is_chain_fingerprint);
  g_test_add_func ("/model/pki/node-signature", test_node_signature_verifies);
  return g_test_run ();
}
