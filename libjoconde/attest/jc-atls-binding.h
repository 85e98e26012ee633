#pragma once

#include <gio/gio.h>

#include "jc-secret.h"
#include "jc-tee-types.h"

G_BEGIN_DECLS

/* What an attested channel binds together (docs/attestation.md "Attested TLS").
 *
 *   binding     = TLS-Exporter("EXPORTER-Channel-Binding", "", 32)       (RFC 9266)
 *   report data = SHA-512("JOCONDE-ATLS-v1" || 0x00 || role || binding
 *                         || SHA-256(SPKI of the sender's TLS key)
 *                         || len(cta_hash) as one byte || cta_hash)
 *   PAK proof   = Ed25519 signature over the same bytes with role 'P' and the SPKI of the
 *                 server (the VM), made with the PAK's private key.
 *
 * role is 'S' for the evidence of the VM that accepted the connection, 'C' for the
 * evidence of a VM that opened it (VM-to-VM), 'P' for a PAK proof, so none of the three
 * can stand in for another. */

#define JC_ATLS_LABEL           "JOCONDE-ATLS-v1"
#define JC_ATLS_BINDING_SIZE    32
#define JC_ATLS_CTA_HASH_MAX    64
#define JC_ATLS_PAK_SIZE        32   /* Ed25519 public key */
#define JC_ATLS_PAK_SIGNATURE_SIZE 64

typedef enum {
  JC_ATLS_ROLE_SERVER = 'S',
  JC_ATLS_ROLE_CLIENT = 'C',
  JC_ATLS_ROLE_PAK    = 'P',
} JcAtlsRole;

/* The RFC 9266 tls-exporter binding of a finished handshake; refuses anything older
 * than TLS 1.3, where the exporter is not unique to the connection. */
gboolean jc_atls_channel_binding (GTlsConnection *connection,
                                  guint8 binding[JC_ATLS_BINDING_SIZE], GError **error);

/* The bytes hashed (report data) or signed (PAK proof). cta_hash_len is 1 to 64. */
GBytes  *jc_atls_binding_message (JcAtlsRole role, const guint8 binding[JC_ATLS_BINDING_SIZE],
                                  const guint8 spki_hash[32],
                                  const guint8 *cta_hash, gsize cta_hash_len);

void     jc_atls_report_data (JcAtlsRole role, const guint8 binding[JC_ATLS_BINDING_SIZE],
                              const guint8 spki_hash[32], const guint8 *cta_hash,
                              gsize cta_hash_len, guint8 report_data[JC_TEE_REPORT_DATA_SIZE]);

/* PAK proof with an Ed25519 secret key (libsodium, 64 bytes) / its check. */
void     jc_atls_pak_sign   (const JcSecret *pak_secret, const guint8 binding[JC_ATLS_BINDING_SIZE],
                             const guint8 server_spki_hash[32], const guint8 *cta_hash,
                             gsize cta_hash_len, guint8 signature[JC_ATLS_PAK_SIGNATURE_SIZE]);
gboolean jc_atls_pak_verify (const guint8 pak[JC_ATLS_PAK_SIZE],
                             const guint8 signature[JC_ATLS_PAK_SIGNATURE_SIZE],
                             const guint8 binding[JC_ATLS_BINDING_SIZE],
                             const guint8 server_spki_hash[32], const guint8 *cta_hash,
                             gsize cta_hash_len, GError **error);

G_END_DECLS
