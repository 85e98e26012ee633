#define G_LOG_DOMAIN "joconde-test"
#include "config.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "attest-testdata.h"
#include "jc-encoding.h"
#include "jc-error.h"
#include "jc-snp.h"
#include "jc-time.h"

/* SEV-SNP verification against the real reports and certificates of
 * $JC_TESTDATA_DIR/attestation (see its README.md and expected.json). */

static GBytes *
load_report (const char *rel)
{
  g_autoptr (GBytes) raw = attest_testdata_load (rel);
  g_autoptr (GError) error = NULL;
  GBytes *report = jc_snp_report_from_data (g_bytes_get_data (raw, NULL), g_bytes_get_size (raw),
                                            &error);
  g_assert_no_error (error);
  return report;
}

static GPtrArray *
certs_of (const char *first, ...)
{
  GPtrArray *list = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  va_list ap;
  va_start (ap, first);
  for (const char *rel = first; rel; rel = va_arg (ap, const char *))
    g_ptr_array_add (list, attest_testdata_load (rel));
  va_end (ap);
  return list;
}

/* The i-th certificate (0-based) of a PEM file, as PEM text. */
static GBytes *
pem_nth (const char *rel, guint i)
{
  g_autoptr (GBytes) all = attest_testdata_load (rel);
  g_autofree char *text = g_strndup (g_bytes_get_data (all, NULL), g_bytes_get_size (all));
  const char *p = text;
  for (guint k = 0; k < i; k++)
    {
      p = strstr (p, "-----END CERTIFICATE-----");
      g_assert_nonnull (p);
      p += 25;
    }
  const char *b = strstr (p, "-----BEGIN CERTIFICATE-----");
  const char *e = b ? strstr (b, "-----END CERTIFICATE-----") : NULL;
  g_assert_nonnull (e);
  return g_bytes_new (b, e + 25 - b);
}

static gint64
at (const char *rfc3339)
{
  gint64 t;
  g_autoptr (GError) error = NULL;
  g_assert_true (jc_time_parse (rfc3339, &t, &error));
  return t;
}

/* Inside the validity of every certificate in the SNP test data (the VLEK expired
 * 2025-12-10). */
#define FIXED_TIME "2025-06-01T00:00:00Z"

static void
policy_lenient (JcTeePolicy *p)
{
  jc_tee_policy_init (p, JC_TEE_PLATFORM_SEV_SNP);
  p->at = at (FIXED_TIME);
  p->allow_debug = TRUE;
  p->allow_migration_agent = TRUE;
  p->max_vmpl = 3;
}

static void
policy_strict (JcTeePolicy *p)
{
  jc_tee_policy_init (p, JC_TEE_PLATFORM_SEV_SNP);
  p->at = at (FIXED_TIME);
}

static gboolean
verify (GBytes *report, GPtrArray *certs, const JcTeePolicy *policy, JcTeeVerdict *verdict,
        GError **error)
{
  gboolean ok = jc_snp_verify (report, certs, policy, verdict, error);
  if (!ok)
    g_test_message ("refused: %s", (*error)->message);
  return ok;
}

typedef struct {
  const char *id, *report, *vcek, *chain;
  int chain_index_a, chain_index_b;   /* which certs of the chain file to pass; -1 = all */
} Case;

static const Case cases[] = {
  { "gosevguest-milan-vcek", "sev-snp/go-sev-guest/attestation.bin",
    "sev-snp/go-sev-guest/vcek.testcer", "sev-snp/go-sev-guest/ask_ark_milan.pem", -1, -1 },
  { "virteesev-milan-vcek", "sev-snp/virtee-sev/report_milan.hex",
    "sev-snp/virtee-sev/vcek_milan.der", "sev-snp/virtee-sev/cert_chain_milan", -1, -1 },
  { "trustee-milan-vcek-idblock", "sev-snp/trustee/test-report.bin",
    "sev-snp/trustee/test-vcek.der", "sev-snp/trustee/milan_ask_ark_asvk.pem", 0, 1 },
  { "trustee-milan-vlek-aws", "sev-snp/trustee/test-vlek-report.bin",
    "sev-snp/trustee/test-vlek.der", "sev-snp/trustee/milan_ask_ark_asvk.pem", 2, 1 },
};

static GPtrArray *
case_certs (const Case *c)
{
  GPtrArray *list = certs_of (c->vcek, NULL);
  if (c->chain_index_a < 0)
    g_ptr_array_add (list, attest_testdata_load (c->chain));
  else
    {
      g_ptr_array_add (list, pem_nth (c->chain, c->chain_index_a));
      g_ptr_array_add (list, pem_nth (c->chain, c->chain_index_b));
    }
  return list;
}

static JsonObject *
expected_snp (const char *id, JsonParser **keep)
{
  *keep = attest_testdata_expected ();
  JsonArray *snp = json_object_get_array_member (json_node_get_object (json_parser_get_root (*keep)), "snp");
  for (guint i = 0; i < json_array_get_length (snp); i++)
    {
      JsonObject *o = json_array_get_object_element (snp, i);
      if (g_str_equal (json_object_get_string_member (o, "id"), id))
        return json_object_get_object_member (o, "fields");
    }
  g_error ("expected.json has no SNP case %s", id);
}

static guint64
hex_u64 (const char *s)
{
  return g_ascii_strtoull (s + 2, NULL, 16);
}

static void
assert_hex (const guint8 *data, gsize len, const char *expected)
{
  g_autofree char *hex = jc_hex_encode (data, len);
  g_assert_cmpstr (hex, ==, expected);
}

