#pragma once

#include <glib-object.h>

#include "jc-node-identity.h"
#include "jc-node-key.h"
#include "jc-roles.h"

G_BEGIN_DECLS

/* A PKCS#10 certificate signing request of a node: its public key, its identity
 * (O, OU, CN in the subject; the contact e-mail as a subjectAltName rfc822Name or, for
 * requests made by other tools, a subject emailAddress) and the roles it asks for
 * (subjectAltName URIs; the issuer decides which roles it grants). Loading a CSR checks
 * its self-signature, that the key is ECDSA P-256 and that the identity is valid. */

#define JC_TYPE_CSR (jc_csr_get_type ())
G_DECLARE_FINAL_TYPE (JcCsr, jc_csr, JC, CSR, GObject)

JcCsr          *jc_csr_new                  (JcNodeKey            *key,
                                             const JcNodeIdentity *identity,
                                             JcRoles               requested_roles,
                                             GError              **error);
JcCsr          *jc_csr_new_from_pem         (const char           *pem,
                                             gssize                len,
                                             GError              **error);
JcCsr          *jc_csr_new_from_der         (GBytes               *der,
                                             GError              **error);

char           *jc_csr_to_pem               (JcCsr                *csr);
GBytes         *jc_csr_get_der              (JcCsr                *csr);
const JcNodeIdentity *jc_csr_get_identity   (JcCsr                *csr);
JcRoles         jc_csr_get_requested_roles  (JcCsr                *csr);
/* SHA-256 of the SubjectPublicKeyInfo, lowercase hex. */
const char     *jc_csr_get_key_id           (JcCsr                *csr);
/* Borrowed, valid while @csr lives. */
gnutls_pubkey_t jc_csr_get_pubkey           (JcCsr                *csr);

G_END_DECLS
