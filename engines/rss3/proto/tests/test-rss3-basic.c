/* rss3: sharing, linear operations, multiplication, truncation, boolean gates, conversions,
 * selection and segmented aggregation against plaintext on edge and random values. */
#define G_LOG_DOMAIN "joconde-rss3-test"
#include "config.h"

#include "jc-rss3-private.h"
#include "rss3-harness.h"

#include "base/jc-error.h"

#include <string.h>

static const size_t sizes[] = { 0, 1, 63, 64, 65, 1000 };

typedef struct {
  size_t n;
} Job;

static void
test_transpose (void)
{
  u64 a[64], b[64];
  GRand *r = g_rand_new_with_seed (7);
  for (int i = 0; i < 64; i++)
    a[i] = b[i] = ((u64) g_rand_int (r) << 32) | g_rand_int (r);
  jc_rss3_transpose64 (b);
  for (int i = 0; i < 64; i++)
    for (int j = 0; j < 64; j++)
      g_assert_cmpuint ((b[j] >> i) & 1, ==, (a[i] >> j) & 1);
  g_rand_free (r);
  /* words <-> planes round trip on a length that is not a multiple of 64 */
  u64 w[100], back[100], planes[64 * 2];
  for (int i = 0; i < 100; i++)
    w[i] = (u64) i * 0x9E3779B97F4A7C15ULL;
  jc_rss3_words_to_planes (w, 100, 64, planes);
  jc_rss3_planes_to_words (planes, 100, 64, back);
  g_assert_cmpmem (w, sizeof w, back, sizeof back);
  g_assert_cmpuint ((planes[3 * 2 + 1] >> (70 - 64)) & 1, ==, (w[70] >> 3) & 1);
}

static void
test_client (void)
{
  guint64 *v = rss3_test_values (3, 100);
  guint64 x[3][100], out[100];
  jc_rss3_client_split (v, 100, x[0], x[1], x[2]);
  g_assert_cmpint (memcmp (x[0], v, sizeof out), !=, 0);
  jc_rss3_client_join (1, x[1], x[2], x[0], 100, out);
  g_assert_cmpmem (out, sizeof out, v, 100 * 8);
  g_free (v);
}

