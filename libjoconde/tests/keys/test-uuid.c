#define G_LOG_DOMAIN "joconde-test"
#include "config.h"

#include <string.h>

#include "jc-init.h"
#include "jc-uuid.h"

static void
test_uuid_format (void)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (int i = 0; i < 1000; i++)
    {
      char *u = jc_uuid_new_v4 ();
      g_assert_cmpuint (strlen (u), ==, 36);
      g_assert_true (jc_uuid_is_v4 (u));
      g_assert_cmpint (u[14], ==, '4');
      g_assert_nonnull (strchr ("89ab", u[19]));
      g_assert_true (g_hash_table_add (seen, u)); /* never a repeat */
    }
}

static void
test_uuid_bits (void)
{
  /* Over many draws every non-fixed bit takes both values, and the fixed ones never move. */
  guint8 or_all[16] = { 0 }, and_all[16];

  memset (and_all, 0xff, sizeof and_all);
  for (int i = 0; i < 256; i++)
    {
      guint8 b[16];
      jc_uuid_v4_bytes (b);
      g_assert_cmpint (b[6] >> 4, ==, 4);
      g_assert_cmpint (b[8] >> 6, ==, 2);
      for (int j = 0; j < 16; j++)
        or_all[j] |= b[j], and_all[j] &= b[j];
    }
  g_assert_cmpint (or_all[6], ==, 0x4f);
  g_assert_cmpint (and_all[6], ==, 0x40);
  g_assert_cmpint (or_all[8], ==, 0xbf);
  g_assert_cmpint (and_all[8], ==, 0x80);
  g_assert_cmpint (or_all[0], ==, 0xff);
  g_assert_cmpint (and_all[15], ==, 0x00);
}

static void
test_uuid_refused (void)
{
  g_assert_false (jc_uuid_is_v4 (NULL));
  g_assert_false (jc_uuid_is_v4 (""));
  g_assert_false (jc_uuid_is_v4 ("0b6e6c1a-2f1d-1c59-9a4e-3f9a9c1e7d42")); /* version 1 */
  g_assert_false (jc_uuid_is_v4 ("0b6e6c1a-2f1d-4c59-ca4e-3f9a9c1e7d42")); /* variant 110 */
  g_assert_false (jc_uuid_is_v4 ("0B6E6C1A-2F1D-4C59-9A4E-3F9A9C1E7D42")); /* upper case */
  g_assert_false (jc_uuid_is_v4 ("0b6e6c1a2f1d-4c59-9a4e-3f9a9c1e7d42-"));
  g_assert_false (jc_uuid_is_v4 ("0b6e6c1a-2f1d-4c59-9a4e-3f9a9c1e7d4"));
  g_assert_true (jc_uuid_is_v4 ("0b6e6c1a-2f1d-4c59-9a4e-3f9a9c1e7d42"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_assert_true (jc_init (NULL));
  g_test_add_func ("/keys/uuid/format", test_uuid_format);
  g_test_add_func ("/keys/uuid/bits", test_uuid_bits);
  g_test_add_func ("/keys/uuid/refused", test_uuid_refused);
  return g_test_run ();
}
