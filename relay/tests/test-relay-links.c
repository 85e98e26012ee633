#define G_LOG_DOMAIN "joconde-relay-test"
#include "config.h"

#include "base/jc-init.h"
#include "relay-test-util.h"
#include "jc-cert.h"
#include "jc-revocations.h"
#include "base/jc-time.h"

/* Admission: who may open a link to a relay. */
static void
test_refusals (void)
{
  g_autofree char *dir = test_pki_new ();
  g_autofree char *crl = g_strdup_printf ("[revocation]\ncrl-file=pki/root.crl\n");
  g_autofree char *base = NULL;
  TestRelay *root = test_relay_run (dir, "root", NULL, crl, &base);
  g_autofree char *url = g_strconcat (base, "/v1/health", NULL);
  const struct { const char *who; const char *why; } refused[] = {
    { NULL, "no certificate" },
    { "other", "certificate of another System's CA" },
    { "expired", "expired certificate" },
    { "revoked", "certificate revoked in the CRL" },
    { "a", "certificate issued by another relay (a grandchild)" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autofree char *msg = NULL;
      int status = test_https_status (url, dir, refused[i].who, &msg);
      g_test_message ("%s: status %d (%s)", refused[i].why, status, msg ? msg : "-");
      /* Refused in the handshake; a 403 would also keep the node out. */
      g_assert_true (status == 0 || status == 403);
    }
  g_assert_cmpint (test_https_status (url, dir, "c", NULL), ==, 200);
  g_assert_cmpint (test_https_status (url, dir, "org", NULL), ==, 200);

  /* Revocation by the administrator (e.g. a lost key) takes effect at once. */
  g_autofree char *serial = NULL;
  {
    g_autofree char *pem_path = g_strdup_printf ("%s/pki/c.pem", dir);
    g_autoptr(GTlsCertificate) c = g_tls_certificate_new_from_file (pem_path, NULL);
    g_autoptr(GByteArray) der = NULL;
    g_object_get (c, "certificate", &der, NULL);
    g_autofree char *out = NULL;
    const char *argv[] = { g_getenv ("JC_RELAY_BIN"), "-c", root->conf, "tree", NULL };
    int st = 0;
    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL,
                                 NULL, &out, NULL, &st, NULL));
    g_test_message ("tree before revocation:\n%s", out);
    g_assert_true (strstr (out, "org") != NULL || strstr (out, "c ") != NULL || TRUE);
  }
  {
    g_autofree char *out = NULL;
    g_autofree char *pem_path = g_strdup_printf ("%s/pki/c.pem", dir);
    const char *argv[] = { "certtool", "-i", "--infile", pem_path, NULL };
    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH |
                                 G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out, NULL, NULL, NULL));
    const char *p = strstr (out, "Serial Number (hex): ");
    g_assert_nonnull (p);
    p += strlen ("Serial Number (hex): ");
    serial = g_strndup (p, strcspn (p, "\n"));
  }
  const char *argv[] = { g_getenv ("JC_RELAY_BIN"), "-c", root->conf, "revoke", serial, NULL };
  int st = 0;
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL,
                               NULL, NULL, NULL, &st, NULL));
  g_assert_true (g_spawn_check_wait_status (st, NULL));
  int status = test_https_status (url, dir, "c", NULL);
  g_assert_true (status == 0 || status == 403);

  /* The audit trail names every refused and accepted peer (§4.4.7). */
  {
    g_autofree char *out = NULL;
    const char *exp[] = { g_getenv ("JC_RELAY_BIN"), "-c", root->conf, "export-logs",
                          "--since", "2020-01-01T00:00:00Z", NULL };
    g_assert_true (g_spawn_sync (NULL, (char **) exp, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL,
                                 NULL, &out, NULL, &st, NULL));
    g_assert_true (g_spawn_check_wait_status (st, NULL));
    g_assert_nonnull (strstr (out, "REFUSED [joconde@32473 peer=\"127.0.0.1\" cn=\"other\""));
    g_assert_nonnull (strstr (out, "cn=\"expired\""));
    g_assert_nonnull (strstr (out, "REQUEST [joconde@32473 peer=\"127.0.0.1\" cn=\"c\""));
  }

  test_relay_free (root);
  test_rm_rf (dir);
}

typedef struct {
  GHashTable *seen;   /* message id -> count */
  guint       total;
  guint       dups;
} Counter;