/* Every field expected.json lists is parsed to the same value. */
static void
test_parse_fields (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (JsonParser) parser = NULL;
      JsonObject *f = expected_snp (cases[i].id, &parser);
      g_autoptr (GBytes) bytes = load_report (cases[i].report);
      g_autoptr (GError) error = NULL;
      JcSnpReport r;
      g_test_message ("%s", cases[i].id);
      g_assert_true (jc_snp_report_parse (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                                          &r, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (r.version, ==, json_object_get_int_member (f, "version"));
      g_assert_cmpuint (r.guest_svn, ==, json_object_get_int_member (f, "guest_svn"));
      g_assert_cmpuint (r.policy, ==, hex_u64 (json_object_get_string_member (f, "policy")));
      g_assert_cmpuint (r.vmpl, ==, json_object_get_int_member (f, "vmpl"));
      g_assert_cmpuint (r.signature_algo, ==, json_object_get_int_member (f, "signature_algo"));
      g_assert_cmpuint (r.current_tcb, ==, hex_u64 (json_object_get_string_member (f, "current_tcb")));
      g_assert_cmpuint (r.platform_info, ==, hex_u64 (json_object_get_string_member (f, "platform_info")));
      g_assert_cmpuint (r.signer_info, ==, hex_u64 (json_object_get_string_member (f, "signer_info")));
      assert_hex (r.report_data, 64, json_object_get_string_member (f, "report_data"));
      assert_hex (r.measurement, 48, json_object_get_string_member (f, "measurement"));
      assert_hex (r.host_data, 32, json_object_get_string_member (f, "host_data"));
      assert_hex (r.id_key_digest, 48, json_object_get_string_member (f, "id_key_digest"));
      assert_hex (r.report_id, 32, json_object_get_string_member (f, "report_id"));
      g_assert_cmpuint (r.reported_tcb, ==, hex_u64 (json_object_get_string_member (f, "reported_tcb")));
      JsonArray *cpuid = json_object_get_array_member (f, "cpuid_fam_mod_step");
      g_assert_cmpuint (r.cpuid_fam_id, ==, json_array_get_int_element (cpuid, 0));
      g_assert_cmpuint (r.cpuid_mod_id, ==, json_array_get_int_element (cpuid, 1));
      g_assert_cmpuint (r.cpuid_step, ==, json_array_get_int_element (cpuid, 2));
      assert_hex (r.chip_id, 64, json_object_get_string_member (f, "chip_id"));
      g_assert_cmpuint (r.committed_tcb, ==, hex_u64 (json_object_get_string_member (f, "committed_tcb")));
      g_assert_cmpuint (r.launch_tcb, ==, hex_u64 (json_object_get_string_member (f, "launch_tcb")));
      g_autofree char *fw = g_strdup_printf ("%u.%u build %u", r.current_major, r.current_minor,
                                             r.current_build);
      g_assert_cmpstr (fw, ==, json_object_get_string_member (f, "fw_current"));
    }
  /* The TCB of the go-sev-guest report, as its README states: bl=2 tee=0 snp=5 ucode=68. */
  JcSnpTcb t;
  jc_snp_tcb_decode (G_GUINT64_CONSTANT (0x4405000000000002), JC_SNP_PRODUCT_MILAN, &t);
  g_assert_cmpuint (t.bootloader, ==, 2);
  g_assert_cmpuint (t.tee, ==, 0);
  g_assert_cmpuint (t.snp, ==, 5);
  g_assert_cmpuint (t.microcode, ==, 68);
}

static void
test_parse_malformed (void)
{
  g_autoptr (GBytes) good = attest_testdata_load ("sev-snp/go-sev-guest/attestation.bin");
  guint8 buf[JC_SNP_REPORT_SIZE + 8];
  JcSnpReport r;
  g_autoptr (GError) e1 = NULL, e2 = NULL, e3 = NULL, e4 = NULL;

  memcpy (buf, g_bytes_get_data (good, NULL), JC_SNP_REPORT_SIZE);
  g_assert_false (jc_snp_report_parse (buf, 100, &r, &e1));
  g_assert_error (e1, JC_ERROR, JC_ERROR_INVALID);
  buf[0] = 9;
  g_assert_false (jc_snp_report_parse (buf, JC_SNP_REPORT_SIZE, &r, &e2));
  g_assert_error (e2, JC_ERROR, JC_ERROR_UNSUPPORTED);
  buf[0] = 2;
  memset (buf + JC_SNP_REPORT_SIZE, 0, 8);
  g_assert_true (jc_snp_report_parse (buf, sizeof buf, &r, NULL));   /* zero padding is fine */
  buf[JC_SNP_REPORT_SIZE + 3] = 1;
  g_assert_false (jc_snp_report_parse (buf, sizeof buf, &r, &e3));
  g_assert_error (e3, JC_ERROR, JC_ERROR_INVALID);
  /* Hex text that is only blanks, or an odd number of digits. */
  g_autoptr (GError) e5 = NULL, e6 = NULL;
  g_assert_null (jc_snp_report_from_data ((const guint8 *) " \n ", 3, &e5));
  g_assert_error (e5, JC_ERROR, JC_ERROR_INVALID);
  g_assert_null (jc_snp_report_from_data ((const guint8 *) "abc", 3, &e6));
  g_assert_error (e6, JC_ERROR, JC_ERROR_INVALID);
  buf[0x30] = 4;   /* VMPL 4 does not exist */
  g_assert_false (jc_snp_report_parse (buf, JC_SNP_REPORT_SIZE, &r, &e4));
  g_assert_error (e4, JC_ERROR, JC_ERROR_INVALID);
}

/* Every real report verifies with its chain at the fixed time under a lenient policy. */
static void
test_verify_valid (void)
{
  static const char *signers[] = { "VCEK (Milan)", "VCEK (Milan)", "VCEK (Milan)", "VLEK (Milan)" };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (JsonParser) parser = NULL;
      JsonObject *f = expected_snp (cases[i].id, &parser);
      g_autoptr (GBytes) report = load_report (cases[i].report);
      g_autoptr (GPtrArray) certs = case_certs (&cases[i]);
      g_autoptr (GError) error = NULL;
      JcTeePolicy policy;
      JcTeeVerdict v;
      g_test_message ("%s", cases[i].id);
      policy_lenient (&policy);
      g_assert_true (verify (report, certs, &policy, &v, &error));
      g_assert_no_error (error);
      g_assert_cmpint (v.platform, ==, JC_TEE_PLATFORM_SEV_SNP);
      g_assert_false (v.simulated);
      assert_hex (v.measurement, 48, json_object_get_string_member (f, "measurement"));
      assert_hex (v.report_data, 64, json_object_get_string_member (f, "report_data"));
      g_assert_cmpstr (v.signer, ==, signers[i]);
      if (i == 0)
        {
          g_assert_true (v.debug);
          g_assert_cmpstr (v.tcb, ==, "bl=2 tee=0 snp=5 ucode=68");
        }
      jc_tee_verdict_clear (&v);
      jc_tee_policy_clear (&policy);
    }
}

