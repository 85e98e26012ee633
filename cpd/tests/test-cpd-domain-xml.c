#define G_LOG_DOMAIN "joconde-cpd"
#include "config.h"

#include "cpd-test-util.h"
#include "jc-cpd-domain-xml.h"
#include "jc-error.h"

/* XML normalisation for comparison: elements in order, attributes sorted by name, text
 * trimmed, whitespace-only text and comments dropped, quoting made uniform. Two documents
 * are the same domain definition when their normal forms are equal. */
typedef struct {
  GString *out;
} Norm;

static int
compare_attr (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (((const char * const *) a)[0], ((const char * const *) b)[0]);
}

static void
norm_start (GMarkupParseContext *ctx, const char *element, const char **names,
            const char **values, gpointer user_data, GError **error)
{
  Norm *n = user_data;
  guint count = g_strv_length ((char **) names);
  g_autofree const char **pairs = g_new0 (const char *, 2 * count + 2);

  for (guint i = 0; i < count; i++)
    {
      pairs[2 * i] = names[i];
      pairs[2 * i + 1] = values[i];
    }
  qsort (pairs, count, 2 * sizeof (char *), compare_attr);
  g_string_append_printf (n->out, "<%s", element);
  for (guint i = 0; i < count; i++)
    {
      g_autofree char *v = g_markup_escape_text (pairs[2 * i + 1], -1);
      g_string_append_printf (n->out, " %s=\"%s\"", pairs[2 * i], v);
    }
  g_string_append (n->out, ">\n");
}

static void
norm_end (GMarkupParseContext *ctx, const char *element, gpointer user_data, GError **error)
{
  Norm *n = user_data;

  g_string_append_printf (n->out, "</%s>\n", element);
}

static void
norm_text (GMarkupParseContext *ctx, const char *text, gsize len, gpointer user_data, GError **error)
{
  Norm *n = user_data;
  g_autofree char *t = g_strstrip (g_strndup (text, len));

  if (*t != '\0')
    {
      g_autofree char *e = g_markup_escape_text (t, -1);
      g_string_append_printf (n->out, "%s\n", e);
    }
}

static char *
normalise (const char *xml)
{
  static const GMarkupParser parser = { norm_start, norm_end, norm_text, NULL, NULL };
  Norm n = { g_string_new (NULL) };
  g_autoptr(GMarkupParseContext) ctx = g_markup_parse_context_new (&parser, 0, &n, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (g_markup_parse_context_parse (ctx, xml, -1, &error));
  g_assert_true (g_markup_parse_context_end_parse (ctx, &error));
  g_assert_no_error (error);
  return g_string_free (n.out, FALSE);
}

static void
check_against (const char *expected_file, const JcCpdVmSpec *spec, gulong version)
{
  g_autofree char *path = g_build_filename (g_getenv ("JC_CPD_TEST_DATA"), expected_file, NULL);
  g_autofree char *expected = NULL;
  g_autofree char *got = NULL;
  g_autofree char *norm_expected = NULL;
  g_autofree char *norm_got = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (jc_cpd_vm_spec_validate (spec, &error));
  g_assert_no_error (error);
  got = jc_cpd_domain_xml_build (spec, version, &error);
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &expected, NULL, &error));
  g_assert_no_error (error);
  norm_expected = normalise (expected);
  norm_got = normalise (got);
  if (g_strcmp0 (norm_expected, norm_got) != 0)
    g_test_message ("generated:\n%s", got);
  g_assert_cmpstr (norm_got, ==, norm_expected);
}

static void
test_plain (void)
{
  g_autoptr(JcCpdVmSpec) spec = cpd_test_spec ("joconde-task-0001");

  check_against ("domain-plain.xml", spec, JC_CPD_LIBVIRT_VERSION (9, 0, 0));
}

/* A confidential VM in TEE with its FIRMWARE: KVM, 2 vCPUs, 2 GiB. */
static JcCpdVmSpec *
tee_spec (JcCpdTee tee, const char *firmware)
{
  JcCpdVmSpec *spec = cpd_test_spec ("joconde-task-0001");

  spec->tee = tee;
  spec->kvm = TRUE;
  spec->vcpus = 2;
  spec->memory_mib = 2048;
  spec->firmware = g_strdup (firmware);
  return spec;
}

