/* The fixture of the cpd daemon tests: joconde-cpd as a real process under a real root
 * relay (relay/tests helpers). The task, its PKI and CTA come from the agreement test
 * fixture; the relay is its "so" node, the cpd its "cp1", and "nsi" (a leaf client in the
 * test process) plays the root's part of delivering CTAs and control messages. What the cpd
 * reports to @root is read from the relay's database. */
#pragma once

/* Each test program uses a part of these helpers. */
#pragma GCC diagnostic ignored "-Wunused-function"

#include <glib/gstdio.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/prctl.h>

#include "relay-test-util.h"
#include "task-fixture.h"
#include "jc-cpd-daemon.h"
#include "../../tests/common/jc-test-daemon.h"

typedef struct {
  Task         t;
  char        *dir;
  TestRelay   *relay;
  char        *relay_url;
  JcNetClient *nsi;
  char        *conf;
  char        *state;
  char        *images;
  GSubprocess *cpd;
} Fixture;

static void
write_file (const char *path, const char *text, gssize len)
{
  g_autoptr(GError) error = NULL;
  g_file_set_contents (path, text, len, &error);
  g_assert_no_error (error);
}

static void
write_cert (Fixture *f, const char *name, JcCert *leaf, JcCert *issuer, JcNodeKey *key)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *leaf_pem = jc_cert_to_pem (leaf);
  g_autofree char *issuer_pem = issuer ? jc_cert_to_pem (issuer) : g_strdup ("");
  g_autofree char *chain = g_strconcat (leaf_pem, issuer_pem, NULL);
  g_autofree char *chain_path = g_strdup_printf ("%s/pki/%s.chain", f->dir, name);
  g_autofree char *pem_path = g_strdup_printf ("%s/pki/%s.pem", f->dir, name);
  g_autofree char *key_path = g_strdup_printf ("%s/pki/%s.key", f->dir, name);

  write_file (chain_path, chain, -1);
  write_file (pem_path, leaf_pem, -1);
  if (key != NULL)
    {
      jc_node_key_save_file (key, key_path, NULL, &error);
      g_assert_no_error (error);
    }
}

static char *
sha256_file (const char *path)
{
  g_autofree char *data = NULL;
  gsize len = 0;
  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) data, len);
}

/* An image directory serving ENGINE (the process backend does not boot the kernel, but the
 * repository checks every file against its manifest all the same). */
static void
write_image (Fixture *f, const char *name, const char *engine)
{
  g_autofree char *dir = g_build_filename (f->images, name, NULL);
  g_autofree char *kernel = g_build_filename (dir, "vmlinuz", NULL);
  g_autofree char *initrd = g_build_filename (dir, "initrd.img", NULL);
  g_autofree char *manifest = g_build_filename (dir, "manifest.json", NULL);
  g_autofree char *ks = NULL, *is = NULL, *text = NULL;

  g_mkdir_with_parents (dir, 0700);
  write_file (kernel, "a kernel", -1);
  write_file (initrd, "an initrd", -1);
  ks = sha256_file (kernel);
  is = sha256_file (initrd);
  text = g_strdup_printf ("{\"format\": \"joconde-guest-image/1\", \"engines\": [\"%s\"],"
                          " \"guest_port\": 8443, \"kernel\": {\"file\": \"vmlinuz\", \"sha256\": \"%s\"},"
                          " \"initrd\": {\"file\": \"initrd.img\", \"sha256\": \"%s\"},"
                          " \"cmdline\": \"console=ttyS0\", \"expected_snp_measurement\": null,"
                          " \"expected_tdx_mrtd\": null}", engine, ks, is);
  write_file (manifest, text, -1);
}


static void
cpd_start (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) l = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autofree char *line = NULL;

  g_assert_null (f->cpd);
  g_subprocess_launcher_set_child_setup (l, jc_test_die_with_parent, NULL, NULL);
  f->cpd = g_subprocess_launcher_spawn (l, &error, g_getenv ("JC_CPD_BIN"), "-c", f->conf, "run", NULL);
  g_assert_no_error (error);
  line = test_first_line (f->cpd);
  g_assert_cmpstr (line, ==, "ready");
}

static void
cpd_kill (Fixture *f, int sig)
{
  g_subprocess_send_signal (f->cpd, sig);
  g_subprocess_wait (f->cpd, NULL, NULL);
  g_clear_object (&f->cpd);
}

/* Makes the PKI, starts the relay and writes the cpd's configuration with BACKEND lines
 * (NULL: the process backend) and an image serving the fixture's engine. */
