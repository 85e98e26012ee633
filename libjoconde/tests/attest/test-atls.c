#define G_LOG_DOMAIN "joconde-test"
#include "config.h"

#include <sodium.h>
#include <string.h>

#include "jc-atls.h"
#include "jc-encoding.h"
#include "jc-error.h"
#include "jc-init.h"
#include "jc-tee-sim.h"

/* Attested TLS over loopback, with the simulated TEE on both ends: real TLS 1.3 through
 * glib-networking, real exporter bindings, real Ed25519 signatures. */

typedef struct {
  JcSecret        *sim_key;
  guint8           sim_pk[32];
  guint8           m_vm[48];      /* the serving VM's measurement */
  guint8           m_peer[48];    /* the connecting VM's measurement (VM-to-VM) */
  guint8           cta[32];
  JcSecret        *pak;
  guint8           pak_pk[32];
  GTlsCertificate *identity;
  JcTeeProvider   *provider;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  f->sim_key = jc_tee_sim_key_new ();
  jc_tee_sim_key_get_public (f->sim_key, f->sim_pk);
  randombytes_buf (f->m_vm, sizeof f->m_vm);
  randombytes_buf (f->m_peer, sizeof f->m_peer);
  randombytes_buf (f->cta, sizeof f->cta);
  f->pak = jc_secret_new (crypto_sign_SECRETKEYBYTES);
  crypto_sign_keypair (f->pak_pk, f->pak->data);
  f->identity = jc_atls_identity_new ("joconde-ct-vm", g_get_real_time () / G_USEC_PER_SEC + 3600, &error);
  g_assert_no_error (error);
  f->provider = jc_tee_provider_new_sim (f->sim_key, f->m_vm);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  jc_secret_free (f->sim_key);
  jc_secret_free (f->pak);
  g_object_unref (f->identity);
  g_object_unref (f->provider);
}

/* The client's policy: the sim platform, one measurement, the host's simulator key. */
static void
client_policy (Fixture *f, JcTeePolicy *policy, JcTeePlatform platform, const guint8 *measurement)
{
  jc_tee_policy_init (policy, platform);
  jc_tee_policy_add_measurement (policy, measurement);
  jc_tee_policy_add_sim_key (policy, f->sim_pk);
}

static gboolean
accept_any (GTlsConnection *conn, GTlsCertificate *peer, GTlsCertificateFlags errors, gpointer data)
{
  return TRUE;
}

/* ---- A server on 127.0.0.1 in its own thread ---- */

typedef struct {
  GSocketListener *listener;
  guint16          port;
  char            *address;
  JcAtlsServer    *server;
  JcAtlsSession   *session;
  GError          *error;
  GThread         *thread;
  /* A fake server instead: TLS with this identity, then sends this message. */
  GTlsCertificate *fake_identity;
  JsonNode        *fake_evidence;
} Server;

static void
listen_loopback (Server *s)
{
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) addr = g_inet_socket_address_new (lo, 0);
  g_autoptr(GSocketAddress) effective = NULL;
  g_autoptr(GError) error = NULL;

  s->listener = g_socket_listener_new ();
  g_assert_true (g_socket_listener_add_address (s->listener, addr, G_SOCKET_TYPE_STREAM,
                                                G_SOCKET_PROTOCOL_TCP, NULL, &effective, &error));
  g_assert_no_error (error);
  s->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  s->address = g_strdup_printf ("127.0.0.1:%u", s->port);
}

static void
fake_server_run (Server *s, GSocketConnection *conn)
{
  g_autoptr(GIOStream) tls = g_tls_server_connection_new (G_IO_STREAM (conn), s->fake_identity, &s->error);
  g_autoptr(JsonNode) hello = NULL, rest = NULL;

  if (tls == NULL || !g_tls_connection_handshake (G_TLS_CONNECTION (tls), NULL, &s->error))
    return;
  hello = jc_atls_frame_read (tls, 0, NULL, &s->error);
  if (hello == NULL || !jc_atls_frame_write (tls, s->fake_evidence, NULL, &s->error))
    return;
  rest = jc_atls_frame_read (tls, 0, NULL, &s->error); /* the client's atls-abort */
  if (rest)
    g_assert_cmpstr (json_object_get_string_member (json_node_get_object (rest), "type"), ==, "atls-abort");
}

