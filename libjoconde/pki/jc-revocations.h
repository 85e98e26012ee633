#pragma once

#include <glib-object.h>

#include "jc-cert.h"
#include "jc-crl.h"

G_BEGIN_DECLS

/* What a verifier knows to be revoked (docs/pki.md, "Revocation"):
 *  - CRLs, each signed by the node that issued the certificates it lists (a CRL counts
 *    only for certificates whose issuer in the chain verifies its signature);
 *  - revoked keys, by key id (SHA-256 of the SubjectPublicKeyInfo): how the root marks
 *    a physically lost key revoked, since no revocation request can be signed with it.
 *    Every certificate bearing such a key is revoked, whoever issued it.
 * A revocation counts at verification times at or after its revocation time.
 * The revoked-key list is saved as JSON:
 *   {"type":"joconde-revoked-keys","version":1,
 *    "keys":[{"key_id":"<64 hex>","revoked_at":"2026-11-21T19:43:00Z","reason":"lost"}]} */

#define JC_TYPE_REVOCATIONS (jc_revocations_get_type ())
G_DECLARE_FINAL_TYPE (JcRevocations, jc_revocations, JC, REVOCATIONS, GObject)

JcRevocations *jc_revocations_new             (void);
void           jc_revocations_add_crl         (JcRevocations *self,
                                               JcCrl         *crl);
/* Marks a key revoked; @reason is free text for administrators (may be NULL). Fails
 * for a malformed key id. Marking the same key again keeps the earliest time. */
gboolean       jc_revocations_revoke_key      (JcRevocations *self,
                                               const char    *key_id,
                                               gint64         revoked_at,
                                               const char    *reason,
                                               GError       **error);
gboolean       jc_revocations_is_key_revoked  (JcRevocations *self,
                                               const char    *key_id,
                                               gint64         at,
                                               gint64        *revoked_at);
/* Whether @cert, issued by @issuer, is revoked at time @at, by a CRL of @issuer or by
 * its key; *revoked_at gets the revocation time. */
gboolean       jc_revocations_is_cert_revoked (JcRevocations *self,
                                               JcCert        *cert,
                                               JcCert        *issuer,
                                               gint64         at,
                                               gint64        *revoked_at);

char          *jc_revocations_keys_to_json    (JcRevocations *self);
/* Loads a revoked-key list (no CRLs) from its JSON form. */
JcRevocations *jc_revocations_new_from_json   (const char    *json,
                                               gssize         len,
                                               GError       **error);

G_END_DECLS
