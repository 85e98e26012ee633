#define G_LOG_DOMAIN "joconde-cpd"
#include "config.h"

#include <glib/gi18n-lib.h>

#include "jc-cpd-vm-backend.h"
#include "jc-error.h"

G_DEFINE_INTERFACE (JcCpdVmBackend, jc_cpd_vm_backend, G_TYPE_OBJECT)

static void
jc_cpd_vm_backend_default_init (JcCpdVmBackendInterface *iface)
{
}

const char *
jc_cpd_vm_state_to_string (JcCpdVmState state)
{
  switch (state)
    {
    case JC_CPD_VM_STATE_DEFINED: return "defined";
    case JC_CPD_VM_STATE_RUNNING: return "running";
    case JC_CPD_VM_STATE_SHUTOFF: return "shutoff";
    default:                      return "other";
    }
}

const char *
jc_cpd_vm_backend_get_name (JcCpdVmBackend *self)
{
  g_return_val_if_fail (JC_CPD_IS_VM_BACKEND (self), NULL);
  return JC_CPD_VM_BACKEND_GET_IFACE (self)->get_name (self);
}

gboolean
jc_cpd_vm_backend_define (JcCpdVmBackend *self, const JcCpdVmSpec *spec, GError **error)
{
  g_return_val_if_fail (JC_CPD_IS_VM_BACKEND (self), FALSE);
  g_return_val_if_fail (spec != NULL, FALSE);
  if (!jc_cpd_vm_spec_validate (spec, error))
    return FALSE;
  return JC_CPD_VM_BACKEND_GET_IFACE (self)->define (self, spec, error);
}

gboolean
jc_cpd_vm_backend_start (JcCpdVmBackend *self, const char *name, GError **error)
{
  g_return_val_if_fail (JC_CPD_IS_VM_BACKEND (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  return JC_CPD_VM_BACKEND_GET_IFACE (self)->start (self, name, error);
}

gboolean
jc_cpd_vm_backend_get_state (JcCpdVmBackend *self, const char *name, JcCpdVmState *state,
                             GError **error)
{
  g_return_val_if_fail (JC_CPD_IS_VM_BACKEND (self), FALSE);
  g_return_val_if_fail (name != NULL && state != NULL, FALSE);
  return JC_CPD_VM_BACKEND_GET_IFACE (self)->get_state (self, name, state, error);
}

gboolean
jc_cpd_vm_backend_destroy (JcCpdVmBackend *self, const char *name, GError **error)
{
  g_return_val_if_fail (JC_CPD_IS_VM_BACKEND (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  return JC_CPD_VM_BACKEND_GET_IFACE (self)->destroy (self, name, error);
}

GStrv
jc_cpd_vm_backend_list (JcCpdVmBackend *self, GError **error)
{
  g_return_val_if_fail (JC_CPD_IS_VM_BACKEND (self), NULL);
  return JC_CPD_VM_BACKEND_GET_IFACE (self)->list (self, error);
}

GInputStream *
jc_cpd_vm_backend_open_log (JcCpdVmBackend *self, const char *name, GError **error)
{
  JcCpdVmBackendInterface *iface;

  g_return_val_if_fail (JC_CPD_IS_VM_BACKEND (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);
  iface = JC_CPD_VM_BACKEND_GET_IFACE (self);
  if (iface->open_log == NULL)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_UNSUPPORTED,
                   _("The %s backend has no console stream"), iface->get_name (self));
      return NULL;
    }
  return iface->open_log (self, name, error);
}
