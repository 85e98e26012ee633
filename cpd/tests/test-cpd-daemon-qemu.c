#define G_LOG_DOMAIN "joconde-cpd-test"
#include "config.h"

/* The whole path on a real hypervisor: a CTA delivered through the relay makes joconde-cpd
 * (libvirt backend) boot the guest image under a real libvirt daemon and QEMU (TCG); the
 * orchestrator inside answers at the address reported to the root (the forwarded port), its
 * health endpoint names the SHA-256 of the agreement the cpd handed over, its console line
 * reaches the cpd's log with the task id, and a cancel destroys the VM. As in test-cpd-libvirt-qemu, libvirt's per-user
 * daemon runs in a private runtime directory, entered from root through a user namespace. */

#include <libsoup/soup.h>
#include <unistd.h>

#include "cpd-daemon-fixture.h"
#include "cpd-libvirt-session.h"
#include "jc-cpd-libvirt-backend.h"

#define BOOT_TIMEOUT_MS 150000

static void
copy_file (const char *from, const char *to)
{
  g_autofree char *data = NULL;
  gsize len = 0;
  g_assert_true (g_file_get_contents (from, &data, &len, NULL));
  write_file (to, data, (gssize) len);
}

/* The built image in the cpd's repository, its manifest naming the fixture's engine (the
 * built image lists no engine yet). */
static void
install_image (Fixture *f, const char *image_dir)
{
  g_autofree char *dir = g_build_filename (f->images, "rss3", NULL);
  g_autofree char *cmdline = NULL;
  g_autofree char *cmdline_path = g_build_filename (image_dir, "cmdline", NULL);
  g_autofree char *ks = NULL, *is = NULL, *text = NULL, *escaped = NULL;
  g_autofree char *k_from = g_build_filename (image_dir, "vmlinuz", NULL);
  g_autofree char *i_from = g_build_filename (image_dir, "initrd.img", NULL);
  g_autofree char *k_to = g_build_filename (dir, "vmlinuz", NULL);
  g_autofree char *i_to = g_build_filename (dir, "initrd.img", NULL);
  g_autofree char *manifest = g_build_filename (dir, "manifest.json", NULL);

  g_assert_true (g_file_get_contents (cmdline_path, &cmdline, NULL, NULL));
  g_strstrip (cmdline);
  copy_file (k_from, k_to);
  copy_file (i_from, i_to);
  ks = sha256_file (k_to);
  is = sha256_file (i_to);
  escaped = g_strescape (cmdline, NULL);
  text = g_strdup_printf ("{\"format\": \"joconde-guest-image/1\", \"engines\": [\"rss3-sh-z64\"],"
                          " \"guest_port\": 8443, \"kernel\": {\"file\": \"vmlinuz\", \"sha256\": \"%s\"},"
                          " \"initrd\": {\"file\": \"initrd.img\", \"sha256\": \"%s\"},"
                          " \"cmdline\": \"%s\"}", ks, is, escaped);
  write_file (manifest, text, -1);
}

static char *
health_cta_sha256 (const char *address)
{
  g_autoptr(SoupSession) session = soup_session_new_with_options ("timeout", 5, NULL);
  g_autofree char *url = g_strdup_printf ("http://%s/health", address);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr(GBytes) body = soup_session_send_and_read (session, msg, NULL, NULL);
  g_autoptr(JsonParser) p = json_parser_new ();

  if (body == NULL ||
      !json_parser_load_from_data (p, g_bytes_get_data (body, NULL), (gssize) g_bytes_get_size (body), NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (p)))
    return NULL;
  return g_strdup (json_object_get_string_member_with_default (json_node_get_object (json_parser_get_root (p)),
                                                               "cta_sha256", ""));
}

typedef struct {
  const char *path;
  const char *task_id;
} LogWait;

