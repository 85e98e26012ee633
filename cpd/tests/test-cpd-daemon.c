#define G_LOG_DOMAIN "joconde-cpd-test"
#include "config.h"

/* joconde-cpd as a real process under a real root relay, with the process backend running
 * the real orchestrator (and once with libvirt's test driver). See cpd-daemon-fixture.h. */

#include "cpd-daemon-fixture.h"
#include "jc-cpd-daemon-private.h"
#include "jc-cpd-process-backend.h"

/* ---- tests ------------------------------------------------------------------------------- */

/* A task runs to its end (the orchestrator exits), a second is cancelled, the orchestrator
 * of a third cancels it at its input deadline and asks to be destroyed: each VM is started
 * once, reported with its address, telemetry is forwarded, and the VM is destroyed at the
 * end. */
static void
test_lifecycle (Fixture *f, gconstpointer data)
{
  g_autofree char *a = g_strdup (f->t.cta->task_id);
  g_autofree char *b = NULL;
  g_autofree char *c = NULL;
  g_autoptr(JsonNode) running = NULL, finished = NULL, cancelled = NULL, expired = NULL;
  g_autoptr(GPtrArray) addresses = NULL;
  g_autoptr(JsonNode) control = NULL;
  TelemetryWait tw = { f, a };
  GPid pid_a, pid_b;

  deliver (f, f->t.cta_bytes);
  running = wait_state (f, a, "running");
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (running), "cp"), ==, 0);
  addresses = wait_received (f, JC_CPD_TOPIC_VM_ADDRESS, a, 1);
  g_assert_cmpuint (addresses->len, ==, 1);
  g_assert_true (g_str_has_prefix (json_object_get_string_member (json_node_get_object (addresses->pdata[0]),
                                                                  "address"), "127.0.0.1:"));
  /* The orchestrator's state reaches the root as telemetry. */
  g_assert_true (test_wait (telemetry_seen, &tw, 20000));
  pid_a = vm_pid (f, a);
  g_assert_true (process_alive (pid_a));
  {
    /* What the orchestrator was handed to run the task (the task is "sim"). */
    const char *suffixes[] = { "cta.json", "root.pem", "approver.pem", "sim.key" };
    for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
      {
        g_autofree char *path = g_strdup_printf ("%s/agreements/%s.%s", f->state, a, suffixes[i]);
        g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
      }
  }
  /* The same agreement again starts nothing. */
  deliver (f, f->t.cta_bytes);

  /* The orchestrator finishing ends the task. */
  kill (pid_a, SIGTERM);
  finished = wait_state (f, a, "finished");
  assert_vm_gone (f, a, pid_a);
  g_assert_cmpuint (count_state (f, a, "running"), ==, 1);

  /* A second task, cancelled by a peer's signed control message. */
  rebuild_cta (f, 600, 1200, 1800);
  b = g_strdup (f->t.cta->task_id);
  deliver (f, f->t.cta_bytes);
  g_clear_pointer (&running, json_node_unref);
  running = wait_state (f, b, "running");
  pid_b = vm_pid (f, b);
  g_assert_true (process_alive (pid_b));
  control = signed_control (f, b, JC_CONTROL_CANCEL);
  send_to_cp1 (f, JC_CPD_TOPIC_CONTROL, control);
  cancelled = wait_state (f, b, "cancelled");
  g_assert_nonnull (strstr (json_object_get_string_member (json_node_get_object (cancelled), "reason"), "nsi"));
  assert_vm_gone (f, b, pid_b);
  {
    /* The orchestrator was told first, and obeyed (200), before its VM went. */
    g_autofree char *log_path = g_build_filename (f->state, "cpd.log", NULL);
    g_autofree char *log = NULL;
    g_autofree char *tag = g_strdup_printf ("task=\"%s\"", b);
    g_auto(GStrv) lines = NULL;
    gboolean relayed = FALSE;

    g_assert_true (g_file_get_contents (log_path, &log, NULL, NULL));
    lines = g_strsplit (log, "\n", -1);
    for (guint i = 0; lines[i] != NULL; i++)
      relayed |= strstr (lines[i], tag) != NULL &&
                 strstr (lines[i], "relayed to the orchestrator: OK") != NULL;
    g_assert_true (relayed);
  }

  /* A third task whose input deadline comes in two seconds: no input arrives, so the
   * orchestrator cancels it, erases everything and asks to be destroyed. */
  rebuild_cta (f, 2, 3, 4);
  c = g_strdup (f->t.cta->task_id);
  deliver (f, f->t.cta_bytes);
  g_clear_pointer (&running, json_node_unref);
  running = wait_state (f, c, "running");
  expired = wait_state (f, c, "cancelled");
  assert_vm_gone (f, c, 0);
  {
    /* It said so itself: its own telemetry reached the root. */
    g_autoptr(GPtrArray) events = NULL;
    gboolean cancelled_seen = FALSE;
    wait_link_idle (f);
    events = root_received (f, JC_CPD_TOPIC_TELEMETRY, c);
    for (guint i = 0; i < events->len; i++)
      {
        g_autoptr(JcTelemetryEvent) e = jc_telemetry_event_from_json (events->pdata[i], NULL);
        cancelled_seen |= e != NULL && e->kind == JC_TELEMETRY_STATE_CHANGE && e->state == JC_TASK_CANCELLED;
      }
    g_assert_true (cancelled_seen);
  }
}

