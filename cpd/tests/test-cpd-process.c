#define G_LOG_DOMAIN "joconde-cpd"
#include "config.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <signal.h>

#include "cpd-test-util.h"
#include "jc-cpd-process-backend.h"
#include "jc-error.h"

/* The process backend with the real joconde-guest: start, reach its health endpoint,
 * destroy, and check nothing is left running or on disk. */

/* Polls GET /health for up to 10 s; returns the parsed object's "state" and "cta_sha256". */
static gboolean
wait_health (guint16 port, char **state, char **cta_sha256)
{
  g_autoptr(SoupSession) session = soup_session_new_with_options ("timeout", 2, NULL);
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u/health", port);
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < deadline)
    {
      g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
      g_autoptr(GBytes) body = soup_session_send_and_read (session, msg, NULL, NULL);

      if (body != NULL && soup_message_get_status (msg) == SOUP_STATUS_OK)
        {
          g_autoptr(JsonParser) p = json_parser_new ();
          JsonObject *o;

          g_assert_true (json_parser_load_from_data (p, g_bytes_get_data (body, NULL),
                                                     (gssize) g_bytes_get_size (body), NULL));
          o = json_node_get_object (json_parser_get_root (p));
          *state = g_strdup (json_object_get_string_member (o, "state"));
          *cta_sha256 = g_strdup (json_object_get_string_member_with_default (o, "cta_sha256", NULL));
          return TRUE;
        }
      g_usleep (50 * 1000);
    }
  return FALSE;
}

static gboolean
pid_alive (GPid pid)
{
  return kill (pid, 0) == 0 || errno != ESRCH;
}

