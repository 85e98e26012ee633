#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

#include "jc-model.h"

G_BEGIN_DECLS

/* What the app shows of one task: its CTSC (and its hash), the CTSAs this node has, the
 * state, and the action this node's user owes, if any. Display-free. */

typedef enum {
  JC_TASK_ACTION_NONE = 0,
  JC_TASK_ACTION_ADDENDUM,   /* organiser: write and sign the CTSA */
  JC_TASK_ACTION_SIGN,       /* signatory */
  JC_TASK_ACTION_APPROVE,    /* SO approver */
  JC_TASK_ACTION_UPLOAD,     /* custodian: upload the input named by the action's key */
  JC_TASK_ACTION_DOWNLOAD,   /* analyst: download the output named by the action's key */
} JcTaskAction;

#define JC_TYPE_TASK_INFO (jc_task_info_get_type ())
G_DECLARE_FINAL_TYPE (JcTaskInfo, jc_task_info, JC, TASK_INFO, GObject)

/* Takes the CTSC document (validated here) and the state. */
JcTaskInfo   *jc_task_info_new (const char *id, JsonNode *ctsc, JcTaskState state, GError **error);

const char   *jc_task_info_get_id          (JcTaskInfo *self);
const char   *jc_task_info_get_title       (JcTaskInfo *self);
JcTaskState   jc_task_info_get_state       (JcTaskInfo *self);
const JcCtsc *jc_task_info_get_ctsc        (JcTaskInfo *self);
JsonNode     *jc_task_info_get_ctsc_node   (JcTaskInfo *self);
/* Lowercase hex of the CTSC's hash. */
const char   *jc_task_info_get_hash        (JcTaskInfo *self);

void          jc_task_info_set_action      (JcTaskInfo *self, JcTaskAction action, const char *key);
JcTaskAction  jc_task_info_get_action      (JcTaskInfo *self);
const char   *jc_task_info_get_action_key  (JcTaskInfo *self);
gboolean      jc_task_info_needs_action    (JcTaskInfo *self);

/* CTSA documents (validated when added). */
gboolean      jc_task_info_add_ctsa        (JcTaskInfo *self, JsonNode *ctsa, GError **error);
GPtrArray    *jc_task_info_get_ctsas       (JcTaskInfo *self); /* JsonNode* */

/* The timeline of telemetry (spec §4.4.8): what the computing parties reported, oldest
 * first, as sentences for the user. */
typedef struct {
  gint64   time;     /* Unix seconds */
  char    *text;     /* translated, control and bidi characters replaced */
  gboolean problem;  /* a failed data-quality check or an error */
} JcTimelineEntry;

void          jc_timeline_entry_free       (JcTimelineEntry *entry);
/* Adds a telemetry-event document (validated; refused when it is about another task). */
gboolean      jc_task_info_add_event       (JcTaskInfo *self, JsonNode *event, GError **error);
/* JcTimelineEntry*, by time. */
GPtrArray    *jc_task_info_get_timeline    (JcTaskInfo *self);

/* What the addenda of this task grant the PAK (base64url): "upload “population”",
 * "download “rates”", one sentence each (translated); empty when none. */
GPtrArray    *jc_task_info_pak_grants      (JcTaskInfo *self, const char *pak);

/* The deterministic text shown for review: the CTSC's rendering, then each CTSA's. */
char         *jc_task_info_render          (JcTaskInfo *self);

/* The list's filter: QUERY (may be NULL or empty) matches case-insensitively the title,
 * the id or the state's name; with NEEDS_ACTION_ONLY only tasks owing an action pass. */
gboolean      jc_task_info_matches         (JcTaskInfo *self, const char *query,
                                            gboolean needs_action_only);

/* The state's name for the user (translated) and a short label of the action. */
const char   *jc_task_state_label          (JcTaskState state);
char         *jc_task_action_label         (JcTaskAction action, const char *key);

G_END_DECLS
