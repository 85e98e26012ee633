#define G_LOG_DOMAIN "joconde-test"
#include "config.h"

#include <string.h>

#include "jc-init.h"
#include "jc-secret.h"

static void
test_secret_basics (void)
{
  g_autoptr(JcSecret) a = jc_secret_new (32);
  g_autoptr(JcSecret) b = jc_secret_new_random (32);
  g_autoptr(JcSecret) c = jc_secret_copy (b->data, b->len);
  guint8 zero[32] = { 0 };
  guint8 stack[4] = { 1, 2, 3, 4 };

  g_assert_cmpmem (a->data, a->len, zero, sizeof zero);
  g_assert_cmpint (memcmp (b->data, zero, 32), !=, 0);
  g_assert_cmpmem (b->data, b->len, c->data, c->len);
  jc_secret_wipe (stack, sizeof stack);
  g_assert_cmpmem (stack, 4, zero, 4);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_assert_true (jc_init (NULL));
  g_test_add_func ("/base/secret/basics", test_secret_basics);
  return g_test_run ();
}
