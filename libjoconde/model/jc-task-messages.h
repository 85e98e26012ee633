#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "jc-doc.h"
#include "jc-parts.h"
#include "jc-problems.h"
#include "jc-task-state.h"

G_BEGIN_DECLS

/* The small documents that travel during a task: PAK registrations, telemetry events and
 * control messages. Each names its task by the CTA's UUID ("task_id", a lowercase
 * version-4 UUID). See docs/model.md. */

#define JC_UUID_STRING_SIZE 37  /* 36 characters and the NUL */

/* --- PAK registration (type "pak-registration") ---------------------------------------
 * A Data Custodian's or Analyst's PAK for one task, handed to their organisation's node. */
typedef enum {
  JC_PAK_ROLE_CUSTODIAN,   /* "custodian" */
  JC_PAK_ROLE_ANALYST,     /* "analyst" */
} JcPakRole;

typedef struct {
  char      task_id[JC_UUID_STRING_SIZE];
  JcPakRole role;
  GBytes   *pak;           /* JC_PAK_PUBLIC_SIZE bytes */
} JcPakRegistration;

JcPakRegistration *jc_pak_registration_new       (void);
void               jc_pak_registration_free      (JcPakRegistration *reg);
JcPakRegistration *jc_pak_registration_from_json (JsonNode *node, GError **error);
JcPakRegistration *jc_pak_registration_read      (JsonNode *node, const char *path, JcProblems *problems);
JsonNode          *jc_pak_registration_to_json   (const JcPakRegistration *reg);
char              *jc_pak_registration_render    (const JcPakRegistration *reg);
const char        *jc_pak_role_to_string         (JcPakRole role);

/* --- Telemetry event (type "telemetry-event") -----------------------------------------
 * Sent by a computing party's CT VM about a task. */
typedef enum {
  JC_TELEMETRY_STATE_CHANGE,   /* "state-change": payload {"state"} */
  JC_TELEMETRY_DATA_QUALITY,   /* "data-quality": payload {"input", "passed", "violations", "message"?} */
  JC_TELEMETRY_PRINT,          /* "print": payload {"text"}, output of the algorithm's print */
  JC_TELEMETRY_ERROR,          /* "error": payload {"message"} */
} JcTelemetryKind;

typedef struct {
  char            task_id[JC_UUID_STRING_SIZE];
  gint64          cp;          /* index of the computing party in the CTSC */
  gint64          time;        /* Unix seconds */
  JcTelemetryKind kind;
  JcTaskState     state;       /* STATE_CHANGE: a VM state */
  char           *input;       /* DATA_QUALITY: the input key */
  gboolean        passed;      /* DATA_QUALITY */
  gint64          violations;  /* DATA_QUALITY: number of rows that failed (>= 0) */
  char           *text;        /* DATA_QUALITY: optional message; PRINT: the text; ERROR: the message */
} JcTelemetryEvent;

JcTelemetryEvent *jc_telemetry_event_new       (void);
void              jc_telemetry_event_free      (JcTelemetryEvent *event);
JcTelemetryEvent *jc_telemetry_event_from_json (JsonNode *node, GError **error);
JcTelemetryEvent *jc_telemetry_event_read      (JsonNode *node, const char *path, JcProblems *problems);
JsonNode         *jc_telemetry_event_to_json   (const JcTelemetryEvent *event);
char             *jc_telemetry_event_render    (const JcTelemetryEvent *event);
const char       *jc_telemetry_kind_to_string  (JcTelemetryKind kind);

/* --- Control message (type "control-message") -----------------------------------------
 * A request by a peer's node or the SO to cancel a task before it runs or terminate it
 * while it runs. It travels with a node signature of its signer over its hash. */
typedef enum {
  JC_CONTROL_CANCEL,      /* "cancel" */
  JC_CONTROL_TERMINATE,   /* "terminate" */
} JcControlAction;

typedef struct {
  char            task_id[JC_UUID_STRING_SIZE];
  JcControlAction action;
  char           *reason;
  JcSigner        signer;
  gint64          time;    /* Unix seconds */
} JcControlMessage;

JcControlMessage *jc_control_message_new       (void);
void              jc_control_message_free      (JcControlMessage *msg);
JcControlMessage *jc_control_message_from_json (JsonNode *node, GError **error);
JcControlMessage *jc_control_message_read      (JsonNode *node, const char *path, JcProblems *problems);
JsonNode         *jc_control_message_to_json   (const JcControlMessage *msg);
char             *jc_control_message_render    (const JcControlMessage *msg);
const char       *jc_control_action_to_string  (JcControlAction action);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JcPakRegistration, jc_pak_registration_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (JcTelemetryEvent, jc_telemetry_event_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (JcControlMessage, jc_control_message_free)

G_END_DECLS