static gpointer
server_thread (gpointer data)
{
  Server *s = data;
  g_autoptr(GSocketConnection) conn = g_socket_listener_accept (s->listener, NULL, NULL, &s->error);

  if (conn == NULL)
    return NULL;
  if (s->fake_identity)
    {
      fake_server_run (s, conn);
      return NULL;
    }
  s->session = jc_atls_server_handshake (s->server, G_IO_STREAM (conn), NULL, &s->error);
  if (s->session)
    {
      /* Echo one application message over the attested stream. */
      GIOStream *stream = jc_atls_session_get_stream (s->session);
      g_autoptr(JsonNode) msg = jc_atls_frame_read (stream, 0, NULL, &s->error);
      if (msg)
        jc_atls_frame_write (stream, msg, NULL, &s->error);
    }
  return NULL;
}

static void
server_start (Server *s, JcAtlsServer *server)
{
  memset (s, 0, sizeof *s);
  s->server = server ? g_object_ref (server) : NULL;
  listen_loopback (s);
}

static void
server_go (Server *s)
{
  s->thread = g_thread_new ("atls-server", server_thread, s);
}

static void
server_wait (Server *s)
{
  if (s->thread)
    g_thread_join (s->thread);
  s->thread = NULL;
}

static void
server_stop (Server *s)
{
  server_wait (s);
  g_socket_listener_close (s->listener);
  g_clear_object (&s->listener);
  g_clear_object (&s->server);
  g_clear_object (&s->session);
  g_clear_error (&s->error);
  g_clear_pointer (&s->fake_evidence, json_node_unref);
  g_free (s->address);
}

static void
assert_error_says (const GError *error, int code, const char *fragment)
{
  g_assert_nonnull (error);
  if (error->domain != JC_ERROR || error->code != code || strstr (error->message, fragment) == NULL)
    g_error ("expected JC_ERROR %d with “%s”, got %s %d “%s”", code, fragment,
             g_quark_to_string (error->domain), error->code, error->message);
}

static JcAtlsServer *
make_server (Fixture *f, const guint8 *cta)
{
  JcAtlsServer *server = jc_atls_server_new (f->identity, f->provider, cta, 32);

  jc_atls_server_set_timeout (server, 10);
  return server;
}

/* A client that attests the serving VM; it has no credential yet (a PAK, or a VM's own). */
static JcAtlsClient *
new_client (Fixture *f, JcTeePlatform platform, const guint8 *measurement, const guint8 *cta)
{
  JcTeePolicy policy;
  JcAtlsClient *client;

  client_policy (f, &policy, platform, measurement);
  client = jc_atls_client_new (&policy, cta, 32);
  jc_tee_policy_clear (&policy);
  jc_atls_client_set_timeout (client, 10);
  return client;
}

static JcAtlsClient *
make_client (Fixture *f, JcTeePlatform platform, const guint8 *measurement, const guint8 *cta)
{
  JcAtlsClient *client = new_client (f, platform, measurement, cta);

  jc_atls_client_set_pak (client, f->pak);
  return client;
}

/* Connects CLIENT to a server running SERVER; returns the client's session or error. */
static JcAtlsSession *
run_pair (Server *s, JcAtlsClient *client, GError **error)
{
  server_go (s);
  return jc_atls_client_connect (client, s->address, NULL, error);
}

/* Connects CLIENT to the server started in S and asserts that the client is refused with
 * CODE and a message holding FRAGMENT. S is left for the caller to check and stop. */
static void
assert_refused (Server *s, JcAtlsClient *client, int code, const char *fragment)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcAtlsSession) session = run_pair (s, client, &error);

  g_assert_null (session);
  assert_error_says (error, code, fragment);
}

