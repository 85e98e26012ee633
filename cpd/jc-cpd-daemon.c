#define G_LOG_DOMAIN "joconde-cpd"
#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "jc-cpd-daemon.h"
#include "jc-chain-fingerprint.h"
#include "jc-parts.h"
#include "jc-cpd-images.h"
#include "jc-cpd-libvirt-backend.h"
#include "jc-cpd-verify.h"
#include "jc-crl.h"
#include "jc-doc.h"
#include "jc-encoding.h"
#include "jc-error.h"
#include "jc-net-client.h"
#include "jc-store.h"
#include "jc-time.h"

/* Largest CTA accepted from the link (the agreement area's own limit). */
#define MAX_CTA (16 * 1024 * 1024)
/* Largest piece of a VM log forwarded to syslog in one poll. */
#define LOG_CHUNK (64 * 1024)

/* One task whose VM this cpd looks after (state "starting" or "running" in the database). */
typedef struct {
  char         *task_id;
  char         *vm;
  gint64        cp;
  guint16       port;
  gint64        output_deadline;
  goffset       log_offset;
  JcTaskState   vm_state;     /* the orchestrator's last reported state */
  gboolean      vm_state_known;
  char         *host;         /* the remote hypervisor publishing its endpoint, or NULL */
  gboolean      polling;      /* a health request is out */
  gboolean      starting;     /* the VM is being defined and started */
  gboolean      querying;     /* a state query is queued */
  gboolean      ending;       /* its destruction is queued */
  char         *end_state;    /* what the task ends as, once the VM is gone */
  GError       *end_reason;
} ActiveTask;

/* A backend call, run on the daemon's worker thread so that a slow or unreachable
 * hypervisor never stalls the link or the watchdog. One worker: the calls about a task
 * happen in the order they were asked for (a cancel that arrives while its VM starts is
 * carried out after the start). */
typedef enum {
  OP_START,
  OP_STATE,
  OP_DESTROY,
} OpKind;

typedef struct {
  JcCpdDaemon  *self;
  OpKind        kind;
  char         *task_id;
  char         *vm;
  JcCpdVmSpec  *spec;      /* OP_START */
  char         *address;   /* OP_START */
  char         *vm_host;   /* OP_START: the remote hypervisor it went to, or NULL */
  gboolean      ok;
  GError       *error;
  JcCpdVmState  state;     /* OP_STATE */
} BackendOp;

struct _JcCpdDaemon
{
  GObject          parent_instance;
  JcCpdConfig     *config;       /* borrowed for the daemon's life */
  JcCpdVmBackend  *backend;
  JcLog           *log;
  JcStore         *store;
  JcNetClient     *client;
  SoupSession     *http;
  JcAgreementTrust trust;
  char            *fingerprint;  /* SHA-256 of this cpd's certificate */
  char            *node_id;
  char            *cta_dir;
  char            *vm_log_dir;   /* the process backend's working directories, or NULL */
  GHashTable      *active;       /* task id → ActiveTask */
  guint            poll_source;
  GThreadPool     *worker;       /* BackendOp, one thread */
  GMainContext    *context;      /* where the daemon runs */
};

G_DEFINE_FINAL_TYPE (JcCpdDaemon, jc_cpd_daemon, G_TYPE_OBJECT)

static const JcStoreMigration schema[] = {
  { 1,
    /* tasks: every task this cpd was asked to run, and what became of it. */
    "CREATE TABLE tasks (task_id TEXT PRIMARY KEY, vm TEXT NOT NULL, state TEXT NOT NULL,"
    "  cp INTEGER, port INTEGER, address TEXT, output_deadline INTEGER, reason TEXT,"
    "  updated INTEGER NOT NULL);"
    /* handled: link messages acted on, so that none is acted on twice after a crash. */
    "CREATE TABLE handled (msg_id TEXT PRIMARY KEY, topic TEXT NOT NULL, handled INTEGER NOT NULL);" },
  { 2,
    /* pending_controls: cancels and terminations that came before their task's CTA (they
     * travel from other origins, so may overtake it); checked when the CTA arrives. */
    "CREATE TABLE pending_controls (msg_id TEXT PRIMARY KEY, task_id TEXT NOT NULL,"
    "  body TEXT NOT NULL, received INTEGER NOT NULL);"
    "CREATE INDEX pending_controls_task ON pending_controls (task_id);" },
};

/* Bounds on what strangers can make the cpd keep: control messages for unknown tasks. */
#define MAX_PENDING_PER_TASK 8
#define MAX_PENDING 1024

static void
active_task_free (ActiveTask *t)
{
  g_free (t->task_id);
  g_free (t->vm);
  g_free (t->host);
  g_free (t->end_state);
  g_clear_error (&t->end_reason);
  g_free (t);
}

static void
backend_op_free (BackendOp *op)
{
  g_object_unref (op->self);
  g_free (op->task_id);
  g_free (op->vm);
  g_clear_pointer (&op->spec, jc_cpd_vm_spec_free);
  g_free (op->address);
  g_free (op->vm_host);
  g_clear_error (&op->error);
  g_free (op);
}

static gboolean op_done (gpointer data);

/* The host name of the remote hypervisor holding VM (its libvirt URI's host), whose
 * published port is the VM's endpoint; NULL for a VM on this host. Any thread. */
static char *
vm_remote_host (JcCpdDaemon *self, const char *vm)
{
  g_autofree char *uri = NULL;
  g_autoptr(GUri) parsed = NULL;
  const char *host;

  if (!JC_CPD_IS_LIBVIRT_BACKEND (self->backend))
    return NULL;
  uri = jc_cpd_libvirt_backend_get_vm_uri (JC_CPD_LIBVIRT_BACKEND (self->backend), vm, NULL);
  parsed = uri ? g_uri_parse (uri, G_URI_FLAGS_NONE, NULL) : NULL;
  host = parsed ? g_uri_get_host (parsed) : NULL;
  if (host == NULL || *host == '\0' || g_str_equal (host, "localhost"))
    return NULL;
  return g_strdup (host);
}

/* On the worker thread. */
static void
op_run (gpointer data, gpointer user_data)
{
  BackendOp *op = data;
  JcCpdVmBackend *backend = op->self->backend;

  switch (op->kind)
    {
    case OP_START:
      op->ok = jc_cpd_vm_backend_define (backend, op->spec, &op->error) &&
               jc_cpd_vm_backend_start (backend, op->vm, &op->error);
      if (op->ok)
        op->vm_host = vm_remote_host (op->self, op->vm);
      break;
    case OP_STATE:
      op->ok = jc_cpd_vm_backend_get_state (backend, op->vm, &op->state, &op->error);
      break;
    case OP_DESTROY:
      op->ok = jc_cpd_vm_backend_destroy (backend, op->vm, &op->error) ||
               g_error_matches (op->error, JC_ERROR, JC_ERROR_NOT_FOUND);
      break;
    }
  g_main_context_invoke (op->self->context, op_done, op);
}

