#define G_LOG_DOMAIN "joconde-attest"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "jc-attest-x509.h"
#include "jc-encoding.h"
#include "jc-error.h"
#include "jc-snp.h"

/* VCEK/VLEK certificate extensions: AMD publication 57230 (VCEK Certificate and KDS
 * Interface Specification), table "VCEK Certificate Extensions". */
#define OID_SNP_BL_SPL    "1.3.6.1.4.1.3704.1.3.1"
#define OID_SNP_TEE_SPL   "1.3.6.1.4.1.3704.1.3.2"
#define OID_SNP_SNP_SPL   "1.3.6.1.4.1.3704.1.3.3"
#define OID_SNP_UCODE_SPL "1.3.6.1.4.1.3704.1.3.8"
#define OID_SNP_FMC_SPL   "1.3.6.1.4.1.3704.1.3.9"
#define OID_SNP_HWID      "1.3.6.1.4.1.3704.1.4"
#define OID_SNP_PRODUCT   "1.3.6.1.4.1.3704.1.2"

/* Everything one verification holds; freed at the end in one place. */
typedef struct {
  JcX509List   supplied;
  JcX509List   builtin_arks;   /* index = position in jc_amd_roots_get () */
  JcX509List   builtin_asks;
  const JcAmdRoot *roots;
  guint        n_roots;
} Ctx;

static void
ctx_clear (Ctx *ctx)
{
  jc_x509_list_clear (&ctx->supplied);
  jc_x509_list_clear (&ctx->builtin_arks);
  jc_x509_list_clear (&ctx->builtin_asks);
}

static gboolean
ctx_load_builtin (Ctx *ctx, GError **error)
{
  ctx->roots = jc_amd_roots_get (&ctx->n_roots);
  for (guint i = 0; i < ctx->n_roots; i++)
    if (!jc_x509_list_add_pem (&ctx->builtin_arks, ctx->roots[i].ark_pem, "built-in AMD ARK", error)
        || !jc_x509_list_add_pem (&ctx->builtin_asks, ctx->roots[i].ask_pem, "built-in AMD ASK", error))
      return FALSE;
  return TRUE;
}

/* The key certificate that signed the report: its CN is SEV-VCEK or SEV-VLEK. When several
 * are supplied, the one whose hwID matches the chip wins. */
static gnutls_x509_crt_t
find_leaf (Ctx *ctx, gboolean vlek, const JcSnpReport *report)
{
  const char *want = vlek ? "SEV-VLEK" : "SEV-VCEK";
  gnutls_x509_crt_t first = NULL;
  for (guint i = 0; i < ctx->supplied.n; i++)
    {
      g_autofree char *cn = jc_x509_common_name (ctx->supplied.crts[i]);
      if (!g_str_equal (cn, want))
        continue;
      if (!first)
        first = ctx->supplied.crts[i];
      g_autoptr (GBytes) hwid = jc_x509_extension (ctx->supplied.crts[i], OID_SNP_HWID);
      gsize n = hwid ? g_bytes_get_size (hwid) : 0;
      if (n >= 8 && n <= JC_SNP_CHIP_ID_SIZE
          && memcmp (g_bytes_get_data (hwid, NULL), report->chip_id, n) == 0)
        return ctx->supplied.crts[i];
    }
  return first;
}

static gboolean
read_spl (gnutls_x509_crt_t crt, const char *oid, const char *name, gboolean required,
          guint8 *out, GError **error)
{
  g_autoptr (GBytes) ext = jc_x509_extension (crt, oid);
  *out = 0;
  if (!ext)
    {
      if (!required)
        return TRUE;
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("The SEV-SNP key certificate lacks its %s extension (%s)"), name, oid);
      return FALSE;
    }
  gsize n;
  const guint8 *p = g_bytes_get_data (ext, &n), *v;
  gsize vlen;
  guint32 value;
  if (!jc_der_read (&p, p + n, 0x02, &v, &vlen) || !jc_der_uint (v, vlen, &value) || value > 255)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("The %s extension of the SEV-SNP key certificate is not a small integer"),
                   name);
      return FALSE;
    }
  *out = value;
  return TRUE;
}