static void
test_success (Fixture *f, gconstpointer data)
{
  g_autoptr(JcAtlsServer) server = make_server (f, f->cta);
  g_autoptr(JcAtlsClient) client = make_client (f, JC_TEE_PLATFORM_SIM, f->m_vm, f->cta);
  g_autoptr(JcAtlsSession) session = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) ping = json_from_string ("{\"type\":\"ping\",\"n\":42}", NULL);
  g_autoptr(JsonNode) pong = NULL;
  const JcTeeVerdict *v;
  Server s;

  jc_atls_server_add_pak (server, f->pak_pk);
  server_start (&s, server);
  session = run_pair (&s, client, &error);
  g_assert_no_error (error);
  g_assert_nonnull (session);

  /* The client knows what it talks to. */
  v = jc_atls_session_get_peer_verdict (session);
  g_assert_nonnull (v);
  g_assert_true (v->simulated);
  g_assert_cmpmem (v->measurement, 48, f->m_vm, 48);
  g_assert_null (jc_atls_session_get_peer_pak (session));
  g_assert_true (G_IS_TLS_CONNECTION (jc_atls_session_get_stream (session)));

  /* The application protocol runs on the attested stream. */
  g_assert_true (jc_atls_frame_write (jc_atls_session_get_stream (session), ping, NULL, &error));
  pong = jc_atls_frame_read (jc_atls_session_get_stream (session), 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (json_node_equal (ping, pong));

  server_wait (&s);
  g_assert_no_error (s.error);
  g_assert_nonnull (s.session);
  /* The server knows which PAK it talks to, over the same binding. */
  g_assert_cmpmem (jc_atls_session_get_peer_pak (s.session), 32, f->pak_pk, 32);
  g_assert_null (jc_atls_session_get_peer_verdict (s.session));
  g_assert_cmpmem (jc_atls_session_get_binding (s.session), 32, jc_atls_session_get_binding (session), 32);
  server_stop (&s);
}

/* A client or a server that does not get what the task says: the client is refused, and
 * (where SERVER_CODE is set) the VM learns why. */
typedef struct {
  JcTeePlatform platform;          /* what the client's policy expects */
  gboolean      peer_measurement;  /* the client expects another measurement than the VM's */
  gboolean      other_cta;         /* the VM enforces another agreement */
  gboolean      other_pak;         /* the VM allows another PAK than the client's */
  int           client_code;
  const char   *client_says[2];    /* fragments of the client's error (NULL: none more) */
  int           server_code;       /* 0: the VM's error is not checked */
  const char   *server_says;
} Refusal;

static const Refusal refusal_other_cta = {
  JC_TEE_PLATFORM_SIM, FALSE, TRUE, FALSE,
  JC_ERROR_UNTRUSTED, { "enforces another agreement" }, 0, NULL,
};
static const Refusal refusal_other_measurement = {
  JC_TEE_PLATFORM_SIM, TRUE, FALSE, FALSE,
  JC_ERROR_UNTRUSTED, { "not among the task’s TEE measurements" },
  JC_ERROR_DENIED, "not among the task’s TEE measurements",
};
static const Refusal refusal_sim_for_real_platform = {
  JC_TEE_PLATFORM_SEV_SNP, FALSE, FALSE, FALSE,
  JC_ERROR_UNTRUSTED, { "simulated TEE — not confidential", "sev-snp" }, 0, NULL,
};
static const Refusal refusal_pak_not_allowed = {
  JC_TEE_PLATFORM_SIM, FALSE, FALSE, TRUE,
  JC_ERROR_DENIED, { "is not one of this task’s custodians or analysts" },
  JC_ERROR_DENIED, "is not one of this task’s custodians or analysts",
};

