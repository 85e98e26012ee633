#define G_LOG_DOMAIN "joconde-attest"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <gnutls/crypto.h>
#include <string.h>

#include "jc-error.h"
#include "jc-snp-measure.h"

#define PAGE 4096
#define FOUR_GIB G_GUINT64_CONSTANT (0x100000000)

/* PAGE_INFO page types (SNP ABI spec, SNP_LAUNCH_UPDATE). */
enum {
  PAGE_NORMAL = 1,
  PAGE_VMSA = 2,
  PAGE_ZERO = 3,
  PAGE_UNMEASURED = 4,
  PAGE_SECRETS = 5,
  PAGE_CPUID = 6,
};

/* OVMF SEV metadata section types (OvmfSevMetadata.asm). */
enum {
  SECTION_SNP_SEC_MEM = 1,
  SECTION_SNP_SECRETS = 2,
  SECTION_CPUID = 3,
  SECTION_SVSM_CAA = 4,
  SECTION_SNP_KERNEL_HASHES = 0x10,
};

/* The VMSA page is recorded with GPA -1, page-aligned and cut to 52 bits. */
#define VMSA_GPA G_GUINT64_CONSTANT (0xFFFFFFFFF000)
#define BSP_EIP  0xFFFFFFF0u

/* GUIDs in their EFI byte order (first three fields little-endian), as they sit in OVMF's
 * GUIDed footer table (OvmfPkg/ResetVector/Ia16/ResetVectorVtf0.asm). */
static const guint8 guid_footer[16] = { /* 96b582de-1fb2-45f7-baea-a366c55a082d */
  0xde, 0x82, 0xb5, 0x96, 0xb2, 0x1f, 0xf7, 0x45, 0xba, 0xea, 0xa3, 0x66, 0xc5, 0x5a, 0x08, 0x2d };
static const guint8 guid_hash_table_rv[16] = { /* 7255371f-3a3b-4b04-927b-1da6efa8d454 */
  0x1f, 0x37, 0x55, 0x72, 0x3b, 0x3a, 0x04, 0x4b, 0x92, 0x7b, 0x1d, 0xa6, 0xef, 0xa8, 0xd4, 0x54 };
static const guint8 guid_es_reset_block[16] = { /* 00f771de-1a7e-4fcb-890e-68c77e2fb44e */
  0xde, 0x71, 0xf7, 0x00, 0x7e, 0x1a, 0xcb, 0x4f, 0x89, 0x0e, 0x68, 0xc7, 0x7e, 0x2f, 0xb4, 0x4e };
static const guint8 guid_sev_metadata[16] = { /* dc886566-984a-4798-a75e-5585a7bf67cc */
  0x66, 0x65, 0x88, 0xdc, 0x4a, 0x98, 0x98, 0x47, 0xa7, 0x5e, 0x55, 0x85, 0xa7, 0xbf, 0x67, 0xcc };
/* QEMU's SEV hash table (target/i386/sev.c): header and entries for cmdline, initrd, kernel. */
static const guint8 guid_ht_header[16] = { /* 9438d606-4f22-4cc9-b479-a793d411fd21 */
  0x06, 0xd6, 0x38, 0x94, 0x22, 0x4f, 0xc9, 0x4c, 0xb4, 0x79, 0xa7, 0x93, 0xd4, 0x11, 0xfd, 0x21 };
static const guint8 guid_ht_kernel[16] = { /* 4de79437-abd2-427f-b835-d5b172d2045b */
  0x37, 0x94, 0xe7, 0x4d, 0xd2, 0xab, 0x7f, 0x42, 0xb8, 0x35, 0xd5, 0xb1, 0x72, 0xd2, 0x04, 0x5b };
static const guint8 guid_ht_initrd[16] = { /* 44baf731-3a2f-4bd7-9af1-41e29169781d */
  0x31, 0xf7, 0xba, 0x44, 0x2f, 0x3a, 0xd7, 0x4b, 0x9a, 0xf1, 0x41, 0xe2, 0x91, 0x69, 0x78, 0x1d };