static void
fixture_prepare (Fixture *f, const char *backend_conf)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *pki = NULL;
  g_autofree char *text = NULL;
  guint port_min = jc_test_free_port ();
  const char *backend = backend_conf != NULL ? backend_conf : "type=process";

  task_init (&f->t, 600, 1200, 1800);
  {
    JcAgreementTrust trust;
    task_trust (&f->t, &trust);
    g_assert_true (jc_agreement_verify (f->t.cta, &trust, NULL));
    jc_agreement_trust_clear (&trust);
  }
  f->dir = g_dir_make_tmp ("jc-cpd-test-XXXXXX", &error);
  g_assert_no_error (error);
  pki = g_build_filename (f->dir, "pki", NULL);
  g_mkdir (pki, 0700);
  write_cert (f, "ca", f->t.root, NULL, NULL);
  write_cert (f, "so", f->t.so, NULL, f->t.so_key);
  write_cert (f, "cp1", f->t.cp[0], f->t.so, f->t.cp_key[0]);
  write_cert (f, "nsi", f->t.nsi, f->t.so, f->t.nsi_key);
  {
    g_autofree char *ca = g_strdup_printf ("%s/pki/ca.chain", f->dir);
    g_autofree char *dst = g_strdup_printf ("%s/pki/ca.pem", f->dir);
    g_assert_cmpint (g_rename (ca, dst), ==, 0);
  }
  f->relay = test_relay_run (f->dir, "so", NULL, NULL, &f->relay_url);

  f->images = g_build_filename (f->dir, "images", NULL);
  f->state = g_build_filename (f->dir, "cpd-state", NULL);
  write_image (f, "rss3", "rss3-sh-z64");
  f->conf = g_build_filename (f->dir, "cpd.conf", NULL);
  text = g_strdup_printf (
    "[node]\ncertificate=pki/cp1.chain\nkey=pki/cp1.key\nroot-ca=pki/ca.pem\napprover=pki/so.pem\n"
    "state-dir=%s\n"
    "[parent]\nurl=%s\nreconnect-min-ms=50\nreconnect-max-ms=400\n"
    "[images]\ndirectory=%s\n"
    "[backend]\n%s\nguest-binary=%s\nengine-dir=%s\nkvm=false\n"
    "[vm]\nlisten-address=127.0.0.1\npublic-host=127.0.0.1\nport-min=%u\nport-max=%u\npoll-ms=100\n"
    "[log]\ntarget=file\n",
    f->state, f->relay_url, f->images, backend, g_getenv ("JC_GUEST_BINARY"),
    g_getenv ("JC_ENGINE_DIR") ? g_getenv ("JC_ENGINE_DIR") : "", port_min, MIN (port_min + 40, 65535));
  write_file (f->conf, text, -1);
}

/* Starts the cpd and the "nsi" client that plays the root's part. */
static void
fixture_run (Fixture *f)
{
  cpd_start (f);
  f->nsi = test_client_new (f->dir, "nsi", NULL, f->relay_url);
  jc_net_client_start (f->nsi);
}

static void
fixture_prepare_only (Fixture *f, gconstpointer data)
{
  fixture_prepare (f, data);
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  fixture_prepare (f, data);
  fixture_run (f);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  if (f->cpd != NULL)
    cpd_kill (f, SIGTERM);
  g_clear_object (&f->nsi);
  test_relay_free (f->relay);
  test_rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->relay_url);
  g_free (f->conf);
  g_free (f->state);
  g_free (f->images);
  task_clear (&f->t);
}

/* ---- talking to the cpd ---------------------------------------------------------------- */

static void
send_to_cp1 (Fixture *f, const char *topic, JsonNode *body)
{
  g_autoptr(GError) error = NULL;
  const char *to[] = { "cp1", NULL };
  jc_net_client_send (f->nsi, to, topic, body, NULL, &error);
  g_assert_no_error (error);
}

static void
deliver (Fixture *f, GBytes *cta)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = jc_doc_parse (g_bytes_get_data (cta, NULL), g_bytes_get_size (cta), NULL, &error);
  g_autoptr(JsonNode) body = json_node_new (JSON_NODE_OBJECT);
  JsonObject *o = json_object_new ();

  g_assert_no_error (error);
  /* As the root relay sends it (relay/jc-relay-tasks.c). */
  json_object_set_member (o, "task_id", json_node_copy (json_object_get_member (json_node_get_object (node), "task_id")));
  json_object_set_member (o, "cta", g_steal_pointer (&node));
  json_node_take_object (body, o);
  send_to_cp1 (f, JC_CPD_TOPIC_CTA, body);
}

/* A new CTA of the same tree, deadlines in seconds from now. */
static void
rebuild_cta (Fixture *f, gint64 input_in, gint64 execution_in, gint64 output_in)
{
  g_clear_pointer (&f->t.cta, jc_cta_free);
  f->t.now = jc_time_now ();
  task_build_cta (&f->t, input_in, execution_in, output_in);
  task_seal (&f->t);
}