/* The VCEK alone suffices: the Milan ASK and ARK are built in. */
static void
test_verify_builtin_chain (void)
{
  g_autoptr (GBytes) report = load_report ("sev-snp/virtee-sev/report_milan.hex");
  g_autoptr (GPtrArray) certs = certs_of ("sev-snp/virtee-sev/vcek_milan.der", NULL);
  g_autoptr (GError) error = NULL;
  JcTeePolicy policy;
  JcTeeVerdict v;
  policy_strict (&policy);
  g_assert_true (verify (report, certs, &policy, &v, &error));
  jc_tee_verdict_clear (&v);
}

static void
expect_refusal (const Case *c, GBytes *report, GPtrArray *certs, const JcTeePolicy *policy,
                gint code, const char *words)
{
  g_autoptr (GError) error = NULL;
  JcTeeVerdict v;
  g_autoptr (GBytes) r = report ? g_bytes_ref (report) : load_report (c->report);
  g_autoptr (GPtrArray) cs = certs ? g_ptr_array_ref (certs) : case_certs (c);
  g_assert_false (verify (r, cs, policy, &v, &error));
  g_assert_error (error, JC_ERROR, code);
  if (words && !strstr (error->message, words))
    g_error ("refusal “%s” does not mention “%s”", error->message, words);
}

static GBytes *
report_modified (const Case *c, gsize offset, guint8 add, guint8 xor_mask)
{
  g_autoptr (GBytes) r = load_report (c->report);
  gsize len = g_bytes_get_size (r);
  guint8 *d = g_memdup2 (g_bytes_get_data (r, NULL), len);
  d[offset] = (guint8) ((d[offset] + add) ^ xor_mask);
  return g_bytes_new_take (d, len);
}

/* The strict policy refuses the debug report (go-sev-guest) and VMPL 1 (the AWS VLEK one). */
static void
test_strict_policy (void)
{
  JcTeePolicy policy;
  policy_strict (&policy);
  expect_refusal (&cases[0], NULL, NULL, &policy, JC_ERROR_DENIED, "DEBUG");
  expect_refusal (&cases[3], NULL, NULL, &policy, JC_ERROR_DENIED, "VMPL 1");
  /* The others pass it. */
  for (guint i = 1; i <= 2; i++)
    {
      g_autoptr (GBytes) r = load_report (cases[i].report);
      g_autoptr (GPtrArray) cs = case_certs (&cases[i]);
      g_autoptr (GError) error = NULL;
      JcTeeVerdict v;
      g_assert_true (verify (r, cs, &policy, &v, &error));
      jc_tee_verdict_clear (&v);
    }
  /* Another platform named by the task. */
  policy.platform = JC_TEE_PLATFORM_TDX;
  expect_refusal (&cases[1], NULL, NULL, &policy, JC_ERROR_DENIED, "tdx");
}

static void
test_expired (void)
{
  JcTeePolicy policy;
  policy_lenient (&policy);
  /* The AWS VLEK expired on 2025-12-10. */
  policy.at = at ("2025-12-11T00:00:00Z");
  expect_refusal (&cases[3], NULL, NULL, &policy, JC_ERROR_EXPIRED, "VLEK");
  /* Clock past the VCEK's notAfter (2029-09-24). */
  policy.at = at ("2029-09-25T00:00:00Z");
  expect_refusal (&cases[0], NULL, NULL, &policy, JC_ERROR_EXPIRED, "VCEK");
  /* Before it was issued. */
  policy.at = at ("2022-01-01T00:00:00Z");
  expect_refusal (&cases[0], NULL, NULL, &policy, JC_ERROR_EXPIRED, "VCEK");
}

