#define G_LOG_DOMAIN "joconde-test"
#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "attest-testdata.h"
#include "jc-encoding.h"
#include "jc-error.h"
#include "jc-attest-x509.h"
#include "jc-tdx.h"
#include "jc-tdx-private.h"
#include "jc-time.h"

/* TDX quote verification against the real quotes and collateral of
 * $JC_TESTDATA_DIR/attestation/tdx (see its README.md and expected.json). */

static gint64
at (const char *rfc3339)
{
  gint64 t;
  g_assert_true (jc_time_parse (rfc3339, &t, NULL));
  return t;
}

typedef struct {
  const char *file;
  const char *time;      /* inside the validity of the quote's PCK chain */
  gboolean    debug;
} Case;

static const Case cases[] = {
  { "tdx/go-tdx-guest/tdx_prod_quote_SPR_E4.dat", "2023-07-01T00:00:00Z", FALSE },
  { "tdx/go-tdx-guest/quote_v5_sample.dat", "2026-02-03T00:00:00Z", FALSE },
  { "tdx/go-tdx-guest/ccel/cos-113-tdx-quote.dat", "2025-01-01T00:00:00Z", FALSE },
  { "tdx/trustee/tdx_quote_4.dat", "2023-07-01T00:00:00Z", TRUE },
  { "tdx/trustee/tdx_quote_5.dat", "2024-06-01T00:00:00Z", FALSE },
  { "tdx/trustee/tdx_quote_6.dat", "2025-06-01T00:00:00Z", FALSE },
};

static JsonObject *
expected_tdx (const char *file, JsonParser **keep)
{
  *keep = attest_testdata_expected ();
  JsonArray *a = json_object_get_array_member (json_node_get_object (json_parser_get_root (*keep)), "tdx");
  for (guint i = 0; i < json_array_get_length (a); i++)
    {
      JsonObject *o = json_array_get_object_element (a, i);
      if (g_str_equal (json_object_get_string_member (o, "quote"), file))
        return o;
    }
  g_error ("expected.json has no TDX case %s", file);
}

static void
assert_hex (const guint8 *data, gsize len, const char *expected)
{
  g_autofree char *hex = jc_hex_encode (data, len);
  g_assert_cmpstr (hex, ==, expected);
}

static void
policy_for (const Case *c, gboolean strict, JcTeePolicy *p)
{
  jc_tee_policy_init (p, JC_TEE_PLATFORM_TDX);
  p->at = at (c->time);
  p->allow_debug = !strict;
}