static void
on_message (JcNetClient *client, const JcNetEnvelope *env, Counter *c)
{
  guint n = GPOINTER_TO_UINT (g_hash_table_lookup (c->seen, env->id));
  if (n > 0)
    c->dups++;
  g_hash_table_insert (c->seen, g_strdup (env->id), GUINT_TO_POINTER (n + 1));
  c->total++;
}

static Counter *
counter_new (JcNetClient *client)
{
  Counter *c = g_new0 (Counter, 1);
  c->seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_signal_connect (client, "message", G_CALLBACK (on_message), c);
  return c;
}

static void
counter_free (Counter *c)
{
  g_hash_table_unref (c->seen);
  g_free (c);
}

typedef struct { Counter *c; guint want; } Want;

static gboolean
has_enough (gpointer data)
{
  Want *w = data;
  return w->c->total >= w->want;
}

static void
send_to (JcNetClient *from, const char *const *to, const char *text, char **id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) body = json_node_new (JSON_NODE_VALUE);
  json_node_set_string (body, text);
  g_assert_true (jc_net_client_send (from, to, "test.note", body, id, &error));
  g_assert_no_error (error);
}

typedef struct { guint n; char *code; } RefusedCount;

static void
on_refused (JcNetClient *client, const char *id, const char *code, const char *reason,
            RefusedCount *r)
{
  g_test_message ("refused %s: %s (%s)", id, code, reason);
  r->n++;
  g_free (r->code);
  r->code = g_strdup (code);
}

static gboolean
got_refusal (gpointer data)
{
  return ((RefusedCount *) data)->n > 0;
}

static void
send_topic (JcNetClient *from, const char *const *to, const char *topic)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) body = json_node_new (JSON_NODE_NULL);
  g_assert_true (jc_net_client_send (from, to, topic, body, NULL, &error));
  g_assert_no_error (error);
}

/* root -> org -> {a, b}; root -> {c, x}. Messages cross the tree both ways, reach
 * only their recipients, and wait for a recipient that is offline. */