static gboolean
check_tcb_extensions (gnutls_x509_crt_t leaf, const char *leaf_name, const JcSnpReport *report,
                      JcSnpProduct product, GError **error)
{
  JcSnpTcb cert = { 0 }, reported;
  jc_snp_tcb_decode (report->reported_tcb, product, &reported);
  if (!read_spl (leaf, OID_SNP_BL_SPL, "blSPL", TRUE, &cert.bootloader, error)
      || !read_spl (leaf, OID_SNP_TEE_SPL, "teeSPL", TRUE, &cert.tee, error)
      || !read_spl (leaf, OID_SNP_SNP_SPL, "snpSPL", TRUE, &cert.snp, error)
      || !read_spl (leaf, OID_SNP_UCODE_SPL, "ucodeSPL", TRUE, &cert.microcode, error)
      || !read_spl (leaf, OID_SNP_FMC_SPL, "fmcSPL", product == JC_SNP_PRODUCT_TURIN,
                    &cert.fmc, error))
    return FALSE;
  if (memcmp (&cert, &reported, sizeof cert) != 0)
    {
      g_autofree char *c = jc_snp_tcb_format (&cert, product);
      g_autofree char *r = jc_snp_tcb_format (&reported, product);
      g_set_error (error, JC_ERROR, JC_ERROR_UNTRUSTED,
                   _("The report's REPORTED_TCB (%s) differs from the TCB the %s was issued "
                     "for (%s)"), r, leaf_name, c);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_hwid (gnutls_x509_crt_t leaf, const JcSnpReport *report, JcSnpProduct product,
            GError **error)
{
  static const guint8 zero[JC_SNP_CHIP_ID_SIZE] = { 0 };
  g_autoptr (GBytes) ext = jc_x509_extension (leaf, OID_SNP_HWID);
  if (!ext)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("The VCEK certificate lacks its hwID extension (%s)"), OID_SNP_HWID);
      return FALSE;
    }
  gsize hlen;
  const guint8 *hwid = g_bytes_get_data (ext, &hlen);
  /* The extension value is the raw hwID (not DER-wrapped, unlike the SPL integers). Milan and
   * Genoa VCEKs carry the 64-byte CHIP_ID; Turin's carry 8 bytes, the first 8 bytes of the
   * report's CHIP_ID. */
  gsize want = product == JC_SNP_PRODUCT_TURIN ? 8 : JC_SNP_CHIP_ID_SIZE;
  if (hlen != want)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("The VCEK's hwID extension is not a %zu-byte string"), want);
      return FALSE;
    }
  if (memcmp (report->chip_id, zero, sizeof zero) == 0)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_UNTRUSTED,
                   _("The report hides its CHIP_ID (MASK_CHIP_ID), so it cannot be tied to "
                     "the VCEK's chip"));
      return FALSE;
    }
  if (memcmp (report->chip_id, hwid, hlen) != 0)
    {
      g_autofree char *c = jc_hex_encode (report->chip_id, 8);
      g_autofree char *h = jc_hex_encode (hwid, 8);
      g_set_error (error, JC_ERROR, JC_ERROR_UNTRUSTED,
                   _("The VCEK belongs to another chip: its hwID starts %s…, the report's "
                     "CHIP_ID starts %s…"), h, c);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_report_signature (gnutls_x509_crt_t leaf, const char *leaf_name, const guint8 *data,
                        const JcSnpReport *report, GError **error)
{
  /* R and S are 72-byte little-endian fields holding 48-byte P-384 values. */
  guint8 r[48], s[48];
  for (guint i = 48; i < 72; i++)
    if (report->signature_r[i] != 0 || report->signature_s[i] != 0)
      {
        g_set_error (error, JC_ERROR, JC_ERROR_BAD_SIGNATURE,
                     _("The SEV-SNP report signature is malformed (R or S too large)"));
        return FALSE;
      }
  for (guint i = 0; i < 48; i++)
    {
      r[i] = report->signature_r[47 - i];
      s[i] = report->signature_s[47 - i];
    }

  gnutls_pubkey_t key;
  gnutls_pubkey_init (&key);
  gboolean ok = FALSE;
  unsigned bits = 0;
  if (gnutls_pubkey_import_x509 (key, leaf, 0) < 0
      || gnutls_pubkey_get_pk_algorithm (key, &bits) != GNUTLS_PK_ECDSA)
    g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                 _("The %s does not hold an ECDSA P-384 key"), leaf_name);
  else if (!jc_x509_ecdsa_verify (key, GNUTLS_SIGN_ECDSA_SHA384, data, JC_SNP_SIGNED_SIZE, r, s, 48))
    g_set_error (error, JC_ERROR, JC_ERROR_BAD_SIGNATURE,
                 _("The SEV-SNP report's signature does not verify with the %s: the report "
                   "was altered or signed by another key"), leaf_name);
  else
    ok = TRUE;
  gnutls_pubkey_deinit (key);
  return ok;
}