static void
assert_refused (Fixture *f, const char *task_id, const char *code, const char *words)
{
  g_autoptr(JsonNode) node = wait_state (f, task_id, "refused");
  JsonObject *o = json_node_get_object (node);
  const char *reason = json_object_get_string_member_with_default (o, "reason", "");

  g_test_message ("refused: %s (%s)", reason, json_object_get_string_member_with_default (o, "code", ""));
  if (code != NULL)
    g_assert_cmpstr (json_object_get_string_member_with_default (o, "code", ""), ==, code);
  g_assert_nonnull (strstr (reason, words));
  g_assert_cmpuint (count_state (f, task_id, "running"), ==, 0);
}

static void
test_refusals (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GBytes) original = g_bytes_ref (f->t.cta_bytes);
  g_autofree char *original_id = g_strdup (f->t.cta->task_id);

  /* A bad signature: one character of the approval's signature changed. */
  {
    g_autoptr(JsonNode) node = jc_cta_to_json (f->t.cta);
    JsonObject *approval = json_object_get_object_member (json_node_get_object (node), "approval");
    g_autofree char *sig = g_strdup (json_object_get_string_member (approval, "signature"));
    sig[20] = sig[20] == 'A' ? 'B' : 'A';
    json_object_set_string_member (approval, "signature", sig);
    send_to_cp1 (f, JC_CPD_TOPIC_CTA, node);
    assert_refused (f, f->t.cta->task_id, "bad-signature", "");
  }

  /* Not naming this computing party: cp1 is another node in this agreement. */
  {
    g_autoptr(JcNodeKey) other_key = task_key ();
    JcCert *mine = f->t.cp[0];
    f->t.cp[0] = task_issue (f->t.so_key, f->t.so, other_key, "Computing Party", "cp1", JC_ROLE_CP, f->t.now);
    rebuild_cta (f, 600, 1200, 1800);
    g_object_unref (f->t.cp[0]);
    f->t.cp[0] = mine;
    deliver (f, f->t.cta_bytes);
    assert_refused (f, f->t.cta->task_id, "denied", "does not name this computing party");
  }

  /* Past its deadline. */
  rebuild_cta (f, -30, -20, -10);
  deliver (f, f->t.cta_bytes);
  assert_refused (f, f->t.cta->task_id, "expired", "deadline");

  /* An engine no image serves. */
  {
    g_autofree char *dir = g_build_filename (f->images, "rss3", NULL);
    test_rm_rf (dir);
    write_image (f, "other", "some-other-engine");
    rebuild_cta (f, 600, 1200, 1800);
    deliver (f, f->t.cta_bytes);
    assert_refused (f, f->t.cta->task_id, "not-found", "serves the engine rss3-sh-z64");
  }

  /* The image for the engine is there but its initrd is missing. */
  {
    g_autofree char *initrd = NULL;
    write_image (f, "rss3", "rss3-sh-z64");
    initrd = g_build_filename (f->images, "rss3", "initrd.img", NULL);
    g_assert_cmpint (g_unlink (initrd), ==, 0);
    rebuild_cta (f, 600, 1200, 1800);
    deliver (f, f->t.cta_bytes);
    assert_refused (f, f->t.cta->task_id, "not-found", "initrd.img");
  }

  /* Not a CTA at all: refused without a task id. */
  text = g_strdup ("{\"type\": \"cta\", \"version\": 1}");
  {
    g_autoptr(JsonNode) node = json_from_string (text, &error);
    g_assert_no_error (error);
    send_to_cp1 (f, JC_CPD_TOPIC_CTA, node);
  }
  {
    g_autoptr(JsonNode) none = wait_state (f, NULL, "refused");
    (void) none;
  }

  /* The forged agreement refused first under the real task's id does not keep the real one
   * out. */
  write_image (f, "rss3", "rss3-sh-z64");
  deliver (f, original);
  {
    g_autoptr(JsonNode) running = wait_state (f, original_id, "running");
    (void) running;
  }
}

