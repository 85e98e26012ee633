#define G_LOG_DOMAIN "joconde-cpd"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "jc-cpd-console-stream.h"
#include "jc-cpd-domain-xml.h"
#include "jc-cpd-libvirt-backend.h"
#include "jc-cpd-placement.h"
#include "jc-error.h"

typedef struct {
  char          *uri;
  GMutex         lock;   /* guards conn while it is swapped for a new one */
  virConnectPtr  conn;
} Host;

struct _JcCpdLibvirtBackend
{
  GObject    parent_instance;
  GPtrArray *hosts;   /* of Host, in configuration order */
};

static void backend_iface_init (JcCpdVmBackendInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (JcCpdLibvirtBackend, jc_cpd_libvirt_backend, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (JC_CPD_TYPE_VM_BACKEND, backend_iface_init))

static void
host_free (Host *h)
{
  if (h->conn != NULL)
    virConnectClose (h->conn);
  g_mutex_clear (&h->lock);
  g_free (h->uri);
  g_free (h);
}

/* libvirt prints every error to stderr by default; the cpd reports them itself. */
static void
ignore_libvirt_error (void *user_data, virErrorPtr err)
{
}

static void
set_libvirt_error (GError **error, gint code, const char *what)
{
  const char *why = virGetLastErrorMessage ();

  g_set_error (error, JC_ERROR, code, "%s: %s", what, why ? why : _("unknown libvirt error"));
  virResetLastError ();
}

/* A new reference to the host's connection (the caller closes it), reopened when a remote
 * hypervisor dropped it (a reboot, a network cut). NULL when it cannot be reached now; the
 * host is then skipped. The daemon calls the backend from several threads: references keep
 * a connection alive while another thread replaces it. */
static virConnectPtr
host_conn (Host *h)
{
  G_GNUC_UNUSED g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&h->lock);

  if (h->conn != NULL && virConnectIsAlive (h->conn) != 1)
    {
      virConnectClose (h->conn);
      h->conn = NULL;
    }
  if (h->conn == NULL)
    {
      h->conn = virConnectOpen (h->uri);
      if (h->conn == NULL)
        {
          g_warning ("hypervisor %s cannot be reached: %s", h->uri, virGetLastErrorMessage ());
          virResetLastError ();
          return NULL;
        }
    }
  virConnectRef (h->conn);
  return h->conn;
}

/* Finds the domain called name on any host. Returns NULL (and sets NOT_FOUND) when none has it. */
static virDomainPtr
find_domain (JcCpdLibvirtBackend *self, const char *name, Host **where, GError **error)
{
  for (guint i = 0; i < self->hosts->len; i++)
    {
      Host *h = g_ptr_array_index (self->hosts, i);
      virConnectPtr conn = host_conn (h);
      virDomainPtr dom = conn ? virDomainLookupByName (conn, name) : NULL;

      if (conn != NULL)
        virConnectClose (conn);   /* the domain holds its own reference */
      if (dom != NULL)
        {
          if (where)
            *where = h;
          return dom;
        }
      virResetLastError ();
    }
  g_set_error (error, JC_ERROR, JC_ERROR_NOT_FOUND, _("There is no task VM called %s"), name);
  return NULL;
}

static gboolean
is_ours (virDomainPtr dom)
{
  char *meta = virDomainGetMetadata (dom, VIR_DOMAIN_METADATA_ELEMENT, JC_CPD_METADATA_NS,
                                     VIR_DOMAIN_AFFECT_CURRENT);
  gboolean ours = meta != NULL;

  free (meta);
  virResetLastError ();
  return ours;
}

