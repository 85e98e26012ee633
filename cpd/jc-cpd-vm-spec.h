#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* The trusted execution environment a task VM is launched in. NONE is for tests and
 * development only: the orchestrator then uses its simulated TEE, which clients refuse
 * unless the task explicitly allows it. */
typedef enum {
  JC_CPD_TEE_NONE,
  JC_CPD_TEE_SEV_SNP,
  JC_CPD_TEE_TDX,
} JcCpdTee;

const char *jc_cpd_tee_to_string (JcCpdTee tee);

/* Everything a backend needs to create one task VM. The cpd fills it from the task's CTA
 * and the image manifest; backends never read the CTA themselves. */
typedef struct {
  char     *name;            /* unique per host, e.g. "joconde-<task id>" */
  char     *kernel;          /* absolute paths of the image's parts */
  char     *initrd;
  char     *cmdline;
  char     *firmware;        /* OVMF build for SEV-SNP/TDX; NULL for plain */
  char     *cta_path;        /* handed to the orchestrator (fw_cfg in a VM, --cta as process) */
  guint8    cta_sha256[32];  /* bound into the launch: SNP HOST_DATA, TDX MRCONFIGID */
  guint     memory_mib;
  guint     vcpus;
  JcCpdTee  tee;
  gboolean  kvm;             /* FALSE: QEMU TCG (tests, hosts without KVM); TEEs need KVM */
  char     *host_address;    /* where the IO endpoint is published, e.g. "0.0.0.0" */
  guint16   host_port;
  guint16   guest_port;      /* the orchestrator's port inside the VM (manifest guest_port) */
  /* SEV-SNP launch parameters (AMD SEV-SNP firmware ABI, guest policy) */
  guint64   snp_policy;
  guint     snp_cbitpos;
  guint     snp_reduced_phys_bits;
  /* TDX launch parameters */
  guint64   tdx_policy;
  char     *tdx_qgs_socket;  /* quote generation service socket; NULL for libvirt's default */
  /* What the orchestrator needs to run the task (docs/guest.md "The cpd interface"); the
   * process backend passes them on its command line. NULL / -1: not passed. */
  char     *root_path;       /* the pinned root CA (PEM) */
  char     *approver_path;   /* the SO approver's chain (PEM) */
  gint      party;           /* this computing party's index in the CTSC */
  char     *sim_key_path;    /* the host's simulated-TEE key (made on first use) */
  char     *engine_dir;      /* where the engine modules are */
} JcCpdVmSpec;

#define JC_CPD_TYPE_VM_SPEC (jc_cpd_vm_spec_get_type ())
GType jc_cpd_vm_spec_get_type (void);

/* A spec with safe defaults: 512 MiB, 1 vCPU, no TEE, TCG, guest port 8443, SNP policy
 * 0x30000 (no debug, SMT allowed), C-bit 51, TDX policy with SEPT #VE disabled. */
JcCpdVmSpec *jc_cpd_vm_spec_new (const char *name);
JcCpdVmSpec *jc_cpd_vm_spec_copy (const JcCpdVmSpec *spec);
void         jc_cpd_vm_spec_free (JcCpdVmSpec *spec);

/* Checks the spec before any backend acts on it: a name libvirt and file systems accept,
 * absolute paths, a TEE with KVM and firmware, ports set. */
gboolean     jc_cpd_vm_spec_validate (const JcCpdVmSpec *spec, GError **error);

/* A VM name libvirt and file systems accept: up to 64 letters, digits, "-", "_", ".". */
gboolean     jc_cpd_vm_name_is_valid (const char *name);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JcCpdVmSpec, jc_cpd_vm_spec_free)

G_END_DECLS