static void
linear_party (JcRss3Ctx *ctx, gpointer data)
{
  Job *job = data;
  size_t n = job->n;
  g_autofree guint64 *va = rss3_test_values (11, n), *vb = rss3_test_values (12, n);
  g_autoptr (JcRss3AVec) a = rss3_test_input (ctx, va, n);
  g_autoptr (JcRss3AVec) b = rss3_test_input (ctx, vb, n);
  g_autoptr (JcRss3AVec) t = jc_rss3_avec_new (n);
  g_autofree guint64 *pub = g_new0 (guint64, n + 1);
  for (size_t e = 0; e < n; e++)
    pub[e] = e * 3 + 1;

  jc_rss3_add (ctx, a, b, t);
  g_autofree guint64 *o1 = rss3_test_open (ctx, t);
  jc_rss3_sub (ctx, a, b, t);
  jc_rss3_mul_const (ctx, t, 5, t);
  jc_rss3_add_const (ctx, t, 77, t);
  g_autofree guint64 *o2 = rss3_test_open (ctx, t);
  jc_rss3_neg (ctx, a, t);
  jc_rss3_add_public (ctx, t, pub, t);
  jc_rss3_mul_public (ctx, t, pub, t);
  g_autofree guint64 *o3 = rss3_test_open (ctx, t);
  jc_rss3_prefix_sum (ctx, a, t);
  g_autofree guint64 *o4 = rss3_test_open (ctx, t);
  jc_rss3_avec_fill_const (ctx, t, 42);
  g_autofree guint64 *o5 = rss3_test_open (ctx, t);
  g_autoptr (GError) error = NULL;
  g_assert_true (jc_rss3_reveal_to (ctx, a, 2, jc_rss3_ctx_get_party (ctx) == 2 ? o5 : NULL,
                                    &error));
  /* inputs from parties 1 and 2 */
  g_autoptr (JcRss3AVec) i1 = jc_rss3_avec_new (n), i2 = jc_rss3_avec_new (n);
  unsigned me = jc_rss3_ctx_get_party (ctx);
  g_assert_true (jc_rss3_input (ctx, 1, me == 1 ? va : NULL, n, i1, &error));
  g_assert_true (jc_rss3_input (ctx, 2, me == 2 ? vb : NULL, n, i2, &error));
  g_autofree guint64 *o6 = rss3_test_open (ctx, i1), *o7 = rss3_test_open (ctx, i2);
  g_assert_cmpmem (o6, n * 8, va, n * 8);
  g_assert_cmpmem (o7, n * 8, vb, n * 8);
  g_autofree guint64 *o8 = g_new0 (guint64, n + 1), *o9 = g_new0 (guint64, n + 1);
  const JcRss3AVec *two[2] = { i2, i1 };
  guint64 *outs[2] = { o8, o9 };
  g_assert_true (jc_rss3_reveal_many (ctx, 2, two, outs, &error));
  g_assert_cmpmem (o8, n * 8, vb, n * 8);
  g_assert_cmpmem (o9, n * 8, va, n * 8);
  guint64 run = 0;
  for (size_t e = 0; e < n; e++)
    {
      run += va[e];
      g_assert_cmpuint (o1[e], ==, va[e] + vb[e]);
      g_assert_cmpuint (o2[e], ==, (va[e] - vb[e]) * 5 + 77);
      g_assert_cmpuint (o3[e], ==, (-va[e] + pub[e]) * pub[e]);
      g_assert_cmpuint (o4[e], ==, run);
      g_assert_cmpuint (o5[e], ==, jc_rss3_ctx_get_party (ctx) == 2 ? va[e] : 42);
    }
}

static void
mul_party (JcRss3Ctx *ctx, gpointer data)
{
  Job *job = data;
  size_t n = job->n;
  g_autoptr (GError) error = NULL;
  g_autofree guint64 *va = rss3_test_values (21, n), *vb = rss3_test_values (22, n);
  g_autoptr (JcRss3AVec) a = rss3_test_input (ctx, va, n);
  g_autoptr (JcRss3AVec) b = rss3_test_input (ctx, vb, n);
  g_autoptr (JcRss3AVec) t = jc_rss3_avec_new (n);
  g_assert_true (jc_rss3_mul (ctx, a, b, t, &error));
  g_autofree guint64 *o1 = rss3_test_open (ctx, t);
  jc_rss3_ctx_trim (ctx);   /* the next calls grow the scratch memory again */
  /* two columns of different length in one round, output aliasing an input */
  g_autoptr (JcRss3AVec) h = jc_rss3_avec_new (n / 2);
  memcpy (h->s0, a->s0, (n / 2) * 8);
  memcpy (h->s1, a->s1, (n / 2) * 8);
  const JcRss3AVec *xs[2] = { a, h }, *ys[2] = { a, h };
  JcRss3AVec *zs[2] = { a, h };
  g_assert_true (jc_rss3_mul_many (ctx, 2, xs, ys, zs, &error));
  g_autofree guint64 *o2 = rss3_test_open (ctx, a);
  g_autofree guint64 *o3 = rss3_test_open (ctx, h);
  for (size_t e = 0; e < n; e++)
    {
      g_assert_cmpuint (o1[e], ==, va[e] * vb[e]);
      g_assert_cmpuint (o2[e], ==, va[e] * va[e]);
      if (e < n / 2)
        g_assert_cmpuint (o3[e], ==, va[e] * va[e]);
    }
}

