#define G_LOG_DOMAIN "joconde-attest"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "jc-encoding.h"
#include "jc-error.h"
#include "jc-snp.h"

/* Offsets: AMD SEV-SNP Firmware ABI Specification, Table "ATTESTATION_REPORT Structure". */

static guint32
le32 (const guint8 *p)
{
  return (guint32) p[0] | (guint32) p[1] << 8 | (guint32) p[2] << 16 | (guint32) p[3] << 24;
}

static guint64
le64 (const guint8 *p)
{
  return (guint64) le32 (p) | (guint64) le32 (p + 4) << 32;
}

gboolean
jc_snp_report_parse (const guint8 *data, gsize len, JcSnpReport *out, GError **error)
{
  memset (out, 0, sizeof *out);
  if (len < JC_SNP_REPORT_SIZE)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("The SEV-SNP report is %zu bytes long; a report has %d bytes"),
                   len, JC_SNP_REPORT_SIZE);
      return FALSE;
    }
  /* Some tools pad reports; anything beyond the report must be zero so that no unsigned
   * content rides along unnoticed. */
  for (gsize i = JC_SNP_REPORT_SIZE; i < len; i++)
    if (data[i] != 0)
      {
        g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                     _("The SEV-SNP report has %zu extra bytes after its end"),
                     len - JC_SNP_REPORT_SIZE);
        return FALSE;
      }

  out->version = le32 (data + 0x00);
  if (out->version < 2 || out->version > 5)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_UNSUPPORTED,
                   _("SEV-SNP report version %u is not supported (versions 2 to 5 are)"),
                   out->version);
      return FALSE;
    }
  out->guest_svn = le32 (data + 0x04);
  out->policy = le64 (data + 0x08);
  memcpy (out->family_id, data + 0x10, 16);
  memcpy (out->image_id, data + 0x20, 16);
  out->vmpl = le32 (data + 0x30);
  out->signature_algo = le32 (data + 0x34);
  out->current_tcb = le64 (data + 0x38);
  out->platform_info = le64 (data + 0x40);
  out->signer_info = le32 (data + 0x48);
  memcpy (out->report_data, data + 0x50, 64);
  memcpy (out->measurement, data + 0x90, 48);
  memcpy (out->host_data, data + 0xC0, 32);
  memcpy (out->id_key_digest, data + 0xE0, 48);
  memcpy (out->author_key_digest, data + 0x110, 48);
  memcpy (out->report_id, data + 0x140, 32);
  memcpy (out->report_id_ma, data + 0x160, 32);
  out->reported_tcb = le64 (data + 0x180);
  if (out->version >= 3)
    {
      out->cpuid_fam_id = data[0x188];
      out->cpuid_mod_id = data[0x189];
      out->cpuid_step = data[0x18A];
    }
  memcpy (out->chip_id, data + 0x1A0, 64);
  out->committed_tcb = le64 (data + 0x1E0);
  out->current_build = data[0x1E8];
  out->current_minor = data[0x1E9];
  out->current_major = data[0x1EA];
  out->committed_build = data[0x1EC];
  out->committed_minor = data[0x1ED];
  out->committed_major = data[0x1EE];
  out->launch_tcb = le64 (data + 0x1F0);
  if (out->version >= 5)
    {
      out->launch_mit_vector = le64 (data + 0x1F8);
      out->current_mit_vector = le64 (data + 0x200);
    }
  memcpy (out->signature_r, data + 0x2A0, 72);
  memcpy (out->signature_s, data + 0x2E8, 72);

  if (out->vmpl > 3)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("The SEV-SNP report names VMPL %u; only 0 to 3 exist"), out->vmpl);
      return FALSE;
    }
  return TRUE;
}

GBytes *
jc_snp_report_from_data (const guint8 *data, gsize len, GError **error)
{
  gboolean text = len > 0;
  for (gsize i = 0; i < len && text; i++)
    text = g_ascii_isxdigit (data[i]) || g_ascii_isspace (data[i]);
  if (!text)
    return g_bytes_new (data, len);

  g_autoptr (GString) hex = g_string_sized_new (len);
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isspace (data[i]))
      g_string_append_c (hex, g_ascii_tolower (data[i]));
  if (hex->len == 0 || hex->len % 2 != 0 || hex->len / 2 > 64 * 1024)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("The SEV-SNP report in hex is empty, or has an odd or too large number of "
                     "digits"));
      return NULL;
    }
  gsize n = hex->len / 2;
  g_autofree guint8 *bin = g_malloc (n);
  if (!jc_hex_decode_into (hex->str, bin, n, error))
    return NULL;
  return g_bytes_new_take (g_steal_pointer (&bin), n);
}

guint
jc_snp_report_signing_key (const JcSnpReport *report)
{
  return (report->signer_info >> 2) & 0x7;
}

JcSnpProduct
jc_snp_report_product (const JcSnpReport *report)
{
  /* CPUID family 19h model 0xh = Milan, 1xh = Genoa; family 1Ah = Turin. */
  if (report->version < 3)
    return JC_SNP_PRODUCT_UNKNOWN;
  if (report->cpuid_fam_id == 0x19 && report->cpuid_mod_id < 0x10)
    return JC_SNP_PRODUCT_MILAN;
  if (report->cpuid_fam_id == 0x19 && report->cpuid_mod_id >= 0x10)
    return JC_SNP_PRODUCT_GENOA;
  if (report->cpuid_fam_id == 0x1A)
    return JC_SNP_PRODUCT_TURIN;
  return JC_SNP_PRODUCT_UNKNOWN;
}

const char *
jc_snp_product_name (JcSnpProduct product)
{
  switch (product)
    {
    case JC_SNP_PRODUCT_MILAN: return "Milan";
    case JC_SNP_PRODUCT_GENOA: return "Genoa";
    case JC_SNP_PRODUCT_TURIN: return "Turin";
    case JC_SNP_PRODUCT_UNKNOWN:
    default: return "unknown";
    }
}

void
jc_snp_tcb_decode (guint64 raw, JcSnpProduct product, JcSnpTcb *out)
{
  memset (out, 0, sizeof *out);
  if (product == JC_SNP_PRODUCT_TURIN)
    {
      /* Turin: FMC, BOOT_LOADER, TEE, SNP at bytes 0–3, MICROCODE at byte 7. */
      out->fmc = raw & 0xff;
      out->bootloader = (raw >> 8) & 0xff;
      out->tee = (raw >> 16) & 0xff;
      out->snp = (raw >> 24) & 0xff;
    }
  else
    {
      /* Milan, Genoa: BOOT_LOADER, TEE at bytes 0–1, SNP at byte 6, MICROCODE at byte 7. */
      out->bootloader = raw & 0xff;
      out->tee = (raw >> 8) & 0xff;
      out->snp = (raw >> 48) & 0xff;
    }
  out->microcode = (raw >> 56) & 0xff;
}

char *
jc_snp_tcb_format (const JcSnpTcb *tcb, JcSnpProduct product)
{
  if (product == JC_SNP_PRODUCT_TURIN)
    return g_strdup_printf ("fmc=%u bl=%u tee=%u snp=%u ucode=%u", tcb->fmc, tcb->bootloader,
                            tcb->tee, tcb->snp, tcb->microcode);
  return g_strdup_printf ("bl=%u tee=%u snp=%u ucode=%u", tcb->bootloader, tcb->tee, tcb->snp,
                          tcb->microcode);
}
