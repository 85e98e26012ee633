#pragma once

#include <glib-object.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "jc-node-identity.h"
#include "jc-roles.h"

G_BEGIN_DECLS

/* An X.509 certificate of the JOCONDE tree (a node's PKC, or the root CA), immutable.
 * Chains are GPtrArray of JcCert, leaf first, each element's issuer next. The profile
 * is described in docs/pki.md. Any well-formed X.509 certificate can be loaded (a
 * foreign one simply has no roles and perhaps no e-mail). */

#define JC_TYPE_CERT (jc_cert_get_type ())
G_DECLARE_FINAL_TYPE (JcCert, jc_cert, JC, CERT, GObject)

/* Loads exactly one certificate. */
JcCert      *jc_cert_new_from_pem        (const char   *pem,
                                          gssize        len,
                                          GError      **error);
JcCert      *jc_cert_new_from_der        (GBytes       *der,
                                          GError      **error);
JcCert      *jc_cert_new_from_file       (const char   *path,
                                          GError      **error);
/* Loads a PEM bundle (one or more certificates, kept in file order) as a chain. */
GPtrArray   *jc_cert_list_new_from_pem   (const char   *pem,
                                          gssize        len,
                                          GError      **error);
GPtrArray   *jc_cert_list_new_from_file  (const char   *path,
                                          GError      **error);
char        *jc_cert_list_to_pem         (GPtrArray    *certs);

char        *jc_cert_to_pem              (JcCert       *cert);
GBytes      *jc_cert_get_der             (JcCert       *cert);
/* Borrowed GnuTLS handles, valid while @cert lives. */
gnutls_x509_crt_t jc_cert_get_gnutls     (JcCert       *cert);
gnutls_pubkey_t   jc_cert_get_pubkey     (JcCert       *cert);

/* Subject fields; NULL when absent. */
const char  *jc_cert_get_name            (JcCert       *cert); /* CN */
const char  *jc_cert_get_company         (JcCert       *cert); /* O */
const char  *jc_cert_get_department      (JcCert       *cert); /* OU */
const char  *jc_cert_get_email           (JcCert       *cert); /* SAN rfc822Name */
/* Host names and IP addresses (subjectAltName dNSName/iPAddress), NULL if none. */
const char *const *jc_cert_get_hosts    (JcCert       *cert);
/* The identity as a new struct (fields may be NULL for a foreign certificate). */
JcNodeIdentity *jc_cert_get_identity     (JcCert       *cert);
/* The issuer's CN, for messages. */
const char  *jc_cert_get_issuer_name     (JcCert       *cert);
JcRoles      jc_cert_get_roles           (JcCert       *cert);
gboolean     jc_cert_has_roles           (JcCert       *cert,
                                          JcRoles       roles);
gboolean     jc_cert_is_ca               (JcCert       *cert);
gboolean     jc_cert_is_self_signed      (JcCert       *cert);

/* Serial number as lowercase hex of its DER content bytes (as in CRLs). */
const char  *jc_cert_get_serial          (JcCert       *cert);
/* SHA-256 of the certificate's DER, lowercase hex. */
const char  *jc_cert_get_sha256          (JcCert       *cert);
/* SHA-256 of the SubjectPublicKeyInfo, lowercase hex (= jc_node_key_get_id). */
const char  *jc_cert_get_key_id          (JcCert       *cert);

/* Validity in Unix seconds. The active period ends at "active until" (the
 * privateKeyUsagePeriod notAfter; the certificate's notAfter when that is absent). */
gint64       jc_cert_get_not_before      (JcCert       *cert);
gint64       jc_cert_get_not_after       (JcCert       *cert);
gint64       jc_cert_get_active_until    (JcCert       *cert);
/* Active: not_before <= at < active_until. Passive: active_until <= at < not_after. */
gboolean     jc_cert_is_active_at        (JcCert       *cert,
                                          gint64        at);
gboolean     jc_cert_is_valid_at         (JcCert       *cert,
                                          gint64        at);

gboolean     jc_cert_equal               (JcCert       *a,
                                          JcCert       *b);
/* TRUE when @issuer's subject is @cert's issuer and its key made @cert's signature
 * (no time, CA or revocation checks: see jc_chain_verify for those). */
gboolean     jc_cert_is_signed_by        (JcCert       *cert,
                                          JcCert       *issuer);

/* Verifies a node signature (64-byte r || s over a 32-byte document hash, see
 * jc-node-key.h) with the certificate's public key. Checks neither validity nor chain. */
gboolean     jc_cert_verify_hash         (JcCert       *cert,
                                          const guint8 *hash,
                                          gsize         hash_len,
                                          const guint8 *sig,
                                          gsize         sig_len,
                                          GError      **error);

/* A one-line description for logs and messages: "CN (O / OU), serial …". */
char        *jc_cert_describe            (JcCert       *cert);

G_END_DECLS