/* Finds the ASK/ASVK that issued the leaf (supplied first, then built in for VCEKs) and the
 * built-in ARK that issued it; checks signatures, validity and the supplied ARK. */
static gboolean
check_chain (Ctx *ctx, gnutls_x509_crt_t leaf, gboolean vlek, gint64 at,
             JcSnpProduct *product, GError **error)
{
  const char *leaf_name = vlek ? "VLEK" : "VCEK";
  const char *mid_name = vlek ? "ASVK" : "ASK";
  gnutls_x509_crt_t mid = NULL;
  for (guint i = 0; i < ctx->supplied.n && !mid; i++)
    if (ctx->supplied.crts[i] != leaf && !jc_x509_is_self_issued (ctx->supplied.crts[i])
        && jc_x509_issued_by_name (leaf, ctx->supplied.crts[i]))
      mid = ctx->supplied.crts[i];
  if (!mid && !vlek)
    for (guint i = 0; i < ctx->builtin_asks.n && !mid; i++)
      if (jc_x509_issued_by_name (leaf, ctx->builtin_asks.crts[i]))
        mid = ctx->builtin_asks.crts[i];
  if (!mid)
    {
      char issuer[256];
      size_t size = sizeof issuer;
      if (gnutls_x509_crt_get_issuer_dn_by_oid (leaf, GNUTLS_OID_X520_COMMON_NAME, 0, 0,
                                                issuer, &size) < 0)
        g_strlcpy (issuer, "?", sizeof issuer);
      g_set_error (error, JC_ERROR, JC_ERROR_UNTRUSTED,
                   _("The %s was issued by “%s”, but no such %s certificate was supplied or "
                     "built in%s"), leaf_name, issuer, mid_name,
                   vlek ? _(" (a VLEK must chain to AMD's ASVK, not to the ASK)") : "");
      return FALSE;
    }
  g_autofree char *mid_cn = jc_x509_common_name (mid);
  if (vlek != g_str_has_prefix (mid_cn, "SEV-VLEK-"))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_UNTRUSTED,
                   _("The %s was issued by “%s”, which is not an AMD %s"), leaf_name, mid_cn,
                   mid_name);
      return FALSE;
    }

  gint root = -1;
  for (guint i = 0; i < ctx->builtin_arks.n && root < 0; i++)
    if (jc_x509_issued_by_name (mid, ctx->builtin_arks.crts[i]))
      root = i;
  if (root < 0)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_UNTRUSTED,
                   _("The %s “%s” was not issued by any of AMD's root keys (Milan, Genoa, "
                     "Turin)"), mid_name, mid_cn);
      return FALSE;
    }
  gnutls_x509_crt_t ark = ctx->builtin_arks.crts[root];
  *product = ctx->roots[root].product;

  /* A supplied ARK must be AMD's own: a look-alike with the same name is an attack. */
  for (guint i = 0; i < ctx->supplied.n; i++)
    if (jc_x509_is_self_issued (ctx->supplied.crts[i])
        && jc_x509_issued_by_name (mid, ctx->supplied.crts[i])
        && !jc_x509_equal (ctx->supplied.crts[i], ark))
      {
        g_set_error (error, JC_ERROR, JC_ERROR_UNTRUSTED,
                     _("The supplied root certificate is not AMD's ARK for %s"),
                     ctx->roots[root].name);
        return FALSE;
      }

  g_autofree char *ark_what = g_strdup_printf (_("AMD root key ARK-%s"), ctx->roots[root].name);
  g_autofree char *mid_what = g_strdup_printf ("%s %s", mid_name, mid_cn);
  if (!jc_x509_check_signed_by (ark, ark, ark_what, ark_what, error)
      || !jc_x509_check_signed_by (mid, ark, mid_what, ark_what, error)
      || !jc_x509_check_signed_by (leaf, mid, leaf_name, mid_what, error)
      || !jc_x509_check_time (ark, at, ark_what, error)
      || !jc_x509_check_time (mid, at, mid_what, error)
      || !jc_x509_check_time (leaf, at, leaf_name, error))
    return FALSE;
  return TRUE;
}

