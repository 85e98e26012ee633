#pragma once

/* The body of the topics cert.rotate and cert.revoke (docs/wire.md):
 * {"request": "<the rotation or revocation request, as its JSON text>"}. */

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

JsonNode   *jc_net_cert_request_body_new (const char *request_json);
/* The request's JSON text, or NULL when BODY is not such a body. Owned by BODY. */
const char *jc_net_cert_request_body_get (JsonNode *body);

G_END_DECLS
