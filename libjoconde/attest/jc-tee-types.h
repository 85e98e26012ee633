#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Types shared by every TEE platform of libjoconde/attest: the platform names, the policy
 * a verifier applies, and the verdict it returns. The platform verifiers (jc-snp.h,
 * jc-tdx.h, the simulator) fill a JcTeeVerdict or fail with a GError in JC_ERROR whose
 * message is the precise reason for refusal. */

typedef enum {
  JC_TEE_PLATFORM_NONE = 0,
  JC_TEE_PLATFORM_SIM,      /* "sim": simulated TEE — not confidential */
  JC_TEE_PLATFORM_SEV_SNP,  /* "sev-snp" */
  JC_TEE_PLATFORM_TDX,      /* "tdx" */
} JcTeePlatform;

#define JC_TEE_MEASUREMENT_SIZE 48
#define JC_TEE_REPORT_DATA_SIZE 64

/* SNP TCB components as in REPORTED_TCB (and the VCEK's TCB extensions). */
typedef struct {
  guint8 bootloader;
  guint8 tee;
  guint8 snp;
  guint8 microcode;
  guint8 fmc;          /* Turin and later; 0 elsewhere */
} JcSnpTcb;

typedef struct {
  JcTeePlatform platform;            /* the platform the task's CTSC names */
  gint64        at;                  /* verification time, Unix seconds */
  gboolean      allow_debug;         /* FALSE: refuse SNP policy DEBUG / TDX TD_ATTRIBUTES.DEBUG */
  gboolean      allow_migration_agent; /* SNP: FALSE refuses policy MIGRATE_MA */
  guint         max_vmpl;            /* SNP: highest VMPL accepted */
  gboolean      check_min_tcb;
  JcSnpTcb      min_tcb;             /* SNP: every component at least this */
  GPtrArray    *measurements;        /* allow-list of GBytes (48 bytes: SNP MEASUREMENT or
                                      * TDX MRTD); NULL or empty accepts any */
  gboolean      check_report_data;
  guint8        report_data[JC_TEE_REPORT_DATA_SIZE];
  GPtrArray    *sim_keys;            /* sim: GBytes (32-byte Ed25519 simulator keys) the
                                      * task trusts; NULL or empty accepts any (jc-tee-sim.h) */
} JcTeePolicy;

typedef struct {
  JcTeePlatform platform;
  gboolean      simulated;           /* TRUE only for JC_TEE_PLATFORM_SIM */
  guint8        measurement[JC_TEE_MEASUREMENT_SIZE];
  guint8        report_data[JC_TEE_REPORT_DATA_SIZE];
  gboolean      debug;
  char         *tcb;                 /* human-readable TCB, e.g. "bl=2 tee=0 snp=5 ucode=68" */
  char         *signer;              /* e.g. "VCEK (Milan)", "VLEK (Genoa)", "PCK (Intel SGX Root CA)" */
} JcTeeVerdict;

void jc_tee_policy_init   (JcTeePolicy *policy, JcTeePlatform platform); /* strict defaults, at = now */
void jc_tee_policy_clear  (JcTeePolicy *policy);
void jc_tee_verdict_clear (JcTeeVerdict *verdict);
/* TRUE when the allow-list @list (GBytes; NULL or empty accepts anything, as for a
 * policy's measurements and sim_keys) holds @value of @len bytes. */
gboolean jc_tee_allow_list_holds (GPtrArray *list, const guint8 *value, gsize len);
/* When @policy checks report data, JC_ERROR_DENIED unless @report_data (the
 * JC_TEE_REPORT_DATA_SIZE bytes a platform report carries) is the expected value. */
gboolean jc_tee_policy_check_report_data (const JcTeePolicy *policy, const guint8 *report_data,
                                          GError **error);

const char *jc_tee_platform_to_string   (JcTeePlatform platform);
gboolean    jc_tee_platform_from_string (const char *name, JcTeePlatform *out, GError **error);

G_END_DECLS
