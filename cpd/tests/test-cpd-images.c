#define G_LOG_DOMAIN "joconde-cpd-test"
#include "config.h"

#include <glib/gstdio.h>

#include "jc-cpd-images.h"
#include "jc-encoding.h"
#include "jc-error.h"

/* The image repository: manifests checked against their files, selection by engine and
 * TEE measurement, and the SEV-SNP launch measurement computed from the image's OVMF. The
 * expected measurement is a published vector of virtee/sev-snp-measure (tests/test_guest.py
 * @8f2b337e, in the shared test data's attestation/expected.json): 1 vCPU EPYC-v4, SEV
 * features 0x1, empty kernel and initrd, command line "console=ttyS0 loglevel=7", over the
 * edk2-stable202405 AmdSevX64 OVMF suffix. */
#define SNP_EXPECTED "6d287813eb5222d770f75005c664e34c204f385ce832cc2ce7d0d6f354454362f390ef83a92046c042e706363b4b08fa"
#define OVMF_REL "attestation/sev-snp/sev-snp-measure/ovmf_AmdSev_suffix.bin"

static char *
sha256_of (const char *data, gsize len)
{
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) data, len);
}

static void
put (const char *dir, const char *name, const char *data, gsize len)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_assert_true (g_file_set_contents (path, data, (gssize) len, NULL));
}

/* An image NAME in REPO serving ENGINE; with_firmware adds the OVMF of the test data. */
static void
make_image (const char *repo, const char *name, const char *engine, gboolean with_firmware,
            const char *extra)
{
  g_autofree char *dir = g_build_filename (repo, name, NULL);
  g_autofree char *empty = sha256_of ("", 0);
  g_autofree char *firmware = NULL;
  g_autofree char *manifest = NULL;

  g_mkdir_with_parents (dir, 0700);
  put (dir, "vmlinuz", "", 0);
  put (dir, "initrd.img", "", 0);
  if (with_firmware)
    {
      g_autofree char *src = g_build_filename (g_getenv ("JC_TESTDATA_DIR"), OVMF_REL, NULL);
      g_autofree char *data = NULL;
      g_autofree char *sum = NULL;
      gsize len = 0;
      g_assert_true (g_file_get_contents (src, &data, &len, NULL));
      put (dir, "OVMF.fd", data, len);
      sum = sha256_of (data, len);
      firmware = g_strdup_printf (", \"firmware\": {\"file\": \"OVMF.fd\", \"sha256\": \"%s\"}", sum);
    }
  manifest = g_strdup_printf ("{\"format\": \"joconde-guest-image/1\", \"engines\": [\"%s\"],"
                              " \"kernel\": {\"file\": \"vmlinuz\", \"sha256\": \"%s\"},"
                              " \"initrd\": {\"file\": \"initrd.img\", \"sha256\": \"%s\"},"
                              " \"cmdline\": \"console=ttyS0 loglevel=7\"%s%s}",
                              engine, empty, empty, firmware ? firmware : "", extra ? extra : "");
  put (dir, "manifest.json", manifest, strlen (manifest));
}

static GPtrArray *
measurements (const char *hex)
{
  GPtrArray *a = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_ptr_array_add (a, jc_hex_decode (hex, NULL));
  return a;
}

