/* rss3: msb, lt, le, lt_full, eq, eqz against plaintext on edge and random values. */
#define G_LOG_DOMAIN "joconde-rss3-test"
#include "config.h"

#include "rss3-harness.h"

#include <string.h>

static const size_t sizes[] = { 0, 1, 63, 64, 65, 3000 };

typedef struct {
  size_t n;
} Job;

/* b: mostly equal to a, some near it, some far (within 62 bits), edge pairs. */
static void
make_pairs (size_t n, guint64 **pa, guint64 **pb, gboolean full)
{
  guint64 *a = rss3_test_values (51, n), *b = rss3_test_values (52, n);
  for (size_t e = 0; e < n; e++)
    {
      if (!full)
        {
          a[e] = (guint64) ((gint64) a[e] >> 2);
          b[e] = (guint64) ((gint64) b[e] >> 2);
        }
      switch (e % 4)
        {
        case 0: b[e] = a[e]; break;
        case 1: b[e] = a[e] + (e % 3) - 1; break;
        default: break;
        }
    }
  if (full && n >= 4)
    {
      a[0] = (guint64) G_MININT64; b[0] = (guint64) G_MAXINT64;
      a[1] = (guint64) G_MAXINT64; b[1] = (guint64) G_MININT64;
      a[2] = 0; b[2] = (guint64) G_MININT64;
      a[3] = (guint64) -1; b[3] = 0;
    }
  *pa = a;
  *pb = b;
}

static void
compare_party (JcRss3Ctx *ctx, gpointer data)
{
  Job *job = data;
  size_t n = job->n;
  g_autoptr (GError) error = NULL;
  g_autofree guint64 *va = NULL, *vb = NULL, *fa = NULL, *fb = NULL;
  make_pairs (n, &va, &vb, FALSE);
  make_pairs (n, &fa, &fb, TRUE);
  g_autoptr (JcRss3AVec) a = rss3_test_input (ctx, va, n);
  g_autoptr (JcRss3AVec) b = rss3_test_input (ctx, vb, n);
  g_autoptr (JcRss3AVec) c = rss3_test_input (ctx, fa, n);
  g_autoptr (JcRss3AVec) d = rss3_test_input (ctx, fb, n);
  g_autoptr (JcRss3BVec) t = jc_rss3_bvec_new (n, 1);

  g_assert_true (jc_rss3_lt (ctx, a, b, t, &error));
  g_autofree guint64 *lt = rss3_test_bopen (ctx, t);
  g_assert_true (jc_rss3_le (ctx, a, b, t, &error));
  g_autofree guint64 *le = rss3_test_bopen (ctx, t);
  g_assert_true (jc_rss3_eq (ctx, c, d, t, &error));
  g_autofree guint64 *eq = rss3_test_bopen (ctx, t);
  g_assert_true (jc_rss3_lt_full (ctx, c, d, t, &error));
  g_autofree guint64 *ltf = rss3_test_bopen (ctx, t);
  g_assert_true (jc_rss3_msb (ctx, c, t, &error));
  g_autofree guint64 *msb = rss3_test_bopen (ctx, t);
  g_assert_true (jc_rss3_eqz (ctx, c, t, &error));
  g_autofree guint64 *eqz = rss3_test_bopen (ctx, t);
  /* two comparisons of different lengths in the same rounds */
  size_t h = n / 3;
  g_autoptr (JcRss3AVec) a2 = jc_rss3_avec_new (h), b2 = jc_rss3_avec_new (h);
  memcpy (a2->s0, b->s0, h * 8); memcpy (a2->s1, b->s1, h * 8);
  memcpy (b2->s0, a->s0, h * 8); memcpy (b2->s1, a->s1, h * 8);
  g_autoptr (JcRss3BVec) m1 = jc_rss3_bvec_new (n, 1), m2 = jc_rss3_bvec_new (h, 1);
  const JcRss3AVec *xs[2] = { a, a2 }, *ys[2] = { b, b2 };
  JcRss3BVec *ms[2] = { m1, m2 };
  g_assert_true (jc_rss3_lt_many (ctx, 2, xs, ys, ms, &error));
  g_autofree guint64 *lm1 = rss3_test_bopen (ctx, m1), *lm2 = rss3_test_bopen (ctx, m2);
  const JcRss3AVec *fx[2] = { c, d }, *fy[2] = { d, d };
  g_autoptr (JcRss3BVec) e1 = jc_rss3_bvec_new (n, 1), e2 = jc_rss3_bvec_new (n, 1);
  JcRss3BVec *es[2] = { e1, e2 };
  g_assert_true (jc_rss3_eq_many (ctx, 2, fx, fy, es, &error));
  g_autofree guint64 *em1 = rss3_test_bopen (ctx, e1), *em2 = rss3_test_bopen (ctx, e2);
  for (size_t e = 0; e < n; e++)
    {
      g_assert_cmpuint (lm1[e], ==, (gint64) va[e] < (gint64) vb[e]);
      if (e < h)
        g_assert_cmpuint (lm2[e], ==, (gint64) vb[e] < (gint64) va[e]);
      g_assert_cmpuint (em1[e], ==, fa[e] == fb[e]);
      g_assert_cmpuint (em2[e], ==, 1);
    }
  g_assert_no_error (error);
  size_t ones = 0;
  for (size_t e = 0; e < n; e++)
    {
      gint64 x = (gint64) va[e], y = (gint64) vb[e], u = (gint64) fa[e], v = (gint64) fb[e];
      g_assert_cmpuint (lt[e], ==, x < y);
      g_assert_cmpuint (le[e], ==, x <= y);
      g_assert_cmpuint (eq[e], ==, u == v);
      g_assert_cmpuint (ltf[e], ==, u < v);
      g_assert_cmpuint (msb[e], ==, u < 0);
      g_assert_cmpuint (eqz[e], ==, u == 0);
      ones += lt[e];
    }
  if (n > 100)
    g_assert_cmpuint (ones, >, n / 10);   /* the test data has both outcomes */
}

static void
run_sizes (gconstpointer fn)
{
  for (size_t i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      Job job = { sizes[i] };
      rss3_test_run (200 + i, (Rss3PartyFunc) fn, &job, NULL);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_data_func ("/rss3/compare", compare_party, run_sizes);
  return g_test_run ();
}