/* Adds to OUT the bodies of the envelopes STMT yields (column 0) about TASK_ID. */
static void
collect_bodies (sqlite3_stmt *st, const char *task_id, GPtrArray *out)
{
  while (sqlite3_step (st) == SQLITE_ROW)
    {
      g_autoptr(JcNetEnvelope) env = NULL;
      JsonObject *o;

      if (sqlite3_column_text (st, 0) == NULL)
        continue;
      env = jc_net_envelope_parse ((const char *) sqlite3_column_text (st, 0), G_MAXSIZE, NULL);
      if (env == NULL || !JSON_NODE_HOLDS_OBJECT (env->body))
        continue;
      o = json_node_get_object (env->body);
      /* telemetry travels as {"event": telemetry-event} */
      if (json_object_has_member (o, "event") &&
          JSON_NODE_HOLDS_OBJECT (json_object_get_member (o, "event")))
        o = json_object_get_object_member (o, "event");
      if (task_id != NULL &&
          g_strcmp0 (json_object_get_string_member_with_default (o, "task_id", ""), task_id) != 0)
        continue;
      g_ptr_array_add (out, json_object_has_member (json_node_get_object (env->body), "event")
                            ? json_node_copy (json_object_get_member (json_node_get_object (env->body), "event"))
                            : json_node_ref (env->body));
    }
}

/* The bodies of the messages cp1 sent to @root with TOPIC about TASK_ID (NULL: any): those
 * the root stored, and those its task lifecycle refused. The root of these tests does not
 * run the lifecycle of tasks whose CTA the test made itself, so it refuses vm.address and
 * telemetry.event about them (unknown task); the cpd's link keeps such refusals with the
 * envelope sent (libjoconde/net), which is what is checked then. */
static GPtrArray *
root_received (Fixture *f, const char *topic, const char *task_id)
{
  g_autofree char *path = g_build_filename (f->relay->state_dir, "relay.db", NULL);
  g_autofree char *link = g_build_filename (f->state, "link.db", NULL);
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 2000);
  if (sqlite3_prepare_v2 (db, "SELECT m.envelope FROM inbox i JOIN messages m ON m.id = i.msg_id"
                              " WHERE m.topic = ?1 AND m.origin = 'cp1' ORDER BY i.seq", -1, &st, NULL) == SQLITE_OK)
    {
      sqlite3_bind_text (st, 1, topic, -1, SQLITE_STATIC);
      collect_bodies (st, task_id, out);
    }
  sqlite3_finalize (st);
  sqlite3_close (db);
  db = NULL;
  st = NULL;
  if (g_file_test (link, G_FILE_TEST_EXISTS) &&
      sqlite3_open_v2 (link, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK)
    {
      sqlite3_busy_timeout (db, 2000);
      if (sqlite3_prepare_v2 (db, "SELECT envelope FROM refused WHERE envelope LIKE '%\"topic\":\"' || ?1 || '\"%'"
                                  " ORDER BY at", -1, &st, NULL) == SQLITE_OK)
        {
          sqlite3_bind_text (st, 1, topic, -1, SQLITE_STATIC);
          collect_bodies (st, task_id, out);
        }
      sqlite3_finalize (st);
    }
  sqlite3_close (db);
  return out;
}