static const guint8 guid_ht_cmdline[16] = { /* 97d02dd8-bd20-4c94-aa78-e7714d36ab2a */
  0xd8, 0x2d, 0xd0, 0x97, 0x20, 0xbd, 0x94, 0x4c, 0xaa, 0x78, 0xe7, 0x71, 0x4d, 0x36, 0xab, 0x2a };

static void
put16 (guint8 *p, guint16 v)
{
  p[0] = v;
  p[1] = v >> 8;
}

static void
put32 (guint8 *p, guint32 v)
{
  put16 (p, v);
  put16 (p + 2, v >> 16);
}

static void
put64 (guint8 *p, guint64 v)
{
  put32 (p, (guint32) v);
  put32 (p + 4, (guint32) (v >> 32));
}

static guint32
get32 (const guint8 *p)
{
  return (guint32) p[0] | (guint32) p[1] << 8 | (guint32) p[2] << 16 | (guint32) p[3] << 24;
}

/* --- The launch digest ------------------------------------------------------------------ */

typedef struct {
  guint8 ld[JC_SNP_MEASUREMENT_SIZE];
} Gctx;

static void
gctx_update (Gctx *g, guint8 page_type, guint64 gpa, const guint8 contents[48])
{
  /* PAGE_INFO: digest so far, contents digest, length, type, IMI, VMPL3/2/1 permissions,
   * reserved, GPA. */
  guint8 info[0x70] = { 0 };
  memcpy (info, g->ld, 48);
  memcpy (info + 48, contents, 48);
  put16 (info + 96, sizeof info);
  info[98] = page_type;
  put64 (info + 104, gpa);
  gnutls_hash_fast (GNUTLS_DIG_SHA384, info, sizeof info, g->ld);
}

static void
gctx_normal_pages (Gctx *g, guint64 gpa, const guint8 *data, gsize len)
{
  guint8 d[48];
  for (gsize off = 0; off < len; off += PAGE)
    {
      gnutls_hash_fast (GNUTLS_DIG_SHA384, data + off, PAGE, d);
      gctx_update (g, PAGE_NORMAL, gpa + off, d);
    }
}

static void
gctx_empty_pages (Gctx *g, guint8 type, guint64 gpa, gsize len)
{
  static const guint8 zero[48] = { 0 };
  for (gsize off = 0; off < len; off += PAGE)
    gctx_update (g, type, gpa + off, zero);
}

/* --- OVMF ------------------------------------------------------------------------------- */

typedef struct {
  guint32 gpa, size, type;
} Section;

typedef struct {
  const guint8 *data;
  gsize         len;
  guint64       gpa;
  guint32       ap_eip;          /* 0 if absent */
  guint32       hash_table_gpa;  /* 0 if absent */
  Section       sections[32];
  guint         n_sections;
} Ovmf;

static gboolean
ovmf_error (GError **error, const char *why)
{
  g_set_error (error, JC_ERROR, JC_ERROR_INVALID, _("The OVMF firmware image cannot be measured: %s"),
               why);
  return FALSE;
}

/* The GUIDed table ends 32 bytes before the end of the image; each entry is data, then a
 * 16-bit size (data + 18) and its GUID, read backwards from the footer entry. */
static const guint8 *
ovmf_table_find (const Ovmf *o, const guint8 guid[16], gsize *entry_len)
{
  if (o->len < 32 + 18)
    return NULL;
  gsize footer = o->len - 32 - 18;
  if (memcmp (o->data + footer + 2, guid_footer, 16) != 0)
    return NULL;
  gsize table_size = o->data[footer] | o->data[footer + 1] << 8;
  if (table_size < 18 || table_size - 18 > footer)
    return NULL;
  gsize start = footer - (table_size - 18), end = footer;
  while (end - start >= 18)
    {
      const guint8 *hdr = o->data + end - 18;
      gsize size = hdr[0] | hdr[1] << 8;
      if (size < 18 || size > end - start)
        return NULL;
      if (memcmp (hdr + 2, guid, 16) == 0)
        {
          *entry_len = size - 18;
          return o->data + end - size;
        }
      end -= size;
    }
  return NULL;
}

