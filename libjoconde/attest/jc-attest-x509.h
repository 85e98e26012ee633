#pragma once

#include <glib.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <gnutls/abstract.h>

G_BEGIN_DECLS

/* Small X.509 and DER helpers shared by the SEV-SNP and TDX verifiers. Certificates are
 * checked with GnuTLS; time is always the caller's (the policy's `at`), never the clock. */

/* A list of parsed certificates; owns them. */
typedef struct {
  gnutls_x509_crt_t *crts;
  guint              n;
} JcX509List;

void     jc_x509_list_clear     (JcX509List *list);
/* Appends every certificate found in data (DER, or PEM with one or more certificates). */
gboolean jc_x509_list_add_data  (JcX509List *list, const guint8 *data, gsize len,
                                 const char *what, GError **error);
gboolean jc_x509_list_add_pem   (JcX509List *list, const char *pem, const char *what,
                                 GError **error);

char    *jc_x509_common_name    (gnutls_x509_crt_t crt);   /* "" if none */
gboolean jc_x509_issued_by_name (gnutls_x509_crt_t crt, gnutls_x509_crt_t issuer);
gboolean jc_x509_crl_issued_by_name (gnutls_x509_crl_t crl, gnutls_x509_crt_t issuer);
gboolean jc_x509_is_self_issued (gnutls_x509_crt_t crt);
gboolean jc_x509_equal          (gnutls_x509_crt_t a, gnutls_x509_crt_t b);

/* The signature of crt checks with issuer's key (GnuTLS, time checks off: see below). */
gboolean jc_x509_check_signed_by (gnutls_x509_crt_t crt, gnutls_x509_crt_t issuer,
                                  const char *what, const char *issuer_what, GError **error);
/* A time for messages, "YYYY-MM-DD HH:MM:SS UTC" ("?" when it cannot be shown). */
char    *jc_x509_format_time     (time_t t);
/* at lies within [from, until], neither being GnuTLS's (time_t) -1 for "unreadable". */
gboolean jc_x509_period_holds    (time_t from, time_t until, gint64 at);
/* at lies within crt's validity period; JC_ERROR_EXPIRED otherwise. */
gboolean jc_x509_check_time      (gnutls_x509_crt_t crt, gint64 at, const char *what,
                                  GError **error);

/* The DER value of an extension, or NULL if the certificate lacks it. */
GBytes  *jc_x509_extension       (gnutls_x509_crt_t crt, const char *oid);

/* ECDSA: signature as big-endian r || s of n bytes each, over data, with key. */
gboolean jc_x509_ecdsa_verify    (gnutls_pubkey_t key, gnutls_sign_algorithm_t algo,
                                  const guint8 *data, gsize data_len,
                                  const guint8 *r, const guint8 *s, gsize n);

/* Minimal DER reading: one element at *p (within end), tag checked, value returned. */
gboolean jc_der_read             (const guint8 **p, const guint8 *end, guint8 tag,
                                  const guint8 **value, gsize *value_len);
/* A DER INTEGER value as a non-negative number that fits 32 bits. */
gboolean jc_der_uint             (const guint8 *value, gsize len, guint32 *out);

G_END_DECLS