static void
test_tampered (void)
{
  JcTeePolicy policy;
  policy_lenient (&policy);
  /* virtee/sev milan_report_invalid: bit 0x80 of byte 21. */
  g_autoptr (GBytes) r1 = report_modified (&cases[1], 21, 0, 0x80);
  expect_refusal (&cases[1], r1, NULL, &policy, JC_ERROR_BAD_SIGNATURE, "signature");
  /* trustee: byte 42 + 1 breaks the signature. */
  g_autoptr (GBytes) r2 = report_modified (&cases[2], 42, 1, 0);
  expect_refusal (&cases[2], r2, NULL, &policy, JC_ERROR_BAD_SIGNATURE, "signature");
  /* trustee: byte 384 (REPORTED_TCB) + 1 no longer matches the VCEK's TCB. */
  g_autoptr (GBytes) r3 = report_modified (&cases[2], 384, 1, 0);
  expect_refusal (&cases[2], r3, NULL, &policy, JC_ERROR_UNTRUSTED, "REPORTED_TCB");
  /* Altered report data (first byte of REPORT_DATA, 0x50). */
  g_autoptr (GBytes) r4 = report_modified (&cases[0], 0x50, 0, 0x01);
  expect_refusal (&cases[0], r4, NULL, &policy, JC_ERROR_BAD_SIGNATURE, "signature");
  /* Every byte of the signed region is covered: flip one in each 16-byte stretch, skipping
   * the fields checked before the signature (TCB, CHIP_ID, signer info, algorithm, version). */
  for (gsize off = 0; off < JC_SNP_SIGNED_SIZE; off += 37)
    {
      if (off < 0x08 || (off >= 0x30 && off < 0x38) || (off >= 0x48 && off < 0x4C)
          || (off >= 0x180 && off < 0x188) || (off >= 0x1A0 && off < 0x1E0))
        continue;
      g_autoptr (GBytes) r = report_modified (&cases[1], off, 0, 0x04);
      expect_refusal (&cases[1], r, NULL, &policy, JC_ERROR_BAD_SIGNATURE, NULL);
    }
  /* The signature itself. */
  g_autoptr (GBytes) r5 = report_modified (&cases[1], 0x2A0 + 5, 0, 0x10);
  expect_refusal (&cases[1], r5, NULL, &policy, JC_ERROR_BAD_SIGNATURE, NULL);
}

static void
test_wrong_certs (void)
{
  JcTeePolicy policy;
  policy_lenient (&policy);
  /* Another chip's VCEK. */
  g_autoptr (GPtrArray) other = certs_of ("sev-snp/virtee-sev/vcek_milan.der",
                                          "sev-snp/go-sev-guest/ask_ark_milan.pem", NULL);
  expect_refusal (&cases[0], NULL, other, &policy, JC_ERROR_UNTRUSTED, "another chip");
  /* A VLEK with the ASK chain (ASK then ARK) instead of its ASVK. */
  g_autoptr (GPtrArray) vlek_ask = certs_of ("sev-snp/trustee/test-vlek.der",
                                             "sev-snp/go-sev-guest/ask_ark_milan.pem", NULL);
  expect_refusal (&cases[3], NULL, vlek_ask, &policy, JC_ERROR_UNTRUSTED, "ASVK");
  /* The VCEK report with only the VLEK. */
  g_autoptr (GPtrArray) only_vlek = certs_of ("sev-snp/trustee/test-vlek.der", NULL);
  expect_refusal (&cases[2], NULL, only_vlek, &policy, JC_ERROR_NOT_FOUND, "VCEK");
  /* A Milan VCEK with the Genoa ASK/ARK: the issuer is not found there, and the built-in
   * Milan ASK is used; with a mismatched supplied ARK the chain is refused. */
  g_autoptr (GPtrArray) genoa = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_ptr_array_add (genoa, attest_testdata_load ("sev-snp/go-sev-guest/vcek.testcer"));
  g_ptr_array_add (genoa, pem_nth ("sev-snp/go-sev-guest/ask_ark_milan.pem", 0));
  g_ptr_array_add (genoa, pem_nth ("sev-snp/go-sev-guest/ask_ark_genoa.pem", 1));
  {
    g_autoptr (GBytes) r = load_report (cases[0].report);
    g_autoptr (GError) error = NULL;
    JcTeeVerdict v;
    /* The Genoa ARK does not claim to have issued the Milan ASK, so it is ignored. */
    g_assert_true (verify (r, genoa, &policy, &v, &error));
    jc_tee_verdict_clear (&v);
  }
  /* The VLEK with go-sev-guest's KDS VLEK chain (ASVK then ARK) verifies too. */
  {
    g_autoptr (GPtrArray) kds = certs_of ("sev-snp/trustee/test-vlek.der",
                                          "sev-snp/go-sev-guest/ask_ark_milan_vlek.pem", NULL);
    g_autoptr (GBytes) r = load_report (cases[3].report);
    g_autoptr (GError) error = NULL;
    JcTeeVerdict v;
    g_assert_true (verify (r, kds, &policy, &v, &error));
    jc_tee_verdict_clear (&v);
    /* …but not with the Genoa ASVK. */
    g_autoptr (GPtrArray) genoa_asvk = certs_of ("sev-snp/trustee/test-vlek.der",
                                                 "sev-snp/go-sev-guest/ask_ark_genoa_vlek.pem", NULL);
    expect_refusal (&cases[3], NULL, genoa_asvk, &policy, JC_ERROR_UNTRUSTED, "ASVK");
  }
  /* Garbage in place of a certificate. */
  g_autoptr (GPtrArray) junk = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_ptr_array_add (junk, g_bytes_new_static ("not a certificate", 17));
  expect_refusal (&cases[0], NULL, junk, &policy, JC_ERROR_INVALID, NULL);
}

