#define G_LOG_DOMAIN "joconde-test"
#include "config.h"

#include <glib/gstdio.h>
#include <sodium.h>
#include <string.h>

#include "jc-error.h"
#include "jc-init.h"
#include "jc-tee.h"
#include "jc-tee-sim.h"

/* The platform interface, the evidence container and the simulator. */

typedef struct {
  JcSecret *key;
  guint8    pk[32];
  guint8    measurement[JC_TEE_MEASUREMENT_SIZE];
  guint8    report_data[JC_TEE_REPORT_DATA_SIZE];
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->key = jc_tee_sim_key_new ();
  jc_tee_sim_key_get_public (f->key, f->pk);
  randombytes_buf (f->measurement, sizeof f->measurement);
  randombytes_buf (f->report_data, sizeof f->report_data);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  jc_secret_free (f->key);
}

static void
sim_policy (Fixture *f, JcTeePolicy *policy)
{
  jc_tee_policy_init (policy, JC_TEE_PLATFORM_SIM);
  jc_tee_policy_add_measurement (policy, f->measurement);
  jc_tee_policy_add_sim_key (policy, f->pk);
  policy->check_report_data = TRUE;
  memcpy (policy->report_data, f->report_data, sizeof f->report_data);
}

static void
test_sim_roundtrip (Fixture *f, gconstpointer data)
{
  g_autoptr(JcTeeProvider) provider = jc_tee_provider_new_sim (f->key, f->measurement);
  g_autoptr(GError) error = NULL;
  g_autoptr(JcTeeEvidence) evidence = NULL, back = NULL;
  g_autofree char *json = NULL, *text = NULL;
  JcTeePolicy policy;
  JcTeeVerdict verdict;
  gsize len;

  evidence = jc_tee_provider_get_evidence (provider, f->report_data, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (evidence->platform, ==, JC_TEE_PLATFORM_SIM);
  g_assert_cmpuint (g_bytes_get_size (evidence->report), ==, JC_TEE_SIM_REPORT_SIZE);

  /* Through the container and back. */
  json = jc_tee_evidence_to_json (evidence, &len);
  g_assert_nonnull (strstr (json, "\"type\":\"tee-evidence\""));
  back = jc_tee_evidence_from_json (json, len, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (back->report, evidence->report));
  g_assert_null (back->tcb_info);

  /* Optional members survive the round trip. */
  {
    g_autoptr(GBytes) cert = g_bytes_new_static ("\x30\x03\x02\x01\x01", 5);
    g_autoptr(GBytes) crl = g_bytes_new_static ("crl", 3);
    g_autoptr(JcTeeEvidence) full = jc_tee_evidence_new (JC_TEE_PLATFORM_TDX, evidence->report);
    g_autoptr(JcTeeEvidence) again = NULL;
    g_autofree char *text2 = NULL;
    gsize len2;

    jc_tee_evidence_add_certificate (full, cert);
    full->pck_crl = g_bytes_ref (crl);
    full->qe_identity = g_bytes_new_static ("{}", 2);
    text2 = jc_tee_evidence_to_json (full, &len2);
    again = jc_tee_evidence_from_json (text2, len2, &error);
    g_assert_no_error (error);
    g_assert_cmpint (again->platform, ==, JC_TEE_PLATFORM_TDX);
    g_assert_cmpuint (again->certificates->len, ==, 1);
    g_assert_true (g_bytes_equal (again->certificates->pdata[0], cert));
    g_assert_true (g_bytes_equal (again->pck_crl, crl));
    g_assert_cmpuint (g_bytes_get_size (again->qe_identity), ==, 2);
    g_assert_null (again->root_crl);
  }

  sim_policy (f, &policy);
  g_assert_true (jc_tee_verify (back, &policy, &verdict, &error));
  g_assert_no_error (error);
  g_assert_true (verdict.simulated);
  g_assert_cmpint (verdict.platform, ==, JC_TEE_PLATFORM_SIM);
  g_assert_cmpmem (verdict.measurement, 48, f->measurement, 48);
  g_assert_cmpmem (verdict.report_data, 64, f->report_data, 64);
  text = jc_tee_verdict_describe (&verdict);
  g_assert_nonnull (strstr (text, "simulated TEE — not confidential"));
  jc_tee_verdict_clear (&verdict);
  jc_tee_policy_clear (&policy);
}

static void
expect_refused (Fixture *f, JcTeeEvidence *evidence, JcTeePolicy *policy, int code,
                const char *fragment)
{
  g_autoptr(GError) error = NULL;
  JcTeeVerdict verdict;

  g_assert_false (jc_tee_verify (evidence, policy, &verdict, &error));
  g_assert_error (error, JC_ERROR, code);
  if (strstr (error->message, fragment) == NULL)
    g_error ("“%s” does not contain “%s”", error->message, fragment);
}

static void
test_sim_refusals (Fixture *f, gconstpointer data)
{
  g_autoptr(GBytes) report = jc_tee_sim_report_new (f->key, f->measurement, f->report_data, FALSE);
  g_autoptr(JcTeeEvidence) evidence = jc_tee_evidence_new (JC_TEE_PLATFORM_SIM, report);
  JcTeePolicy policy;
  guint8 other[48];

  /* A task naming real hardware refuses the simulator. */
  jc_tee_policy_init (&policy, JC_TEE_PLATFORM_SEV_SNP);
  expect_refused (f, evidence, &policy, JC_ERROR_UNTRUSTED, "simulated TEE — not confidential");
  jc_tee_policy_clear (&policy);
  jc_tee_policy_init (&policy, JC_TEE_PLATFORM_TDX);
  expect_refused (f, evidence, &policy, JC_ERROR_UNTRUSTED, "requires the tdx platform");
  jc_tee_policy_clear (&policy);

  /* A measurement outside the allow-list. */
  sim_policy (f, &policy);
  g_clear_pointer (&policy.measurements, g_ptr_array_unref);
  memset (other, 0xab, sizeof other);
  jc_tee_policy_add_measurement (&policy, other);
  expect_refused (f, evidence, &policy, JC_ERROR_UNTRUSTED, "not among the task’s TEE measurements");
  jc_tee_policy_clear (&policy);

  /* Other report data. */
  sim_policy (f, &policy);
  policy.report_data[0] ^= 1;
  expect_refused (f, evidence, &policy, JC_ERROR_UNTRUSTED, "report data does not match");
  jc_tee_policy_clear (&policy);

  /* A simulator key the task does not trust. */
  sim_policy (f, &policy);
  g_clear_pointer (&policy.sim_keys, g_ptr_array_unref);
  jc_tee_policy_add_sim_key (&policy, other);
  expect_refused (f, evidence, &policy, JC_ERROR_UNTRUSTED, "does not trust");
  jc_tee_policy_clear (&policy);

  /* Every signed byte matters. */
  for (gsize i = 0; i < JC_TEE_SIM_REPORT_SIZE; i += 7)
    {
      g_autofree guint8 *copy = g_memdup2 (g_bytes_get_data (report, NULL), JC_TEE_SIM_REPORT_SIZE);
      g_autoptr(GBytes) bad = NULL;
      g_autoptr(JcTeeEvidence) ev = NULL;
      g_autoptr(GError) error = NULL;
      JcTeeVerdict verdict;

      copy[i] ^= 0x01;
      bad = g_bytes_new (copy, JC_TEE_SIM_REPORT_SIZE);
      ev = jc_tee_evidence_new (JC_TEE_PLATFORM_SIM, bad);
      sim_policy (f, &policy);
      g_assert_false (jc_tee_verify (ev, &policy, &verdict, &error));
      g_assert_nonnull (error);
      jc_tee_policy_clear (&policy);
    }

  /* Debug reports are refused unless the policy allows debug. */
  {
    g_autoptr(GBytes) dbg = jc_tee_sim_report_new (f->key, f->measurement, f->report_data, TRUE);
    g_autoptr(JcTeeEvidence) ev = jc_tee_evidence_new (JC_TEE_PLATFORM_SIM, dbg);
    g_autoptr(GError) error = NULL;
    JcTeeVerdict verdict;

    sim_policy (f, &policy);
    expect_refused (f, ev, &policy, JC_ERROR_UNTRUSTED, "debug");
    policy.allow_debug = TRUE;
    g_assert_true (jc_tee_verify (ev, &policy, &verdict, &error));
    g_assert_true (verdict.debug);
    jc_tee_verdict_clear (&verdict);
    jc_tee_policy_clear (&policy);
  }
}

static void
test_container_malformed (void)
{
  const char *bad[] = {
    "",
    "[]",
    "{\"type\":\"tee-evidence\"}",
    "{\"type\":\"other\",\"version\":1,\"platform\":\"sim\",\"report\":\"AA\"}",
    "{\"type\":\"tee-evidence\",\"version\":2,\"platform\":\"sim\",\"report\":\"AA\"}",
    "{\"type\":\"tee-evidence\",\"version\":1,\"platform\":\"sgx\",\"report\":\"AA\"}",
    "{\"type\":\"tee-evidence\",\"version\":1,\"platform\":\"sim\",\"report\":\"A=\"}",
    "{\"type\":\"tee-evidence\",\"version\":1,\"platform\":\"sim\",\"report\":\"AA\",\"extra\":1}",
    "{\"type\":\"tee-evidence\",\"version\":1,\"platform\":\"sim\",\"report\":\"AA\",\"certificates\":{}}",
    "{\"type\":\"tee-evidence\",\"version\":1,\"platform\":\"sim\",\"report\":\"AA\",\"certificates\":[1]}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JcTeeEvidence) e = jc_tee_evidence_from_json (bad[i], strlen (bad[i]), &error);
      g_assert_null (e);
      g_assert_nonnull (error);
      g_assert_true (error->domain == JC_ERROR);
    }
}

#define H96 "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f"

static void
test_policy_json (void)
{
  g_autoptr(JsonParser) p = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JcTeePolicy policy;
  const char *good =
    "{\"platform\":\"sev-snp\",\"measurements\":[\"" /* 96 hex digits */
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f"
    "\"],\"min_tcb\":{\"bootloader\":2,\"snp\":5,\"microcode\":68},\"max_vmpl\":0}";
  const char *bad[] = {
    "{}",
    "{\"platform\":\"sev-snp\"}",                           /* real platform, no measurement */
    "{\"platform\":\"sev-snp\",\"measurements\":[\"00\"]}",
    "{\"platform\":\"sim\",\"sim_keys\":[\"AA\"]}",
    "{\"platform\":\"sim\",\"allow_debug\":true}",
    "{\"platform\":\"sim\",\"max_vmpl\":9}",
    "{\"platform\":\"sev-snp\",\"measurements\":[\"" H96 H96 H96 H96 H96 "\"]}", /* 240 bytes: TDX only */
    "{\"platform\":\"sev-snp\",\"measurements\":[\"" "ABCDEF" "\"]}",
  };
  const char *tdx_rtmr = "{\"platform\":\"tdx\",\"measurements\":[\"" H96 H96 H96 H96 H96 "\"]}";

  g_assert_true (json_parser_load_from_data (p, good, -1, NULL));
  g_assert_true (jc_tee_policy_from_json (json_node_get_object (json_parser_get_root (p)), &policy, &error));
  g_assert_no_error (error);
  g_assert_cmpint (policy.platform, ==, JC_TEE_PLATFORM_SEV_SNP);
  g_assert_cmpuint (policy.measurements->len, ==, 1);
  g_assert_true (policy.check_min_tcb);
  g_assert_cmpuint (policy.min_tcb.microcode, ==, 68);
  g_assert_false (policy.allow_debug);
  jc_tee_policy_clear (&policy);

  g_assert_true (json_parser_load_from_data (p, tdx_rtmr, -1, NULL));
  g_assert_true (jc_tee_policy_from_json (json_node_get_object (json_parser_get_root (p)), &policy, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (policy.measurements->pdata[0]), ==, 240);
  jc_tee_policy_clear (&policy);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) e = NULL;
      g_assert_true (json_parser_load_from_data (p, bad[i], -1, NULL));
      g_assert_false (jc_tee_policy_from_json (json_node_get_object (json_parser_get_root (p)),
                                               &policy, &e));
      g_assert_error (e, JC_ERROR, JC_ERROR_INVALID);
      jc_tee_policy_clear (&policy);
    }
}

