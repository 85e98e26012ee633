#define G_LOG_DOMAIN "joconde-guest"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <sys/socket.h>

#include "jc-error.h"
#include "jc-guest-cta.h"
#include "jc-guest-server.h"

/* How long a new connection may take to send its first byte, which tells attested TLS
 * (a TLS record: 0x16) from plain HTTP. */
#define FIRST_BYTE_TIMEOUT_S 30

struct _JcGuestServer
{
  GObject         parent_instance;
  SoupServer     *soup;
  GSocketService *service;
  GMainContext   *context;
  JcGuestTask    *task;       /* NULL: health endpoint only (no verified agreement) */
  JcGuestState    state;
  char           *cta_hash;   /* SHA-256 of the agreement's bytes; NULL without one */
  guint16         port;
};

G_DEFINE_FINAL_TYPE (JcGuestServer, jc_guest_server, G_TYPE_OBJECT)

static void
reply_json (SoupServerMessage *msg, guint status, JsonBuilder *builder)
{
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  gsize len = 0;
  char *body;

  json_generator_set_root (gen, root);
  body = json_generator_to_data (gen, &len);
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, body, len);
}

static void
reply_error (SoupServerMessage *msg, guint status, const char *text)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "error");
  json_builder_add_string_value (b, text);
  json_builder_end_object (b);
  reply_json (msg, status, b);
}

/* GET /health: answers as soon as the orchestrator listens, so the cpd (and a person with
 * curl) can tell a booted VM from one still starting. It reveals nothing secret. */
static void
on_health (SoupServer        *server,
           SoupServerMessage *msg,
           const char        *path,
           GHashTable        *query,
           gpointer           user_data)
{
  JcGuestServer *self = user_data;
  const char *method = soup_server_message_get_method (msg);
  g_autoptr(JsonBuilder) b = NULL;

  if (!g_str_equal (path, "/health"))
    {
      reply_error (msg, SOUP_STATUS_NOT_FOUND, _("No such endpoint"));
      return;
    }
  if (method != SOUP_METHOD_GET && method != SOUP_METHOD_HEAD)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Allow", "GET, HEAD");
      reply_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, _("The health endpoint only answers GET"));
      return;
    }

  b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "state");
  json_builder_add_string_value (b, jc_guest_state_to_string (jc_guest_server_get_state (self)));
  json_builder_set_member_name (b, "version");
  json_builder_add_string_value (b, PACKAGE_VERSION);
  if (self->cta_hash != NULL)
    {
      json_builder_set_member_name (b, "cta_sha256");
      json_builder_add_string_value (b, self->cta_hash);
    }
  if (self->task != NULL)
    {
      json_builder_set_member_name (b, "task_id");
      json_builder_add_string_value (b, jc_guest_task_get_id (self->task));
      json_builder_set_member_name (b, "cta_hash");
      json_builder_add_string_value (b, jc_guest_task_get_cta_hash (self->task));
      json_builder_set_member_name (b, "party");
      json_builder_add_int_value (b, jc_guest_task_get_party (self->task));
      json_builder_set_member_name (b, "destroy");
      json_builder_add_boolean_value (b, jc_guest_task_destroy_requested (self->task));
    }
  json_builder_end_object (b);
  reply_json (msg, SOUP_STATUS_OK, b);
}

static JsonNode *
read_body (SoupServerMessage *msg, GError **error)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (body);
  g_autoptr(JsonParser) parser = json_parser_new ();

  if (g_bytes_get_size (bytes) > 1024 * 1024
      || !json_parser_load_from_data (parser, g_bytes_get_data (bytes, NULL),
                                      (gssize) g_bytes_get_size (bytes), error))
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, JC_ERROR, JC_ERROR_TOO_LARGE, _("The request is too large"));
      return NULL;
    }
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID, _("The request is not a JSON object"));
      return NULL;
    }
  return json_node_copy (json_parser_get_root (parser));
}

static guint
status_for (const GError *error)
{
  if (error->domain != JC_ERROR)
    return SOUP_STATUS_BAD_REQUEST;
  switch (error->code)
    {
    case JC_ERROR_DENIED:
    case JC_ERROR_BAD_SIGNATURE:
    case JC_ERROR_UNTRUSTED:
    case JC_ERROR_REVOKED:
      return SOUP_STATUS_FORBIDDEN;
    case JC_ERROR_EXISTS:
    case JC_ERROR_STATE:
      return SOUP_STATUS_CONFLICT;
    default:
      return SOUP_STATUS_BAD_REQUEST;
    }
}

static void
reply_ok (SoupServerMessage *msg)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "ok");
  json_builder_add_boolean_value (b, TRUE);
  json_builder_end_object (b);
  reply_json (msg, SOUP_STATUS_OK, b);
}

