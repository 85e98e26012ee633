#define G_LOG_DOMAIN "joconde-rss3"
#include "config.h"

#include "jc-rss3-private.h"

#include <string.h>

static void
plane_bits (const u64 *plane, size_t n, u64 *bits)
{
  for (size_t e = 0; e < n; e++)
    bits[e] = (plane[e / 64] >> (e % 64)) & 1;
}

static void
bits_plane (const u64 *bits, size_t n, u64 *plane)
{
  memset (plane, 0, jc_rss3_nwords (n) * 8);
  for (size_t e = 0; e < n; e++)
    plane[e / 64] |= (bits[e] & 1) << (e % 64);
}

/* ---- selection -------------------------------------------------------------------------- */

gboolean
jc_rss3_select_many (JcRss3Ctx *ctx, const JcRss3BVec *cond, size_t k,
                     const JcRss3AVec *const *a, const JcRss3AVec *const *b,
                     JcRss3AVec *const *out, GError **error)
{
  /* out = b + [cond] * (a - b): one bit conversion (two rounds), one multiplication round. */
  size_t n = cond->n, m = k * n;
  g_return_val_if_fail (cond->bits == 1, FALSE);
  u64 *buf = jc_rss3_scratch (ctx, 8 * m + 4 * n + 1);
  u64 *c0 = buf, *c1 = buf + n, *b0 = buf + 2 * n, *b1 = buf + 3 * n;
  u64 *x0 = buf + 4 * n, *x1 = x0 + m, *y0 = x0 + 2 * m, *y1 = x0 + 3 * m, *z0 = x0 + 4 * m,
      *z1 = x0 + 5 * m;
  plane_bits (cond->s0, n, b0);
  plane_bits (cond->s1, n, b1);
  gboolean ok = jc_rss3_b2a_bits (ctx, n, b0, b1, c0, c1, error);
  for (size_t c = 0; ok && c < k; c++)
    {
      g_return_val_if_fail (a[c]->n == n && b[c]->n == n && out[c]->n == n, FALSE);
      for (size_t e = 0; e < n; e++)
        {
          x0[c * n + e] = c0[e];
          x1[c * n + e] = c1[e];
          y0[c * n + e] = a[c]->s0[e] - b[c]->s0[e];
          y1[c * n + e] = a[c]->s1[e] - b[c]->s1[e];
        }
    }
  if (ok)
    ok = jc_rss3_mul_raw (ctx, m, x0, x1, y0, y1, z0, z1, error);
  for (size_t c = 0; ok && c < k; c++)
    for (size_t e = 0; e < n; e++)
      {
        out[c]->s0[e] = b[c]->s0[e] + z0[c * n + e];
        out[c]->s1[e] = b[c]->s1[e] + z1[c * n + e];
      }
  jc_rss3_scratch_put (ctx, buf);
  return ok;
}

gboolean
jc_rss3_select (JcRss3Ctx *ctx, const JcRss3BVec *cond, const JcRss3AVec *a,
                const JcRss3AVec *b, JcRss3AVec *out, GError **error)
{
  return jc_rss3_select_many (ctx, cond, 1, &a, &b, &out, error);
}

/* ---- segmented aggregation -------------------------------------------------------------- */

