#pragma once

#include <glib-object.h>

#include "jc-cpd-config.h"
#include "jc-cpd-vm-backend.h"
#include "jc-log.h"

G_BEGIN_DECLS

/* The topics a cpd handles and sends (docs/wire.md §5). */
#define JC_CPD_TOPIC_CTA        "cta.final"       /* root → cp: {"task_id", "cta": the finalised CTA} */
#define JC_CPD_TOPIC_STATUS     "task.status"     /* root → cp: {"task_id", "state", "update_counter", "event"} */
#define JC_CPD_TOPIC_VMS        "task.vm"         /* root → cp: {"task_id", "addresses": [{"cp", "address"}]} */
#define JC_CPD_TOPIC_CONTROL    "task.control"    /* root → cp: {"task_id", "action", "message", "signature", …}, verified end to end */
#define JC_CPD_TOPIC_VM_ADDRESS "vm.address"      /* cp → @root: {"task_id", "cp", "address"} */
#define JC_CPD_TOPIC_VM_STATE   "vm.state"        /* cp → @root: {"task_id", "cp", "node", "state", "reason"?, "code"?} */
#define JC_CPD_TOPIC_TELEMETRY  "telemetry.event" /* cp → @root: {"event": telemetry-event} */

#define JC_CPD_TYPE_DAEMON (jc_cpd_daemon_get_type ())
G_DECLARE_FINAL_TYPE (JcCpdDaemon, jc_cpd_daemon, JC_CPD, DAEMON, GObject)

/* The Computing Party daemon (design §6): a leaf of the relay tree that receives CTAs
 * naming it, verifies them, launches one VM per task through BACKEND, reports the VM's
 * address and state to the root, forwards its telemetry and logs, destroys it when the
 * task ends, and after a restart reconciles its database with the VMs BACKEND lists. */
JcCpdDaemon *jc_cpd_daemon_new   (const JcCpdConfig *config, JcCpdVmBackend *backend, JcLog *log,
                                  GError **error);

/* Reconciles, then connects to the parent and handles messages on the thread-default
 * main context. */
gboolean     jc_cpd_daemon_start (JcCpdDaemon *self, GError **error);

/* Tasks whose VM the daemon currently looks after. */
guint        jc_cpd_daemon_get_n_active (JcCpdDaemon *self);

G_END_DECLS