static void
test_lifecycle (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("jc-cpd-process-XXXXXX", &error);
  g_autofree char *cta = g_build_filename (dir, "cta.json", NULL);
  g_autofree char *workdir = NULL;
  g_autofree char *state = NULL;
  g_autofree char *hash = NULL;
  g_autoptr(JcCpdProcessBackend) pb = jc_cpd_process_backend_new (g_getenv ("JC_GUEST_BINARY"), dir);
  JcCpdVmBackend *b = JC_CPD_VM_BACKEND (pb);
  g_autoptr(JcCpdVmSpec) spec = cpd_test_spec ("joconde-task-0001");
  g_auto(GStrv) names = NULL;
  JcCpdVmState st;
  GPid pid;

  g_assert_no_error (error);
  g_assert_nonnull (g_getenv ("JC_GUEST_BINARY"));
  g_assert_true (g_file_set_contents (cta, "abc", 3, NULL));
  g_free (spec->cta_path);
  spec->cta_path = g_strdup (cta);
  g_free (spec->host_address);
  spec->host_address = g_strdup ("127.0.0.1");
  spec->host_port = jc_test_free_port ();

  g_assert_cmpstr (jc_cpd_vm_backend_get_name (b), ==, "process");
  g_assert_true (jc_cpd_vm_backend_define (b, spec, &error));
  g_assert_no_error (error);
  workdir = g_build_filename (dir, "joconde-task-0001", NULL);
  g_assert_true (g_file_test (workdir, G_FILE_TEST_IS_DIR));
  g_assert_true (jc_cpd_vm_backend_get_state (b, spec->name, &st, NULL));
  g_assert_cmpint (st, ==, JC_CPD_VM_STATE_DEFINED);
  g_assert_false (jc_cpd_vm_backend_define (b, spec, &error));
  g_assert_error (error, JC_ERROR, JC_ERROR_EXISTS);
  g_clear_error (&error);

  g_assert_true (jc_cpd_vm_backend_start (b, spec->name, &error));
  g_assert_no_error (error);
  pid = jc_cpd_process_backend_get_pid (pb, spec->name);
  g_assert_cmpint (pid, >, 0);
  g_assert_false (jc_cpd_vm_backend_start (b, spec->name, &error));
  g_assert_error (error, JC_ERROR, JC_ERROR_STATE);
  g_clear_error (&error);

  g_assert_true (wait_health (spec->host_port, &state, &hash));
  g_assert_cmpstr (state, ==, "initialisation");
  {
    /* its working directory and log are private to it */
    g_autofree char *log = g_build_filename (workdir, "guest.log", NULL);
    GStatBuf st_dir, st_log;

    g_assert_cmpint (g_stat (workdir, &st_dir), ==, 0);
    g_assert_cmpint (st_dir.st_mode & 0777, ==, 0700);
    g_assert_cmpint (g_stat (log, &st_log), ==, 0);
  }
  /* the orchestrator got the agreement the cpd handed over */
  g_assert_cmpstr (hash, ==, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  g_assert_true (jc_cpd_vm_backend_get_state (b, spec->name, &st, NULL));
  g_assert_cmpint (st, ==, JC_CPD_VM_STATE_RUNNING);

  names = jc_cpd_vm_backend_list (b, &error);
  g_assert_cmpuint (g_strv_length (names), ==, 1);
  g_assert_cmpstr (names[0], ==, "joconde-task-0001");
  g_clear_pointer (&names, g_strfreev);

  g_assert_true (jc_cpd_vm_backend_destroy (b, spec->name, &error));
  g_assert_no_error (error);
  g_assert_false (pid_alive (pid));
  g_assert_false (g_file_test (workdir, G_FILE_TEST_EXISTS));
  names = jc_cpd_vm_backend_list (b, &error);
  g_assert_cmpuint (g_strv_length (names), ==, 0);
  g_assert_false (jc_cpd_vm_backend_destroy (b, spec->name, &error));
  g_assert_error (error, JC_ERROR, JC_ERROR_NOT_FOUND);

  g_unlink (cta);
  g_assert_cmpint (g_rmdir (dir), ==, 0);   /* nothing left behind */
}

/* An orchestrator that cannot start (unreadable CTA) shows as shut off, not running. */
static void
test_exit_seen (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("jc-cpd-process-XXXXXX", &error);
  g_autoptr(JcCpdProcessBackend) pb = jc_cpd_process_backend_new (g_getenv ("JC_GUEST_BINARY"), dir);
  JcCpdVmBackend *b = JC_CPD_VM_BACKEND (pb);
  g_autoptr(JcCpdVmSpec) spec = cpd_test_spec ("joconde-task-0002");
  JcCpdVmState st = JC_CPD_VM_STATE_RUNNING;
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  g_free (spec->host_address);
  spec->host_address = g_strdup ("127.0.0.1");
  spec->host_port = jc_test_free_port ();
  g_free (spec->cta_path);
  spec->cta_path = g_build_filename (dir, "missing.json", NULL);
  g_assert_true (jc_cpd_vm_backend_define (b, spec, &error));
  g_assert_true (jc_cpd_vm_backend_start (b, spec->name, &error));
  g_assert_no_error (error);
  while (g_get_monotonic_time () < deadline && st != JC_CPD_VM_STATE_SHUTOFF)
    {
      g_assert_true (jc_cpd_vm_backend_get_state (b, spec->name, &st, NULL));
      g_usleep (20 * 1000);
    }
  g_assert_cmpint (st, ==, JC_CPD_VM_STATE_SHUTOFF);
  g_assert_true (jc_cpd_vm_backend_destroy (b, spec->name, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

/* The process backend has no TEE to give; disposing it stops every child. */
static void
test_refusal_and_dispose (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("jc-cpd-process-XXXXXX", &error);
  JcCpdProcessBackend *pb = jc_cpd_process_backend_new (g_getenv ("JC_GUEST_BINARY"), dir);
  g_autoptr(JcCpdVmSpec) snp = cpd_test_spec ("joconde-task-snp");
  g_autoptr(JcCpdVmSpec) spec = cpd_test_spec ("joconde-task-0003");
  g_autofree char *state = NULL;
  g_autofree char *hash = NULL;
  GPid pid;

  snp->tee = JC_CPD_TEE_SEV_SNP;
  snp->kvm = TRUE;
  snp->firmware = g_strdup ("/usr/share/ovmf/OVMF.amdsev.fd");
  g_assert_false (jc_cpd_vm_backend_define (JC_CPD_VM_BACKEND (pb), snp, &error));
  g_assert_error (error, JC_ERROR, JC_ERROR_UNSUPPORTED);
  g_clear_error (&error);

  g_free (spec->host_address);
  spec->host_address = g_strdup ("127.0.0.1");
  spec->host_port = jc_test_free_port ();
  g_clear_pointer (&spec->cta_path, g_free);
  g_assert_true (jc_cpd_vm_backend_define (JC_CPD_VM_BACKEND (pb), spec, &error));
  g_assert_true (jc_cpd_vm_backend_start (JC_CPD_VM_BACKEND (pb), spec->name, &error));
  g_assert_no_error (error);
  pid = jc_cpd_process_backend_get_pid (pb, spec->name);
  g_assert_true (wait_health (spec->host_port, &state, &hash));
  g_assert_null (hash);
  g_object_unref (pb);
  g_assert_false (pid_alive (pid));
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

typedef struct {
  JcCpdVmBackend *backend;
  gint           *successes;
} RaceArgs;

static gpointer
define_same (gpointer data)
{
  RaceArgs *a = data;
  g_autoptr(JcCpdVmSpec) spec = cpd_test_spec ("joconde-task-race");
  g_autoptr(GError) error = NULL;

  spec->host_port = 1;   /* never started */
  if (jc_cpd_vm_backend_define (a->backend, spec, &error))
    g_atomic_int_inc (a->successes);
  else
    g_assert_error (error, JC_ERROR, JC_ERROR_EXISTS);
  return NULL;
}

/* Threads defining the same task at once: exactly one wins, the others are told it exists. */
static void
test_define_race (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("jc-cpd-process-XXXXXX", &error);
  g_autoptr(JcCpdProcessBackend) pb = jc_cpd_process_backend_new (g_getenv ("JC_GUEST_BINARY"), dir);
  gint successes = 0;
  RaceArgs args = { JC_CPD_VM_BACKEND (pb), &successes };
  GThread *threads[8];

  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("define", define_same, &args);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);
  g_assert_cmpint (successes, ==, 1);
  g_assert_true (jc_cpd_vm_backend_destroy (JC_CPD_VM_BACKEND (pb), "joconde-task-race", &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cpd/process/lifecycle", test_lifecycle);
  g_test_add_func ("/cpd/process/exit-seen", test_exit_seen);
  g_test_add_func ("/cpd/process/refusal-and-dispose", test_refusal_and_dispose);
  g_test_add_func ("/cpd/process/define-race", test_define_race);
  return g_test_run ();
}