/* The cpd-facing requests (docs/guest.md "The cpd interface"). Plain HTTP is enough: what
 * they carry is either public (addresses, which attestation protects) or signed (control). */
static void
on_cpd (SoupServer        *server,
        SoupServerMessage *msg,
        const char        *path,
        GHashTable        *query,
        gpointer           user_data)
{
  JcGuestServer *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) body = NULL;
  JsonObject *o;

  if (soup_server_message_get_method (msg) != SOUP_METHOD_POST)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow", "POST");
      reply_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, _("This endpoint only answers POST"));
      return;
    }
  if (self->task == NULL)
    {
      reply_error (msg, SOUP_STATUS_CONFLICT, _("This orchestrator runs no verified agreement"));
      return;
    }
  body = read_body (msg, &error);
  if (body == NULL)
    {
      reply_error (msg, SOUP_STATUS_BAD_REQUEST, error->message);
      return;
    }
  o = json_node_get_object (body);
  if (g_str_equal (path, "/counterparts"))
    {
      JsonArray *a = json_object_has_member (o, "addresses")
                     && JSON_NODE_HOLDS_ARRAY (json_object_get_member (o, "addresses"))
                     ? json_object_get_array_member (o, "addresses") : NULL;
      g_autoptr(GPtrArray) addrs = g_ptr_array_new ();
      for (guint i = 0; a != NULL && i < json_array_get_length (a); i++)
        {
          JsonNode *n = json_array_get_element (a, i);
          if (JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING)
            g_ptr_array_add (addrs, (gpointer) json_node_get_string (n));
        }
      g_ptr_array_add (addrs, NULL);
      if (!jc_guest_task_set_counterparts (self->task, (const char *const *) addrs->pdata, &error))
        {
          reply_error (msg, status_for (error), error->message);
          return;
        }
    }
  else if (!jc_guest_task_control (self->task, json_object_get_member (o, "message"),
                                   json_object_get_member (o, "signature"), "cpd", &error))
    {
      reply_error (msg, status_for (error), error->message);
      return;
    }
  reply_ok (msg);
}

static void
on_unknown (SoupServer        *server,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  reply_error (msg, SOUP_STATUS_NOT_FOUND, _("No such endpoint"));
}

static void
jc_guest_server_finalize (GObject *object)
{
  JcGuestServer *self = JC_GUEST_SERVER (object);

  if (self->soup != NULL)
    soup_server_disconnect (self->soup);
  g_clear_object (&self->soup);
  g_free (self->cta_hash);
  if (self->service != NULL)
    g_socket_service_stop (self->service);
  g_clear_object (&self->service);
  g_clear_pointer (&self->context, g_main_context_unref);
  G_OBJECT_CLASS (jc_guest_server_parent_class)->finalize (object);
}

static void
jc_guest_server_class_init (JcGuestServerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = jc_guest_server_finalize;
}

static void
jc_guest_server_init (JcGuestServer *self)
{
  self->state = JC_GUEST_STATE_INITIALISATION;
  self->soup = soup_server_new ("server-header", "joconde-guest/" PACKAGE_VERSION " ", NULL);
  soup_server_add_handler (self->soup, "/health", on_health, self, NULL);
  soup_server_add_handler (self->soup, "/counterparts", on_cpd, self, NULL);
  soup_server_add_handler (self->soup, "/control", on_cpd, self, NULL);
  soup_server_add_handler (self->soup, NULL, on_unknown, self, NULL);
}

JcGuestServer *
jc_guest_server_new (GBytes *cta, JcGuestTask *task)
{
  JcGuestServer *self = g_object_new (JC_TYPE_GUEST_SERVER, NULL);

  if (cta != NULL)
    self->cta_hash = jc_guest_cta_hash (cta);
  self->task = task;
  self->context = g_main_context_ref_thread_default ();
  return self;
}

typedef struct {
  JcGuestServer     *self;
  GSocketConnection *conn;
} Incoming;

static gboolean
hand_to_soup (gpointer data)
{
  Incoming *in = data;
  g_autoptr(GSocketAddress) local = g_socket_connection_get_local_address (in->conn, NULL);
  g_autoptr(GSocketAddress) remote = g_socket_connection_get_remote_address (in->conn, NULL);

  soup_server_accept_iostream (in->self->soup, G_IO_STREAM (in->conn), local, remote, NULL);
  g_object_unref (in->conn);
  g_object_unref (in->self);
  g_free (in);
  return G_SOURCE_REMOVE;
}

static char *
describe_remote (GSocketConnection *conn)
{
  g_autoptr(GSocketAddress) remote = g_socket_connection_get_remote_address (conn, NULL);
  if (G_IS_INET_SOCKET_ADDRESS (remote))
    {
      g_autofree char *ip = g_inet_address_to_string (
        g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (remote)));
      return g_strdup_printf ("%s:%u", ip,
                              g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (remote)));
    }
  return g_strdup ("unknown");
}

