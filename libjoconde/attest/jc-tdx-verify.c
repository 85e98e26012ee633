#define G_LOG_DOMAIN "joconde-attest"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <gnutls/crypto.h>
#include <string.h>

#include "jc-attest-x509.h"
#include "jc-encoding.h"
#include "jc-error.h"
#include "jc-intel-roots.h"
#include "jc-tdx-private.h"

/* Intel's Quoting Enclave vendor ID (DCAP quote format, header QE_VENDOR_ID). */
static const guint8 intel_qe_vendor_id[16] = { 0x93, 0x9a, 0x72, 0x33, 0xf7, 0x9c, 0x4c, 0xa9,
                                               0x94, 0x0a, 0x0d, 0xb3, 0x95, 0x7f, 0x06, 0x07 };

/* DER of OID 1.2.840.113741.1.13.1 (Intel SGX extensions) without tag and length. */
static const guint8 sgx_ext_oid[] = { 0x2a, 0x86, 0x48, 0x86, 0xf8, 0x4d, 0x01, 0x0d, 0x01 };

static gboolean
oid_is (const guint8 *oid, gsize len, const guint8 *suffix, gsize suffix_len)
{
  return len == sizeof sgx_ext_oid + suffix_len && memcmp (oid, sgx_ext_oid, sizeof sgx_ext_oid) == 0
         && memcmp (oid + sizeof sgx_ext_oid, suffix, suffix_len) == 0;
}

/* Reads a SEQUENCE { OID, value } item; value is returned with its tag. */
static gboolean
read_item (const guint8 **p, const guint8 *end, const guint8 **oid, gsize *oid_len,
           const guint8 **value, gsize *value_len)
{
  const guint8 *seq, *q;
  gsize seq_len;
  if (!jc_der_read (p, end, 0x30, &seq, &seq_len))
    return FALSE;
  q = seq;
  if (!jc_der_read (&q, seq + seq_len, 0x06, oid, oid_len) || q >= seq + seq_len)
    return FALSE;
  *value = q;
  *value_len = seq + seq_len - q;
  return TRUE;
}

gboolean
jc_tdx_pck_info_read (gnutls_x509_crt_t pck, JcTdxPckInfo *out, GError **error)
{
  static const guint8 s_tcb[] = { 0x02 }, s_pceid[] = { 0x03 }, s_fmspc[] = { 0x04 };
  g_autoptr (GBytes) ext = NULL;
  char oid_text[] = "1.2.840.113741.1.13.1";
  gboolean have_tcb = FALSE, have_fmspc = FALSE, have_pceid = FALSE;
  const guint8 *p, *end, *seq, *oid, *val, *v;
  gsize n, seq_len, oid_len, val_len, vlen;

  memset (out, 0, sizeof *out);
  ext = jc_x509_extension (pck, oid_text);
  if (!ext)
    goto bad;
  p = g_bytes_get_data (ext, &n);
  end = p + n;
  if (!jc_der_read (&p, end, 0x30, &seq, &seq_len))
    goto bad;
  for (p = seq; p < seq + seq_len;)
    {
      if (!read_item (&p, seq + seq_len, &oid, &oid_len, &val, &val_len))
        goto bad;
      const guint8 *vp = val;
      if (oid_is (oid, oid_len, s_fmspc, 1))
        {
          if (!jc_der_read (&vp, val + val_len, 0x04, &v, &vlen) || vlen != 6)
            goto bad;
          memcpy (out->fmspc, v, 6);
          have_fmspc = TRUE;
        }
      else if (oid_is (oid, oid_len, s_pceid, 1))
        {
          if (!jc_der_read (&vp, val + val_len, 0x04, &v, &vlen) || vlen != 2)
            goto bad;
          memcpy (out->pce_id, v, 2);
          have_pceid = TRUE;
        }
      else if (oid_is (oid, oid_len, s_tcb, 1))
        {
          const guint8 *tseq, *tp, *toid, *tval, *iv;
          gsize tseq_len, toid_len, tval_len, ivlen;
          guint seen = 0;
          if (!jc_der_read (&vp, val + val_len, 0x30, &tseq, &tseq_len))
            goto bad;
          for (tp = tseq; tp < tseq + tseq_len;)
            {
              if (!read_item (&tp, tseq + tseq_len, &toid, &toid_len, &tval, &tval_len))
                goto bad;
              /* 1.2.840.113741.1.13.1.2.N: N = 1..16 component SVN, 17 PCESVN, 18 CPUSVN. */
              if (toid_len != sizeof sgx_ext_oid + 2 || toid[sizeof sgx_ext_oid] != 0x02)
                continue;
              guint idx = toid[sizeof sgx_ext_oid + 1];
              const guint8 *ivp = tval;
              guint32 num;
              if (idx >= 1 && idx <= 17)
                {
                  if (!jc_der_read (&ivp, tval + tval_len, 0x02, &iv, &ivlen)
                      || !jc_der_uint (iv, ivlen, &num) || num > (idx == 17 ? 0xffff : 0xff))
                    goto bad;
                  if (idx == 17)
                    out->pce_svn = num;
                  else
                    out->sgx_tcb[idx - 1] = num;
                  seen++;
                }
            }
          have_tcb = seen == 17;
        }
    }
  if (have_tcb && have_fmspc && have_pceid)
    return TRUE;
bad:
  g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
               _("The PCK certificate's Intel SGX extensions (FMSPC, PCE-ID, TCB) are missing "
                 "or malformed"));
  return FALSE;
}

