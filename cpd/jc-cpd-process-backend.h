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
 * The children live as long as this object: disposing it destroys them all, so a cpd
 * restart finds none and reports the tasks as lost instead of leaving orphans. */
JcCpdProcessBackend *jc_cpd_process_backend_new (const char *guest_binary, const char *state_dir);

/* The process id of a running VM, or 0. For logs and tests. */
GPid jc_cpd_process_backend_get_pid (JcCpdProcessBackend *self, const char *name);

G_END_DECLS