static gboolean
ovmf_parse (GBytes *image, Ovmf *o, GError **error)
{
  memset (o, 0, sizeof *o);
  o->data = g_bytes_get_data (image, &o->len);
  if (o->len == 0 || o->len % PAGE != 0 || o->len > 64 * 1024 * 1024)
    return ovmf_error (error, _("its size is not a non-zero multiple of 4 KiB (at most 64 MiB)"));
  o->gpa = FOUR_GIB - o->len;

  gsize n;
  const guint8 *e;
  if ((e = ovmf_table_find (o, guid_es_reset_block, &n)) && n >= 4)
    o->ap_eip = get32 (e);
  if ((e = ovmf_table_find (o, guid_hash_table_rv, &n)) && n >= 4)
    o->hash_table_gpa = get32 (e);
  if (!(e = ovmf_table_find (o, guid_sev_metadata, &n)) || n < 4)
    return ovmf_error (error, _("it has no SEV metadata (not an SEV-SNP capable OVMF build)"));

  guint32 from_end = get32 (e);
  if (from_end < 16 || from_end > o->len)
    return ovmf_error (error, _("its SEV metadata offset is out of range"));
  const guint8 *h = o->data + o->len - from_end;
  guint32 size = get32 (h + 4), version = get32 (h + 8), items = get32 (h + 12);
  if (memcmp (h, "ASEV", 4) != 0 || version != 1)
    return ovmf_error (error, _("its SEV metadata header is not “ASEV” version 1"));
  if (size > from_end || items > G_N_ELEMENTS (o->sections) || 16 + 12 * (gsize) items > size)
    return ovmf_error (error, _("its SEV metadata is larger than the image"));
  for (guint i = 0; i < items; i++)
    {
      const guint8 *it = h + 16 + 12 * i;
      Section *s = &o->sections[o->n_sections++];
      s->gpa = get32 (it);
      s->size = get32 (it + 4);
      s->type = get32 (it + 8);
      if (s->size % PAGE != 0 || s->gpa % PAGE != 0)
        return ovmf_error (error, _("an SEV metadata section is not page-aligned"));
    }
  return TRUE;
}

/* --- Kernel hashes ---------------------------------------------------------------------- */

static void
put_ht_entry (guint8 *e, const guint8 guid[16], const guint8 hash[32])
{
  memcpy (e, guid, 16);
  put16 (e + 16, 16 + 2 + 32);
  memcpy (e + 18, hash, 32);
}

static void
sha256_of (GBytes *b, guint8 out[32])
{
  gsize len = b ? g_bytes_get_size (b) : 0;
  gnutls_hash_fast (GNUTLS_DIG_SHA256, len ? g_bytes_get_data (b, NULL) : "", len, out);
}

/* The page holding QEMU's SEV hash table at offset_in_page: header GUID and length, then
 * the command line (with its NUL), initrd and kernel SHA-256 entries, padded to 16 bytes. */
static void
hashes_page (const JcSnpMeasureParams *p, gsize offset_in_page, guint8 page[PAGE])
{
  guint8 hk[32], hi[32], hc[32];
  const char *append = p->append ? p->append : "";
  sha256_of (p->kernel, hk);
  sha256_of (p->initrd, hi);
  gnutls_hash_fast (GNUTLS_DIG_SHA256, append, strlen (append) + 1, hc);

  memset (page, 0, PAGE);
  guint8 *t = page + offset_in_page;
  gsize ht_len = 16 + 2 + 3 * (16 + 2 + 32);
  memcpy (t, guid_ht_header, 16);
  put16 (t + 16, ht_len);
  put_ht_entry (t + 18, guid_ht_cmdline, hc);
  put_ht_entry (t + 18 + 50, guid_ht_initrd, hi);
  put_ht_entry (t + 18 + 100, guid_ht_kernel, hk);
}

/* --- VMSA ------------------------------------------------------------------------------- */

static void
put_seg (guint8 *vmsa, gsize off, guint16 selector, guint16 attrib, guint32 limit, guint64 base)
{
  put16 (vmsa + off, selector);
  put16 (vmsa + off + 2, attrib);
  put32 (vmsa + off + 4, limit);
  put64 (vmsa + off + 8, base);
}