static void
fixed_party (JcRss3Ctx *ctx, gpointer data)
{
  Job *job = data;
  size_t n = job->n;
  const unsigned f = 16;
  g_autoptr (GError) error = NULL;
  g_autofree guint64 *va = g_new0 (guint64, n + 1), *vb = g_new0 (guint64, n + 1);
  GRand *r = g_rand_new_with_seed (5);
  for (size_t e = 0; e < n; e++)
    {
      /* values up to 2^10 in magnitude with 16 fractional bits, signs mixed (product < 2^52) */
      va[e] = (guint64) (gint64) g_rand_double_range (r, -1024.0 * 65536, 1024.0 * 65536);
      vb[e] = (guint64) (gint64) g_rand_double_range (r, -1024.0 * 65536, 1024.0 * 65536);
    }
  if (n > 1)
    {
      va[0] = 0;
      va[1] = (guint64) -65536;   /* -1.0 */
    }
  g_rand_free (r);
  g_autoptr (JcRss3AVec) a = rss3_test_input (ctx, va, n);
  g_autoptr (JcRss3AVec) b = rss3_test_input (ctx, vb, n);
  g_autoptr (JcRss3AVec) t = jc_rss3_avec_new (n);
  g_assert_true (jc_rss3_mul_fixed (ctx, a, b, f, t, &error));
  g_autofree guint64 *o1 = rss3_test_open (ctx, t);
  g_assert_true (jc_rss3_trunc (ctx, a, 3, t, &error));
  g_autofree guint64 *o2 = rss3_test_open (ctx, t);
  /* exact truncation on the full range, edge values included */
  g_autofree guint64 *vf = rss3_test_values (6, n);
  g_autoptr (JcRss3AVec) c = rss3_test_input (ctx, vf, n);
  g_assert_true (jc_rss3_trunc (ctx, c, 1, t, &error));
  g_autofree guint64 *o3 = rss3_test_open (ctx, t);
  g_assert_true (jc_rss3_trunc (ctx, c, 62, t, &error));
  g_autofree guint64 *o4 = rss3_test_open (ctx, t);
  /* probabilistic truncation on small values (|x| < 2^28: a large error has probability
   * about 2^-36 per element): exact or one unit off */
  g_autoptr (JcRss3AVec) s = jc_rss3_avec_new (n);
  for (size_t e = 0; e < n; e++)
    {
      s->s0[e] = a->s0[e];
      s->s1[e] = a->s1[e];
    }
  g_assert_true (jc_rss3_trunc_pr (ctx, s, 5, t, &error));
  g_autofree guint64 *o5 = rss3_test_open (ctx, t);
  g_autofree guint64 *vsm = g_new0 (guint64, n + 1);
  for (size_t e = 0; e < n; e++)
    vsm[e] = (guint64) ((gint64) va[e] >> 12);   /* |x| < 2^14, the product < 2^28 */
  g_autoptr (JcRss3AVec) sm = rss3_test_input (ctx, vsm, n);
  g_assert_true (jc_rss3_mul_fixed_pr (ctx, sm, sm, 10, t, &error));
  g_autofree guint64 *o6 = rss3_test_open (ctx, t);
  g_assert_no_error (error);
  for (size_t e = 0; e < n; e++)
    {
      gint64 x = (gint64) va[e], y = (gint64) vb[e];
      g_assert_cmpint ((gint64) o1[e], ==, (x * y) >> f);
      g_assert_cmpint ((gint64) o2[e], ==, x >> 3);
      g_assert_cmpint ((gint64) o3[e], ==, (gint64) vf[e] >> 1);
      g_assert_cmpint ((gint64) o4[e], ==, (gint64) vf[e] >> 62);
      gint64 d5 = (gint64) o5[e] - (x >> 5), d6 = (gint64) o6[e] - (((gint64) vsm[e] * (gint64) vsm[e]) >> 10);
      g_assert_true (d5 == 0 || d5 == 1 || d5 == -1);
      g_assert_true (d6 == 0 || d6 == 1 || d6 == -1);
    }
}