static void
test_parse_fields (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (JsonParser) parser = NULL;
      JsonObject *e = expected_tdx (cases[i].file, &parser);
      JsonObject *td = json_object_get_object_member (e, "td_report");
      g_autoptr (GBytes) bytes = attest_testdata_load (cases[i].file);
      g_autoptr (GError) error = NULL;
      JcTdxQuote q;
      g_test_message ("%s", cases[i].file);
      g_assert_cmpuint (g_bytes_get_size (bytes), ==, json_object_get_int_member (e, "file_size"));
      g_assert_true (jc_tdx_quote_parse (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                                         &q, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (q.version, ==, json_object_get_int_member (e, "quote_version"));
      if (!json_object_get_null_member (e, "body_type"))
        g_assert_cmpuint (q.body_type, ==, json_object_get_int_member (e, "body_type"));
      g_assert_cmpuint (q.signed_len, ==, json_object_get_int_member (e, "signed_region_len"));
      g_assert_cmpuint (q.quote_len, ==, json_object_get_int_member (e, "quote_len_used"));
      assert_hex (q.td.tee_tcb_svn, 16, json_object_get_string_member (td, "tee_tcb_svn"));
      assert_hex (q.td.mrseam, 48, json_object_get_string_member (td, "mrseam"));
      assert_hex (q.td.mrsignerseam, 48, json_object_get_string_member (td, "mrsignerseam"));
      assert_hex (q.td.seam_attributes, 8, json_object_get_string_member (td, "seamattributes"));
      assert_hex (q.td.td_attributes, 8, json_object_get_string_member (td, "tdattributes"));
      assert_hex (q.td.xfam, 8, json_object_get_string_member (td, "xfam"));
      assert_hex (q.td.mrtd, 48, json_object_get_string_member (td, "mrtd"));
      assert_hex (q.td.mrconfigid, 48, json_object_get_string_member (td, "mrconfigid"));
      assert_hex (q.td.mrowner, 48, json_object_get_string_member (td, "mrowner"));
      assert_hex (q.td.mrownerconfig, 48, json_object_get_string_member (td, "mrownerconfig"));
      assert_hex (q.td.rtmr[0], 48, json_object_get_string_member (td, "rtmr0"));
      assert_hex (q.td.rtmr[1], 48, json_object_get_string_member (td, "rtmr1"));
      assert_hex (q.td.rtmr[2], 48, json_object_get_string_member (td, "rtmr2"));
      assert_hex (q.td.rtmr[3], 48, json_object_get_string_member (td, "rtmr3"));
      assert_hex (q.td.report_data, 64, json_object_get_string_member (td, "reportdata"));
    }
}

static void
test_parse_malformed (void)
{
  g_autoptr (GBytes) good = attest_testdata_load (cases[0].file);
  gsize len = g_bytes_get_size (good);
  g_autofree guint8 *buf = g_memdup2 (g_bytes_get_data (good, NULL), len);
  JcTdxQuote q;
  /* Every truncation is refused cleanly. */
  for (gsize n = 0; n < 4935; n += 97)
    {
      g_autoptr (GError) error = NULL;
      g_assert_false (jc_tdx_quote_parse (buf, n, &q, &error));
      g_assert_error (error, JC_ERROR, JC_ERROR_INVALID);
    }
  /* A raw TDREPORT (with its MAC, not a quote) is not taken for one. */
  g_autoptr (GBytes) tdreport = attest_testdata_load ("tdx/go-tdx-guest/report.dat");
  g_autoptr (GError) e0 = NULL;
  g_assert_false (jc_tdx_quote_parse (g_bytes_get_data (tdreport, NULL), g_bytes_get_size (tdreport),
                                      &q, &e0));
  g_assert_nonnull (e0);
  g_autoptr (GError) e1 = NULL, e2 = NULL, e3 = NULL;
  buf[0] = 3;
  g_assert_false (jc_tdx_quote_parse (buf, len, &q, &e1));
  g_assert_error (e1, JC_ERROR, JC_ERROR_UNSUPPORTED);
  buf[0] = 4;
  buf[4] = 0x00;   /* TEE type SGX */
  g_assert_false (jc_tdx_quote_parse (buf, len, &q, &e2));
  g_assert_error (e2, JC_ERROR, JC_ERROR_UNSUPPORTED);
  buf[4] = 0x81;
  buf[632] = 0xff; buf[633] = 0xff;   /* signature data length beyond the end */
  g_assert_false (jc_tdx_quote_parse (buf, len, &q, &e3));
  g_assert_error (e3, JC_ERROR, JC_ERROR_INVALID);
}

static gboolean
verify (GBytes *quote, const JcTdxCollateral *col, const JcTeePolicy *policy, JcTeeVerdict *v,
        GError **error)
{
  gboolean ok = jc_tdx_verify (quote, col, policy, v, error);
  if (!ok)
    g_test_message ("refused: %s", (*error)->message);
  return ok;
}

static void
expect_refusal (GBytes *quote, const JcTdxCollateral *col, const JcTeePolicy *policy, gint code,
                const char *words)
{
  g_autoptr (GError) error = NULL;
  JcTeeVerdict v;
  g_assert_false (verify (quote, col, policy, &v, &error));
  g_assert_error (error, JC_ERROR, code);
  if (words && !strstr (error->message, words))
    g_error ("refusal “%s” does not mention “%s”", error->message, words);
}

static void
test_verify_valid (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (JsonParser) parser = NULL;
      JsonObject *td = json_object_get_object_member (expected_tdx (cases[i].file, &parser), "td_report");
      g_autoptr (GBytes) quote = attest_testdata_load (cases[i].file);
      g_autoptr (GError) error = NULL;
      JcTeePolicy policy;
      JcTeeVerdict v;
      g_test_message ("%s", cases[i].file);
      policy_for (&cases[i], FALSE, &policy);
      g_assert_true (verify (quote, NULL, &policy, &v, &error));
      g_assert_cmpint (v.platform, ==, JC_TEE_PLATFORM_TDX);
      g_assert_false (v.simulated);
      g_assert_cmpint (v.debug, ==, cases[i].debug);
      assert_hex (v.measurement, 48, json_object_get_string_member (td, "mrtd"));
      assert_hex (v.report_data, 64, json_object_get_string_member (td, "reportdata"));
      g_assert_cmpstr (v.signer, ==, "PCK (Intel SGX Root CA)");
      g_assert_nonnull (strstr (v.tcb, "tcb_status=not-checked"));
      jc_tee_verdict_clear (&v);
    }
}