static void
queue_op (JcCpdDaemon *self, OpKind kind, ActiveTask *t, JcCpdVmSpec *spec, const char *address)
{
  BackendOp *op = g_new0 (BackendOp, 1);

  op->self = g_object_ref (self);
  op->kind = kind;
  op->task_id = g_strdup (t->task_id);
  op->vm = g_strdup (t->vm);
  op->spec = spec;
  op->address = g_strdup (address);
  g_thread_pool_push (self->worker, op, NULL);
}

static void
log_task (JcCpdDaemon *self, JcLogSeverity severity, const char *msgid, const char *task_id,
          const char *message)
{
  JcLogParam params[] = { { "task", task_id ? task_id : "-" }, { "node", self->node_id }, { NULL, NULL } };

  jc_log_write (self->log, severity, msgid, params, "%s", message);
}

/* ---- reports to the root ------------------------------------------------------------ */

static void
send_root (JcCpdDaemon *self, const char *topic, JsonNode *body)
{
  const char *to[] = { "@root", NULL };
  g_autoptr(GError) error = NULL;

  /* The outbox is durable: a report is delivered once the link is up again. */
  if (!jc_net_client_send (self->client, to, topic, body, NULL, &error))
    g_warning ("Cannot queue the %s report for the root: %s", topic, error->message);
}

static void
report_state (JcCpdDaemon *self, const char *task_id, gint64 cp, const char *state,
              const GError *reason)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) body = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "task_id");
  if (task_id != NULL)
    json_builder_add_string_value (b, task_id);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "cp");
  if (cp >= 0)
    json_builder_add_int_value (b, cp);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "node");
  json_builder_add_string_value (b, self->node_id);
  json_builder_set_member_name (b, "state");
  json_builder_add_string_value (b, state);
  if (reason != NULL)
    {
      json_builder_set_member_name (b, "code");
      json_builder_add_string_value (b, jc_net_error_code (reason));
      json_builder_set_member_name (b, "reason");
      json_builder_add_string_value (b, reason->message);
    }
  json_builder_end_object (b);
  body = json_builder_get_root (b);
  send_root (self, JC_CPD_TOPIC_VM_STATE, body);
  {
    g_autofree char *msg = reason ? g_strdup_printf ("task VM %s: %s", state, reason->message)
                                  : g_strdup_printf ("task VM %s", state);
    log_task (self, reason ? JC_LOG_WARNING : JC_LOG_NOTICE, "vm-state", task_id, msg);
  }
}

static void
report_address (JcCpdDaemon *self, const char *task_id, gint64 cp, const char *address)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) body = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "task_id");
  json_builder_add_string_value (b, task_id);
  json_builder_set_member_name (b, "cp");
  json_builder_add_int_value (b, cp);
  json_builder_set_member_name (b, "address");
  json_builder_add_string_value (b, address);
  json_builder_end_object (b);
  body = json_builder_get_root (b);
  send_root (self, JC_CPD_TOPIC_VM_ADDRESS, body);
}

/* ---- the database ------------------------------------------------------------------- */