static void
bool_party (JcRss3Ctx *ctx, gpointer data)
{
  Job *job = data;
  size_t n = job->n;
  g_autoptr (GError) error = NULL;
  g_autofree guint64 *va = rss3_test_values (31, n), *vb = rss3_test_values (32, n);
  g_autoptr (JcRss3AVec) a = rss3_test_input (ctx, va, n);
  g_autoptr (JcRss3AVec) b = rss3_test_input (ctx, vb, n);
  g_autoptr (JcRss3BVec) ba = jc_rss3_bvec_new (n, 64), bb = jc_rss3_bvec_new (n, 64);
  g_autoptr (JcRss3BVec) t = jc_rss3_bvec_new (n, 64);
  g_assert_true (jc_rss3_a2b (ctx, a, ba, &error));
  g_assert_true (jc_rss3_a2b (ctx, b, bb, &error));
  g_autofree guint64 *o1 = rss3_test_bopen (ctx, ba);
  g_assert_true (jc_rss3_band (ctx, ba, bb, t, &error));
  g_autofree guint64 *o2 = rss3_test_bopen (ctx, t);
  g_assert_true (jc_rss3_bor (ctx, ba, bb, t, &error));
  g_autofree guint64 *o3 = rss3_test_bopen (ctx, t);
  jc_rss3_bxor (ctx, ba, bb, t);
  jc_rss3_bnot (ctx, t, t);
  g_autofree guint64 *o4 = rss3_test_bopen (ctx, t);
  g_autoptr (JcRss3AVec) back = jc_rss3_avec_new (n);
  g_assert_true (jc_rss3_b2a (ctx, t, back, &error));
  g_autofree guint64 *o5 = rss3_test_open (ctx, back);
  /* a 5-bit vector made from the low planes */
  g_autoptr (JcRss3BVec) small = jc_rss3_bvec_new (n, 5);
  memcpy (small->s0, ba->s0, 5 * ba->nwords * 8);
  memcpy (small->s1, ba->s1, 5 * ba->nwords * 8);
  g_assert_true (jc_rss3_b2a (ctx, small, back, &error));
  g_autofree guint64 *o6 = rss3_test_open (ctx, back);
  /* comparisons of the boolean-shared values (unsigned), and of their 5-bit parts */
  g_autoptr (JcRss3BVec) c = jc_rss3_bvec_new (n, 1);
  g_assert_true (jc_rss3_blt (ctx, ba, bb, c, &error));
  g_autofree guint64 *o7 = rss3_test_bopen (ctx, c);
  g_assert_true (jc_rss3_beq (ctx, ba, ba, c, &error));
  g_autofree guint64 *o8 = rss3_test_bopen (ctx, c);
  g_autoptr (JcRss3BVec) small2 = jc_rss3_bvec_new (n, 5);
  memcpy (small2->s0, bb->s0, 5 * bb->nwords * 8);
  memcpy (small2->s1, bb->s1, 5 * bb->nwords * 8);
  g_assert_true (jc_rss3_blt (ctx, small, small2, c, &error));
  g_autofree guint64 *o9 = rss3_test_bopen (ctx, c);
  g_assert_true (jc_rss3_beq (ctx, small, small2, c, &error));
  g_autofree guint64 *o10 = rss3_test_bopen (ctx, c);
  for (size_t e = 0; e < n; e++)
    {
      g_assert_cmpuint (o7[e], ==, va[e] < vb[e]);
      g_assert_cmpuint (o8[e], ==, 1);
      g_assert_cmpuint (o9[e], ==, (va[e] & 31) < (vb[e] & 31));
      g_assert_cmpuint (o10[e], ==, (va[e] & 31) == (vb[e] & 31));
    }
  for (size_t e = 0; e < n; e++)
    {
      g_assert_cmpuint (o1[e], ==, va[e]);
      g_assert_cmpuint (o2[e], ==, va[e] & vb[e]);
      g_assert_cmpuint (o3[e], ==, va[e] | vb[e]);
      g_assert_cmpuint (o4[e], ==, ~(va[e] ^ vb[e]));
      g_assert_cmpuint (o5[e], ==, ~(va[e] ^ vb[e]));
      g_assert_cmpuint (o6[e], ==, va[e] & 31);
    }
}

