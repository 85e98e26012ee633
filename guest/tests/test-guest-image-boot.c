#define G_LOG_DOMAIN "joconde-guest"
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <sys/prctl.h>

#include "jc-engine.h"
#include "jc-snp-measure.h"
#include "jc-tee-sim.h"
#include "task-fixture.h"
#include "../../tests/common/jc-test-daemon.h"

/* Builds the image, checks its manifest against the files (hashes, engine ids read from
 * the module, the SEV-SNP measurement recomputed through libjoconde), then boots it under
 * QEMU with TCG twice: health-only (a CTA and nothing else), and as party 3 of a real task
 * whose parties 1 and 2 run as processes on the host, reached from the VM through QEMU's
 * user network (10.0.2.2 is the host's loopback). QEMU is killed on every path: explicitly
 * after the poll, and by the kernel (parent-death signal) if this test dies first, for
 * instance on a failed assertion or a meson timeout. */

#define BOOT_TIMEOUT_S 120

static const char *
image_dir (void)
{
  const char *dir = g_getenv ("JC_GUEST_IMAGE_DIR");

  g_assert_nonnull (dir);
  return dir;
}

static char *
file_sha256 (const char *path)
{
  g_autofree char *data = NULL;
  gsize len = 0;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_get_contents (path, &data, &len, &error));
  g_assert_no_error (error);
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guint8 *) data, len);
}

static const char *
env (const char *name)
{
  const char *v = g_getenv (name);

  if (v == NULL)
    g_error ("%s is not set (meson test sets it)", name);
  return v;
}

/* The builder's command line, as `ninja guest-image` runs it (the configured builder fills
 * in the engine module, the image tool and the OVMF firmware). */
static GStrv
builder_argv (const char *output)
{
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  g_autofree char *cache = g_build_filename (image_dir (), "cache", NULL);

  g_strv_builder_add_many (b, env ("JC_GUEST_IMAGE_BUILDER"),
                           "--guest", env ("JC_GUEST_BINARY"),
                           "--output", output, "--cache", cache, NULL);
  return g_strv_builder_end (b);
}

