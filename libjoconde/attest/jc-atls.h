#pragma once

#include <gio/gio.h>

#include "jc-atls-binding.h"
#include "jc-atls-frame.h"
#include "jc-atls-identity.h"
#include "jc-secret.h"
#include "jc-tee.h"

G_BEGIN_DECLS

/* Attested TLS (docs/attestation.md "Attested TLS"; spec §4.2.1.2 RA communication paths,
 * §4.3.2.3 Attestation Proxy).
 *
 * Over any GIOStream (normally a GSocketConnection) both ends run a TLS 1.3 handshake, the
 * VM with its per-task identity (jc_atls_identity_new); then four framed messages:
 *   client → VM   atls-hello     {role: "client" | "vm"}
 *   VM → client   atls-evidence  TEE evidence over the channel binding, the VM's TLS key and
 *                                the CTA hash it enforces
 *   client → VM   atls-proof     a PAK's signature over the same (role "client"), or the
 *                                connecting VM's own evidence (role "vm", VM-to-VM)
 *   VM → client   atls-accepted | atls-refused {reason}
 * after which the stream (a GTlsConnection) belongs to the application: every byte on it is
 * bound to the attested VM and, on the VM side, to the PAK or VM that proved itself.
 *
 * The blocking calls run the whole exchange and may take a while (TEE hardware requests):
 * call them from a worker thread, or use the _async variants from the main loop. */

/* ---- The result of a handshake ---- */

#define JC_TYPE_ATLS_SESSION (jc_atls_session_get_type ())
G_DECLARE_FINAL_TYPE (JcAtlsSession, jc_atls_session, JC, ATLS_SESSION, GObject)

/* The attested stream (a GTlsConnection); speak the application protocol on it. */
GIOStream          *jc_atls_session_get_stream       (JcAtlsSession *self);
const guint8       *jc_atls_session_get_binding      (JcAtlsSession *self); /* 32 bytes */
/* The other end's TEE verdict: the VM for a client; the connecting VM on a VM that
 * accepted a VM-to-VM connection; NULL on a VM whose peer proved a PAK. */
const JcTeeVerdict *jc_atls_session_get_peer_verdict (JcAtlsSession *self);
/* The PAK (32-byte Ed25519 public key) the peer proved, on the VM side; else NULL. */
const guint8       *jc_atls_session_get_peer_pak     (JcAtlsSession *self);

/* ---- The VM side ---- */

/* Decides whether a PAK may connect (the task's policy engine: the CTA's custodians and
 * analysts). Called from the handshake's thread. Return FALSE with an error to refuse;
 * its message is sent to the client. */
typedef gboolean (*JcAtlsPakCheckFunc) (const guint8 pak[JC_ATLS_PAK_SIZE], gpointer user_data,
                                        GError **error);

#define JC_TYPE_ATLS_SERVER (jc_atls_server_get_type ())
G_DECLARE_FINAL_TYPE (JcAtlsServer, jc_atls_server, JC, ATLS_SERVER, GObject)

/* IDENTITY: the VM's per-task TLS certificate with its key; PROVIDER: its TEE; CTA_HASH
 * (1 to 64 bytes): the hash of the agreement the VM enforces. */
JcAtlsServer  *jc_atls_server_new (GTlsCertificate *identity, JcTeeProvider *provider,
                                   const guint8 *cta_hash, gsize cta_hash_len);
/* PAKs allowed to connect: a set (add_pak) or a callback (set_pak_check, which wins). With
 * neither, every PAK is refused. */
void           jc_atls_server_add_pak       (JcAtlsServer *self, const guint8 pak[JC_ATLS_PAK_SIZE]);
void           jc_atls_server_set_pak_check (JcAtlsServer *self, JcAtlsPakCheckFunc func,
                                             gpointer user_data, GDestroyNotify destroy);
/* Counterpart VMs: accepted when their evidence passes POLICY (copied) with this VM's CTA
 * hash; without a policy every VM is refused. */
void           jc_atls_server_set_peer_policy (JcAtlsServer *self, const JcTeePolicy *policy);
/* Seconds the peer may take for the whole handshake (default 30; 0: no limit). Applies
 * when the stream is a GSocketConnection. */
void           jc_atls_server_set_timeout (JcAtlsServer *self, guint seconds);

JcAtlsSession *jc_atls_server_handshake (JcAtlsServer *self, GIOStream *base,
                                         GCancellable *cancellable, GError **error);
void           jc_atls_server_handshake_async  (JcAtlsServer *self, GIOStream *base,
                                                GCancellable *cancellable,
                                                GAsyncReadyCallback callback, gpointer user_data);
JcAtlsSession *jc_atls_server_handshake_finish (JcAtlsServer *self, GAsyncResult *result,
                                                GError **error);

/* ---- The connecting side: a client node (PAK) or a counterpart VM ---- */

#define JC_TYPE_ATLS_CLIENT (jc_atls_client_get_type ())
G_DECLARE_FINAL_TYPE (JcAtlsClient, jc_atls_client, JC, ATLS_CLIENT, GObject)

/* POLICY (copied): what the VM's evidence must satisfy, from the task's CTSC (platform,
 * TEE measurements); CTA_HASH: the agreement the client signed and expects enforced. */
JcAtlsClient  *jc_atls_client_new (const JcTeePolicy *policy, const guint8 *cta_hash,
                                   gsize cta_hash_len);
/* Prove this PAK (libsodium Ed25519 secret key, 64 bytes; copied). */
void           jc_atls_client_set_pak (JcAtlsClient *self, const JcSecret *pak_secret);
/* Or connect as a counterpart VM: present IDENTITY and attest with PROVIDER. */
void           jc_atls_client_set_vm  (JcAtlsClient *self, GTlsCertificate *identity,
                                       JcTeeProvider *provider);
void           jc_atls_client_set_timeout (JcAtlsClient *self, guint seconds);

JcAtlsSession *jc_atls_client_handshake (JcAtlsClient *self, GIOStream *base,
                                         GCancellable *cancellable, GError **error);
/* Connects to ADDRESS ("host:port", "[v6]:port") and runs the handshake. */
JcAtlsSession *jc_atls_client_connect   (JcAtlsClient *self, const char *address,
                                         GCancellable *cancellable, GError **error);
void           jc_atls_client_connect_async  (JcAtlsClient *self, const char *address,
                                              GCancellable *cancellable,
                                              GAsyncReadyCallback callback, gpointer user_data);
JcAtlsSession *jc_atls_client_connect_finish (JcAtlsClient *self, GAsyncResult *result,
                                              GError **error);

G_END_DECLS