/* kill -9 of the cpd with a VM running: the restarted cpd looks after the same VM (the
 * same process, no second start), destroys a VM no task claims, and still ends the task. */
static void
test_restart (Fixture *f, gconstpointer data)
{
  g_autofree char *a = g_strdup (f->t.cta->task_id);
  g_autoptr(JsonNode) running = NULL, cancelled = NULL, control = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) orphan = NULL;
  g_autofree char *orphan_dir = g_strdup_printf ("%s/vms/joconde-orphan", f->state);
  g_autofree char *orphan_pid = NULL;
  GPid pid_a, pid_o;
  guint64 start = 0;

  TelemetryWait tw = { f, a };
  guint n_events;

  deliver (f, f->t.cta_bytes);
  running = wait_state (f, a, "running");
  pid_a = vm_pid (f, a);
  g_assert_true (process_alive (pid_a));
  g_assert_true (test_wait (telemetry_seen, &tw, 20000));
  test_spin (500);
  wait_link_idle (f);
  {
    g_autoptr(GPtrArray) events = root_received (f, JC_CPD_TOPIC_TELEMETRY, a);
    n_events = events->len;
  }

  cpd_kill (f, SIGKILL);
  g_assert_true (process_alive (pid_a));

  /* A VM left behind that no task claims (as if from a task the database lost). */
  orphan = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, "sleep", "600", NULL);
  g_assert_no_error (error);
  pid_o = (GPid) g_ascii_strtoll (g_subprocess_get_identifier (orphan), NULL, 10);
  {
    g_autofree char *stat_path = g_strdup_printf ("/proc/%d/stat", (int) pid_o);
    g_autofree char *stat = NULL;
    g_auto(GStrv) fields = NULL;
    g_assert_true (g_file_get_contents (stat_path, &stat, NULL, NULL));
    fields = g_strsplit (strrchr (stat, ')') + 2, " ", 0);
    start = g_ascii_strtoull (fields[19], NULL, 10);
  }
  g_mkdir_with_parents (orphan_dir, 0700);
  orphan_pid = g_strdup_printf ("%s/pid", orphan_dir);
  {
    g_autofree char *text = g_strdup_printf ("%d %" G_GUINT64_FORMAT "\n", (int) pid_o, start);
    write_file (orphan_pid, text, -1);
  }

  cpd_start (f);
  /* The orphan is destroyed at once, during reconciliation. */
  g_subprocess_wait (orphan, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (g_file_test (orphan_dir, G_FILE_TEST_EXISTS));
  /* The task's VM is the same process, started once, not reported lost. */
  test_spin (500);
  g_assert_cmpint (vm_pid (f, a), ==, pid_a);
  g_assert_true (process_alive (pid_a));
  g_assert_cmpuint (count_state (f, a, "running"), ==, 1);
  g_assert_cmpuint (count_state (f, a, "lost"), ==, 0);
  /* Its log is read on from where it was: no telemetry event is sent twice. */
  wait_link_idle (f);
  {
    g_autoptr(GPtrArray) events = root_received (f, JC_CPD_TOPIC_TELEMETRY, a);
    g_assert_cmpuint (events->len, ==, n_events);
  }

  /* And the restarted cpd still ends it. */
  control = signed_control (f, a, JC_CONTROL_TERMINATE);
  send_to_cp1 (f, JC_CPD_TOPIC_CONTROL, control);
  cancelled = wait_state (f, a, "terminated");
  assert_vm_gone (f, a, pid_a);
}

