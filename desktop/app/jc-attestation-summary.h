#pragma once

#include <gtk/gtk.h>

#include "jc-client-transfer.h"

G_BEGIN_DECLS

/* The attestation of a task's computation VMs as the upload and download windows show it:
 * one row per VM with its platform and what matched (or why it was refused), and an icon
 * that tells a real TEE, a simulated one (not confidential) and a refusal apart. */
#define JC_TYPE_ATTESTATION_SUMMARY (jc_attestation_summary_get_type ())
G_DECLARE_FINAL_TYPE (JcAttestationSummary, jc_attestation_summary, JC, ATTESTATION_SUMMARY, GtkWidget)

/* Replaces the rows with one per JcClientAttestation of ATTESTATIONS (NULL: none). */
void jc_attestation_summary_show (JcAttestationSummary *self, GPtrArray *attestations);

G_END_DECLS
