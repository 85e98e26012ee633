#define G_LOG_DOMAIN "joconde-test"
#include "config.h"

#include <glib/gstdio.h>
#include <sodium.h>
#include <string.h>

#include "cli-run.h"
#include "jc-encoding.h"
#include "jc-init.h"
#include "jc-tee.h"
#include "jc-tee-sim.h"

/* `jocondectl attest` on the real SEV-SNP reports and TDX quotes of
 * $JC_TESTDATA_DIR/attestation (see its README.md) and on simulator evidence. */

static const char *testdata;
static char *tmpdir;

/* Runs jocondectl attest ARGS…; file arguments starting with "@" are in the test data. */
static void
run (CliRun *r, ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  const char *arg;
  va_list ap;

  g_ptr_array_add (argv, g_strdup ("attest"));
  va_start (ap, r);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (argv, arg[0] == '@' ? g_build_filename (testdata, arg + 1, NULL) : g_strdup (arg));
  va_end (ap);
  g_ptr_array_add (argv, NULL);
  cli_run_argv (r, NULL, 0, (const char *const *) argv->pdata);
}

static void
assert_contains (const char *text, const char *fragment)
{
  if (strstr (text, fragment) == NULL)
    g_error ("“%s” does not contain “%s”", text, fragment);
}

static void
test_help (void)
{
  g_auto(CliRun) r = { 0 };

  run (&r, "verify", "--help", NULL);
  g_assert_cmpint (r.status, ==, 0);
  assert_contains (r.out, "--measurement");
  assert_contains (r.out, "Exit status");
  assert_contains (r.out, "VLEK");
}

#define MILAN_MEASUREMENT "a1f3930413247bb38cfc171579ea3c12d5fe4901f0c792f63fd75d98f1ef827c23500644e0e692e6be917f9050d3d38c"

static void
test_snp_valid (void)
{
  g_auto(CliRun) a = { 0 };
  g_auto(CliRun) b = { 0 };
  g_auto(CliRun) c = { 0 };

  /* Certificates and report in any order; the ASK/ARK are built in. */
  run (&a, "verify", "@sev-snp/trustee/test-vcek.der", "@sev-snp/trustee/test-report.bin", NULL);
  g_assert_cmpint (a.status, ==, 0);
  assert_contains (a.out, "VALID");
  assert_contains (a.out, "sev-snp");
  assert_contains (a.out, MILAN_MEASUREMENT);
  assert_contains (a.out, "VCEK (Milan)");
  assert_contains (a.out, "bl=3 tee=0 snp=8 ucode=115");

  /* Hex text report, DER VCEK, PEM chain. */
  run (&b, "verify", "@sev-snp/virtee-sev/report_milan.hex", "@sev-snp/virtee-sev/vcek_milan.der",
       "@sev-snp/virtee-sev/cert_chain_milan", NULL);
  g_assert_cmpint (b.status, ==, 0);
  assert_contains (b.out, "VALID");

  /* The allow-list. */
  run (&c, "verify", "--measurement", MILAN_MEASUREMENT, "--platform", "sev-snp",
       "@sev-snp/trustee/test-report.bin", "@sev-snp/trustee/test-vcek.der", NULL);
  g_assert_cmpint (c.status, ==, 0);
}

static char *
write_tmp (const char *name, const void *data, gsize len)
{
  char *path = g_build_filename (tmpdir, name, NULL);

  g_assert_true (g_file_set_contents (path, data, len, NULL));
  return path;
}