/* Builds the image with guest/image/build-image.sh (a no-op when it is up to date). */
static void
test_build (void)
{
  g_auto(GStrv) argv = builder_argv (image_dir ());
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  int status = -1;
  gint64 start = g_get_monotonic_time ();

  g_assert_true (g_spawn_sync (NULL, argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                               NULL, &err, &status, &error));
  g_assert_no_error (error);
  g_test_message ("%s", err);
  g_assert_true (g_spawn_check_wait_status (status, &error));
  g_assert_no_error (error);
  g_test_message ("image build: %.1f s", (double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC);
}

/* Built again elsewhere from the same inputs, the image is the same byte for byte: the
 * expected launch measurements of a TEE depend on it. */
static void
test_reproducible (void)
{
  g_autofree char *other = g_dir_make_tmp ("jc-guest-image-XXXXXX", NULL);
  g_auto(GStrv) argv = builder_argv (other);
  const char *files[] = { "vmlinuz", "initrd.img", "cmdline", "manifest.json" };
  g_autoptr(GError) error = NULL;
  int status = -1;

  g_assert_nonnull (other);
  g_assert_true (g_spawn_sync (NULL, argv, NULL,
                               G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                               NULL, NULL, NULL, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *a = g_build_filename (image_dir (), files[i], NULL);
      g_autofree char *b = g_build_filename (other, files[i], NULL);
      g_autofree char *sum_a = file_sha256 (a);
      g_autofree char *sum_b = file_sha256 (b);

      g_assert_cmpstr (sum_a, ==, sum_b);
      g_unlink (b);
    }
  {
    g_autofree char *stamp = g_build_filename (other, ".build-args", NULL);
    g_unlink (stamp);
  }
  g_assert_cmpint (g_rmdir (other), ==, 0);
}

/* The manifest must describe exactly the files beside it. */
static void
test_manifest (void)
{
  g_autofree char *path = g_build_filename (image_dir (), "manifest.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *m;
  struct { const char *member; const char *file; } files[] = {
    { "kernel", "vmlinuz" }, { "initrd", "initrd.img" },
  };

  g_assert_true (json_parser_load_from_file (parser, path, &error));
  g_assert_no_error (error);
  m = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (m, "format"), ==, "joconde-guest-image/1");
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *fp = g_build_filename (image_dir (), files[i].file, NULL);
      g_autofree char *sum = file_sha256 (fp);
      JsonObject *o = json_object_get_object_member (m, files[i].member);

      g_assert_cmpstr (json_object_get_string_member (o, "file"), ==, files[i].file);
      g_assert_cmpstr (json_object_get_string_member (o, "sha256"), ==, sum);
    }
  {
    g_autofree char *cp = g_build_filename (image_dir (), "cmdline", NULL);
    g_autofree char *sum = file_sha256 (cp);
    g_autofree char *cmdline = NULL;

    g_assert_true (g_file_get_contents (cp, &cmdline, NULL, NULL));
    g_assert_cmpstr (json_object_get_string_member (m, "cmdline"), ==, cmdline);
    g_assert_cmpstr (json_object_get_string_member (m, "cmdline_sha256"), ==, sum);
  }
  /* The engines are those of the shipped module, as the orchestrator loads it. */
  {
    g_autoptr(JcEngine) engine = jc_engine_load (env ("JC_ENGINE_MODULE"), &error);
    JsonArray *engines = json_object_get_array_member (m, "engines");

    g_assert_no_error (error);
    g_assert_cmpuint (json_array_get_length (engines), ==, 1);
    g_assert_cmpstr (json_array_get_string_element (engines, 0), ==, jc_engine_get_id (engine));
    g_assert_cmpstr (json_object_get_string_member (m, "engine_dir"), ==, "/lib/joconde/engines");
  }
  /* No TDX measurement code exists: null, never a made-up value. */
  g_assert_true (json_object_has_member (m, "expected_tdx_mrtd"));
  g_assert_true (json_object_get_null_member (m, "expected_tdx_mrtd"));
  g_assert_cmpint (json_object_get_int_member (m, "guest_port"), ==, 8443);
}

static GBytes *
load_bytes (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  gsize len = 0;

  g_assert_true (g_file_get_contents (path, &data, &len, &error));
  g_assert_no_error (error);
  return g_bytes_new_take (g_steal_pointer (&data), len);
}

/* The image's kernel, initrd and command line as jc_snp_measure inputs. */
static void
image_params (JcSnpMeasureParams *p, JsonObject *snp, GBytes *ovmf, GBytes *kernel,
              GBytes *initrd, const char *cmdline)
{
  g_autoptr(GError) error = NULL;
  const char *features = json_object_get_string_member (snp, "guest_features");

  memset (p, 0, sizeof *p);
  p->vcpus = (guint) json_object_get_int_member (snp, "vcpus");
  g_assert_true (jc_snp_vcpu_sig_from_name (json_object_get_string_member (snp, "vcpu_type"),
                                            &p->vcpu_sig, &error));
  g_assert_no_error (error);
  p->guest_features = g_ascii_strtoull (features, NULL, 16);
  p->ovmf = ovmf;
  p->direct_boot = json_object_get_boolean_member (snp, "kernel_hashes");
  p->kernel = kernel;
  p->initrd = initrd;
  p->append = cmdline;
}

static char *
measure_hex (const JcSnpMeasureParams *p)
{
  g_autoptr(GError) error = NULL;
  guint8 out[JC_SNP_MEASUREMENT_SIZE];

  g_assert_true (jc_snp_measure (p, out, &error));
  g_assert_no_error (error);
  return jc_hex_encode (out, sizeof out);
}

/* The manifest's expected SEV-SNP measurement is recomputed here, through libjoconde, from
 * the firmware it names and the image's files; the inputs it covers change it. */
static void
test_snp_measurement (void)
{
  g_autofree char *path = g_build_filename (image_dir (), "manifest.json", NULL);
  g_autofree char *kpath = g_build_filename (image_dir (), "vmlinuz", NULL);
  g_autofree char *ipath = g_build_filename (image_dir (), "initrd.img", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) ovmf = NULL, kernel = load_bytes (kpath), initrd = load_bytes (ipath);
  g_autoptr(GBytes) flipped = NULL;
  g_autofree char *fw_sum = NULL, *expected = NULL, *after_flip = NULL;
  JsonObject *m, *snp, *fw;
  JcSnpMeasureParams p;
  const char *cmdline;
  gboolean kernel_hashes;

  g_assert_true (json_parser_load_from_file (parser, path, &error));
  g_assert_no_error (error);
  m = json_node_get_object (json_parser_get_root (parser));
  cmdline = json_object_get_string_member (m, "cmdline");
  snp = json_object_get_object_member (m, "snp");
  fw = json_object_get_object_member (snp, "firmware");
  /* the firmware it names, unchanged since */
  g_assert_cmpstr (json_object_get_string_member (fw, "file"), ==, env ("JC_OVMF"));
  ovmf = load_bytes (json_object_get_string_member (fw, "file"));
  fw_sum = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, ovmf);
  g_assert_cmpstr (json_object_get_string_member (fw, "sha256"), ==, fw_sum);

  image_params (&p, snp, ovmf, kernel, initrd, cmdline);
  expected = measure_hex (&p);
  g_assert_cmpuint (strlen (expected), ==, 2 * JC_SNP_MEASUREMENT_SIZE);
  g_assert_cmpstr (json_object_get_string_member (snp, "measurement"), ==, expected);
  g_assert_cmpstr (json_object_get_string_member (m, "expected_snp_measurement"), ==, expected);
  g_test_message ("expected SEV-SNP measurement: %s (firmware %s, kernel hashes %s)", expected,
                  json_object_get_string_member (fw, "file"),
                  json_object_get_boolean_member (snp, "kernel_hashes") ? "yes" : "no");

  /* One byte of the initrd flipped. */
  {
    gsize len = 0;
    g_autofree guint8 *copy = g_memdup2 (g_bytes_get_data (initrd, &len), g_bytes_get_size (initrd));
    copy[len / 2] ^= 0x01;
    flipped = g_bytes_new_take (g_steal_pointer (&copy), len);
  }
  kernel_hashes = json_object_get_boolean_member (snp, "kernel_hashes");
  p.initrd = flipped;
  after_flip = measure_hex (&p);
  if (kernel_hashes)
    g_assert_cmpstr (after_flip, !=, expected);
  else
    {
      g_autoptr(GError) refused = NULL;
      guint8 out[JC_SNP_MEASUREMENT_SIZE];

      /* "kernel_hashes": false is true of this firmware: it cannot measure a kernel, so
       * the measurement does not cover the initrd (docs/guest-image.md says what to boot). */
      g_assert_cmpstr (after_flip, ==, expected);
      p.direct_boot = TRUE;
      g_assert_false (jc_snp_measure (&p, out, &refused));
      g_assert_error (refused, JC_ERROR, JC_ERROR_INVALID);
    }

  /* With a firmware that measures the kernel (the last 4 KiB of an edk2-stable202405
   * AmdSevX64 build and the digest of its other pages, from the shared test data of
   * virtee/sev-snp-measure), the same image's measurement covers the initrd. */
  {
    g_autofree char *suffix_path = g_build_filename (env ("JC_TESTDATA_DIR"), "attestation", "sev-snp",
                                                     "sev-snp-measure", "ovmf_AmdSev_suffix.bin", NULL);
    g_autoptr(GBytes) amdsev = load_bytes (suffix_path);
    g_autofree char *a = NULL, *b = NULL, *c = NULL;
    guint8 seed[JC_SNP_MEASUREMENT_SIZE];

    /* the "ovmf hash only" vector of the same test data */
    g_assert_true (jc_hex_decode_into ("086e2e9149ebf45abdc3445fba5b2da8270bdbb04094d7a2"
                                       "c37faaa4b24af3aa16aff8c374c2a55c467a50da6d466b74",
                                       seed, sizeof seed, &error));
    g_assert_no_error (error);
    image_params (&p, snp, amdsev, kernel, initrd, cmdline);
    p.ovmf_hash = seed;
    p.direct_boot = TRUE;
    a = measure_hex (&p);
    p.initrd = flipped;
    b = measure_hex (&p);
    g_assert_cmpstr (a, !=, b);
    p.initrd = initrd;
    p.append = "console=ttyS0 panic=-1";
    c = measure_hex (&p);
    g_assert_cmpstr (a, !=, c);
    g_test_message ("with an AmdSevX64 firmware: %s", a);
  }
}


