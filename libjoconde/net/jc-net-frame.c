#define G_LOG_DOMAIN "joconde-net"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <sodium.h>
#include <string.h>

#include "base/jc-encoding.h"
#include "base/jc-error.h"
#include "base/jc-time.h"
#include "jc-net-frame.h"

char *
jc_net_message_id_new (void)
{
  guint8 raw[16];
  randombytes_buf (raw, sizeof raw);
  return jc_hex_encode (raw, sizeof raw);
}

/* Node ids are certificate common names; we keep them to a plain alphabet so
 * they are safe in logs, SQL and file names. */
gboolean
jc_net_node_id_valid (const char *id)
{
  if (!id || !*id || strlen (id) > 128)
    return FALSE;
  for (const char *p = id; *p; p++)
    if (!g_ascii_isalnum (*p) && !strchr ("._:-", *p))
      return FALSE;
  return TRUE;
}

gboolean
jc_net_address_valid (const char *address)
{
  return g_strcmp0 (address, JC_NET_ADDRESS_ROOT) == 0 ||
         g_strcmp0 (address, JC_NET_ADDRESS_PARENT) == 0 ||
         jc_net_node_id_valid (address);
}

static gboolean
id_valid (const char *id)
{
  if (!id || strlen (id) != 32)
    return FALSE;
  for (const char *p = id; *p; p++)
    if (!g_ascii_isdigit (*p) && !(*p >= 'a' && *p <= 'f'))
      return FALSE;
  return TRUE;
}

void
jc_net_envelope_free (JcNetEnvelope *env)
{
  if (!env)
    return;
  g_free (env->id);
  g_free (env->from);
  g_strfreev (env->to);
  g_free (env->topic);
  g_free (env->created);
  if (env->body)
    json_node_unref (env->body);
  g_free (env->text);
  g_free (env);
}

JcNetEnvelope *
jc_net_envelope_new (const char *from, const char *const *to, const char *topic, JsonNode *body)
{
  JcNetEnvelope *env = g_new0 (JcNetEnvelope, 1);
  env->id = jc_net_message_id_new ();
  env->from = g_strdup (from);
  env->to = g_strdupv ((char **) to);
  env->topic = g_strdup (topic);
  env->created = jc_time_format (jc_time_now ());
  env->body = body ? json_node_copy (body) : json_node_new (JSON_NODE_NULL);

  g_autoptr(JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, env->id);
  json_builder_set_member_name (b, "from");
  json_builder_add_string_value (b, from);
  json_builder_set_member_name (b, "to");
  json_builder_begin_array (b);
  for (guint i = 0; to && to[i]; i++)
    json_builder_add_string_value (b, to[i]);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "topic");
  json_builder_add_string_value (b, topic);
  json_builder_set_member_name (b, "created");
  json_builder_add_string_value (b, env->created);
  json_builder_set_member_name (b, "body");
  json_builder_add_value (b, json_node_copy (env->body));
  json_builder_end_object (b);
  g_autoptr(JsonNode) root = json_builder_get_root (b);
  env->text = json_to_string (root, FALSE);
  return env;
}

static gboolean
invalid (GError **error, const char *what)
{
  g_set_error (error, JC_ERROR, JC_ERROR_INVALID, _("The message is malformed: %s"), what);
  return FALSE;
}

