#pragma once

#include <glib.h>

#include "jc-amd-roots.h"
#include "jc-tee-types.h"

G_BEGIN_DECLS

/* AMD SEV-SNP attestation reports.
 *
 * Layout: AMD "SEV Secure Nested Paging Firmware ABI Specification" (publication 56860),
 * Table "ATTESTATION_REPORT Structure" (report versions 2 to 5: v3 adds CPUID_FAM_ID/MOD_ID/
 * STEP, v5 the mitigation vectors; the signed part is always bytes 0x000–0x29F and the
 * signature, ECDSA P-384 with SHA-384, sits at 0x2A0 with R and S little-endian, 72 bytes
 * each). The certificate chain: VCEK (or VLEK) ← ASK (or ASVK) ← ARK, as issued by AMD's Key
 * Distribution Service ("Versioned Chip Endorsement Key (VCEK) Certificate and KDS Interface
 * Specification", publication 57230). */

#define JC_SNP_REPORT_SIZE   0x4A0   /* 1184 */
#define JC_SNP_SIGNED_SIZE   0x2A0   /* bytes covered by the signature */
#define JC_SNP_CHIP_ID_SIZE  64

/* Guest POLICY bits. */
#define JC_SNP_POLICY_SMT             (G_GUINT64_CONSTANT (1) << 16)
#define JC_SNP_POLICY_RESERVED_1      (G_GUINT64_CONSTANT (1) << 17)  /* must be 1 */
#define JC_SNP_POLICY_MIGRATE_MA      (G_GUINT64_CONSTANT (1) << 18)
#define JC_SNP_POLICY_DEBUG           (G_GUINT64_CONSTANT (1) << 19)
#define JC_SNP_POLICY_SINGLE_SOCKET   (G_GUINT64_CONSTANT (1) << 20)

/* SIGNING_KEY field of the signer info. */
#define JC_SNP_SIGNING_KEY_VCEK 0
#define JC_SNP_SIGNING_KEY_VLEK 1
#define JC_SNP_SIGNING_KEY_NONE 7

typedef struct {
  guint32 version;
  guint32 guest_svn;
  guint64 policy;
  guint8  family_id[16];
  guint8  image_id[16];
  guint32 vmpl;
  guint32 signature_algo;          /* 1 = ECDSA P-384 with SHA-384 */
  guint64 current_tcb;             /* raw TCB_VERSION values; see jc_snp_tcb_decode */
  guint64 platform_info;           /* bit 0 SMT_EN, 1 TSME_EN, 2 ECC_EN, 3 RAPL_DIS, ... */
  guint32 signer_info;             /* bit 0 AUTHOR_KEY_EN, 1 MASK_CHIP_KEY, 4:2 SIGNING_KEY */
  guint8  report_data[JC_TEE_REPORT_DATA_SIZE];
  guint8  measurement[JC_TEE_MEASUREMENT_SIZE];
  guint8  host_data[32];
  guint8  id_key_digest[48];
  guint8  author_key_digest[48];
  guint8  report_id[32];
  guint8  report_id_ma[32];
  guint64 reported_tcb;
  guint8  cpuid_fam_id;            /* version 3 and later; 0 before */
  guint8  cpuid_mod_id;
  guint8  cpuid_step;
  guint8  chip_id[JC_SNP_CHIP_ID_SIZE];
  guint64 committed_tcb;
  guint8  current_build, current_minor, current_major;
  guint8  committed_build, committed_minor, committed_major;
  guint64 launch_tcb;
  guint64 launch_mit_vector;       /* version 5 and later; 0 before */
  guint64 current_mit_vector;
  guint8  signature_r[72];         /* little-endian, as in the report */
  guint8  signature_s[72];
} JcSnpReport;

/* Parses a binary report (exactly 1184 bytes, or more with zero padding). Checks the
 * structure only, not the signature. */
gboolean jc_snp_report_parse (const guint8 *data, gsize len, JcSnpReport *out, GError **error);

/* A report from a file's contents: binary, or hex text (whitespace allowed). */
GBytes  *jc_snp_report_from_data (const guint8 *data, gsize len, GError **error);

