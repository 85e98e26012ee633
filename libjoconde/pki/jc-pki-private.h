#pragma once

#include "jc-cert.h"
#include "jc-gnutls-private.h"

G_BEGIN_DECLS

/* Internal helpers of the pki area. */

#define JC_PKI_MAX_PEM_SIZE (1024 * 1024)

/* Takes ownership of @crt. */
JcCert  *jc_cert_new_take            (gnutls_x509_crt_t crt,
                                      GError          **error);

/* Reads one subject attribute; sets *multiple when it occurs more than once. */
char    *jc_pki_dn_get_crt           (gnutls_x509_crt_t crt, const char *oid, gboolean *multiple);
char    *jc_pki_dn_get_crq           (gnutls_x509_crq_t crq, const char *oid, gboolean *multiple);

/* Reads subjectAltName: the first rfc822Name (and how many there were) and the roles. */
void     jc_pki_san_read_crt         (gnutls_x509_crt_t crt, char **email, guint *n_email, JcRoles *roles);
void     jc_pki_san_read_crq         (gnutls_x509_crq_t crq, char **email, guint *n_email, JcRoles *roles);

G_END_DECLS
