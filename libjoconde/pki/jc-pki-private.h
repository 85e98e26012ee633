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

/* What a subjectAltName says: the first rfc822Name (and how many there were), the roles,
 * and the hosts (dNSName as written, iPAddress in text form), NULL-terminated. */
typedef struct {
  char     *email;
  guint     n_email;
  JcRoles   roles;
  GPtrArray *hosts;
} JcSanInfo;

void     jc_pki_san_read_crt         (gnutls_x509_crt_t crt, JcSanInfo *out);
void     jc_pki_san_read_crq         (gnutls_x509_crq_t crq, JcSanInfo *out);
void     jc_pki_san_info_clear       (JcSanInfo *info);
/* The hosts as a new NULL-terminated vector, NULL when there are none. */
char   **jc_pki_san_info_steal_hosts (JcSanInfo *info);

/* Appends one host (DNS name or IP address text) to a SAN, through @append. */
typedef int (*JcSanAppend) (void *obj, gnutls_x509_subject_alt_name_t type, const void *data,
                            unsigned size, unsigned flags);
int      jc_pki_san_add_hosts        (JcSanAppend append, void *obj, char **hosts);
int      jc_pki_san_append_crt       (void *obj, gnutls_x509_subject_alt_name_t type,
                                      const void *data, unsigned size, unsigned flags);
int      jc_pki_san_append_crq       (void *obj, gnutls_x509_subject_alt_name_t type,
                                      const void *data, unsigned size, unsigned flags);

G_END_DECLS
