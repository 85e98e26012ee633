#pragma once

#include <glib.h>

#include "jc-relay-config.h"

G_BEGIN_DECLS

typedef struct _JcRelay JcRelay;

JcRelay   *jc_relay_new      (JcRelayConfig *config, GError **error);
gboolean   jc_relay_start    (JcRelay *relay, GError **error);
guint      jc_relay_get_port (JcRelay *relay);
const char *jc_relay_get_node_id (JcRelay *relay);
void       jc_relay_free     (JcRelay *relay);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JcRelay, jc_relay_free)

G_END_DECLS
