#define G_LOG_DOMAIN "joconde-cpd"
#include "config.h"

#include <libvirt/libvirt.h>

#include "cpd-test-util.h"
#include "jc-cpd-libvirt-backend.h"
#include "jc-error.h"

/* The libvirt backend against libvirt's test driver, which needs no daemon. Each test opens
 * its own connections; test:///default starts with one foreign domain ("test") that the
 * backend must never list or touch. */

static JcCpdVmBackend *
open_backend (const char * const *uris)
{
  g_autoptr(GError) error = NULL;
  JcCpdLibvirtBackend *b = jc_cpd_libvirt_backend_new (uris, &error);

  g_assert_no_error (error);
  g_assert_nonnull (b);
  return JC_CPD_VM_BACKEND (b);
}

static void
assert_state (JcCpdVmBackend *b, const char *name, JcCpdVmState expected)
{
  g_autoptr(GError) error = NULL;
  JcCpdVmState state = JC_CPD_VM_STATE_OTHER;

  g_assert_true (jc_cpd_vm_backend_get_state (b, name, &state, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (jc_cpd_vm_state_to_string (state), ==, jc_cpd_vm_state_to_string (expected));
}

static void
test_lifecycle (void)
{
  const char *uris[] = { "test:///default", NULL };
  g_autoptr(JcCpdVmBackend) b = open_backend (uris);
  g_autoptr(JcCpdVmSpec) spec = cpd_test_spec ("joconde-task-0001");
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) names = NULL;

  g_assert_cmpstr (jc_cpd_vm_backend_get_name (b), ==, "libvirt");
  names = jc_cpd_vm_backend_list (b, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (names), ==, 0);   /* "test" is not ours */
  g_clear_pointer (&names, g_strfreev);

  g_assert_true (jc_cpd_vm_backend_define (b, spec, &error));
  g_assert_no_error (error);
  assert_state (b, "joconde-task-0001", JC_CPD_VM_STATE_DEFINED);

  /* never twice */
  g_assert_false (jc_cpd_vm_backend_define (b, spec, &error));
  g_assert_error (error, JC_ERROR, JC_ERROR_EXISTS);
  g_clear_error (&error);

  g_assert_true (jc_cpd_vm_backend_start (b, "joconde-task-0001", &error));
  g_assert_no_error (error);
  assert_state (b, "joconde-task-0001", JC_CPD_VM_STATE_RUNNING);

  names = jc_cpd_vm_backend_list (b, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (names), ==, 1);
  g_assert_cmpstr (names[0], ==, "joconde-task-0001");
  g_clear_pointer (&names, g_strfreev);

  g_assert_true (jc_cpd_vm_backend_destroy (b, "joconde-task-0001", &error));
  g_assert_no_error (error);
  g_assert_false (jc_cpd_vm_backend_get_state (b, "joconde-task-0001", &(JcCpdVmState){0}, &error));
  g_assert_error (error, JC_ERROR, JC_ERROR_NOT_FOUND);
  g_clear_error (&error);
  names = jc_cpd_vm_backend_list (b, &error);
  g_assert_cmpuint (g_strv_length (names), ==, 0);

  /* gone means gone */
  g_assert_false (jc_cpd_vm_backend_destroy (b, "joconde-task-0001", &error));
  g_assert_error (error, JC_ERROR, JC_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (jc_cpd_vm_backend_start (b, "joconde-task-0001", &error));
  g_assert_error (error, JC_ERROR, JC_ERROR_NOT_FOUND);
}

/* The backend refuses to destroy a domain it did not create. */
static void
test_foreign_domain (void)
{
  const char *uris[] = { "test:///default", NULL };
  g_autoptr(JcCpdVmBackend) b = open_backend (uris);
  g_autoptr(GError) error = NULL;

  g_assert_false (jc_cpd_vm_backend_destroy (b, "test", &error));
  g_assert_error (error, JC_ERROR, JC_ERROR_DENIED);
}

static void
test_refusals (void)
{
  const char *uris[] = { "test:///default", NULL };
  const char *bad_uris[] = { "test:///default", "nosuchdriver:///x", NULL };
  const char *no_uris[] = { NULL };
  g_autoptr(JcCpdVmBackend) b = open_backend (uris);
  g_autoptr(JcCpdVmSpec) tdx = cpd_test_spec ("joconde-task-tdx");
  g_autoptr(JcCpdVmSpec) big = cpd_test_spec ("joconde-task-big");
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) names = NULL;

  g_assert_null (jc_cpd_libvirt_backend_new (bad_uris, &error));
  g_assert_error (error, JC_ERROR, JC_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "nosuchdriver:///x"));
  g_clear_error (&error);
  g_assert_null (jc_cpd_libvirt_backend_new (no_uris, &error));
  g_assert_error (error, JC_ERROR, JC_ERROR_INVALID);
  g_clear_error (&error);

  /* the test driver reports libvirt 9.0: no TDX there */
  tdx->tee = JC_CPD_TEE_TDX;
  tdx->kvm = TRUE;
  tdx->firmware = g_strdup ("/usr/share/ovmf/OVMF.inteltdx.fd");
  g_assert_false (jc_cpd_vm_backend_define (b, tdx, &error));
  g_assert_error (error, JC_ERROR, JC_ERROR_UNSUPPORTED);
  g_clear_error (&error);

  big->memory_mib = 1024 * 1024;
  g_assert_false (jc_cpd_vm_backend_define (b, big, &error));
  g_assert_error (error, JC_ERROR, JC_ERROR_FAILED);
  g_clear_error (&error);

  names = jc_cpd_vm_backend_list (b, &error);
  g_assert_cmpuint (g_strv_length (names), ==, 0);
}

