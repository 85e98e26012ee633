#pragma once

#include <json-glib/json-glib.h>

#include "jc-store.h"
#include "jc-task-state.h"

G_BEGIN_DECLS

/* What a client node knows of a task, as recorded from the root's messages. */
typedef struct {
  char        *task_id;
  char        *title;
  char        *request;         /* id of the ctsc.submit that created it, when this node sent it */
  char        *ctsc;            /* the CTSC's JSON text, or NULL */
  char        *ctsc_hash;       /* hex */
  JcTaskState  state;
  gint64       update_counter;
  char        *event;           /* the root's words about the last change */
  char        *cta;             /* the finalised CTA's JSON text, or NULL */
  char        *cta_hash;        /* hex */
  gint64       output_deadline; /* Unix seconds, 0 when unknown */
  char        *updated;         /* RFC 3339 */
} JcClientTask;

void          jc_client_task_free (JcClientTask *task);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (JcClientTask, jc_client_task_free)

/* The task, or NULL with JC_ERROR_NOT_FOUND (naming the task and what to do). */
JcClientTask *jc_client_tasks_get     (JcStore *store, const char *task_id, GError **error);
/* Every task, newest change first (JcClientTask*). */
GPtrArray    *jc_client_tasks_list    (JcStore *store, GError **error);
/* The task a ctsc.submit of this node (message id REQUEST) created, or NULL. */
char         *jc_client_tasks_find_by_request (JcStore *store, const char *request);

gboolean jc_client_tasks_record_created (JcStore *store, const char *task_id, const char *request,
                                         JsonNode *ctsc, GError **error);
gboolean jc_client_tasks_record_status  (JcStore *store, const char *task_id, const char *state,
                                         gint64 update_counter, const char *event, GError **error);
gboolean jc_client_tasks_record_cta     (JcStore *store, const char *task_id, JsonNode *cta,
                                         GError **error);
/* This node's CTSA for a task, as sent; NULL when none. */
char    *jc_client_tasks_get_ctsa       (JcStore *store, const char *task_id, char **ctsa_hash);
gboolean jc_client_tasks_record_ctsa    (JcStore *store, const char *task_id, const char *ctsa_text,
                                         const char *ctsa_hash, const char *signature_text,
                                         GError **error);

/* PAKs registered with this node by custodians and analysts. */
typedef struct {
  char *pak;      /* base64url */
  char *role;     /* "custodian" | "analyst" */
  char *origin;   /* the node that registered it */
  char *received; /* RFC 3339 */
} JcClientPakEntry;
void       jc_client_pak_entry_free   (JcClientPakEntry *entry);
gboolean   jc_client_paks_record_received (JcStore *store, const char *task_id, const char *pak,
                                           const char *role, const char *origin, GError **error);
GPtrArray *jc_client_paks_list_received   (JcStore *store, const char *task_id, GError **error);
gboolean   jc_client_paks_record_own      (JcStore *store, const char *task_id, const char *pak,
                                           const char *role, GError **error);
GPtrArray *jc_client_paks_list_own        (JcStore *store, const char *task_id, GError **error);

/* Order of the states along a task's life, for `--wait`: a state is reached when the
 * task's state is that one or a later one. Rejected, cancelled are ends of their own. */
gboolean   jc_client_task_state_reached   (JcTaskState current, JcTaskState wanted);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JcClientPakEntry, jc_client_pak_entry_free)

G_END_DECLS

G_BEGIN_DECLS

/* TRUE when custodians or analysts registered PAKs with this node for the task. */
gboolean jc_client_paks_has_received (JcStore *store, const char *task_id);

/* Data retention (spec §4.4.1.1 "Erased"): erases what this node holds of a task — its
 * documents, PAKs, VM addresses, telemetry, and the PAK private keys made for it under
 * PROFILE_DIR/paks — keeping a tombstone (task id, title, CTSC hash, time). */
gboolean jc_client_tasks_erase          (const char *profile_dir, JcStore *store,
                                         const char *task_id, GError **error);
/* Erases every task whose output deadline is more than RETENTION_DAYS past. Returns the
 * number erased, or -1 on error. */
gint     jc_client_tasks_erase_expired  (const char *profile_dir, JcStore *store,
                                         guint retention_days, GError **error);

G_END_DECLS
