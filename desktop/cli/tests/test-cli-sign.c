#define G_LOG_DOMAIN "joconde-test"
#include "config.h"

#include <string.h>

#include "cli-run.h"
#include "jc-init.h"
#include "jc-time.h"

#include "../../../libjoconde/tests/keys/softhsm-fixture.h"
#include "../../../libjoconde/tests/keys/signer-fixture.h"

/* `jocondectl sign` with a security token: a SoftHSM2 token holding a signatory's
 * certificate and key, made at test time. Signing itself (and the root's check) is
 * covered by the libjoconde and relay tests; here: what the command shows and refuses. */

#define SIGNER_DN "CN=Ada Lovelace,O=National Statistical Institute"

static SoftHsmFixture hsm;

static void
test_list_tokens (void)
{
  g_auto(CliRun) r = { 0 };
  cli_run (&r, NULL, 0, "sign", "--list-tokens", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "Token: " SOFTHSM_TOKEN));
  g_assert_nonnull (strstr (r.out, "Subject: " SIGNER_DN));
  g_assert_nonnull (strstr (r.out, "URI: pkcs11:"));
  g_assert_nonnull (strstr (r.out, "SHA-256 fingerprint: "));
}

static void
test_refusals (void)
{
  {
    /* Both ways of signing at once, or neither: a usage error. */
    g_auto(CliRun) r = { 0 };
    cli_run (&r, NULL, 0, "sign", "--task", "t", "--signature", "x.pdf", "--pkcs11",
             "pkcs11:token=" SOFTHSM_TOKEN, NULL);
    g_assert_cmpint (r.status, ==, 2);
    g_assert_nonnull (strstr (r.err, "either --signature FILE or --pkcs11 URI"));
  }
  {
    g_auto(CliRun) r = { 0 };
    cli_run (&r, NULL, 0, "sign", "--task", "t", NULL);
    g_assert_cmpint (r.status, ==, 2);
  }
  {
    /* A URI that is not PKCS#11, and a token without certificates. */
    g_auto(CliRun) r = { 0 };
    cli_run (&r, NULL, 0, "sign", "--task", "t", "--pkcs11", "file:///key.pem", NULL);
    g_assert_cmpint (r.status, ==, 1);
    g_assert_nonnull (strstr (r.err, "is not a PKCS#11 URI"));
  }
  {
    g_auto(CliRun) r = { 0 };
    cli_run (&r, NULL, 0, "sign", "--task", "t", "--pkcs11", "pkcs11:token=joconde-empty", NULL);
    g_assert_cmpint (r.status, ==, 1);
    g_assert_nonnull (strstr (r.err, "No certificate with its private key"));
  }
  {
    /* The token's certificate is found; the node is still to be given. */
    g_auto(CliRun) r = { 0 };
    cli_run (&r, NULL, 0, "sign", "--task", "t", "--pkcs11", "pkcs11:token=" SOFTHSM_TOKEN, NULL);
    g_assert_cmpint (r.status, ==, 2);
    g_assert_nonnull (strstr (r.err, "--node"));
  }
  {
    g_auto(CliRun) r = { 0 };
    cli_run (&r, NULL, 0, "sign", "--list-tokens", "--pkcs11-module", "/nonexistent/module.so", NULL);
    g_assert_cmpint (r.status, ==, 1);
    g_assert_nonnull (strstr (r.err, "PKCS#11 module"));
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_assert_true (jc_init (NULL));
  softhsm_fixture_setup (&hsm, "node");
  softhsm_fixture_add_token ("joconde-empty");
  signer_fixture_put (SIGNER_DN, GNUTLS_KEY_DIGITAL_SIGNATURE, SOFTHSM_TOKEN, "ada", 3, FALSE);

  g_test_add_func ("/cli/sign/list-tokens", test_list_tokens);
  g_test_add_func ("/cli/sign/refusals", test_refusals);
  int rc = g_test_run ();
  softhsm_fixture_teardown (&hsm);
  return rc;
}