static const char *
member_string (JsonObject *o, const char *name)
{
  JsonNode *n = json_object_get_member (o, name);
  if (!n || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (n);
}

/* Reads an array of addresses; NULL (with error) when anything is off. */
static char **
member_addresses (JsonObject *o, const char *name, GError **error)
{
  JsonNode *n = json_object_get_member (o, name);
  if (!n || !JSON_NODE_HOLDS_ARRAY (n))
    {
      invalid (error, _("the recipient list is missing"));
      return NULL;
    }
  JsonArray *a = json_node_get_array (n);
  guint len = json_array_get_length (a);
  if (len == 0 || len > JC_NET_MAX_RECIPIENTS)
    {
      invalid (error, _("the recipient list is empty or too long"));
      return NULL;
    }
  g_autoptr(GStrvBuilder) sb = g_strv_builder_new ();
  for (guint i = 0; i < len; i++)
    {
      JsonNode *e = json_array_get_element (a, i);
      if (!JSON_NODE_HOLDS_VALUE (e) || json_node_get_value_type (e) != G_TYPE_STRING ||
          !jc_net_address_valid (json_node_get_string (e)))
        {
          invalid (error, _("a recipient is not a valid node address"));
          return NULL;
        }
      g_strv_builder_add (sb, json_node_get_string (e));
    }
  return g_strv_builder_end (sb);
}

static JsonNode *
parse_object (const char *text, gssize len, GError **error)
{
  g_autoptr(JsonParser) p = json_parser_new_immutable ();
  if (!g_utf8_validate (text, len, NULL))
    {
      invalid (error, _("not UTF-8 text"));
      return NULL;
    }
  if (!json_parser_load_from_data (p, text, len, NULL))
    {
      invalid (error, _("not JSON"));
      return NULL;
    }
  JsonNode *root = json_parser_get_root (p);
  if (!root || !JSON_NODE_HOLDS_OBJECT (root))
    {
      invalid (error, _("not a JSON object"));
      return NULL;
    }
  return json_node_copy (root);
}

JcNetEnvelope *
jc_net_envelope_parse (const char *text, gsize max_size, GError **error)
{
  gsize len = strlen (text);
  if (len > max_size)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_TOO_LARGE,
                   _("The message is larger than the limit of %zu bytes"), max_size);
      return NULL;
    }
  g_autoptr(JsonNode) root = parse_object (text, len, error);
  if (!root)
    return NULL;
  JsonObject *o = json_node_get_object (root);
  g_autoptr(JcNetEnvelope) env = g_new0 (JcNetEnvelope, 1);
  gint64 when;

  env->id = g_strdup (member_string (o, "id"));
  env->from = g_strdup (member_string (o, "from"));
  env->topic = g_strdup (member_string (o, "topic"));
  env->created = g_strdup (member_string (o, "created"));
  if (!id_valid (env->id))
    return invalid (error, _("the message id is not 32 lowercase hex digits")), NULL;
  if (!jc_net_node_id_valid (env->from))
    return invalid (error, _("the origin is not a valid node id")), NULL;
  if (!env->topic || !*env->topic || strlen (env->topic) > 128)
    return invalid (error, _("the topic is missing or too long")), NULL;
  if (!env->created || !jc_time_parse (env->created, &when, NULL))
    return invalid (error, _("the creation time is not an RFC 3339 time")), NULL;
  if (!(env->to = member_addresses (o, "to", error)))
    return NULL;
  JsonNode *body = json_object_get_member (o, "body");
  if (!body)
    return invalid (error, _("the body is missing")), NULL;
  env->body = json_node_copy (body);
  env->text = g_strndup (text, len);
  return g_steal_pointer (&env);
}

void
jc_net_frame_free (JcNetFrame *frame)
{
  if (!frame)
    return;
  g_free (frame->id);
  g_strfreev (frame->to);
  jc_net_envelope_free (frame->envelope);
  g_free (frame->code);
  g_free (frame->reason);
  g_free (frame);
}