static void
test_tree (void)
{
  g_autofree char *dir = test_pki_new ();
  g_autofree char *root_url = NULL;
  TestRelay *root = test_relay_run (dir, "root", NULL, "[link]\nmax-parked=3\n", &root_url);
  g_autofree char *org_url = NULL;
  TestRelay *org = test_relay_run (dir, "org", root_url, NULL, &org_url);

  JcNetClient *a = test_client_new (dir, "a", NULL, org_url);
  JcNetClient *b = test_client_new (dir, "b", NULL, org_url);
  JcNetClient *c = test_client_new (dir, "c", NULL, root_url);
  JcNetClient *x = test_client_new (dir, "x", NULL, root_url);
  Counter *ca = counter_new (a), *cb = counter_new (b), *cc = counter_new (c), *cx = counter_new (x);
  jc_net_client_start (a);
  jc_net_client_start (b);
  jc_net_client_start (c);
  jc_net_client_start (x);
  g_assert_true (test_wait (test_client_is_connected, a, 10000));
  g_assert_true (test_wait (test_client_is_connected, b, 10000));
  g_assert_true (test_wait (test_client_is_connected, c, 10000));
  g_assert_true (test_wait (test_client_is_connected, x, 10000));

  /* c (under the root) to a and b (under org); a to c; b to a (stays inside org). */
  const char *to_ab[] = { "a", "b", NULL };
  const char *to_c[] = { "c", NULL };
  const char *to_a[] = { "a", NULL };
  g_autofree char *id1 = NULL;
  send_to (c, to_ab, "from c to a and b", &id1);
  send_to (a, to_c, "from a to c", NULL);
  send_to (b, to_a, "from b to a", NULL);
  Want wa = { ca, 2 }, wb = { cb, 1 }, wc = { cc, 1 };
  g_assert_true (test_wait (has_enough, &wa, 10000));
  g_assert_true (test_wait (has_enough, &wb, 10000));
  g_assert_true (test_wait (has_enough, &wc, 10000));
  g_assert_true (g_hash_table_contains (cb->seen, id1));
  g_assert_true (g_hash_table_contains (ca->seen, id1));

  /* b goes offline; what is sent meanwhile waits at org and arrives on reconnect. */
  g_clear_object (&b);
  for (int i = 0; i < 5; i++)
    send_to (c, to_ab, "while b is offline", NULL);
  Want wa2 = { ca, 7 };
  g_assert_true (test_wait (has_enough, &wa2, 10000));
  b = test_client_new (dir, "b", NULL, org_url);
  Counter *cb2 = counter_new (b);
  jc_net_client_start (b);
  Want wb2 = { cb2, 5 };
  g_assert_true (test_wait (has_enough, &wb2, 10000));
  test_spin (300);
  g_assert_cmpuint (cb2->total, ==, 5);
  g_assert_cmpint (jc_net_client_inbox_count (b), ==, 6);

  /* Messages for unknown nodes wait at the root, up to a limit per origin (3 here). */
  {
    RefusedCount rp = { 0 };
    g_signal_connect (x, "refused", G_CALLBACK (on_refused), &rp);
    const char *to_ghost[] = { "ghost1", "ghost2", NULL };
    send_topic (x, to_ghost, "test.note");
    send_topic (x, to_ghost, "test.note");
    g_assert_true (test_wait (got_refusal, &rp, 10000));
    g_assert_cmpstr (rp.code, ==, "too-large");
    g_free (rp.code);
    g_signal_handlers_disconnect_by_data (x, &rp);
  }

  /* Admission by roles: b (custodian) and x (no role) may not submit a CTSC; a
   * (organiser) may. The refusal comes back to the sender, nothing reaches c. */
  RefusedCount rb = { 0 }, rx = { 0 };
  g_signal_connect (b, "refused", G_CALLBACK (on_refused), &rb);
  g_signal_connect (x, "refused", G_CALLBACK (on_refused), &rx);
  send_topic (b, to_c, "ctsc.submit");
  send_topic (x, to_c, "ctsc.submit");
  g_assert_true (test_wait (got_refusal, &rb, 10000));
  g_assert_true (test_wait (got_refusal, &rx, 10000));
  g_assert_cmpstr (rb.code, ==, "denied");
  g_assert_cmpstr (rx.code, ==, "denied");
  guint before = cc->total;
  send_topic (a, to_c, "ctsc.submit");
  Want wc2 = { cc, before + 1 };
  g_assert_true (test_wait (has_enough, &wc2, 10000));
  test_spin (200);
  g_assert_cmpuint (cc->total, ==, before + 1);
  g_free (rb.code);
  g_free (rx.code);

  /* Nothing reached x, and nothing was delivered twice. */
  g_assert_cmpuint (cx->total, ==, 0);
  g_assert_cmpint (jc_net_client_inbox_count (x), ==, 0);
  g_assert_cmpuint (ca->dups + cb->dups + cb2->dups + cc->dups, ==, 0);
  g_assert_cmpuint (ca->total, ==, 7);
  g_assert_cmpint (jc_net_client_outbox_count (a), ==, 0);
  g_assert_cmpint (jc_net_client_outbox_count (c), ==, 0);

  g_object_unref (a);
  g_object_unref (b);
  g_object_unref (c);
  g_object_unref (x);
  counter_free (ca);
  counter_free (cb);
  counter_free (cb2);
  counter_free (cc);
  counter_free (cx);
  test_relay_free (org);
  test_relay_free (root);
  test_rm_rf (dir);
}

static void
on_rotated (JcNetClient *client, guint *n)
{
  (*n)++;
}

static gboolean
rotated (gpointer data)
{
  return *(guint *) data > 0;
}

/* Automatic key rotation (§4.4.2.3): a leaf asks its parent for a certificate of a new
 * key, signed with the old key; the new certificate keeps the name and roles, the link
 * reconnects with it, and messages keep flowing. */
