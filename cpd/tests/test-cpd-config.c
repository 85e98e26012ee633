#define G_LOG_DOMAIN "joconde-cpd-test"
#include "config.h"

#include <glib/gstdio.h>

#include "jc-cpd-config.h"
#include "jc-error.h"

/* The installed configuration shows every option at its default: read with only the
 * parent's URL added, it gives what a file naming nothing else gives. Bad values are
 * refused with the option named. */

static char *
write_tmp (const char *dir, const char *name, const char *text)
{
  char *path = g_build_filename (dir, name, NULL);
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  return path;
}

static void
test_shipped_defaults (void)
{
  g_autofree char *dir = g_dir_make_tmp ("jc-cpd-config-XXXXXX", NULL);
  g_autofree char *shipped = NULL;
  g_autofree char *text = NULL;
  g_autofree char *full = NULL, *minimal = NULL, *missing = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JcCpdConfig) a = NULL;
  g_autoptr(JcCpdConfig) b = NULL;
  g_autoptr(JcCpdConfig) none = NULL;
  GString *edited;

  g_assert_true (g_file_get_contents (g_getenv ("JC_CPD_CONF"), &shipped, NULL, NULL));
  /* As shipped, it names no parent: refused with the option named. */
  missing = write_tmp (dir, "missing.conf", shipped);
  none = jc_cpd_config_load (missing, &error);
  g_assert_null (none);
  g_assert_error (error, JC_ERROR, JC_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "[parent] url"));
  g_clear_error (&error);

  edited = g_string_new (shipped);
  g_assert_cmpint (g_string_replace (edited, "\nurl=\n", "\nurl=https://relay.example.org:8443\n", 1), ==, 1);
  text = g_string_free (edited, FALSE);
  full = write_tmp (dir, "full.conf", text);
  minimal = write_tmp (dir, "minimal.conf", "[parent]\nurl=https://relay.example.org:8443\n");
  a = jc_cpd_config_load (full, &error);
  g_assert_no_error (error);
  b = jc_cpd_config_load (minimal, &error);
  g_assert_no_error (error);

  g_assert_cmpstr (a->certificate, ==, b->certificate);
  g_assert_cmpstr (a->key, ==, b->key);
  g_assert_cmpstr (a->root_ca, ==, b->root_ca);
  g_assert_cmpstr (a->approver, ==, b->approver);
  g_assert_cmpstr (a->crl_file, ==, b->crl_file);
  g_assert_cmpstr (a->state_dir, ==, b->state_dir);
  g_assert_cmpstr (a->state_dir, ==, "/var/lib/joconde-cpd");
  g_assert_cmpuint (a->reconnect_min_ms, ==, b->reconnect_min_ms);
  g_assert_cmpuint (a->reconnect_max_ms, ==, b->reconnect_max_ms);
  g_assert_cmpstr (a->image_dir, ==, b->image_dir);
  g_assert_cmpstr (a->backend, ==, b->backend);
  g_assert_cmpstr (a->backend, ==, "libvirt");
  g_assert_true (g_strv_equal ((const char * const *) a->libvirt_uris, (const char * const *) b->libvirt_uris));
  g_assert_cmpstr (a->guest_binary, ==, b->guest_binary);
  g_assert_cmpstr (a->engine_dir, ==, b->engine_dir);
  g_assert_cmpint (a->kvm, ==, b->kvm);
  g_assert_cmpuint (a->memory_mib, ==, b->memory_mib);
  g_assert_cmpuint (a->vcpus, ==, b->vcpus);
  g_assert_cmpstr (a->firmware, ==, b->firmware);
  g_assert_cmpstr (a->snp_vcpu_type, ==, b->snp_vcpu_type);
  g_assert_cmpstr (a->listen_address, ==, b->listen_address);
  g_assert_cmpstr (a->public_host, ==, b->public_host);
  g_assert_cmpuint (a->port_min, ==, b->port_min);
  g_assert_cmpuint (a->port_max, ==, b->port_max);
  g_assert_cmpuint (a->poll_ms, ==, b->poll_ms);
  g_assert_cmpint (a->log_target, ==, b->log_target);
  g_assert_cmpstr (a->log_file, ==, b->log_file);
  {
    const char *rm[] = { "rm", "-rf", dir, NULL };
    g_spawn_sync (NULL, (char **) rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
  }
}

static void
test_bad_values (void)
{
  g_autofree char *dir = g_dir_make_tmp ("jc-cpd-config-XXXXXX", NULL);
  const struct { const char *text; const char *names; } cases[] = {
    { "[parent]\nurl=https://r:1\n[backend]\ntype=docker\n", "docker" },
    { "[parent]\nurl=https://r:1\n[backend]\nvcpus=0\n", "vcpus" },
    { "[parent]\nurl=https://r:1\n[backend]\nkvm=maybe\n", "kvm" },
    { "[parent]\nurl=https://r:1\n[vm]\nport-min=30000\nport-max=20000\n", "port range" },
    { "[parent]\nurl=https://r:1\n[vm]\npoll-ms=ten\n", "poll-ms" },
    { "[parent]\nurl=https://r:1\n[log]\ntarget=printer\n", "printer" },
    { "not a key file", "Cannot read" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = write_tmp (dir, "bad.conf", cases[i].text);
      g_autoptr(GError) error = NULL;
      g_autoptr(JcCpdConfig) c = jc_cpd_config_load (path, &error);
      g_assert_null (c);
      g_assert_nonnull (error);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, cases[i].names));
    }
  {
    /* Relative names are read next to the configuration; URIs are split on ';'. */
    g_autofree char *path = write_tmp (dir, "rel.conf",
      "[node]\ncertificate=node.pem\n[parent]\nurl=https://r:1\n"
      "[backend]\nlibvirt-uris=qemu:///system; qemu+ssh://hv2/system;;\n");
    g_autoptr(GError) error = NULL;
    g_autoptr(JcCpdConfig) c = jc_cpd_config_load (path, &error);
    g_autofree char *expected = g_build_filename (dir, "node.pem", NULL);
    g_assert_no_error (error);
    g_assert_cmpstr (c->certificate, ==, expected);
    g_assert_cmpuint (g_strv_length (c->libvirt_uris), ==, 2);
    g_assert_cmpstr (c->libvirt_uris[1], ==, "qemu+ssh://hv2/system");
  }
  {
    const char *rm[] = { "rm", "-rf", dir, NULL };
    g_spawn_sync (NULL, (char **) rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cpd/config/shipped-defaults", test_shipped_defaults);
  g_test_add_func ("/cpd/config/bad-values", test_bad_values);
  return g_test_run ();
}
