#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The TLS identity of one end of an attested channel: an ephemeral Ed25519 key made for
 * one task, in a self-signed certificate. Nobody trusts it for its own sake: the TEE
 * evidence binds SHA-256 of its SubjectPublicKeyInfo, which is what makes it trusted. */

#define JC_ATLS_SPKI_HASH_SIZE 32

/* A new key and self-signed certificate named COMMON_NAME, valid from an hour ago until
 * NOT_AFTER (Unix seconds; e.g. the task's output deadline). The private key lives only
 * in memory. */
GTlsCertificate *jc_atls_identity_new (const char *common_name, gint64 not_after, GError **error);

/* SHA-256 of the certificate's SubjectPublicKeyInfo (DER). */
gboolean jc_atls_certificate_spki_hash (GTlsCertificate *certificate,
                                        guint8 hash[JC_ATLS_SPKI_HASH_SIZE], GError **error);

G_END_DECLS
