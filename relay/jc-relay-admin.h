#pragma once

/* The administration commands of joconde-relay that make and issue certificates
 * (docs/admin-relay.md). Each returns a process exit status. */

#include "jc-relay-config.h"

G_BEGIN_DECLS

typedef struct {
  const char *dir;          /* where files go (default: the configuration's folder) */
  const char *company;
  const char *department;
  const char *email;
  const char *name;
  const char *roles;        /* comma-separated role names */
  const char *ca_token;     /* init-root: PKCS#11 token URI for the root CA key */
  const char *out;
  const char *reason;
} JcRelayAdminOptions;

int jc_relay_admin_init_root   (JcRelayConfig *config, const JcRelayAdminOptions *o);
int jc_relay_admin_init_node   (JcRelayConfig *config, const JcRelayAdminOptions *o);
int jc_relay_admin_csr_add     (JcRelayConfig *config, const char *path);
int jc_relay_admin_csr_list    (JcRelayConfig *config);
int jc_relay_admin_csr_approve (JcRelayConfig *config, const char *id, const JcRelayAdminOptions *o);
int jc_relay_admin_csr_reject  (JcRelayConfig *config, const char *id, const JcRelayAdminOptions *o);

G_END_DECLS
