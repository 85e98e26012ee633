#pragma once

#include "jc-cert.h"
#include "jc-parts.h"
#include "jc-store.h"

G_BEGIN_DECLS

/* A client node's trusted view of other nodes (ADR-5): the certificate chains it has
 * received, each verified to the System's root CA when imported, with the fingerprint a
 * user compares out of band (on the phone, on paper) before marking the node verified.
 * Drafts name peers and computing parties from this view; a node not in it is unknown. */

typedef struct {
  char    *name;
  char    *fingerprint;  /* SHA-256 of the chain, hex (what documents name) */
  char    *digits;       /* 12 groups of 5 digits (what people compare) */
  char    *roles;        /* the certificate's roles, comma-separated */
  gboolean verified;
} JcClientPeer;

void          jc_client_peer_free         (JcClientPeer *peer);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (JcClientPeer, jc_client_peer_free)

/* Imports a chain (PEM, leaf first; the root CA may be last): verified to ROOT_CA now,
 * then kept under its leaf's name. A known name with another chain replaces it and is
 * unverified again. Returns the peer's name. */
char         *jc_client_peers_import      (JcStore *store, JcCert *root_ca, const char *chain_pem,
                                           GError **error);
GPtrArray    *jc_client_peers_list        (JcStore *store, GError **error); /* JcClientPeer* */
/* NAME is a node name or a fingerprint (hex). */
JcClientPeer *jc_client_peers_get         (JcStore *store, const char *name, GError **error);
gboolean      jc_client_peers_set_verified (JcStore *store, const char *name, gboolean verified,
                                            GError **error);
/* The party of a CTSC for NAME (node name or fingerprint): chain and fingerprint. Fails
 * with JC_ERROR_NOT_FOUND for a node not in the view. */
JcParty      *jc_client_peers_party       (JcStore *store, const char *name, GError **error);

G_END_DECLS