/* The init's console line, forwarded to the cpd's log with the task id. */
static gboolean
console_logged (gpointer data)
{
  LogWait *w = data;
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_autofree char *tag = g_strdup_printf ("task=\"%s\"", w->task_id);

  if (!g_file_get_contents (w->path, &text, NULL, NULL))
    return FALSE;
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (strstr (lines[i], " vm-log ") && strstr (lines[i], tag) &&
        strstr (lines[i], "joconde-init: network"))
      return TRUE;
  return FALSE;
}

static void
test_boot (void)
{
  const char *image_dir = g_getenv ("JC_GUEST_IMAGE_DIR");
  g_autoptr(JcLibvirtSession) session = NULL;
  g_autofree char *task = NULL, *address = NULL, *expected = NULL, *got = NULL;
  g_autoptr(JsonNode) running = NULL, cancelled = NULL, control = NULL;
  g_autoptr(GPtrArray) addresses = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) left = NULL;
  Fixture fx = { 0 }, *f = &fx;
  const char *uris[] = { "qemu:///session", NULL };
  gboolean booted, logged = FALSE;
  gint64 start;
  g_autofree char *log_path = NULL;

  g_assert_nonnull (image_dir);
  g_assert_true (g_file_test ("/usr/sbin/libvirtd", G_FILE_TEST_IS_EXECUTABLE));
  cpd_test_build_image (image_dir);
  if (getuid () == 0)
    cpd_test_leave_root ();

  fixture_prepare (f, "type=libvirt\nlibvirt-uris=qemu:///session\nmemory-mib=512\nvcpus=1");
  install_image (f, image_dir);
  session = cpd_test_libvirt_session (f->dir);
  fixture_run (f);

  task = g_strdup (f->t.cta->task_id);
  start = g_get_monotonic_time ();
  deliver (f, f->t.cta_bytes);
  running = wait_state (f, task, "running");
  addresses = wait_received (f, JC_CPD_TOPIC_VM_ADDRESS, task, 1);
  g_assert_cmpuint (addresses->len, ==, 1);
  address = g_strdup (json_object_get_string_member (json_node_get_object (addresses->pdata[0]), "address"));
  {
    g_autofree char *path = g_strdup_printf ("%s/agreements/%s.cta.json", f->state, task);
    expected = sha256_file (path);
  }
  /* The orchestrator answers at the address the root was given (the forwarded port). */
  {
    gint64 end = g_get_monotonic_time () + (gint64) BOOT_TIMEOUT_MS * 1000;
    while ((got = health_cta_sha256 (address)) == NULL && g_get_monotonic_time () < end)
      test_spin (250);
    booted = got != NULL;
  }
  g_test_message ("CTA to orchestrator answering, through relay, cpd and libvirt (TCG): %.1f s",
                  (double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC);
  if (booted)
    {
      LogWait lw = { NULL, task };
      log_path = g_build_filename (f->state, "cpd.log", NULL);
      lw.path = log_path;
      logged = test_wait (console_logged, &lw, 10000);
      if (!logged)
        {
          g_autofree char *text = NULL;
          g_file_get_contents (log_path, &text, NULL, NULL);
          g_test_message ("the cpd's log:\n%s", text ? text : "(none)");
        }
    }

  control = signed_control (f, task, JC_CONTROL_CANCEL);
  send_to_cp1 (f, JC_CPD_TOPIC_CONTROL, control);
  cancelled = wait_state (f, task, "cancelled");
  {
    g_autoptr(JcCpdLibvirtBackend) b = jc_cpd_libvirt_backend_new (uris, &error);
    if (b != NULL)
      left = jc_cpd_vm_backend_list (JC_CPD_VM_BACKEND (b), &error);
  }
  cpd_kill (f, SIGTERM);
  jc_libvirt_session_stop (session->runtime_dir);
  fixture_teardown (f, NULL);

  g_assert_true (booted);
  g_assert_cmpstr (got, ==, expected);
  g_assert_true (logged);
  g_assert_no_error (error);
  g_assert_nonnull (left);
  g_assert_cmpuint (g_strv_length (left), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cpd/daemon-qemu/boot", test_boot);
  return g_test_run ();
}
