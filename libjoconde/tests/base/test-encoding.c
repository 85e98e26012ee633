#define G_LOG_DOMAIN "joconde-test"
#include "config.h"

#include <string.h>

#include "jc-encoding.h"
#include "jc-error.h"
#include "jc-init.h"

static void
test_hex_roundtrip (void)
{
  const guint8 data[] = { 0x00, 0x01, 0xab, 0xff };
  g_autofree char *hex = jc_hex_encode (data, sizeof data);
  g_autoptr(GBytes) back = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpstr (hex, ==, "0001abff");
  back = jc_hex_decode (hex, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (back, NULL), g_bytes_get_size (back), data, sizeof data);
}

static void
test_hex_refuses (void)
{
  const char *bad[] = { "abc", "zz", "0g", " 00" };
  guint8 out[2];

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) b = jc_hex_decode (bad[i], &error);
      g_assert_null (b);
      g_assert_error (error, JC_ERROR, JC_ERROR_INVALID);
    }
  {
    g_autoptr(GError) error = NULL;
    g_assert_false (jc_hex_decode_into ("00", out, sizeof out, &error));
    g_assert_error (error, JC_ERROR, JC_ERROR_INVALID);
  }
}

/* RFC 4648 §10 test vectors, in the URL-safe alphabet without padding. */
static void
test_base64url_vectors (void)
{
  const struct { const char *in, *out; } v[] = {
    { "", "" }, { "f", "Zg" }, { "fo", "Zm8" }, { "foo", "Zm9v" },
    { "foob", "Zm9vYg" }, { "fooba", "Zm9vYmE" }, { "foobar", "Zm9vYmFy" },
  };
  const guint8 urlsafe[] = { 0xfb, 0xff, 0xbf };

  for (gsize i = 0; i < G_N_ELEMENTS (v); i++)
    {
      g_autofree char *enc = jc_base64url_encode ((const guint8 *) v[i].in, strlen (v[i].in));
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) dec = NULL;

      g_assert_cmpstr (enc, ==, v[i].out);
      dec = jc_base64url_decode (v[i].out, &error);
      g_assert_no_error (error);
      g_assert_cmpmem (g_bytes_get_data (dec, NULL), g_bytes_get_size (dec), v[i].in, strlen (v[i].in));
    }
  {
    g_autofree char *enc = jc_base64url_encode (urlsafe, sizeof urlsafe);
    g_assert_cmpstr (enc, ==, "-_-_");
  }
}

static void
test_base64url_refuses (void)
{
  /* padding, standard alphabet, non-canonical trailing bits, stray characters */
  const char *bad[] = { "Zg==", "+/+/", "Zh", "Zm9v Yg", "Z" };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) b = jc_base64url_decode (bad[i], &error);
      g_assert_null (b);
      g_assert_error (error, JC_ERROR, JC_ERROR_INVALID);
    }
}

static void
test_digits_fingerprint (void)
{
  guint8 digest[64];
  g_autofree char *fp = NULL;
  g_auto(GStrv) groups = NULL;

  for (gsize i = 0; i < sizeof digest; i++)
    digest[i] = (guint8) i;
  fp = jc_digits_fingerprint (digest, sizeof digest);
  groups = g_strsplit (fp, " ", -1);
  g_assert_cmpuint (g_strv_length (groups), ==, 12);
  for (guint i = 0; groups[i]; i++)
    g_assert_cmpuint (strlen (groups[i]), ==, 5);
  /* first group: 0x0001020304 = 16909060 -> mod 10^5 = 09060 */
  g_assert_cmpstr (groups[0], ==, "09060");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_assert_true (jc_init (NULL));
  g_test_add_func ("/base/hex/roundtrip", test_hex_roundtrip);
  g_test_add_func ("/base/hex/refuses", test_hex_refuses);
  g_test_add_func ("/base/base64url/vectors", test_base64url_vectors);
  g_test_add_func ("/base/base64url/refuses", test_base64url_refuses);
  g_test_add_func ("/base/fingerprint/digits", test_digits_fingerprint);
  return g_test_run ();
}