/* Two hypervisors: VMs go where there is room and each is found where it went. */
static void
test_placement (void)
{
  const char *dir = g_getenv ("JC_CPD_TEST_DATA");
  g_autofree char *small = g_strdup_printf ("test://%s/node-small.xml", dir);
  g_autofree char *large = g_strdup_printf ("test://%s/node-large.xml", dir);
  const char *uris[] = { small, large, NULL };
  g_autoptr(JcCpdVmBackend) b = open_backend (uris);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) names = NULL;
  const char *expected[] = { large, small, large, NULL };
  char name[32];

  g_assert_true (g_path_is_absolute (dir));
  /* 8 GiB free beats 4; then 4 GiB left on each: fewer running domains wins; then 4 beats 1 */
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(JcCpdVmSpec) spec = NULL;
      g_autofree char *uri = NULL;

      g_snprintf (name, sizeof name, "joconde-task-%u", i);
      spec = cpd_test_spec (name);
      spec->memory_mib = i == 0 ? 4096 : 3072;
      g_assert_true (jc_cpd_vm_backend_define (b, spec, &error));
      g_assert_no_error (error);
      g_assert_true (jc_cpd_vm_backend_start (b, name, &error));
      g_assert_no_error (error);
      uri = jc_cpd_libvirt_backend_get_vm_uri (JC_CPD_LIBVIRT_BACKEND (b), name, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (uri, ==, expected[i]);
    }

  names = jc_cpd_vm_backend_list (b, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (names), ==, 3);
  g_assert_cmpstr (names[0], ==, "joconde-task-0");
  g_assert_cmpstr (names[2], ==, "joconde-task-2");
  for (guint i = 0; i < 3; i++)
    {
      g_assert_true (jc_cpd_vm_backend_destroy (b, names[i], &error));
      g_assert_no_error (error);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cpd/libvirt/lifecycle", test_lifecycle);
  g_test_add_func ("/cpd/libvirt/foreign-domain", test_foreign_domain);
  g_test_add_func ("/cpd/libvirt/refusals", test_refusals);
  g_test_add_func ("/cpd/libvirt/placement", test_placement);
  return g_test_run ();
}