static void
test_snp_refused (void)
{
  g_auto(CliRun) debug = { 0 };
  g_auto(CliRun) debug_ok = { 0 };
  g_auto(CliRun) other_chip = { 0 };
  g_auto(CliRun) expired = { 0 };
  g_auto(CliRun) at = { 0 };
  g_auto(CliRun) measurement = { 0 };
  g_auto(CliRun) flipped = { 0 };
  g_autofree char *report_path = g_build_filename (testdata, "sev-snp/trustee/test-report.bin", NULL);
  g_autofree guint8 *report = NULL;
  g_autofree char *flipped_path = NULL;
  gsize len;

  /* attestation.bin has policy bit DEBUG set. */
  run (&debug, "verify", "@sev-snp/go-sev-guest/attestation.bin", "@sev-snp/go-sev-guest/vcek.testcer",
       "@sev-snp/go-sev-guest/ask_ark_milan.pem", NULL);
  g_assert_cmpint (debug.status, ==, 1);
  assert_contains (debug.err, "REFUSED");
  assert_contains (debug.err, "debug");
  run (&debug_ok, "verify", "--allow-debug", "@sev-snp/go-sev-guest/attestation.bin",
       "@sev-snp/go-sev-guest/vcek.testcer", NULL);
  g_assert_cmpint (debug_ok.status, ==, 0);
  assert_contains (debug_ok.out, "report data:  0102030405000000");
  assert_contains (debug_ok.out, "bl=2 tee=0 snp=5 ucode=68");

  /* Another chip's VCEK. */
  run (&other_chip, "verify", "@sev-snp/trustee/test-report.bin", "@sev-snp/go-sev-guest/vcek.testcer", NULL);
  g_assert_cmpint (other_chip.status, ==, 1);
  assert_contains (other_chip.err, "REFUSED");

  /* The VLEK expired on 2025-12-10; at a time it was valid the report passes. */
  run (&expired, "verify", "--max-vmpl", "1", "@sev-snp/trustee/test-vlek-report.bin",
       "@sev-snp/trustee/test-vlek.der", "@sev-snp/trustee/milan_ask_ark_asvk.pem", NULL);
  g_assert_cmpint (expired.status, ==, 1);
  assert_contains (expired.err, "2025-12-10");
  run (&at, "verify", "--max-vmpl", "1", "--at", "2025-06-01T00:00:00Z",
       "@sev-snp/trustee/test-vlek-report.bin", "@sev-snp/trustee/test-vlek.der",
       "@sev-snp/trustee/milan_ask_ark_asvk.pem", NULL);
  g_assert_cmpint (at.status, ==, 0);
  assert_contains (at.out, "VLEK");

  /* Not in the allow-list. */
  run (&measurement, "verify", "--measurement",
       "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
       "@sev-snp/trustee/test-report.bin", "@sev-snp/trustee/test-vcek.der", NULL);
  g_assert_cmpint (measurement.status, ==, 1);
  assert_contains (measurement.err, MILAN_MEASUREMENT);

  /* A flipped signed byte (README: adding 1 to byte 42 breaks the signature). */
  g_assert_true (g_file_get_contents (report_path, (char **) &report, &len, NULL));
  report[42] += 1;
  flipped_path = write_tmp ("flipped.bin", report, len);
  run (&flipped, "verify", flipped_path, "@sev-snp/trustee/test-vcek.der", NULL);
  g_assert_cmpint (flipped.status, ==, 1);
  assert_contains (flipped.err, "REFUSED");
}

static void
test_tdx (void)
{
  g_auto(CliRun) v4 = { 0 };
  g_auto(CliRun) v5 = { 0 };
  g_auto(CliRun) wrong = { 0 };

  run (&v4, "verify", "@tdx/go-tdx-guest/tdx_prod_quote_SPR_E4.dat", NULL);
  g_assert_cmpint (v4.status, ==, 0);
  assert_contains (v4.out, "platform:     tdx");
  assert_contains (v4.out, "fmspc=50806f000000");
  assert_contains (v4.out, "Intel SGX Root CA");
  run (&v5, "verify", "--at", "2026-02-03T00:00:00Z", "@tdx/go-tdx-guest/quote_v5_sample.dat", NULL);
  g_assert_cmpint (v5.status, ==, 0);
  assert_contains (v5.out, "fmspc=90c06f000000");
  run (&wrong, "verify", "--platform", "sev-snp", "@tdx/go-tdx-guest/tdx_prod_quote_SPR_E4.dat", NULL);
  g_assert_cmpint (wrong.status, ==, 1);
  assert_contains (wrong.err, "requires sev-snp");
}

