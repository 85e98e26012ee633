#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The certificate of a person who signs (a signatory), as shown to them before they sign
 * and to the SO approver after: names, validity and fingerprint. Whether the certificate
 * belongs to the person named in the addendum is not decided here (no trust store): the
 * SO approver compares the subject and fingerprint with its member register. */
typedef struct {
  char   *subject;      /* RFC 4514 distinguished name */
  char   *issuer;       /* RFC 4514 distinguished name */
  gint64  not_before;   /* seconds since the epoch */
  gint64  not_after;
  char   *fingerprint;  /* SHA-256 of the DER certificate, "AB:CD:…" (32 pairs) */
  GBytes *der;
  guint   key_usage;    /* GNUTLS_KEY_* bits; 0 when the certificate has no key usage */
  /* Set for a certificate found in a PKCS#11 token (keys/jc-signing-token.h), else NULL. */
  char   *token_label;
  char   *cert_url;     /* RFC 7512 URI of the certificate */
  char   *key_url;      /* RFC 7512 URI of its private key (same token, same id) */
} JcSignerCert;

/* Reads a DER X.509 certificate; JC_ERROR_INVALID if it is not one. */
JcSignerCert *jc_signer_cert_new_from_der (GBytes *der, GError **error);
JcSignerCert *jc_signer_cert_copy         (const JcSignerCert *cert);
void          jc_signer_cert_free         (JcSignerCert *cert);
/* TRUE when the certificate may sign documents: within its validity at AT (seconds since
 * the epoch) and, if it has a key usage, one allowing digital signatures or
 * non-repudiation. Otherwise FALSE with JC_ERROR_EXPIRED or JC_ERROR_DENIED. */
gboolean      jc_signer_cert_can_sign_at  (const JcSignerCert *cert, gint64 at, GError **error);
/* A few lines for people (translated labels): subject, issuer, validity, fingerprint. */
char         *jc_signer_cert_describe     (const JcSignerCert *cert);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JcSignerCert, jc_signer_cert_free)

G_END_DECLS
