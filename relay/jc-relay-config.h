#pragma once

/* The relay's configuration file (GKeyFile); relay/joconde-relay.conf lists every
 * option at its default. */

#include <glib.h>

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
  gboolean synchronous_full;
  char   **deny_topics_by_role;
  char    *log_target;        /* syslog, stderr or file */
  char    *log_file;          /* for target=file */ /* policy, "role:topic" pairs (step 3) */
} JcRelayConfig;

JcRelayConfig *jc_relay_config_load (const char *path, GError **error);
void           jc_relay_config_free (JcRelayConfig *config);
gboolean       jc_relay_config_is_root (const JcRelayConfig *config);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JcRelayConfig, jc_relay_config_free)

G_END_DECLS
