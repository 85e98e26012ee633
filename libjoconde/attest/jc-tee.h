#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "jc-secret.h"
#include "jc-tee-types.h"

G_BEGIN_DECLS

/* The TEE platform interface (spec §4.3.2.3 ITeePlatformApi / IAttestation).
 *
 * Guest side: a JcTeeProvider gives evidence over 64 bytes of report data chosen by the
 * caller (attested TLS puts its channel binding there).
 * Verifier side: jc_tee_verify() checks evidence against the task's policy and dispatches
 * to the platform's verifier; evidence from any platform other than the policy's is
 * refused, so simulated evidence never passes for a task that names real hardware.
 *
 * Evidence travels in a self-describing container (docs/attestation.md "Evidence
 * container"): a JSON object
 *   {"type": "tee-evidence", "version": 1, "platform": "sim" | "sev-snp" | "tdx",
 *    "report": BASE64URL, "certificates": [BASE64URL DER, …],
 *    "tcb_info": …, "tcb_info_chain": …, "qe_identity": …, "qe_identity_chain": …,
 *    "pck_crl": …, "root_crl": …}
 * where report is the SNP attestation report, the TDX quote or the simulator report,
 * certificates (SNP) the VCEK or VLEK, then ASK or ASVK, then ARK, and the optional TDX
 * collateral members (base64url) the fields of JcTdxCollateral. */

#define JC_TEE_EVIDENCE_MAX_SIZE   (512 * 1024)  /* a container, as JSON text */
#define JC_TEE_EVIDENCE_MAX_CERTS  8

typedef struct {
  JcTeePlatform platform;
  GBytes       *report;         /* SNP report, TDX quote or simulator report */
  GPtrArray    *certificates;   /* GBytes, DER (or PEM lists); may be empty */
  /* TDX collateral, each optional (see JcTdxCollateral in jc-tdx.h): */
  GBytes       *tcb_info;          /* the PCS TCB Info response (JSON) */
  GBytes       *tcb_info_chain;    /* its issuer chain (PEM) */
  GBytes       *qe_identity;       /* the PCS QE Identity response (JSON) */
  GBytes       *qe_identity_chain; /* its issuer chain (PEM) */
  GBytes       *pck_crl;           /* CRL of the PCK certificate's CA (DER or PEM) */
  GBytes       *root_crl;          /* CRL of the Intel SGX Root CA (DER or PEM) */
} JcTeeEvidence;

JcTeeEvidence *jc_tee_evidence_new       (JcTeePlatform platform, GBytes *report);
void           jc_tee_evidence_add_certificate (JcTeeEvidence *evidence, GBytes *der);
void           jc_tee_evidence_free      (JcTeeEvidence *evidence);
JsonNode      *jc_tee_evidence_to_node   (const JcTeeEvidence *evidence);
char          *jc_tee_evidence_to_json   (const JcTeeEvidence *evidence, gsize *length);
JcTeeEvidence *jc_tee_evidence_from_node (JsonNode *node, GError **error);
JcTeeEvidence *jc_tee_evidence_from_json (const char *text, gsize length, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JcTeeEvidence, jc_tee_evidence_free)

/* Verifies EVIDENCE under POLICY: the platform must be the policy's, then the platform's
 * own checks (signatures, certificate chain, TCB, debug), then the measurement allow-list
 * and the report data when the policy asks. On success fills VERDICT (clear it with
 * jc_tee_verdict_clear); on failure the error says precisely why. */
gboolean jc_tee_verify (const JcTeeEvidence *evidence, const JcTeePolicy *policy,
                        JcTeeVerdict *verdict, GError **error);

/* The checks every platform shares, on a verdict its verifier produced: measurement in
 * the allow-list, report data as expected, debug only when allowed. */
gboolean jc_tee_policy_check_verdict (const JcTeePolicy *policy, const JcTeeVerdict *verdict,
                                      GError **error);

/* Deep copy (the arrays are shared by reference, they are never modified). */
void     jc_tee_policy_copy (JcTeePolicy *dest, const JcTeePolicy *src);
/* Adds one allowed measurement (48 bytes). */
void     jc_tee_policy_add_measurement (JcTeePolicy *policy, const guint8 measurement[JC_TEE_MEASUREMENT_SIZE]);
/* Adds one trusted simulator key (32 bytes). */
void     jc_tee_policy_add_sim_key (JcTeePolicy *policy, const guint8 public_key[32]);

/* Reads the "tee" object of a CTSC (docs/attestation.md "Policy format"):
 *   {"platform": "sev-snp", "measurements": [HEX96 (TDX: or HEX480), …], "min_tcb": {"bootloader": 2, …},
 *    "max_vmpl": 0, "sim_keys": [BASE64URL, …]}
 * into POLICY (initialised here with strict defaults; clear it afterwards). */
gboolean jc_tee_policy_from_json (JsonObject *tee, JcTeePolicy *policy, GError **error);

/* Writes the one-paragraph description of a verdict for people, e.g. for
 * `jocondectl attest verify`; simulated verdicts carry jc_tee_sim_label(). */
char    *jc_tee_verdict_describe (const JcTeeVerdict *verdict);


/* Guest side. */
#define JC_TYPE_TEE_PROVIDER (jc_tee_provider_get_type ())
G_DECLARE_FINAL_TYPE (JcTeeProvider, jc_tee_provider, JC, TEE_PROVIDER, GObject)

/* The simulator: reports signed with SIM_KEY (see jc-tee-sim.h; copied), carrying
 * MEASUREMENT (e.g. jc_tee_sim_measure_file() of the guest binary). */
JcTeeProvider *jc_tee_provider_new_sim (const JcSecret *sim_key,
                                        const guint8 measurement[JC_TEE_MEASUREMENT_SIZE]);
/* The simulator as a host runs it: the host's key at KEY_PATH (created if missing, see
 * jc_tee_sim_key_load_or_create) and the measurement SHA-384(MEASURED_PATH), e.g. the
 * guest binary ("/proc/self/exe"). */
JcTeeProvider *jc_tee_provider_new_sim_from_files (const char *key_path, const char *measured_path,
                                                   GError **error);
/* The TEE this VM runs in (sev-snp or tdx); fails when this build or this machine cannot
 * produce its evidence. */
JcTeeProvider *jc_tee_provider_new (JcTeePlatform platform, GError **error);

JcTeePlatform  jc_tee_provider_get_platform (JcTeeProvider *self);
/* Evidence over REPORT_DATA. Thread-safe; may block (hardware requests). */
JcTeeEvidence *jc_tee_provider_get_evidence (JcTeeProvider *self,
                                             const guint8 report_data[JC_TEE_REPORT_DATA_SIZE],
                                             GCancellable *cancellable, GError **error);

G_END_DECLS