static gboolean
check_policy (const JcSnpReport *report, JcSnpProduct product, const JcTeePolicy *policy,
              GError **error)
{
  if ((report->policy & JC_SNP_POLICY_DEBUG) && !policy->allow_debug)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_DENIED,
                   _("The SEV-SNP guest allows debugging (policy bit DEBUG): its host can read "
                     "its memory, so it is not confidential"));
      return FALSE;
    }
  if ((report->policy & JC_SNP_POLICY_MIGRATE_MA) && !policy->allow_migration_agent)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_DENIED,
                   _("The SEV-SNP guest may be bound to a migration agent (policy bit "
                     "MIGRATE_MA), which the policy forbids"));
      return FALSE;
    }
  if (report->vmpl > policy->max_vmpl)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_DENIED,
                   _("The report was requested at VMPL %u; the policy accepts VMPL %u at most"),
                   report->vmpl, policy->max_vmpl);
      return FALSE;
    }
  if (policy->check_min_tcb)
    {
      JcSnpTcb t;
      const JcSnpTcb *m = &policy->min_tcb;
      jc_snp_tcb_decode (report->reported_tcb, product, &t);
      if (t.bootloader < m->bootloader || t.tee < m->tee || t.snp < m->snp
          || t.microcode < m->microcode
          || (product == JC_SNP_PRODUCT_TURIN && t.fmc < m->fmc))
        {
          g_autofree char *ts = jc_snp_tcb_format (&t, product);
          g_autofree char *ms = jc_snp_tcb_format (m, product);
          g_set_error (error, JC_ERROR, JC_ERROR_DENIED,
                       _("The platform's TCB (%s) is below the policy's minimum (%s): its "
                         "firmware must be updated"), ts, ms);
          return FALSE;
        }
    }
  if (!jc_tee_allow_list_holds (policy->measurements, report->measurement,
                                JC_TEE_MEASUREMENT_SIZE))
    {
      g_autofree char *hex = jc_hex_encode (report->measurement, JC_TEE_MEASUREMENT_SIZE);
      g_set_error (error, JC_ERROR, JC_ERROR_DENIED,
                   _("The launch measurement %s is not one the policy accepts: the VM "
                     "runs other code"), hex);
      return FALSE;
    }
  return jc_tee_policy_check_report_data (policy, report->report_data, error);
}

