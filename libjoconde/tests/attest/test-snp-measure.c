#define G_LOG_DOMAIN "joconde-test"
#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "attest-testdata.h"
#include "jc-encoding.h"
#include "jc-error.h"
#include "jc-snp-measure.h"

/* The SNP launch measurement reproduces every vector of expected.json →
 * snp_measurement_vectors (virtee/sev-snp-measure tests/test_guest.py @8f2b337e), computed
 * over the last 4 KiB of an edk2-stable202405 AmdSevX64 OVMF build loaded as the firmware. */

#define AMDSEV_SUFFIX "sev-snp/sev-snp-measure/ovmf_AmdSev_suffix.bin"
#define OVMFX64_SUFFIX "sev-snp/sev-snp-measure/ovmf_OvmfX64_suffix.bin"

static void
test_vectors (void)
{
  g_autoptr (JsonParser) parser = attest_testdata_expected ();
  JsonObject *mv = json_object_get_object_member (
      json_node_get_object (json_parser_get_root (parser)), "snp_measurement_vectors");
  g_assert_nonnull (strstr (json_object_get_string_member (mv, "vcpu_type"), "EPYC-v4"));
  JsonArray *vectors = json_object_get_array_member (mv, "vectors");
  g_autoptr (GBytes) ovmf = attest_testdata_load (AMDSEV_SUFFIX);
  g_autoptr (GBytes) empty = g_bytes_new_static ("", 0);
  guint32 sig;
  g_assert_true (jc_snp_vcpu_sig_from_name ("EPYC-v4", &sig, NULL));
  g_assert_cmphex (sig, ==, 0x800f12);
  guint n = json_array_get_length (vectors);
  g_assert_cmpuint (n, >=, 6);

  for (guint i = 0; i < n; i++)
    {
      JsonObject *v = json_array_get_object_element (vectors, i);
      const char *expected = json_object_get_string_member (v, "expected");
      guint8 out[JC_SNP_MEASUREMENT_SIZE];
      g_autoptr (GError) error = NULL;

      if (json_object_has_member (v, "step"))
        {
          g_assert_true (jc_snp_measure_ovmf_hash (ovmf, out, &error));
        }
      else
        {
          JcSnpMeasureParams p = { 0 };
          p.vcpus = json_object_get_int_member (v, "vcpus");
          p.vcpu_sig = sig;
          p.guest_features = g_ascii_strtoull (json_object_get_string_member (v, "guest_features") + 2,
                                               NULL, 16);
          p.ovmf = ovmf;
          p.direct_boot = !json_object_get_null_member (v, "kernel");
          p.kernel = p.direct_boot ? empty : NULL;
          p.initrd = json_object_get_null_member (v, "initrd") ? NULL : empty;
          p.append = json_object_get_null_member (v, "append")
                     ? NULL : json_object_get_string_member (v, "append");
          g_assert_true (jc_snp_measure (&p, out, &error));
        }
      g_assert_no_error (error);
      g_autofree char *hex = jc_hex_encode (out, sizeof out);
      g_test_message ("vector %u: %s", i, hex);
      g_assert_cmpstr (hex, ==, expected);
    }
}

/* A precomputed OVMF digest gives the same result as hashing the image. */
static void
test_ovmf_hash_seed (void)
{
  g_autoptr (GBytes) ovmf = attest_testdata_load (AMDSEV_SUFFIX);
  guint8 seed[48], a[48], b[48];
  JcSnpMeasureParams p = { .vcpus = 2, .guest_features = 0x1, .ovmf = ovmf,
                           .direct_boot = TRUE, .append = "quiet" };
  g_assert_true (jc_snp_vcpu_sig_from_name ("EPYC-Milan", &p.vcpu_sig, NULL));
  g_assert_cmphex (p.vcpu_sig, ==, 0xa00f11);
  g_assert_true (jc_snp_measure_ovmf_hash (ovmf, seed, NULL));
  g_assert_true (jc_snp_measure (&p, a, NULL));
  p.ovmf_hash = seed;
  g_assert_true (jc_snp_measure (&p, b, NULL));
  g_assert_cmpmem (a, 48, b, 48);
  /* Every input counts. */
  p.append = "quiet ";
  g_assert_true (jc_snp_measure (&p, b, NULL));
  g_assert_true (memcmp (a, b, 48) != 0);
}

static void
test_refusals (void)
{
  g_autoptr (GBytes) x64 = attest_testdata_load (OVMFX64_SUFFIX);
  guint8 out[48];
  guint32 sig;
  g_autoptr (GError) e1 = NULL, e2 = NULL, e3 = NULL, e4 = NULL, e5 = NULL;

  /* OvmfX64 builds cannot measure a kernel (no SNP_KERNEL_HASHES section)… */
  JcSnpMeasureParams p = { .vcpus = 1, .vcpu_sig = 0x800f12, .guest_features = 0x1, .ovmf = x64,
                           .direct_boot = TRUE };
  g_assert_false (jc_snp_measure (&p, out, &e1));
  g_assert_error (e1, JC_ERROR, JC_ERROR_INVALID);
  g_assert_nonnull (strstr (e1->message, "kernel"));
  /* …but measure without one. */
  p.direct_boot = FALSE;
  g_assert_true (jc_snp_measure (&p, out, NULL));

  /* Not an OVMF image; a truncated one; no vCPUs; an unknown CPU model. */
  guint8 junk[4096];
  memset (junk, 0x5a, sizeof junk);
  g_autoptr (GBytes) bad = g_bytes_new (junk, sizeof junk);
  p.ovmf = bad;
  g_assert_false (jc_snp_measure (&p, out, &e2));
  g_assert_error (e2, JC_ERROR, JC_ERROR_INVALID);
  g_autoptr (GBytes) cut = g_bytes_new (g_bytes_get_data (x64, NULL), 1000);
  p.ovmf = cut;
  g_assert_false (jc_snp_measure (&p, out, &e3));
  p.ovmf = x64;
  p.vcpus = 0;
  g_assert_false (jc_snp_measure (&p, out, &e4));
  g_assert_false (jc_snp_vcpu_sig_from_name ("Skylake", &sig, &e5));
  g_assert_error (e5, JC_ERROR, JC_ERROR_UNSUPPORTED);

  /* Hostile metadata: the offset of the SEV metadata pointing anywhere never crashes. */
  gsize len = g_bytes_get_size (x64);
  for (guint k = 0; k < 64; k++)
    {
      g_autofree guint8 *m = g_memdup2 (g_bytes_get_data (x64, NULL), len);
      m[len - 32 - 18 - 1 - (k * 7) % 200] ^= (guint8) (1u << (k % 8));
      g_autoptr (GBytes) mb = g_bytes_new_take (g_steal_pointer (&m), len);
      JcSnpMeasureParams q = { .vcpus = 4, .vcpu_sig = 0x800f12, .ovmf = mb };
      g_autoptr (GError) e = NULL;
      (void) jc_snp_measure (&q, out, &e);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  attest_testdata_require ("SNP measurement");
  g_test_add_func ("/attest/snp-measure/vectors", test_vectors);
  g_test_add_func ("/attest/snp-measure/ovmf-hash-seed", test_ovmf_hash_seed);
  g_test_add_func ("/attest/snp-measure/refusals", test_refusals);
  return g_test_run ();
}