static void
test_refused (Fixture *f, gconstpointer data)
{
  const Refusal *r = data;
  guint8 cta[32], pak[32];
  g_autoptr(JcAtlsServer) server = NULL;
  g_autoptr(JcAtlsClient) client = make_client (f, r->platform,
                                                r->peer_measurement ? f->m_peer : f->m_vm, f->cta);
  g_autoptr(GError) error = NULL;
  g_autoptr(JcAtlsSession) session = NULL;
  Server s;

  memcpy (cta, f->cta, 32);
  if (r->other_cta)
    cta[31] ^= 0x80;
  memcpy (pak, f->pak_pk, 32);
  if (r->other_pak)
    randombytes_buf (pak, sizeof pak);
  server = make_server (f, cta);
  jc_atls_server_add_pak (server, pak);
  server_start (&s, server);
  session = run_pair (&s, client, &error);
  g_assert_null (session);
  for (guint i = 0; i < G_N_ELEMENTS (r->client_says) && r->client_says[i]; i++)
    assert_error_says (error, r->client_code, r->client_says[i]);
  if (r->server_code)
    {
      server_wait (&s);
      assert_error_says (s.error, r->server_code, r->server_says);
      g_assert_null (s.session);
    }
  server_stop (&s);
}

static gboolean
pak_check_cb (const guint8 *pak, gpointer user_data, GError **error)
{
  Fixture *f = user_data;

  if (memcmp (pak, f->pak_pk, 32) == 0)
    return TRUE;
  g_set_error (error, JC_ERROR, JC_ERROR_DENIED, "policy says no");
  return FALSE;
}

static void
test_pak_callback (Fixture *f, gconstpointer data)
{
  g_autoptr(JcAtlsServer) server = make_server (f, f->cta);
  g_autoptr(JcAtlsClient) client = make_client (f, JC_TEE_PLATFORM_SIM, f->m_vm, f->cta);
  g_autoptr(JcAtlsClient) stranger = make_client (f, JC_TEE_PLATFORM_SIM, f->m_vm, f->cta);
  g_autoptr(JcSecret) other = jc_secret_new (crypto_sign_SECRETKEYBYTES);
  g_autoptr(JcAtlsSession) session = NULL;
  g_autoptr(GError) error = NULL;
  guint8 other_pk[32];
  Server s;

  jc_atls_server_set_pak_check (server, pak_check_cb, f, NULL);
  server_start (&s, server);
  session = run_pair (&s, client, &error);
  g_assert_no_error (error);
  g_clear_object (&session); /* closes the connection: the server's echo read ends */
  server_stop (&s);

  crypto_sign_keypair (other_pk, other->data);
  jc_atls_client_set_pak (stranger, other);
  server_start (&s, server);
  assert_refused (&s, stranger, JC_ERROR_DENIED, "policy says no");
  server_stop (&s);
}

/* A plain TLS client (no attestation) connected to ADDRESS, whatever its certificate. */
static GIOStream *
raw_tls_connect (const char *address)
{
  g_autoptr(GSocketClient) sc = g_socket_client_new ();
  g_autoptr(GSocketConnection) conn = NULL;
  g_autoptr(GError) error = NULL;
  GIOStream *tls;

  conn = g_socket_client_connect_to_host (sc, address, 0, NULL, &error);
  g_assert_no_error (error);
  tls = g_tls_client_connection_new (G_IO_STREAM (conn), NULL, &error);
  g_assert_no_error (error);
  g_signal_connect (tls, "accept-certificate", G_CALLBACK (accept_any), NULL);
  g_assert_true (g_tls_connection_handshake (G_TLS_CONNECTION (tls), NULL, &error));
  return tls;
}

/* A server replays evidence it obtained on another connection to the real VM: same TLS key,
 * same CTA, genuine signature, but another channel binding. */
static void
test_replayed_evidence (Fixture *f, gconstpointer data)
{
  g_autoptr(JcAtlsServer) server = make_server (f, f->cta);
  g_autoptr(JcAtlsClient) client = make_client (f, JC_TEE_PLATFORM_SIM, f->m_vm, f->cta);
  g_autoptr(GError) error = NULL;
  g_autoptr(GIOStream) tls = NULL;
  g_autoptr(JsonNode) hello = json_from_string ("{\"type\":\"atls-hello\",\"version\":1,\"role\":\"client\"}", NULL);
  JsonNode *captured;
  Server real, fake;

  /* 1. Capture the VM's evidence on connection A. */
  server_start (&real, server);
  server_go (&real);
  tls = raw_tls_connect (real.address);
  g_assert_true (jc_atls_frame_write (tls, hello, NULL, &error));
  captured = jc_atls_frame_read (tls, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (captured), "type"), ==, "atls-evidence");
  g_io_stream_close (tls, NULL, NULL);
  server_stop (&real);

  /* 2. Replay it on connection B. */
  server_start (&fake, NULL);
  fake.fake_identity = f->identity;
  fake.fake_evidence = captured;
  assert_refused (&fake, client, JC_ERROR_UNTRUSTED, "report data does not match");
  server_stop (&fake);
}