guint    jc_snp_report_signing_key (const JcSnpReport *report);  /* JC_SNP_SIGNING_KEY_* */

/* The product the report was made on, from its CPUID fields (version 3 and later);
 * JC_SNP_PRODUCT_UNKNOWN for version 2 reports, whose product comes from the chain. */
JcSnpProduct jc_snp_report_product (const JcSnpReport *report);
const char  *jc_snp_product_name   (JcSnpProduct product);

/* TCB_VERSION → components. Turin moved the fields (FMC first) so the layout depends on
 * the product. */
void     jc_snp_tcb_decode (guint64 raw, JcSnpProduct product, JcSnpTcb *out);
char    *jc_snp_tcb_format (const JcSnpTcb *tcb, JcSnpProduct product);

/* Verifies an SNP report against a policy.
 * report: the 1184-byte report (binary).
 * certs:  GBytes, each one DER certificate or a PEM list: the VCEK or VLEK, and optionally its
 *         ASK/ASVK and ARK. The ARKs of Milan, Genoa and Turin are built in and are the only
 *         trust anchors; a supplied ARK must be identical to the built-in one. The ASKs are built
 *         in too, so a VCEK alone suffices; a VLEK needs its ASVK.
 * Checks, in this order, each failing with a precise reason: report structure; signing key
 * certificate chain and validity at policy->at; the VCEK's hwID against CHIP_ID and the
 * VCEK/VLEK TCB extensions against REPORTED_TCB; the report signature; the policy (debug,
 * migration agent, VMPL, minimum TCB, measurement allow-list, report data). On success fills
 * verdict (clear it with jc_tee_verdict_clear). */
gboolean jc_snp_verify (GBytes            *report,
                        GPtrArray         *certs,
                        const JcTeePolicy *policy,
                        JcTeeVerdict      *verdict,
                        GError           **error);

/* --- Guest side: get a report over 64 bytes of report data, with the host's certificates. */

/* The certificate table of an extended report / configfs-tsm auxblob (GHCB specification,
 * "SNP Extended Guest Request": entries of GUID, offset, length, ending with a zero entry). */
typedef struct {
  GBytes *vcek;   /* each NULL if absent */
  GBytes *vlek;
  GBytes *ask;
  GBytes *ark;
} JcSnpCertTable;

void     jc_snp_cert_table_clear (JcSnpCertTable *table);
gboolean jc_snp_cert_table_parse (const guint8 *data, gsize len, JcSnpCertTable *out,
                                  GError **error);
/* The certificates of a table as a list for jc_snp_verify (GBytes, VCEK/VLEK first). */
GPtrArray *jc_snp_cert_table_to_list (const JcSnpCertTable *table);

/* One request through an existing configfs-tsm report entry directory
 * (/sys/kernel/config/tsm/report/<entry>, Linux ≥ 6.7): checks the entry's provider
 * ("sev_guest" for SEV-SNP, "tdx_guest" for TDX), reads its generation, writes inblob, reads
 * outblob (the report or quote) and auxblob (SNP: the certificate table; may be empty), and
 * checks the generation advanced by exactly our write (no other writer raced us). */
gboolean jc_tsm_request (const char   *entry_dir,
                         const char   *provider,
                         const guint8  report_data[JC_TEE_REPORT_DATA_SIZE],
                         GBytes      **report,
                         GBytes      **auxblob,
                         GError      **error);
/* jc_tsm_request with provider "sev_guest". */
gboolean jc_snp_tsm_request (const char   *entry_dir,
                             const guint8  report_data[JC_TEE_REPORT_DATA_SIZE],
                             GBytes      **report,
                             GBytes      **auxblob,
                             GError      **error);

/* Gets a report: through configfs-tsm if /sys/kernel/config/tsm/report exists (a fresh entry
 * is made and removed), else through /dev/sev-guest SNP_GET_EXT_REPORT. certs receives the
 * host-supplied certificates (may be empty if the host has none configured). */
gboolean jc_snp_guest_get_report (const guint8  report_data[JC_TEE_REPORT_DATA_SIZE],
                                  GBytes      **report,
                                  GPtrArray   **certs,
                                  GError      **error);

G_END_DECLS