/* Polls GET /health until it answers 200 or the deadline passes; returns the body or NULL. */
static GBytes *
poll_health (GSubprocess *qemu, guint16 port, gint64 deadline)
{
  g_autoptr(SoupSession) session = soup_session_new_with_options ("timeout", 3, NULL);
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u/health", port);

  while (g_get_monotonic_time () < deadline && g_subprocess_get_identifier (qemu) != NULL)
    {
      g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
      g_autoptr(GBytes) body = soup_session_send_and_read (session, msg, NULL, NULL);

      if (body != NULL && soup_message_get_status (msg) == SOUP_STATUS_OK)
        return g_steal_pointer (&body);
      g_usleep (250 * 1000);
    }
  return NULL;
}

typedef struct {
  char        *tmp;
  char        *log;
  guint16      port;       /* the host's end of the forwarded orchestrator port */
  GSubprocess *qemu;
  gint64       start;
} Vm;

/* Starts the image under QEMU TCG; FW_CFG are -fw_cfg arguments (NULL-terminated). */
static void
vm_start (Vm *vm, const char *tmp, const char *const *fw_cfg)
{
  g_autofree char *qemu_bin = g_find_program_in_path ("qemu-system-x86_64");
  g_autofree char *kernel = g_build_filename (image_dir (), "vmlinuz", NULL);
  g_autofree char *initrd = g_build_filename (image_dir (), "initrd.img", NULL);
  g_autofree char *cmdline_path = g_build_filename (image_dir (), "cmdline", NULL);
  g_autofree char *cmdline = NULL;
  g_autofree char *hostfwd = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (qemu_bin);   /* Debian package qemu-system-x86 */
  memset (vm, 0, sizeof *vm);
  vm->tmp = g_strdup (tmp);
  vm->log = g_build_filename (tmp, "console.log", NULL);
  vm->port = jc_test_free_port ();
  g_assert_true (g_file_get_contents (cmdline_path, &cmdline, NULL, NULL));
  hostfwd = g_strdup_printf ("user,id=n0,hostfwd=tcp:127.0.0.1:%u-:8443", vm->port);

  const char *fixed[] = { qemu_bin, "-accel", "tcg", "-machine", "q35", "-cpu", "max",
                          "-m", "512", "-smp", "1", "-nographic", "-no-reboot",
                          "-kernel", kernel, "-initrd", initrd, "-append", cmdline,
                          "-netdev", hostfwd, "-device", "virtio-net-pci,netdev=n0,romfile=" };
  for (guint i = 0; i < G_N_ELEMENTS (fixed); i++)
    g_ptr_array_add (argv, (gpointer) fixed[i]);
  for (guint i = 0; fw_cfg[i] != NULL; i++)
    {
      g_ptr_array_add (argv, (gpointer) "-fw_cfg");
      g_ptr_array_add (argv, (gpointer) fw_cfg[i]);
    }
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE);
  g_subprocess_launcher_set_stdout_file_path (launcher, vm->log);
  g_subprocess_launcher_set_stderr_file_path (launcher, vm->log);
  g_subprocess_launcher_set_child_setup (launcher, jc_test_die_with_parent, NULL, NULL);
  vm->start = g_get_monotonic_time ();
  vm->qemu = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);
}

