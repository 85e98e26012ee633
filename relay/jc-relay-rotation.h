#pragma once

#include "jc-relay-private.h"

G_BEGIN_DECLS

gboolean jc_relay_rotation_handle (JcRelay *relay, const char *link, JcNetEnvelope *env,
                                   GHashTable *touched, GError **refusal, GError **error);

gboolean jc_relay_revocation_handle (JcRelay *relay, JcNetEnvelope *env, GError **refusal,
                                     GError **error);

gboolean jc_relay_rotation_start    (JcRelay *relay, GHashTable *touched, GError **error);
void     jc_relay_rotation_received (JcRelay *relay, JcNetEnvelope *env);
gboolean jc_relay_rotation_due      (JcRelay *relay);

G_END_DECLS
