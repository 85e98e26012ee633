#pragma once

#include <glib.h>

#include "jc-secret.h"
#include "jc-tee-types.h"

G_BEGIN_DECLS

/* The simulated TEE ("sim"): a software stand-in for machines without TEE hardware.
 * Its evidence is a small report signed by the host's simulator key (Ed25519). It proves
 * nothing about confidentiality: anyone holding the host's key can sign any measurement.
 * Verifiers accept it only when the task's policy names the "sim" platform, and every
 * user-facing place shows jc_tee_sim_label().
 *
 * Report layout (docs/attestation.md "The simulator"), all integers little-endian:
 *   0  magic "JCSIMTEE"            8
 *   8  version (1)                 u16
 *  10  flags (bit 0: debug)        u16
 *  12  measurement                 48
 *  60  report data                 64
 * 124  signer public key           32
 * 156  marker "SIMULATED" + NULs   16
 * 172  Ed25519 signature over [0, 172)  64
 * 236  end */

#define JC_TEE_SIM_REPORT_SIZE 236
#define JC_TEE_SIM_PUBLIC_KEY_SIZE 32

/* The label every user-facing place shows for simulated evidence, translated:
 * "simulated TEE — not confidential". The one place this string is defined. */
const char *jc_tee_sim_label (void);

/* A new random simulator key (libsodium Ed25519 secret key, 64 bytes). */
JcSecret *jc_tee_sim_key_new (void);
/* The host's simulator key at PATH: loaded if present (32-byte seed, file mode 0600,
 * refused when others can read it), created otherwise. */
JcSecret *jc_tee_sim_key_load_or_create (const char *path, GError **error);
/* The public half of a simulator key. */
void      jc_tee_sim_key_get_public (const JcSecret *key, guint8 public_key[JC_TEE_SIM_PUBLIC_KEY_SIZE]);

/* The simulated launch measurement of a program: SHA-384 of its file. */
gboolean  jc_tee_sim_measure_file (const char *path, guint8 measurement[JC_TEE_MEASUREMENT_SIZE],
                                   GError **error);

/* A signed simulator report. */
GBytes   *jc_tee_sim_report_new (const JcSecret *key,
                                 const guint8 measurement[JC_TEE_MEASUREMENT_SIZE],
                                 const guint8 report_data[JC_TEE_REPORT_DATA_SIZE],
                                 gboolean debug);

/* TRUE when DATA starts like a simulator report (for telling files apart). */
gboolean  jc_tee_sim_report_detect (GBytes *data);

/* Verifies a simulator report against POLICY (platform must be "sim"; signer among
 * policy->sim_keys when that list is not empty; debug; measurement allow-list; report
 * data) and fills VERDICT (simulated = TRUE). */
gboolean  jc_tee_sim_verify (GBytes *report, const JcTeePolicy *policy, JcTeeVerdict *verdict,
                             GError **error);

G_END_DECLS