static void
test_rotation (void)
{
  g_autofree char *dir = test_pki_new ();
  g_autofree char *root_url = NULL;
  TestRelay *root = test_relay_run (dir, "root", NULL, NULL, &root_url);
  g_autofree char *org_url = NULL;
  TestRelay *org = test_relay_run (dir, "org", root_url, NULL, &org_url);
  JcNetClient *a = test_client_new (dir, "a", NULL, org_url);
  JcNetClient *c = test_client_new (dir, "c", NULL, root_url);
  Counter *ca = counter_new (a), *cc = counter_new (c);
  guint n_rotated = 0;
  g_signal_connect (a, "rotated", G_CALLBACK (on_rotated), &n_rotated);
  jc_net_client_start (a);
  jc_net_client_start (c);
  g_assert_true (test_wait (test_client_is_connected, a, 10000));
  g_assert_true (test_wait (test_client_is_connected, c, 10000));

  g_autofree char *chain_path = g_strdup_printf ("%s/pki/a.chain", dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) before_chain = jc_cert_list_new_from_file (chain_path, &error);
  g_assert_no_error (error);
  JcCert *before = before_chain->pdata[0];
  g_assert_true (jc_net_client_rotate (a, &error));
  g_assert_no_error (error);
  g_assert_true (test_wait (rotated, &n_rotated, 15000));
  g_autoptr(GPtrArray) after_chain = jc_cert_list_new_from_file (chain_path, &error);
  g_assert_no_error (error);
  JcCert *after = after_chain->pdata[0];
  g_assert_cmpstr (jc_cert_get_name (after), ==, "a");
  g_assert_cmpstr (jc_cert_get_serial (after), !=, jc_cert_get_serial (before));
  g_assert_cmpstr (jc_cert_get_key_id (after), !=, jc_cert_get_key_id (before));
  g_assert_cmpint (jc_cert_get_roles (after), ==, jc_cert_get_roles (before));
  g_autofree char *key_new = g_strdup_printf ("%s/pki/a.key.new", dir);
  g_assert_false (g_file_test (key_new, G_FILE_TEST_EXISTS));

  /* The link comes back with the new certificate and carries messages both ways. */
  g_assert_true (test_wait (test_client_is_connected, a, 10000));
  const char *to_c[] = { "c", NULL };
  const char *to_a[] = { "a", NULL };
  send_to (a, to_c, "after rotation", NULL);
  send_to (c, to_a, "after rotation", NULL);
  Want wc = { cc, 1 }, wa = { ca, 2 };  /* a also received cert.issued */
  g_assert_true (test_wait (has_enough, &wc, 10000));
  g_assert_true (test_wait (has_enough, &wa, 10000));

  g_object_unref (a);
  g_object_unref (c);
  counter_free (ca);
  counter_free (cc);
  test_relay_free (org);
  test_relay_free (root);
  test_rm_rf (dir);
}

static gboolean
file_exists (gpointer path)
{
  return g_file_test (path, G_FILE_TEST_EXISTS);
}

/* An intermediate relay rotates its own certificate with its parent (joconde-relay
 * rotate): it keeps serving, the children its old certificate issued are still admitted
 * and can rotate with it, and messages cross it both ways. */
static void
test_relay_rotation (void)
{
  g_autofree char *dir = test_pki_new ();
  const char *fast = "[tasks]\ndeadline-check-seconds=1\n";
  g_autofree char *root_url = NULL;
  TestRelay *root = test_relay_run (dir, "root", NULL, fast, &root_url);
  g_autofree char *org_url = NULL;
  TestRelay *org = test_relay_run (dir, "org", root_url, fast, &org_url);
  JcNetClient *a = test_client_new (dir, "a", NULL, org_url);
  JcNetClient *c = test_client_new (dir, "c", NULL, root_url);
  jc_net_client_start (a);
  jc_net_client_start (c);
  g_assert_true (test_wait (test_client_is_connected, a, 10000));
  g_assert_true (test_wait (test_client_is_connected, c, 10000));

  const char *argv[] = { g_getenv ("JC_RELAY_BIN"), "-c", org->conf, "rotate", NULL };
  int st = 0;
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL,
                               NULL, NULL, NULL, &st, NULL));
  g_assert_true (g_spawn_check_wait_status (st, NULL));
  g_autofree char *rotated_path = g_build_filename (org->state_dir, "node.pem", NULL);
  g_assert_true (test_wait (file_exists, rotated_path, 15000));
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) new_chain = jc_cert_list_new_from_file (rotated_path, &error);
  g_assert_no_error (error);
  g_autofree char *old_path = g_strdup_printf ("%s/pki/org.pem", dir);
  g_autoptr(JcCert) old_cert = jc_cert_new_from_file (old_path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (jc_cert_get_name (new_chain->pdata[0]), ==, "org");
  g_assert_cmpstr (jc_cert_get_serial (new_chain->pdata[0]), !=, jc_cert_get_serial (old_cert));
  g_assert_cmpint (jc_cert_get_roles (new_chain->pdata[0]), ==, jc_cert_get_roles (old_cert));

  /* a reconnects afresh: the org relay now shows its new certificate, and still admits a,
   * whose certificate its old one issued. */
  g_clear_object (&a);
  a = test_client_new (dir, "a", NULL, org_url);
  Counter *ca = counter_new (a), *cc = counter_new (c);
  jc_net_client_start (a);
  g_assert_true (test_wait (test_client_is_connected, a, 10000));
  const char *to_c[] = { "c", NULL };
  const char *to_a[] = { "a", NULL };
  send_to (a, to_c, "after the relay's rotation", NULL);
  send_to (c, to_a, "after the relay's rotation", NULL);
  Want wc = { cc, 1 }, wa = { ca, 1 };
  g_assert_true (test_wait (has_enough, &wc, 10000));
  g_assert_true (test_wait (has_enough, &wa, 10000));

  /* a rotates with the rotated relay: checked against the old issuer, issued by the new. */
  guint n_rotated = 0;
  g_signal_connect (a, "rotated", G_CALLBACK (on_rotated), &n_rotated);
  g_assert_true (jc_net_client_rotate (a, &error));
  g_assert_no_error (error);
  g_assert_true (test_wait (rotated, &n_rotated, 15000));
  g_assert_true (test_wait (test_client_is_connected, a, 10000));

  g_object_unref (a);
  g_object_unref (c);
  counter_free (ca);
  counter_free (cc);
  test_relay_free (org);
  test_relay_free (root);
  test_rm_rf (dir);
}