static void
select_seg_party (JcRss3Ctx *ctx, gpointer data)
{
  Job *job = data;
  size_t n = job->n;
  g_autoptr (GError) error = NULL;
  g_autofree guint64 *va = rss3_test_values (41, n), *vb = rss3_test_values (42, n);
  g_autofree guint64 *vs = g_new0 (guint64, n + 1);
  for (size_t e = 0; e < n; e++)
    {
      vs[e] = (e == 0 || va[e] % 5 == 0) ? 1 : 0;
      va[e] = (guint64) ((gint64) va[e] >> 2);   /* 62-bit range for min/max comparisons */
    }
  g_autoptr (JcRss3AVec) a = rss3_test_input (ctx, va, n);
  g_autoptr (JcRss3AVec) b = rss3_test_input (ctx, vb, n);
  g_autoptr (JcRss3AVec) sa = rss3_test_input (ctx, vs, n);
  g_autoptr (JcRss3BVec) sb = jc_rss3_bvec_new (n, 64), st = jc_rss3_bvec_new (n, 1);
  g_assert_true (jc_rss3_a2b (ctx, sa, sb, &error));
  memcpy (st->s0, sb->s0, st->nwords * 8);
  memcpy (st->s1, sb->s1, st->nwords * 8);
  g_autoptr (JcRss3AVec) t = jc_rss3_avec_new (n);
  g_assert_true (jc_rss3_select (ctx, st, a, b, t, &error));
  g_autofree guint64 *o1 = rss3_test_open (ctx, t);
  {
    /* two columns under one condition, the second output aliasing its input */
    g_autoptr (JcRss3AVec) u = jc_rss3_avec_dup (b);
    const JcRss3AVec *as[2] = { a, u }, *bs[2] = { b, a };
    JcRss3AVec *os[2] = { t, u };
    g_assert_true (jc_rss3_select_many (ctx, st, 2, as, bs, os, &error));
    g_autofree guint64 *p1 = rss3_test_open (ctx, t), *p2 = rss3_test_open (ctx, u);
    for (size_t e = 0; e < n; e++)
      {
        g_assert_cmpuint (p1[e], ==, vs[e] ? va[e] : vb[e]);
        g_assert_cmpuint (p2[e], ==, vs[e] ? vb[e] : va[e]);
      }
  }
  g_assert_true (jc_rss3_seg_sum (ctx, st, a, t, &error));
  g_autofree guint64 *o2 = rss3_test_open (ctx, t);
  g_autoptr (JcRss3AVec) t2 = jc_rss3_avec_new (n);
  g_autoptr (JcRss3AVec) t3 = jc_rss3_avec_new (n);
  const JcRss3AVec *cols[2] = { a, b };
  JcRss3AVec *outs[2] = { t2, t3 };
  g_assert_true (jc_rss3_seg_sum_many (ctx, st, 2, cols, outs, &error));
  g_autofree guint64 *o5 = rss3_test_open (ctx, t2), *o6 = rss3_test_open (ctx, t3);
  g_assert_true (jc_rss3_seg_count (ctx, st, t2, &error));
  g_autofree guint64 *o7 = rss3_test_open (ctx, t2);
  g_assert_true (jc_rss3_seg_min (ctx, st, a, t, &error));
  g_autofree guint64 *o3 = rss3_test_open (ctx, t);
  g_assert_true (jc_rss3_seg_max (ctx, st, a, t, &error));
  g_autofree guint64 *o4 = rss3_test_open (ctx, t);
  guint64 sum = 0, sumb = 0, cnt = 0;
  gint64 mn = 0, mx = 0;
  for (size_t e = 0; e < n; e++)
    {
      gint64 x = (gint64) va[e];
      if (vs[e])
        sum = 0, sumb = 0, cnt = 0, mn = x, mx = x;
      sum += va[e];
      sumb += vb[e];
      cnt++;
      mn = MIN (mn, x);
      mx = MAX (mx, x);
      g_assert_cmpuint (o1[e], ==, vs[e] ? va[e] : vb[e]);
      g_assert_cmpuint (o2[e], ==, sum);
      g_assert_cmpuint (o5[e], ==, sum);
      g_assert_cmpuint (o6[e], ==, sumb);
      g_assert_cmpuint (o7[e], ==, cnt);
      g_assert_cmpint ((gint64) o3[e], ==, mn);
      g_assert_cmpint ((gint64) o4[e], ==, mx);
    }
}

