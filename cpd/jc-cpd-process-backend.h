#pragma once

#include "jc-cpd-vm-backend.h"

G_BEGIN_DECLS

#define JC_CPD_TYPE_PROCESS_BACKEND (jc_cpd_process_backend_get_type ())
G_DECLARE_FINAL_TYPE (JcCpdProcessBackend, jc_cpd_process_backend, JC_CPD, PROCESS_BACKEND, GObject)

/* Task "VMs" as local joconde-guest child processes, each in its own working directory
 * STATE_DIR/NAME (mode 0700, its log in guest.log), listening directly on the spec's
 * host_address:host_port with the orchestrator's simulated TEE. The embedded default for
 * development, tests and the demo; a spec asking for a real TEE is refused.
 *
 * Each started VM's process id and start time are kept in STATE_DIR/NAME/pid. A new backend
 * adopts the VMs an earlier one left in STATE_DIR (the cpd was killed): a process still
 * running is listed as running and can be destroyed, a dead one as shut off; so the cpd
 * reconciles them instead of leaving orphans or starting a task twice. Disposing the
 * backend (a clean stop) destroys every VM it holds. */
JcCpdProcessBackend *jc_cpd_process_backend_new (const char *guest_binary, const char *state_dir);

/* The process id of a running VM, or 0. For logs and tests. */
GPid jc_cpd_process_backend_get_pid (JcCpdProcessBackend *self, const char *name);

G_END_DECLS
