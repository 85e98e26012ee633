#define G_LOG_DOMAIN "joconde-relay-test"
#include "config.h"

#include <glib/gstdio.h>

#include "base/jc-init.h"
#include "relay-test-util.h"
#include "jc-cert.h"

/* The administration commands build a working tree with libjoconde's PKI:
 * init-root, init-node, csr add/list/approve/reject, then real links over it. */

static void
run (int expect, char **out, ...)
{
  va_list ap;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_ptr_array_add (argv, (char *) g_getenv ("JC_RELAY_BIN"));
  va_start (ap, out);
  for (const char *a; (a = va_arg (ap, const char *));)
    g_ptr_array_add (argv, (char *) a);
  va_end (ap);
  g_ptr_array_add (argv, NULL);
  g_autofree char *o = NULL, *e = NULL;
  int status = 0;
  g_autoptr(GError) error = NULL;
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               &o, &e, &status, &error));
  g_test_message ("%s %s: %s%s", (char *) argv->pdata[3], argv->len > 5 ? (char *) argv->pdata[4] : "",
                  o, e);
  g_assert_cmpint (WIFEXITED (status) ? WEXITSTATUS (status) : -1, ==, expect);
  if (out)
    *out = g_steal_pointer (&o);
}

static void
write_conf (const char *dir, guint port, const char *parent)
{
  g_autofree char *path = g_build_filename (dir, "relay.conf", NULL);
  g_autofree char *text = g_strdup_printf (
    "[node]\nstate-dir=state\n[listen]\naddress=127.0.0.1\nport=%u\n[parent]\nurl=%s\n"
    "[link]\nreconnect-min-ms=50\nreconnect-max-ms=400\n[log]\ntarget=file\n",
    port, parent ? parent : "");
  g_mkdir_with_parents (dir, 0700);
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
}

static GSubprocess *
start (const char *conf)
{
  g_autoptr(GError) error = NULL;
  GSubprocess *p = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                                     g_getenv ("JC_RELAY_BIN"), "-c", conf, "run", NULL);
  g_assert_no_error (error);
  g_autofree char *line = test_first_line (p);
  g_assert_true (g_str_has_prefix (line, "listening"));
  return p;
}

static void
on_message (JcNetClient *c, const JcNetEnvelope *env, guint *n)
{
  (*n)++;
}

static gboolean
got_one (gpointer data)
{
  return *(guint *) data > 0;
}

