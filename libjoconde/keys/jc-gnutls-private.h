#pragma once

#include <glib.h>
#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/x509.h>

G_BEGIN_DECLS

/* Private helpers shared by the keys and pki areas: never part of a public header. */

/* Sets a JC_ERROR with @code whose message is "@what: <GnuTLS's reason>". */
void jc_gnutls_set_error (GError **error, int code, int rc, const char *what);

/* Frees a GnuTLS-allocated datum after wiping it (it may hold key material). */
void jc_gnutls_datum_clear (gnutls_datum_t *d);

/* Copy a GnuTLS-allocated datum of public data (an encoding, a text) into GLib memory,
 * then free it and leave @d empty. Key material goes through jc_gnutls_datum_clear. */
GBytes *jc_gnutls_datum_steal_bytes  (gnutls_datum_t *d);
char   *jc_gnutls_datum_steal_string (gnutls_datum_t *d);

/* A GnuTLS PIN callback whose userdata is a JcSecret (or NULL: no PIN). It gives the PIN
 * once: a second request means it was wrong, and retrying would only walk the token
 * towards locking itself. */
int jc_gnutls_pin_callback (void *userdata, int attempt, const char *token_url,
                            const char *token_label, unsigned int flags, char *pin,
                            size_t pin_max);

/* SHA-256 of a public key's SubjectPublicKeyInfo (DER), lowercase hex: the key id used
 * by the revocation set and shown to administrators. */
char *jc_gnutls_pubkey_id_hex (gnutls_pubkey_t pub, GError **error);

/* TRUE when @pub is an ECDSA key on P-256, the only node key type JOCONDE accepts. */
gboolean jc_gnutls_pubkey_is_p256 (gnutls_pubkey_t pub);

G_DEFINE_AUTO_CLEANUP_FREE_FUNC (gnutls_x509_crt_t, gnutls_x509_crt_deinit, NULL)
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (gnutls_x509_crq_t, gnutls_x509_crq_deinit, NULL)
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (gnutls_x509_crl_t, gnutls_x509_crl_deinit, NULL)
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (gnutls_x509_privkey_t, gnutls_x509_privkey_deinit, NULL)
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (gnutls_privkey_t, gnutls_privkey_deinit, NULL)
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (gnutls_pubkey_t, gnutls_pubkey_deinit, NULL)

G_END_DECLS
