#pragma once

/* Transaction and error helpers over a raw handle from jc_store_get_db(), for the
 * link client and the relay, which also need savepoints. */

#include <glib.h>
#include <sqlite3.h>

#include "jc-net-channel.h"

G_BEGIN_DECLS

gboolean  jc_net_sqlite_exec     (sqlite3     *db,
                                  const char  *sql,
                                  GError     **error);
sqlite3_stmt *jc_net_sqlite_prepare (sqlite3    *db,
                                     const char *sql,
                                     GError    **error);
gboolean  jc_net_sqlite_fail     (sqlite3     *db,
                                  GError     **error);
gboolean  jc_net_sqlite_begin    (sqlite3     *db,
                                  GError     **error);
gboolean  jc_net_sqlite_commit   (sqlite3     *db,
                                  GError     **error);
void      jc_net_sqlite_rollback (sqlite3     *db);

/* An outbox entry from a row of (seq, message id, recipients separated by spaces,
 * envelope text): what the client's and the relay's outbox queries select. */
JcNetPending *jc_net_pending_new_from_row (sqlite3_stmt *st);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

G_END_DECLS
