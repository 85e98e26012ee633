#define G_LOG_DOMAIN "joconde-cpd"
#include "config.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jc-cpd-process-backend.h"
#include "jc-error.h"

/* How long a stopping orchestrator gets to exit on SIGTERM before it is killed. */
#define STOP_GRACE_MS 5000

typedef struct {
  JcCpdVmSpec *spec;
  char        *workdir;
  GSubprocess *proc;   /* NULL until started, and for a VM adopted after a restart */
  GPid         adopted;     /* a VM still running from an earlier run of the cpd, or 0 */
  guint64      adopted_start;
  gboolean     was_started; /* adopted or started: never started twice */
} ProcessVm;

struct _JcCpdProcessBackend
{
  GObject     parent_instance;
  char       *guest_binary;
  char       *state_dir;
  GMutex      lock;    /* the daemon calls from several threads */
  GHashTable *vms;     /* name → ProcessVm, under lock */
};

static void backend_iface_init (JcCpdVmBackendInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (JcCpdProcessBackend, jc_cpd_process_backend, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (JC_CPD_TYPE_VM_BACKEND, backend_iface_init))

/* Removes a working directory and all it holds; symbolic links are removed, not followed. */
static gboolean
remove_tree (const char *path, GError **error)
{
  g_autoptr(GDir) dir = NULL;
  const char *entry;

  if (!g_file_test (path, G_FILE_TEST_EXISTS) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    return TRUE;
  if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      dir = g_dir_open (path, 0, error);
      if (dir == NULL)
        return FALSE;
      while ((entry = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, entry, NULL);
          if (!remove_tree (child, error))
            return FALSE;
        }
    }
  if (g_remove (path) != 0)
    {
      int saved = errno;
      g_set_error (error, JC_ERROR, JC_ERROR_IO, _("Cannot remove %s: %s"), path, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

/* The start time of process PID (field 22 of /proc/PID/stat), 0 when there is none: with
 * the pid it names one process for good, since pids are reused. */
static guint64
process_start_time (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *text = NULL;
  g_auto(GStrv) fields = NULL;
  const char *after;

  if (pid <= 0 || !g_file_get_contents (path, &text, NULL, NULL))
    return 0;
  /* The command name (field 2) may hold spaces: fields are counted after its ')'. */
  after = strrchr (text, ')');
  if (after == NULL)
    return 0;
  fields = g_strsplit (after + 2, " ", 0);
  if (g_strv_length (fields) < 20 || g_str_equal (fields[0], "Z"))
    return 0;
  return g_ascii_strtoull (fields[19], NULL, 10);
}

static gboolean
is_running (ProcessVm *vm)
{
  if (vm->adopted != 0)
    return process_start_time (vm->adopted) == vm->adopted_start;
  /* GSubprocess reaps its child from GLib's worker thread, so this turns NULL on exit
   * without the caller iterating a main context. */
  return vm->proc != NULL && g_subprocess_get_identifier (vm->proc) != NULL;
}

static void
stop_process (ProcessVm *vm)
{
  if (!is_running (vm))
    return;
  if (vm->adopted != 0)
    {
      kill (vm->adopted, SIGTERM);
      for (guint waited = 0; waited < STOP_GRACE_MS && is_running (vm); waited += 20)
        g_usleep (20 * 1000);
      if (is_running (vm))
        kill (vm->adopted, SIGKILL);
      vm->adopted = 0;
      return;
    }
  g_subprocess_send_signal (vm->proc, SIGTERM);
  for (guint waited = 0; waited < STOP_GRACE_MS && is_running (vm); waited += 20)
    g_usleep (20 * 1000);
  if (is_running (vm))
    {
      g_warning ("VM %s did not stop on SIGTERM; killing it", vm->spec->name);
      g_subprocess_force_exit (vm->proc);
    }
  g_subprocess_wait (vm->proc, NULL, NULL);
}

static void
process_vm_free (ProcessVm *vm)
{
  stop_process (vm);
  g_clear_object (&vm->proc);
  jc_cpd_vm_spec_free (vm->spec);
  g_free (vm->workdir);
  g_free (vm);
}

static ProcessVm *
lookup (JcCpdProcessBackend *self, const char *name, GError **error)
{
  ProcessVm *vm = g_hash_table_lookup (self->vms, name);

  if (vm == NULL)
    g_set_error (error, JC_ERROR, JC_ERROR_NOT_FOUND, _("There is no task VM called %s"), name);
  return vm;
}

static const char *
process_get_name (JcCpdVmBackend *backend)
{
  return "process";
}

static gboolean
process_define (JcCpdVmBackend *backend, const JcCpdVmSpec *spec, GError **error)
{
  JcCpdProcessBackend *self = JC_CPD_PROCESS_BACKEND (backend);
  g_autofree char *workdir = NULL;
  ProcessVm *vm;

  if (spec->tee != JC_CPD_TEE_NONE)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_UNSUPPORTED,
                   _("The process backend cannot give the VM %s a %s TEE; it runs the orchestrator with its simulated TEE only"),
                   spec->name, jc_cpd_tee_to_string (spec->tee));
      return FALSE;
    }
  G_GNUC_UNUSED g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);

  if (g_hash_table_contains (self->vms, spec->name))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_EXISTS,
                   _("A VM called %s exists already; a task is never started twice"), spec->name);
      return FALSE;
    }
  workdir = g_build_filename (self->state_dir, spec->name, NULL);
  /* A directory left by a process VM of an earlier run holds only that dead task's data. */
  if (!remove_tree (workdir, error))
    return FALSE;
  if (g_mkdir_with_parents (workdir, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, JC_ERROR, JC_ERROR_IO, _("Cannot create the working directory %s: %s"),
                   workdir, g_strerror (saved));
      return FALSE;
    }
  vm = g_new0 (ProcessVm, 1);
  vm->spec = jc_cpd_vm_spec_copy (spec);
  vm->workdir = g_steal_pointer (&workdir);
  g_hash_table_insert (self->vms, vm->spec->name, vm);
  return TRUE;
}