static void
test_strict_policy (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GBytes) quote = attest_testdata_load (cases[i].file);
      JcTeePolicy policy;
      policy_for (&cases[i], TRUE, &policy);
      if (cases[i].debug)
        expect_refusal (quote, NULL, &policy, JC_ERROR_DENIED, "DEBUG");
      else
        {
          JcTeeVerdict v;
          g_autoptr (GError) error = NULL;
          g_assert_true (verify (quote, NULL, &policy, &v, &error));
          jc_tee_verdict_clear (&v);
        }
    }
  g_autoptr (GBytes) quote = attest_testdata_load (cases[0].file);
  JcTeePolicy policy;
  policy_for (&cases[0], TRUE, &policy);
  policy.platform = JC_TEE_PLATFORM_SEV_SNP;
  expect_refusal (quote, NULL, &policy, JC_ERROR_DENIED, "sev-snp");
}

static GBytes *
modified (GBytes *b, gsize off, guint8 xor_mask)
{
  gsize len = g_bytes_get_size (b);
  guint8 *d = g_memdup2 (g_bytes_get_data (b, NULL), len);
  d[off] ^= xor_mask;
  return g_bytes_new_take (d, len);
}

/* Byte flips in the signed region (header after the fields the parser checks, descriptor
 * and body) break the quote signature; flips in the QE report, the attestation key or the QE
 * authentication data break their own checks. */
static void
test_tampered (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GBytes) quote = attest_testdata_load (cases[i].file);
      JcTdxQuote q;
      JcTeePolicy policy;
      policy_for (&cases[i], FALSE, &policy);
      g_assert_true (jc_tdx_quote_parse (g_bytes_get_data (quote, NULL), g_bytes_get_size (quote),
                                         &q, NULL));
      gsize body = q.version == 5 ? 54 : 48;
      for (gsize off = 28; off < q.signed_len; off += 53)
        {
          if (off >= 48 && off < body)
            continue;
          g_autoptr (GBytes) m = modified (quote, off, 0x20);
          expect_refusal (m, NULL, &policy, JC_ERROR_BAD_SIGNATURE, "quote's signature");
        }
      const guint8 *base = g_bytes_get_data (quote, NULL);
      g_autoptr (GBytes) sig = modified (quote, q.signature - base + 7, 0x01);
      expect_refusal (sig, NULL, &policy, JC_ERROR_BAD_SIGNATURE, NULL);
      g_autoptr (GBytes) qe = modified (quote, q.qe_report - base + 100, 0x01);
      expect_refusal (qe, NULL, &policy, JC_ERROR_BAD_SIGNATURE, "Quoting Enclave");
      g_autoptr (GBytes) key = modified (quote, q.attestation_key - base + 3, 0x01);
      expect_refusal (key, NULL, &policy, JC_ERROR_UNTRUSTED, "attestation key");
      g_autoptr (GBytes) auth = modified (quote, q.qe_auth_data - base, 0x01);
      expect_refusal (auth, NULL, &policy, JC_ERROR_UNTRUSTED, "attestation key");
      /* The PCK certificate (a byte in the middle of its base64) breaks the chain. */
      g_autoptr (GBytes) pck = modified (quote, q.pck_chain_pem - base + 300, 0x01);
      g_autoptr (GError) error = NULL;
      JcTeeVerdict v;
      g_assert_false (verify (pck, NULL, &policy, &v, &error));
    }
}

