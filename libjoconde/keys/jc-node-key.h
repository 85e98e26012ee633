#pragma once

#include <glib-object.h>
#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>

#include "jc-secret.h"

G_BEGIN_DECLS

/* A service node's signing key (the "Asymmetric Signing Key Pair" of spec §4.4.2):
 * ECDSA on P-256, held either in a PKCS#8 PEM file (optionally encrypted with a
 * passphrase: PBES2, PBKDF2-HMAC-SHA256, AES-256-CBC) or in a PKCS#11 token addressed by
 * an RFC 7512 URI. Every other key type is refused.
 *
 * Node signatures (over CTSAs and other documents) sign a 32-byte SHA-256 document hash
 * and are written as the 64-byte IEEE P1363 form r || s (as JWS "ES256" does), each half
 * a big-endian 32-byte integer. */

#define JC_NODE_SIGNATURE_SIZE 64
#define JC_NODE_HASH_SIZE      32

#define JC_TYPE_NODE_KEY (jc_node_key_get_type ())
G_DECLARE_FINAL_TYPE (JcNodeKey, jc_node_key, JC, NODE_KEY, GObject)

/* A fresh key in memory (save it with jc_node_key_save_file). */
JcNodeKey       *jc_node_key_generate        (GError      **error);
/* Loads a PKCS#8 PEM key file; @passphrase is needed iff the file is encrypted. Refuses a
 * file that group or other can read. */
JcNodeKey       *jc_node_key_load_file       (const char   *path,
                                              const char   *passphrase,
                                              GError      **error);
/* Writes the key as PKCS#8 PEM, atomically with mode 0600, encrypted when @passphrase is
 * non-NULL (it must then not be empty). Refused for a PKCS#11 key. */
gboolean         jc_node_key_save_file       (JcNodeKey    *key,
                                              const char   *path,
                                              const char   *passphrase,
                                              GError      **error);
/* Opens the key a configuration names: a "pkcs11:" URI (@secret is then the PIN) or a
 * file path (@secret is then the passphrase, NULL for a plain file). */
JcNodeKey       *jc_node_key_open            (const char   *location,
                                              const char   *secret,
                                              GError      **error);
/* Opens a private key held in a PKCS#11 token, e.g.
 * "pkcs11:token=joconde;object=root-ca;type=private". @pin may be NULL when the URI
 * carries "pin-value" or the token needs no login. Modules are those p11-kit knows;
 * jc_node_key_add_pkcs11_module() adds another. */
JcNodeKey       *jc_node_key_open_pkcs11     (const char   *uri,
                                              const char   *pin,
                                              GError      **error);
/* Generates a P-256 key pair inside the token named by @token_uri (e.g.
 * "pkcs11:token=joconde"), labelled @label (letters, digits, '.', '_', '-'), private,
 * sensitive and not extractable, and opens it. Refused if the label is already used.
 * Sets the process-wide GnuTLS PIN callback for the duration of the call: call it from
 * an administration command, not from a busy daemon thread. */
JcNodeKey       *jc_node_key_generate_pkcs11 (const char   *token_uri,
                                              const char   *label,
                                              const char   *pin,
                                              GError      **error);
/* The private key as unencrypted PKCS#8 PEM in guarded memory (for handing to a TLS
 * library in memory, never for writing anywhere). Refused for a PKCS#11 key. */
JcSecret        *jc_node_key_export_pem      (JcNodeKey    *key,
                                              GError      **error);
/* Loads a PKCS#11 module (a .so path) beside p11-kit's configured ones; once per process. */
gboolean         jc_node_key_add_pkcs11_module (const char *module_path,
                                                GError    **error);

/* NULL for a key held in a file or in memory. */
const char      *jc_node_key_get_pkcs11_uri  (JcNodeKey    *key);
/* Borrowed GnuTLS handles, valid while @key lives (for certificate signing, TLS). */
gnutls_privkey_t jc_node_key_get_privkey     (JcNodeKey    *key);
gnutls_pubkey_t  jc_node_key_get_pubkey      (JcNodeKey    *key);
/* SHA-256 of the SubjectPublicKeyInfo, lowercase hex: the key's identifier. */
const char      *jc_node_key_get_id          (JcNodeKey    *key);

/* Signs a 32-byte document hash; returns the 64-byte r || s signature. */
GBytes          *jc_node_key_sign_hash       (JcNodeKey    *key,
                                              const guint8 *hash,
                                              gsize         hash_len,
                                              GError      **error);

/* Verifies a 64-byte r || s signature of a 32-byte hash with a P-256 public key.
 * jc_cert_verify_hash() (pki/jc-cert.h) does the same with a certificate. */
gboolean         jc_node_signature_verify    (gnutls_pubkey_t pub,
                                              const guint8 *hash,
                                              gsize         hash_len,
                                              const guint8 *sig,
                                              gsize         sig_len,
                                              GError      **error);

G_END_DECLS
