/* rss3: shuffle keeps the multiset and the rows together and permutes; sort is a stable
 * ascending sort of signed keys with payload attached, for full and narrow key ranges. */
#define G_LOG_DOMAIN "joconde-rss3-test"
#include "config.h"

#include "rss3-harness.h"

#include <string.h>

static const size_t sizes[] = { 0, 1, 2, 63, 65, 2000 };

typedef struct {
  size_t n;
  unsigned key_bits;
} Job;

static int
cmp_u64 (gconstpointer a, gconstpointer b)
{
  guint64 x = *(const guint64 *) a, y = *(const guint64 *) b;
  return x < y ? -1 : x > y;
}

static void
shuffle_party (JcRss3Ctx *ctx, gpointer data)
{
  Job *job = data;
  size_t n = job->n;
  g_autoptr (GError) error = NULL;
  g_autofree guint64 *va = rss3_test_values (61, n), *vb = g_new0 (guint64, n + 1);
  for (size_t e = 0; e < n; e++)
    vb[e] = va[e] * 3 + 7;   /* the second column is a function of the first */
  g_autoptr (JcRss3AVec) a = rss3_test_input (ctx, va, n);
  g_autoptr (JcRss3AVec) b = rss3_test_input (ctx, vb, n);
  JcRss3AVec *cols[2] = { a, b };
  g_assert_true (jc_rss3_shuffle (ctx, 2, cols, &error));
  g_assert_no_error (error);
  g_autofree guint64 *oa = rss3_test_open (ctx, a), *ob = rss3_test_open (ctx, b);
  size_t moved = 0;
  for (size_t e = 0; e < n; e++)
    {
      g_assert_cmpuint (ob[e], ==, oa[e] * 3 + 7);
      moved += oa[e] != va[e];
    }
  if (n >= 100)
    g_assert_cmpuint (moved, >, n / 2);
  qsort (oa, n, 8, cmp_u64);
  qsort (va, n, 8, cmp_u64);
  g_assert_cmpmem (oa, n * 8, va, n * 8);
}

static void
sort_party (JcRss3Ctx *ctx, gpointer data)
{
  Job *job = data;
  size_t n = job->n;
  g_autoptr (GError) error = NULL;
  g_autofree guint64 *vk = rss3_test_values (71, n), *vp = g_new0 (guint64, n + 1);
  for (size_t e = 0; e < n; e++)
    {
      if (job->key_bits < 64)   /* narrow keys with many duplicates */
        vk[e] = (guint64) ((gint64) (vk[e] % 37) - 18);
      vp[e] = e;                /* payload: the original position, to check stability */
    }
  g_autoptr (JcRss3AVec) k = rss3_test_input (ctx, vk, n);
  g_autoptr (JcRss3AVec) p = rss3_test_input (ctx, vp, n);
  JcRss3AVec *pay[1] = { p };
  g_assert_true (jc_rss3_sort (ctx, k, job->key_bits, 1, pay, &error));
  g_assert_no_error (error);
  g_autofree guint64 *ok = rss3_test_open (ctx, k), *op = rss3_test_open (ctx, p);
  for (size_t e = 0; e < n; e++)
    {
      g_assert_cmpuint (ok[e], ==, vk[op[e]]);
      if (e > 0)
        {
          g_assert_cmpint ((gint64) ok[e - 1], <=, (gint64) ok[e]);
          if (ok[e - 1] == ok[e])
            g_assert_cmpuint (op[e - 1], <, op[e]);
        }
    }
  qsort (op, n, 8, cmp_u64);
  for (size_t e = 0; e < n; e++)
    g_assert_cmpuint (op[e], ==, e);
}

static void
run_sizes (gconstpointer fn)
{
  for (size_t i = 0; i < G_N_ELEMENTS (sizes); i++)
    for (unsigned kb = 8; kb <= 64; kb += 56)
      {
        Job job = { sizes[i], kb };
        rss3_test_run (300 + i, (Rss3PartyFunc) fn, &job, NULL);
      }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_data_func ("/rss3/shuffle", shuffle_party, run_sizes);
  g_test_add_data_func ("/rss3/sort", sort_party, run_sizes);
  return g_test_run ();
}