gboolean
jc_rss3_seg_sum_many (JcRss3Ctx *ctx, const JcRss3BVec *start, size_t k,
                      const JcRss3AVec *const *a, JcRss3AVec *const *out, GError **error)
{
  /* Hillis-Steele scan of the segmented-sum operator (f, s) . (f', s') = (f | f',
   * f' ? s' : s + s') with arithmetic flags: per step one product for the flags and one per
   * column, all in one round. */
  g_return_val_if_fail (start->bits == 1, FALSE);
  size_t n = start->n, c1 = k + 1;
  for (size_t c = 0; c < k; c++)
    g_return_val_if_fail (a[c]->n == n && out[c]->n == n, FALSE);
  u64 *buf = jc_rss3_scratch (ctx, (2 * c1 + 6 * c1) * n + 1);
  u64 *s0 = buf, *s1 = buf + c1 * n;               /* column c at c*n; flags are column k */
  u64 *x0 = buf + 2 * c1 * n, *x1 = x0 + c1 * n, *y0 = x1 + c1 * n, *y1 = y0 + c1 * n;
  u64 *z0 = y1 + c1 * n, *z1 = z0 + c1 * n;
  u64 *f0 = s0 + k * n, *f1 = s1 + k * n;
  plane_bits (start->s0, n, x0);
  plane_bits (start->s1, n, x1);
  gboolean ok = jc_rss3_b2a_bits (ctx, n, x0, x1, f0, f1, error);
  for (size_t c = 0; c < k && n; c++)
    {
      memcpy (s0 + c * n, a[c]->s0, n * 8);
      memcpy (s1 + c * n, a[c]->s1, n * 8);
    }
  u64 one0 = ctx->party == 0 ? 1 : 0, one1 = ctx->party == 2 ? 1 : 0;
  for (size_t d = 1; ok && d < n; d *= 2)
    {
      size_t m = n - d;
      for (size_t c = 0; c < c1; c++)
        for (size_t i = 0; i < m; i++)
          {
            size_t e = i + d;
            /* columns: (1 - f_e) * s_{e-d}; flags: f_e * f_{e-d} */
            x0[c * m + i] = c < k ? one0 - f0[e] : f0[e];
            x1[c * m + i] = c < k ? one1 - f1[e] : f1[e];
            y0[c * m + i] = s0[c * n + e - d];
            y1[c * m + i] = s1[c * n + e - d];
          }
      ok = jc_rss3_mul_raw (ctx, c1 * m, x0, x1, y0, y1, z0, z1, error);
      if (!ok)
        break;
      for (size_t c = 0; c < c1; c++)
        for (size_t i = m; i-- > 0;)
          {
            size_t e = i + d;
            if (c < k)
              {
                s0[c * n + e] += z0[c * m + i];
                s1[c * n + e] += z1[c * m + i];
              }
            else
              {
                f0[e] = f0[e] + f0[e - d] - z0[c * m + i];
                f1[e] = f1[e] + f1[e - d] - z1[c * m + i];
              }
          }
    }
  for (size_t c = 0; ok && c < k && n; c++)
    {
      memcpy (out[c]->s0, s0 + c * n, n * 8);
      memcpy (out[c]->s1, s1 + c * n, n * 8);
    }
  jc_rss3_scratch_put (ctx, buf);
  return ok;
}

gboolean
jc_rss3_seg_sum (JcRss3Ctx *ctx, const JcRss3BVec *start, const JcRss3AVec *a,
                 JcRss3AVec *out, GError **error)
{
  return jc_rss3_seg_sum_many (ctx, start, 1, &a, &out, error);
}

gboolean
jc_rss3_seg_count (JcRss3Ctx *ctx, const JcRss3BVec *start, JcRss3AVec *out, GError **error)
{
  JcRss3AVec ones = jc_rss3_tmp_avec (ctx, start->n);
  jc_rss3_avec_fill_const (ctx, &ones, 1);
  gboolean ok = jc_rss3_seg_sum (ctx, start, &ones, out, error);
  jc_rss3_tmp_avec_put (ctx, &ones);
  return ok;
}

/* Segmented running minimum (want_max FALSE) or maximum. Per step: one comparison of each
 * element with the element d before it, cond = better & !start, flags OR-ed, a selection. */