/* PCS collateral of the SPR quote, current at 2023-07-01 (README). */
static void
test_tdx_collateral (void)
{
  g_auto(CliRun) ok = { 0 };
  g_auto(CliRun) stale = { 0 };
  g_auto(CliRun) nochain = { 0 };
  g_auto(CliRun) tcb = { 0 };
  g_auto(CliRun) notdx = { 0 };

  run (&ok, "verify", "--at", "2023-07-01T00:00:00Z", "@tdx/go-tdx-guest/sample_qeIdentity_response",
       "@tdx/go-tdx-guest/tdx_prod_quote_SPR_E4.dat", "@tdx/go-tdx-guest/qeidentity_issuer_chain.pem",
       "@tdx/go-tdx-guest/pckcrl", "@tdx/go-tdx-guest/rootcrl.der",
       "@tdx/go-tdx-guest/pckcrl_issuer_chain.pem", NULL);
  g_assert_cmpint (ok.status, ==, 0);
  assert_contains (ok.out, "qe_status=UpToDate");
  assert_contains (ok.err, "is not used");
  run (&stale, "verify", "--at", "2023-07-09T00:00:00Z", "@tdx/go-tdx-guest/tdx_prod_quote_SPR_E4.dat",
       "@tdx/go-tdx-guest/pckcrl", NULL);
  g_assert_cmpint (stale.status, ==, 1);
  assert_contains (stale.err, "PCK CRL");
  run (&nochain, "verify", "@tdx/go-tdx-guest/tdx_prod_quote_SPR_E4.dat",
       "@tdx/go-tdx-guest/sample_tcbInfo_response", NULL);
  g_assert_cmpint (nochain.status, ==, 1);
  assert_contains (nochain.err, "issuer chain");
  /* The PCK's real TCB is below every level of that TCB Info: no status, refused. */
  run (&tcb, "verify", "--at", "2023-07-01T00:00:00Z", "@tdx/go-tdx-guest/tdx_prod_quote_SPR_E4.dat",
       "@tdx/go-tdx-guest/sample_tcbInfo_response", "@tdx/go-tdx-guest/tcbinfo_issuer_chain.pem", NULL);
  g_assert_cmpint (tcb.status, ==, 1);
  assert_contains (tcb.err, "older than every level");
  run (&notdx, "verify", "@sev-snp/trustee/test-report.bin", "@sev-snp/trustee/test-vcek.der",
       "@tdx/go-tdx-guest/pckcrl", NULL);
  g_assert_cmpint (notdx.status, ==, 1);
  assert_contains (notdx.err, "not a TDX quote");
}

static void
test_sim_container (void)
{
  g_autoptr(JcSecret) key = jc_tee_sim_key_new ();
  g_autoptr(JcTeeProvider) provider = NULL;
  g_autoptr(JcTeeEvidence) evidence = NULL;
  g_autofree char *json = NULL, *path = NULL, *pk64 = NULL, *m_hex = NULL;
  guint8 m[48], rd[64], pk[32], other[32];
  g_autofree char *other64 = NULL;
  gsize len;
  g_auto(CliRun) ok = { 0 };
  g_auto(CliRun) real = { 0 };
  g_auto(CliRun) untrusted = { 0 };
  g_auto(CliRun) pinned = { 0 };

  randombytes_buf (m, sizeof m);
  randombytes_buf (rd, sizeof rd);
  randombytes_buf (other, sizeof other);
  provider = jc_tee_provider_new_sim (key, m);
  evidence = jc_tee_provider_get_evidence (provider, rd, NULL, NULL);
  json = jc_tee_evidence_to_json (evidence, &len);
  path = write_tmp ("evidence.json", json, len);
  jc_tee_sim_key_get_public (key, pk);
  pk64 = jc_base64url_encode (pk, 32);
  other64 = jc_base64url_encode (other, 32);
  m_hex = jc_hex_encode (m, 48);

  run (&ok, "verify", "--measurement", m_hex, path, NULL);
  g_assert_cmpint (ok.status, ==, 0);
  assert_contains (ok.out, "simulated TEE — not confidential");
  assert_contains (ok.out, m_hex);
  run (&pinned, "verify", "--sim-key", pk64, path, NULL);
  g_assert_cmpint (pinned.status, ==, 0);
  assert_contains (pinned.out, pk64);
  run (&real, "verify", "--platform", "sev-snp", path, NULL);
  g_assert_cmpint (real.status, ==, 1);
  assert_contains (real.err, "simulated TEE — not confidential");
  run (&untrusted, "verify", "--sim-key", other64, path, NULL);
  g_assert_cmpint (untrusted.status, ==, 1);
  assert_contains (untrusted.err, "does not trust");
}

