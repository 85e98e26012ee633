#pragma once

/* The relay's parts share this state; each file does one job with it. */

#include <libsoup/soup.h>
#include <sqlite3.h>

#include "jc-net-channel.h"
#include "jc-net-link.h"
#include "jc-relay-config.h"
#include "jc-store.h"
#include "jc-log.h"
#include "jc-cert.h"
#include "jc-node-key.h"

G_BEGIN_DECLS

#define JC_RELAY_PARENT_LINK "@parent"

typedef struct _JcRelay JcRelay;

typedef struct {
  JcRelay         *relay;
  char            *node_id;
  GTlsCertificate *cert;
  JcNetChannel    *channel;
  guint            reap_id;
} JcRelayChild;

struct _JcRelay {
  JcRelayConfig   *config;
  JcStore         *store;
  sqlite3         *db;              /* borrowed from store */
  JcLog           *log;             /* RFC 5424 audit records */
  char            *node_id;
  GTlsCertificate *identity;
  char            *cert_path;       /* in use: the configured one, or a rotated one in state-dir */
  char            *key_path;
  GPtrArray       *previous;        /* GTlsCertificate*: our earlier certificates (rotation) */
  char            *issued_chain;    /* a rotated certificate waiting to be installed */
  guint            install_id;
  char           **own_chain_pem;   /* our certificate and its issuers */
  GTlsDatabase    *trust;
  SoupServer      *server;
  GHashTable      *children;        /* node id -> JcRelayChild */
  JcNetLink       *parent;          /* NULL at the root */
  GPtrArray       *crls;            /* gnutls_x509_crl_t */
  GMainLoop       *loop;
  /* The root's task lifecycle (NULL below the root). */
  JcCert          *root_ca;
  JcCert          *node_cert;
  GPtrArray       *node_chain;      /* JcCert*: our certificate and its issuers */
  JcNodeKey       *node_key;
  guint            deadline_timer;
  gint64           last_prune_us;
  GCancellable    *mail_cancel;
  gboolean         mail_busy;
  guint            port;
  /* Parent link handler: the router seen from the parent's side. */
  JcNetChannelHandler parent_handler;
  JcNetChannelHandler child_handler;
};

/* jc-relay.c */
gboolean   jc_relay_reload_identity  (JcRelay *relay, GError **error);

/* jc-relay-db.c */
gboolean   jc_relay_db_open          (JcRelay *relay, GError **error);

/* jc-relay-router.c */
gboolean   jc_relay_router_receive   (JcRelay *relay, const char *link, GPtrArray *incoming,
                                      GHashTable *touched, GError **error);
gboolean   jc_relay_router_originate (JcRelay *relay, const char *const *to, const char *topic,
                                      JsonNode *body, GHashTable *touched, char **out_id,
                                      GError **error);
GPtrArray *jc_relay_router_pending   (JcRelay *relay, const char *link, gint64 after, guint limit);
void       jc_relay_router_acked     (JcRelay *relay, const char *link, GArray *seqs);
gboolean   jc_relay_router_prune     (JcRelay *relay, GError **error);
void       jc_relay_router_refused   (JcRelay *relay, const char *link, const char *id,
                                      const char *code, const char *reason);
gboolean   jc_relay_router_child_joined (JcRelay *relay, JcRelayChild *child,
                                         GHashTable *touched, GError **error);
void       jc_relay_kick             (JcRelay *relay, GHashTable *touched);
JcRoles    jc_relay_origin_roles     (JcRelay *relay, const char *origin);
gboolean   jc_relay_serial_revoked   (JcRelay *relay, const char *serial);

/* jc-relay-admission.c */
gboolean   jc_relay_admission_load_crls (JcRelay *relay, GError **error);
gboolean   jc_relay_admission_check  (JcRelay *relay, GTlsCertificate *peer,
                                      GTlsCertificateFlags errors, GError **error);

/* jc-relay-server.c */
gboolean   jc_relay_server_start     (JcRelay *relay, GError **error);
void       jc_relay_server_stop      (JcRelay *relay);
void       jc_relay_log_peer         (JcRelay *relay, JcLogSeverity severity, const char *msgid,
                                      const char *what, const char *ip, GTlsCertificate *cert,
                                      const char *detail);

G_END_DECLS
