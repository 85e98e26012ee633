#pragma once

#include <gio/gio.h>

#include "jc-cert.h"
#include "jc-node-key.h"
#include "jc-roles.h"
#include "jc-store.h"

G_BEGIN_DECLS

/* A client node's profile directory (docs/client.md): everything a node is and has seen.
 *
 *   node-name        this node's name (its certificate's CN once enrolled)
 *   profile.ini      [node] parent-url, organisation (the organiser node of this node's
 *                    organisation, to which PAKs are registered), retention-days
 *   node.key         the node's private key (mode 0600; never leaves the directory)
 *   node.csr         the certificate request sent to the parent's administrator
 *   node.pem         the certificate chain installed after approval (leaf first, no CA)
 *   root-ca.pem      the System's root CA, the trust anchor
 *   node.db          SQLite: tasks, documents, peers, PAKs, requests, tombstones
 *   link.db          SQLite of the relay link (libjoconde/net: outbox and inbox)
 *   paks/<task>/<pak>.key   PAK private keys (mode 0600) */

#define JC_TYPE_CLIENT_PROFILE (jc_client_profile_get_type ())
G_DECLARE_FINAL_TYPE (JcClientProfile, jc_client_profile, JC, CLIENT_PROFILE, GObject)

typedef struct {
  const char *name;          /* node id: the certificate CN to ask for */
  const char *company;
  const char *department;
  const char *email;
  JcRoles     roles;         /* roles to ask for */
  const char *parent_url;    /* https://host:port */
  const char *root_ca_file;  /* the System's root CA (PEM), copied into the profile */
  const char *organisation;  /* organiser node of the organisation, or NULL */
} JcClientProfileSetup;

/* Creates DIR (which must not hold a profile yet): a new node key, a CSR asking for the
 * roles of SETUP, and the profile settings. The node is not enrolled until
 * jc_client_profile_install_chain. */
JcClientProfile *jc_client_profile_create        (const char *dir, const JcClientProfileSetup *setup,
                                                  GError **error);
/* Opens an existing profile; the node need not be enrolled yet. */
JcClientProfile *jc_client_profile_open          (const char *dir, GError **error);

/* Installs the certificate chain the parent's administrator issued (PEM: the node's
 * certificate, then its issuers): refuses a chain whose leaf is not for this node's key,
 * that does not verify to the root CA, or names another node. */
gboolean         jc_client_profile_install_chain (JcClientProfile *self, const char *chain_pem,
                                                  GError **error);

const char      *jc_client_profile_get_dir       (JcClientProfile *self);
const char      *jc_client_profile_get_name      (JcClientProfile *self);
const char      *jc_client_profile_get_parent_url (JcClientProfile *self);
const char      *jc_client_profile_get_organisation (JcClientProfile *self);
guint            jc_client_profile_get_retention_days (JcClientProfile *self);
gboolean         jc_client_profile_is_enrolled   (JcClientProfile *self);
char            *jc_client_profile_path          (JcClientProfile *self, const char *file);
JcStore         *jc_client_profile_get_store     (JcClientProfile *self);
JcNodeKey       *jc_client_profile_get_key       (JcClientProfile *self, GError **error);
/* The node's chain (JcCert*, leaf first, without the CA) and the root CA. */
GPtrArray       *jc_client_profile_get_chain     (JcClientProfile *self, GError **error);
JcCert          *jc_client_profile_get_root_ca   (JcClientProfile *self, GError **error);
/* The chain up to the root CA included: what the node's fingerprint is computed over. */
GPtrArray       *jc_client_profile_get_full_chain (JcClientProfile *self, GError **error);
JcRoles          jc_client_profile_get_roles     (JcClientProfile *self);
/* The CSR's PEM text (to send out of band) and its key id (to read over the phone). */
char            *jc_client_profile_get_csr       (JcClientProfile *self, char **key_id,
                                                  GError **error);

G_END_DECLS