/* A VM that vanished while the cpd was down is reported lost. */
static void
test_restart_lost (Fixture *f, gconstpointer data)
{
  g_autofree char *a = g_strdup (f->t.cta->task_id);
  g_autoptr(JsonNode) running = NULL, lost = NULL;
  GPid pid_a;

  deliver (f, f->t.cta_bytes);
  running = wait_state (f, a, "running");
  pid_a = vm_pid (f, a);
  cpd_kill (f, SIGKILL);
  kill (pid_a, SIGKILL);
  {
    g_autofree char *dir = g_strdup_printf ("%s/vms/joconde-%s", f->state, a);
    test_rm_rf (dir);
  }
  cpd_start (f);
  lost = wait_state (f, a, "lost");
  g_assert_cmpuint (count_state (f, a, "running"), ==, 1);
}

/* The same daemon code driving the libvirt backend (libvirt's test driver, which runs no
 * VM): the domain is defined, started, reported and destroyed at the cancel; another one,
 * which never ends by itself, at its output deadline. */
static void
test_libvirt (Fixture *f, gconstpointer data)
{
  g_autofree char *a = g_strdup (f->t.cta->task_id);
  g_autoptr(JsonNode) running = NULL, cancelled = NULL, control = NULL;
  g_autoptr(GPtrArray) addresses = NULL;

  deliver (f, f->t.cta_bytes);
  running = wait_state (f, a, "running");
  addresses = wait_received (f, JC_CPD_TOPIC_VM_ADDRESS, a, 1);
  g_assert_cmpuint (addresses->len, ==, 1);
  /* Polls go on while it runs; nothing ends it but the cancel. */
  test_spin (500);
  g_assert_cmpuint (count_state (f, a, "failed") + count_state (f, a, "lost"), ==, 0);
  control = signed_control (f, a, JC_CONTROL_CANCEL);
  send_to_cp1 (f, JC_CPD_TOPIC_CONTROL, control);
  cancelled = wait_state (f, a, "cancelled");
  g_assert_cmpuint (count_state (f, a, "running"), ==, 1);

  /* A VM that never ends by itself is destroyed at the task's output deadline. */
  rebuild_cta (f, 2, 3, 4);
  {
    g_autofree char *b = g_strdup (f->t.cta->task_id);
    g_autoptr(JsonNode) r = NULL, expired = NULL;
    deliver (f, f->t.cta_bytes);
    r = wait_state (f, b, "running");
    expired = wait_state (f, b, "expired");
    g_assert_nonnull (strstr (json_object_get_string_member (json_node_get_object (expired), "reason"),
                              "output deadline"));
  }
}

/* A cancel may overtake its CTA (they come from different origins): it is kept and obeyed
 * when the CTA arrives, if it verifies against it; a forged one is not. */
