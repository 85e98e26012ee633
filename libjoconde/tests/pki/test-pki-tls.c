#define G_LOG_DOMAIN "joconde-test"
#include "config.h"

/* Mutual TLS with certificates of the tree, through GIO's GnuTLS backend (what the
 * relay and its children use): a relay certificate with host 127.0.0.1 and a desktop
 * node certificate, each with its chain, both checked against the pinned root. */
#include <gio/gio.h>
#include <sys/socket.h>

#include "pki-fixture.h"

typedef struct {
  GMainLoop *loop;
  int        pending;
  GError    *server_error, *client_error;
  guint      timeout;
} Handshakes;

static gboolean
too_slow (gpointer data)
{
  g_error ("TLS handshake did not finish within 30 seconds");
  return G_SOURCE_REMOVE;
}

static GTlsCertificate *
tls_identity (GPtrArray *chain, JcNodeKey *key)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcSecret) key_pem = jc_node_key_export_pem (key, &error);
  g_autofree char *chain_pem = jc_cert_list_to_pem (chain);
  g_autofree char *all = NULL;
  GTlsCertificate *cert;

  g_assert_no_error (error);
  all = g_strdup_printf ("%s%.*s", chain_pem, (int) key_pem->len, (const char *) key_pem->data);
  cert = g_tls_certificate_new_from_pem (all, -1, &error);
  g_assert_no_error (error);
  jc_secret_wipe (all, strlen (all));
  return cert;
}

static void
stream_pair (GIOStream **a, GIOStream **b)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) sa = NULL, sb = NULL;
  int fds[2];

  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), ==, 0);
  sa = g_socket_new_from_fd (fds[0], &error);
  g_assert_no_error (error);
  sb = g_socket_new_from_fd (fds[1], &error);
  g_assert_no_error (error);
  *a = G_IO_STREAM (g_socket_connection_factory_create_connection (sa));
  *b = G_IO_STREAM (g_socket_connection_factory_create_connection (sb));
}

static gboolean
accept_only_verified (GTlsConnection *conn, GTlsCertificate *peer, GTlsCertificateFlags errors,
                      gpointer data)
{
  /* The relay's rule (docs/pki.md): a peer is accepted only when GnuTLS found nothing wrong. */
  return errors == 0;
}

static void
done (GObject *source, GAsyncResult *res, gpointer data)
{
  Handshakes *h = data;
  GError **slot = G_IS_TLS_SERVER_CONNECTION (source) ? &h->server_error : &h->client_error;

  if (!g_tls_connection_handshake_finish (G_TLS_CONNECTION (source), res, slot))
    g_io_stream_close (G_IO_STREAM (source), NULL, NULL); /* so the peer stops waiting */
  if (--h->pending == 0)
    g_main_loop_quit (h->loop);
}

/* Runs one handshake; returns the two connections (unref'd by the caller). */
static void
handshake (GTlsCertificate *server_id, GTlsCertificate *client_id, GTlsDatabase *db,
           const char *expected_host, Handshakes *h, GTlsConnection **server_out,
           GTlsConnection **client_out)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GIOStream) a = NULL, b = NULL;
  g_autoptr(GSocketConnectable) id = g_network_address_new (expected_host, 443);
  GIOStream *server, *client;

  stream_pair (&a, &b);
  server = g_tls_server_connection_new (a, server_id, &error);
  g_assert_no_error (error);
  g_object_set (server, "authentication-mode", G_TLS_AUTHENTICATION_REQUIRED, NULL);
  g_tls_connection_set_database (G_TLS_CONNECTION (server), db);
  g_signal_connect (server, "accept-certificate", G_CALLBACK (accept_only_verified), NULL);
  client = g_tls_client_connection_new (b, id, &error);
  g_assert_no_error (error);
  g_tls_connection_set_certificate (G_TLS_CONNECTION (client), client_id);
  g_tls_connection_set_database (G_TLS_CONNECTION (client), db);

  h->loop = g_main_loop_new (NULL, FALSE);
  h->pending = 2;
  h->timeout = g_timeout_add_seconds (30, too_slow, h);
  g_tls_connection_handshake_async (G_TLS_CONNECTION (server), G_PRIORITY_DEFAULT, NULL, done, h);
  g_tls_connection_handshake_async (G_TLS_CONNECTION (client), G_PRIORITY_DEFAULT, NULL, done, h);
  g_main_loop_run (h->loop);
  g_source_remove (h->timeout);
  g_main_loop_unref (h->loop);
  *server_out = G_TLS_CONNECTION (server);
  *client_out = G_TLS_CONNECTION (client);
}