/* One connection: attested TLS (the IO protocol or a counterpart's link), or plain HTTP
 * (health and the cpd's requests), told apart by the first byte. */
static gpointer
connection_thread (gpointer data)
{
  Incoming *in = data;
  GSocket *sock = g_socket_connection_get_socket (in->conn);
  guint8 first = 0;
  gssize n = -1;

  if (g_socket_condition_timed_wait (sock, G_IO_IN, FIRST_BYTE_TIMEOUT_S * G_USEC_PER_SEC, NULL,
                                     NULL))
    n = recv (g_socket_get_fd (sock), &first, 1, MSG_PEEK);
  if (n == 1 && first == 0x16 && in->self->task != NULL)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *remote = describe_remote (in->conn);
      g_autoptr(JcAtlsSession) session =
        jc_atls_server_handshake (jc_guest_task_get_atls (in->self->task), G_IO_STREAM (in->conn),
                                  NULL, &error);
      if (session != NULL)
        {
          /* requests may wait for a long time between them: no handshake timeout now */
          g_socket_set_timeout (sock, 0);
          jc_guest_task_serve_session (in->self->task, session, remote);
        }
      else
        g_debug ("attested handshake with %s failed: %s", remote, error->message);
      g_object_unref (in->conn);
      g_object_unref (in->self);
      g_free (in);
      return NULL;
    }
  if (n == 1 && first != 0x16)
    {
      g_main_context_invoke (in->self->context, hand_to_soup, in);
      return NULL;
    }
  g_io_stream_close (G_IO_STREAM (in->conn), NULL, NULL);
  g_object_unref (in->conn);
  g_object_unref (in->self);
  g_free (in);
  return NULL;
}

static gboolean
on_incoming (GSocketService *service, GSocketConnection *conn, GObject *source, gpointer data)
{
  Incoming *in = g_new0 (Incoming, 1);

  in->self = g_object_ref (data);
  in->conn = g_object_ref (conn);
  g_thread_unref (g_thread_new ("connection", connection_thread, in));
  return TRUE;
}

/* Splits "HOST:PORT" or "[HOST]:PORT" into an address object; only numeric hosts are
 * accepted, because the VM has no resolver and a listen address must not depend on DNS. */
static GSocketAddress *
parse_listen_address (const char *text, GError **error)
{
  g_autofree char *host = NULL;
  g_autoptr(GInetAddress) inet = NULL;
  const char *colon = strrchr (text, ':');
  const char *port_text;
  guint64 port = 0;

  if (colon == NULL || colon == text)
    goto bad;
  port_text = colon + 1;
  if (text[0] == '[')
    {
      if (colon[-1] != ']')
        goto bad;
      host = g_strndup (text + 1, (gsize) (colon - text - 2));
    }
  else
    host = g_strndup (text, (gsize) (colon - text));
  if (!g_ascii_string_to_unsigned (port_text, 10, 0, 65535, &port, NULL))
    goto bad;
  inet = g_inet_address_new_from_string (host);
  if (inet == NULL)
    goto bad;
  return g_inet_socket_address_new (inet, (guint16) port);

bad:
  g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
               _("The listen address “%s” is not of the form ADDRESS:PORT with a numeric address"),
               text);
  return NULL;
}

gboolean
jc_guest_server_listen (JcGuestServer *self, const char *address, GError **error)
{
  g_autoptr(GSocketAddress) sa = NULL;
  g_autoptr(GError) local = NULL;
  g_autoptr(GSocketAddress) effective = NULL;

  g_return_val_if_fail (JC_IS_GUEST_SERVER (self), FALSE);
  g_return_val_if_fail (address != NULL, FALSE);

  sa = parse_listen_address (address, error);
  if (sa == NULL)
    return FALSE;
  self->service = g_socket_service_new ();
  if (!g_socket_listener_add_address (G_SOCKET_LISTENER (self->service), sa,
                                      G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL,
                                      &effective, &local))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_IO,
                   _("Cannot listen on %s: %s"), address, local->message);
      return FALSE;
    }
  self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  g_signal_connect (self->service, "incoming", G_CALLBACK (on_incoming), self);
  g_socket_service_start (self->service);
  return TRUE;
}

guint16
jc_guest_server_get_port (JcGuestServer *self)
{
  g_return_val_if_fail (JC_IS_GUEST_SERVER (self), 0);
  return self->port;
}

JcGuestState
jc_guest_server_get_state (JcGuestServer *self)
{
  g_return_val_if_fail (JC_IS_GUEST_SERVER (self), JC_GUEST_STATE_CANCELLED);
  return self->task != NULL ? jc_guest_task_get_state (self->task) : self->state;
}