typedef struct {
  JcX509List chain;
  JcX509List root;
} Ctx;

static void
ctx_clear (Ctx *ctx)
{
  jc_x509_list_clear (&ctx->chain);
  jc_x509_list_clear (&ctx->root);
}

/* The PCK chain in the quote: leaf (PCK), its CA (PCK Platform/Processor CA), and Intel's
 * root, which must be the built-in one. */
static gboolean
check_pck_chain (Ctx *ctx, const JcTdxQuote *q, gint64 at, gnutls_x509_crt_t *leaf_out,
                 gnutls_x509_crt_t *ca_out, GError **error)
{
  if (!jc_x509_list_add_pem (&ctx->root, jc_intel_roots_sgx_root_ca_pem (), "Intel SGX Root CA", error))
    return FALSE;
  gnutls_x509_crt_t root = ctx->root.crts[0];
  if (!jc_x509_list_add_data (&ctx->chain, q->pck_chain_pem, q->pck_chain_pem_len,
                              _("PCK certificate chain"), error))
    return FALSE;
  if (ctx->chain.n < 2)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_UNTRUSTED,
                   _("The TDX quote's PCK chain has %u certificate(s); the PCK certificate and "
                     "its CA are needed"), ctx->chain.n);
      return FALSE;
    }
  gnutls_x509_crt_t leaf = ctx->chain.crts[0], ca = ctx->chain.crts[1];
  for (guint i = 2; i < ctx->chain.n; i++)
    if (!jc_x509_equal (ctx->chain.crts[i], root))
      {
        g_set_error (error, JC_ERROR, JC_ERROR_UNTRUSTED,
                     _("The TDX quote's PCK chain ends in a root that is not the Intel SGX "
                       "Root CA"));
        return FALSE;
      }
  g_autofree char *ca_cn = jc_x509_common_name (ca);
  if (!jc_x509_issued_by_name (leaf, ca) || !jc_x509_issued_by_name (ca, root))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_UNTRUSTED,
                   _("The TDX quote's PCK chain (CA “%s”) does not lead to the Intel SGX Root CA"),
                   ca_cn);
      return FALSE;
    }
  if (!jc_x509_check_signed_by (root, root, "Intel SGX Root CA", "Intel SGX Root CA", error)
      || !jc_x509_check_signed_by (ca, root, ca_cn, "Intel SGX Root CA", error)
      || !jc_x509_check_signed_by (leaf, ca, _("PCK certificate"), ca_cn, error)
      || !jc_x509_check_time (root, at, "Intel SGX Root CA", error)
      || !jc_x509_check_time (ca, at, ca_cn, error)
      || !jc_x509_check_time (leaf, at, _("PCK certificate"), error))
    return FALSE;
  *leaf_out = leaf;
  *ca_out = ca;
  return TRUE;
}