/* Stops QEMU and returns what the guest wrote on its console. */
static char *
vm_stop (Vm *vm)
{
  char *console = NULL;

  g_subprocess_force_exit (vm->qemu);
  g_subprocess_wait (vm->qemu, NULL, NULL);
  g_clear_object (&vm->qemu);
  g_file_get_contents (vm->log, &console, NULL, NULL);
  g_unlink (vm->log);
  g_free (vm->log);
  g_free (vm->tmp);
  return console ? console : g_strdup ("");
}

static JsonObject *
parse_object (GBytes *body, JsonParser *parser)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (body, NULL),
                                             (gssize) g_bytes_get_size (body), &error));
  g_assert_no_error (error);
  return json_node_get_object (json_parser_get_root (parser));
}

/* Health-only: an agreement handed over, no trust options. */
static void
test_boot (void)
{
  g_autofree char *tmp = g_dir_make_tmp ("jc-guest-boot-XXXXXX", NULL);
  g_autofree char *cta = g_build_filename (tmp, "cta.json", NULL);
  g_autofree char *fw_cta = g_strdup_printf ("name=opt/org.joconde/cta,file=%s", cta);
  const char *fw_cfg[] = { fw_cta, NULL };
  g_autoptr(GBytes) body = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *console = NULL;
  JsonObject *obj;
  gint64 booted;
  Vm vm;

  g_assert_nonnull (tmp);
  /* handed over the way the cpd does it: QEMU's firmware configuration */
  g_assert_true (g_file_set_contents (cta, "abc", 3, NULL));
  vm_start (&vm, tmp, fw_cfg);
  body = poll_health (vm.qemu, vm.port, vm.start + BOOT_TIMEOUT_S * G_USEC_PER_SEC);
  booted = g_get_monotonic_time () - vm.start;

  /* Stop QEMU before any assertion, so a failure leaves nothing running. */
  console = vm_stop (&vm);
  g_unlink (cta);
  g_rmdir (tmp);

  if (body == NULL)
    g_test_message ("guest console:\n%s", console);
  g_assert_nonnull (body);
  g_test_message ("boot time (QEMU TCG start to first /health answer): %.1f s",
                  (double) booted / G_USEC_PER_SEC);

  obj = parse_object (body, parser);
  g_assert_cmpstr (json_object_get_string_member (obj, "state"), ==, "initialisation");
  g_assert_cmpstr (json_object_get_string_member (obj, "version"), ==, PACKAGE_VERSION);
  /* SHA-256("abc"): the orchestrator read the agreement through fw_cfg */
  g_assert_cmpstr (json_object_get_string_member (obj, "cta_sha256"), ==,
                   "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  g_assert_false (json_object_has_member (obj, "task_id"));   /* no task without a root */
  g_assert_nonnull (strstr (console, "joconde-init: network 10.0.2.15/24"));
  g_assert_nonnull (strstr (console, "mode health-only"));
}

static void
write_cert_pem (const char *path, JcCert *cert)
{
  g_autofree char *pem = jc_cert_to_pem (cert);

  g_assert_true (g_file_set_contents (path, pem, -1, NULL));
}

/* GET /health on ADDRESS; NULL when it does not answer. */
static GBytes *
health_at (SoupSession *session, const char *address)
{
  g_autofree char *url = g_strdup_printf ("http://%s/health", address);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr(GBytes) body = soup_session_send_and_read (session, msg, NULL, NULL);

  return body != NULL && soup_message_get_status (msg) == SOUP_STATUS_OK
    ? g_steal_pointer (&body) : NULL;
}

/* POSTs BODY to PATH on ADDRESS; returns the HTTP status (0: no answer). */
static guint
post_at (SoupSession *session, const char *address, const char *path, const char *body)
{
  g_autofree char *url = g_strdup_printf ("http://%s%s", address, path);
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", url);
  g_autoptr(GBytes) b = g_bytes_new (body, strlen (body));
  g_autoptr(GBytes) reply = NULL;

  soup_message_set_request_body_from_bytes (msg, "application/json", b);
  reply = soup_session_send_and_read (session, msg, NULL, NULL);
  return reply != NULL ? soup_message_get_status (msg) : 0;
}

/* Task mode: a real agreement sealed at test time and the trust options through fw_cfg, as
 * the cpd's libvirt backend hands them over. The VM is party 3; parties 1 and 2 run on the
 * host. Party 3 dials the other two (the higher index dials the lower), so once the attested
 * links are up all three leave Initialisation for Input: the image runs a task's real
 * orchestrator with the engine module it ships (the agreement names rss3-sh-z64, which the
 * orchestrator loads from the image's engine directory before it serves anything). */
static void
test_boot_task (void)
{
  g_autofree char *tmp = g_dir_make_tmp ("jc-guest-boot-XXXXXX", NULL);
  g_autofree char *cta = g_build_filename (tmp, "task.cta.json", NULL);
  g_autofree char *root = g_build_filename (tmp, "root.pem", NULL);
  g_autofree char *approver = g_build_filename (tmp, "approver.pem", NULL);
  g_autofree char *key = g_build_filename (tmp, "sim-tee.key", NULL);
  g_autofree char *fw_cta = g_strdup_printf ("name=opt/org.joconde/cta,file=%s", cta);
  g_autofree char *fw_root = g_strdup_printf ("name=opt/org.joconde/root,file=%s", root);
  g_autofree char *fw_approver = g_strdup_printf ("name=opt/org.joconde/approver,file=%s", approver);
  g_autofree char *fw_key = g_strdup_printf ("name=opt/org.joconde/sim-key,file=%s", key);
  const char *fw_cfg[] = { fw_cta, fw_root, fw_approver, "name=opt/org.joconde/party,string=3",
                           fw_key, NULL };
  g_autoptr(SoupSession) session = soup_session_new_with_options ("timeout", 3, NULL);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GBytes) host_body = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonParser) host_parser = json_parser_new ();
  g_autoptr(JcSecret) sim = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *console = NULL, *cta_hash = NULL, *cta_sha256 = NULL, *vm_address = NULL;
  g_autofree char *counterparts = NULL, *cps_json = NULL;
  GSubprocess *host[2] = { NULL, NULL };
  char *host_address[2], *host_log[2], *host_state[2], *host_text[2] = { NULL, NULL };
  const char *state = NULL;
  guint posted = 0;
  gint64 deadline, reached = 0;
  JsonObject *obj = NULL;
  Task t;
  Vm vm;

  g_assert_nonnull (tmp);
  /* deadlines far enough for a slow boot: input in 10 min, execution 20, output 30 */
  task_init (&t, 600, 1200, 1800);
  g_assert_true (g_file_set_contents (cta, g_bytes_get_data (t.cta_bytes, NULL),
                                      (gssize) g_bytes_get_size (t.cta_bytes), NULL));
  write_cert_pem (root, t.root);
  write_cert_pem (approver, t.so);
  sim = jc_tee_sim_key_load_or_create (key, &error);   /* the host's simulator key */
  g_assert_no_error (error);
  cta_hash = jc_hex_encode (t.cta_hash, sizeof t.cta_hash);
  cta_sha256 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, t.cta_bytes);

  vm_start (&vm, tmp, fw_cfg);
  vm_address = g_strdup_printf ("127.0.0.1:%u", vm.port);

  /* Parties 1 and 2 on the host's loopback, where the VM reaches them as 10.0.2.2. */
  for (int i = 0; i < 2; i++)
    host_address[i] = g_strdup_printf ("127.0.0.1:%u", jc_test_free_port ());
  counterparts = g_strjoin (",", host_address[0], host_address[1], vm_address, NULL);
  for (int i = 0; i < 2; i++)
    {
      g_autoptr(GSubprocessLauncher) l = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
      g_autofree char *listen = g_strdup_printf ("--listen=%s", host_address[i]);
      g_autofree char *party = g_strdup_printf ("--party=%d", i + 1);
      g_autofree char *sd = g_strdup_printf ("state-%d", i + 1);

      host_state[i] = g_build_filename (tmp, sd, NULL);
      g_assert_cmpint (g_mkdir (host_state[i], 0700), ==, 0);
      host_log[i] = g_strdup_printf ("%s/guest-%d.log", tmp, i + 1);
      g_subprocess_launcher_set_stderr_file_path (l, host_log[i]);
      g_subprocess_launcher_set_child_setup (l, jc_test_die_with_parent, NULL, NULL);
      host[i] = g_subprocess_launcher_spawn (l, &error, env ("JC_GUEST_BINARY"), listen,
                                             "--cta", cta, "--root", root, "--approver", approver,
                                             party, "--counterparts", counterparts,
                                             "--sim-key", key, "--state-dir", host_state[i],
                                             "--engine-dir", env ("JC_ENGINE_DIR"),
                                             "--counterpart-timeout", "30", NULL);
      g_assert_no_error (error);
    }

  /* Like the cpd: once the VM answers, POST the addresses as the VM sees them. */
  cps_json = g_strdup_printf ("{\"addresses\": [\"10.0.2.2:%s\", \"10.0.2.2:%s\", \"10.0.2.15:8443\"]}",
                              strrchr (host_address[0], ':') + 1, strrchr (host_address[1], ':') + 1);
  deadline = vm.start + BOOT_TIMEOUT_S * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < deadline && g_subprocess_get_identifier (vm.qemu) != NULL)
    {
      g_clear_pointer (&body, g_bytes_unref);
      body = health_at (session, vm_address);
      if (body != NULL && posted != 200)
        posted = post_at (session, vm_address, "/counterparts", cps_json);
      if (body != NULL)
        {
          g_clear_object (&parser);
          parser = json_parser_new ();
          obj = parse_object (body, parser);
          state = json_object_get_string_member (obj, "state");
          if (g_strcmp0 (state, "initialisation") != 0)
            {
              reached = g_get_monotonic_time () - vm.start;
              break;
            }
        }
      g_usleep (250 * 1000);
    }
  host_body = health_at (session, host_address[0]);

  /* Stop everything before any assertion, so a failure leaves nothing running. */
  console = vm_stop (&vm);
  for (int i = 0; i < 2; i++)
    {
      g_subprocess_send_signal (host[i], SIGTERM);
      g_subprocess_wait (host[i], NULL, NULL);
      g_clear_object (&host[i]);
      g_file_get_contents (host_log[i], &host_text[i], NULL, NULL);
      if (host_text[i] == NULL)
        host_text[i] = g_strdup ("");
      if (reached == 0)
        g_test_message ("host guest %d log:\n%s", i + 1, host_text[i]);
    }
  if (reached == 0)
    g_test_message ("guest console:\n%s", console);
  {
    const char *argv[] = { "rm", "-rf", tmp, NULL };
    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
  }

  g_assert_cmpuint (posted, ==, 200);
  g_assert_nonnull (obj);
  g_assert_cmpstr (state, ==, "input");
  g_test_message ("QEMU TCG start to the VM's task in the input state: %.1f s",
                  (double) reached / G_USEC_PER_SEC);
  g_assert_cmpstr (json_object_get_string_member (obj, "cta_hash"), ==, cta_hash);
  g_assert_cmpstr (json_object_get_string_member (obj, "cta_sha256"), ==, cta_sha256);
  g_assert_cmpstr (json_object_get_string_member (obj, "task_id"), ==, t.cta->task_id);
  g_assert_cmpint (json_object_get_int_member (obj, "party"), ==, 2);   /* 0-based: party 3 */
  g_assert_nonnull (strstr (console, "mode task"));
  /* its counterpart on the host agrees */
  g_assert_nonnull (host_body);
  g_assert_cmpstr (json_object_get_string_member (parse_object (host_body, host_parser), "state"),
                   ==, "input");
  /* a sanitizer build reports into a guest's stderr (or the VM's console): a failure too */
  g_assert_null (strstr (console, "Sanitizer"));
  g_assert_null (strstr (console, "runtime error:"));
  for (int i = 0; i < 2; i++)
    {
      g_assert_null (strstr (host_text[i], "Sanitizer"));
      g_assert_null (strstr (host_text[i], "runtime error:"));
      g_free (host_text[i]);
      g_free (host_address[i]);
      g_free (host_log[i]);
      g_free (host_state[i]);
    }
  task_clear (&t);
}

int
main (int argc, char **argv)
{
  (void) task_fingerprint;   /* a helper of the shared task fixture this test needs not */
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/guest/image/build", test_build);
  g_test_add_func ("/guest/image/manifest", test_manifest);
  g_test_add_func ("/guest/image/snp-measurement", test_snp_measurement);
  g_test_add_func ("/guest/image/reproducible", test_reproducible);
  g_test_add_func ("/guest/image/boot", test_boot);
  g_test_add_func ("/guest/image/boot-task", test_boot_task);
  return g_test_run ();
}
