#define G_LOG_DOMAIN "joconde-cpd"
#include "config.h"

#include "jc-cpd-placement.h"
#include "jc-error.h"

#define GiB (G_GUINT64_CONSTANT (1) << 30)
#define MiB (G_GUINT64_CONSTANT (1) << 20)

static void
test_most_headroom_wins (void)
{
  JcCpdHostLoad hosts[] = {
    { .capacity_bytes = 64 * GiB, .committed_bytes = 60 * GiB, .cpus = 32, .running = 10 },
    { .capacity_bytes = 32 * GiB, .committed_bytes = 8 * GiB, .cpus = 16, .running = 3 },
    { .capacity_bytes = 128 * GiB, .committed_bytes = 112 * GiB, .cpus = 64, .running = 20 },
  };
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (jc_cpd_placement_choose (hosts, 3, 2 * GiB, 2, &error), ==, 1);
  g_assert_no_error (error);
}

static void
test_ties (void)
{
  JcCpdHostLoad hosts[] = {
    { .capacity_bytes = 16 * GiB, .committed_bytes = 8 * GiB, .free_bytes = 1 * GiB, .cpus = 8, .running = 1 },
    { .capacity_bytes = 16 * GiB, .committed_bytes = 8 * GiB, .free_bytes = 6 * GiB, .cpus = 8, .running = 4 },
    { .capacity_bytes = 16 * GiB, .committed_bytes = 8 * GiB, .free_bytes = 6 * GiB, .cpus = 8, .running = 2 },
  };

  /* equal headroom: more free memory, then fewer running domains */
  g_assert_cmpint (jc_cpd_placement_choose (hosts, 3, 512 * MiB, 1, NULL), ==, 2);
  hosts[2].running = 4;
  /* everything equal: the first in configuration order */
  g_assert_cmpint (jc_cpd_placement_choose (hosts, 3, 512 * MiB, 1, NULL), ==, 1);
}

static void
test_no_room (void)
{
  JcCpdHostLoad hosts[] = {
    { .capacity_bytes = 8 * GiB, .committed_bytes = 7 * GiB, .cpus = 64 },
    { .capacity_bytes = 64 * GiB, .committed_bytes = 0, .cpus = 2 },
    /* over-committed: must not wrap around */
    { .capacity_bytes = 8 * GiB, .committed_bytes = 9 * GiB, .cpus = 64 },
  };
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (jc_cpd_placement_choose (hosts, 3, 2 * GiB, 4, &error), ==, -1);
  g_assert_error (error, JC_ERROR, JC_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_cmpint (jc_cpd_placement_choose (hosts, 0, 2 * GiB, 4, &error), ==, -1);
  g_assert_error (error, JC_ERROR, JC_ERROR_FAILED);
  /* exactly the room needed is enough */
  g_assert_cmpint (jc_cpd_placement_choose (hosts, 3, 1 * GiB, 4, NULL), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cpd/placement/most-headroom", test_most_headroom_wins);
  g_test_add_func ("/cpd/placement/ties", test_ties);
  g_test_add_func ("/cpd/placement/no-room", test_no_room);
  return g_test_run ();
}
