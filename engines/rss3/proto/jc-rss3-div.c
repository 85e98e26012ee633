#define G_LOG_DOMAIN "joconde-rss3"
#include "config.h"

#include "jc-rss3-private.h"

#include <string.h>

static void
plane_to_bits (const u64 *plane, size_t n, u64 *bits)
{
  for (size_t e = 0; e < n; e++)
    bits[e] = (plane[e / 64] >> (e % 64)) & 1;
}

/* Arithmetic 0/1 sharing of a 1-bit boolean vector. */
static gboolean
bit_to_arith (JcRss3Ctx *ctx, const JcRss3BVec *bit, u64 *o0, u64 *o1, GError **error)
{
  size_t n = bit->n;
  u64 *b0 = jc_rss3_scratch (ctx, 2 * n + 1), *b1 = b0 + n;
  plane_to_bits (bit->s0, n, b0);
  plane_to_bits (bit->s1, n, b1);
  gboolean ok = jc_rss3_b2a_bits (ctx, n, b0, b1, o0, o1, error);
  jc_rss3_scratch_put (ctx, b0);
  return ok;
}

gboolean
jc_rss3_div (JcRss3Ctx *ctx, const JcRss3AVec *a, const JcRss3AVec *b, unsigned num_bits,
             JcRss3AVec *out, GError **error)
{
  /* Restoring long division on |a|, one quotient bit per step from the top: the remainder
   * R < b is doubled, the next numerator bit added, and b subtracted where that stays
   * non-negative (a comparison and a selection per step). Exact; the sign of a is put back
   * at the end (truncation toward zero). */
  g_return_val_if_fail (a->n == b->n && out->n == a->n, FALSE);
  g_return_val_if_fail (num_bits >= 1 && num_bits <= 62, FALSE);
  size_t n = a->n;
  g_autoptr (JcRss3BVec) bit = jc_rss3_bvec_new (n, 1);
  g_autoptr (JcRss3AVec) sa = jc_rss3_avec_new (n);
  g_autoptr (JcRss3AVec) t = jc_rss3_avec_new (n);
  g_autoptr (JcRss3AVec) absn = jc_rss3_avec_new (n);
  g_autoptr (JcRss3BVec) nbits = jc_rss3_bvec_new (n, 64);
  if (!jc_rss3_msb (ctx, a, bit, error) || !bit_to_arith (ctx, bit, sa->s0, sa->s1, error) ||
      !jc_rss3_mul (ctx, sa, a, t, error))
    return FALSE;
  jc_rss3_mul_const (ctx, t, 2, t);
  jc_rss3_sub (ctx, a, t, absn);
  if (!jc_rss3_a2b (ctx, absn, nbits, error))
    return FALSE;
  /* the numerator's bits as arithmetic 0/1 values, all in one conversion */
  size_t m = (size_t) num_bits * n;
  u64 *nb = jc_rss3_scratch (ctx, 4 * m + 1);
  u64 *nb0 = nb, *nb1 = nb + m, *na0 = nb + 2 * m, *na1 = nb + 3 * m;
  for (unsigned j = 0; j < num_bits; j++)
    {
      plane_to_bits (nbits->s0 + j * nbits->nwords, n, nb0 + j * n);
      plane_to_bits (nbits->s1 + j * nbits->nwords, n, nb1 + j * n);
    }
  gboolean ok = jc_rss3_b2a_bits (ctx, m, nb0, nb1, na0, na1, error);
  g_autoptr (JcRss3AVec) R = jc_rss3_avec_new (n);
  g_autoptr (JcRss3AVec) Q = jc_rss3_avec_new (n);
  g_autoptr (JcRss3AVec) T = jc_rss3_avec_new (n);
  g_autoptr (JcRss3AVec) c = jc_rss3_avec_new (n);
  for (int j = (int) num_bits - 1; ok && j >= 0; j--)
    {
      for (size_t e = 0; e < n; e++)
        {
          R->s0[e] = 2 * R->s0[e] + na0[j * n + e];
          R->s1[e] = 2 * R->s1[e] + na1[j * n + e];
        }
      jc_rss3_sub (ctx, R, b, T);
      ok = jc_rss3_msb (ctx, T, bit, error);
      if (!ok)
        break;
      jc_rss3_bnot (ctx, bit, bit);   /* c = [R - b >= 0] */
      ok = bit_to_arith (ctx, bit, c->s0, c->s1, error);
      if (!ok)
        break;
      jc_rss3_sub (ctx, T, R, T);
      ok = jc_rss3_mul (ctx, c, T, T, error);
      jc_rss3_add (ctx, R, T, R);
      for (size_t e = 0; e < n; e++)
        {
          Q->s0[e] += c->s0[e] << j;
          Q->s1[e] += c->s1[e] << j;
        }
    }
  jc_rss3_scratch_put (ctx, nb);
  if (!ok || !jc_rss3_mul (ctx, sa, Q, t, error))
    return FALSE;
  jc_rss3_mul_const (ctx, t, 2, t);
  jc_rss3_sub (ctx, Q, t, out);
  return TRUE;
}

gboolean
jc_rss3_div_fixed (JcRss3Ctx *ctx, const JcRss3AVec *a, const JcRss3AVec *b, unsigned f,
                   JcRss3AVec *out, GError **error)
{
  g_return_val_if_fail (f < 62, FALSE);
  g_autoptr (JcRss3AVec) num = jc_rss3_avec_new (a->n);
  jc_rss3_mul_const (ctx, a, 1ULL << f, num);
  return jc_rss3_div (ctx, num, b, 62, out, error);
}