static void
div_party (JcRss3Ctx *ctx, gpointer data)
{
  Job *job = data;
  size_t n = job->n;
  g_autoptr (GError) error = NULL;
  g_autofree guint64 *va = rss3_test_values (91, n), *vb = rss3_test_values (92, n);
  for (size_t e = 0; e < n; e++)
    {
      va[e] = (guint64) ((gint64) va[e] >> 24);          /* |a| < 2^40 */
      vb[e] = (vb[e] >> (34 + e % 30)) + 1;               /* 1 <= b <= 2^30 */
    }
  if (n >= 4)
    {
      va[0] = 0; vb[0] = 7;
      va[1] = (guint64) -1; vb[1] = 1;
      va[2] = (1ULL << 40) - 1; vb[2] = 1;
      va[3] = (guint64) -100; vb[3] = 7;
    }
  g_autoptr (JcRss3AVec) a = rss3_test_input (ctx, va, n);
  g_autoptr (JcRss3AVec) b = rss3_test_input (ctx, vb, n);
  g_autoptr (JcRss3AVec) q = jc_rss3_avec_new (n);
  g_assert_true (jc_rss3_div (ctx, a, b, 41, q, &error));
  g_autofree guint64 *o1 = rss3_test_open (ctx, q);
  /* fixed point with 8 fractional bits: 3.5 / 2.0 = 1.75 */
  guint64 fa[2] = { 896, (guint64) -896 }, fb[2] = { 512, 512 };
  g_autoptr (JcRss3AVec) x = rss3_test_input (ctx, fa, 2);
  g_autoptr (JcRss3AVec) y = rss3_test_input (ctx, fb, 2);
  g_autoptr (JcRss3AVec) z = jc_rss3_avec_new (2);
  g_assert_true (jc_rss3_div_fixed (ctx, x, y, 8, z, &error));
  g_autofree guint64 *o2 = rss3_test_open (ctx, z);
  g_assert_no_error (error);
  for (size_t e = 0; e < n; e++)
    g_assert_cmpint ((gint64) o1[e], ==, (gint64) va[e] / (gint64) vb[e]);
  g_assert_cmpint ((gint64) o2[0], ==, 448);
  g_assert_cmpint ((gint64) o2[1], ==, -448);
}

typedef struct {
  guint64 rounds_seen;
  guint64 stop_after;
} Watch;

static void
on_progress (void *user, const JcRss3Stats *st)
{
  Watch *w = user;
  g_assert_cmpuint (st->rounds, >, w->rounds_seen);
  w->rounds_seen = st->rounds;
}

static gboolean
is_cancelled (void *user)
{
  Watch *w = user;
  return w->rounds_seen >= w->stop_after;
}

