#pragma once

#include "jc-relay-private.h"

G_BEGIN_DECLS

/* E-mail notices (spec §4.4.1.1): queued in the database inside the transaction that
 * changes a task, sent after the commit through the configured sendmail-compatible
 * command, removed once the command succeeded. */
gboolean jc_relay_mail_queue (JcRelay *relay, const char *const *to, const char *subject,
                              const char *text, GError **error);
void     jc_relay_mail_flush (JcRelay *relay);

G_END_DECLS
