#pragma once

#include "jc-cpd-vm-backend.h"

G_BEGIN_DECLS

#define JC_CPD_TYPE_LIBVIRT_BACKEND (jc_cpd_libvirt_backend_get_type ())
G_DECLARE_FINAL_TYPE (JcCpdLibvirtBackend, jc_cpd_libvirt_backend, JC_CPD, LIBVIRT_BACKEND, GObject)

/* Task VMs as libvirt domains on one or more hypervisors ("qemu:///system",
 * "qemu+ssh://host2/system", "test:///default" in tests). Every URI is opened now; one that
 * cannot be opened fails the whole call, naming it, so a misconfigured cluster is seen at
 * start and not at the first task. A new VM goes to the hypervisor placement picks
 * (jc-cpd-placement.h); the other calls find a VM wherever it is. Only domains carrying the
 * cpd's metadata (JC_CPD_METADATA_NS) are ever listed or touched. */
JcCpdLibvirtBackend *jc_cpd_libvirt_backend_new (const char * const *uris, GError **error);

/* The URI of the hypervisor holding the VM called name, or NULL with JC_ERROR_NOT_FOUND. */
char *jc_cpd_libvirt_backend_get_vm_uri (JcCpdLibvirtBackend *self, const char *name, GError **error);

G_END_DECLS
