#pragma once

#include <stdio.h>

#include "jc-engine.h"
#include "jc-guest-policy.h"
#include "jc-guest-store.h"
#include "jc-guest-task.h"
#include "jc-log.h"

G_BEGIN_DECLS

#define JC_GUEST_MAX_PARTIES 3
#define JC_GUEST_LEADER 0

typedef enum {
  SLOT_EMPTY,
  SLOT_IN_USE,
  SLOT_READY,
} SlotState;

typedef struct {
  const JcInputSpec *spec;
  SlotState    state;          /* as clients see it: in use while an upload runs */
  JcGuestBlob *blob;           /* the committed upload, or NULL */
  char        *upload_id;      /* its id */
  JcGuestBlob *pending;        /* an upload received here, waiting for the commit */
  char        *pending_id;
  gboolean     uploading;      /* an upload is streaming into this slot */
  int          decision;       /* for pending_id: 0 waiting, 1 committed, -1 rolled back */
  /* the data-quality verdict of the committed upload */
  gboolean     dq_done;
  gboolean     dq_passed;
  gint64       dq_violations;
  char        *dq_error;
} Slot;

typedef struct {
  const JcOutputSpec *spec;
  JcGuestBlob *blob;           /* this party's share stream; NULL once erased */
  gboolean    *retrieved;      /* per peer of the CTSC */
  gboolean    *reserved;       /* per peer: a download is under way */
  gboolean     erased;
} Output;

typedef struct {
  JcAtlsSession *session;
  GSocket       *socket;       /* the TCP socket under it, to shut it down on cancel */
  GMutex         write_lock;
} Channel;

typedef struct {
  char    *address;
  Channel  control;
  Channel  data;
  gboolean lost;
} Counterpart;

typedef enum {
  RUN_QUALITY,
  RUN_MAIN,
} RunKind;

typedef struct {
  RunKind      kind;
  char        *input;          /* RUN_QUALITY */
  char        *upload_id;
  GHashTable  *blobs;          /* input key → JcGuestBlob* (ref) */
  guint64      serial;
} Run;

struct _JcGuestTask
{
  GMutex          lock;
  GCond           cond;

  JcCta          *cta;
  GBytes         *cta_bytes;
  char           *cta_hash_hex;
  guint8          cta_hash[32];
  JcAgreementTrust *trust;
  JcGuestPolicy  *policy;
  guint           party;
  guint           n_parties;
  char           *state_dir;
  gboolean        own_state_dir;
  guint           counterpart_timeout;

  JcGuestState    state;
  char           *reason;      /* why it was cancelled */
  gboolean        destroy_requested;

  GHashTable     *slots;       /* key → Slot* */
  GPtrArray      *slot_order;  /* Slot*, CTSC order */
  GHashTable     *outputs;     /* key → Output* */
  GPtrArray      *output_order;

  gboolean        counterparts_set;
  Counterpart     cps[JC_GUEST_MAX_PARTIES];
  guint           links_up;    /* channels established (control + data per counterpart) */
  GMutex          coord_lock;  /* leader: one decision (commit, run, transition) at a time,
                                * so every link carries them in the same order */
  GHashTable     *votes;       /* leader: "input\nupload_id" → bitmask of parties holding it */

  JcTeeProvider  *provider;
  GTlsCertificate *identity;
  JcAtlsServer   *atls;
  JcTeePolicy     vm_policy;

  JcEngine       *engine;
  JcEngineProgram *program;
  GHashTable     *quality_programs; /* input key → JcEngineProgram* */
  JcEngineSchema **in_schemas;
  JcEngineSchema **out_schemas;
  GAsyncQueue    *runs;
  GThread        *run_thread;
  guint64         run_serial;
  gboolean        run_active;

  JcLog          *log;
  FILE           *events;
  GMutex          events_lock;
  gboolean        stopping;
};

/* jc-guest-task.c */
void     jc_guest_task_set_state_locked (JcGuestTask *task, JcGuestState state);
void     jc_guest_task_cancel (JcGuestTask *task, const char *reason, gboolean tell_counterparts);
void     jc_guest_task_emit (JcGuestTask *task, JsonNode *document);
void     jc_guest_task_emit_quality (JcGuestTask *task, const char *input, gboolean passed,
                                     gint64 violations, const char *message);
void     jc_guest_task_emit_print (JcGuestTask *task, const char *text);
void     jc_guest_task_log (JcGuestTask *task, JcLogSeverity severity, const char *msgid,
                            const char *pak_b64, const char *format, ...) G_GNUC_PRINTF (5, 6);
void     jc_guest_task_erase_inputs_locked (JcGuestTask *task);
void     jc_guest_task_check_finished_locked (JcGuestTask *task);
gint64   jc_guest_now (void);

/* jc-guest-link.c: the channels with the counterpart VMs */
void     jc_guest_link_start (JcGuestTask *task);
void     jc_guest_link_accept (JcGuestTask *task, JcAtlsSession *session, const char *remote);
gboolean jc_guest_link_send (JcGuestTask *task, guint party, JsonNode *message, GError **error);
void     jc_guest_link_broadcast (JcGuestTask *task, JsonNode *message);
void     jc_guest_link_shutdown_data (JcGuestTask *task);
void     jc_guest_link_shutdown_all (JcGuestTask *task);
void     jc_guest_link_ping (JcGuestTask *task);
JsonNode *jc_guest_message (const char *type, ...) G_GNUC_NULL_TERMINATED;

/* jc-guest-coord.c: agreement on uploads and transitions (the leader is party 0) */
void     jc_guest_coord_handle (JcGuestTask *task, guint from, JsonNode *message);
void     jc_guest_coord_received (JcGuestTask *task, guint from, const char *input,
                                  const char *upload_id);
void     jc_guest_coord_failed (JcGuestTask *task, const char *input, const char *upload_id);

/* jc-guest-run.c: engine runs */
gboolean jc_guest_run_prepare (JcGuestTask *task, const char *engine_dir, GError **error);
void     jc_guest_run_enqueue_locked (JcGuestTask *task, RunKind kind, const char *input,
                                      const char *upload_id);
void     jc_guest_run_stop (JcGuestTask *task);

/* jc-guest-io.c: the requests of clients */
void     jc_guest_io_serve (JcGuestTask *task, JcAtlsSession *session, const char *remote);
JsonNode *jc_guest_io_status (JcGuestTask *task);

G_END_DECLS
