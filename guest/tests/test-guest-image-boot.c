#define G_LOG_DOMAIN "joconde-guest"
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <sys/prctl.h>

/* Boots the image under QEMU with TCG and waits for GET /health through a hostfwd port.
 * QEMU is killed on every path: explicitly after the poll, and by the kernel (parent-death
 * signal) if this test dies first, for instance on a failed assertion or a meson timeout. */

#define BOOT_TIMEOUT_S 120

static const char *
image_dir (void)
{
  const char *dir = g_getenv ("JC_GUEST_IMAGE_DIR");

  g_assert_nonnull (dir);
  return dir;
}

static char *
file_sha256 (const char *path)
{
  g_autofree char *data = NULL;
  gsize len = 0;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_get_contents (path, &data, &len, &error));
  g_assert_no_error (error);
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guint8 *) data, len);
}

/* Builds the image with guest/image/build-image.sh (a no-op when it is up to date). */
static void
test_build (void)
{
  g_autofree char *cache = g_build_filename (image_dir (), "cache", NULL);
  const char *argv[] = { g_getenv ("JC_GUEST_IMAGE_BUILDER"),
                         "--guest", g_getenv ("JC_GUEST_BINARY"),
                         "--output", image_dir (), "--cache", cache, NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  int status = -1;
  gint64 start = g_get_monotonic_time ();

  g_assert_nonnull (argv[0]);
  g_assert_nonnull (argv[2]);
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                               NULL, &err, &status, &error));
  g_assert_no_error (error);
  g_test_message ("%s", err);
  g_assert_true (g_spawn_check_wait_status (status, &error));
  g_assert_no_error (error);
  g_test_message ("image build: %.1f s", (double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC);
}

/* Built again elsewhere from the same inputs, the image is the same byte for byte: the
 * expected launch measurements of a TEE depend on it. */
static void
test_reproducible (void)
{
  g_autofree char *cache = g_build_filename (image_dir (), "cache", NULL);
  g_autofree char *other = g_dir_make_tmp ("jc-guest-image-XXXXXX", NULL);
  const char *argv[] = { g_getenv ("JC_GUEST_IMAGE_BUILDER"),
                         "--guest", g_getenv ("JC_GUEST_BINARY"),
                         "--output", other, "--cache", cache, NULL };
  const char *files[] = { "vmlinuz", "initrd.img", "cmdline", "manifest.json" };
  g_autoptr(GError) error = NULL;
  int status = -1;

  g_assert_nonnull (other);
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL,
                               G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                               NULL, NULL, NULL, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *a = g_build_filename (image_dir (), files[i], NULL);
      g_autofree char *b = g_build_filename (other, files[i], NULL);
      g_autofree char *sum_a = file_sha256 (a);
      g_autofree char *sum_b = file_sha256 (b);

      g_assert_cmpstr (sum_a, ==, sum_b);
      g_unlink (b);
    }
  {
    g_autofree char *stamp = g_build_filename (other, ".build-args", NULL);
    g_unlink (stamp);
  }
  g_assert_cmpint (g_rmdir (other), ==, 0);
}

/* The manifest must describe exactly the files beside it. */
static void
test_manifest (void)
{
  g_autofree char *path = g_build_filename (image_dir (), "manifest.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *m;
  struct { const char *member; const char *file; } files[] = {
    { "kernel", "vmlinuz" }, { "initrd", "initrd.img" },
  };

  g_assert_true (json_parser_load_from_file (parser, path, &error));
  g_assert_no_error (error);
  m = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (m, "format"), ==, "joconde-guest-image/1");
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *fp = g_build_filename (image_dir (), files[i].file, NULL);
      g_autofree char *sum = file_sha256 (fp);
      JsonObject *o = json_object_get_object_member (m, files[i].member);

      g_assert_cmpstr (json_object_get_string_member (o, "file"), ==, files[i].file);
      g_assert_cmpstr (json_object_get_string_member (o, "sha256"), ==, sum);
    }
  {
    g_autofree char *cp = g_build_filename (image_dir (), "cmdline", NULL);
    g_autofree char *sum = file_sha256 (cp);
    g_autofree char *cmdline = NULL;

    g_assert_true (g_file_get_contents (cp, &cmdline, NULL, NULL));
    g_assert_cmpstr (json_object_get_string_member (m, "cmdline"), ==, cmdline);
    g_assert_cmpstr (json_object_get_string_member (m, "cmdline_sha256"), ==, sum);
  }
  /* Left for the attestation code: present and null, never a made-up value. */
  g_assert_true (json_object_has_member (m, "expected_snp_measurement"));
  g_assert_true (json_object_get_null_member (m, "expected_snp_measurement"));
  g_assert_true (JSON_NODE_HOLDS_ARRAY (json_object_get_member (m, "engines")));
  g_assert_cmpint (json_object_get_int_member (m, "guest_port"), ==, 8443);
}