static void
test_policy_checks (void)
{
  JcTeePolicy policy;
  g_autoptr (JsonParser) parser = NULL;
  JsonObject *f = expected_snp (cases[1].id, &parser);
  guint8 m[48];
  JcTeeVerdict v;

  /* Measurement allow-list: accepted when listed, refused otherwise. */
  policy_strict (&policy);
  g_assert_true (jc_hex_decode_into (json_object_get_string_member (f, "measurement"), m, 48, NULL));
  policy.measurements = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_ptr_array_add (policy.measurements, g_bytes_new (m, 48));
  {
    g_autoptr (GBytes) r = load_report (cases[1].report);
    g_autoptr (GPtrArray) cs = case_certs (&cases[1]);
    g_autoptr (GError) error = NULL;
    g_assert_true (verify (r, cs, &policy, &v, &error));
    jc_tee_verdict_clear (&v);
  }
  m[0] ^= 1;
  g_ptr_array_set_size (policy.measurements, 0);
  g_ptr_array_add (policy.measurements, g_bytes_new (m, 48));
  expect_refusal (&cases[1], NULL, NULL, &policy, JC_ERROR_DENIED, "measurement");
  jc_tee_policy_clear (&policy);

  /* Report data binding. */
  policy_strict (&policy);
  policy.check_report_data = TRUE;
  g_assert_true (jc_hex_decode_into (json_object_get_string_member (f, "report_data"),
                                     policy.report_data, 64, NULL));
  {
    g_autoptr (GBytes) r = load_report (cases[1].report);
    g_autoptr (GPtrArray) cs = case_certs (&cases[1]);
    g_autoptr (GError) error = NULL;
    g_assert_true (verify (r, cs, &policy, &v, &error));
    jc_tee_verdict_clear (&v);
  }
  policy.report_data[63] ^= 0x80;
  expect_refusal (&cases[1], NULL, NULL, &policy, JC_ERROR_DENIED, "report data");

  /* Minimum TCB: the virtee report has bl=3 tee=0 snp=8 ucode=115. */
  policy_strict (&policy);
  policy.check_min_tcb = TRUE;
  policy.min_tcb = (JcSnpTcb) { .bootloader = 3, .tee = 0, .snp = 8, .microcode = 115 };
  {
    g_autoptr (GBytes) r = load_report (cases[1].report);
    g_autoptr (GPtrArray) cs = case_certs (&cases[1]);
    g_autoptr (GError) error = NULL;
    g_assert_true (verify (r, cs, &policy, &v, &error));
    g_assert_cmpstr (v.tcb, ==, "bl=3 tee=0 snp=8 ucode=115");
    jc_tee_verdict_clear (&v);
  }
  policy.min_tcb.snp = 9;
  expect_refusal (&cases[1], NULL, NULL, &policy, JC_ERROR_DENIED, "TCB");

  /* Setting MIGRATE_MA (policy bit 18) in a report cannot get it past the verifier: the
   * signature covers the policy. */
  policy_strict (&policy);
  g_autoptr (GBytes) ma = report_modified (&cases[2], 0x0A, 0, 0x04);
  expect_refusal (&cases[2], ma, NULL, &policy, JC_ERROR_BAD_SIGNATURE, NULL);
}

/* A root certificate with the very name of AMD's Milan ARK but another key (made here) is
 * refused: only the built-in ARKs are anchors. */
static void
test_forged_ark (void)
{
  gnutls_x509_privkey_t key;
  gnutls_x509_crt_t crt;
  gnutls_x509_crt_t ark;
  gnutls_datum_t der = { 0 };
  unsigned char serial[1] = { 1 };

  /* The real ARK's name, attribute by attribute with the same encodings. */
  g_autoptr (GBytes) ark_pem = pem_nth (cases[1].chain, 1);
  gnutls_datum_t ark_datum = { (unsigned char *) g_bytes_get_data (ark_pem, NULL),
                               g_bytes_get_size (ark_pem) };
  g_assert_cmpint (gnutls_x509_crt_init (&ark), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_import (ark, &ark_datum, GNUTLS_X509_FMT_PEM), ==, 0);
  g_assert_cmpint (gnutls_x509_privkey_init (&key), ==, 0);
  g_assert_cmpint (gnutls_x509_privkey_generate (key, GNUTLS_PK_ECDSA,
                                                 GNUTLS_CURVE_TO_BITS (GNUTLS_ECC_CURVE_SECP256R1), 0), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_init (&crt), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_set_version (crt, 3), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_set_serial (crt, serial, 1), ==, 0);
  for (unsigned i = 0;; i++)
    {
      char oid[128], value[256];
      size_t oid_size = sizeof oid, value_size = sizeof value;
      if (gnutls_x509_crt_get_dn_oid (ark, i, oid, &oid_size) < 0)
        break;
      g_assert_cmpint (gnutls_x509_crt_get_dn_by_oid (ark, oid, 0, 1, value, &value_size), ==, 0);
      g_assert_cmpint (gnutls_x509_crt_set_dn_by_oid (crt, oid, 1, value, value_size), ==, 0);
      g_assert_cmpint (gnutls_x509_crt_set_issuer_dn_by_oid (crt, oid, 1, value, value_size), ==, 0);
    }
  g_assert_cmpint (gnutls_x509_crt_set_activation_time (crt, at ("2020-01-01T00:00:00Z")), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_set_expiration_time (crt, at ("2040-01-01T00:00:00Z")), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_set_basic_constraints (crt, 1, -1), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_set_key (crt, key), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_sign2 (crt, crt, key, GNUTLS_DIG_SHA256, 0), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_export2 (crt, GNUTLS_X509_FMT_DER, &der), ==, 0);

  GPtrArray *certs = certs_of (cases[1].vcek, NULL);
  g_ptr_array_add (certs, pem_nth (cases[1].chain, 0));      /* the real ASK */
  g_ptr_array_add (certs, g_bytes_new (der.data, der.size));  /* the forged ARK */
  JcTeePolicy policy;
  policy_lenient (&policy);
  expect_refusal (&cases[1], NULL, certs, &policy, JC_ERROR_UNTRUSTED, "not AMD's ARK");
  g_ptr_array_unref (certs);
  gnutls_free (der.data);
  gnutls_x509_crt_deinit (crt);
  gnutls_x509_crt_deinit (ark);
  gnutls_x509_privkey_deinit (key);
}

