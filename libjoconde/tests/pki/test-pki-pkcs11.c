#define G_LOG_DOMAIN "joconde-test"
#include "config.h"

/* The root CA key lives in a PKCS#11 token (SoftHSM2 here), as spec §4.4.2 recommends:
 * it makes the root certificate, issues the SO relay's certificate and signs a CRL. */
#include <string.h>

#include "jc-crl.h"
#include "../keys/softhsm-fixture.h"
#include "pki-fixture.h"

static SoftHsmFixture hsm;

static void
test_root_in_token (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcNodeKey) root_key = NULL;
  g_autoptr(JcNodeKey) so_key = tree_key ();
  g_autoptr(JcNodeKey) leaf_key = tree_key ();
  g_autoptr(JcCert) root = NULL, so = NULL, leaf = NULL;
  g_autoptr(JcCrl) crl = NULL;
  g_autoptr(JcRevocations) rev = jc_revocations_new ();
  g_autoptr(GPtrArray) chain = NULL;
  g_autofree char *dir = test_tmpdir_new ("jc-pki-XXXXXX");
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  JcValidity v;

  root_key = jc_node_key_open_pkcs11 (hsm.key_uri, SOFTHSM_PIN, &error);
  g_assert_no_error (error);
  g_assert_nonnull (jc_node_key_get_pkcs11_uri (root_key));
  root = tree_root (root_key, "HSM JOCONDE root CA", now);
  g_assert_true (jc_cert_is_self_signed (root));
  g_assert_cmpstr (jc_cert_get_key_id (root), ==, jc_node_key_get_id (root_key));

  jc_validity_init_months (&v, now, 6, 18);
  so = tree_issue (root_key, root, so_key, "Statistics Office", NULL, "relay@so.example.org",
                   "so-relay", JC_ROLE_RELAY | JC_ROLE_APPROVER, &v);
  leaf = tree_issue (so_key, so, leaf_key, "Bank A", NULL, "joconde@bank-a.example", "desk",
                     JC_ROLE_ORGANISER, &v);
  chain = chain_of (leaf, so, NULL);
  g_assert_cmpint (jc_chain_verify (chain, root, now, NULL, JC_ROLE_ORGANISER, &error), ==, JC_CHAIN_OK);
  g_assert_no_error (error);

  /* OpenSSL agrees. */
  {
    g_autofree char *root_pem = jc_cert_to_pem (root);
    g_autofree char *so_pem = jc_cert_to_pem (so);
    g_autofree char *leaf_pem = jc_cert_to_pem (leaf);
    g_autofree char *root_path = g_build_filename (dir, "root.pem", NULL);
    g_autofree char *so_path = g_build_filename (dir, "so.pem", NULL);
    g_autofree char *leaf_path = g_build_filename (dir, "leaf.pem", NULL);
    const char *argv[] = { "openssl", "verify", "-CAfile", root_path, "-untrusted", so_path,
                           leaf_path, NULL };
    int status = -1;

    g_file_set_contents (root_path, root_pem, -1, NULL);
    g_file_set_contents (so_path, so_pem, -1, NULL);
    g_file_set_contents (leaf_path, leaf_pem, -1, NULL);
    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                  NULL, NULL, NULL, NULL, &status, &error);
    g_assert_no_error (error);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
  }

  /* The token's key signs a CRL revoking the SO relay; the chain is then refused. */
  {
    JcCrlEntry e[] = { { jc_cert_get_serial (so), now - 1 } };
    crl = jc_crl_new_signed (root_key, root, e, 1, now - 1, now + 86400, 1, &error);
    g_assert_no_error (error);
  }
  g_assert_true (jc_crl_verify (crl, root, &error));
  jc_revocations_add_crl (rev, crl);
  g_assert_cmpint (jc_chain_verify (chain, root, now, rev, 0, &error), ==, JC_CHAIN_REVOKED);
  g_assert_error (error, JC_ERROR, JC_ERROR_REVOKED);
  test_tmpdir_remove (dir);
}

int
main (int argc, char **argv)
{
  int rc;

  g_test_init (&argc, &argv, NULL);
  softhsm_fixture_setup (&hsm, "root-ca");
  g_assert_true (jc_init (NULL));
  g_test_add_func ("/pki/pkcs11/root-in-token", test_root_in_token);
  rc = g_test_run ();
  softhsm_fixture_teardown (&hsm);
  return rc;
}