/* Reads one hypervisor's load; FALSE when it does not answer (it is then left out). */
static gboolean
host_load (Host *h, JcCpdHostLoad *load)
{
  virNodeInfo info;
  virDomainPtr *doms = NULL;
  virConnectPtr conn;
  int n;

  memset (load, 0, sizeof *load);
  conn = host_conn (h);
  if (conn == NULL)
    return FALSE;
  if (virNodeGetInfo (conn, &info) < 0)
    {
      g_warning ("hypervisor %s does not report its resources: %s", h->uri, virGetLastErrorMessage ());
      virResetLastError ();
      virConnectClose (conn);
      return FALSE;
    }
  load->capacity_bytes = (guint64) info.memory * 1024;
  load->cpus = info.cpus;
  load->free_bytes = virNodeGetFreeMemory (conn);
  virResetLastError ();

  n = virConnectListAllDomains (conn, &doms, VIR_CONNECT_LIST_DOMAINS_ACTIVE);
  virConnectClose (conn);
  if (n < 0)
    {
      virResetLastError ();
      return FALSE;
    }
  for (int i = 0; i < n; i++)
    {
      virDomainInfo di;

      if (virDomainGetInfo (doms[i], &di) == 0)
        load->committed_bytes += (guint64) di.memory * 1024;
      virDomainFree (doms[i]);
    }
  free (doms);
  virResetLastError ();
  load->running = (guint) n;
  return TRUE;
}

static const char *
libvirt_get_name (JcCpdVmBackend *backend)
{
  return "libvirt";
}

static gboolean
libvirt_define (JcCpdVmBackend *backend, const JcCpdVmSpec *spec, GError **error)
{
  JcCpdLibvirtBackend *self = JC_CPD_LIBVIRT_BACKEND (backend);
  g_autofree JcCpdHostLoad *loads = g_new0 (JcCpdHostLoad, self->hosts->len);
  g_autofree Host **answering = g_new0 (Host *, self->hosts->len);
  g_autofree char *xml = NULL;
  virConnectPtr conn;
  virDomainPtr dom;
  unsigned long version = 0;
  guint n = 0;
  gint chosen;

  dom = find_domain (self, spec->name, NULL, NULL);
  if (dom != NULL)
    {
      virDomainFree (dom);
      g_set_error (error, JC_ERROR, JC_ERROR_EXISTS,
                   _("A VM called %s exists already; a task is never started twice"), spec->name);
      return FALSE;
    }

  for (guint i = 0; i < self->hosts->len; i++)
    {
      Host *h = g_ptr_array_index (self->hosts, i);

      if (host_load (h, &loads[n]))
        answering[n++] = h;
    }
  chosen = jc_cpd_placement_choose (loads, n, (guint64) spec->memory_mib * 1024 * 1024,
                                    spec->vcpus, error);
  if (chosen < 0)
    return FALSE;

  conn = host_conn (answering[chosen]);
  if (conn == NULL)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_IO, _("The hypervisor %s cannot be reached"),
                   answering[chosen]->uri);
      return FALSE;
    }
  if (virConnectGetLibVersion (conn, &version) < 0)
    {
      set_libvirt_error (error, JC_ERROR_FAILED, _("Cannot read the libvirt version of the hypervisor"));
      virConnectClose (conn);
      return FALSE;
    }
  xml = jc_cpd_domain_xml_build (spec, version, error);
  if (xml == NULL)
    {
      virConnectClose (conn);
      return FALSE;
    }

  dom = virDomainDefineXML (conn, xml);
  if (dom == NULL)
    {
      g_autofree char *what = g_strdup_printf (_("The hypervisor %s refused the VM %s"),
                                               answering[chosen]->uri, spec->name);
      /* read libvirt's error before any other libvirt call resets it */
      set_libvirt_error (error, JC_ERROR_FAILED, what);
      virConnectClose (conn);
      return FALSE;
    }
  virConnectClose (conn);
  g_debug ("VM %s defined on %s", spec->name, answering[chosen]->uri);
  virDomainFree (dom);
  return TRUE;
}

static gboolean
libvirt_start (JcCpdVmBackend *backend, const char *name, GError **error)
{
  JcCpdLibvirtBackend *self = JC_CPD_LIBVIRT_BACKEND (backend);
  virDomainPtr dom = find_domain (self, name, NULL, error);
  gboolean ok;

  if (dom == NULL)
    return FALSE;
  ok = virDomainCreate (dom) == 0;
  if (!ok)
    {
      g_autofree char *what = g_strdup_printf (_("The VM %s did not start"), name);
      set_libvirt_error (error, JC_ERROR_FAILED, what);
    }
  virDomainFree (dom);
  return ok;
}