static void
test_cancel_before_cta (Fixture *f, gconstpointer data)
{
  g_autofree char *a = g_strdup (f->t.cta->task_id);
  g_autofree char *b = NULL;
  g_autoptr(GBytes) cta_a = g_bytes_ref (f->t.cta_bytes);
  g_autoptr(JsonNode) forged = NULL, control = NULL, running = NULL, cancelled = NULL;

  /* A forged cancel for A: signed by mno's key under nsi's name. */
  {
    JcNodeKey *nsi_key = f->t.nsi_key;
    f->t.nsi_key = f->t.mno_key;
    forged = signed_control (f, a, JC_CONTROL_CANCEL);
    f->t.nsi_key = nsi_key;
  }
  send_to_cp1 (f, JC_CPD_TOPIC_CONTROL, forged);
  test_spin (300);
  deliver (f, cta_a);
  running = wait_state (f, a, "running");

  /* Only the root's task status counts: a peer saying "cancelled" changes nothing. */
  {
    g_autofree char *text = g_strdup_printf ("{\"task_id\": \"%s\", \"state\": \"cancelled\","
                                             " \"update_counter\": 9, \"event\": \"forged\"}", a);
    g_autoptr(JsonNode) status = json_from_string (text, NULL);
    send_to_cp1 (f, JC_CPD_TOPIC_STATUS, status);
    test_spin (600);
    g_assert_cmpuint (count_state (f, a, "cancelled"), ==, 0);
    g_assert_true (process_alive (vm_pid (f, a)));
  }

  rebuild_cta (f, 600, 1200, 1800);
  b = g_strdup (f->t.cta->task_id);
  control = signed_control (f, b, JC_CONTROL_CANCEL);
  send_to_cp1 (f, JC_CPD_TOPIC_CONTROL, control);
  test_spin (300);
  deliver (f, f->t.cta_bytes);
  cancelled = wait_state (f, b, "cancelled");
  g_assert_nonnull (strstr (json_object_get_string_member (json_node_get_object (cancelled), "reason"),
                            "before the VM started"));
  test_spin (300);
  g_assert_cmpuint (count_state (f, b, "running"), ==, 0);
  g_assert_cmpint (vm_pid (f, b), ==, 0);
}

static guint
post_status (const char *url, const char *text)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", url);
  g_autoptr(GBytes) payload = g_bytes_new (text, strlen (text));
  g_autoptr(GBytes) body = NULL;

  soup_message_set_request_body_from_bytes (msg, "application/json", payload);
  body = soup_session_send_and_read (session, msg, NULL, NULL);
  return body ? soup_message_get_status (msg) : 0;
}

typedef struct {
  const char *url;
} TakenWait;

/* The orchestrator has its counterparts once a further POST is refused (write-once). */
static gboolean
counterparts_taken (gpointer data)
{
  TakenWait *w = data;
  return post_status (w->url, "{\"addresses\": [\"127.0.0.1:1\", \"127.0.0.1:2\", \"127.0.0.1:3\"]}") == 409;
}

/* The root's list of VM addresses (task.vm) goes to the orchestrator once complete, and
 * only from the root. The daemon runs in this process here, so that the list can be handed
 * to it as if the root had sent it (the test's root does not run this task's lifecycle). */