static guint16
free_port (void)
{
  g_autoptr(GSocket) s = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                       G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (lo, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_socket_bind (s, any, FALSE, &error));
  bound = g_socket_get_local_address (s, &error);
  g_assert_no_error (error);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

/* Polls GET /health until it answers 200 or the deadline passes; returns the body or NULL. */
static GBytes *
poll_health (GSubprocess *qemu, guint16 port, gint64 deadline)
{
  g_autoptr(SoupSession) session = soup_session_new_with_options ("timeout", 3, NULL);
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u/health", port);

  while (g_get_monotonic_time () < deadline && g_subprocess_get_identifier (qemu) != NULL)
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
  g_autofree char *qemu_bin = g_find_program_in_path ("qemu-system-x86_64");
  g_autofree char *tmp = g_dir_make_tmp ("jc-guest-boot-XXXXXX", NULL);
  g_autofree char *log = g_build_filename (tmp, "console.log", NULL);
  g_autofree char *cta = g_build_filename (tmp, "cta.json", NULL);
  g_autofree char *fw_cfg = g_strdup_printf ("name=opt/org.joconde/cta,file=%s", cta);
  g_autofree char *kernel = g_build_filename (image_dir (), "vmlinuz", NULL);
  g_autofree char *initrd = g_build_filename (image_dir (), "initrd.img", NULL);
  g_autofree char *cmdline_path = g_build_filename (image_dir (), "cmdline", NULL);
  g_autofree char *cmdline = NULL;
  g_autofree char *hostfwd = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) qemu = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *console = NULL;
  JsonObject *obj;
  guint16 port = free_port ();
  gint64 start, booted;

  g_assert_nonnull (qemu_bin);   /* Debian package qemu-system-x86 */
  g_assert_nonnull (tmp);
  g_assert_true (g_file_get_contents (cmdline_path, &cmdline, NULL, NULL));
  /* handed over the way the cpd does it: QEMU's firmware configuration */
  g_assert_true (g_file_set_contents (cta, "abc", 3, NULL));
  hostfwd = g_strdup_printf ("user,id=n0,hostfwd=tcp:127.0.0.1:%u-:8443", port);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE);
  g_subprocess_launcher_set_stdout_file_path (launcher, log);
  g_subprocess_launcher_set_stderr_file_path (launcher, log);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);

  start = g_get_monotonic_time ();
  qemu = g_subprocess_launcher_spawn (launcher, &error, qemu_bin,
                                      "-accel", "tcg", "-machine", "q35", "-cpu", "max",
                                      "-m", "512", "-smp", "1", "-nographic", "-no-reboot",
                                      "-kernel", kernel, "-initrd", initrd, "-append", cmdline,
                                      "-netdev", hostfwd,
                                      "-device", "virtio-net-pci,netdev=n0,romfile=",
                                      "-fw_cfg", fw_cfg,
                                      NULL);
  g_assert_no_error (error);

  body = poll_health (qemu, port, start + BOOT_TIMEOUT_S * G_USEC_PER_SEC);
  booted = g_get_monotonic_time ();

  /* Stop QEMU before any assertion, so a failure leaves nothing running. */
  g_subprocess_force_exit (qemu);
  g_subprocess_wait (qemu, NULL, NULL);
  g_file_get_contents (log, &console, NULL, NULL);
  g_unlink (log);
  g_unlink (cta);
  g_rmdir (tmp);

  if (body == NULL)
    g_test_message ("guest console:\n%s", console ? console : "(empty)");
  g_assert_nonnull (body);
  g_test_message ("boot time (QEMU TCG start to first /health answer): %.1f s",
                  (double) (booted - start) / G_USEC_PER_SEC);

  g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (body, NULL),
                                             (gssize) g_bytes_get_size (body), &error));
  g_assert_no_error (error);
  obj = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (obj, "state"), ==, "initialisation");
  g_assert_cmpstr (json_object_get_string_member (obj, "version"), ==, PACKAGE_VERSION);
  /* SHA-256("abc"): the orchestrator read the agreement through fw_cfg */
  g_assert_cmpstr (json_object_get_string_member (obj, "cta_sha256"), ==,
                   "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  g_assert_nonnull (console);
  g_assert_nonnull (strstr (console, "joconde-init: network 10.0.2.15/24"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/guest/image/build", test_build);
  g_test_add_func ("/guest/image/manifest", test_manifest);
  g_test_add_func ("/guest/image/reproducible", test_reproducible);
  g_test_add_func ("/guest/image/boot", test_boot);
  return g_test_run ();
}
