#define G_LOG_DOMAIN "joconde-attest"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdarg.h>
#include <string.h>

#include "jc-atls-private.h"
#include "jc-encoding.h"
#include "jc-error.h"

struct _JcAtlsSession {
  GObject       parent_instance;
  GIOStream    *stream;
  guint8        binding[JC_ATLS_BINDING_SIZE];
  JcTeeVerdict *peer_verdict;
  gboolean      has_pak;
  guint8        peer_pak[JC_ATLS_PAK_SIZE];
};

G_DEFINE_FINAL_TYPE (JcAtlsSession, jc_atls_session, G_TYPE_OBJECT)

static void
jc_atls_session_finalize (GObject *object)
{
  JcAtlsSession *self = JC_ATLS_SESSION (object);

  g_clear_object (&self->stream);
  if (self->peer_verdict)
    {
      jc_tee_verdict_clear (self->peer_verdict);
      g_free (self->peer_verdict);
    }
  G_OBJECT_CLASS (jc_atls_session_parent_class)->finalize (object);
}

static void
jc_atls_session_class_init (JcAtlsSessionClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = jc_atls_session_finalize;
}

static void
jc_atls_session_init (JcAtlsSession *self)
{
}

JcAtlsSession *
jc_atls_session_new (GIOStream *stream, const guint8 *binding, JcTeeVerdict *peer_verdict,
                     const guint8 *peer_pak)
{
  JcAtlsSession *self = g_object_new (JC_TYPE_ATLS_SESSION, NULL);

  self->stream = g_object_ref (stream);
  memcpy (self->binding, binding, JC_ATLS_BINDING_SIZE);
  self->peer_verdict = peer_verdict;
  if (peer_pak)
    {
      self->has_pak = TRUE;
      memcpy (self->peer_pak, peer_pak, JC_ATLS_PAK_SIZE);
    }
  return self;
}

GIOStream *
jc_atls_session_get_stream (JcAtlsSession *self)
{
  g_return_val_if_fail (JC_IS_ATLS_SESSION (self), NULL);
  return self->stream;
}

const guint8 *
jc_atls_session_get_binding (JcAtlsSession *self)
{
  g_return_val_if_fail (JC_IS_ATLS_SESSION (self), NULL);
  return self->binding;
}

const JcTeeVerdict *
jc_atls_session_get_peer_verdict (JcAtlsSession *self)
{
  g_return_val_if_fail (JC_IS_ATLS_SESSION (self), NULL);
  return self->peer_verdict;
}

const guint8 *
jc_atls_session_get_peer_pak (JcAtlsSession *self)
{
  g_return_val_if_fail (JC_IS_ATLS_SESSION (self), NULL);
  return self->has_pak ? self->peer_pak : NULL;
}

/* ---- Helpers shared by both ends ---- */

JsonBuilder *
jc_atls_message_begin (const char *type)
{
  JsonBuilder *b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, type);
  return b;
}

JsonNode *
jc_atls_message_end (JsonBuilder *builder)
{
  JsonNode *root;

  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  g_object_unref (builder);
  return root;
}

const char *
jc_atls_message_get_string (JsonNode *message, const char *member)
{
  JsonNode *m = json_object_get_member (json_node_get_object (message), member);

  if (m == NULL || !JSON_NODE_HOLDS_VALUE (m) || json_node_get_value_type (m) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (m);
}

const char *
jc_atls_message_expect (JsonNode *message, GError **error, ...)
{
  const char *type = jc_atls_message_get_string (message, "type");
  const char *want;
  va_list ap;

  va_start (ap, error);
  while ((want = va_arg (ap, const char *)) != NULL)
    if (type && g_str_equal (type, want))
      {
        va_end (ap);
        return want;
      }
  va_end (ap);
  g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
               _("The peer does not follow the attested channel protocol (unexpected message "
                 "“%s”)"), type ? type : "?");
  return NULL;
}

GBytes *
jc_atls_message_get_bytes (JsonNode *message, const char *member, gsize len, gboolean at_most,
                           GError **error)
{
  const char *text = jc_atls_message_get_string (message, member);
  g_autoptr(GBytes) bytes = NULL;

  if (text != NULL)
    bytes = jc_base64url_decode (text, NULL);
  if (bytes == NULL || (at_most ? g_bytes_get_size (bytes) < 1 || g_bytes_get_size (bytes) > len
                                : g_bytes_get_size (bytes) != len))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("The peer’s message has no valid “%s”"), member);
      return NULL;
    }
  return g_steal_pointer (&bytes);
}

void
jc_atls_send_refusal (GIOStream *stream, const char *type, const GError *error)
{
  JsonBuilder *b = jc_atls_message_begin (type);
  g_autoptr(JsonNode) msg = NULL;

  json_builder_set_member_name (b, "reason");
  json_builder_add_string_value (b, error->message);
  msg = jc_atls_message_end (b);
  jc_atls_frame_write (stream, msg, NULL, NULL);
}

void
jc_atls_stream_set_timeout (GIOStream *base, guint seconds)
{
  if (G_IS_SOCKET_CONNECTION (base))
    g_socket_set_timeout (g_socket_connection_get_socket (G_SOCKET_CONNECTION (base)), seconds);
}

gboolean
jc_atls_accept_any_certificate (GTlsConnection *connection, GTlsCertificate *peer,
                                GTlsCertificateFlags errors, gpointer user_data)
{
  return TRUE;
}