static void
test_counterparts (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcCpdConfig) config = jc_cpd_config_load (f->conf, &error);
  g_autofree char *vms = NULL, *log_path = NULL, *url = NULL, *text = NULL;
  g_autoptr(JcLog) log = NULL;
  g_autoptr(JcCpdVmBackend) backend = NULL;
  g_autoptr(JcCpdDaemon) daemon = NULL;
  g_autoptr(JsonNode) running = NULL;
  g_autoptr(GPtrArray) addresses = NULL;
  const char *a = f->t.cta->task_id;
  const char *own;
  TakenWait tw;

  g_assert_no_error (error);
  vms = g_build_filename (config->state_dir, "vms", NULL);
  g_mkdir_with_parents (vms, 0700);
  log_path = g_build_filename (f->dir, "in-process.log", NULL);
  log = jc_log_new ("joconde-cpd", JC_LOG_TO_FILE, log_path, &error);
  g_assert_no_error (error);
  backend = JC_CPD_VM_BACKEND (jc_cpd_process_backend_new (config->guest_binary, vms));
  daemon = jc_cpd_daemon_new (config, backend, log, &error);
  g_assert_no_error (error);
  g_assert_true (jc_cpd_daemon_start (daemon, &error));
  g_assert_no_error (error);
  f->nsi = test_client_new (f->dir, "nsi", NULL, f->relay_url);
  jc_net_client_start (f->nsi);

  deliver (f, f->t.cta_bytes);
  running = wait_state (f, a, "running");
  addresses = wait_received (f, JC_CPD_TOPIC_VM_ADDRESS, a, 1);
  g_assert_cmpuint (addresses->len, ==, 1);
  own = json_object_get_string_member (json_node_get_object (addresses->pdata[0]), "address");
  url = g_strdup_printf ("http://%s/counterparts", own);
  tw.url = url;

  text = g_strdup_printf ("{\"task_id\": \"%s\", \"addresses\": [{\"cp\": 0, \"address\": \"%s\"},"
                          " {\"cp\": 2, \"address\": \"127.0.0.1:9\"}, {\"cp\": 1, \"address\": \"127.0.0.1:8\"}]}",
                          a, own);
  {
    /* From a peer: ignored. Incomplete from the root: kept back. */
    g_autofree char *partial = g_strdup_printf ("{\"task_id\": \"%s\", \"addresses\": [{\"cp\": 0, \"address\": \"%s\"}]}",
                                                a, own);
    const char *root_to[] = { "cp1", NULL };
    g_autoptr(JsonNode) full_body = json_from_string (text, NULL);
    g_autoptr(JsonNode) partial_body = json_from_string (partial, NULL);
    g_autoptr(JcNetEnvelope) forged = jc_net_envelope_new ("nsi", root_to, JC_CPD_TOPIC_VMS, full_body);
    g_autoptr(JcNetEnvelope) incomplete = jc_net_envelope_new ("so", root_to, JC_CPD_TOPIC_VMS, partial_body);
    jc_cpd_control_handle_vms (daemon, forged);
    jc_cpd_control_handle_vms (daemon, incomplete);
    test_spin (500);
    g_assert_false (counterparts_taken (&tw));
  }
  g_assert_cmpuint (post_status (url, "not json"), ==, 400);
  {
    const char *root_to[] = { "cp1", NULL };
    g_autoptr(JsonNode) full_body = json_from_string (text, NULL);
    g_autoptr(JcNetEnvelope) env = jc_net_envelope_new ("so", root_to, JC_CPD_TOPIC_VMS, full_body);
    jc_cpd_control_handle_vms (daemon, env);
  }
  g_assert_true (test_wait (counterparts_taken, &tw, 10000));
  g_object_run_dispose (G_OBJECT (daemon));
}

static void
db_exec (Fixture *f, const char *sql)
{
  g_autofree char *path = g_build_filename (f->state, "cpd.db", NULL);
  sqlite3 *db = NULL;
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
}

/* Killed after the VM started but before the start was recorded: the restarted cpd finds it
 * running, keeps it (same process) and tells the root again where it is. */
static void
test_restart_starting (Fixture *f, gconstpointer data)
{
  g_autofree char *a = g_strdup (f->t.cta->task_id);
  g_autoptr(JsonNode) running = NULL;
  GPid pid_a;

  deliver (f, f->t.cta_bytes);
  running = wait_state (f, a, "running");
  pid_a = vm_pid (f, a);
  cpd_kill (f, SIGKILL);
  db_exec (f, "UPDATE tasks SET state = 'starting'");
  cpd_start (f);
  g_assert_cmpint (vm_pid (f, a), ==, pid_a);
  g_assert_true (process_alive (pid_a));
  {
    g_autoptr(GPtrArray) addresses = NULL;
    for (guint i = 0; i < 200 && count_state (f, a, "running") < 2; i++)
      test_spin (50);
    g_assert_cmpuint (count_state (f, a, "running"), ==, 2);
    addresses = wait_received (f, JC_CPD_TOPIC_VM_ADDRESS, a, 2);
    g_assert_cmpuint (addresses->len, ==, 2);
  }
  g_assert_cmpint (vm_pid (f, a), ==, pid_a);
}