/* The initial VMSA QEMU/KVM gives a vCPU (AMD APM vol. 2, table B-4 "VMSA Layout, State Save
 * Area for SEV-ES"; register values as KVM sets them at reset). */
static void
vmsa_page (guint32 eip, guint32 vcpu_sig, guint64 features, guint8 page[PAGE])
{
  memset (page, 0, PAGE);
  put_seg (page, 0x00, 0, 0x93, 0xffff, 0);                      /* ES */
  put_seg (page, 0x10, 0xf000, 0x9b, 0xffff, eip & 0xffff0000u); /* CS */
  put_seg (page, 0x20, 0, 0x93, 0xffff, 0);                      /* SS */
  put_seg (page, 0x30, 0, 0x93, 0xffff, 0);                      /* DS */
  put_seg (page, 0x40, 0, 0x93, 0xffff, 0);                      /* FS */
  put_seg (page, 0x50, 0, 0x93, 0xffff, 0);                      /* GS */
  put_seg (page, 0x60, 0, 0, 0xffff, 0);                         /* GDTR */
  put_seg (page, 0x70, 0, 0x82, 0xffff, 0);                      /* LDTR */
  put_seg (page, 0x80, 0, 0, 0xffff, 0);                         /* IDTR */
  put_seg (page, 0x90, 0, 0x8b, 0xffff, 0);                      /* TR */
  put64 (page + 0xD0, 0x1000);                  /* EFER: SVME */
  put64 (page + 0x148, 0x40);                   /* CR4: MCE */
  put64 (page + 0x158, 0x10);                   /* CR0: ET */
  put64 (page + 0x160, 0x400);                  /* DR7 */
  put64 (page + 0x168, 0xffff0ff0);             /* DR6 */
  put64 (page + 0x170, 0x2);                    /* RFLAGS */
  put64 (page + 0x178, eip & 0xffff);           /* RIP */
  put64 (page + 0x268, G_GUINT64_CONSTANT (0x0007040600070406)); /* G_PAT */
  put64 (page + 0x310, vcpu_sig);               /* RDX: CPUID signature */
  put64 (page + 0x3B0, features);               /* SEV_FEATURES */
  put64 (page + 0x3E8, 0x1);                    /* XCR0 */
  /* x87/SSE reset state, which current KVM writes into the VMSA it measures. */
  put32 (page + 0x408, 0x1f80);                 /* MXCSR */
  put16 (page + 0x410, 0x37f);                  /* x87 FCW */
}

/* --- Public ----------------------------------------------------------------------------- */

gboolean
jc_snp_measure_ovmf_hash (GBytes *ovmf, guint8 out[JC_SNP_MEASUREMENT_SIZE], GError **error)
{
  Ovmf o;
  Gctx g = { { 0 } };
  if (!ovmf_parse (ovmf, &o, error))
    return FALSE;
  gctx_normal_pages (&g, o.gpa, o.data, o.len);
  memcpy (out, g.ld, sizeof g.ld);
  return TRUE;
}