static gboolean
libvirt_get_state (JcCpdVmBackend *backend, const char *name, JcCpdVmState *state, GError **error)
{
  JcCpdLibvirtBackend *self = JC_CPD_LIBVIRT_BACKEND (backend);
  virDomainPtr dom = find_domain (self, name, NULL, error);
  int st = 0, reason = 0;

  if (dom == NULL)
    return FALSE;
  if (virDomainGetState (dom, &st, &reason, 0) < 0)
    {
      g_autofree char *what = g_strdup_printf (_("The state of the VM %s cannot be read"), name);
      set_libvirt_error (error, JC_ERROR_FAILED, what);
      virDomainFree (dom);
      return FALSE;
    }
  virDomainFree (dom);
  switch (st)
    {
    case VIR_DOMAIN_RUNNING:
      *state = JC_CPD_VM_STATE_RUNNING;
      break;
    case VIR_DOMAIN_SHUTOFF:
      /* A defined domain that never ran is shut off for an unknown reason. */
      *state = reason == VIR_DOMAIN_SHUTOFF_UNKNOWN ? JC_CPD_VM_STATE_DEFINED : JC_CPD_VM_STATE_SHUTOFF;
      break;
    default:
      *state = JC_CPD_VM_STATE_OTHER;
      break;
    }
  return TRUE;
}

static gboolean
libvirt_destroy (JcCpdVmBackend *backend, const char *name, GError **error)
{
  JcCpdLibvirtBackend *self = JC_CPD_LIBVIRT_BACKEND (backend);
  virDomainPtr dom = find_domain (self, name, NULL, error);
  gboolean ok = TRUE;

  if (dom == NULL)
    return FALSE;
  if (!is_ours (dom))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_DENIED,
                   _("The VM %s was not created by the cpd and is left alone"), name);
      virDomainFree (dom);
      return FALSE;
    }
  /* Power off, not shut down: nothing of the task may be written back anywhere. */
  if (virDomainIsActive (dom) == 1 && virDomainDestroy (dom) < 0)
    {
      g_autofree char *what = g_strdup_printf (_("The VM %s could not be stopped"), name);
      set_libvirt_error (error, JC_ERROR_FAILED, what);
      ok = FALSE;
    }
  if (ok && virDomainIsPersistent (dom) == 1 && virDomainUndefine (dom) < 0)
    {
      g_autofree char *what = g_strdup_printf (_("The VM %s could not be removed"), name);
      set_libvirt_error (error, JC_ERROR_FAILED, what);
      ok = FALSE;
    }
  virDomainFree (dom);
  return ok;
}

static gint
compare_names (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

static GStrv
libvirt_list (JcCpdVmBackend *backend, GError **error)
{
  JcCpdLibvirtBackend *self = JC_CPD_LIBVIRT_BACKEND (backend);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < self->hosts->len; i++)
    {
      Host *h = g_ptr_array_index (self->hosts, i);
      virDomainPtr *doms = NULL;
      virConnectPtr conn = host_conn (h);
      int n;

      /* An unreachable hypervisor cannot be reconciled: say so rather than report its
       * VMs as gone. */
      if (conn == NULL)
        {
          g_set_error (error, JC_ERROR, JC_ERROR_IO,
                       _("The hypervisor %s cannot be reached, so its VMs cannot be listed"), h->uri);
          return NULL;
        }
      n = virConnectListAllDomains (conn, &doms, 0);
      if (n < 0)
        {
          g_autofree char *what = g_strdup_printf (_("The hypervisor %s does not list its VMs"), h->uri);
          set_libvirt_error (error, JC_ERROR_FAILED, what);
          virConnectClose (conn);
          return NULL;
        }
      virConnectClose (conn);
      for (int j = 0; j < n; j++)
        {
          if (is_ours (doms[j]))
            g_ptr_array_add (names, g_strdup (virDomainGetName (doms[j])));
          virDomainFree (doms[j]);
        }
      free (doms);
    }
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&names), FALSE);
}

