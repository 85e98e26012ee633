#define G_LOG_DOMAIN "joconde-test"
#include "config.h"

#include <gnutls/crypto.h>
#include <string.h>

#include "jc-error.h"
#include "jc-init.h"
#include "jc-node-key.h"
#include "softhsm-fixture.h"

static SoftHsmFixture hsm;

static void
test_pkcs11_sign (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcNodeKey) key = jc_node_key_open_pkcs11 (hsm.key_uri, SOFTHSM_PIN, &error);
  g_autoptr(GBytes) sig = NULL;
  g_autoptr(GBytes) sig2 = NULL;
  guint8 h[32];

  g_assert_no_error (error);
  g_assert_cmpstr (jc_node_key_get_pkcs11_uri (key), ==, hsm.key_uri);
  gnutls_hash_fast (GNUTLS_DIG_SHA256, "CTSA", 4, h);
  sig = jc_node_key_sign_hash (key, h, 32, &error);
  g_assert_no_error (error);
  g_assert_true (jc_node_signature_verify (jc_node_key_get_pubkey (key), h, 32,
                                           g_bytes_get_data (sig, NULL), 64, &error));
  g_assert_no_error (error);
  /* ECDSA is randomised: a second signature differs and verifies too. */
  sig2 = jc_node_key_sign_hash (key, h, 32, &error);
  g_assert_false (g_bytes_equal (sig, sig2));
  g_assert_true (jc_node_signature_verify (jc_node_key_get_pubkey (key), h, 32,
                                           g_bytes_get_data (sig2, NULL), 64, &error));
  h[0] ^= 1;
  g_assert_false (jc_node_signature_verify (jc_node_key_get_pubkey (key), h, 32,
                                            g_bytes_get_data (sig, NULL), 64, &error));
  g_assert_error (error, JC_ERROR, JC_ERROR_BAD_SIGNATURE);
  g_clear_error (&error);
  /* The same key through the configuration-style opener. */
  {
    g_autoptr(JcNodeKey) same = jc_node_key_open (hsm.key_uri, SOFTHSM_PIN, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (jc_node_key_get_id (same), ==, jc_node_key_get_id (key));
  }
  /* The key never leaves the token. */
  g_assert_false (jc_node_key_save_file (key, "/nonexistent/x", NULL, &error));
  g_assert_error (error, JC_ERROR, JC_ERROR_STATE);
}

static void
test_pkcs11_refusals (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcNodeKey) key = NULL;

  key = jc_node_key_open_pkcs11 ("pkcs11:token=" SOFTHSM_TOKEN ";object=nosuchkey;type=private",
                                 SOFTHSM_PIN, &error);
  g_assert_null (key);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "nosuchkey"));
  g_clear_error (&error);
  key = jc_node_key_open_pkcs11 ("/etc/passwd", NULL, &error);
  g_assert_null (key);
  g_assert_error (error, JC_ERROR, JC_ERROR_INVALID);
  g_clear_error (&error);
  /* A wrong PIN cannot open the private key. */
  key = jc_node_key_open_pkcs11 (hsm.key_uri, "9999", &error);
  g_assert_null (key);
  g_assert_error (error, JC_ERROR, JC_ERROR_DENIED);
  g_clear_error (&error);
  key = jc_node_key_open_pkcs11 (hsm.key_uri, NULL, &error);
  g_assert_null (key);
  g_assert_error (error, JC_ERROR, JC_ERROR_DENIED);
}

static void
test_pkcs11_generate (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcNodeKey) key = NULL;
  g_autoptr(JcNodeKey) again = NULL;
  g_autoptr(JcNodeKey) reopened = NULL;
  g_autoptr(GBytes) sig = NULL;
  guint8 h[32] = { 7 };

  key = jc_node_key_generate_pkcs11 ("pkcs11:token=" SOFTHSM_TOKEN, "made-by-joconde", SOFTHSM_PIN, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (jc_node_key_get_pkcs11_uri (key), ==,
                   "pkcs11:token=" SOFTHSM_TOKEN ";object=made-by-joconde;type=private");
  sig = jc_node_key_sign_hash (key, h, 32, &error);
  g_assert_no_error (error);
  reopened = jc_node_key_open_pkcs11 (jc_node_key_get_pkcs11_uri (key), SOFTHSM_PIN, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (jc_node_key_get_id (reopened), ==, jc_node_key_get_id (key));
  g_assert_true (jc_node_signature_verify (jc_node_key_get_pubkey (reopened), h, 32,
                                           g_bytes_get_data (sig, NULL), 64, &error));
  /* The key cannot be exported, and the label cannot be reused. */
  g_assert_null (jc_node_key_export_pem (key, &error));
  g_assert_error (error, JC_ERROR, JC_ERROR_STATE);
  g_clear_error (&error);
  again = jc_node_key_generate_pkcs11 ("pkcs11:token=" SOFTHSM_TOKEN, "made-by-joconde", SOFTHSM_PIN, &error);
  g_assert_null (again);
  g_assert_error (error, JC_ERROR, JC_ERROR_EXISTS);
  g_clear_error (&error);
  g_assert_null (jc_node_key_generate_pkcs11 ("pkcs11:token=" SOFTHSM_TOKEN, "bad label;", SOFTHSM_PIN, &error));
  g_assert_error (error, JC_ERROR, JC_ERROR_INVALID);
  g_clear_error (&error);
  /* (A wrong PIN cannot be tested here: PKCS#11 logins last for the whole process, and
   * this process has logged in already.) */
  g_assert_null (jc_node_key_generate_pkcs11 ("pkcs11:token=no-such-token", "x", SOFTHSM_PIN, &error));
  g_assert_nonnull (error);
}

int
main (int argc, char **argv)
{
  int rc;

  g_test_init (&argc, &argv, NULL);
  softhsm_fixture_setup (&hsm, "node");
  g_assert_true (jc_init (NULL));
  /* Refusals first: the wrong-PIN case needs a process that has not logged in yet. */
  g_test_add_func ("/keys/pkcs11/refusals", test_pkcs11_refusals);
  g_test_add_func ("/keys/pkcs11/sign", test_pkcs11_sign);
  g_test_add_func ("/keys/pkcs11/generate", test_pkcs11_generate);
  rc = g_test_run ();
  softhsm_fixture_teardown (&hsm);
  return rc;
}
