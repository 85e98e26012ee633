#pragma once

#include <gio/gio.h>
#include <stdio.h>
#include <json-glib/json-glib.h>

#include "jc-agreement.h"
#include "jc-atls.h"
#include "jc-guest-state.h"

G_BEGIN_DECLS

/* The Computation Task Orchestrator of one computing party (spec §4.3.2.3, design §7;
 * docs/guest.md): the task state machine, the slots, the links with the two counterpart
 * VMs, the engine runs and the IO requests, all following one verified CTA.
 *
 * Threads: the main loop (deadlines, pings, HTTP), one thread per connection, one reader
 * thread per counterpart link, one run thread for the engine. Everything shared is under
 * the task's lock. */

typedef struct _JcGuestTask JcGuestTask;

typedef struct {
  GBytes           *cta_bytes;      /* the agreement as handed over (read once) */
  JcAgreementTrust *trust;          /* root, approver chain, revocations (borrowed) */
  guint             party;          /* this VM's index among the computing parties */
  const char       *state_dir;      /* NULL: a fresh private directory */
  const char       *engine_dir;     /* NULL: JC_ENGINE_DIR / the installed directory */
  const char       *sim_key_path;   /* the simulator key, for a task on the "sim" platform */
  guint             counterpart_timeout; /* seconds without news before a counterpart is lost */
  FILE             *events;         /* telemetry and requests to the cpd (stdout) */
} JcGuestTaskConfig;

/* Verifies the CTA and prepares everything; fails with the reason when the agreement is not
 * finalised, not signed, not trusted, or names an engine this VM does not have. */
JcGuestTask  *jc_guest_task_new   (const JcGuestTaskConfig *config, GError **error);
void          jc_guest_task_free  (JcGuestTask *task);

/* Where the counterparts listen, one "host:port" per computing party in CTSC order (this
 * party's own entry is ignored). Write-once: a second call is refused. Starts the links. */
gboolean      jc_guest_task_set_counterparts (JcGuestTask *task, const char *const *addresses,
                                              GError **error);

JcAtlsServer *jc_guest_task_get_atls   (JcGuestTask *task);
JcGuestState  jc_guest_task_get_state  (JcGuestTask *task);
guint         jc_guest_task_get_party  (JcGuestTask *task);
const char   *jc_guest_task_get_id     (JcGuestTask *task);
/* The canonical hash of the CTA, lower-case hex (the value bound into every attestation). */
const char   *jc_guest_task_get_cta_hash (JcGuestTask *task);
gboolean      jc_guest_task_destroy_requested (JcGuestTask *task);

/* Serves one attested session until the peer closes it: IO requests of a client (PAK) or
 * a counterpart's link (VM). Blocking: runs on the connection's thread. */
void          jc_guest_task_serve_session (JcGuestTask *task, JcAtlsSession *session,
                                           const char *remote);

/* A cancel or terminate request (from the cpd or a client), obeyed only when signed by
 * someone the CTA allows. */
gboolean      jc_guest_task_control (JcGuestTask *task, JsonNode *message, JsonNode *signature,
                                     const char *via, GError **error);

/* Checks the deadlines; called by the main loop every few hundred milliseconds. */
void          jc_guest_task_tick (JcGuestTask *task);

G_END_DECLS