static JcCpdVmSpec *
snp_spec (void)
{
  return tee_spec (JC_CPD_TEE_SEV_SNP, "/usr/share/ovmf/OVMF.amdsev.fd");
}

static void
test_sev_snp_native (void)
{
  g_autoptr(JcCpdVmSpec) spec = snp_spec ();

  check_against ("domain-sev-snp.xml", spec, JC_CPD_LIBVIRT_VERSION (10, 5, 0));
}

static void
test_sev_snp_qemu (void)
{
  g_autoptr(JcCpdVmSpec) spec = snp_spec ();

  /* Debian 12's libvirt */
  check_against ("domain-sev-snp-qemu.xml", spec, JC_CPD_LIBVIRT_VERSION (9, 0, 0));
  /* the last release before the native element */
  check_against ("domain-sev-snp-qemu.xml", spec, JC_CPD_LIBVIRT_VERSION (10, 4, 0));
}

static JcCpdVmSpec *
tdx_spec (void)
{
  JcCpdVmSpec *spec = tee_spec (JC_CPD_TEE_TDX, "/usr/share/ovmf/OVMF.inteltdx.fd");

  spec->tdx_qgs_socket = g_strdup ("/var/run/tdx-qgs/qgs.socket");
  return spec;
}

static void
test_tdx (void)
{
  g_autoptr(JcCpdVmSpec) spec = tdx_spec ();

  check_against ("domain-tdx.xml", spec, JC_CPD_LIBVIRT_VERSION (11, 6, 0));
}

static void
test_tdx_old_libvirt (void)
{
  g_autoptr(JcCpdVmSpec) spec = tdx_spec ();
  g_autoptr(GError) error = NULL;
  g_autofree char *xml = jc_cpd_domain_xml_build (spec, JC_CPD_LIBVIRT_VERSION (11, 5, 0), &error);

  g_assert_null (xml);
  g_assert_error (error, JC_ERROR, JC_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "11.5.0"));
}

/* Paths and command lines come from image manifests: markup in them must stay text. */
static void
test_escaping (void)
{
  g_autoptr(JcCpdVmSpec) spec = cpd_test_spec ("joconde-task-0001");
  g_autoptr(GError) error = NULL;
  g_autofree char *xml = NULL;
  g_autofree char *norm = NULL;

  g_free (spec->cmdline);
  spec->cmdline = g_strdup ("quiet x='<a>' &amp; \"y\"");
  g_free (spec->kernel);
  spec->kernel = g_strdup ("/images/a'b<c>/vmlinuz");
  xml = jc_cpd_domain_xml_build (spec, JC_CPD_LIBVIRT_VERSION (9, 0, 0), &error);
  g_assert_no_error (error);
  norm = normalise (xml);
  g_assert_nonnull (strstr (norm, "<cmdline>\nquiet x=&apos;&lt;a&gt;&apos; &amp;amp; &quot;y&quot;\n</cmdline>"));
  g_assert_nonnull (strstr (norm, "/images/a&apos;b&lt;c&gt;/vmlinuz"));
}

/* The trust anchor, the approver's chain and the party go to the VM beside the CTA. */
static void
test_task_inputs (void)
{
  g_autoptr(JcCpdVmSpec) spec = cpd_test_spec ("joconde-task-0001");
  g_autoptr(GError) error = NULL;
  g_autofree char *xml = NULL;

  g_assert_nonnull (spec->cta_path);
  spec->root_path = g_strdup ("/var/lib/joconde-cpd/root-ca.pem");
  spec->approver_path = g_strdup ("/var/lib/joconde-cpd/approver.pem");
  spec->party = 2;
  spec->sim_key_path = g_strdup ("/var/lib/joconde-cpd/agreements/t.sim.key");
  xml = jc_cpd_domain_xml_build (spec, JC_CPD_LIBVIRT_VERSION (9, 0, 0), &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (xml, "<entry name='opt/org.joconde/root' file='/var/lib/joconde-cpd/root-ca.pem'/>"));
  g_assert_nonnull (strstr (xml, "<entry name='opt/org.joconde/approver' file='/var/lib/joconde-cpd/approver.pem'/>"));
  /* The third party (index 2) is party 3 to the orchestrator and the image's init. */
  g_assert_nonnull (strstr (xml, "<entry name='opt/org.joconde/party'>3</entry>"));
  g_assert_nonnull (strstr (xml, "<entry name='opt/org.joconde/sim-key' file='/var/lib/joconde-cpd/agreements/t.sim.key'/>"));
}