static void
test_snp_measurement (void)
{
  g_autofree char *repo = g_dir_make_tmp ("jc-cpd-images-XXXXXX", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JcCpdImage) image = NULL;
  g_autoptr(JcCpdImage) chosen = NULL;
  g_autoptr(JcCpdImage) none = NULL;
  g_autoptr(GPtrArray) good = measurements (SNP_EXPECTED);
  g_autofree char *other_hex = g_strconcat ("00", &SNP_EXPECTED[2], NULL);
  g_autoptr(GPtrArray) other = measurements (other_hex);
  g_autofree char *dir = NULL;
  g_autofree char *hex = NULL;

  make_image (repo, "snp", "rss3-sh-z64", TRUE, NULL);
  dir = g_build_filename (repo, "snp", NULL);
  image = jc_cpd_image_load (dir, 1, "EPYC-v4", &error);
  g_assert_no_error (error);
  g_assert_true (image->has_snp);
  hex = jc_hex_encode (image->snp, sizeof image->snp);
  g_assert_cmpstr (hex, ==, SNP_EXPECTED);
  g_assert_nonnull (image->firmware);

  /* An SNP task is served only when the task allows this measurement. */
  chosen = jc_cpd_images_select (repo, "rss3-sh-z64", JC_TEE_PLATFORM_SEV_SNP, good, 1, "EPYC-v4", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (chosen->name, ==, "snp");
  none = jc_cpd_images_select (repo, "rss3-sh-z64", JC_TEE_PLATFORM_SEV_SNP, other, 1, "EPYC-v4", &error);
  g_assert_null (none);
  g_assert_error (error, JC_ERROR, JC_ERROR_DENIED);
  g_clear_error (&error);
  /* Another vCPU count is another launch, hence another measurement. */
  none = jc_cpd_images_select (repo, "rss3-sh-z64", JC_TEE_PLATFORM_SEV_SNP, good, 2, "EPYC-v4", &error);
  g_assert_null (none);
  g_assert_error (error, JC_ERROR, JC_ERROR_DENIED);
  g_clear_error (&error);
  /* A TDX task needs an MRTD the manifest does not give. */
  none = jc_cpd_images_select (repo, "rss3-sh-z64", JC_TEE_PLATFORM_TDX, good, 1, "EPYC-v4", &error);
  g_assert_null (none);
  g_assert_error (error, JC_ERROR, JC_ERROR_DENIED);
  g_clear_error (&error);
  {
    const char *rm[] = { "rm", "-rf", repo, NULL };
    g_spawn_sync (NULL, (char **) rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
  }
}

static void
test_selection (void)
{
  g_autofree char *repo = g_dir_make_tmp ("jc-cpd-images-XXXXXX", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JcCpdImage) a = NULL;
  g_autoptr(JcCpdImage) none = NULL;

  make_image (repo, "b-sql", "sql-engine", FALSE, NULL);
  make_image (repo, "a-rss3", "rss3-sh-z64", FALSE, NULL);
  make_image (repo, "c-rss3", "rss3-sh-z64", FALSE, NULL);
  put (repo, "README", "not an image", 12);

  /* The first in name order serving the engine; a simulated TEE checks no measurement. */
  a = jc_cpd_images_select (repo, "rss3-sh-z64", JC_TEE_PLATFORM_SIM, NULL, 1, "EPYC-v4", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (a->name, ==, "a-rss3");
  g_assert_true (g_str_has_suffix (a->kernel, "/a-rss3/vmlinuz"));
  g_assert_cmpstr (a->cmdline, ==, "console=ttyS0 loglevel=7");
  g_assert_cmpuint (a->guest_port, ==, 8443);
  g_assert_false (a->has_snp);

  none = jc_cpd_images_select (repo, "unknown-engine", JC_TEE_PLATFORM_SIM, NULL, 1, "EPYC-v4", &error);
  g_assert_null (none);
  g_assert_error (error, JC_ERROR, JC_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* A file that differs from its manifest makes the image unusable, and it is named. */
  {
    g_autofree char *dir = g_build_filename (repo, "a-rss3", NULL);
    put (dir, "initrd.img", "changed", 7);
  }
  g_clear_pointer (&a, jc_cpd_image_free);
  {
    /* The unusable image is warned about (structured logging: not catchable by
     * g_test_expect_message in GLib 2.74), so warnings are not fatal for this call. */
    GLogLevelFlags old = g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
    a = jc_cpd_images_select (repo, "rss3-sh-z64", JC_TEE_PLATFORM_SIM, NULL, 1, "EPYC-v4", &error);
    g_log_set_always_fatal (old);
  }
  g_assert_no_error (error);
  g_assert_cmpstr (a->name, ==, "c-rss3");
  {
    const char *rm[] = { "rm", "-rf", repo, NULL };
    g_spawn_sync (NULL, (char **) rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
  }
}

/* Hostile manifests: refused with a reason, never a crash. */
static void
test_bad_manifests (void)
{
  g_autofree char *repo = g_dir_make_tmp ("jc-cpd-images-XXXXXX", NULL);
  const char *bad[] = {
    "not json",
    "[]",
    "{\"format\": \"something-else/1\"}",
    "{\"format\": \"joconde-guest-image/1\", \"engines\": [1]}",
    "{\"format\": \"joconde-guest-image/1\", \"engines\": [\"e\"]}",
    "{\"format\": \"joconde-guest-image/1\", \"engines\": [\"e\"], \"kernel\": {\"file\": \"../../etc/passwd\", \"sha256\": \"00\"}}",
    "{\"format\": \"joconde-guest-image/1\", \"engines\": [\"e\"], \"guest_port\": 70000}",
    "{\"format\": 5}",
    "{\"format\": \"joconde-guest-image/1\", \"engines\": [\"e\"], \"guest_port\": \"x\"}",
    "{\"format\": \"joconde-guest-image/1\", \"engines\": [\"e\"], \"cmdline\": [], \"kernel\": {\"file\": 1, \"sha256\": {}}}",
    "{\"format\": \"joconde-guest-image/1\", \"engines\": {}, \"kernel\": [], \"initrd\": null}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *name = g_strdup_printf ("bad%u", i);
      g_autofree char *dir = g_build_filename (repo, name, NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(JcCpdImage) image = NULL;

      g_mkdir_with_parents (dir, 0700);
      put (dir, "manifest.json", bad[i], strlen (bad[i]));
      image = jc_cpd_image_load (dir, 1, "EPYC-v4", &error);
      g_assert_null (image);
      g_assert_nonnull (error);
      g_test_message ("%s", error->message);
    }
  {
    const char *rm[] = { "rm", "-rf", repo, NULL };
    g_spawn_sync (NULL, (char **) rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cpd/images/snp-measurement", test_snp_measurement);
  g_test_add_func ("/cpd/images/selection", test_selection);
  g_test_add_func ("/cpd/images/bad-manifests", test_bad_manifests);
  return g_test_run ();
}