char *
jc_cpd_libvirt_backend_get_vm_uri (JcCpdLibvirtBackend *self, const char *name, GError **error)
{
  Host *where = NULL;
  virDomainPtr dom = find_domain (self, name, &where, error);

  if (dom == NULL)
    return NULL;
  virDomainFree (dom);
  return g_strdup (where->uri);
}

/* The domain's serial console, which carries the guest's init and orchestrator output. It
 * is read through a connection of its own (see jc-cpd-console-stream.h). */
static GInputStream *
libvirt_open_log (JcCpdVmBackend *backend, const char *name, GError **error)
{
  JcCpdLibvirtBackend *self = JC_CPD_LIBVIRT_BACKEND (backend);
  Host *h = NULL;
  virDomainPtr dom = find_domain (self, name, &h, error);
  virConnectPtr conn = NULL;
  virDomainPtr own = NULL;
  virStreamPtr st = NULL;
  gboolean ours;

  if (dom == NULL)
    return NULL;
  ours = is_ours (dom);
  virDomainFree (dom);
  if (!ours)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_DENIED, _("The domain %s is not a task VM of this cpd"), name);
      return NULL;
    }
  if ((conn = virConnectOpen (h->uri)) == NULL ||
      (own = virDomainLookupByName (conn, name)) == NULL ||
      (st = virStreamNew (conn, 0)) == NULL ||
      virDomainOpenConsole (own, NULL, st, VIR_DOMAIN_CONSOLE_FORCE) != 0)
    {
      g_autofree char *what = g_strdup_printf (_("Cannot open the console of the VM %s"), name);
      set_libvirt_error (error, JC_ERROR_UNSUPPORTED, what);
      if (st != NULL)
        virStreamFree (st);
      if (own != NULL)
        virDomainFree (own);
      if (conn != NULL)
        virConnectClose (conn);
      return NULL;
    }
  virDomainFree (own);
  return jc_cpd_console_stream_new (st, conn);
}

static void
backend_iface_init (JcCpdVmBackendInterface *iface)
{
  iface->open_log = libvirt_open_log;
  iface->get_name = libvirt_get_name;
  iface->define = libvirt_define;
  iface->start = libvirt_start;
  iface->get_state = libvirt_get_state;
  iface->destroy = libvirt_destroy;
  iface->list = libvirt_list;
}

static void
jc_cpd_libvirt_backend_finalize (GObject *object)
{
  JcCpdLibvirtBackend *self = JC_CPD_LIBVIRT_BACKEND (object);

  g_clear_pointer (&self->hosts, g_ptr_array_unref);
  G_OBJECT_CLASS (jc_cpd_libvirt_backend_parent_class)->finalize (object);
}

static void
jc_cpd_libvirt_backend_class_init (JcCpdLibvirtBackendClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = jc_cpd_libvirt_backend_finalize;
  virSetErrorFunc (NULL, ignore_libvirt_error);
}

static void
jc_cpd_libvirt_backend_init (JcCpdLibvirtBackend *self)
{
  self->hosts = g_ptr_array_new_with_free_func ((GDestroyNotify) host_free);
}

JcCpdLibvirtBackend *
jc_cpd_libvirt_backend_new (const char * const *uris, GError **error)
{
  g_autoptr(JcCpdLibvirtBackend) self = g_object_new (JC_CPD_TYPE_LIBVIRT_BACKEND, NULL);

  if (uris == NULL || uris[0] == NULL)
    {
      g_set_error_literal (error, JC_ERROR, JC_ERROR_INVALID,
                           _("The libvirt backend needs at least one connection URI"));
      return NULL;
    }
  for (guint i = 0; uris[i] != NULL; i++)
    {
      Host *h = g_new0 (Host, 1);

      g_mutex_init (&h->lock);
      h->uri = g_strdup (uris[i]);
      g_ptr_array_add (self->hosts, h);
      h->conn = virConnectOpen (uris[i]);
      if (h->conn == NULL)
        {
          g_autofree char *what = g_strdup_printf (_("Cannot connect to the hypervisor %s"), uris[i]);
          set_libvirt_error (error, JC_ERROR_IO, what);
          return NULL;
        }
    }
  return g_steal_pointer (&self);
}