static gboolean
db_set_state (JcCpdDaemon *self, const char *task_id, const char *state, const char *reason,
              GError **error)
{
  sqlite3_stmt *st = jc_store_prepare (self->store,
    "UPDATE tasks SET state = ?2, reason = ?3, updated = ?4 WHERE task_id = ?1", error);

  if (st == NULL)
    return FALSE;
  sqlite3_bind_text (st, 1, task_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (st, 2, state, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (st, 3, reason, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (st, 4, jc_time_now ());
  return jc_store_run (self->store, st, error);
}

static gboolean
db_mark_handled (JcCpdDaemon *self, const JcNetEnvelope *env, GError **error)
{
  sqlite3_stmt *st = jc_store_prepare (self->store,
    "INSERT OR IGNORE INTO handled (msg_id, topic, handled) VALUES (?1, ?2, ?3)", error);

  if (st == NULL)
    return FALSE;
  sqlite3_bind_text (st, 1, env->id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (st, 2, env->topic, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (st, 3, jc_time_now ());
  return jc_store_run (self->store, st, error);
}

static gboolean
db_was_handled (JcCpdDaemon *self, const char *msg_id)
{
  sqlite3_stmt *st = jc_store_prepare (self->store, "SELECT 1 FROM handled WHERE msg_id = ?1", NULL);
  gboolean row = FALSE;

  if (st == NULL)
    return FALSE;
  sqlite3_bind_text (st, 1, msg_id, -1, SQLITE_TRANSIENT);
  jc_store_step (self->store, st, &row, NULL);
  sqlite3_reset (st);
  return row;
}

static gboolean
db_task_known (JcCpdDaemon *self, const char *task_id)
{
  /* A refused task does not count: anyone can send a forged agreement under a real task's
   * id, and that must not keep the real one out. */
  sqlite3_stmt *st = jc_store_prepare (self->store,
    "SELECT 1 FROM tasks WHERE task_id = ?1 AND state != 'refused'", NULL);
  gboolean row = FALSE;

  if (st == NULL)
    return FALSE;
  sqlite3_bind_text (st, 1, task_id, -1, SQLITE_TRANSIENT);
  jc_store_step (self->store, st, &row, NULL);
  sqlite3_reset (st);
  return row;
}

/* Records a refused task once (a task id may arrive again: it stays refused). */
static void
db_record_refusal (JcCpdDaemon *self, const char *task_id, const char *reason)
{
  sqlite3_stmt *st = jc_store_prepare (self->store,
    "INSERT OR IGNORE INTO tasks (task_id, vm, state, reason, updated) VALUES (?1, '', 'refused', ?2, ?3)",
    NULL);

  if (st == NULL || task_id == NULL)
    return;
  sqlite3_bind_text (st, 1, task_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (st, 2, reason, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (st, 3, jc_time_now ());
  jc_store_run (self->store, st, NULL);
}

/* ---- ending a task ------------------------------------------------------------------ */

static char *
cta_path (JcCpdDaemon *self, const char *task_id)
{
  g_autofree char *name = g_strconcat (task_id, ".cta.json", NULL);
  return g_build_filename (self->cta_dir, name, NULL);
}

/* Records how the task ended, forgets its agreement and tells the root. */
static void
task_ended (JcCpdDaemon *self, const char *task_id, gint64 cp, const char *state, const GError *reason)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = cta_path (self, task_id);

  if (!db_set_state (self, task_id, state, reason ? reason->message : NULL, &error))
    g_warning ("%s", error->message);
  g_unlink (path);
  report_state (self, task_id, cp, state, reason);
}

/* Destroys the task's VM (its data must not outlive the task), then records STATE and tells
 * the root. A VM already gone is fine: the end is what counts. A destruction that fails is
 * tried again at the next poll, with the same outcome. */
static void
end_task (JcCpdDaemon *self, const char *task_id, const char *state, const GError *reason)
{
  ActiveTask *t = g_hash_table_lookup (self->active, task_id);

  if (t == NULL)
    {
      task_ended (self, task_id, -1, state, reason);
      return;
    }
  if (t->ending)
    return;
  if (t->end_state == NULL)
    {
      t->end_state = g_strdup (state);
      t->end_reason = reason ? g_error_copy (reason) : NULL;
    }
  t->ending = TRUE;
  queue_op (self, OP_DESTROY, t, NULL, NULL);
}

static void follow_console (JcCpdDaemon *self, ActiveTask *t);

static void
start_done (JcCpdDaemon *self, ActiveTask *t, BackendOp *op)
{
  g_autoptr(GError) error = NULL;

  t->starting = FALSE;
  if (!op->ok)
    {
      /* Whatever part was made goes again. */
      end_task (self, t->task_id, "failed", op->error);
      return;
    }
  if (t->ending)
    return;   /* cancelled while it started: its destruction comes next */
  if (op->vm_host != NULL)
    {
      /* Placed on another hypervisor: its endpoint is published there. */
      sqlite3_stmt *st = jc_store_prepare (self->store, "UPDATE tasks SET address = ?2 WHERE task_id = ?1", NULL);
      t->host = g_strdup (op->vm_host);
      g_free (op->address);
      op->address = g_strdup_printf (strchr (t->host, ':') ? "[%s]:%u" : "%s:%u", t->host, t->port);
      if (st != NULL)
        {
          sqlite3_bind_text (st, 1, t->task_id, -1, SQLITE_TRANSIENT);
          sqlite3_bind_text (st, 2, op->address, -1, SQLITE_TRANSIENT);
          jc_store_run (self->store, st, NULL);
        }
    }
  if (!db_set_state (self, t->task_id, "running", NULL, &error))
    g_warning ("%s", error->message);
  report_address (self, t->task_id, t->cp, op->address);
  report_state (self, t->task_id, t->cp, "running", NULL);
  follow_console (self, t);
}

static void poll_health (JcCpdDaemon *self, ActiveTask *t);

/* ---- VM console logs (backends with a console stream) ------------------------------- */

typedef struct {
  JcCpdDaemon *self;
  char        *task_id;
  char        *line;
} LogLine;

static gboolean
log_line_write (gpointer data)
{
  LogLine *l = data;

  log_task (l->self, JC_LOG_INFO, "vm-log", l->task_id, l->line);
  g_object_unref (l->self);
  g_free (l->task_id);
  g_free (l->line);
  g_free (l);
  return G_SOURCE_REMOVE;
}

typedef struct {
  char *task_id;
  char *vm;
} LogReader;

static void
log_reader_free (LogReader *r)
{
  g_free (r->task_id);
  g_free (r->vm);
  g_free (r);
}

/* In its own thread for as long as the VM lives: console lines go to the daemon's log
 * (syslog) with the task id, written from the main context. */
static void
read_console (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  JcCpdDaemon *self = source;
  LogReader *r = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GInputStream) raw = jc_cpd_vm_backend_open_log (self->backend, r->vm, &error);
  g_autoptr(GDataInputStream) in = NULL;
  char *line;

  if (raw == NULL)
    {
      g_debug ("No console log for the VM %s: %s", r->vm, error->message);
      g_task_return_boolean (task, FALSE);
      return;
    }
  in = g_data_input_stream_new (raw);
  while ((line = g_data_input_stream_read_line (in, NULL, NULL, NULL)) != NULL)
    {
      LogLine *l;
      g_strchomp (line);
      if (*line == '\0')
        {
          g_free (line);
          continue;
        }
      l = g_new0 (LogLine, 1);
      l->self = g_object_ref (self);
      l->task_id = g_strdup (r->task_id);
      l->line = g_utf8_make_valid (line, -1);
      g_free (line);
      g_main_context_invoke (self->context, log_line_write, l);
    }
  g_input_stream_close (raw, NULL, NULL);
  g_task_return_boolean (task, TRUE);
}

static void
follow_console (JcCpdDaemon *self, ActiveTask *t)
{
  g_autoptr(GTask) task = NULL;
  LogReader *r;

  if (self->vm_log_dir != NULL)
    return;   /* the process backend's log file is read by the poll */
  r = g_new0 (LogReader, 1);
  r->task_id = g_strdup (t->task_id);
  r->vm = g_strdup (t->vm);
  task = g_task_new (self, NULL, NULL, NULL);
  g_task_set_task_data (task, r, (GDestroyNotify) log_reader_free);
  g_task_run_in_thread (task, read_console);
}

static void
state_done (JcCpdDaemon *self, ActiveTask *t, BackendOp *op)
{
  g_autoptr(GError) error = NULL;

  t->querying = FALSE;
  if (t->ending || t->starting)
    return;
  if (!op->ok)
    {
      end_task (self, t->task_id, "lost", op->error);
      return;
    }
  switch (op->state)
    {
    case JC_CPD_VM_STATE_RUNNING:
      poll_health (self, t);
      break;
    case JC_CPD_VM_STATE_SHUTOFF:
      /* The orchestrator exits when its task is over, and the VM powers off with it. */
      end_task (self, t->task_id, "finished", NULL);
      break;
    case JC_CPD_VM_STATE_DEFINED:
      break;
    default:
      g_set_error (&error, JC_ERROR, JC_ERROR_FAILED, _("The VM %s stopped working (%s)"),
                   t->vm, jc_cpd_vm_state_to_string (op->state));
      end_task (self, t->task_id, "failed", error);
      break;
    }
}

static void
destroy_done (JcCpdDaemon *self, ActiveTask *t, BackendOp *op)
{
  g_autofree char *task_id = g_strdup (t->task_id);

  t->ending = FALSE;
  if (!op->ok)
    {
      g_autofree char *msg = g_strdup_printf ("cannot destroy the VM %s: %s", t->vm, op->error->message);
      log_task (self, JC_LOG_ERROR, "vm-destroy", t->task_id, msg);
      return;
    }
  task_ended (self, task_id, t->cp, t->end_state, t->end_reason);
  g_hash_table_remove (self->active, task_id);
}

/* On the daemon's main context. */
static gboolean
op_done (gpointer data)
{
  BackendOp *op = data;
  JcCpdDaemon *self = op->self;
  ActiveTask *t = self->active ? g_hash_table_lookup (self->active, op->task_id) : NULL;

  if (t != NULL)
    {
      if (op->kind == OP_START)
        start_done (self, t, op);
      else if (op->kind == OP_STATE)
        state_done (self, t, op);
      else
        destroy_done (self, t, op);
    }
  backend_op_free (op);
  return G_SOURCE_REMOVE;
}

/* ---- starting a task ---------------------------------------------------------------- */

static guint16
pick_port (JcCpdDaemon *self)
{
  for (guint port = self->config->port_min; port <= self->config->port_max; port++)
    {
      GHashTableIter it;
      gpointer v;
      gboolean used = FALSE;
      g_autoptr(GSocket) s = NULL;
      g_autoptr(GInetAddress) any = NULL;
      g_autoptr(GSocketAddress) sa = NULL;

      g_hash_table_iter_init (&it, self->active);
      while (!used && g_hash_table_iter_next (&it, NULL, &v))
        used = ((ActiveTask *) v)->port == port;
      if (used)
        continue;
      /* A port something else holds is skipped too. */
      any = g_inet_address_new_from_string (self->config->listen_address);
      if (any == NULL)
        return (guint16) port;
      s = g_socket_new (g_inet_address_get_family (any), G_SOCKET_TYPE_STREAM,
                        G_SOCKET_PROTOCOL_TCP, NULL);
      sa = g_inet_socket_address_new (any, port);
      if (s != NULL && g_socket_bind (s, sa, TRUE, NULL))
        return (guint16) port;
    }
  return 0;
}

static JcCpdVmSpec *
make_spec (JcCpdDaemon *self, const JcCta *cta, gint64 cp, const JcCpdImage *image,
           const char *path, const guint8 hash[JC_DOC_HASH_SIZE], guint16 port)
{
  g_autofree char *name = g_strconcat ("joconde-", cta->task_id, NULL);
  JcCpdVmSpec *spec = jc_cpd_vm_spec_new (name);

  spec->kernel = g_strdup (image->kernel);
  spec->initrd = g_strdup (image->initrd);
  spec->cmdline = g_strdup (image->cmdline);
  spec->firmware = g_strdup (image->firmware ? image->firmware : self->config->firmware);
  spec->cta_path = g_strdup (path);
  spec->root_ca_path = g_canonicalize_filename (self->config->root_ca, NULL);
  spec->approver_path = g_canonicalize_filename (self->config->approver, NULL);
  spec->party = (guint) (cp + 1);
  if (cta->ctsc->platform == JC_TEE_PLATFORM_SIM)
    spec->sim_key_path = g_build_filename (self->config->state_dir, "sim-tee.key", NULL);
  memcpy (spec->cta_sha256, hash, sizeof spec->cta_sha256);
  spec->memory_mib = self->config->memory_mib;
  spec->vcpus = self->config->vcpus;
  spec->kvm = self->config->kvm;
  g_free (spec->host_address);
  spec->host_address = g_strdup (self->config->listen_address);
  spec->host_port = port;
  spec->guest_port = image->guest_port;
  switch (cta->ctsc->platform)
    {
    case JC_TEE_PLATFORM_SEV_SNP:
      spec->tee = JC_CPD_TEE_SEV_SNP;
      break;
    case JC_TEE_PLATFORM_TDX:
      spec->tee = JC_CPD_TEE_TDX;
      break;
    default:
      spec->tee = JC_CPD_TEE_NONE;
      break;
    }
  return spec;
}

static void
refuse (JcCpdDaemon *self, const char *task_id, gint64 cp, const GError *why)
{
  db_record_refusal (self, task_id, why->message);
  report_state (self, task_id, cp, "refused", why);
}

static gboolean pending_control_ends (JcCpdDaemon *self, const JcCta *cta, GError **why);

static void
handle_cta (JcCpdDaemon *self, JsonNode *body)
{
  g_autofree char *text = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JcCta) cta = NULL;
  g_autoptr(JcCpdImage) image = NULL;
  g_autoptr(JcCpdVmSpec) spec = NULL;
  g_autofree char *task_id = NULL;
  g_autofree char *path = NULL;
  g_autofree char *address = NULL;
  guint8 hash[JC_DOC_HASH_SIZE];
  gint64 cp = -1;
  guint16 port;
  ActiveTask *t;

  if (body == NULL || !JSON_NODE_HOLDS_OBJECT (body))
    {
      g_set_error (&error, JC_ERROR, JC_ERROR_INVALID, _("The agreement received is not a JSON object"));
      refuse (self, NULL, -1, error);
      return;
    }
  text = json_to_string (body, FALSE);
  {
    gsize len = strlen (text);
    bytes = g_bytes_new_take (g_steal_pointer (&text), len);
  }
  task_id = jc_cpd_cta_peek_task_id (bytes);
  if (task_id != NULL && db_task_known (self, task_id))
    {
      /* The same task again (a resent delivery): it is never started twice. */
      log_task (self, JC_LOG_NOTICE, "cta", task_id, "the agreement arrived again; ignored");
      return;
    }
  if (g_bytes_get_size (bytes) > MAX_CTA)
    {
      g_set_error (&error, JC_ERROR, JC_ERROR_TOO_LARGE, _("The agreement is larger than 16 MiB"));
      refuse (self, task_id, -1, error);
      return;
    }
  self->trust.at = jc_time_now ();
  cta = jc_cpd_verify_cta (bytes, &self->trust, self->fingerprint, &cp, hash, &error);
  if (cta == NULL)
    {
      refuse (self, task_id, -1, error);
      return;
    }
  /* From here on the task id is the verified one. */
  g_free (task_id);
  task_id = g_strdup (cta->task_id);
  if (db_task_known (self, task_id))
    {
      log_task (self, JC_LOG_NOTICE, "cta", task_id, "the agreement arrived again; ignored");
      return;
    }
  {
    g_autoptr(GError) why = NULL;
    if (pending_control_ends (self, cta, &why))
      {
        sqlite3_stmt *st = jc_store_prepare (self->store,
          "INSERT OR REPLACE INTO tasks (task_id, vm, state, cp, reason, updated)"
          " VALUES (?1, '', 'cancelled', ?2, ?3, ?4)", NULL);
        if (st != NULL)
          {
            sqlite3_bind_text (st, 1, task_id, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64 (st, 2, cp);
            sqlite3_bind_text (st, 3, why->message, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64 (st, 4, jc_time_now ());
            jc_store_run (self->store, st, NULL);
          }
        report_state (self, task_id, cp, "cancelled", why);
        return;
      }
  }
  image = jc_cpd_images_select (self->config->image_dir, cta->ctsc->engine, cta->ctsc->platform,
                                cta->ctsc->measurements, self->config->vcpus,
                                self->config->snp_vcpu_type, &error);
  if (image == NULL)
    {
      refuse (self, task_id, cp, error);
      return;
    }
  port = pick_port (self);
  if (port == 0)
    {
      g_set_error (&error, JC_ERROR, JC_ERROR_STATE,
                   _("No port is free in the range %u–%u for the task's VM"),
                   self->config->port_min, self->config->port_max);
      refuse (self, task_id, cp, error);
      return;
    }
  path = cta_path (self, task_id);
  if (!g_file_set_contents_full (path, g_bytes_get_data (bytes, NULL), (gssize) g_bytes_get_size (bytes),
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error))
    {
      refuse (self, task_id, cp, error);
      return;
    }
  spec = make_spec (self, cta, cp, image, path, hash, port);
  address = g_strdup_printf (strchr (self->config->public_host, ':') ? "[%s]:%u" : "%s:%u",
                             self->config->public_host, port);
  {
    /* Recorded before the VM exists: a crash in between leaves a task the restart finds
     * (and a VM it either adopts or reports lost), never a VM nobody knows of. */
    sqlite3_stmt *st = jc_store_prepare (self->store,
      "INSERT OR REPLACE INTO tasks (task_id, vm, state, cp, port, address, output_deadline, updated)"
      " VALUES (?1, ?2, 'starting', ?3, ?4, ?5, ?6, ?7)", &error);
    if (st != NULL)
      {
        sqlite3_bind_text (st, 1, task_id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text (st, 2, spec->name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64 (st, 3, cp);
        sqlite3_bind_int (st, 4, port);
        sqlite3_bind_text (st, 5, address, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64 (st, 6, cta->ctsc->output_deadline);
        sqlite3_bind_int64 (st, 7, jc_time_now ());
      }
    if (st == NULL || !jc_store_run (self->store, st, &error))
      {
        g_warning ("Cannot record the task %s: %s", task_id, error->message);
        g_unlink (path);
        return;
      }
  }
  t = g_new0 (ActiveTask, 1);
  t->task_id = g_strdup (task_id);
  t->vm = g_strdup (spec->name);
  t->cp = cp;
  t->port = port;
  t->output_deadline = cta->ctsc->output_deadline;
  g_hash_table_insert (self->active, t->task_id, t);
  {
    g_autofree char *msg = g_strdup_printf ("agreement verified; starting the VM %s from the image %s on port %u",
                                            spec->name, image->name, port);
    log_task (self, JC_LOG_NOTICE, "cta", task_id, msg);
  }
  t->starting = TRUE;
  queue_op (self, OP_START, t, g_steal_pointer (&spec), address);
}

/* ---- VM logs and telemetry ---------------------------------------------------------- */

static void
forward_log (JcCpdDaemon *self, ActiveTask *t)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileInputStream) in = NULL;
  g_autofree char *buf = NULL;
  gssize n;

  if (self->vm_log_dir == NULL)
    return;
  dir = g_build_filename (self->vm_log_dir, t->vm, NULL);
  path = g_build_filename (dir, "guest.log", NULL);
  file = g_file_new_for_path (path);
  in = g_file_read (file, NULL, NULL);
  if (in == NULL || !g_seekable_seek (G_SEEKABLE (in), t->log_offset, G_SEEK_SET, NULL, NULL))
    return;
  buf = g_malloc (LOG_CHUNK + 1);
  n = g_input_stream_read (G_INPUT_STREAM (in), buf, LOG_CHUNK, NULL, NULL);
  if (n <= 0)
    return;
  buf[n] = '\0';
  /* Whole lines only; a partial last line waits for the next poll unless the chunk is full. */
  {
    char *end = strrchr (buf, '\n');
    gsize used = end != NULL ? (gsize) (end - buf) + 1 : (n == LOG_CHUNK ? (gsize) n : 0);
    g_auto(GStrv) lines = NULL;

    if (used == 0)
      return;
    buf[used] = '\0';
    lines = g_strsplit (buf, "\n", -1);
    for (guint i = 0; lines[i] != NULL; i++)
      if (*lines[i] != '\0')
        {
          g_autofree char *valid = g_utf8_make_valid (lines[i], -1);
          log_task (self, JC_LOG_INFO, "vm-log", t->task_id, valid);
        }
    t->log_offset += used;
  }
}

typedef struct {
  JcCpdDaemon *self;
  char        *task_id;
} HealthPoll;

static void
health_done (GObject *source, GAsyncResult *result, gpointer data)
{
  HealthPoll *p = data;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, NULL);
  ActiveTask *t = g_hash_table_lookup (p->self->active, p->task_id);
  g_autoptr(JsonParser) parser = json_parser_new ();
  const char *name;
  JcTaskState state;

  if (t != NULL)
    t->polling = FALSE;
  if (t == NULL || body == NULL ||
      !json_parser_load_from_data (parser, g_bytes_get_data (body, NULL), (gssize) g_bytes_get_size (body), NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    goto out;
  {
    /* The VM is not trusted to send well-formed answers. */
    JsonNode *n = json_object_get_member (json_node_get_object (json_parser_get_root (parser)), "state");
    name = n != NULL && JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING
           ? json_node_get_string (n) : NULL;
  }
  if (name == NULL || !jc_task_state_from_string (name, &state) ||
      (t->vm_state_known && t->vm_state == state))
    goto out;
  t->vm_state = state;
  t->vm_state_known = TRUE;
  {
    g_autoptr(JcTelemetryEvent) e = jc_telemetry_event_new ();
    g_autoptr(JsonNode) node = NULL;
    g_strlcpy (e->task_id, t->task_id, sizeof e->task_id);
    e->cp = t->cp;
    e->time = jc_time_now ();
    e->kind = JC_TELEMETRY_STATE_CHANGE;
    e->state = state;
    node = jc_telemetry_event_to_json (e);
    send_root (p->self, JC_CPD_TOPIC_TELEMETRY, node);
  }
out:
  g_object_unref (p->self);
  g_free (p->task_id);
  g_free (p);
}

static void
poll_health (JcCpdDaemon *self, ActiveTask *t)
{
  const char *host = t->host ? t->host : self->config->listen_address;
  g_autofree char *url = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  HealthPoll *p;

  if (t->polling)
    return;
  /* The endpoint is published on the listen address; a wildcard is reached on loopback. */
  if (g_str_equal (host, "0.0.0.0"))
    host = "127.0.0.1";
  else if (g_str_equal (host, "::"))
    host = "::1";
  url = strchr (host, ':') ? g_strdup_printf ("http://[%s]:%u/health", host, t->port)
                           : g_strdup_printf ("http://%s:%u/health", host, t->port);
  msg = soup_message_new ("GET", url);
  if (msg == NULL)
    return;
  p = g_new0 (HealthPoll, 1);
  p->self = g_object_ref (self);
  p->task_id = g_strdup (t->task_id);
  t->polling = TRUE;
  soup_session_send_and_read_async (self->http, msg, G_PRIORITY_DEFAULT, NULL, health_done, p);
}

/* ---- the poll: VM states, deadlines, logs ------------------------------------------- */

static gboolean
poll_tasks (gpointer data)
{
  JcCpdDaemon *self = data;
  g_autofree char **ids = (char **) g_hash_table_get_keys_as_array (self->active, NULL);
  gint64 now = jc_time_now ();

  for (guint i = 0; ids[i] != NULL; i++)
    {
      g_autofree char *id = g_strdup (ids[i]);
      ActiveTask *t = g_hash_table_lookup (self->active, id);
      g_autoptr(GError) error = NULL;

      if (t == NULL)
        continue;
      forward_log (self, t);
      if (t->ending)
        continue;
      if (now >= t->output_deadline && t->end_state == NULL)
        {
          g_set_error (&error, JC_ERROR, JC_ERROR_EXPIRED, _("The task reached its output deadline"));
          end_task (self, id, "expired", error);
          continue;
        }
      if (t->end_state != NULL)
        end_task (self, id, t->end_state, t->end_reason);   /* a destruction to try again */
      else if (!t->starting && !t->querying && !t->ending)
        {
          t->querying = TRUE;
          queue_op (self, OP_STATE, t, NULL, NULL);
        }
    }
  return G_SOURCE_CONTINUE;
}

/* ---- control messages --------------------------------------------------------------- */

/* Reads a task.control body: {"control" or, as the root relays a control request,
 * "message": <control-message>, "signature": <node-signature>} (docs/wire.md). */
static gboolean
parse_control (JsonNode *body, JcControlMessage **msg, JcNodeSignature **sig, GError **error)
{
  JsonObject *o = body != NULL && JSON_NODE_HOLDS_OBJECT (body) ? json_node_get_object (body) : NULL;
  const char *member = o != NULL && json_object_has_member (o, "control") ? "control" : "message";

  if (o == NULL || !json_object_has_member (o, member) || !json_object_has_member (o, "signature"))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("A control message needs the members control (or message) and signature"));
      return FALSE;
    }
  *msg = jc_control_message_from_json (json_object_get_member (o, member), error);
  if (*msg == NULL)
    return FALSE;
  *sig = jc_node_signature_from_json (json_object_get_member (o, "signature"), error);
  if (*sig == NULL)
    {
      g_clear_pointer (msg, jc_control_message_free);
      return FALSE;
    }
  return TRUE;
}

static void
keep_pending_control (JcCpdDaemon *self, const char *msg_id, const char *task_id, JsonNode *body)
{
  g_autofree char *text = json_to_string (body, FALSE);
  sqlite3_stmt *st = jc_store_prepare (self->store,
    "INSERT OR IGNORE INTO pending_controls (msg_id, task_id, body, received)"
    " SELECT ?1, ?2, ?3, ?4 WHERE (SELECT COUNT(*) FROM pending_controls WHERE task_id = ?2) < ?5"
    " AND (SELECT COUNT(*) FROM pending_controls) < ?6", NULL);

  if (st == NULL)
    return;
  sqlite3_bind_text (st, 1, msg_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (st, 2, task_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (st, 3, text, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (st, 4, jc_time_now ());
  sqlite3_bind_int (st, 5, MAX_PENDING_PER_TASK);
  sqlite3_bind_int (st, 6, MAX_PENDING);
  jc_store_run (self->store, st, NULL);
  log_task (self, JC_LOG_NOTICE, "control", task_id,
            "a control message came before its task's agreement; kept until it arrives");
}

/* A valid cancel or terminate among the control messages kept for CTA's task: the task is
 * then over before it starts. Every kept message of the task is dropped. */
static gboolean
pending_control_ends (JcCpdDaemon *self, const JcCta *cta, GError **why)
{
  sqlite3_stmt *st = jc_store_prepare (self->store,
    "SELECT body FROM pending_controls WHERE task_id = ?1 ORDER BY received", NULL);
  sqlite3_stmt *del;
  gboolean row = FALSE, found = FALSE;

  if (st == NULL)
    return FALSE;
  sqlite3_bind_text (st, 1, cta->task_id, -1, SQLITE_TRANSIENT);
  while (!found && jc_store_step (self->store, st, &row, NULL) && row)
    {
      g_autoptr(JsonNode) body = json_from_string ((const char *) sqlite3_column_text (st, 0), NULL);
      g_autoptr(JcControlMessage) msg = NULL;
      g_autoptr(JcNodeSignature) sig = NULL;
      g_autoptr(GError) error = NULL;

      if (!parse_control (body, &msg, &sig, &error) ||
          !jc_agreement_verify_control (cta, &self->trust, msg, sig, &error))
        {
          g_autofree char *m = g_strdup_printf ("a kept control message was refused: %s", error->message);
          log_task (self, JC_LOG_WARNING, "control", cta->task_id, m);
          continue;
        }
      g_set_error (why, JC_ERROR, JC_ERROR_CANCELLED, _("%s by %s before the VM started: %s"),
                   msg->action == JC_CONTROL_CANCEL ? _("Cancelled") : _("Terminated"),
                   msg->signer.name, msg->reason ? msg->reason : "");
      found = TRUE;
    }
  sqlite3_reset (st);
  del = jc_store_prepare (self->store, "DELETE FROM pending_controls WHERE task_id = ?1", NULL);
  if (del != NULL)
    {
      sqlite3_bind_text (del, 1, cta->task_id, -1, SQLITE_TRANSIENT);
      jc_store_run (self->store, del, NULL);
    }
  return found;
}

static void
handle_control (JcCpdDaemon *self, const char *msg_id, JsonNode *body)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcControlMessage) msg = NULL;
  g_autoptr(JcNodeSignature) sig = NULL;
  g_autoptr(JcCta) cta = NULL;
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;
  gsize len = 0;
  ActiveTask *t;

  if (!parse_control (body, &msg, &sig, &error))
    {
      g_warning ("A control message was ignored: %s", error->message);
      return;
    }
  t = g_hash_table_lookup (self->active, msg->task_id);
  if (t == NULL)
    {
      if (db_task_known (self, msg->task_id))
        log_task (self, JC_LOG_NOTICE, "control", msg->task_id,
                  "a control message for a task that is over here was ignored");
      else
        keep_pending_control (self, msg_id, msg->task_id, body);
      return;
    }
  path = cta_path (self, msg->task_id);
  if (!g_file_get_contents (path, &text, &len, &error))
    {
      log_task (self, JC_LOG_ERROR, "control", msg->task_id, error->message);
      return;
    }
  {
    g_autoptr(GBytes) bytes = g_bytes_new_take (g_steal_pointer (&text), len);
    self->trust.at = jc_time_now ();
    cta = jc_agreement_load (bytes, &self->trust, NULL, &error);
  }
  if (cta == NULL || !jc_agreement_verify_control (cta, &self->trust, msg, sig, &error))
    {
      g_autofree char *m = g_strdup_printf ("a control message was refused: %s", error->message);
      log_task (self, JC_LOG_WARNING, "control", msg->task_id, m);
      return;
    }
  {
    g_autoptr(GError) why = NULL;
    g_set_error (&why, JC_ERROR, JC_ERROR_CANCELLED, _("%s by %s: %s"),
                 msg->action == JC_CONTROL_CANCEL ? _("Cancelled") : _("Terminated"),
                 msg->signer.name, msg->reason ? msg->reason : "");
    end_task (self, msg->task_id, msg->action == JC_CONTROL_CANCEL ? "cancelled" : "terminated", why);
  }
}

/* The root tells the task's computing parties every VM address it knows (task.vm); once
 * all are known, this cpd hands them to its VM, which then links to its counterparts
 * (POST /counterparts, docs/guest.md; write-once, so a repeat is answered 409). */
typedef struct {
  JcCpdDaemon *self;
  char        *task_id;
  char        *url;
  char        *text;
  guint        tries;
} CounterpartsPost;

static void
counterparts_post_free (CounterpartsPost *p)
{
  g_object_unref (p->self);
  g_free (p->task_id);
  g_free (p->url);
  g_free (p->text);
  g_free (p);
}

static void counterparts_send (CounterpartsPost *p);

static gboolean
counterparts_retry (gpointer data)
{
  counterparts_send (data);
  return G_SOURCE_REMOVE;
}

static void
counterparts_done (GObject *source, GAsyncResult *result, gpointer data)
{
  CounterpartsPost *p = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) reply = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  /* The VM may not listen yet when the addresses arrive: try again for a while. */
  if (reply == NULL && ++p->tries < 60)
    {
      g_timeout_add (500, counterparts_retry, p);
      return;
    }
  if (reply == NULL)
    g_warning ("Task %s: the VM did not take its counterparts' addresses: %s", p->task_id, error->message);
  counterparts_post_free (p);
}

static void
counterparts_send (CounterpartsPost *p)
{
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", p->url);
  if (msg == NULL)
    {
      counterparts_post_free (p);
      return;
    }
  g_autoptr(GBytes) bytes = g_bytes_new (p->text, strlen (p->text));
  soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
  soup_session_send_and_read_async (p->self->http, msg, G_PRIORITY_DEFAULT, NULL, counterparts_done, p);
}

static void
handle_task_vm (JcCpdDaemon *self, JsonNode *body)
{
  JsonObject *o = body && JSON_NODE_HOLDS_OBJECT (body) ? json_node_get_object (body) : NULL;
  const char *task_id = o ? json_object_get_string_member_with_default (o, "task_id", NULL) : NULL;
  JsonArray *list = o && json_object_has_member (o, "addresses")
                    && JSON_NODE_HOLDS_ARRAY (json_object_get_member (o, "addresses"))
                    ? json_object_get_array_member (o, "addresses") : NULL;
  ActiveTask *t = task_id ? g_hash_table_lookup (self->active, task_id) : NULL;
  const char *addresses[3] = { NULL, NULL, NULL };

  if (t == NULL || list == NULL || t->port == 0)
    return;
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonNode *e = json_array_get_element (list, i);
      JsonObject *eo = JSON_NODE_HOLDS_OBJECT (e) ? json_node_get_object (e) : NULL;
      gint64 cp = eo ? json_object_get_int_member_with_default (eo, "cp", -1) : -1;
      const char *address = eo ? json_object_get_string_member_with_default (eo, "address", NULL) : NULL;
      if (cp >= 0 && cp < 3 && address != NULL)
        addresses[cp] = address;
    }
  if (!addresses[0] || !addresses[1] || !addresses[2])
    return;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "addresses");
  json_builder_begin_array (b);
  for (guint i = 0; i < 3; i++)
    json_builder_add_string_value (b, addresses[i]);
  json_builder_end_array (b);
  json_builder_end_object (b);
  g_autoptr(JsonNode) doc = json_builder_get_root (b);
  g_autofree char *text = json_to_string (doc, FALSE);
  const char *host = self->config->listen_address;
  if (g_str_equal (host, "0.0.0.0"))
    host = "127.0.0.1";
  else if (g_str_equal (host, "::"))
    host = "::1";
  g_autofree char *url = strchr (host, ':') ? g_strdup_printf ("http://[%s]:%u/counterparts", host, t->port)
                                            : g_strdup_printf ("http://%s:%u/counterparts", host, t->port);
  CounterpartsPost *p = g_new0 (CounterpartsPost, 1);
  p->self = g_object_ref (self);
  p->task_id = g_strdup (task_id);
  p->url = g_steal_pointer (&url);
  p->text = g_steal_pointer (&text);
  counterparts_send (p);
}

/* ---- messages from the link --------------------------------------------------------- */

static void
handle_envelope (JcCpdDaemon *self, const JcNetEnvelope *env)
{
  g_autoptr(GError) error = NULL;

  if (db_was_handled (self, env->id))
    return;
  if (g_strcmp0 (env->topic, JC_CPD_TOPIC_CTA) == 0)
    handle_cta (self, env->body);
  else if (g_strcmp0 (env->topic, JC_CPD_TOPIC_CONTROL) == 0)
    handle_control (self, env->id, env->body);
  else if (g_strcmp0 (env->topic, JC_CPD_TOPIC_TASK_VM) == 0)
    handle_task_vm (self, env->body);
  else
    g_debug ("A message of topic %s from %s is not for the cpd; ignored", env->topic, env->from);
  if (!db_mark_handled (self, env, &error))
    g_warning ("%s", error->message);
}

static void
on_message (JcNetClient *client, gpointer envelope, gpointer data)
{
  handle_envelope (JC_CPD_DAEMON (data), envelope);
}

/* ---- reconciliation after a restart ------------------------------------------------- */

static gboolean
reconcile (JcCpdDaemon *self, GError **error)
{
  g_auto(GStrv) vms = jc_cpd_vm_backend_list (self->backend, error);
  g_autoptr(GHashTable) claimed = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) lost = g_ptr_array_new_with_free_func ((GDestroyNotify) active_task_free);
  g_autoptr(GPtrArray) interrupted = g_ptr_array_new_with_free_func ((GDestroyNotify) active_task_free);
  sqlite3_stmt *st;
  gboolean row = FALSE;

  if (vms == NULL)
    return FALSE;
  st = jc_store_prepare (self->store,
    "SELECT task_id, vm, cp, port, output_deadline, state, address FROM tasks"
    " WHERE state IN ('starting', 'running')",
    error);
  if (st == NULL)
    return FALSE;
  while (jc_store_step (self->store, st, &row, error) && row)
    {
      ActiveTask *t = g_new0 (ActiveTask, 1);
      gboolean was_starting = g_strcmp0 ((const char *) sqlite3_column_text (st, 5), "starting") == 0;
      JcCpdVmState state = JC_CPD_VM_STATE_OTHER;

      t->task_id = g_strdup ((const char *) sqlite3_column_text (st, 0));
      t->vm = g_strdup ((const char *) sqlite3_column_text (st, 1));
      t->cp = sqlite3_column_int64 (st, 2);
      t->port = (guint16) sqlite3_column_int (st, 3);
      t->output_deadline = sqlite3_column_int64 (st, 4);
      if (!g_strv_contains ((const char * const *) vms, t->vm))
        {
          g_ptr_array_add (was_starting ? interrupted : lost, t);
          continue;
        }
      if (was_starting &&
          !(jc_cpd_vm_backend_get_state (self->backend, t->vm, &state, NULL) &&
            state == JC_CPD_VM_STATE_RUNNING))
        {
          /* Made but never started: it goes with the orphans below, the task fails. */
          g_ptr_array_add (interrupted, t);
          continue;
        }
      /* Still there: looked after again, never started a second time. */
      t->host = vm_remote_host (self, t->vm);
      g_hash_table_add (claimed, t->vm);
      g_hash_table_insert (self->active, t->task_id, t);
      log_task (self, JC_LOG_NOTICE, "reconcile", t->task_id, "the task's VM is still there; looking after it again");
      if (was_starting)
        {
          /* It started just before the cpd stopped: the root may not know yet. */
          g_autofree char *address = g_strdup ((const char *) sqlite3_column_text (st, 6));
          db_set_state (self, t->task_id, "running", NULL, NULL);
          report_address (self, t->task_id, t->cp, address);
          report_state (self, t->task_id, t->cp, "running", NULL);
        }
    }
  sqlite3_reset (st);
  if (error != NULL && *error != NULL)
    return FALSE;
  for (guint i = 0; i < lost->len; i++)
    {
      ActiveTask *t = lost->pdata[i];
      g_autoptr(GError) why = NULL;
      g_set_error (&why, JC_ERROR, JC_ERROR_NOT_FOUND,
                   _("The VM %s disappeared while the cpd was not running"), t->vm);
      task_ended (self, t->task_id, t->cp, "lost", why);
    }
  for (guint i = 0; i < interrupted->len; i++)
    {
      ActiveTask *t = interrupted->pdata[i];
      g_autoptr(GError) why = NULL;
      g_set_error (&why, JC_ERROR, JC_ERROR_FAILED,
                   _("The cpd stopped while it was starting the VM %s"), t->vm);
      task_ended (self, t->task_id, t->cp, "failed", why);
    }
  for (guint i = 0; vms[i] != NULL; i++)
    {
      g_autoptr(GError) local = NULL;
      if (g_hash_table_contains (claimed, vms[i]))
        continue;
      /* A VM no running task claims holds data of a task that is over: never kept. */
      if (!jc_cpd_vm_backend_destroy (self->backend, vms[i], &local))
        g_warning ("Cannot destroy the orphaned VM %s: %s", vms[i], local->message);
      else
        g_message ("Destroyed the orphaned VM %s", vms[i]);
    }
  return TRUE;
}

/* ---- set-up ------------------------------------------------------------------------- */

static gboolean
load_trust (JcCpdDaemon *self, GError **error)
{
  g_autoptr(GPtrArray) chain = NULL;
  JcCert *own;

  self->trust.root = jc_cert_new_from_file (self->config->root_ca, error);
  if (self->trust.root == NULL)
    return FALSE;
  self->trust.approver = jc_cert_list_new_from_file (self->config->approver, error);
  if (self->trust.approver == NULL)
    return FALSE;
  if (self->config->crl_file != NULL)
    {
      g_autofree char *pem = NULL;
      g_autoptr(JcCrl) crl = NULL;
      if (!g_file_get_contents (self->config->crl_file, &pem, NULL, error) ||
          (crl = jc_crl_new_from_pem (pem, -1, error)) == NULL)
        return FALSE;
      self->trust.revocations = jc_revocations_new ();
      jc_revocations_add_crl (self->trust.revocations, crl);
    }
  /* The file holds this node's certificate first, then its issuers. */
  chain = jc_cert_list_new_from_file (self->config->certificate, error);
  if (chain == NULL)
    return FALSE;
  if (chain->len == 0)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID, _("%s holds no certificate"),
                   self->config->certificate);
      return FALSE;
    }
  own = chain->pdata[0];
  if (!jc_cert_has_roles (own, JC_ROLE_CP))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_DENIED,
                   _("The certificate %s does not grant the computing party role"),
                   self->config->certificate);
      return FALSE;
    }
  /* An agreement names a computing party by the fingerprint of its whole chain, up to the
   * root CA (docs/model.md, jc_chain_fingerprint). */
  jc_chain_fingerprint (chain, self->trust.root, NULL, &self->fingerprint);
  self->node_id = g_strdup (jc_cert_get_name (own));
  return TRUE;
}