static gboolean
check_quote_signatures (const JcTdxQuote *q, const guint8 *data, gnutls_x509_crt_t leaf,
                        GError **error)
{
  gboolean ok = FALSE;
  gnutls_pubkey_t pck_key = NULL, att_key = NULL;
  unsigned bits;

  /* QE report signed by the PCK key. */
  gnutls_pubkey_init (&pck_key);
  if (gnutls_pubkey_import_x509 (pck_key, leaf, 0) < 0
      || gnutls_pubkey_get_pk_algorithm (pck_key, &bits) != GNUTLS_PK_ECDSA)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("The PCK certificate does not hold an ECDSA P-256 key"));
      goto out;
    }
  if (!jc_x509_ecdsa_verify (pck_key, GNUTLS_SIGN_ECDSA_SHA256, q->qe_report,
                             JC_TDX_QE_REPORT_SIZE, q->qe_report_signature,
                             q->qe_report_signature + 32, 32))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_BAD_SIGNATURE,
                   _("The Quoting Enclave report in the TDX quote is not signed by the PCK key"));
      goto out;
    }

  /* The QE report binds the attestation key: REPORTDATA = SHA-256(key ‖ auth data) ‖ 0^32. */
  guint8 digest[32];
  gnutls_hash_hd_t h;
  gnutls_hash_init (&h, GNUTLS_DIG_SHA256);
  gnutls_hash (h, q->attestation_key, 64);
  gnutls_hash (h, q->qe_auth_data, q->qe_auth_data_len);
  gnutls_hash_deinit (h, digest);
  static const guint8 zero[32] = { 0 };
  const guint8 *qe_report_data = q->qe_report + 320;
  if (memcmp (qe_report_data, digest, 32) != 0 || memcmp (qe_report_data + 32, zero, 32) != 0)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_UNTRUSTED,
                   _("The TDX quote's attestation key is not the one its Quoting Enclave "
                     "vouched for (QE report data mismatch)"));
      goto out;
    }

  /* Header and body signed by the attestation key. */
  gnutls_datum_t x = { (unsigned char *) q->attestation_key, 32 };
  gnutls_datum_t y = { (unsigned char *) q->attestation_key + 32, 32 };
  gnutls_pubkey_init (&att_key);
  if (gnutls_pubkey_import_ecc_raw (att_key, GNUTLS_ECC_CURVE_SECP256R1, &x, &y) < 0)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("The TDX quote's attestation key is not a P-256 point"));
      goto out;
    }
  if (!jc_x509_ecdsa_verify (att_key, GNUTLS_SIGN_ECDSA_SHA256, data, q->signed_len,
                             q->signature, q->signature + 32, 32))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_BAD_SIGNATURE,
                   _("The TDX quote's signature does not verify: the quote was altered"));
      goto out;
    }
  ok = TRUE;
out:
  if (pck_key)
    gnutls_pubkey_deinit (pck_key);
  if (att_key)
    gnutls_pubkey_deinit (att_key);
  return ok;
}

/* An entry of the allow-list is the MRTD alone, or the MRTD followed by the four RTMRs. */
static gboolean
allow_listed (const JcTdxTdReport *td, GPtrArray *list)
{
  guint8 all[5 * 48];

  memcpy (all, td->mrtd, 48);
  memcpy (all + 48, td->rtmr, 4 * 48);
  return jc_tee_allow_list_holds (list, td->mrtd, 48)
         || jc_tee_allow_list_holds (list, all, sizeof all);
}

static gboolean
check_policy (const JcTdxTdReport *td, const JcTeePolicy *policy, GError **error)
{
  if ((td->td_attributes[0] & 0x01) && !policy->allow_debug)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_DENIED,
                   _("The TDX trust domain allows debugging (TD_ATTRIBUTES.DEBUG): its host can "
                     "read its memory, so it is not confidential"));
      return FALSE;
    }
  if (policy->measurements && policy->measurements->len > 0 && !allow_listed (td, policy->measurements))
    {
      g_autofree char *hex = jc_hex_encode (td->mrtd, 48);
      g_set_error (error, JC_ERROR, JC_ERROR_DENIED,
                   _("The trust domain's measurement (MRTD %s and its RTMRs) is not one the "
                     "policy accepts: the VM runs other code"), hex);
      return FALSE;
    }
  return jc_tee_policy_check_report_data (policy, td->report_data, error);
}