static void
test_admin_tree (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("jc-relay-admin-XXXXXX", &error);
  g_assert_no_error (error);
  g_autofree char *rdir = g_build_filename (dir, "root", NULL);
  g_autofree char *odir = g_build_filename (dir, "org", NULL);
  g_autofree char *adir = g_build_filename (dir, "alice", NULL);
  g_autofree char *bdir = g_build_filename (dir, "bob", NULL);
  g_autofree char *mdir = g_build_filename (dir, "mallory", NULL);
  guint rport = jc_test_free_port (), oport = jc_test_free_port ();
  g_autofree char *rurl = g_strdup_printf ("https://127.0.0.1:%u", rport);
  g_autofree char *ourl = g_strdup_printf ("https://127.0.0.1:%u", oport);
  write_conf (rdir, rport, NULL);
  write_conf (odir, oport, rurl);
  write_conf (adir, 1, ourl);  /* leaves use only the key commands */
  write_conf (bdir, 1, rurl);
  write_conf (mdir, 1, rurl);
  g_autofree char *rconf = g_build_filename (rdir, "relay.conf", NULL);
  g_autofree char *oconf = g_build_filename (odir, "relay.conf", NULL);
  g_autofree char *aconf = g_build_filename (adir, "relay.conf", NULL);
  g_autofree char *bconf = g_build_filename (bdir, "relay.conf", NULL);
  g_autofree char *mconf = g_build_filename (mdir, "relay.conf", NULL);

  run (0, NULL, "-c", rconf, "init-root", "--company", "Eurostat", "--email", "so@example.org",
       "--name", "so-root", NULL);
  run (1, NULL, "-c", rconf, "init-root", "--company", "Eurostat", "--email", "so@example.org",
       NULL); /* never over an existing System */
  run (0, NULL, "-c", oconf, "init-node", "--company", "NSI", "--department", "IT",
       "--email", "joconde@nsi.example", "--name", "nsi", "--role", "relay", NULL);
  run (0, NULL, "-c", aconf, "init-node", "--company", "NSI", "--email", "joconde@nsi.example",
       "--name", "alice", "--role", "organiser", NULL);
  run (0, NULL, "-c", bconf, "init-node", "--company", "MNO", "--email", "joconde@mno.example",
       "--name", "bob", "--role", "organiser", NULL);
  run (0, NULL, "-c", mconf, "init-node", "--company", "Evil", "--email", "x@evil.example",
       "--name", "mallory", NULL);
  run (1, NULL, "-c", mconf, "init-node", "--company", "Evil", "--email", "x@evil.example",
       "--name", "bad name", NULL);

  g_autofree char *ocsr = g_build_filename (odir, "node.csr", NULL);
  g_autofree char *bcsr = g_build_filename (bdir, "node.csr", NULL);
  g_autofree char *mcsr = g_build_filename (mdir, "node.csr", NULL);
  g_autofree char *acsr = g_build_filename (adir, "node.csr", NULL);
  run (0, NULL, "-c", rconf, "csr", "add", ocsr, NULL);
  run (0, NULL, "-c", rconf, "csr", "add", bcsr, NULL);
  run (0, NULL, "-c", rconf, "csr", "add", mcsr, NULL);
  run (1, NULL, "-c", rconf, "csr", "add", mcsr, NULL); /* the same request twice */
  g_autofree char *list = NULL;
  run (0, &list, "-c", rconf, "csr", "list", NULL);
  g_assert_nonnull (strstr (list, "pending   nsi"));
  g_autofree char *ocert = g_build_filename (odir, "node.pem", NULL);
  g_autofree char *bcert = g_build_filename (bdir, "node.pem", NULL);
  run (2, NULL, "-c", rconf, "csr", "approve", "1", NULL); /* no --role */
  run (0, NULL, "-c", rconf, "csr", "approve", "1", "--role", "relay", "--out", ocert, NULL);
  run (1, NULL, "-c", rconf, "csr", "approve", "1", "--role", "relay", "--out", ocert, NULL);
  run (0, NULL, "-c", rconf, "csr", "approve", "2", "--role", "organiser", "--out", bcert, NULL);
  run (0, NULL, "-c", rconf, "csr", "reject", "3", "--reason", "unknown organisation", NULL);
  g_clear_pointer (&list, g_free);
  run (0, &list, "-c", rconf, "csr", "list", NULL);
  g_assert_nonnull (strstr (list, "rejected  mallory"));
  g_assert_nonnull (strstr (list, "unknown organisation"));

  /* The organisation relay issues alice's certificate. */
  run (0, NULL, "-c", oconf, "csr", "add", acsr, NULL);
  g_autofree char *acert = g_build_filename (adir, "node.pem", NULL);
  run (0, NULL, "-c", oconf, "csr", "approve", "1", "--role", "organiser", "--out", acert, NULL);
  g_autofree char *ca = g_build_filename (rdir, "root-ca.pem", NULL);
  g_autofree char *ca_pem = NULL;
  g_assert_true (g_file_get_contents (ca, &ca_pem, NULL, NULL));
  g_autofree char *oca = g_build_filename (odir, "root-ca.pem", NULL);
  g_assert_true (g_file_set_contents (oca, ca_pem, -1, NULL));

  GSubprocess *root = start (rconf);
  GSubprocess *org = start (oconf);
  g_autofree char *akey = g_build_filename (adir, "node.key", NULL);
  g_autofree char *bkey = g_build_filename (bdir, "node.key", NULL);
  g_autofree char *adb = g_build_filename (adir, "leaf.db", NULL);
  g_autofree char *bdb = g_build_filename (bdir, "leaf.db", NULL);
  JcNetClientOptions ao = { .db_path = adb, .parent_url = ourl, .cert_file = acert,
                            .key_file = akey, .ca_file = ca, .reconnect_min_ms = 50 };
  JcNetClientOptions bo = { .db_path = bdb, .parent_url = rurl, .cert_file = bcert,
                            .key_file = bkey, .ca_file = ca, .reconnect_min_ms = 50 };
  JcNetClient *alice = jc_net_client_new (&ao, &error);
  g_assert_no_error (error);
  JcNetClient *bob = jc_net_client_new (&bo, &error);
  g_assert_no_error (error);
  guint got = 0;
  g_signal_connect (bob, "message", G_CALLBACK (on_message), &got);
  jc_net_client_start (alice);
  jc_net_client_start (bob);
  g_assert_true (test_wait (test_client_is_connected, alice, 10000));
  g_assert_true (test_wait (test_client_is_connected, bob, 10000));
  const char *to[] = { "bob", NULL };
  g_autoptr(JsonNode) body = json_node_new (JSON_NODE_NULL);
  g_assert_true (jc_net_client_send (alice, to, "ctsc.submit", body, NULL, &error));
  g_assert_true (test_wait (got_one, &got, 10000));

  g_autofree char *tree = NULL;
  run (0, &tree, "-c", rconf, "tree", NULL);
  g_assert_nonnull (strstr (tree, "nsi  serial"));
  g_assert_nonnull (strstr (tree, "└ alice"));

  g_object_unref (alice);
  g_object_unref (bob);
  g_subprocess_send_signal (org, SIGTERM);
  g_subprocess_send_signal (root, SIGTERM);
  g_subprocess_wait (org, NULL, NULL);
  g_subprocess_wait (root, NULL, NULL);
  /* Both stop cleanly (under the sanitizers: no leak, no error). */
  g_assert_true (g_subprocess_get_if_exited (org) && g_subprocess_get_exit_status (org) == 0);
  g_assert_true (g_subprocess_get_if_exited (root) && g_subprocess_get_exit_status (root) == 0);
  g_object_unref (org);
  g_object_unref (root);
  test_rm_rf (dir);
}