static void
test_expired (void)
{
  g_autoptr (GBytes) quote = attest_testdata_load (cases[0].file);
  JcTeePolicy policy;
  policy_for (&cases[0], FALSE, &policy);
  policy.at = at ("2029-09-21T00:00:00Z");   /* PCK leaf valid until 2029-09-20 */
  expect_refusal (quote, NULL, &policy, JC_ERROR_EXPIRED, "PCK");
  policy.at = at ("2022-01-01T00:00:00Z");
  expect_refusal (quote, NULL, &policy, JC_ERROR_EXPIRED, NULL);
}

static void
test_policy_checks (void)
{
  g_autoptr (GBytes) quote = attest_testdata_load (cases[0].file);
  JcTdxQuote q;
  g_assert_true (jc_tdx_quote_parse (g_bytes_get_data (quote, NULL), g_bytes_get_size (quote), &q, NULL));
  JcTeePolicy policy;
  JcTeeVerdict v;

  policy_for (&cases[0], TRUE, &policy);
  policy.check_report_data = TRUE;
  memcpy (policy.report_data, q.td.report_data, 64);
  {
    g_autoptr (GError) error = NULL;
    g_assert_true (verify (quote, NULL, &policy, &v, &error));
    jc_tee_verdict_clear (&v);
  }
  policy.report_data[0] ^= 1;
  expect_refusal (quote, NULL, &policy, JC_ERROR_DENIED, "report data");

  /* Allow-list: MRTD alone, then MRTD with its RTMRs. */
  policy_for (&cases[0], TRUE, &policy);
  policy.measurements = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_ptr_array_add (policy.measurements, g_bytes_new (q.td.mrtd, 48));
  {
    g_autoptr (GError) error = NULL;
    g_assert_true (verify (quote, NULL, &policy, &v, &error));
    jc_tee_verdict_clear (&v);
  }
  guint8 full[5 * 48];
  memcpy (full, q.td.mrtd, 48);
  memcpy (full + 48, q.td.rtmr, 4 * 48);
  g_ptr_array_set_size (policy.measurements, 0);
  g_ptr_array_add (policy.measurements, g_bytes_new (full, sizeof full));
  {
    g_autoptr (GError) error = NULL;
    g_assert_true (verify (quote, NULL, &policy, &v, &error));
    jc_tee_verdict_clear (&v);
  }
  full[48 + 2 * 48 + 5] ^= 1;   /* RTMR2 differs */
  g_ptr_array_set_size (policy.measurements, 0);
  g_ptr_array_add (policy.measurements, g_bytes_new (full, sizeof full));
  expect_refusal (quote, NULL, &policy, JC_ERROR_DENIED, "measurement");
  jc_tee_policy_clear (&policy);
}

