#define G_LOG_DOMAIN "joconde-net"
#include "config.h"

#include "jc-net-cert-request.h"

JsonNode *
jc_net_cert_request_body_new (const char *request_json)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "request");
  json_builder_add_string_value (b, request_json);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

const char *
jc_net_cert_request_body_get (JsonNode *body)
{
  JsonNode *req = body && JSON_NODE_HOLDS_OBJECT (body)
    ? json_object_get_member (json_node_get_object (body), "request") : NULL;

  if (!req || !JSON_NODE_HOLDS_VALUE (req) || json_node_get_value_type (req) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (req);
}
