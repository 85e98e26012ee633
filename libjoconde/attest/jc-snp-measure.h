#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The expected SEV-SNP launch measurement of a QEMU/KVM guest booted from OVMF (optionally
 * with a kernel, initrd and command line measured through OVMF's SEV hash table), so that a
 * task's "TEE Measurements" can be derived from a published image rather than copied from a
 * running VM.
 *
 * Method: AMD SEV-SNP Firmware ABI Specification, SNP_LAUNCH_UPDATE and the PAGE_INFO
 * structure (the launch digest is chained: LD' = SHA-384(LD ‖ contents digest ‖ length 0x70 ‖
 * page type ‖ IMI ‖ VMPL perms ‖ GPA)); the page list QEMU submits: the firmware image ending
 * at 4 GiB, then OVMF's SEV metadata sections (OvmfPkg/ResetVector/X64/OvmfSevMetadata.asm),
 * then one VMSA page per vCPU. The same method as the published sev-snp-measure tool
 * (virtee/sev-snp-measure), whose test vectors this implementation reproduces. */

#define JC_SNP_MEASUREMENT_SIZE 48

typedef struct {
  guint         vcpus;            /* at least 1 */
  guint32       vcpu_sig;         /* CPUID(1).EAX of the vCPU model; see jc_snp_vcpu_sig_from_name */
  guint64       guest_features;   /* SEV_FEATURES of the VMSAs (QEMU's sev-snp-guest default: 0x1) */
  GBytes       *ovmf;             /* the OVMF firmware image (a multiple of 4 KiB) */
  const guint8 *ovmf_hash;        /* optional: the 48-byte digest of the OVMF pages, precomputed */
  gboolean      direct_boot;      /* kernel hashes measured (QEMU kernel-hashes=on) */
  GBytes       *kernel;           /* with direct_boot: the kernel image (NULL = empty) */
  GBytes       *initrd;           /* NULL or empty: no initrd */
  const char   *append;           /* NULL or "": empty command line */
} JcSnpMeasureParams;

gboolean jc_snp_measure (const JcSnpMeasureParams *params,
                         guint8                    out[JC_SNP_MEASUREMENT_SIZE],
                         GError                  **error);

/* The launch digest after the OVMF pages alone (the value ovmf_hash takes). */
gboolean jc_snp_measure_ovmf_hash (GBytes  *ovmf,
                                   guint8   out[JC_SNP_MEASUREMENT_SIZE],
                                   GError **error);

/* CPUID signature of a QEMU CPU model name ("EPYC-v4", "EPYC-Milan", "EPYC-Genoa", …). */
gboolean jc_snp_vcpu_sig_from_name (const char *name, guint32 *sig, GError **error);

G_END_DECLS