/* TCB Info collateral of the SPR quote, at the upstream tests' time 2023-07-01. */
static void
test_collateral (void)
{
  g_autoptr (GBytes) quote = attest_testdata_load (cases[0].file);
  g_autoptr (GBytes) info = attest_testdata_load ("tdx/go-tdx-guest/sample_tcbInfo_response");
  g_autoptr (GBytes) chain = attest_testdata_load ("tdx/go-tdx-guest/tcbinfo_issuer_chain.pem");
  JcTdxCollateral col = { info, chain };
  JcTeePolicy policy;
  policy_for (&cases[0], TRUE, &policy);
  /* The collateral is authentic, for this FMSPC and current at 2023-07-01, but the PCK
   * certificate's SGX TCB (3 3 2 2 2 1 0 2…, PCESVN 11) is below both of its levels
   * (5 5 2 2 3 1 0 3…): Intel's rules give no status, so the quote is refused. (Upstream
   * go-tdx-guest zeroes the levels' SVNs in its test to get a status.) */
  expect_refusal (quote, &col, &policy, JC_ERROR_UNTRUSTED, "older than every level");

  /* Stale: past nextUpdate (2023-07-18); past the TCB signing certificate (2025-05-21). */
  policy.at = at ("2023-08-01T00:00:00Z");
  expect_refusal (quote, &col, &policy, JC_ERROR_EXPIRED, "collateral");
  policy.at = at ("2025-06-01T00:00:00Z");
  expect_refusal (quote, &col, &policy, JC_ERROR_EXPIRED, "TCB Signing");
  policy.at = at (cases[0].time);

  /* A byte changed inside the signed tcbInfo. */
  gsize len = g_bytes_get_size (info);
  g_autofree char *text = g_strndup (g_bytes_get_data (info, NULL), len);
  char *svn = strstr (text, "\"pcesvn\":11");
  g_assert_nonnull (svn);
  svn[10] = '0';
  g_autoptr (GBytes) forged = g_bytes_new (text, len);
  JcTdxCollateral bad = { forged, chain };
  expect_refusal (quote, &bad, &policy, JC_ERROR_BAD_SIGNATURE, "TCB Info");

  /* No signing chain. */
  JcTdxCollateral nochain = { info, NULL };
  expect_refusal (quote, &nochain, &policy, JC_ERROR_NOT_FOUND, NULL);
  /* The PCK chain in place of the TCB signing chain: signed by another key. */
  g_autoptr (GBytes) pck_chain = attest_testdata_load ("tdx/go-tdx-guest/pckcrl_issuer_chain.pem");
  JcTdxCollateral wrong = { info, pck_chain };
  expect_refusal (quote, &wrong, &policy, JC_ERROR_BAD_SIGNATURE, NULL);

  /* Collateral for another platform type: trustee's v5 quote (FMSPC 90c06f000000). */
  g_autoptr (GBytes) other = attest_testdata_load (cases[4].file);
  JcTeePolicy p5;
  policy_for (&cases[4], FALSE, &p5);
  expect_refusal (other, &col, &p5, JC_ERROR_UNTRUSTED, "FMSPC");

  /* Garbage. */
  g_autoptr (GBytes) junk = g_bytes_new_static ("{\"tcbInfo\": [", 13);
  JcTdxCollateral j = { junk, chain };
  expect_refusal (quote, &j, &policy, JC_ERROR_INVALID, NULL);
}

/* QE Identity and CRLs of the SPR quote, current at 2023-07-01 (PCK CRL and QE Identity
 * until 2023-07-08). */
