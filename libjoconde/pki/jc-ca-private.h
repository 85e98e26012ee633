#pragma once

#include "jc-ca.h"

G_BEGIN_DECLS

/* Shared by jc-ca.c and jc-rotation.c. */
JcCert  *jc_ca_make_cert      (JcNodeKey *signer, JcCert *issuer, gnutls_pubkey_t subject_key,
                               const JcNodeIdentity *id, JcRoles roles,
                               const JcValidity *validity, GError **error);
gboolean jc_ca_check_issuer   (JcNodeKey *issuer_key, JcCert *issuer, GError **error);
void     jc_ca_clamp_validity (JcCert *issuer, const JcValidity *in, JcValidity *out);

G_END_DECLS
