#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "jc-ctsa.h"
#include "jc-ctsc.h"
#include "jc-signatures.h"
#include "jc-task-messages.h"

G_BEGIN_DECLS

/* The Computation Task Agreement (spec §4.4.1.4, Appendix B.1): the CTSC, one approved
 * CTSA per peer, the node signatures over them, the signatories' signatures, and the SO's
 * approval, under the task's version-4 UUID assigned by the root. Document type "cta",
 * version 1. The approval is a node signature over the "body hash": the hash of the CTA
 * document without its "approval" member. */

typedef struct {
  char             task_id[JC_UUID_STRING_SIZE];
  JcCtsc          *ctsc;
  GPtrArray       *ctsas;                 /* JcCtsa* */
  GPtrArray       *node_signatures;       /* JcNodeSignature* */
  GPtrArray       *signatory_signatures;  /* JcSignatorySignature* */
  JcNodeSignature *approval;
} JcCta;

JcCta    *jc_cta_new       (void);
void      jc_cta_free      (JcCta *cta);
/* Reads and validates a CTA: every part on its own, and together: each CTSA belongs to
 * the CTSC, every peer has exactly one CTSA, every CTSA is node-signed by its peer (the
 * signer's fingerprint is the peer's in the CTSC) and signed by at least one of its
 * signatories, every input has a data custodian and every output a data analyst of each
 * of its peers, and the approval covers the body hash. Signature bytes are not verified
 * here (that needs the certificates; see the keys and pki areas). */
JcCta    *jc_cta_from_json (JsonNode *node, GError **error);
JcCta    *jc_cta_read      (JsonNode *node, const char *path, JcProblems *problems);
JsonNode *jc_cta_to_json   (const JcCta *cta);
gboolean  jc_cta_hash      (const JcCta *cta, guint8 out[JC_DOC_HASH_SIZE]);
/* The hash the SO's approval signs: the CTA document without "approval". */
gboolean  jc_cta_body_hash (const JcCta *cta, guint8 out[JC_DOC_HASH_SIZE]);
char     *jc_cta_render    (const JcCta *cta);

/* The CTSA of peer PEER, or NULL. */
const JcCtsa *jc_cta_find_ctsa (const JcCta *cta, gint64 peer);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JcCta, jc_cta_free)

G_END_DECLS