static void
test_qe_identity_and_crls (void)
{
  g_autoptr (GBytes) quote = attest_testdata_load (cases[0].file);
  g_autoptr (GBytes) qe_id = attest_testdata_load ("tdx/go-tdx-guest/sample_qeIdentity_response");
  g_autoptr (GBytes) qe_chain = attest_testdata_load ("tdx/go-tdx-guest/qeidentity_issuer_chain.pem");
  g_autoptr (GBytes) pck_crl = attest_testdata_load ("tdx/go-tdx-guest/pckcrl");
  g_autoptr (GBytes) root_crl = attest_testdata_load ("tdx/go-tdx-guest/rootcrl.der");
  JcTdxCollateral col = { .qe_identity = qe_id, .qe_identity_chain = qe_chain,
                          .pck_crl = pck_crl, .root_crl = root_crl };
  JcTeePolicy policy;
  JcTeeVerdict v;
  policy_for (&cases[0], TRUE, &policy);
  {
    g_autoptr (GError) error = NULL;
    g_assert_true (verify (quote, &col, &policy, &v, &error));
    g_test_message ("TCB: %s", v.tcb);
    g_assert_nonnull (strstr (v.tcb, "qe_status=UpToDate"));
    jc_tee_verdict_clear (&v);
  }
  /* Past the PCK CRL's nextUpdate. */
  policy.at = at ("2023-07-09T00:00:00Z");
  expect_refusal (quote, &col, &policy, JC_ERROR_EXPIRED, "PCK CRL");
  /* Without the CRLs, the QE Identity is stale at that time too. */
  JcTdxCollateral qe_only = { .qe_identity = qe_id, .qe_identity_chain = qe_chain };
  expect_refusal (quote, &qe_only, &policy, JC_ERROR_EXPIRED, "QE Identity");
  policy.at = at (cases[0].time);

  /* The root CRL in place of the PCK CA's. */
  JcTdxCollateral swapped = { .pck_crl = root_crl };
  expect_refusal (quote, &swapped, &policy, JC_ERROR_UNTRUSTED, "not issued by");
  /* A changed byte in the PCK CRL's signed list. */
  g_autoptr (GBytes) bad_crl = modified (pck_crl, 200, 0x01);
  JcTdxCollateral tampered = { .pck_crl = bad_crl };
  g_autoptr (GError) e1 = NULL;
  g_assert_false (verify (quote, &tampered, &policy, &v, &e1));
  g_assert_true (g_error_matches (e1, JC_ERROR, JC_ERROR_BAD_SIGNATURE)
                 || g_error_matches (e1, JC_ERROR, JC_ERROR_INVALID));
  /* A changed byte in the signed QE Identity. */
  gsize len = g_bytes_get_size (qe_id);
  g_autofree char *text = g_strndup (g_bytes_get_data (qe_id, NULL), len);
  char *svn = strstr (text, "\"isvsvn\":4");
  g_assert_nonnull (svn);
  svn[9] = '1';
  g_autoptr (GBytes) forged = g_bytes_new (text, len);
  JcTdxCollateral forged_id = { .qe_identity = forged, .qe_identity_chain = qe_chain };
  expect_refusal (quote, &forged_id, &policy, JC_ERROR_BAD_SIGNATURE, "QE Identity");
  /* The QE Identity signed by the TCB signing key is checked with the TCB Info's own chain:
   * the two documents are not interchangeable. */
  g_autoptr (GBytes) tcb_info = attest_testdata_load ("tdx/go-tdx-guest/sample_tcbInfo_response");
  JcTdxCollateral crossed = { .qe_identity = tcb_info, .qe_identity_chain = qe_chain };
  expect_refusal (quote, &crossed, &policy, JC_ERROR_INVALID, "QE Identity");
}

static JsonParser *
tcb_info_of (const char *rel, JsonObject **info)
{
  g_autoptr (GBytes) b = attest_testdata_load (rel);
  JsonParser *p = json_parser_new ();
  g_assert_true (json_parser_load_from_data (p, g_bytes_get_data (b, NULL), g_bytes_get_size (b), NULL));
  *info = json_object_get_object_member (json_node_get_object (json_parser_get_root (p)), "tcbInfo");
  return p;
}

static void
pck_info_of (const JcTdxQuote *q, JcTdxPckInfo *pck)
{
  JcX509List chain = { 0 };
  g_autoptr (GError) error = NULL;
  g_assert_true (jc_x509_list_add_data (&chain, q->pck_chain_pem, q->pck_chain_pem_len, "PCK", &error));
  g_assert_true (jc_tdx_pck_info_read (chain.crts[0], pck, &error));
  g_assert_no_error (error);
  jc_x509_list_clear (&chain);
}