static void
cancel_party (JcRss3Ctx *ctx, gpointer data)
{
  /* every party cancels after the same round: each call then fails with CANCELLED */
  Watch w = { 0, 3 };
  jc_rss3_ctx_set_progress_func (ctx, on_progress, &w);
  jc_rss3_ctx_set_cancel_func (ctx, is_cancelled, &w);
  g_autofree guint64 *va = rss3_test_values (7, 200);
  g_autoptr (JcRss3AVec) a = rss3_test_input (ctx, va, 200);
  g_autoptr (JcRss3BVec) bit = jc_rss3_bvec_new (200, 1);
  g_autoptr (GError) error = NULL;
  g_assert_false (jc_rss3_msb (ctx, a, bit, &error));
  g_assert_error (error, JC_ERROR, JC_ERROR_CANCELLED);
  g_assert_cmpuint (w.rounds_seen, ==, 3);
  JcRss3Stats st;
  jc_rss3_ctx_get_stats (ctx, &st);
  g_assert_cmpuint (st.rounds, ==, 3);
  g_assert_cmpuint (st.bytes_received, >, 0);
  g_clear_error (&error);
  g_assert_false (jc_rss3_mul (ctx, a, a, a, &error));   /* the context stays stopped */
  g_assert_nonnull (error);
}

static void
test_cancel (void)
{
  rss3_test_run (9, cancel_party, NULL, NULL);
}

static void
crash_at_start_party (JcRss3Ctx *unused, gpointer data)
{
  /* party 2 is gone before the run starts: the others cannot make a context */
  g_autoptr (GError) error = NULL;
  if (rss3_test_party () == 2)
    {
      rss3_test_disconnect ();
      return;
    }
  JcRss3Ctx *ctx = rss3_test_ctx_new (&error);
  g_assert_null (ctx);
  g_assert_error (error, JC_ERROR, JC_ERROR_IO);
}

static void
crash_midway_party (JcRss3Ctx *unused, gpointer data)
{
  /* party 2 crashes after the setup: the others' next round fails with an error */
  g_autoptr (GError) error = NULL;
  g_autoptr (JcRss3Ctx) ctx = rss3_test_ctx_new (&error);
  g_assert_no_error (error);
  if (rss3_test_party () == 2)
    {
      rss3_test_disconnect ();
      return;
    }
  /* Party 1 receives from party 2 in every round and fails at once; party 0 receives from
   * party 1 only, so its first call may still succeed (its message to party 2 can be in
   * the buffers before the crash), but it fails once party 1 has stopped too. */
  g_autoptr (JcRss3AVec) a = jc_rss3_avec_new (5000);
  int calls = 0;
  while (calls < 3 && jc_rss3_mul (ctx, a, a, a, &error))
    calls++;
  g_assert_error (error, JC_ERROR, JC_ERROR_IO);
  g_assert_cmpint (calls, <=, rss3_test_party () == 1 ? 0 : 1);
}

static void
test_crash (void)
{
  rss3_test_run_raw (10, crash_at_start_party, NULL);
  rss3_test_run_raw (11, crash_midway_party, NULL);
}

static void
run_sizes (gconstpointer fn)
{
  for (size_t i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      Job job = { sizes[i] };
      rss3_test_run (100 + i, (Rss3PartyFunc) fn, &job, NULL);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/rss3/transpose", test_transpose);
  g_test_add_func ("/rss3/client-split", test_client);
  g_test_add_data_func ("/rss3/linear", linear_party, run_sizes);
  g_test_add_data_func ("/rss3/mul", mul_party, run_sizes);
  g_test_add_data_func ("/rss3/fixed-point", fixed_party, run_sizes);
  g_test_add_data_func ("/rss3/boolean-a2b-b2a", bool_party, run_sizes);
  g_test_add_data_func ("/rss3/select-segmented", select_seg_party, run_sizes);
  g_test_add_data_func ("/rss3/division", div_party, run_sizes);
  g_test_add_func ("/rss3/cancel", test_cancel);
  g_test_add_func ("/rss3/peer-crash", test_crash);
  return g_test_run ();
}