static void
test_sim_key_file (void)
{
  g_autofree char *dir = g_dir_make_tmp ("jc-sim-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "sim.key", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JcSecret) a = NULL, b = NULL, c = NULL;
  GStatBuf st;

  a = jc_tee_sim_key_load_or_create (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  b = jc_tee_sim_key_load_or_create (path, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (a->data, a->len, b->data, b->len);

  g_assert_cmpint (g_chmod (path, 0644), ==, 0);
  c = jc_tee_sim_key_load_or_create (path, &error);
  g_assert_null (c);
  g_assert_error (error, JC_ERROR, JC_ERROR_DENIED);
  g_clear_error (&error);

  g_assert_true (g_file_set_contents (path, "short", -1, NULL));
  g_assert_cmpint (g_chmod (path, 0600), ==, 0);
  c = jc_tee_sim_key_load_or_create (path, &error);
  g_assert_null (c);
  g_assert_error (error, JC_ERROR, JC_ERROR_INVALID);

  g_unlink (path);
  g_rmdir (dir);
}

static void
test_measure_file (void)
{
  g_autofree char *dir = g_dir_make_tmp ("jc-sim-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "guest", NULL);
  g_autoptr(GError) error = NULL;
  guint8 m[48];
  /* SHA-384("abc"), FIPS 180-2 Appendix D.1. */
  static const guint8 expect[48] = {
    0xcb, 0x00, 0x75, 0x3f, 0x45, 0xa3, 0x5e, 0x8b, 0xb5, 0xa0, 0x3d, 0x69, 0x9a, 0xc6, 0x50, 0x07,
    0x27, 0x2c, 0x32, 0xab, 0x0e, 0xde, 0xd1, 0x63, 0x1a, 0x8b, 0x60, 0x5a, 0x43, 0xff, 0x5b, 0xed,
    0x80, 0x86, 0x07, 0x2b, 0xa1, 0xe7, 0xcc, 0x23, 0x58, 0xba, 0xec, 0xa1, 0x34, 0xc8, 0x25, 0xa7,
  };

  g_assert_true (g_file_set_contents (path, "abc", 3, NULL));
  g_assert_true (jc_tee_sim_measure_file (path, m, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (m, 48, expect, 48);

  /* A host's simulator: its key file and the measured binary. */
  {
    g_autofree char *key_path = g_build_filename (dir, "sim.key", NULL);
    g_autoptr(JcTeeProvider) p = jc_tee_provider_new_sim_from_files (key_path, path, &error);
    g_autoptr(JcTeeEvidence) ev = NULL;
    guint8 rd[64] = { 1 };
    JcTeePolicy policy;
    JcTeeVerdict verdict;

    g_assert_no_error (error);
    ev = jc_tee_provider_get_evidence (p, rd, NULL, &error);
    g_assert_no_error (error);
    jc_tee_policy_init (&policy, JC_TEE_PLATFORM_SIM);
    jc_tee_policy_add_measurement (&policy, expect);
    g_assert_true (jc_tee_verify (ev, &policy, &verdict, &error));
    g_assert_cmpmem (verdict.report_data, 64, rd, 64);
    jc_tee_verdict_clear (&verdict);
    jc_tee_policy_clear (&policy);
    g_unlink (key_path);
  }
  g_unlink (path);
  g_rmdir (dir);
}

static void
test_provider_hardware_refused (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcTeeProvider) p = jc_tee_provider_new (JC_TEE_PLATFORM_SIM, &error);

  g_assert_null (p);
  g_assert_error (error, JC_ERROR, JC_ERROR_UNSUPPORTED);
}

int
main (int argc, char **argv)
{
  jc_init (NULL);
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/attest/tee/sim-roundtrip", Fixture, NULL, fixture_setup, test_sim_roundtrip, fixture_teardown);
  g_test_add ("/attest/tee/sim-refusals", Fixture, NULL, fixture_setup, test_sim_refusals, fixture_teardown);
  g_test_add_func ("/attest/tee/container-malformed", test_container_malformed);
  g_test_add_func ("/attest/tee/policy-json", test_policy_json);
  g_test_add_func ("/attest/tee/sim-key-file", test_sim_key_file);
  g_test_add_func ("/attest/tee/measure-file", test_measure_file);
  g_test_add_func ("/attest/tee/provider-hardware-refused", test_provider_hardware_refused);
  return g_test_run ();
}