static gboolean
seg_extreme (JcRss3Ctx *ctx, const JcRss3BVec *start, const JcRss3AVec *a, gboolean want_max,
             JcRss3AVec *out, GError **error)
{
  g_return_val_if_fail (start->n == a->n && out->n == a->n && start->bits == 1, FALSE);
  size_t n = a->n;
  u64 *f0 = jc_rss3_scratch (ctx, n), *f1 = jc_rss3_scratch (ctx, n);
  plane_bits (start->s0, n, f0);
  plane_bits (start->s1, n, f1);
  g_autoptr (JcRss3AVec) s = jc_rss3_avec_dup (a);
  gboolean ok = TRUE;
  for (size_t d = 1; ok && d < n; d *= 2)
    {
      size_t m = n - d, nw = jc_rss3_nwords (m);
      /* per-step temporaries on scratch memory (reused across steps) */
      JcRss3AVec cand_v = jc_rss3_tmp_avec (ctx, m), cur_v = jc_rss3_tmp_avec (ctx, m);
      JcRss3AVec *cand = &cand_v, *cur = &cur_v;
      memcpy (cand->s0, s->s0, m * 8);
      memcpy (cand->s1, s->s1, m * 8);
      memcpy (cur->s0, s->s0 + d, m * 8);
      memcpy (cur->s1, s->s1 + d, m * 8);
      JcRss3BVec better_v = { m, 1, nw, jc_rss3_scratch (ctx, nw + 1), jc_rss3_scratch (ctx, nw + 1) };
      JcRss3BVec *better = &better_v;
      ok = want_max ? jc_rss3_lt (ctx, cur, cand, better, error)
                    : jc_rss3_lt (ctx, cand, cur, better, error);
      if (!ok)
        {
          jc_rss3_tmp_avec_put (ctx, cand);
          jc_rss3_tmp_avec_put (ctx, cur);
          jc_rss3_scratch_put (ctx, better->s0);
          jc_rss3_scratch_put (ctx, better->s1);
          break;
        }
      /* planes: [better, !f_e] and [!f_e, !f_{e-d}]; OR via De Morgan */
      u64 *p = jc_rss3_scratch (ctx, 8 * nw + 2 * m + 1);
      u64 *xa0 = p, *xa1 = p + 2 * nw, *xb0 = p + 4 * nw, *xb1 = p + 6 * nw;
      u64 *bits = p + 8 * nw, *bits2 = bits + m;
      memcpy (xa0, better->s0, nw * 8);
      memcpy (xa1, better->s1, nw * 8);
      u64 nf0 = ctx->party == 0 ? 1 : 0, nf1 = ctx->party == 2 ? 1 : 0;
      for (size_t i = 0; i < m; i++)
        {
          bits[i] = f0[i + d] ^ nf0;
          bits2[i] = f1[i + d] ^ nf1;
        }
      bits_plane (bits, m, xb0);
      bits_plane (bits2, m, xb1);
      memcpy (xa0 + nw, xb0, nw * 8);
      memcpy (xa1 + nw, xb1, nw * 8);
      for (size_t i = 0; i < m; i++)
        {
          bits[i] = f0[i] ^ nf0;
          bits2[i] = f1[i] ^ nf1;
        }
      bits_plane (bits, m, xb0 + nw);
      bits_plane (bits2, m, xb1 + nw);
      u64 *z0 = jc_rss3_scratch (ctx, 2 * nw + 1), *z1 = jc_rss3_scratch (ctx, 2 * nw + 1);
      ok = jc_rss3_and_raw (ctx, 2 * nw, xa0, xa1, xb0, xb1, z0, z1, error);
      if (ok)
        {
          JcRss3BVec cond_v = { m, 1, nw, z0, z1 };   /* the first plane of z */
          JcRss3BVec *cond = &cond_v;
          /* new flag = !( !f_e & !f_{e-d} ) */
          plane_bits (z0 + nw, m, bits);
          plane_bits (z1 + nw, m, bits2);
          for (size_t i = 0; i < m; i++)
            {
              f0[i + d] = bits[i] ^ nf0;
              f1[i + d] = bits2[i] ^ nf1;
            }
          ok = jc_rss3_select (ctx, cond, cand, cur, cur, error);
          if (ok)
            {
              memcpy (s->s0 + d, cur->s0, m * 8);
              memcpy (s->s1 + d, cur->s1, m * 8);
            }
        }
      jc_rss3_scratch_put (ctx, z0);
      jc_rss3_scratch_put (ctx, z1);
      jc_rss3_scratch_put (ctx, p);
      jc_rss3_tmp_avec_put (ctx, cand);
      jc_rss3_tmp_avec_put (ctx, cur);
      jc_rss3_scratch_put (ctx, better->s0);
      jc_rss3_scratch_put (ctx, better->s1);
    }
  if (ok && n)
    jc_rss3_avec_set (out, s->s0, s->s1);
  jc_rss3_scratch_put (ctx, f0);
  jc_rss3_scratch_put (ctx, f1);
  return ok;
}

gboolean
jc_rss3_seg_min (JcRss3Ctx *ctx, const JcRss3BVec *start, const JcRss3AVec *a,
                 JcRss3AVec *out, GError **error)
{
  return seg_extreme (ctx, start, a, FALSE, out, error);
}

gboolean
jc_rss3_seg_max (JcRss3Ctx *ctx, const JcRss3BVec *start, const JcRss3AVec *a,
                 JcRss3AVec *out, GError **error)
{
  return seg_extreme (ctx, start, a, TRUE, out, error);
}