/* A raw TLS client speaking to the VM: sends FRAME (or raw bytes), returns the VM's reply. */
static JsonNode *
raw_exchange (Server *s, const char *frame_json, const char *raw, gsize raw_len)
{
  g_autoptr(GIOStream) tls = raw_tls_connect (s->address);
  g_autoptr(GError) error = NULL;
  JsonNode *reply;

  if (frame_json)
    {
      g_autoptr(JsonNode) frame = json_from_string (frame_json, NULL);
      g_assert_true (jc_atls_frame_write (tls, frame, NULL, &error));
    }
  else
    g_assert_true (g_output_stream_write_all (g_io_stream_get_output_stream (tls), raw, raw_len,
                                              NULL, NULL, &error));
  reply = jc_atls_frame_read (tls, 0, NULL, NULL);
  g_io_stream_close (tls, NULL, NULL);
  return reply;
}

/* Hostile or foreign peers get a clear refusal (an atls-refused, or none for bytes that are
 * not a message) and the VM a clear error. */
static void
test_protocol_errors (Fixture *f, gconstpointer data)
{
  static const struct {
    const char *frame_json;   /* a message to send, or NULL for the raw bytes */
    const char *raw;
    gsize       raw_len;
    gboolean    refused;      /* the VM answers atls-refused */
    int         code;
    const char *says;
  } cases[] = {
    { "{\"type\":\"atls-hello\",\"version\":2,\"role\":\"client\"}", NULL, 0,
      TRUE, JC_ERROR_UNSUPPORTED, "version 1" },
    { "{\"type\":\"atls-hello\",\"version\":1,\"role\":\"admin\"}", NULL, 0,
      TRUE, JC_ERROR_INVALID, "unknown role" },
    /* A length over the hello limit, then garbage. */
    { NULL, "\x7f\xff\xff\xffgarbage", 11, FALSE, JC_ERROR_TOO_LARGE, "over the limit" },
    { NULL, "\x00\x00\x00\x05[1,2]", 9, FALSE, JC_ERROR_INVALID, "malformed message" },
  };
  g_autoptr(JcAtlsServer) server = make_server (f, f->cta);

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonNode) reply = NULL;
      Server s;

      server_start (&s, server);
      server_go (&s);
      reply = raw_exchange (&s, cases[i].frame_json, cases[i].raw, cases[i].raw_len);
      if (cases[i].refused)
        {
          g_assert_nonnull (reply);
          g_assert_cmpstr (json_object_get_string_member (json_node_get_object (reply), "type"), ==,
                           "atls-refused");
        }
      else
        g_assert_null (reply);
      server_wait (&s);
      assert_error_says (s.error, cases[i].code, cases[i].says);
      server_stop (&s);
    }
}

/* VM-to-VM: the connecting VM attests too. */
/* The VMs SERVER accepts connections from: those measured MEASUREMENT. */
static void
set_peer_policy (Fixture *f, JcAtlsServer *server, const guint8 *measurement)
{
  JcTeePolicy policy;

  client_policy (f, &policy, JC_TEE_PLATFORM_SIM, measurement);
  jc_atls_server_set_peer_policy (server, &policy);
  jc_tee_policy_clear (&policy);
}