JcCpdDaemon *
jc_cpd_daemon_new (const JcCpdConfig *config, JcCpdVmBackend *backend, JcLog *log, GError **error)
{
  g_autoptr(JcCpdDaemon) self = g_object_new (JC_CPD_TYPE_DAEMON, NULL);
  g_autofree char *db = NULL;
  g_autofree char *net_db = NULL;

  self->config = (JcCpdConfig *) config;
  self->backend = g_object_ref (backend);
  self->log = g_object_ref (log);
  if (g_mkdir_with_parents (config->state_dir, 0700) != 0)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_IO, _("Cannot create the state directory %s"),
                   config->state_dir);
      return NULL;
    }
  self->cta_dir = g_build_filename (config->state_dir, "agreements", NULL);
  /* QEMU (another user under qemu:///system) opens the agreement it is handed: the folder
   * can be traversed but not listed, and libvirt gives each file to its VM's user. */
  if (g_mkdir_with_parents (self->cta_dir, 0711) != 0 || g_chmod (self->cta_dir, 0711) != 0)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_IO, _("Cannot create the folder %s"), self->cta_dir);
      return NULL;
    }
  if (g_str_equal (jc_cpd_vm_backend_get_name (backend), "process"))
    self->vm_log_dir = g_build_filename (config->state_dir, "vms", NULL);
  if (!load_trust (self, error))
    return NULL;
  db = g_build_filename (config->state_dir, "cpd.db", NULL);
  self->store = jc_store_open (db, schema, G_N_ELEMENTS (schema), error);
  if (self->store == NULL)
    return NULL;
  net_db = g_build_filename (config->state_dir, "link.db", NULL);
  {
    JcNetClientOptions o = {
      .db_path = net_db, .parent_url = config->parent_url, .cert_file = config->certificate,
      .key_file = config->key, .ca_file = config->root_ca,
      .reconnect_min_ms = config->reconnect_min_ms, .reconnect_max_ms = config->reconnect_max_ms,
    };
    self->client = jc_net_client_new (&o, error);
    if (self->client == NULL)
      return NULL;
  }
  return g_steal_pointer (&self);
}

