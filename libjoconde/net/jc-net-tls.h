#pragma once

/* Certificate facts the link needs, read with GnuTLS from GIO certificates. The
 * PKI itself (issuing, CRLs, rotation) lives in libjoconde/pki. */

#include <gio/gio.h>

G_BEGIN_DECLS

GTlsCertificate *jc_net_tls_load_identity (const char       *cert_file,
                                           const char       *key_file,
                                           GError          **error);
char            *jc_net_tls_common_name   (GTlsCertificate  *cert);
char            *jc_net_tls_issuer_common_name (GTlsCertificate *cert);
char            *jc_net_tls_serial        (GTlsCertificate  *cert);
char            *jc_net_tls_pem           (GTlsCertificate  *cert);
gboolean         jc_net_tls_issued_by     (GTlsCertificate  *cert,
                                           GTlsCertificate  *issuer);
gboolean         jc_net_tls_chain_contains (const char *const *chain_pem,
                                            GTlsCertificate   *ancestor,
                                            char             **leaf_cn,
                                            GError           **error);

G_END_DECLS