static void
test_spec_refusals (void)
{
  g_autoptr(GError) error = NULL;
  JcCpdVmSpec *spec;

  /* a name with a slash or spaces */
  spec = cpd_test_spec ("../escape");
  g_assert_false (jc_cpd_vm_spec_validate (spec, &error));
  g_assert_error (error, JC_ERROR, JC_ERROR_INVALID);
  g_clear_error (&error);
  jc_cpd_vm_spec_free (spec);

  /* a relative kernel path */
  spec = cpd_test_spec ("t1");
  g_free (spec->kernel);
  spec->kernel = g_strdup ("vmlinuz");
  g_assert_false (jc_cpd_vm_spec_validate (spec, &error));
  g_assert_error (error, JC_ERROR, JC_ERROR_INVALID);
  g_clear_error (&error);
  jc_cpd_vm_spec_free (spec);

  /* no port */
  spec = cpd_test_spec ("t1");
  spec->host_port = 0;
  g_assert_false (jc_cpd_vm_spec_validate (spec, &error));
  g_assert_error (error, JC_ERROR, JC_ERROR_INVALID);
  g_clear_error (&error);
  jc_cpd_vm_spec_free (spec);

  /* a TEE without KVM */
  spec = snp_spec ();
  spec->kvm = FALSE;
  g_assert_false (jc_cpd_vm_spec_validate (spec, &error));
  g_assert_error (error, JC_ERROR, JC_ERROR_INVALID);
  g_clear_error (&error);
  jc_cpd_vm_spec_free (spec);

  /* a TEE without firmware */
  spec = tdx_spec ();
  g_clear_pointer (&spec->firmware, g_free);
  g_assert_false (jc_cpd_vm_spec_validate (spec, &error));
  g_assert_error (error, JC_ERROR, JC_ERROR_INVALID);
  g_clear_error (&error);
  jc_cpd_vm_spec_free (spec);

  /* debuggable guests would let the host read the task's data */
  spec = snp_spec ();
  spec->snp_policy |= 1 << 19;
  g_assert_false (jc_cpd_vm_spec_validate (spec, &error));
  g_assert_error (error, JC_ERROR, JC_ERROR_DENIED);
  g_clear_error (&error);
  jc_cpd_vm_spec_free (spec);

  spec = tdx_spec ();
  spec->tdx_policy |= 1;
  g_assert_false (jc_cpd_vm_spec_validate (spec, &error));
  g_assert_error (error, JC_ERROR, JC_ERROR_DENIED);
  g_clear_error (&error);
  jc_cpd_vm_spec_free (spec);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cpd/domain-xml/plain", test_plain);
  g_test_add_func ("/cpd/domain-xml/sev-snp-native", test_sev_snp_native);
  g_test_add_func ("/cpd/domain-xml/sev-snp-qemu-commandline", test_sev_snp_qemu);
  g_test_add_func ("/cpd/domain-xml/tdx", test_tdx);
  g_test_add_func ("/cpd/domain-xml/tdx-needs-libvirt-11.6", test_tdx_old_libvirt);
  g_test_add_func ("/cpd/domain-xml/escaping", test_escaping);
  g_test_add_func ("/cpd/domain-xml/task-inputs", test_task_inputs);
  g_test_add_func ("/cpd/spec/refusals", test_spec_refusals);
  return g_test_run ();
}
