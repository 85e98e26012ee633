#pragma once

/* The relay's configuration file (GKeyFile); relay/joconde-relay.conf lists every
 * option at its default. */

#include <glib.h>

#include "jc-roles.h"

G_BEGIN_DECLS

typedef struct {
  char    *certificate;       /* this node's certificate chain (PEM) */
  char    *key;               /* its private key (PEM) */
  char    *root_ca;           /* the System's root CA (PEM) */
  char    *state_dir;
  char    *listen_address;
  guint    listen_port;
  char    *parent_url;        /* NULL or empty: this relay is the root */
  char    *crl_file;          /* optional PEM CRL(s) of children */
  guint    window;
  guint    reconnect_min_ms;
  guint    reconnect_max_ms;
  guint    keepalive_s;
  gsize    max_message;
  guint    max_parked;        /* per origin, messages waiting for unknown recipients */
  gboolean synchronous_full;
  guint    keep_days;         /* copies of messages of no task are pruned after this */
  GHashTable *topic_roles;     /* topic -> GUINT (JcRoles): the origin needs one of them */
  guint    deadline_check_s;  /* root: how often task deadlines are checked */
  char   **approvers;         /* root: SO approver nodes that get every task's messages */
  gint64   retention_s;       /* root: how long an ended task's data is kept */
  guint    active_months;     /* issued certificates: active, then passive (§4.4.2.3) */
  guint    passive_months;
  char    *mail_command;      /* sendmail-compatible; NULL: no e-mail */
  char    *mail_from;
  char    *log_target;        /* syslog, stderr or file */
  char    *log_file;          /* for target=file */ /* policy, "role:topic" pairs (step 3) */
} JcRelayConfig;

JcRelayConfig *jc_relay_config_load (const char *path, GError **error);
void           jc_relay_config_free (JcRelayConfig *config);
gboolean       jc_relay_config_is_root (const JcRelayConfig *config);
/* The certificate and key in use: rotated ones in the state directory when there are,
 * else the configured ones. */
void           jc_relay_config_identity_paths (const JcRelayConfig *config, char **cert,
                                               char **key);

/* The admission policy of §4.3.2.1 when the configuration sets none. */
#define JC_RELAY_DEFAULT_POLICY \
  "ctsc.submit=organiser;ctsa.submit=organiser;signature.submit=organiser,signatory;" \
  "approval.submit=approver;pak.register=custodian,analyst,organiser;" \
  "control.request=organiser,approver;telemetry.event=cp;vm.address=cp"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JcRelayConfig, jc_relay_config_free)

G_END_DECLS