/* Runs in the child before exec: its own session (a terminal's signals do not reach it),
 * no privilege gain through set-uid files, and files it creates readable by it alone. */
static void
confine_child (gpointer user_data)
{
  setsid ();
  prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
  umask (077);
}

/* Remembers which process runs the VM, so that a cpd restarted after a crash finds it. */
static void
write_pid_file (ProcessVm *vm)
{
  g_autofree char *path = g_build_filename (vm->workdir, "pid", NULL);
  GPid pid = (GPid) g_ascii_strtoll (g_subprocess_get_identifier (vm->proc), NULL, 10);
  g_autofree char *text = g_strdup_printf ("%d %" G_GUINT64_FORMAT "\n", (int) pid,
                                           process_start_time (pid));
  g_autoptr(GError) error = NULL;

  if (!g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error))
    g_warning ("%s", error->message);
}

static gboolean
process_start (JcCpdVmBackend *backend, const char *name, GError **error)
{
  JcCpdProcessBackend *self = JC_CPD_PROCESS_BACKEND (backend);
  G_GNUC_UNUSED g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  ProcessVm *vm = lookup (self, name, error);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) argv = NULL;
  g_autofree char *log = NULL;
  g_autofree char *listen = NULL;
  g_autoptr(GError) local = NULL;

  if (vm == NULL)
    return FALSE;
  if (vm->was_started)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_STATE,
                   _("The VM %s has been started already; a task is never started twice"), name);
      return FALSE;
    }

  listen = g_strdup_printf (strchr (vm->spec->host_address, ':') ? "--listen=[%s]:%u" : "--listen=%s:%u",
                            vm->spec->host_address, vm->spec->host_port);
  argv = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (argv, g_strdup (self->guest_binary));
  g_ptr_array_add (argv, g_steal_pointer (&listen));
  if (vm->spec->cta_path != NULL)
    g_ptr_array_add (argv, g_strdup_printf ("--cta=%s", vm->spec->cta_path));
  /* With the trust anchor and the approver the orchestrator runs the task itself
   * (docs/guest.md "The cpd interface"); its task data lives in the VM's directory. */
  if (vm->spec->root_path != NULL)
    g_ptr_array_add (argv, g_strdup_printf ("--root=%s", vm->spec->root_path));
  if (vm->spec->approver_path != NULL)
    g_ptr_array_add (argv, g_strdup_printf ("--approver=%s", vm->spec->approver_path));
  /* The orchestrator counts parties from 1 (docs/guest.md); the spec from 0. */
  if (vm->spec->party >= 0)
    g_ptr_array_add (argv, g_strdup_printf ("--party=%d", vm->spec->party + 1));
  if (vm->spec->sim_key_path != NULL)
    g_ptr_array_add (argv, g_strdup_printf ("--sim-key=%s", vm->spec->sim_key_path));
  if (vm->spec->engine_dir != NULL)
    g_ptr_array_add (argv, g_strdup_printf ("--engine-dir=%s", vm->spec->engine_dir));
  if (vm->spec->root_path != NULL)
    g_ptr_array_add (argv, g_strdup_printf ("--state-dir=%s", vm->workdir));
  g_ptr_array_add (argv, NULL);

  log = g_build_filename (vm->workdir, "guest.log", NULL);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_INHERIT | G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_subprocess_launcher_set_cwd (launcher, vm->workdir);
  g_subprocess_launcher_set_child_setup (launcher, confine_child, NULL, NULL);
  g_subprocess_launcher_set_stdout_file_path (launcher, log);
  vm->proc = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &local);
  if (vm->proc == NULL)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_FAILED, _("The VM %s did not start: %s"),
                   name, local->message);
      return FALSE;
    }
  vm->was_started = TRUE;
  g_debug ("VM %s started as process %s", name, g_subprocess_get_identifier (vm->proc));
  write_pid_file (vm);
  return TRUE;
}