gboolean
jc_snp_measure (const JcSnpMeasureParams *p, guint8 out[JC_SNP_MEASUREMENT_SIZE], GError **error)
{
  Ovmf o;
  Gctx g = { { 0 } };
  gboolean hashes_done = FALSE;

  if (p->vcpus < 1 || p->vcpus > 512)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("A guest needs between 1 and 512 vCPUs, not %u"), p->vcpus);
      return FALSE;
    }
  if (!ovmf_parse (p->ovmf, &o, error))
    return FALSE;
  if (p->ovmf_hash)
    memcpy (g.ld, p->ovmf_hash, sizeof g.ld);
  else
    gctx_normal_pages (&g, o.gpa, o.data, o.len);

  for (guint i = 0; i < o.n_sections; i++)
    {
      const Section *s = &o.sections[i];
      switch (s->type)
        {
        case SECTION_SNP_SEC_MEM:
        case SECTION_SVSM_CAA:
          gctx_empty_pages (&g, PAGE_ZERO, s->gpa, s->size);
          break;
        case SECTION_SNP_SECRETS:
          gctx_empty_pages (&g, PAGE_SECRETS, s->gpa, PAGE);
          break;
        case SECTION_CPUID:
          gctx_empty_pages (&g, PAGE_CPUID, s->gpa, PAGE);
          break;
        case SECTION_SNP_KERNEL_HASHES:
          if (p->direct_boot)
            {
              guint8 page[PAGE];
              gsize in_page = o.hash_table_gpa & (PAGE - 1);
              if (o.hash_table_gpa == 0 || s->size != PAGE || in_page + 176 > PAGE)
                return ovmf_error (error, _("its kernel hashes area is missing or malformed"));
              hashes_page (p, in_page, page);
              gctx_normal_pages (&g, s->gpa, page, PAGE);
              hashes_done = TRUE;
            }
          else
            gctx_empty_pages (&g, PAGE_ZERO, s->gpa, s->size);
          break;
        default:
          return ovmf_error (error, _("its SEV metadata has a section of unknown type"));
        }
    }
  if (p->direct_boot && !hashes_done)
    return ovmf_error (error, _("it cannot measure a kernel (no SNP_KERNEL_HASHES section)"));

  if (p->vcpus > 1 && o.ap_eip == 0)
    return ovmf_error (error, _("it has no SEV-ES reset block for additional vCPUs"));
  guint8 page[PAGE], digest[48];
  for (guint i = 0; i < p->vcpus; i++)
    {
      /* Every AP starts from the same VMSA, so its digest is computed once. */
      if (i <= 1)
        {
          vmsa_page (i == 0 ? BSP_EIP : o.ap_eip, p->vcpu_sig, p->guest_features, page);
          gnutls_hash_fast (GNUTLS_DIG_SHA384, page, PAGE, digest);
        }
      gctx_update (&g, PAGE_VMSA, VMSA_GPA, digest);
    }
  memcpy (out, g.ld, sizeof g.ld);
  return TRUE;
}

/* CPUID(1).EAX from family/model/stepping (AMD CPUID specification, publication 25481,
 * "CPUID Fn0000_0001_EAX Family, Model, Stepping Identifiers"). */
static guint32
cpu_sig (guint family, guint model, guint stepping)
{
  guint fam_low = family > 0xf ? 0xf : family;
  guint fam_high = family > 0xf ? (family - 0xf) & 0xff : 0;
  return fam_high << 20 | ((model >> 4) & 0xf) << 16 | fam_low << 8 | (model & 0xf) << 4
         | (stepping & 0xf);
}

gboolean
jc_snp_vcpu_sig_from_name (const char *name, guint32 *sig, GError **error)
{
  /* QEMU's AMD EPYC CPU models (target/i386/cpu.c builtin_x86_defs). */
  static const struct {
    const char *name;
    guint family, model, stepping;
  } models[] = {
    { "EPYC", 23, 1, 2 }, { "EPYC-v1", 23, 1, 2 }, { "EPYC-v2", 23, 1, 2 },
    { "EPYC-IBPB", 23, 1, 2 }, { "EPYC-v3", 23, 1, 2 }, { "EPYC-v4", 23, 1, 2 },
    { "EPYC-Rome", 23, 49, 0 }, { "EPYC-Rome-v1", 23, 49, 0 }, { "EPYC-Rome-v2", 23, 49, 0 },
    { "EPYC-Rome-v3", 23, 49, 0 }, { "EPYC-Milan", 25, 1, 1 }, { "EPYC-Milan-v1", 25, 1, 1 },
    { "EPYC-Milan-v2", 25, 1, 1 }, { "EPYC-Genoa", 25, 17, 0 }, { "EPYC-Genoa-v1", 25, 17, 0 },
    { "EPYC-Turin", 26, 0, 0 },
  };
  for (guint i = 0; i < G_N_ELEMENTS (models); i++)
    if (g_ascii_strcasecmp (name, models[i].name) == 0)
      {
        *sig = cpu_sig (models[i].family, models[i].model, models[i].stepping);
        return TRUE;
      }
  g_set_error (error, JC_ERROR, JC_ERROR_UNSUPPORTED,
               _("Unknown vCPU model “%s” (known: EPYC, EPYC-v1 to v4, EPYC-Rome, EPYC-Milan, "
                 "EPYC-Genoa, EPYC-Turin)"), name);
  return FALSE;
}