/* init-root with the root CA key generated inside a PKCS#11 token (SoftHSM2 here), as
 * spec §4.4.2 recommends: no key file is written, and the certificates chain. */
static void
test_init_root_in_token (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("jc-relay-hsm-XXXXXX", &error);
  g_assert_no_error (error);
  g_autofree char *tokens = g_build_filename (dir, "tokens", NULL);
  g_autofree char *hsm_conf = g_build_filename (dir, "softhsm2.conf", NULL);
  g_assert_cmpint (g_mkdir (tokens, 0700), ==, 0);
  g_autofree char *hsm_text = g_strdup_printf ("directories.tokendir = %s\n"
                                               "objectstore.backend = file\nlog.level = ERROR\n",
                                               tokens);
  g_assert_true (g_file_set_contents (hsm_conf, hsm_text, -1, NULL));
  g_setenv ("SOFTHSM2_CONF", hsm_conf, TRUE);
  g_setenv ("JOCONDE_PKCS11_PIN", "1234", TRUE);
  const char *init[] = { "softhsm2-util", "--init-token", "--free", "--label", "joconde-root",
                         "--so-pin", "87654321", "--pin", "1234", NULL };
  int status = 0;
  g_assert_true (g_spawn_sync (NULL, (char **) init, NULL, G_SPAWN_SEARCH_PATH |
                               G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));

  g_autofree char *rdir = g_build_filename (dir, "root", NULL);
  write_conf (rdir, jc_test_free_port (), NULL);
  g_autofree char *rconf = g_build_filename (rdir, "relay.conf", NULL);
  run (0, NULL, "-c", rconf, "init-root", "--company", "Eurostat", "--email", "so@example.org",
       "--name", "so-root", "--ca-token", "pkcs11:token=joconde-root", NULL);
  g_autofree char *ca_key = g_build_filename (rdir, "root-ca.key", NULL);
  g_assert_false (g_file_test (ca_key, G_FILE_TEST_EXISTS));
  g_autofree char *ca_path = g_build_filename (rdir, "root-ca.pem", NULL);
  g_autofree char *node_path = g_build_filename (rdir, "node.pem", NULL);
  g_autoptr(JcCert) ca = jc_cert_new_from_file (ca_path, &error);
  g_assert_no_error (error);
  g_autoptr(JcCert) node = jc_cert_new_from_file (node_path, &error);
  g_assert_no_error (error);
  g_assert_true (jc_cert_is_signed_by (node, ca));
  g_assert_true (jc_cert_is_self_signed (ca));
  g_assert_true (jc_cert_has_roles (node, JC_ROLE_RELAY | JC_ROLE_APPROVER));
  /* The relay runs without the CA key. */
  GSubprocess *root = start (rconf);
  g_subprocess_send_signal (root, SIGTERM);
  g_subprocess_wait (root, NULL, NULL);
  g_assert_true (g_subprocess_get_if_exited (root) && g_subprocess_get_exit_status (root) == 0);
  g_object_unref (root);
  test_rm_rf (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_assert_true (jc_init (NULL));
  g_test_add_func ("/relay/admin/tree", test_admin_tree);
  g_test_add_func ("/relay/admin/init-root-in-token", test_init_root_in_token);
  return g_test_run ();
}
