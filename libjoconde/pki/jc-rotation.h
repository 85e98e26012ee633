#pragma once

#include <glib-object.h>

#include "jc-ca.h"
#include "jc-cert.h"
#include "jc-csr.h"
#include "jc-node-key.h"

G_BEGIN_DECLS

/* Automatic key rotation (spec §4.4.2.3, Figure 31): a node makes a new key and a CSR
 * for it, and signs that CSR with its previous key; the parent checks that signature
 * against the previous certificate it issued, then issues the new certificate with the
 * previous certificate's name and roles (never those the CSR asks for).
 *
 * The signature is a node signature (64-byte r || s, jc-node-key.h) by the previous key
 * over SHA-256( "JOCONDE rotation request v1\n" || SHA-256(CSR DER) ||
 * SHA-256(previous certificate DER) ).
 * Written form (JSON):
 *   {"type":"joconde-rotation-request","version":1,"csr":"<PEM>",
 *    "previous_certificate":"<PEM>","signature":"<base64url>"} */

#define JC_TYPE_ROTATION_REQUEST (jc_rotation_request_get_type ())
G_DECLARE_FINAL_TYPE (JcRotationRequest, jc_rotation_request, JC, ROTATION_REQUEST, GObject)

JcRotationRequest *jc_rotation_request_new           (JcNodeKey          *previous_key,
                                                      JcCert             *previous_cert,
                                                      JcNodeKey          *new_key,
                                                      GError            **error);
JcRotationRequest *jc_rotation_request_new_from_json (const char         *json,
                                                      gssize              len,
                                                      GError            **error);
char              *jc_rotation_request_to_json       (JcRotationRequest  *req);
JcCsr             *jc_rotation_request_get_csr       (JcRotationRequest  *req);
JcCert            *jc_rotation_request_get_previous  (JcRotationRequest  *req);

/* The parent's check at time @at: the previous certificate was issued by @issuer and is
 * still valid, the signature was made by its key, the new key differs from it, and the
 * CSR names the same node. Revocation of the previous certificate is the caller's check
 * (jc_revocations_is_cert_revoked). */
gboolean           jc_rotation_request_verify        (JcRotationRequest  *req,
                                                      JcCert             *issuer,
                                                      gint64              at,
                                                      GError            **error);

/* Verifies @req at @at, then issues the new certificate with the previous certificate's
 * identity and roles and @validity (clamped to the issuer's). */
JcCert            *jc_ca_issue_rotation              (JcNodeKey          *issuer_key,
                                                      JcCert             *issuer,
                                                      JcRotationRequest  *req,
                                                      const JcValidity   *validity,
                                                      gint64              at,
                                                      GError            **error);

G_END_DECLS