/* Messages in the cpd's outbox not yet acknowledged or refused by the root. */
static gint64
link_pending (Fixture *f)
{
  g_autofree char *link = g_build_filename (f->state, "link.db", NULL);
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  gint64 n = -1;

  if (sqlite3_open_v2 (link, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK)
    {
      sqlite3_busy_timeout (db, 2000);
      if (sqlite3_prepare_v2 (db, "SELECT COUNT(*) FROM outbox", -1, &st, NULL) == SQLITE_OK &&
          sqlite3_step (st) == SQLITE_ROW)
        n = sqlite3_column_int64 (st, 0);
      sqlite3_finalize (st);
    }
  sqlite3_close (db);
  return n;
}

/* Waits until everything the cpd sent was answered by the root, so that what the root
 * stored and what it refused can be counted. */
static void
wait_link_idle (Fixture *f)
{
  gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (link_pending (f) != 0 && g_get_monotonic_time () < end)
    test_spin (50);
  g_assert_cmpint (link_pending (f), ==, 0);
}

/* root_received once N such messages are there (or after 10 s). */
static GPtrArray *
wait_received (Fixture *f, const char *topic, const char *task_id, guint n)
{
  gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  for (;;)
    {
      GPtrArray *all = root_received (f, topic, task_id);
      if (all->len >= n || g_get_monotonic_time () > end)
        return all;
      g_ptr_array_unref (all);
      test_spin (50);
    }
}

typedef struct {
  Fixture    *f;
  const char *task_id;
  const char *state;
  JsonObject *found;
  JsonNode   *node;
} StateWait;

static gboolean
state_reported (gpointer data)
{
  StateWait *w = data;
  g_autoptr(GPtrArray) all = root_received (w->f, JC_CPD_TOPIC_VM_STATE, w->task_id);

  for (guint i = 0; i < all->len; i++)
    {
      JsonObject *o = json_node_get_object (all->pdata[i]);
      if (g_strcmp0 (json_object_get_string_member_with_default (o, "state", ""), w->state) == 0)
        {
          w->node = json_node_ref (all->pdata[i]);
          w->found = json_node_get_object (w->node);
          return TRUE;
        }
    }
  return FALSE;
}

/* Waits until the root has the report that TASK_ID reached STATE; returns its body. */
static JsonNode *
wait_state (Fixture *f, const char *task_id, const char *state)
{
  StateWait w = { f, task_id, state, NULL, NULL };
  if (!test_wait (state_reported, &w, 20000))
    g_error ("the root never heard that task %s is %s", task_id ? task_id : "(none)", state);
  return w.node;
}

static guint
count_state (Fixture *f, const char *task_id, const char *state)
{
  g_autoptr(GPtrArray) all = root_received (f, JC_CPD_TOPIC_VM_STATE, task_id);
  guint n = 0;
  for (guint i = 0; i < all->len; i++)
    n += g_strcmp0 (json_object_get_string_member_with_default (json_node_get_object (all->pdata[i]),
                                                                "state", ""), state) == 0;
  return n;
}

static GPid
vm_pid (Fixture *f, const char *task_id)
{
  g_autofree char *path = g_strdup_printf ("%s/vms/joconde-%s/pid", f->state, task_id);
  g_autofree char *text = NULL;
  if (!g_file_get_contents (path, &text, NULL, NULL))
    return 0;
  return (GPid) g_ascii_strtoll (text, NULL, 10);
}

static gboolean
process_alive (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *text = NULL;
  if (pid <= 0 || !g_file_get_contents (path, &text, NULL, NULL))
    return FALSE;
  return strstr (text, ") Z ") == NULL;
}

static gboolean
vm_dir_gone (gpointer data)
{
  return !g_file_test (data, G_FILE_TEST_EXISTS);
}

static void
assert_vm_gone (Fixture *f, const char *task_id, GPid pid)
{
  g_autofree char *dir = g_strdup_printf ("%s/vms/joconde-%s", f->state, task_id);
  g_assert_true (test_wait (vm_dir_gone, dir, 10000));
  g_assert_false (process_alive (pid));
  /* The agreement and the trust files handed to the VM go with it. */
  {
    const char *suffixes[] = { "cta.json", "root.pem", "approver.pem", "sim.key" };
    for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
      {
        g_autofree char *path = g_strdup_printf ("%s/agreements/%s.%s", f->state, task_id, suffixes[i]);
        g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
      }
  }
}

typedef struct {
  Fixture    *f;
  const char *task_id;
} TelemetryWait;

static gboolean
telemetry_seen (gpointer data)
{
  TelemetryWait *w = data;
  g_autoptr(GPtrArray) all = root_received (w->f, JC_CPD_TOPIC_TELEMETRY, w->task_id);
  for (guint i = 0; i < all->len; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JcTelemetryEvent) e = jc_telemetry_event_from_json (all->pdata[i], &error);
      if (e != NULL && e->kind == JC_TELEMETRY_STATE_CHANGE && e->state == JC_TASK_INITIALISATION &&
          e->cp == 0)
        return TRUE;
    }
  return FALSE;
}

static JsonNode *
signed_control (Fixture *f, const char *task_id, JcControlAction action)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcControlMessage) msg = jc_control_message_new ();
  g_autoptr(JcNodeSignature) sig = NULL;
  guint8 digest[JC_DOC_HASH_SIZE];
  JsonObject *o = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  g_strlcpy (msg->task_id, task_id, sizeof msg->task_id);
  msg->action = action;
  msg->reason = g_strdup ("The input files were wrong.");
  msg->signer.name = g_strdup ("nsi");
  task_fingerprint (&f->t, f->t.nsi, msg->signer.fingerprint);
  msg->time = jc_time_now ();
  g_assert_true (jc_control_message_digest (msg, digest));
  {
    g_autoptr(GPtrArray) chain = task_chain (&f->t, f->t.nsi);
    sig = jc_agreement_sign (f->t.nsi_key, chain, "nsi", digest, &error);
  }
  g_assert_no_error (error);
  /* As the root relays a control.request (docs/wire.md §5.3). */
  json_object_set_string_member (o, "task_id", task_id);
  json_object_set_string_member (o, "action", jc_control_action_to_string (action));
  json_object_set_string_member (o, "requested_by", "nsi");
  json_object_set_member (o, "message", jc_control_message_to_json (msg));
  json_object_set_member (o, "signature", jc_node_signature_to_json (sig));
  json_node_take_object (node, o);
  return node;
}