gboolean
jc_cpd_daemon_start (JcCpdDaemon *self, GError **error)
{
  g_autoptr(GPtrArray) pending = NULL;

  if (!reconcile (self, error))
    return FALSE;
  self->context = g_main_context_ref_thread_default ();
  self->worker = g_thread_pool_new (op_run, self, 1, FALSE, error);
  if (self->worker == NULL)
    return FALSE;
  {
    /* VMs that outlived a restart keep their logs going. */
    GHashTableIter it;
    gpointer v;
    g_hash_table_iter_init (&it, self->active);
    while (g_hash_table_iter_next (&it, NULL, &v))
      follow_console (self, v);
  }
  g_signal_connect (self->client, "message", G_CALLBACK (on_message), self);
  /* Messages committed to the inbox before a crash but not acted on yet. */
  pending = jc_net_client_inbox_list (self->client, 0, G_MAXINT, error);
  if (pending == NULL)
    return FALSE;
  for (guint i = 0; i < pending->len; i++)
    handle_envelope (self, pending->pdata[i]);
  jc_net_client_start (self->client);
  self->poll_source = g_timeout_add (self->config->poll_ms, poll_tasks, self);
  return TRUE;
}

guint
jc_cpd_daemon_get_n_active (JcCpdDaemon *self)
{
  return g_hash_table_size (self->active);
}

