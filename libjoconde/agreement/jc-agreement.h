#pragma once

#include <glib.h>

#include "jc-cert.h"
#include "jc-cta.h"
#include "jc-node-key.h"
#include "jc-revocations.h"
#include "jc-tee.h"

G_BEGIN_DECLS

/* Sealing and verifying a Computation Task Agreement (spec §4.4.1.1 "CTA Finalisation",
 * §4.4.1.4; docs/agreement.md). The model area checks that a CTA is well formed and that
 * its parts refer to each other; this area checks the cryptography: who signed, with which
 * certificate, and whether that certificate chains to the pinned root at a given time. */

/* What a verifier trusts. */
typedef struct {
  JcCert        *root;         /* the pinned root CA of the tree */
  GPtrArray     *approver;     /* JcCert*: the SO approver node's chain, leaf first (it may
                                * end with the root); its leaf must hold the approver role */
  JcRevocations *revocations;  /* CRLs and revoked keys known to the verifier; may be NULL */
  gint64         at;           /* the time of the check (Unix seconds): certificates must be
                                * valid and not revoked then */
} JcAgreementTrust;

/* Verifies CTA completely:
 *  - it is well formed and finalised (jc_cta_from_json's checks, approval included);
 *  - every computing party's chain verifies to the root (role cp), every peer's chain too
 *    (role organiser), none revoked, each fingerprint that of its first certificate;
 *  - every node signature in it verifies with the certificate of the peer it names and
 *    covers the CTSC or a CTSA of this CTA; each CTSA has at least one by its own peer;
 *  - the approval covers the body hash and verifies with the approver's certificate, whose
 *    chain verifies to the root with the approver role and whose fingerprint it names.
 * On failure returns FALSE with a JC_ERROR naming what failed (UNTRUSTED, BAD_SIGNATURE,
 * EXPIRED, REVOKED, DENIED, INVALID). */
gboolean jc_agreement_verify (const JcCta *cta, const JcAgreementTrust *trust, GError **error);

/* Reads and verifies a CTA from its bytes (at most 16 MiB): the one call a cpd, a guest or
 * a client needs. Returns the CTA and, when HASH is not NULL, its hash. */
JcCta   *jc_agreement_load   (GBytes *bytes, const JcAgreementTrust *trust,
                              guint8 hash[JC_DOC_HASH_SIZE], GError **error);

/* A node signature by KEY over a document hash, by the node NAME whose certificate chain is
 * CHAIN (JcCert*, leaf first, up to the root): the signer's fingerprint is the chain
 * fingerprint (pki/jc-chain-fingerprint.h). What an organiser's node puts beside its CTSA. */
JcNodeSignature *jc_agreement_sign (JcNodeKey *key, GPtrArray *chain, const char *name,
                                    const guint8 document_hash[JC_DOC_HASH_SIZE],
                                    GError **error);

/* The root seals a CTA: sets its approval to a signature by the approver's KEY over the
 * body hash (APPROVER_CHAIN: the approver's certificates, leaf first, up to the root).
 * Nothing else changes. Verify the result with jc_agreement_verify before sending it. */
gboolean jc_agreement_seal   (JcCta *cta, JcNodeKey *approver_key, GPtrArray *approver_chain,
                              const char *approver_name, GError **error);

/* The certificates of a party of the CTSC (DER in the document) as JcCert*, leaf first. */
GPtrArray *jc_agreement_party_chain (const JcParty *party, GError **error);

/* A cancel or terminate request is obeyed only when MSG is about this CTA's task and SIG is
 * a valid node signature over MSG's hash by one of the CTA's peers (its certificate as in
 * the CTSC) or by the SO approver of TRUST, at TRUST->at. */
gboolean jc_agreement_verify_control (const JcCta *cta, const JcAgreementTrust *trust,
                                      const JcControlMessage *msg, const JcNodeSignature *sig,
                                      GError **error);
gboolean jc_control_message_digest (const JcControlMessage *msg, guint8 out[JC_DOC_HASH_SIZE]);

/* The TEE policy the CTSC sets for the task's VMs (platform, TEE measurements), at time AT:
 * what a client checks the VMs against and what the VMs check each other against. Clear
 * it with jc_tee_policy_clear. */
void jc_agreement_tee_policy (const JcCtsc *ctsc, gint64 at, JcTeePolicy *policy);

void jc_agreement_trust_clear (JcAgreementTrust *trust);

G_END_DECLS