static gboolean
process_get_state (JcCpdVmBackend *backend, const char *name, JcCpdVmState *state, GError **error)
{
  JcCpdProcessBackend *self = JC_CPD_PROCESS_BACKEND (backend);
  G_GNUC_UNUSED g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  ProcessVm *vm = lookup (self, name, error);

  if (vm == NULL)
    return FALSE;
  if (!vm->was_started)
    *state = JC_CPD_VM_STATE_DEFINED;
  else if (is_running (vm))
    *state = JC_CPD_VM_STATE_RUNNING;
  else
    *state = JC_CPD_VM_STATE_SHUTOFF;
  return TRUE;
}

static gboolean
process_destroy (JcCpdVmBackend *backend, const char *name, GError **error)
{
  JcCpdProcessBackend *self = JC_CPD_PROCESS_BACKEND (backend);
  ProcessVm *vm;
  g_autofree char *workdir = NULL;
  gboolean ok;

  g_mutex_lock (&self->lock);
  vm = lookup (self, name, error);
  if (vm != NULL)
    g_hash_table_steal (self->vms, name);
  g_mutex_unlock (&self->lock);
  if (vm == NULL)
    return FALSE;
  /* Stopping may take the grace period: done outside the lock. */
  workdir = g_strdup (vm->workdir);
  process_vm_free (vm);
  ok = remove_tree (workdir, error);
  return ok;
}