/* Turin: no real report exists in the test data, so a report is built with the Turin VCEK's
 * CHIP_ID and TCB. Every check up to the signature must pass (product, chain, 8-byte hwID,
 * fmcSPL); the signature then fails, which is the expected refusal. */
static void
test_turin_chain (void)
{
  guint8 buf[JC_SNP_REPORT_SIZE] = { 0 };
  static const guint8 hwid[8] = { 0x1E, 0x55, 0x0A, 0x8E, 0xE5, 0xCF, 0x9F, 0x4D };
  JcTeePolicy policy;
  policy_lenient (&policy);
  policy.at = at ("2026-01-01T00:00:00Z");
  buf[0] = 3;                 /* version */
  buf[0x08] = 0x00; buf[0x0A] = 0x03;   /* policy 0x30000 */
  buf[0x34] = 1;              /* ECDSA P-384 */
  buf[0x188] = 0x1A;          /* CPUID family: Turin */
  buf[0x180 + 7] = 9;         /* REPORTED_TCB: fmc=0 bl=0 tee=0 snp=0 ucode=9 */
  memcpy (buf + 0x1A0, hwid, 8);
  buf[0x2A0] = 1; buf[0x2E8] = 1;
  g_autoptr (GBytes) r = g_bytes_new (buf, sizeof buf);
  g_autoptr (GPtrArray) certs = certs_of ("sev-snp/virtee-sev/vcek_turin.der",
                                          "sev-snp/virtee-sev/cert_chain_turin", NULL);
  expect_refusal (NULL, r, certs, &policy, JC_ERROR_BAD_SIGNATURE, "signature");
  /* Only the built-in Turin ASK/ARK. */
  g_autoptr (GPtrArray) alone = certs_of ("sev-snp/virtee-sev/vcek_turin.der", NULL);
  expect_refusal (NULL, r, alone, &policy, JC_ERROR_BAD_SIGNATURE, "signature");
  /* FMC SPL differs from the certificate's. */
  buf[0x180] = 1;
  g_autoptr (GBytes) r2 = g_bytes_new (buf, sizeof buf);
  expect_refusal (NULL, r2, certs, &policy, JC_ERROR_UNTRUSTED, "fmc=1");
  buf[0x180] = 0;
  /* Another chip. */
  buf[0x1A0] ^= 1;
  g_autoptr (GBytes) r3 = g_bytes_new (buf, sizeof buf);
  expect_refusal (NULL, r3, certs, &policy, JC_ERROR_UNTRUSTED, "another chip");
  buf[0x1A0] ^= 1;
  /* A Milan CPUID with a Turin VCEK. */
  buf[0x188] = 0x19;
  g_autoptr (GBytes) r4 = g_bytes_new (buf, sizeof buf);
  expect_refusal (NULL, r4, certs, &policy, JC_ERROR_UNTRUSTED, "Turin");
}

/* --- Certificate table and configfs-tsm ------------------------------------------------- */

static const char *vcek_guid = "63da758d-e664-4564-adc5-f4b93be8accd";
static const char *ask_guid = "4ab7b379-bbac-4fe4-a02f-05aef327c782";
static const char *ark_guid = "c0b406a4-a803-4952-9743-3fb6014cd0ae";
static const char *crl_guid = "92f81bc3-5811-4d3d-97ff-d19f88dc67ea";

static void
put_guid (GByteArray *a, const char *text)
{
  /* Wire order: the bytes as the GUID text is written. */
  g_autofree char *hex = g_strdup (text);
  guint8 b[16];
  char *w = hex;
  for (const char *p = text; *p; p++)
    if (*p != '-')
      *w++ = *p;
  *w = 0;
  g_assert_true (jc_hex_decode_into (hex, b, 16, NULL));
  g_byte_array_append (a, b, 16);
}

static void
put_le32 (GByteArray *a, guint32 v)
{
  guint8 b[4] = { v, v >> 8, v >> 16, v >> 24 };
  g_byte_array_append (a, b, 4);
}

/* A table as a host builds it: GUID/offset/length entries, a zero entry, then the blobs. */
static GBytes *
make_table (const char **guids, GBytes **blobs, guint n)
{
  g_autoptr (GByteArray) a = g_byte_array_new ();
  guint32 off = 24 * (n + 1);
  for (guint i = 0; i < n; i++)
    {
      put_guid (a, guids[i]);
      put_le32 (a, off);
      put_le32 (a, g_bytes_get_size (blobs[i]));
      off += g_bytes_get_size (blobs[i]);
    }
  guint8 zero[24] = { 0 };
  g_byte_array_append (a, zero, 24);
  for (guint i = 0; i < n; i++)
    g_byte_array_append (a, g_bytes_get_data (blobs[i], NULL), g_bytes_get_size (blobs[i]));
  return g_byte_array_free_to_bytes (g_steal_pointer (&a));
}