static void
test_bad_input (void)
{
  g_autofree char *junk = write_tmp ("junk.bin", "hello, world", 12);
  g_auto(CliRun) a = { 0 };
  g_auto(CliRun) b = { 0 };
  g_auto(CliRun) c = { 0 };
  g_auto(CliRun) d = { 0 };
  g_auto(CliRun) e = { 0 };

  run (&a, "verify", junk, NULL);
  g_assert_cmpint (a.status, ==, 1);
  assert_contains (a.err, "junk.bin: not an evidence container");
  run (&b, "verify", "@sev-snp/trustee/test-report.bin", "@tdx/go-tdx-guest/tdx_prod_quote_SPR_E4.dat", NULL);
  g_assert_cmpint (b.status, ==, 1);
  assert_contains (b.err, "both hold evidence");
  run (&c, "verify", NULL);
  g_assert_cmpint (c.status, ==, 2);
  run (&d, "verify", "@sev-snp/trustee/test-vcek.der", NULL);
  g_assert_cmpint (d.status, ==, 1);
  assert_contains (d.err, "No evidence");
  run (&e, "verify", "--measurement", "xyz", "@sev-snp/trustee/test-report.bin", NULL);
  g_assert_cmpint (e.status, ==, 1);
  assert_contains (e.err, "--measurement");
}

static void
test_sim_key (void)
{
  g_autofree char *path = g_build_filename (tmpdir, "sim.key", NULL);
  g_auto(CliRun) a = { 0 };
  g_auto(CliRun) b = { 0 };

  run (&a, "sim-key", path, NULL);
  g_assert_cmpint (a.status, ==, 0);
  g_assert_cmpuint (strlen (a.out), ==, 43 + 1);
  run (&b, "sim-key", path, NULL);
  g_assert_cmpstr (a.out, ==, b.out);
}

int
main (int argc, char **argv)
{
  int status;

  jc_init (NULL);
  g_test_init (&argc, &argv, NULL);
  testdata = g_getenv ("JC_TESTDATA_DIR");
  if (testdata == NULL || g_getenv ("JOCONDECTL") == NULL)
    g_error ("JC_TESTDATA_DIR and JOCONDECTL must be set (meson test sets them)");
  testdata = g_build_filename (testdata, "attestation", NULL);
  if (!g_file_test (testdata, G_FILE_TEST_IS_DIR))
    g_error ("%s is missing: the attestation test data is needed", testdata);
  tmpdir = g_dir_make_tmp ("jc-cli-attest-XXXXXX", NULL);

  g_test_add_func ("/cli/attest/help", test_help);
  g_test_add_func ("/cli/attest/snp-valid", test_snp_valid);
  g_test_add_func ("/cli/attest/snp-refused", test_snp_refused);
  g_test_add_func ("/cli/attest/tdx", test_tdx);
  g_test_add_func ("/cli/attest/tdx-collateral", test_tdx_collateral);
  g_test_add_func ("/cli/attest/sim-container", test_sim_container);
  g_test_add_func ("/cli/attest/bad-input", test_bad_input);
  g_test_add_func ("/cli/attest/sim-key", test_sim_key);
  status = g_test_run ();

  /* The temporary folder holds only files this test wrote. */
  {
    g_autoptr(GDir) dir = g_dir_open (tmpdir, 0, NULL);
    const char *name;
    while (dir && (name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *p = g_build_filename (tmpdir, name, NULL);
        g_unlink (p);
      }
    g_rmdir (tmpdir);
  }
  return status;
}