gboolean
jc_tdx_verify (GBytes *quote_bytes, const JcTdxCollateral *collateral, const JcTeePolicy *policy,
               JcTeeVerdict *verdict, GError **error)
{
  JcTdxQuote q;
  JcTdxPckInfo pck;
  gsize len;
  const guint8 *data = g_bytes_get_data (quote_bytes, &len);
  gnutls_x509_crt_t leaf = NULL, ca = NULL;
  g_autofree char *status = NULL;
  g_autofree char *qe_status = NULL;
  g_autofree char *svn = NULL;
  g_autofree char *fmspc = NULL;
  gboolean ok = FALSE;
  Ctx ctx = { 0 };

  memset (verdict, 0, sizeof *verdict);
  if (policy->platform != JC_TEE_PLATFORM_TDX)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_DENIED,
                   _("The evidence is from an Intel TDX trust domain, but the policy requires "
                     "platform “%s”"), jc_tee_platform_to_string (policy->platform));
      return FALSE;
    }
  if (!jc_tdx_quote_parse (data, len, &q, error))
    return FALSE;
  if (memcmp (q.qe_vendor_id, intel_qe_vendor_id, 16) != 0)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_UNSUPPORTED,
                   _("The TDX quote was made by a Quoting Enclave not from Intel"));
      return FALSE;
    }
  if (!check_pck_chain (&ctx, &q, policy->at, &leaf, &ca, error)
      || !check_quote_signatures (&q, data, leaf, error)
      || !jc_tdx_pck_info_read (leaf, &pck, error))
    goto out;
  if (collateral && !jc_tdx_crl_check (collateral, leaf, ca, policy->at, error))
    goto out;
  if (collateral && collateral->qe_identity
      && !jc_tdx_qe_identity_check (collateral, &q, policy->at, &qe_status, error))
    goto out;
  if (collateral && collateral->tcb_info
      && !jc_tdx_collateral_check (collateral, &q, &pck, policy->at, &status, error))
    goto out;
  const char *statuses[] = { qe_status, status };
  for (guint i = 0; i < G_N_ELEMENTS (statuses); i++)
    if (statuses[i] && policy->check_min_tcb && !g_str_equal (statuses[i], "UpToDate")
        && !g_str_equal (statuses[i], "SWHardeningNeeded"))
      {
        g_set_error (error, JC_ERROR, JC_ERROR_DENIED,
                     _("The TDX %s's TCB status is %s; the policy requires an up-to-date TCB"),
                     i == 0 ? _("Quoting Enclave") : _("platform"), statuses[i]);
        goto out;
      }
  if (!check_policy (&q.td, policy, error))
    goto out;

  svn = jc_hex_encode (q.td.tee_tcb_svn, 16);
  fmspc = jc_hex_encode (pck.fmspc, 6);
  verdict->platform = JC_TEE_PLATFORM_TDX;
  verdict->simulated = FALSE;
  memcpy (verdict->measurement, q.td.mrtd, JC_TEE_MEASUREMENT_SIZE);
  memcpy (verdict->report_data, q.td.report_data, JC_TEE_REPORT_DATA_SIZE);
  verdict->debug = (q.td.td_attributes[0] & 0x01) != 0;
  verdict->tcb = g_strdup_printf ("tee_tcb_svn=%s fmspc=%s pcesvn=%u tcb_status=%s qe_status=%s",
                                  svn, fmspc, pck.pce_svn, status ? status : "not-checked",
                                  qe_status ? qe_status : "not-checked");
  verdict->signer = g_strdup ("PCK (Intel SGX Root CA)");
  ok = TRUE;
out:
  ctx_clear (&ctx);
  return ok;
}
