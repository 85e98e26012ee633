#pragma once

#include "jc-store.h"

G_BEGIN_DECLS

/* The cpd's database (STATE_DIR/cpd.db, libjoconde/store): every task it was asked to run
 * and what became of it (states "refused", "starting", "running", then "finished",
 * "cancelled", "terminated", "expired", "failed" or "lost"), the link messages it acted on
 * (each is acted on once, even across a crash), and control messages waiting for their
 * task's CTA. */

JcStore *jc_cpd_task_db_open           (const char *path, GError **error);
gboolean jc_cpd_task_db_set_state      (JcStore *store, const char *task_id, const char *state,
                                        const char *reason, GError **error);
gboolean jc_cpd_task_db_mark_handled   (JcStore *store, const char *msg_id, const char *topic,
                                        GError **error);
gboolean jc_cpd_task_db_was_handled    (JcStore *store, const char *msg_id);
/* TRUE for a task accepted here before, whatever became of it. A refused task does not
 * count: anyone can send a forged agreement under a real task's id, and that must not keep
 * the real one out. */
gboolean jc_cpd_task_db_is_known       (JcStore *store, const char *task_id);
/* Records a refused task once (a task id may arrive again: it stays refused). */
void     jc_cpd_task_db_record_refusal (JcStore *store, const char *task_id, const char *reason);
/* Records a task that ended without a VM (cancelled before it started); CP < 0: unknown. */
gboolean jc_cpd_task_db_record_end     (JcStore *store, const char *task_id, gint64 cp,
                                        const char *state, const char *reason);

/* How far the VM's log file has been forwarded. */
gboolean jc_cpd_task_db_set_log_offset (JcStore *store, const char *task_id, gint64 offset);

G_END_DECLS