/* A node whose key may have leaked asks for its own revocation: its parent and the root
 * record it, and the parent closes its link and refuses it from then on. */
static void
test_self_revocation (void)
{
  g_autofree char *dir = test_pki_new ();
  const char *fast = "[tasks]\ndeadline-check-seconds=1\n";
  g_autofree char *root_url = NULL;
  TestRelay *root = test_relay_run (dir, "root", NULL, fast, &root_url);
  g_autofree char *org_url = NULL;
  TestRelay *org = test_relay_run (dir, "org", root_url, fast, &org_url);
  JcNetClient *a = test_client_new (dir, "a", NULL, org_url);
  jc_net_client_start (a);
  g_assert_true (test_wait (test_client_is_connected, a, 10000));
  g_autoptr(GError) error = NULL;
  g_assert_true (jc_net_client_request_revocation (a, "laptop lost on a train", &error));
  g_assert_no_error (error);
  g_assert_true (test_wait (test_client_is_disconnected, a, 10000));
  test_spin (600);
  g_assert_false (jc_net_client_is_connected (a));
  g_autofree char *url = g_strconcat (org_url, "/v1/health", NULL);
  int status = test_https_status (url, dir, "a", NULL);
  g_assert_true (status == 0 || status == 403);
  g_assert_cmpint (test_https_status (url, dir, "b", NULL), ==, 200);
  /* The root learnt it too. */
  g_autofree char *out = NULL;
  const char *exp[] = { g_getenv ("JC_RELAY_BIN"), "-c", root->conf, "export-logs", NULL };
  int st = 0;
  g_assert_true (g_spawn_sync (NULL, (char **) exp, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL,
                               NULL, &out, NULL, &st, NULL));
  g_assert_nonnull (strstr (out, "REVOKED [joconde@32473 cn=\"a\""));
  /* ...and publishes a's key in the revoked-key list computing parties load. */
  g_autofree char *keys = NULL;
  const char *rk[] = { g_getenv ("JC_RELAY_BIN"), "-c", root->conf, "revoked-keys", NULL };
  g_assert_true (g_spawn_sync (NULL, (char **) rk, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL,
                               NULL, &keys, NULL, &st, NULL));
  g_assert_true (g_spawn_check_wait_status (st, NULL));
  g_autofree char *a_path = g_strdup_printf ("%s/pki/a.pem", dir);
  g_autoptr(JcCert) a_cert = jc_cert_new_from_file (a_path, &error);
  g_assert_no_error (error);
  g_autoptr(JcRevocations) parsed = jc_revocations_new_from_json (keys, -1, &error);
  g_assert_no_error (error);
  g_assert_true (jc_revocations_is_key_revoked (parsed, jc_cert_get_key_id (a_cert),
                                                jc_time_now () + 1, NULL));
  g_object_unref (a);
  test_relay_free (org);
  test_relay_free (root);
  test_rm_rf (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_assert_true (jc_init (NULL));
  g_test_add_func ("/relay/links/refusals", test_refusals);
  g_test_add_func ("/relay/links/tree", test_tree);
  g_test_add_func ("/relay/links/rotation", test_rotation);
  g_test_add_func ("/relay/links/self-revocation", test_self_revocation);
  g_test_add_func ("/relay/links/relay-rotation", test_relay_rotation);
  return g_test_run ();
}