JcNetFrame *
jc_net_frame_parse (const char *data, gsize len, gsize max_message, GError **error)
{
  if (len > max_message + 64 * 1024)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_TOO_LARGE, _("A frame on the link is too large"));
      return NULL;
    }
  g_autoptr(JsonNode) root = parse_object (data, len, error);
  if (!root)
    return NULL;
  JsonObject *o = json_node_get_object (root);
  const char *op = member_string (o, "op");
  g_autoptr(JcNetFrame) f = g_new0 (JcNetFrame, 1);
  f->id = g_strdup (member_string (o, "id"));
  if (!id_valid (f->id))
    return invalid (error, _("the frame has no valid message id")), NULL;
  JsonNode *seq = json_object_get_member (o, "seq");
  if (!seq || !JSON_NODE_HOLDS_VALUE (seq) || json_node_get_value_type (seq) != G_TYPE_INT64 ||
      json_node_get_int (seq) < 0)
    return invalid (error, _("the frame has no valid sequence number")), NULL;
  f->seq = json_node_get_int (seq);

  if (g_strcmp0 (op, "msg") == 0)
    {
      f->kind = JC_NET_FRAME_MSG;
      const char *text = member_string (o, "msg");
      if (!text)
        return invalid (error, _("the frame carries no message")), NULL;
      if (!(f->envelope = jc_net_envelope_parse (text, max_message, error)))
        return NULL;
      if (g_strcmp0 (f->envelope->id, f->id) != 0)
        return invalid (error, _("the frame and its message disagree on the id")), NULL;
      if (!(f->to = member_addresses (o, "to", error)))
        return NULL;
      /* A copy may only be for recipients the origin addressed. */
      for (guint i = 0; f->to[i]; i++)
        if (!g_strv_contains ((const char *const *) f->envelope->to, f->to[i]))
          return invalid (error, _("the frame names a recipient the message is not for")), NULL;
    }
  else if (g_strcmp0 (op, "ack") == 0)
    f->kind = JC_NET_FRAME_ACK;
  else if (g_strcmp0 (op, "nack") == 0)
    {
      f->kind = JC_NET_FRAME_NACK;
      f->code = g_strdup (member_string (o, "code"));
      f->reason = g_strdup (member_string (o, "reason"));
      if (!f->code)
        f->code = g_strdup ("failed");
    }
  else
    return invalid (error, _("unknown frame operation")), NULL;
  return g_steal_pointer (&f);
}

static char *
frame_text (JsonBuilder *b)
{
  json_builder_end_object (b);
  g_autoptr(JsonNode) root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}

static JsonBuilder *
frame_begin (const char *op, const char *id, gint64 seq)
{
  JsonBuilder *b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "op");
  json_builder_add_string_value (b, op);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, id);
  json_builder_set_member_name (b, "seq");
  json_builder_add_int_value (b, seq);
  return b;
}

char *
jc_net_frame_msg (gint64 seq, const char *const *to, const char *envelope_text)
{
  /* The id is read back from the envelope so the two can never disagree. */
  g_autoptr(GError) error = NULL;
  g_autoptr(JcNetEnvelope) env = jc_net_envelope_parse (envelope_text, G_MAXSIZE, &error);
  g_return_val_if_fail (env != NULL, NULL);
  g_autoptr(JsonBuilder) b = frame_begin ("msg", env->id, seq);
  json_builder_set_member_name (b, "to");
  json_builder_begin_array (b);
  for (guint i = 0; to[i]; i++)
    json_builder_add_string_value (b, to[i]);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "msg");
  json_builder_add_string_value (b, envelope_text);
  return frame_text (b);
}

char *
jc_net_frame_ack (const char *id, gint64 seq)
{
  g_autoptr(JsonBuilder) b = frame_begin ("ack", id, seq);
  return frame_text (b);
}

char *
jc_net_frame_nack (const char *id, gint64 seq, const char *code, const char *reason)
{
  g_autoptr(JsonBuilder) b = frame_begin ("nack", id, seq);
  json_builder_set_member_name (b, "code");
  json_builder_add_string_value (b, code);
  json_builder_set_member_name (b, "reason");
  json_builder_add_string_value (b, reason);
  return frame_text (b);
}

/* The machine-readable name of a refusal, sent in NACK frames. */
const char *
jc_net_error_code (const GError *error)
{
  if (!error || error->domain != JC_ERROR)
    return "failed";
  switch (error->code)
    {
    case JC_ERROR_INVALID: return "invalid";
    case JC_ERROR_TOO_LARGE: return "too-large";
    case JC_ERROR_DENIED: return "denied";
    case JC_ERROR_UNTRUSTED: return "untrusted";
    case JC_ERROR_REVOKED: return "revoked";
    case JC_ERROR_EXPIRED: return "expired";
    case JC_ERROR_BAD_SIGNATURE: return "bad-signature";
    case JC_ERROR_STATE: return "state";
    case JC_ERROR_NOT_FOUND: return "not-found";
    default: return "failed";
    }
}
