#define G_LOG_DOMAIN "joconde-guest"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "jc-error.h"
#include "jc-guest-cta.h"
#include "jc-guest-server.h"

struct _JcGuestServer
{
  GObject       parent_instance;
  SoupServer   *soup;
  JcGuestState  state;
  char         *cta_hash;   /* NULL when started without an agreement */
  guint16       port;
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
  json_builder_add_string_value (b, jc_guest_state_to_string (self->state));
  json_builder_set_member_name (b, "version");
  json_builder_add_string_value (b, PACKAGE_VERSION);
  if (self->cta_hash != NULL)
    {
      json_builder_set_member_name (b, "cta_sha256");
      json_builder_add_string_value (b, self->cta_hash);
    }
  json_builder_end_object (b);
  reply_json (msg, SOUP_STATUS_OK, b);
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
  soup_server_add_handler (self->soup, NULL, on_unknown, self, NULL);
}

JcGuestServer *
jc_guest_server_new (GBytes *cta)
{
  JcGuestServer *self = g_object_new (JC_TYPE_GUEST_SERVER, NULL);

  if (cta != NULL)
    self->cta_hash = jc_guest_cta_hash (cta);
  return self;
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
  GSList *uris;

  g_return_val_if_fail (JC_IS_GUEST_SERVER (self), FALSE);
  g_return_val_if_fail (address != NULL, FALSE);

  sa = parse_listen_address (address, error);
  if (sa == NULL)
    return FALSE;
  if (!soup_server_listen (self->soup, sa, 0, &local))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_IO,
                   _("Cannot listen on %s: %s"), address, local->message);
      return FALSE;
    }
  uris = soup_server_get_uris (self->soup);
  if (uris != NULL)
    self->port = (guint16) g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
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
  return self->state;
}
