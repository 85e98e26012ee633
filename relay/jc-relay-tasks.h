#pragma once

#include "jc-relay-private.h"

G_BEGIN_DECLS

/* The task lifecycle run by the root relay; see jc-relay-tasks.c. */
gboolean jc_relay_tasks_handles         (const char *topic);
gboolean jc_relay_tasks_handle          (JcRelay *relay, JcNetEnvelope *env, GHashTable *touched,
                                         GError **refusal, GError **error);
gboolean jc_relay_tasks_check_deadlines (JcRelay *relay, GHashTable *touched, GError **error);
gboolean jc_relay_tasks_query           (JcRelay *relay, JcNetEnvelope *env, GHashTable *touched,
                                         GError **refusal, GError **error);
gboolean jc_relay_tasks_in_passing      (JcRelay *relay, JcNetEnvelope *env, GError **error);
gboolean jc_relay_tasks_check_retention (JcRelay *relay, GHashTable *touched, GError **error);
gboolean jc_relay_tasks_check_revocations (JcRelay *relay, GHashTable *touched, GError **error);

G_END_DECLS
