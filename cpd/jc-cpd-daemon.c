#define G_LOG_DOMAIN "joconde-cpd"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "jc-chain-fingerprint.h"
#include "jc-cpd-daemon-private.h"
#include "jc-cpd-images.h"
#include "jc-cpd-libvirt-backend.h"
#include "jc-cpd-task-db.h"
#include "jc-cpd-verify.h"
#include "jc-crl.h"
#include "jc-doc.h"
#include "jc-encoding.h"
#include "jc-error.h"
#include "jc-tee-sim.h"
#include "jc-time.h"

/* Largest CTA accepted from the link (the agreement area's own limit). */
#define MAX_CTA (16 * 1024 * 1024)

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

G_DEFINE_FINAL_TYPE (JcCpdDaemon, jc_cpd_daemon, G_TYPE_OBJECT)

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
  BackendOp *op;

  if (self->worker == NULL)
    {
      jc_cpd_vm_spec_free (spec);
      return;   /* disposed: nothing is started or destroyed any more */
    }
  op = g_new0 (BackendOp, 1);
  op->self = g_object_ref (self);
  op->kind = kind;
  op->task_id = g_strdup (t->task_id);
  op->vm = g_strdup (t->vm);
  op->spec = spec;
  op->address = g_strdup (address);
  g_thread_pool_push (self->worker, op, NULL);
}

void
jc_cpd_daemon_log (JcCpdDaemon *self, JcLogSeverity severity, const char *msgid, const char *task_id,
          const char *message)
{
  JcLogParam params[] = { { "task", task_id ? task_id : "-" }, { "node", self->node_id }, { NULL, NULL } };

  jc_log_write (self->log, severity, msgid, params, "%s", message);
}

/* ---- reports to the root ------------------------------------------------------------ */

