#pragma once

/* What the parts of the daemon share (jc-cpd-daemon.c: set-up, the task lifecycle and the
 * backend worker; jc-cpd-vm-watch.c: VM logs and telemetry; jc-cpd-control.c: control
 * messages and the root's task status). */

#include <gio/gio.h>

#include <libsoup/soup.h>

#include "jc-agreement.h"
#include "jc-cpd-daemon.h"
#include "jc-net-client.h"
#include "jc-store.h"

G_BEGIN_DECLS

/* One task whose VM this cpd looks after (state "starting" or "running" in the database). */
typedef struct {
  char         *task_id;
  char         *vm;
  gint64        cp;
  guint16       port;
  gint64        output_deadline;
  goffset       log_offset;
  char         *host;         /* the remote hypervisor publishing its endpoint, or NULL */
  gboolean      counterparts; /* the other VMs' addresses were handed to the orchestrator */
  gboolean      starting;     /* the VM is being defined and started */
  gboolean      querying;     /* a state query is queued */
  gboolean      ending;       /* its destruction is queued */
  char         *end_state;    /* what the task ends as, once the VM is gone */
  GError       *end_reason;
} ActiveTask;

struct _JcCpdDaemon
{
  GObject          parent_instance;
  JcCpdConfig     *config;       /* borrowed for the daemon's life */
  JcCpdVmBackend  *backend;
  JcLog           *log;
  JcStore         *store;
  JcNetClient     *client;
  JcAgreementTrust trust;
  char            *fingerprint;  /* SHA-256 of this cpd's certificate */
  char            *node_id;
  char            *root_id;      /* the approver node that seals CTAs: the root relay */
  char            *cta_dir;
  char            *vm_log_dir;   /* the process backend's working directories, or NULL */
  GHashTable      *active;       /* task id → ActiveTask */
  guint            poll_source;
  SoupSession     *http;         /* to the orchestrators' plain-HTTP interface */
  GThreadPool     *worker;       /* BackendOp, one thread */
  GMainContext    *context;      /* where the daemon runs */
};

void  jc_cpd_daemon_log       (JcCpdDaemon *self, JcLogSeverity severity, const char *msgid,
                               const char *task_id, const char *message);
/* Queues a report for the root in the link's durable outbox. */
void  jc_cpd_daemon_send_root (JcCpdDaemon *self, const char *topic, JsonNode *body);
/* Destroys the task's VM, then records STATE and tells the root. */
void  jc_cpd_daemon_end_task  (JcCpdDaemon *self, const char *task_id, const char *state,
                               const GError *reason);
char *jc_cpd_daemon_cta_path  (JcCpdDaemon *self, const char *task_id);

/* jc-cpd-vm-watch.c */
void  jc_cpd_vm_watch_forward_log    (JcCpdDaemon *self, ActiveTask *t);
void  jc_cpd_vm_watch_follow_console (JcCpdDaemon *self, ActiveTask *t);

/* jc-cpd-control.c */
void     jc_cpd_control_handle        (JcCpdDaemon *self, const char *msg_id, JsonNode *body);
gboolean jc_cpd_control_pending_ends  (JcCpdDaemon *self, const JcCta *cta, GError **why);
void     jc_cpd_control_handle_status (JcCpdDaemon *self, const JcNetEnvelope *env);
void     jc_cpd_control_handle_vms    (JcCpdDaemon *self, const JcNetEnvelope *env);

G_END_DECLS
