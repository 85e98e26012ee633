#pragma once

#include <glib.h>

#include "jc-client-transfer.h"

G_BEGIN_DECLS

/* What the upload and download windows say about a transfer (display-free; tested). */

/* "12.3 of 100.0 MB · 4.5 MB/s · about 20 s left" (translated); SECONDS since the start. */
char    *jc_transfer_progress_text (guint64 done, guint64 total, double seconds);
/* A row of the attestation summary: TITLE "cp1 — AMD SEV-SNP", SUBTITLE what matched, or
 * why the VM was refused. */
void     jc_attestation_describe   (const JcClientAttestation *attestation, char **title,
                                    char **subtitle);
/* TRUE when every VM attested; else FALSE and, in PROBLEM, a sentence naming the first
 * that did not and why. */
gboolean jc_attestations_ok        (GPtrArray *attestations, char **problem);
/* The data-quality verdict {"passed": bool, "violations": n} as a sentence (NULL: no check). */
char    *jc_quality_text           (JsonNode *verdict, gboolean *passed);

G_END_DECLS