/* Runs BIN with the arguments; asserts its exit status; returns its standard output. */
static char *
run_prog (int expect, const char *bin, ...)
{
  va_list ap;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *o = NULL, *e = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_ptr_array_add (argv, (char *) bin);
  va_start (ap, bin);
  for (const char *a; (a = va_arg (ap, const char *));)
    g_ptr_array_add (argv, (char *) a);
  va_end (ap);
  g_ptr_array_add (argv, NULL);
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               &o, &e, &status, &error));
  g_assert_no_error (error);
  g_test_message ("%s: %s%s", (char *) argv->pdata[1], o, e);
  g_assert_cmpint (WIFEXITED (status) ? WEXITSTATUS (status) : -1, ==, expect);
  return g_steal_pointer (&o);
}

typedef struct {
  const char *conf;
} TreeWait;

static gboolean
cpd_in_tree (gpointer data)
{
  TreeWait *w = data;
  g_autofree char *tree = run_prog (0, g_getenv ("JC_RELAY_BIN"), "-c", w->conf, "tree", NULL);
  return strstr (tree, "cp-acme") != NULL;
}

/* Enrolment as an administrator does it: the cpd makes its key and request, the relay's
 * administrator approves it with the cp role, and the cpd joins the tree with it. A
 * certificate without the cp role is refused at start. */