void
jc_cpd_daemon_send_root (JcCpdDaemon *self, const char *topic, JsonNode *body)
{
  const char *to[] = { "@root", NULL };
  g_autoptr(GError) error = NULL;

  if (self->client == NULL)
    return;   /* disposed */

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
  jc_cpd_daemon_send_root (self, JC_CPD_TOPIC_VM_STATE, body);
  {
    g_autofree char *msg = reason ? g_strdup_printf ("task VM %s: %s", state, reason->message)
                                  : g_strdup_printf ("task VM %s", state);
    jc_cpd_daemon_log (self, reason ? JC_LOG_WARNING : JC_LOG_NOTICE, "vm-state", task_id, msg);
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
  jc_cpd_daemon_send_root (self, JC_CPD_TOPIC_VM_ADDRESS, body);
}

/* ---- ending a task ------------------------------------------------------------------ */

/* The task's files under agreements/: its CTA, and the copies of the trust anchor and the
 * approver's chain handed to its VM (libvirt gives each VM's files to its QEMU user, which
 * must never happen to the credentials themselves). */
static char *
task_file (JcCpdDaemon *self, const char *task_id, const char *suffix)
{
  g_autofree char *name = g_strconcat (task_id, suffix, NULL);
  return g_build_filename (self->cta_dir, name, NULL);
}

char *
jc_cpd_daemon_cta_path (JcCpdDaemon *self, const char *task_id)
{
  return task_file (self, task_id, ".cta.json");
}

static void
remove_task_files (JcCpdDaemon *self, const char *task_id)
{
  const char *suffixes[] = { ".cta.json", ".root.pem", ".approver.pem", ".sim.key" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *path = task_file (self, task_id, suffixes[i]);
      g_unlink (path);
    }
}

static gboolean
copy_file (const char *from, const char *to, GError **error)
{
  g_autofree char *data = NULL;
  gsize len = 0;

  return g_file_get_contents (from, &data, &len, error) &&
         g_file_set_contents_full (to, data, (gssize) len, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
}

/* Records how the task ended, forgets its agreement and tells the root. */
static void
task_ended (JcCpdDaemon *self, const char *task_id, gint64 cp, const char *state, const GError *reason)
{
  g_autoptr(GError) error = NULL;

  if (!jc_cpd_task_db_set_state (self->store, task_id, state, reason ? reason->message : NULL, &error))
    g_warning ("%s", error->message);
  remove_task_files (self, task_id);
  report_state (self, task_id, cp, state, reason);
}

/* Destroys the task's VM (its data must not outlive the task), then records STATE and tells
 * the root. A VM already gone is fine: the end is what counts. A destruction that fails is
 * tried again at the next poll, with the same outcome. */
void
jc_cpd_daemon_end_task (JcCpdDaemon *self, const char *task_id, const char *state, const GError *reason)
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

static void
start_done (JcCpdDaemon *self, ActiveTask *t, BackendOp *op)
{
  g_autoptr(GError) error = NULL;

  t->starting = FALSE;
  if (!op->ok)
    {
      /* Whatever part was made goes again. */
      jc_cpd_daemon_end_task (self, t->task_id, "failed", op->error);
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
  if (!jc_cpd_task_db_set_state (self->store, t->task_id, "running", NULL, &error))
    g_warning ("%s", error->message);
  report_address (self, t->task_id, t->cp, op->address);
  report_state (self, t->task_id, t->cp, "running", NULL);
  jc_cpd_vm_watch_follow_console (self, t);
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
      jc_cpd_daemon_end_task (self, t->task_id, "lost", op->error);
      return;
    }
  switch (op->state)
    {
    case JC_CPD_VM_STATE_RUNNING:
      break;
    case JC_CPD_VM_STATE_SHUTOFF:
      /* The orchestrator exits when its task is over, and the VM powers off with it. */
      jc_cpd_daemon_end_task (self, t->task_id, "finished", NULL);
      break;
    case JC_CPD_VM_STATE_DEFINED:
      break;
    default:
      g_set_error (&error, JC_ERROR, JC_ERROR_FAILED, _("The VM %s stopped working (%s)"),
                   t->vm, jc_cpd_vm_state_to_string (op->state));
      jc_cpd_daemon_end_task (self, t->task_id, "failed", error);
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
      jc_cpd_daemon_log (self, JC_LOG_ERROR, "vm-destroy", t->task_id, msg);
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
  ActiveTask *t = self->active && self->worker ? g_hash_table_lookup (self->active, op->task_id) : NULL;

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
make_spec (JcCpdDaemon *self, const JcCta *cta, gint64 cp, const JcCpdImage *image, const char *path,
           const guint8 hash[JC_DOC_HASH_SIZE], guint16 port)
{
  g_autofree char *name = g_strconcat ("joconde-", cta->task_id, NULL);
  JcCpdVmSpec *spec = jc_cpd_vm_spec_new (name);

  spec->kernel = g_strdup (image->kernel);
  spec->initrd = g_strdup (image->initrd);
  spec->cmdline = g_strdup (image->cmdline);
  spec->firmware = g_strdup (image->firmware ? image->firmware : self->config->firmware);
  spec->cta_path = g_strdup (path);
  memcpy (spec->cta_sha256, hash, sizeof spec->cta_sha256);
  spec->memory_mib = self->config->memory_mib;
  spec->vcpus = self->config->vcpus;
  spec->kvm = self->config->kvm;
  g_free (spec->host_address);
  spec->host_address = g_strdup (self->config->listen_address);
  spec->host_port = port;
  spec->guest_port = image->guest_port;
  spec->party = (gint) cp;
  spec->engine_dir = g_strdup (self->config->engine_dir);
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
  jc_cpd_task_db_record_refusal (self->store, task_id, why->message);
  report_state (self, task_id, cp, "refused", why);
}

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
  g_autofree char *root_copy = NULL;
  g_autofree char *approver_copy = NULL;
  g_autofree char *address = NULL;
  guint8 hash[JC_DOC_HASH_SIZE];
  gint64 cp = -1;
  guint16 port;
  ActiveTask *t;

  /* The root sends {"task_id", "cta": <CTA>}; a bare CTA document is read as well. */
  if (body != NULL && JSON_NODE_HOLDS_OBJECT (body) &&
      json_object_has_member (json_node_get_object (body), "cta"))
    body = json_object_get_member (json_node_get_object (body), "cta");
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
  if (task_id != NULL && jc_cpd_task_db_is_known (self->store, task_id))
    {
      /* The same task again (a resent delivery): it is never started twice. */
      jc_cpd_daemon_log (self, JC_LOG_NOTICE, "cta", task_id, "the agreement arrived again; ignored");
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
  if (jc_cpd_task_db_is_known (self->store, task_id))
    {
      jc_cpd_daemon_log (self, JC_LOG_NOTICE, "cta", task_id, "the agreement arrived again; ignored");
      return;
    }
  {
    g_autoptr(GError) why = NULL;
    if (jc_cpd_control_pending_ends (self, cta, &why))
      {
        jc_cpd_task_db_record_end (self->store, task_id, cp, "cancelled", why->message);
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
  path = jc_cpd_daemon_cta_path (self, task_id);
  root_copy = task_file (self, task_id, ".root.pem");
  approver_copy = task_file (self, task_id, ".approver.pem");
  if (!g_file_set_contents_full (path, g_bytes_get_data (bytes, NULL), (gssize) g_bytes_get_size (bytes),
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error) ||
      !copy_file (self->config->root_ca, root_copy, &error) ||
      !copy_file (self->config->approver, approver_copy, &error))
    {
      remove_task_files (self, task_id);
      refuse (self, task_id, cp, error);
      return;
    }
  spec = make_spec (self, cta, cp, image, path, hash, port);
  spec->root_path = g_steal_pointer (&root_copy);
  spec->approver_path = g_steal_pointer (&approver_copy);
  if (cta->ctsc->platform == JC_TEE_PLATFORM_SIM)
    {
      /* The host's simulated-TEE key (made on first use), copied for the VM like the rest. */
      g_autofree char *host_key = g_build_filename (self->config->state_dir, "sim-tee.key", NULL);
      g_autofree char *key_copy = task_file (self, task_id, ".sim.key");
      JcSecret *key = jc_tee_sim_key_load_or_create (host_key, &error);

      if (key == NULL || !copy_file (host_key, key_copy, &error))
        {
          g_clear_pointer (&key, jc_secret_free);
          remove_task_files (self, task_id);
          refuse (self, task_id, cp, error);
          return;
        }
      jc_secret_free (key);
      spec->sim_key_path = g_steal_pointer (&key_copy);
    }
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
        remove_task_files (self, task_id);
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
    jc_cpd_daemon_log (self, JC_LOG_NOTICE, "cta", task_id, msg);
  }
  t->starting = TRUE;
  queue_op (self, OP_START, t, g_steal_pointer (&spec), address);
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
      jc_cpd_vm_watch_forward_log (self, t);
      if (t->ending)
        continue;
      if (now >= t->output_deadline && t->end_state == NULL)
        {
          g_set_error (&error, JC_ERROR, JC_ERROR_EXPIRED, _("The task reached its output deadline"));
          jc_cpd_daemon_end_task (self, id, "expired", error);
          continue;
        }
      if (t->end_state != NULL)
        jc_cpd_daemon_end_task (self, id, t->end_state, t->end_reason);   /* a destruction to try again */
      else if (!t->starting && !t->querying && !t->ending)
        {
          t->querying = TRUE;
          queue_op (self, OP_STATE, t, NULL, NULL);
        }
    }
  return G_SOURCE_CONTINUE;
}

/* ---- messages from the link --------------------------------------------------------- */

static void
handle_envelope (JcCpdDaemon *self, const JcNetEnvelope *env)
{
  g_autoptr(GError) error = NULL;

  if (jc_cpd_task_db_was_handled (self->store, env->id))
    return;
  if (g_strcmp0 (env->topic, JC_CPD_TOPIC_CTA) == 0)
    handle_cta (self, env->body);
  else if (g_strcmp0 (env->topic, JC_CPD_TOPIC_CONTROL) == 0)
    jc_cpd_control_handle (self, env->id, env->body);
  else if (g_strcmp0 (env->topic, JC_CPD_TOPIC_VMS) == 0)
    jc_cpd_control_handle_vms (self, env);
  else if (g_strcmp0 (env->topic, JC_CPD_TOPIC_STATUS) == 0)
    jc_cpd_control_handle_status (self, env);
  else
    g_debug ("A message of topic %s from %s is not for the cpd; ignored", env->topic, env->from);
  if (!jc_cpd_task_db_mark_handled (self->store, env->id, env->topic, &error))
    g_warning ("%s", error->message);
}

static void
on_message (JcNetClient *client, gpointer envelope, gpointer data)
{
  handle_envelope (JC_CPD_DAEMON (data), envelope);
}

/* A report the tree refused for good (docs/wire.md §3.2): nothing to resend, but the
 * administrator must know, since the root then lacks it. */
static void
on_refused (JcNetClient *client, const char *id, const char *code, const char *reason, gpointer data)
{
  JcCpdDaemon *self = data;
  g_autofree char *msg = g_strdup_printf ("the relay refused message %s (%s): %s", id, code, reason);

  jc_cpd_daemon_log (self, JC_LOG_ERROR, "refused", NULL, msg);
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
    "SELECT task_id, vm, cp, port, output_deadline, state, address, log_offset FROM tasks"
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
      t->log_offset = sqlite3_column_int64 (st, 7);
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
      jc_cpd_daemon_log (self, JC_LOG_NOTICE, "reconcile", t->task_id, "the task's VM is still there; looking after it again");
      if (was_starting)
        {
          /* It started just before the cpd stopped: the root may not know yet. */
          g_autofree char *address = g_strdup ((const char *) sqlite3_column_text (st, 6));
          jc_cpd_task_db_set_state (self->store, t->task_id, "running", NULL, NULL);
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
  if (self->trust.approver->len == 0)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID, _("%s holds no certificate"), self->config->approver);
      return FALSE;
    }
  self->root_id = g_strdup (jc_cert_get_name (self->trust.approver->pdata[0]));
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
  /* A party is named by the fingerprint of its whole chain, root included (docs/model.md). */
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
  self->store = jc_cpd_task_db_open (db, error);
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
      jc_cpd_vm_watch_follow_console (self, v);
  }
  g_signal_connect (self->client, "message", G_CALLBACK (on_message), self);
  g_signal_connect (self->client, "refused", G_CALLBACK (on_refused), self);
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
  g_clear_object (&self->client);
  if (self->http != NULL)
    soup_session_abort (self->http);
  g_clear_object (&self->http);
  /* Let go of the backend now: a backend whose VMs stop with it (process) stops them even
   * while late callbacks still hold the daemon. */
  g_clear_object (&self->backend);
  G_OBJECT_CLASS (jc_cpd_daemon_parent_class)->dispose (object);
}

static void
jc_cpd_daemon_finalize (GObject *object)
{
  JcCpdDaemon *self = JC_CPD_DAEMON (object);

  g_clear_pointer (&self->active, g_hash_table_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_object (&self->store);
  g_clear_object (&self->log);
  jc_agreement_trust_clear (&self->trust);
  g_free (self->fingerprint);
  g_free (self->node_id);
  g_free (self->root_id);
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
  self->http = soup_session_new_with_options ("timeout", 10, NULL);
  self->active = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) active_task_free);
}
