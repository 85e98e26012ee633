#define G_LOG_DOMAIN "joconde-relay-test"
#include "config.h"

#include <glib/gstdio.h>

#include "base/jc-init.h"
#include "jc-relay-config.h"

/* relay/joconde-relay.conf shows every option at its default: loading it gives the same
 * configuration as an empty file, and every option the relay reads is in it. */

static const char *const options[] = {
  "node:certificate", "node:key", "node:root-ca", "node:state-dir", "listen:address",
  "listen:port", "parent:url", "revocation:crl-file", "pki:active-months",
  "pki:passive-months", "tasks:deadline-check-seconds", "tasks:retention-days",
  "tasks:retention-seconds", "link:window", "link:reconnect-min-ms", "link:reconnect-max-ms",
  "link:keepalive-seconds", "link:max-message-bytes", "link:max-parked",
  "database:synchronous", "database:keep-days", "mail:command", "mail:from", "log:target",
  "log:file", "policy:topics", NULL
};

static void
test_shipped_defaults (void)
{
  g_autofree char *shipped = g_build_filename (JC_SOURCE_ROOT, "relay", "joconde-relay.conf", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_assert_true (g_key_file_load_from_file (kf, shipped, G_KEY_FILE_KEEP_COMMENTS, &error));
  g_assert_no_error (error);
  for (guint i = 0; options[i]; i++)
    {
      g_auto(GStrv) gk = g_strsplit (options[i], ":", 2);
      g_assert_true (g_key_file_has_key (kf, gk[0], gk[1], NULL));
      g_autofree char *comment = g_key_file_get_comment (kf, gk[0], gk[1], NULL);
      g_assert_nonnull (comment); /* every option is explained */
    }
  g_auto(GStrv) groups = g_key_file_get_groups (kf, NULL);
  for (guint i = 0; groups[i]; i++)
    {
      g_auto(GStrv) keys = g_key_file_get_keys (kf, groups[i], NULL, NULL);
      for (guint k = 0; keys[k]; k++)
        {
          g_autofree char *name = g_strdup_printf ("%s:%s", groups[i], keys[k]);
          g_assert_true (g_strv_contains (options, name)); /* nothing the relay ignores */
        }
    }

  /* Same folder, so relative names resolve alike. */
  g_autofree char *dir = g_dir_make_tmp ("jc-relay-conf-XXXXXX", &error);
  g_assert_no_error (error);
  g_autofree char *empty = g_build_filename (dir, "empty.conf", NULL);
  g_autofree char *copy = g_build_filename (dir, "shipped.conf", NULL);
  g_autofree char *text = NULL;
  g_assert_true (g_file_get_contents (shipped, &text, NULL, NULL));
  g_assert_true (g_file_set_contents (copy, text, -1, NULL));
  g_assert_true (g_file_set_contents (empty, "", -1, NULL));
  g_unsetenv ("CREDENTIALS_DIRECTORY");
  g_autoptr(JcRelayConfig) a = jc_relay_config_load (copy, &error);
  g_assert_no_error (error);
  g_autoptr(JcRelayConfig) b = jc_relay_config_load (empty, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (a->certificate, ==, b->certificate);
  g_assert_cmpstr (a->key, ==, b->key);
  g_assert_cmpstr (a->root_ca, ==, b->root_ca);
  g_assert_cmpstr (a->state_dir, ==, b->state_dir);
  g_assert_cmpstr (a->listen_address, ==, b->listen_address);
  g_assert_cmpuint (a->listen_port, ==, b->listen_port);
  g_assert_cmpstr (a->parent_url, ==, b->parent_url);
  g_assert_cmpstr (a->crl_file, ==, b->crl_file);
  g_assert_cmpuint (a->window, ==, b->window);
  g_assert_cmpuint (a->reconnect_min_ms, ==, b->reconnect_min_ms);
  g_assert_cmpuint (a->reconnect_max_ms, ==, b->reconnect_max_ms);
  g_assert_cmpuint (a->keepalive_s, ==, b->keepalive_s);
  g_assert_cmpuint (a->max_message, ==, b->max_message);
  g_assert_cmpuint (a->max_parked, ==, b->max_parked);
  g_assert_cmpint (a->synchronous_full, ==, b->synchronous_full);
  g_assert_cmpuint (a->keep_days, ==, b->keep_days);
  g_assert_cmpuint (a->deadline_check_s, ==, b->deadline_check_s);
  g_assert_cmpint (a->retention_s, ==, b->retention_s);
  g_assert_cmpuint (a->active_months, ==, b->active_months);
  g_assert_cmpuint (a->passive_months, ==, b->passive_months);
  g_assert_cmpstr (a->mail_command, ==, b->mail_command);
  g_assert_cmpstr (a->mail_from, ==, b->mail_from);
  g_assert_cmpstr (a->log_target, ==, b->log_target);
  g_assert_cmpstr (a->log_file, ==, b->log_file);
  g_assert_cmpuint (g_hash_table_size (a->topic_roles), ==, g_hash_table_size (b->topic_roles));
  g_unlink (copy);
  g_unlink (empty);
  g_rmdir (dir);
}

static void
test_bad_values (void)
{
  const char *bad[] = {
    "[listen]\nport=70000\n", "[link]\nwindow=0\n", "[database]\nsynchronous=sometimes\n",
    "[parent]\nurl=http://plain.example\n", "[log]\ntarget=printer\n",
    "[policy]\ntopics=ctsc.submit=wizard\n", "[policy]\ntopics=nonsense\n", "not a key file",
  };
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("jc-relay-conf-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "bad.conf", NULL);
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_clear_error (&error);
      g_assert_true (g_file_set_contents (path, bad[i], -1, NULL));
      g_autoptr(JcRelayConfig) c = jc_relay_config_load (path, &error);
      g_assert_null (c);
      g_assert_nonnull (error);
      g_test_message ("%s", error->message);
    }
  g_unlink (path);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_assert_true (jc_init (NULL));
  g_test_add_func ("/relay/config/shipped-defaults", test_shipped_defaults);
  g_test_add_func ("/relay/config/bad-values", test_bad_values);
  return g_test_run ();
}