gboolean
jc_snp_verify (GBytes *report_bytes, GPtrArray *certs, const JcTeePolicy *policy,
               JcTeeVerdict *verdict, GError **error)
{
  JcSnpReport report;
  gsize len;
  const guint8 *data = g_bytes_get_data (report_bytes, &len);
  gboolean ok = FALSE;
  Ctx ctx = { 0 };

  memset (verdict, 0, sizeof *verdict);
  if (policy->platform != JC_TEE_PLATFORM_SEV_SNP)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_DENIED,
                   _("The evidence is from an AMD SEV-SNP guest, but the policy requires "
                     "platform “%s”"), jc_tee_platform_to_string (policy->platform));
      return FALSE;
    }
  if (!jc_snp_report_parse (data, len, &report, error))
    return FALSE;
  if (report.signature_algo != 1)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_UNSUPPORTED,
                   _("The SEV-SNP report uses signature algorithm %u; only 1 (ECDSA P-384 "
                     "with SHA-384) is known"), report.signature_algo);
      return FALSE;
    }
  guint signing_key = jc_snp_report_signing_key (&report);
  if (signing_key != JC_SNP_SIGNING_KEY_VCEK && signing_key != JC_SNP_SIGNING_KEY_VLEK)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_UNTRUSTED,
                   _("The SEV-SNP report is not signed by a VCEK or VLEK (signing key %u)"),
                   signing_key);
      return FALSE;
    }
  gboolean vlek = signing_key == JC_SNP_SIGNING_KEY_VLEK;
  const char *leaf_name = vlek ? "VLEK" : "VCEK";

  if (!ctx_load_builtin (&ctx, error))
    goto out;
  for (guint i = 0; certs && i < certs->len; i++)
    {
      gsize clen;
      const guint8 *c = g_bytes_get_data (certs->pdata[i], &clen);
      if (!jc_x509_list_add_data (&ctx.supplied, c, clen, _("SEV-SNP certificate"), error))
        goto out;
    }

  gnutls_x509_crt_t leaf = find_leaf (&ctx, vlek, &report);
  if (!leaf)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_NOT_FOUND,
                   _("The report is signed by a %s, but no %s certificate was supplied"),
                   leaf_name, leaf_name);
      goto out;
    }
  JcSnpProduct product = JC_SNP_PRODUCT_UNKNOWN;
  if (!check_chain (&ctx, leaf, vlek, policy->at, &product, error))
    goto out;
  JcSnpProduct from_cpuid = jc_snp_report_product (&report);
  if (from_cpuid != JC_SNP_PRODUCT_UNKNOWN && from_cpuid != product)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_UNTRUSTED,
                   _("The report comes from an AMD %s processor but its %s is for %s"),
                   jc_snp_product_name (from_cpuid), leaf_name, jc_snp_product_name (product));
      goto out;
    }
  /* The chip first: another chip's VCEK usually differs in TCB too, and "another chip" is
   * the reason a user can act on. */
  if (!vlek && !check_hwid (leaf, &report, product, error))
    goto out;
  if (!check_tcb_extensions (leaf, leaf_name, &report, product, error))
    goto out;
  if (!check_report_signature (leaf, leaf_name, data, &report, error))
    goto out;
  if (!check_policy (&report, product, policy, error))
    goto out;

  JcSnpTcb tcb;
  jc_snp_tcb_decode (report.reported_tcb, product, &tcb);
  verdict->platform = JC_TEE_PLATFORM_SEV_SNP;
  verdict->simulated = FALSE;
  memcpy (verdict->measurement, report.measurement, JC_TEE_MEASUREMENT_SIZE);
  memcpy (verdict->report_data, report.report_data, JC_TEE_REPORT_DATA_SIZE);
  verdict->debug = (report.policy & JC_SNP_POLICY_DEBUG) != 0;
  verdict->tcb = jc_snp_tcb_format (&tcb, product);
  verdict->signer = g_strdup_printf ("%s (%s)", leaf_name, jc_snp_product_name (product));
  ok = TRUE;

out:
  ctx_clear (&ctx);
  return ok;
}