static GBytes *
pem_to_der (GBytes *pem)
{
  g_autofree char *text = g_strndup (g_bytes_get_data (pem, NULL), g_bytes_get_size (pem));
  char *b = strstr (text, "-----BEGIN CERTIFICATE-----") + 27;
  *strstr (b, "-----END") = 0;
  gsize len;
  guchar *der = g_base64_decode (b, &len);
  return g_bytes_new_take (der, len);
}

static GBytes *
gosevguest_table (void)
{
  g_autoptr (GBytes) vcek = attest_testdata_load ("sev-snp/go-sev-guest/vcek.testcer");
  g_autoptr (GBytes) ask_pem = pem_nth ("sev-snp/go-sev-guest/ask_ark_milan.pem", 0);
  g_autoptr (GBytes) ark_pem = pem_nth ("sev-snp/go-sev-guest/ask_ark_milan.pem", 1);
  g_autoptr (GBytes) ask = pem_to_der (ask_pem);
  g_autoptr (GBytes) ark = pem_to_der (ark_pem);
  g_autoptr (GBytes) crl = g_bytes_new_static ("crl", 3);
  const char *guids[] = { ark_guid, crl_guid, vcek_guid, ask_guid };
  GBytes *blobs[] = { ark, crl, vcek, ask };
  return make_table (guids, blobs, 4);
}

static void
test_cert_table (void)
{
  g_autoptr (GBytes) table = gosevguest_table ();
  g_autoptr (GError) error = NULL;
  JcSnpCertTable t;
  g_assert_true (jc_snp_cert_table_parse (g_bytes_get_data (table, NULL), g_bytes_get_size (table),
                                          &t, &error));
  g_assert_no_error (error);
  g_assert_nonnull (t.vcek);
  g_assert_nonnull (t.ask);
  g_assert_nonnull (t.ark);
  g_assert_null (t.vlek);
  g_autoptr (GBytes) vcek = attest_testdata_load ("sev-snp/go-sev-guest/vcek.testcer");
  g_assert_true (g_bytes_equal (t.vcek, vcek));

  /* The certificates from the table verify the report. */
  g_autoptr (GPtrArray) list = jc_snp_cert_table_to_list (&t);
  g_assert_cmpuint (list->len, ==, 3);
  g_autoptr (GBytes) report = load_report (cases[0].report);
  JcTeePolicy policy;
  JcTeeVerdict v;
  policy_lenient (&policy);
  g_assert_true (verify (report, list, &policy, &v, &error));
  jc_tee_verdict_clear (&v);
  jc_snp_cert_table_clear (&t);

  /* Malformed tables. */
  gsize len;
  const guint8 *d = g_bytes_get_data (table, &len);
  g_autofree guint8 *bad = g_memdup2 (d, len);
  g_autoptr (GError) e1 = NULL, e2 = NULL, e3 = NULL;
  g_assert_false (jc_snp_cert_table_parse (bad, 24 * 3, &t, &e1));   /* no terminator */
  g_assert_error (e1, JC_ERROR, JC_ERROR_INVALID);
  bad[16 + 3] = 0x7f;   /* first entry's offset far outside */
  g_assert_false (jc_snp_cert_table_parse (bad, len, &t, &e2));
  g_assert_error (e2, JC_ERROR, JC_ERROR_INVALID);
  memcpy (bad, d, len);
  memcpy (bad + 24 + 0, bad + 48, 16);   /* VCEK listed twice */
  g_assert_false (jc_snp_cert_table_parse (bad, len, &t, &e3));
  g_assert_error (e3, JC_ERROR, JC_ERROR_INVALID);
  /* An empty table (only the terminator) is valid and empty. */
  guint8 zero[24] = { 0 };
  g_assert_true (jc_snp_cert_table_parse (zero, 24, &t, NULL));
  g_assert_null (t.vcek);
}

static void
write_file (const char *dir, const char *name, const void *data, gsize len)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_assert_true (g_file_set_contents (path, data, len, NULL));
}

/* A stand-in for the kernel side of a configfs-tsm entry: inblob and outblob are FIFOs, so
 * the order of events is the kernel's: our write of inblob is taken, the generation advances,
 * and only then can outblob be read. */
typedef struct {
  char   *dir;
  GBytes *report;
  guint8  received[64];
  gssize  received_len;
} FakeKernel;

static gpointer
fake_kernel (gpointer data)
{
  FakeKernel *k = data;
  g_autofree char *inblob = g_build_filename (k->dir, "inblob", NULL);
  g_autofree char *outblob = g_build_filename (k->dir, "outblob", NULL);
  g_autofree char *generation = g_build_filename (k->dir, "generation", NULL);
  int fd = open (inblob, O_RDONLY);
  g_assert_cmpint (fd, >=, 0);
  k->received_len = 0;
  for (gssize n; (n = read (fd, k->received + k->received_len,
                            sizeof k->received - k->received_len)) > 0;)
    k->received_len += n;
  close (fd);
  g_assert_true (g_file_set_contents (generation, "8\n", 2, NULL));
  fd = open (outblob, O_WRONLY);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (write (fd, g_bytes_get_data (k->report, NULL), g_bytes_get_size (k->report)),
                   ==, (gssize) g_bytes_get_size (k->report));
  close (fd);
  return NULL;
}