/* TCB level evaluation on the real (authentic but stale) TCB Info documents. */
static void
test_tcb_levels (void)
{
  JsonObject *info;
  JcTdxQuote q;
  JcTdxPckInfo pck;
  char *status = NULL;

  /* The v5 sample quote (TDX 1.5, module TDX_01 SVN 11) against its v5 collateral. */
  g_autoptr (GBytes) v5 = attest_testdata_load (cases[1].file);
  g_assert_true (jc_tdx_quote_parse (g_bytes_get_data (v5, NULL), g_bytes_get_size (v5), &q, NULL));
  pck_info_of (&q, &pck);
  {
    g_autoptr (JsonParser) p = tcb_info_of ("tdx/go-tdx-guest/sample_tcbinfo_response_v5", &info);
    g_assert_nonnull (p);
    g_autoptr (GError) error = NULL;
    gboolean ok = jc_tdx_tcb_info_evaluate (info, &q, &pck, &status, &error);
    g_test_message ("v5: %s", ok ? status : error->message);
    g_assert_true (ok);
    g_assert_cmpstr (status, ==, "UpToDate");
    g_clear_pointer (&status, g_free);
    /* A TDX module older than every level of its identity. */
    JcTdxQuote old = q;
    old.td.tee_tcb_svn[0] = 1;
    g_autoptr (GError) e2 = NULL;
    g_assert_false (jc_tdx_tcb_info_evaluate (info, &old, &pck, &status, &e2));
    g_assert_error (e2, JC_ERROR, JC_ERROR_UNTRUSTED);
    /* Module SVN 4: the identity's level says OutOfDate. */
    old.td.tee_tcb_svn[0] = 4;
    g_assert_true (jc_tdx_tcb_info_evaluate (info, &old, &pck, &status, NULL));
    g_assert_cmpstr (status, ==, "OutOfDate");
    g_clear_pointer (&status, g_free);
  }

  /* The SPR quote with its collateral: its real PCK TCB is below every level; with the
   * SVNs the levels name, the first level (UpToDate) or the second (OutOfDate) applies. */
  g_autoptr (GBytes) spr = attest_testdata_load (cases[0].file);
  g_assert_true (jc_tdx_quote_parse (g_bytes_get_data (spr, NULL), g_bytes_get_size (spr), &q, NULL));
  pck_info_of (&q, &pck);
  g_autoptr (JsonParser) p = tcb_info_of ("tdx/go-tdx-guest/sample_tcbInfo_response", &info);
  g_autoptr (GError) e1 = NULL;
  g_assert_nonnull (p);
  g_assert_false (jc_tdx_tcb_info_evaluate (info, &q, &pck, &status, &e1));
  g_assert_error (e1, JC_ERROR, JC_ERROR_UNTRUSTED);
  static const guint8 level_sgx[16] = { 5, 5, 2, 2, 3, 1, 0, 3 };
  memcpy (pck.sgx_tcb, level_sgx, 16);
  q.td.tee_tcb_svn[2] = 5;
  g_assert_true (jc_tdx_tcb_info_evaluate (info, &q, &pck, &status, NULL));
  g_assert_cmpstr (status, ==, "UpToDate");
  g_clear_pointer (&status, g_free);
  pck.pce_svn = 7;
  g_assert_true (jc_tdx_tcb_info_evaluate (info, &q, &pck, &status, NULL));
  g_assert_cmpstr (status, ==, "OutOfDate");
  g_clear_pointer (&status, g_free);
  /* TEE_TCB_SVN below the levels' TDX components. */
  q.td.tee_tcb_svn[2] = 4;
  g_autoptr (GError) e3 = NULL;
  g_assert_false (jc_tdx_tcb_info_evaluate (info, &q, &pck, &status, &e3));
  /* Another TDX module signer. */
  q.td.tee_tcb_svn[2] = 5;
  q.td.mrsignerseam[0] = 1;
  g_autoptr (GError) e4 = NULL;
  g_assert_false (jc_tdx_tcb_info_evaluate (info, &q, &pck, &status, &e4));
  g_assert_error (e4, JC_ERROR, JC_ERROR_UNTRUSTED);
  /* Another FMSPC. */
  q.td.mrsignerseam[0] = 0;
  pck.fmspc[0] ^= 1;
  g_autoptr (GError) e5 = NULL;
  g_assert_false (jc_tdx_tcb_info_evaluate (info, &q, &pck, &status, &e5));
  g_assert_nonnull (strstr (e5->message, "FMSPC"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  attest_testdata_require ("TDX");
  g_test_add_func ("/attest/tdx/parse-fields", test_parse_fields);
  g_test_add_func ("/attest/tdx/parse-malformed", test_parse_malformed);
  g_test_add_func ("/attest/tdx/verify-valid", test_verify_valid);
  g_test_add_func ("/attest/tdx/strict-policy", test_strict_policy);
  g_test_add_func ("/attest/tdx/tampered", test_tampered);
  g_test_add_func ("/attest/tdx/expired", test_expired);
  g_test_add_func ("/attest/tdx/policy-checks", test_policy_checks);
  g_test_add_func ("/attest/tdx/collateral", test_collateral);
  g_test_add_func ("/attest/tdx/tcb-levels", test_tcb_levels);
  g_test_add_func ("/attest/tdx/qe-identity-and-crls", test_qe_identity_and_crls);
  return g_test_run ();
}