static void
test_enrolment (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("jc-cpd-enrol-XXXXXX", &error);
  g_autofree char *rdir = g_build_filename (dir, "root", NULL);
  g_autofree char *cdir = g_build_filename (dir, "cpd", NULL);
  g_autofree char *rconf = g_build_filename (rdir, "relay.conf", NULL);
  g_autofree char *cconf = g_build_filename (cdir, "cpd.conf", NULL);
  g_autofree char *csr = g_build_filename (cdir, "node.csr", NULL);
  g_autofree char *cert = g_build_filename (cdir, "node.pem", NULL);
  g_autofree char *wrong = g_build_filename (cdir, "organiser.pem", NULL);
  g_autofree char *text = NULL, *out = NULL, *ca_pem = NULL, *approver_pem = NULL;
  guint port = jc_test_free_port ();
  const char *relay = g_getenv ("JC_RELAY_BIN");
  const char *cpd = g_getenv ("JC_CPD_BIN");
  g_autoptr(GSubprocess) root = NULL;
  g_autoptr(GSubprocess) daemon = NULL;
  TreeWait tw = { rconf };

  g_assert_no_error (error);
  g_mkdir_with_parents (rdir, 0700);
  text = g_strdup_printf ("[node]\nstate-dir=state\n[listen]\naddress=127.0.0.1\nport=%u\n[parent]\nurl=\n"
                          "[link]\nreconnect-min-ms=50\nreconnect-max-ms=400\n[log]\ntarget=file\n", port);
  write_file (rconf, text, -1);
  g_free (run_prog (0, relay, "-c", rconf, "init-root", "--company", "Statistics Office",
                    "--email", "so@example.org", "--name", "so-root", NULL));

  out = run_prog (0, cpd, "enrol", "--name", "cp-acme", "--company", "ACME Computing",
                  "--email", "it@acme.example", "-o", cdir, NULL);
  g_assert_nonnull (strstr (out, "node.csr"));
  g_free (run_prog (1, cpd, "enrol", "--name", "cp-acme", "--company", "ACME Computing",
                    "--email", "it@acme.example", "-o", cdir, NULL));   /* never over a key */
  g_free (run_prog (2, cpd, "enrol", "-o", cdir, NULL));               /* identity missing */
  g_free (run_prog (0, relay, "-c", rconf, "csr", "add", csr, NULL));
  g_free (run_prog (0, relay, "-c", rconf, "csr", "approve", "1", "--role", "cp", "--out", cert, NULL));

  /* The System's root CA and the SO approver's certificate, as the SO publishes them. */
  {
    g_autofree char *src_ca = g_build_filename (rdir, "root-ca.pem", NULL);
    g_autofree char *src_node = g_build_filename (rdir, "node.pem", NULL);
    g_autofree char *dst_ca = g_build_filename (cdir, "root-ca.pem", NULL);
    g_autofree char *dst_ap = g_build_filename (cdir, "approver.pem", NULL);
    g_assert_true (g_file_get_contents (src_ca, &ca_pem, NULL, NULL));
    g_assert_true (g_file_get_contents (src_node, &approver_pem, NULL, NULL));
    write_file (dst_ca, ca_pem, -1);
    write_file (dst_ap, approver_pem, -1);
    /* the approver's certificate as a stand-in for a certificate without the cp role */
    write_file (wrong, approver_pem, -1);
  }
  g_free (text);
  text = g_strdup_printf ("[node]\ncertificate=organiser.pem\nstate-dir=state\n[parent]\nurl=https://127.0.0.1:%u\n"
                          "[images]\ndirectory=images\n[backend]\ntype=process\n[log]\ntarget=file\n", port);
  write_file (cconf, text, -1);
  g_free (run_prog (1, cpd, "-c", cconf, "run", NULL));
  g_free (text);
  text = g_strdup_printf ("[node]\nstate-dir=state\n[parent]\nurl=https://127.0.0.1:%u\n"
                          "reconnect-min-ms=50\nreconnect-max-ms=400\n"
                          "[images]\ndirectory=images\n[backend]\ntype=process\n[log]\ntarget=file\n", port);
  write_file (cconf, text, -1);

  root = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, relay, "-c", rconf, "run", NULL);
  g_assert_no_error (error);
  {
    g_autofree char *line = test_first_line (root);
    g_assert_true (g_str_has_prefix (line, "listening"));
  }
  daemon = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, cpd, "-c", cconf, "run", NULL);
  g_assert_no_error (error);
  {
    g_autofree char *line = test_first_line (daemon);
    g_assert_cmpstr (line, ==, "ready");
  }
  g_assert_true (test_wait (cpd_in_tree, &tw, 15000));

  g_subprocess_send_signal (daemon, SIGTERM);
  g_subprocess_send_signal (root, SIGTERM);
  g_subprocess_wait (daemon, NULL, NULL);
  g_subprocess_wait (root, NULL, NULL);
  test_rm_rf (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cpd/daemon/enrolment", test_enrolment);
  g_test_add ("/cpd/daemon/lifecycle", Fixture, NULL, fixture_setup, test_lifecycle, fixture_teardown);
  g_test_add ("/cpd/daemon/refusals", Fixture, NULL, fixture_setup, test_refusals, fixture_teardown);
  g_test_add ("/cpd/daemon/restart", Fixture, NULL, fixture_setup, test_restart, fixture_teardown);
  g_test_add ("/cpd/daemon/restart-lost", Fixture, NULL, fixture_setup, test_restart_lost, fixture_teardown);
  g_test_add ("/cpd/daemon/cancel-before-cta", Fixture, NULL, fixture_setup, test_cancel_before_cta, fixture_teardown);
  g_test_add ("/cpd/daemon/counterparts", Fixture, NULL, fixture_prepare_only, test_counterparts, fixture_teardown);
  g_test_add ("/cpd/daemon/restart-starting", Fixture, NULL, fixture_setup, test_restart_starting, fixture_teardown);
  g_test_add ("/cpd/daemon/libvirt-test-driver", Fixture, "type=libvirt\nlibvirt-uris=test:///default\nmemory-mib=256\nvcpus=1",
              fixture_setup, test_libvirt, fixture_teardown);
  return g_test_run ();
}