static void
jc_cpd_daemon_dispose (GObject *object)
{
  JcCpdDaemon *self = JC_CPD_DAEMON (object);

  g_clear_handle_id (&self->poll_source, g_source_remove);
  /* Calls under way finish; their results are dropped with the daemon. */
  if (self->worker != NULL)
    g_thread_pool_free (g_steal_pointer (&self->worker), FALSE, TRUE);
  if (self->http != NULL)
    soup_session_abort (self->http);
  g_clear_object (&self->client);
  g_clear_object (&self->http);
  G_OBJECT_CLASS (jc_cpd_daemon_parent_class)->dispose (object);
}

static void
jc_cpd_daemon_finalize (GObject *object)
{
  JcCpdDaemon *self = JC_CPD_DAEMON (object);

  g_clear_pointer (&self->active, g_hash_table_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_object (&self->store);
  g_clear_object (&self->backend);
  g_clear_object (&self->log);
  jc_agreement_trust_clear (&self->trust);
  g_free (self->fingerprint);
  g_free (self->node_id);
  g_free (self->cta_dir);
  g_free (self->vm_log_dir);
  G_OBJECT_CLASS (jc_cpd_daemon_parent_class)->finalize (object);
}

static void
jc_cpd_daemon_class_init (JcCpdDaemonClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = jc_cpd_daemon_dispose;
  object_class->finalize = jc_cpd_daemon_finalize;
}

static void
jc_cpd_daemon_init (JcCpdDaemon *self)
{
  self->active = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) active_task_free);
  self->http = soup_session_new_with_options ("timeout", 5, NULL);
}