static int
compare_names (const void *a, const void *b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

static GStrv
process_list (JcCpdVmBackend *backend, GError **error)
{
  JcCpdProcessBackend *self = JC_CPD_PROCESS_BACKEND (backend);
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  G_GNUC_UNUSED g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  g_autofree const char **keys = (const char **) g_hash_table_get_keys_as_array (self->vms, NULL);
  GStrv names;

  for (guint i = 0; keys[i] != NULL; i++)
    g_strv_builder_add (b, keys[i]);
  names = g_strv_builder_end (b);
  qsort (names, g_strv_length (names), sizeof (char *), compare_names);
  return names;
}

GPid
jc_cpd_process_backend_get_pid (JcCpdProcessBackend *self, const char *name)
{
  G_GNUC_UNUSED g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  ProcessVm *vm = g_hash_table_lookup (self->vms, name);
  const char *id;

  if (vm != NULL && vm->adopted != 0)
    return is_running (vm) ? vm->adopted : 0;
  if (vm == NULL || vm->proc == NULL || (id = g_subprocess_get_identifier (vm->proc)) == NULL)
    return 0;
  return (GPid) g_ascii_strtoll (id, NULL, 10);
}

static void
backend_iface_init (JcCpdVmBackendInterface *iface)
{
  iface->get_name = process_get_name;
  iface->define = process_define;
  iface->start = process_start;
  iface->get_state = process_get_state;
  iface->destroy = process_destroy;
  iface->list = process_list;
}

static void
jc_cpd_process_backend_dispose (GObject *object)
{
  JcCpdProcessBackend *self = JC_CPD_PROCESS_BACKEND (object);

  /* Children never outlive the backend; their working directories go with them. */
  if (self->vms != NULL)
    {
      g_auto(GStrv) names = process_list (JC_CPD_VM_BACKEND (self), NULL);
      for (guint i = 0; names[i] != NULL; i++)
        {
          g_autoptr(GError) error = NULL;
          if (!process_destroy (JC_CPD_VM_BACKEND (self), names[i], &error))
            g_warning ("%s", error->message);
        }
    }
  G_OBJECT_CLASS (jc_cpd_process_backend_parent_class)->dispose (object);
}

static void
jc_cpd_process_backend_finalize (GObject *object)
{
  JcCpdProcessBackend *self = JC_CPD_PROCESS_BACKEND (object);

  g_clear_pointer (&self->vms, g_hash_table_unref);
  g_mutex_clear (&self->lock);
  g_free (self->guest_binary);
  g_free (self->state_dir);
  G_OBJECT_CLASS (jc_cpd_process_backend_parent_class)->finalize (object);
}

static void
jc_cpd_process_backend_class_init (JcCpdProcessBackendClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = jc_cpd_process_backend_dispose;
  object_class->finalize = jc_cpd_process_backend_finalize;
}

static void
jc_cpd_process_backend_init (JcCpdProcessBackend *self)
{
  g_mutex_init (&self->lock);
  self->vms = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) process_vm_free);
}

/* The VMs an earlier run of the cpd left in STATE_DIR (it crashed or was killed): one still
 * running is adopted, one whose process is gone is a stopped VM; both are listed, so the
 * cpd reconciles them with its database instead of leaving orphans or starting a task
 * twice. */
static void
adopt_leftovers (JcCpdProcessBackend *self)
{
  g_autoptr(GDir) dir = g_dir_open (self->state_dir, 0, NULL);
  const char *entry;

  while (dir != NULL && (entry = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *workdir = g_build_filename (self->state_dir, entry, NULL);
      g_autofree char *pid_path = g_build_filename (workdir, "pid", NULL);
      g_autofree char *text = NULL;
      g_autoptr(JcCpdVmSpec) spec = jc_cpd_vm_spec_new (entry);
      ProcessVm *vm;

      if (!g_file_test (workdir, G_FILE_TEST_IS_DIR) || g_file_test (workdir, G_FILE_TEST_IS_SYMLINK) ||
          !jc_cpd_vm_name_is_valid (entry))
        continue;
      vm = g_new0 (ProcessVm, 1);
      vm->spec = g_steal_pointer (&spec);
      vm->workdir = g_steal_pointer (&workdir);
      if (g_file_get_contents (pid_path, &text, NULL, NULL))
        {
          gchar *end = NULL;
          GPid pid = (GPid) g_ascii_strtoll (text, &end, 10);
          guint64 start = end != NULL ? g_ascii_strtoull (end, NULL, 10) : 0;

          vm->was_started = TRUE;
          if (pid > 0 && start != 0 && process_start_time (pid) == start)
            {
              vm->adopted = pid;
              vm->adopted_start = start;
              g_message ("VM %s (process %d) survived an earlier run; adopted", entry, (int) pid);
            }
        }
      g_hash_table_insert (self->vms, vm->spec->name, vm);
    }
}

JcCpdProcessBackend *
jc_cpd_process_backend_new (const char *guest_binary, const char *state_dir)
{
  JcCpdProcessBackend *self = g_object_new (JC_CPD_TYPE_PROCESS_BACKEND, NULL);

  g_return_val_if_fail (guest_binary != NULL && state_dir != NULL, NULL);
  self->guest_binary = g_strdup (guest_binary);
  self->state_dir = g_strdup (state_dir);
  adopt_leftovers (self);
  return self;
}
