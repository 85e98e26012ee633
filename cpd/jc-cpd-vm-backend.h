#pragma once

#include <gio/gio.h>

#include "jc-cpd-vm-spec.h"

G_BEGIN_DECLS

/* What a backend reports about one task VM. */
typedef enum {
  JC_CPD_VM_STATE_DEFINED,   /* prepared, not started (or stopped and still defined) */
  JC_CPD_VM_STATE_RUNNING,
  JC_CPD_VM_STATE_SHUTOFF,   /* it ran and stopped by itself (orchestrator exited) */
  JC_CPD_VM_STATE_OTHER,     /* paused, crashed, … : the cpd destroys such a VM */
} JcCpdVmState;

const char *jc_cpd_vm_state_to_string (JcCpdVmState state);

#define JC_CPD_TYPE_VM_BACKEND (jc_cpd_vm_backend_get_type ())
G_DECLARE_INTERFACE (JcCpdVmBackend, jc_cpd_vm_backend, JC_CPD, VM_BACKEND, GObject)

/* The one interface the cpd drives task VMs through (design §6). Every call is
 * synchronous and short (a libvirt RPC or a fork); the daemon runs them from a GTask
 * thread. Names are the spec's names; a backend only ever sees and touches the VMs it
 * created, so list() is what the cpd reconciles its database with after a restart. */
struct _JcCpdVmBackendInterface
{
  GTypeInterface parent_iface;

  const char *  (*get_name) (JcCpdVmBackend *self);
  gboolean      (*define)   (JcCpdVmBackend *self, const JcCpdVmSpec *spec, GError **error);
  gboolean      (*start)    (JcCpdVmBackend *self, const char *name, GError **error);
  gboolean      (*get_state)(JcCpdVmBackend *self, const char *name, JcCpdVmState *state,
                             GError **error);
  gboolean      (*destroy)  (JcCpdVmBackend *self, const char *name, GError **error);
  GStrv         (*list)     (JcCpdVmBackend *self, GError **error);
  /* Optional. */
  GInputStream *(*open_log) (JcCpdVmBackend *self, const char *name, GError **error);
};

/* "libvirt" or "process". */
const char *jc_cpd_vm_backend_get_name (JcCpdVmBackend *self);

/* Prepares a VM from spec (validated first) without starting it. Fails with
 * JC_ERROR_EXISTS when a VM of that name is already there, so a task is never started twice. */
gboolean jc_cpd_vm_backend_define (JcCpdVmBackend *self, const JcCpdVmSpec *spec, GError **error);

/* Starts a defined VM. */
gboolean jc_cpd_vm_backend_start (JcCpdVmBackend *self, const char *name, GError **error);

gboolean jc_cpd_vm_backend_get_state (JcCpdVmBackend  *self,
                                      const char      *name,
                                      JcCpdVmState    *state,
                                      GError         **error);

/* Stops the VM at once (no guest shutdown: its data must not outlive the task) and removes
 * every trace of it. JC_ERROR_NOT_FOUND when there is no such VM. */
gboolean jc_cpd_vm_backend_destroy (JcCpdVmBackend *self, const char *name, GError **error);

/* The names of the task VMs this backend manages, running or not, sorted. */
GStrv jc_cpd_vm_backend_list (JcCpdVmBackend *self, GError **error);

/* The VM's console output from now on, as a blocking stream that ends with the VM (read it
 * from a thread). JC_ERROR_UNSUPPORTED when the backend has no such stream (the process
 * backend writes the orchestrator's output to guest.log in the VM's working directory). */
GInputStream *jc_cpd_vm_backend_open_log (JcCpdVmBackend *self, const char *name, GError **error);

G_END_DECLS