static void
remove_entry (const char *dir)
{
  const char *names[] = { "provider", "generation", "inblob", "outblob", "auxblob" };
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *p = g_build_filename (dir, names[i], NULL);
      g_unlink (p);
    }
  g_rmdir (dir);
}

/* configfs-tsm's file protocol against a fake entry directory made here (the real one is a
 * configfs directory of the kernel; this machine has no SEV-SNP guest). */
static void
test_tsm_request (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("jc-tsm-XXXXXX", &error);
  g_assert_no_error (error);
  g_autoptr (GBytes) report_file = attest_testdata_load ("sev-snp/go-sev-guest/attestation.bin");
  g_autoptr (GBytes) table = gosevguest_table ();
  g_autofree char *inblob = g_build_filename (dir, "inblob", NULL);
  g_autofree char *outblob = g_build_filename (dir, "outblob", NULL);
  write_file (dir, "provider", "sev_guest\n", 10);
  write_file (dir, "generation", "7\n", 2);
  write_file (dir, "auxblob", g_bytes_get_data (table, NULL), g_bytes_get_size (table));
  g_assert_cmpint (mkfifo (inblob, 0600), ==, 0);
  g_assert_cmpint (mkfifo (outblob, 0600), ==, 0);

  guint8 rd[64];
  for (guint i = 0; i < 64; i++)
    rd[i] = i * 3;
  FakeKernel k = { dir, report_file };
  GThread *kernel = g_thread_new ("fake-kernel", fake_kernel, &k);
  g_autoptr (GBytes) report = NULL, aux = NULL;
  gboolean ok = jc_snp_tsm_request (dir, rd, &report, &aux, &error);
  g_thread_join (kernel);
  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_true (g_bytes_equal (report, report_file));
  g_assert_true (g_bytes_equal (aux, table));
  /* The report data went into inblob in one piece. */
  g_assert_cmpmem (k.received, k.received_len, rd, 64);
  /* What came back verifies, with the certificates from auxblob. */
  JcSnpCertTable t;
  g_assert_true (jc_snp_cert_table_parse (g_bytes_get_data (aux, NULL), g_bytes_get_size (aux), &t, NULL));
  g_autoptr (GPtrArray) certs = jc_snp_cert_table_to_list (&t);
  jc_snp_cert_table_clear (&t);
  JcTeePolicy policy;
  JcTeeVerdict v;
  policy_lenient (&policy);
  g_assert_true (verify (report, certs, &policy, &v, &error));
  jc_tee_verdict_clear (&v);

  /* From here on inblob and outblob are plain files: nothing advances the generation, as if
   * another writer had raced us, and the request is refused. */
  g_unlink (inblob);
  g_unlink (outblob);
  write_file (dir, "inblob", "", 0);
  write_file (dir, "outblob", g_bytes_get_data (report_file, NULL), g_bytes_get_size (report_file));
  g_autoptr (GBytes) r2 = NULL, a2 = NULL;
  g_autoptr (GError) e1 = NULL;
  g_assert_false (jc_snp_tsm_request (dir, rd, &r2, &a2, &e1));
  g_assert_error (e1, JC_ERROR, JC_ERROR_STATE);
  g_assert_null (r2);
  /* Another TEE's provider is refused, and the generic request accepts it. */
  write_file (dir, "provider", "tdx_guest\n", 10);
  g_autoptr (GError) e2 = NULL;
  g_assert_false (jc_snp_tsm_request (dir, rd, &r2, &a2, &e2));
  g_assert_error (e2, JC_ERROR, JC_ERROR_UNSUPPORTED);
  g_autoptr (GError) e3 = NULL;
  g_assert_false (jc_tsm_request (dir, "tdx_guest", rd, &r2, &a2, &e3));
  g_assert_error (e3, JC_ERROR, JC_ERROR_STATE);   /* past the provider check */
  /* A garbled generation is refused. */
  write_file (dir, "provider", "sev_guest\n", 10);
  write_file (dir, "generation", "x\n", 2);
  g_autoptr (GError) e4 = NULL;
  g_assert_false (jc_snp_tsm_request (dir, rd, &r2, &a2, &e4));
  g_assert_error (e4, JC_ERROR, JC_ERROR_INVALID);
  /* A missing outblob. */
  write_file (dir, "generation", "8\n", 2);
  g_unlink (outblob);
  g_autoptr (GError) e5 = NULL;
  g_assert_false (jc_snp_tsm_request (dir, rd, &r2, &a2, &e5));
  remove_entry (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  attest_testdata_require ("SEV-SNP");
  g_test_add_func ("/attest/snp/parse-fields", test_parse_fields);
  g_test_add_func ("/attest/snp/parse-malformed", test_parse_malformed);
  g_test_add_func ("/attest/snp/verify-valid", test_verify_valid);
  g_test_add_func ("/attest/snp/verify-builtin-chain", test_verify_builtin_chain);
  g_test_add_func ("/attest/snp/strict-policy", test_strict_policy);
  g_test_add_func ("/attest/snp/expired", test_expired);
  g_test_add_func ("/attest/snp/tampered", test_tampered);
  g_test_add_func ("/attest/snp/wrong-certs", test_wrong_certs);
  g_test_add_func ("/attest/snp/policy-checks", test_policy_checks);
  g_test_add_func ("/attest/snp/forged-ark", test_forged_ark);
  g_test_add_func ("/attest/snp/turin-chain", test_turin_chain);
  g_test_add_func ("/attest/snp/cert-table", test_cert_table);
  g_test_add_func ("/attest/snp/tsm-request", test_tsm_request);
  return g_test_run ();
}