static void
test_mutual_tls (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = test_tmpdir_new ("jc-pki-XXXXXX");
  g_autofree char *root_path = g_build_filename (dir, "root.pem", NULL);
  g_autofree char *root_pem = NULL;
  g_autoptr(JcNodeKey) relay_key = tree_key ();
  g_autoptr(JcNodeKey) stranger_root_key = tree_key ();
  g_autoptr(JcNodeKey) stranger_key = tree_key ();
  g_autoptr(JcNodeIdentity) id = jc_node_identity_new ("Statistics Office", "Operations",
                                                       "relay@so.example.org", "root-relay");
  const char *hosts[] = { "127.0.0.1", NULL };
  g_autoptr(JcCsr) csr = NULL;
  g_autoptr(JcCert) relay = NULL, stranger_root = NULL, stranger = NULL;
  g_autoptr(GPtrArray) relay_chain = NULL, leaf_chain = NULL, stranger_chain = NULL;
  g_autoptr(GTlsDatabase) db = NULL;
  g_autoptr(GTlsCertificate) server_id = NULL, client_id = NULL, stranger_id = NULL;
  JcValidity v;
  Tree t;

  g_assert_true (g_tls_backend_supports_tls (g_tls_backend_get_default ()));
  tree_init (&t);
  jc_validity_init_months (&v, t.now, 6, 18);
  jc_node_identity_set_hosts (id, hosts);
  csr = jc_csr_new (relay_key, id, JC_ROLE_RELAY, &error);
  relay = jc_ca_issue (t.root_key, t.root, csr, JC_ROLE_RELAY, &v, &error);
  g_assert_no_error (error);
  root_pem = jc_cert_to_pem (t.root);
  g_file_set_contents (root_path, root_pem, -1, &error);
  g_assert_no_error (error);
  db = g_tls_file_database_new (root_path, &error);
  g_assert_no_error (error);

  relay_chain = chain_of (relay, NULL);
  leaf_chain = chain_of (t.leaf, t.org, t.so, NULL);
  server_id = tls_identity (relay_chain, relay_key);
  client_id = tls_identity (leaf_chain, t.leaf_key);

  /* Both sides verify each other. */
  {
    Handshakes h = { 0 };
    g_autoptr(GTlsConnection) server = NULL, client = NULL;
    GTlsCertificate *seen;
    g_autoptr(JcCert) seen_cert = NULL;
    g_autofree char *seen_pem = NULL;

    handshake (server_id, client_id, db, "127.0.0.1", &h, &server, &client);
    g_assert_no_error (h.server_error);
    g_assert_no_error (h.client_error);
    g_assert_cmpint (g_tls_connection_get_peer_certificate_errors (server), ==, 0);
    g_assert_cmpint (g_tls_connection_get_peer_certificate_errors (client), ==, 0);
    /* The relay reads the child's identity from the certificate it received. */
    seen = g_tls_connection_get_peer_certificate (server);
    g_assert_nonnull (seen);
    g_object_get (seen, "certificate-pem", &seen_pem, NULL);
    seen_cert = jc_cert_new_from_pem (seen_pem, -1, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (jc_cert_get_name (seen_cert), ==, "desk-1");
    g_assert_true (jc_cert_has_roles (seen_cert, JC_ROLE_ORGANISER));
  }

  /* The client expects another host: refused. */
  {
    Handshakes h = { 0 };
    g_autoptr(GTlsConnection) server = NULL, client = NULL;

    handshake (server_id, client_id, db, "10.1.2.3", &h, &server, &client);
    g_assert_nonnull (h.client_error);
    g_clear_error (&h.client_error);
    g_clear_error (&h.server_error);
  }

  /* A client of another tree: refused by the relay. */
  stranger_root = tree_root (stranger_root_key, "Other JOCONDE root CA", t.now);
  stranger = tree_issue (stranger_root_key, stranger_root, stranger_key, "Bank Z", NULL,
                         "joconde@bank-z.example", "desk-z", JC_ROLE_ORGANISER, &v);
  stranger_chain = chain_of (stranger, NULL);
  stranger_id = tls_identity (stranger_chain, stranger_key);
  {
    Handshakes h = { 0 };
    g_autoptr(GTlsConnection) server = NULL, client = NULL;

    handshake (server_id, stranger_id, db, "127.0.0.1", &h, &server, &client);
    g_assert_nonnull (h.server_error);
    g_clear_error (&h.client_error);
    g_clear_error (&h.server_error);
  }
  test_tmpdir_remove (dir);
  tree_clear (&t);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_assert_true (jc_init (NULL));
  g_test_add_func ("/pki/tls/mutual", test_mutual_tls);
  return g_test_run ();
}
