#pragma once

#include <glib-object.h>

#include "jc-cert.h"
#include "jc-node-key.h"

G_BEGIN_DECLS

/* A node's request to revoke its own certificate because its key may have leaked (spec
 * §4.4.2.3, Figures 32–33). It is signed with the key being revoked, so only someone
 * holding that key can ask; the parent adds the certificate to its CRL and passes the
 * request up to the root, which cancels the tasks where the certificate is a peer's.
 * (A key that is lost rather than leaked cannot sign: see jc_revocations_revoke_key.)
 *
 * The signature is a node signature (jc-node-key.h) over
 *   SHA-256( "JOCONDE revocation request v1\n" || SHA-256(certificate DER) ||
 *            SHA-256(requested_at text) || SHA-256(reason UTF-8) )
 * Written form (JSON):
 *   {"type":"joconde-revocation-request","version":1,"certificate":"<PEM>",
 *    "requested_at":"2026-11-21T19:43:00Z","reason":"…","signature":"<base64url>"} */

#define JC_TYPE_REVOCATION_REQUEST (jc_revocation_request_get_type ())
G_DECLARE_FINAL_TYPE (JcRevocationRequest, jc_revocation_request, JC, REVOCATION_REQUEST, GObject)

/* @reason: free text for administrators, at most 1024 characters (may be NULL). */
JcRevocationRequest *jc_revocation_request_new            (JcNodeKey           *key,
                                                           JcCert              *cert,
                                                           const char          *reason,
                                                           gint64               requested_at,
                                                           GError             **error);
JcRevocationRequest *jc_revocation_request_new_from_json  (const char          *json,
                                                           gssize               len,
                                                           GError             **error);
char                *jc_revocation_request_to_json        (JcRevocationRequest *req);
JcCert              *jc_revocation_request_get_certificate (JcRevocationRequest *req);
const char          *jc_revocation_request_get_reason     (JcRevocationRequest *req);
gint64               jc_revocation_request_get_requested_at (JcRevocationRequest *req);
/* TRUE when the key of the certificate to revoke made the signature. Whether the
 * certificate belongs to the receiver's subtree is the caller's check. */
gboolean             jc_revocation_request_verify         (JcRevocationRequest *req,
                                                           GError             **error);

G_END_DECLS
