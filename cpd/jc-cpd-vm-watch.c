#define G_LOG_DOMAIN "joconde-cpd"
#include "config.h"

#include <glib/gi18n-lib.h>

#include "jc-cpd-daemon-private.h"
#include "jc-cpd-task-db.h"
#include "jc-time.h"

/* A task VM's output: its orchestrator's telemetry events go to the root, its log lines to
 * the daemon's log (syslog) with the task id. */

/* Largest piece of a VM log forwarded to syslog in one poll. */
#define LOG_CHUNK (64 * 1024)

/* ---- one line of the VM's output (docs/guest.md "The cpd interface") --------------- */

/* A telemetry event of the orchestrator: forwarded when it is about this task and party
 * (a VM does not speak for another). */
static void
vm_telemetry (JcCpdDaemon *self, ActiveTask *t, JsonNode *doc)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcTelemetryEvent) e = jc_telemetry_event_from_json (doc, &error);
  g_autoptr(JsonNode) out = NULL;

  if (e == NULL || g_strcmp0 (e->task_id, t->task_id) != 0 || e->cp != t->cp)
    {
      jc_cpd_daemon_log (self, JC_LOG_WARNING, "vm-telemetry", t->task_id,
                         error ? error->message : "a telemetry event about another task or party was dropped");
      return;
    }
  /* The root's form: {"event": telemetry-event} (docs/wire.md §5.3). */
  out = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (out, json_object_new ());
  json_object_set_member (json_node_get_object (out), "event", jc_telemetry_event_to_json (e));
  jc_cpd_daemon_send_root (self, JC_CPD_TOPIC_TELEMETRY, out);
}

/* {"type": "guest-request", "request": "destroy", "task_id", "state"}: the orchestrator is
 * done and everything is erased. */
static void
vm_request (JcCpdDaemon *self, ActiveTask *t, JsonObject *o)
{
  JsonNode *req = json_object_get_member (o, "request");
  JsonNode *id = json_object_get_member (o, "task_id");
  JsonNode *state = json_object_get_member (o, "state");
  const char *end = "finished";

  if (req == NULL || !JSON_NODE_HOLDS_VALUE (req) || g_strcmp0 (json_node_get_string (req), "destroy") != 0 ||
      id == NULL || !JSON_NODE_HOLDS_VALUE (id) || g_strcmp0 (json_node_get_string (id), t->task_id) != 0)
    return;
  if (state != NULL && JSON_NODE_HOLDS_VALUE (state) &&
      g_strcmp0 (json_node_get_string (state), "cancelled") == 0)
    end = "cancelled";
  jc_cpd_daemon_log (self, JC_LOG_NOTICE, "vm-request", t->task_id, "the orchestrator asks to be destroyed");
  jc_cpd_daemon_end_task (self, t->task_id, end, NULL);
}

/* Lines starting with '{' are the orchestrator's documents; anything else (its RFC 5424
 * records, the init's and the kernel's lines) goes to the log with the task id. */
static void
vm_line (JcCpdDaemon *self, const char *task_id, const char *line)
{
  ActiveTask *t = g_hash_table_lookup (self->active, task_id);

  if (t != NULL && line[0] == '{')
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonNode *root;
      JsonNode *type;

      if (json_parser_load_from_data (parser, line, -1, NULL) &&
          (root = json_parser_get_root (parser)) != NULL && JSON_NODE_HOLDS_OBJECT (root) &&
          (type = json_object_get_member (json_node_get_object (root), "type")) != NULL &&
          JSON_NODE_HOLDS_VALUE (type) && json_node_get_value_type (type) == G_TYPE_STRING)
        {
          if (g_str_equal (json_node_get_string (type), "telemetry-event"))
            {
              vm_telemetry (self, t, root);
              return;
            }
          if (g_str_equal (json_node_get_string (type), "guest-request"))
            {
              vm_request (self, t, json_node_get_object (root));
              return;
            }
        }
    }
  jc_cpd_daemon_log (self, JC_LOG_INFO, "vm-log", task_id, line);
}

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

  vm_line (l->self, l->task_id, l->line);
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
  g_autoptr(GInputStream) raw = self->backend != NULL
    ? jc_cpd_vm_backend_open_log (self->backend, r->vm, &error) : NULL;
  g_autoptr(GDataInputStream) in = NULL;
  char *line;

  if (raw == NULL)
    {
      g_debug ("No console log for the VM %s: %s", r->vm, error ? error->message : "the daemon stopped");
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

void
jc_cpd_vm_watch_follow_console (JcCpdDaemon *self, ActiveTask *t)
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

/* ---- VM logs and telemetry ---------------------------------------------------------- */

void
jc_cpd_vm_watch_forward_log (JcCpdDaemon *self, ActiveTask *t)
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
          vm_line (self, t->task_id, valid);
        }
    t->log_offset += used;
    jc_cpd_task_db_set_log_offset (self->store, t->task_id, t->log_offset);
  }
}