static void
test_vm_to_vm (Fixture *f, gconstpointer data)
{
  g_autoptr(JcAtlsServer) server = make_server (f, f->cta);
  g_autoptr(JcAtlsClient) vm_a = new_client (f, JC_TEE_PLATFORM_SIM, f->m_vm, f->cta);
  g_autoptr(GTlsCertificate) identity_a = NULL;
  g_autoptr(JcTeeProvider) provider_a = jc_tee_provider_new_sim (f->sim_key, f->m_peer);
  g_autoptr(JcAtlsSession) session = NULL;
  g_autoptr(GError) error = NULL;
  Server s;

  identity_a = jc_atls_identity_new ("joconde-ct-vm-a", g_get_real_time () / G_USEC_PER_SEC + 3600, &error);
  g_assert_no_error (error);
  /* A client set up as a VM presents its identity and evidence instead of a PAK. */
  jc_atls_client_set_vm (vm_a, identity_a, provider_a);

  /* Without a peer policy the VM refuses other VMs. */
  server_start (&s, server);
  assert_refused (&s, vm_a, JC_ERROR_DENIED, "accepts no connections from other VMs");
  server_stop (&s);

  /* With one naming VM A's measurement, both attest. */
  set_peer_policy (f, server, f->m_peer);
  server_start (&s, server);
  session = run_pair (&s, vm_a, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (jc_atls_session_get_peer_verdict (session)->measurement, 48, f->m_vm, 48);
  {
    g_autoptr(JsonNode) ping = json_from_string ("{\"type\":\"ping\"}", NULL);
    g_autoptr(JsonNode) pong = NULL;
    g_assert_true (jc_atls_frame_write (jc_atls_session_get_stream (session), ping, NULL, &error));
    pong = jc_atls_frame_read (jc_atls_session_get_stream (session), 0, NULL, &error);
    g_assert_nonnull (pong);
  }
  server_wait (&s);
  g_assert_no_error (s.error);
  g_assert_nonnull (jc_atls_session_get_peer_verdict (s.session));
  g_assert_cmpmem (jc_atls_session_get_peer_verdict (s.session)->measurement, 48, f->m_peer, 48);
  g_assert_null (jc_atls_session_get_peer_pak (s.session));
  server_stop (&s);
  g_clear_object (&session);

  /* A peer policy naming another measurement refuses VM A. */
  set_peer_policy (f, server, f->m_vm);
  server_start (&s, server);
  assert_refused (&s, vm_a, JC_ERROR_DENIED, "The connecting VM failed attestation");
  server_stop (&s);
}

/* ---- The async API, as a main-loop program (the guest, the desktop app) uses it ---- */

typedef struct {
  GMainLoop     *loop;
  JcAtlsServer  *server;
  JcAtlsSession *server_session;
  JcAtlsSession *client_session;
  GError        *server_error;
  GError        *client_error;
  int            pending;
} AsyncRun;

static void
async_done (AsyncRun *r)
{
  if (--r->pending == 0)
    g_main_loop_quit (r->loop);
}

static void
server_done (GObject *source, GAsyncResult *res, gpointer data)
{
  AsyncRun *r = data;

  r->server_session = jc_atls_server_handshake_finish (JC_ATLS_SERVER (source), res, &r->server_error);
  async_done (r);
}

static gboolean
on_incoming (GSocketService *service, GSocketConnection *conn, GObject *source, gpointer data)
{
  AsyncRun *r = data;

  jc_atls_server_handshake_async (r->server, G_IO_STREAM (conn), NULL, server_done, r);
  return TRUE;
}

static void
client_done (GObject *source, GAsyncResult *res, gpointer data)
{
  AsyncRun *r = data;

  r->client_session = jc_atls_client_connect_finish (JC_ATLS_CLIENT (source), res, &r->client_error);
  async_done (r);
}

static void
test_async (Fixture *f, gconstpointer data)
{
  g_autoptr(JcAtlsServer) server = make_server (f, f->cta);
  g_autoptr(JcAtlsClient) client = make_client (f, JC_TEE_PLATFORM_SIM, f->m_vm, f->cta);
  g_autoptr(GSocketService) service = g_socket_service_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *address = NULL;
  AsyncRun r = { 0 };
  guint16 port;

  jc_atls_server_add_pak (server, f->pak_pk);
  port = g_socket_listener_add_any_inet_port (G_SOCKET_LISTENER (service), NULL, &error);
  g_assert_no_error (error);
  address = g_strdup_printf ("127.0.0.1:%u", port);
  r.loop = g_main_loop_new (NULL, FALSE);
  r.server = server;
  r.pending = 2;
  g_signal_connect (service, "incoming", G_CALLBACK (on_incoming), &r);
  g_socket_service_start (service);
  jc_atls_client_connect_async (client, address, NULL, client_done, &r);
  g_main_loop_run (r.loop);
  g_socket_service_stop (service);
  g_socket_listener_close (G_SOCKET_LISTENER (service));

  g_assert_no_error (r.client_error);
  g_assert_no_error (r.server_error);
  g_assert_cmpmem (jc_atls_session_get_peer_pak (r.server_session), 32, f->pak_pk, 32);
  g_assert_true (jc_atls_session_get_peer_verdict (r.client_session)->simulated);
  g_object_unref (r.server_session);
  g_object_unref (r.client_session);
  g_main_loop_unref (r.loop);
}

/* The report-data construction of docs/attestation.md, checked byte for byte. */
static void
test_report_data_vector (void)
{
  guint8 binding[32], spki[32], cta[32], rd[64];
  g_autoptr(GBytes) m = NULL;
  g_autofree char *hex = NULL;

  for (int i = 0; i < 32; i++)
    {
      binding[i] = (guint8) i;
      spki[i] = (guint8) (0x20 + i);
      cta[i] = (guint8) (0x40 + i);
    }
  m = jc_atls_binding_message (JC_ATLS_ROLE_SERVER, binding, spki, cta, 32);
  g_assert_cmpuint (g_bytes_get_size (m), ==, 15 + 1 + 1 + 32 + 32 + 1 + 32);
  g_assert_cmpmem (g_bytes_get_data (m, NULL), 17, "JOCONDE-ATLS-v1\0S", 17);
  jc_atls_report_data (JC_ATLS_ROLE_SERVER, binding, spki, cta, 32, rd);
  hex = jc_hex_encode (rd, 64);
  g_test_message ("report data of the worked example: %s", hex);
  /* Computed independently with Python's hashlib.sha512 over the same bytes. */
  g_assert_cmpstr (hex, ==, "15f25e50e39e282a70f4891543d63188cbceecd1d2e9656fe9dccf83728e41af"
                            "0fd6ddd0671aaf86dcdc2afb22d4891453fc568637ff35fe7fffb6a56005398f");
}

int
main (int argc, char **argv)
{
  jc_init (NULL);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/attest/atls/report-data-vector", test_report_data_vector);
  g_test_add ("/attest/atls/success", Fixture, NULL, fixture_setup, test_success, fixture_teardown);
  g_test_add ("/attest/atls/other-cta", Fixture, &refusal_other_cta, fixture_setup, test_refused, fixture_teardown);
  g_test_add ("/attest/atls/other-measurement", Fixture, &refusal_other_measurement, fixture_setup, test_refused,
              fixture_teardown);
  g_test_add ("/attest/atls/sim-refused-for-real-platform", Fixture, &refusal_sim_for_real_platform,
              fixture_setup, test_refused, fixture_teardown);
  g_test_add ("/attest/atls/pak-not-allowed", Fixture, &refusal_pak_not_allowed, fixture_setup, test_refused,
              fixture_teardown);
  g_test_add ("/attest/atls/pak-callback", Fixture, NULL, fixture_setup, test_pak_callback, fixture_teardown);
  g_test_add ("/attest/atls/replayed-evidence", Fixture, NULL, fixture_setup, test_replayed_evidence, fixture_teardown);
  g_test_add ("/attest/atls/vm-to-vm", Fixture, NULL, fixture_setup, test_vm_to_vm, fixture_teardown);
  g_test_add ("/attest/atls/protocol-errors", Fixture, NULL, fixture_setup, test_protocol_errors, fixture_teardown);
  g_test_add ("/attest/atls/async", Fixture, NULL, fixture_setup, test_async, fixture_teardown);
  return g_test_run ();
}
