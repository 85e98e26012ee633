#pragma once

#include <glib.h>

#include "jc-agreement.h"

G_BEGIN_DECLS

/* What a cpd checks before it acts on a CTA (spec §4.4.1.4): the cryptography through
 * libjoconde/agreement (node and approval signatures, chains to the pinned root, no
 * revocation), then the two things only a cpd can say: that it is one of the task's
 * computing parties (by its certificate's fingerprint), and that the task can still run
 * (its input deadline is ahead). Returns the CTA, this cpd's index among the computing
 * parties and the CTA's hash. */
JcCta *jc_cpd_verify_cta (GBytes                 *cta_bytes,
                          const JcAgreementTrust *trust,
                          const char             *own_fingerprint,
                          gint64                 *cp_index,
                          guint8                  hash[JC_DOC_HASH_SIZE],
                          GError                **error);

/* The task id of a CTA that may not verify, for reporting a refusal; NULL if there is none. */
char *jc_cpd_cta_peek_task_id (GBytes *cta_bytes);

G_END_DECLS
