#define G_LOG_DOMAIN "joconde-cpd"
#include "config.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <unistd.h>

#include "cpd-test-util.h"
#include "cpd-libvirt-session.h"
#include "jc-cpd-libvirt-backend.h"
#include "jc-error.h"

/* The libvirt backend against a real libvirt daemon and QEMU (TCG): the domain XML it
 * writes must boot the guest image, hand over the CTA and forward the IO port.
 *
 * The test runs libvirt's per-user ("session") daemon in a private runtime directory, so
 * it touches no system configuration. Run as root (CI), it first enters a user namespace
 * where it is an ordinary user, because root always gets the system daemon. The daemon it
 * autostarts (libvirtd and virtlogd) is stopped at the end, and every step is checked only
 * after the VM is destroyed, so a failure leaves nothing running. */

#define BOOT_TIMEOUT_S 120

static GBytes *
poll_health (guint16 port, gint64 deadline)
{
  g_autoptr(SoupSession) session = soup_session_new_with_options ("timeout", 3, NULL);
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u/health", port);

  while (g_get_monotonic_time () < deadline)
    {
      g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
      g_autoptr(GBytes) body = soup_session_send_and_read (session, msg, NULL, NULL);

      if (body != NULL && soup_message_get_status (msg) == SOUP_STATUS_OK)
        return g_steal_pointer (&body);
      g_usleep (250 * 1000);
    }
  return NULL;
}

static void
test_boot (void)
{
  const char *image_dir = g_getenv ("JC_GUEST_IMAGE_DIR");
  g_autofree char *tmp = g_dir_make_tmp ("jc-cpd-qemu-XXXXXX", NULL);
  g_autofree char *cta = g_build_filename (tmp, "cta.json", NULL);
  g_autofree char *cmdline = NULL;
  g_autofree char *cmdline_path = NULL;
  g_autofree char *qemu = g_find_program_in_path ("qemu-system-x86_64");
  g_autoptr(JcCpdVmSpec) spec = cpd_test_spec ("joconde-task-qemu");
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = NULL;
  g_auto(GStrv) after = NULL;
  g_autoptr(JcLibvirtSession) session = NULL;
  JcCpdVmBackend *b = NULL;
  JcCpdVmState state = JC_CPD_VM_STATE_OTHER;
  const char *uris[] = { "qemu:///session", NULL };
  gboolean defined = FALSE, started = FALSE, destroyed = FALSE;
  gint64 start;

  g_assert_nonnull (image_dir);
  g_assert_nonnull (tmp);
  g_assert_nonnull (qemu);   /* Debian package qemu-system-x86 */
  g_assert_true (g_file_test ("/usr/sbin/libvirtd", G_FILE_TEST_IS_EXECUTABLE)); /* libvirt-daemon */
  cpd_test_build_image (image_dir);

  if (getuid () == 0)
    cpd_test_leave_root ();
  session = cpd_test_libvirt_session (tmp);

  g_assert_true (g_file_set_contents (cta, "abc", 3, NULL));
  cmdline_path = g_build_filename (image_dir, "cmdline", NULL);
  g_assert_true (g_file_get_contents (cmdline_path, &cmdline, NULL, NULL));
  spec->kernel = (g_free (spec->kernel), g_build_filename (image_dir, "vmlinuz", NULL));
  spec->initrd = (g_free (spec->initrd), g_build_filename (image_dir, "initrd.img", NULL));
  spec->cmdline = (g_free (spec->cmdline), g_steal_pointer (&cmdline));
  spec->cta_path = (g_free (spec->cta_path), g_strdup (cta));
  spec->host_address = (g_free (spec->host_address), g_strdup ("127.0.0.1"));
  spec->host_port = jc_test_free_port ();

  /* Every step runs; the checks come after the clean-up. */
  b = JC_CPD_VM_BACKEND (jc_cpd_libvirt_backend_new (uris, &error));
  if (b != NULL)
    defined = jc_cpd_vm_backend_define (b, spec, &error);
  start = g_get_monotonic_time ();
  if (defined)
    started = jc_cpd_vm_backend_start (b, spec->name, &error);
  if (started)
    {
      body = poll_health (spec->host_port, start + BOOT_TIMEOUT_S * G_USEC_PER_SEC);
      g_test_message ("boot time through libvirt (TCG): %.1f s",
                      (double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC);
      jc_cpd_vm_backend_get_state (b, spec->name, &state, NULL);
    }
  if (defined)
    destroyed = jc_cpd_vm_backend_destroy (b, spec->name, error ? NULL : &error);
  if (b != NULL)
    after = jc_cpd_vm_backend_list (b, NULL);
  g_clear_object (&b);
  jc_libvirt_session_stop (session->runtime_dir);
  {
    const char *rm[] = { "rm", "-rf", tmp, NULL };
    g_spawn_sync (NULL, (char **) rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
  }

  g_assert_no_error (error);
  g_assert_true (defined && started && destroyed);
  g_assert_nonnull (body);
  g_assert_cmpint (state, ==, JC_CPD_VM_STATE_RUNNING);
  g_assert_nonnull (after);
  g_assert_cmpuint (g_strv_length (after), ==, 0);
  {
    g_autoptr(JsonParser) p = json_parser_new ();
    JsonObject *o;

    g_assert_true (json_parser_load_from_data (p, g_bytes_get_data (body, NULL),
                                               (gssize) g_bytes_get_size (body), NULL));
    o = json_node_get_object (json_parser_get_root (p));
    g_assert_cmpstr (json_object_get_string_member (o, "state"), ==, "initialisation");
    /* the CTA came in through fw_cfg: SHA-256("abc") */
    g_assert_cmpstr (json_object_get_string_member (o, "cta_sha256"), ==,
                     "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cpd/libvirt-qemu/boot", test_boot);
  return g_test_run ();
}
