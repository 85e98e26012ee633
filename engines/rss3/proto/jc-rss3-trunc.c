#define G_LOG_DOMAIN "joconde-rss3"
#include "config.h"

#include "jc-rss3-private.h"

#include <string.h>

gboolean
jc_rss3_trunc (JcRss3Ctx *ctx, const JcRss3AVec *a, unsigned f, JcRss3AVec *out,
               GError **error)
{
  /* Exact arithmetic shift a >> f (floor of a / 2^f for signed a). With the local
   * conversion a = v + w (v = x_c + x_{c+1} at party c, w = x_{c+2} at c+1 and c+2) and the
   * bias y = a + 2^63 = v' + w - c64 * 2^64 (v' = v + 2^63, c64 the carry out of v' + w):
   *   y >> f = (v' >> f) + (w >> f) + c_f - c64 * 2^(64-f),
   * c_f the carry out of the low f bits, and a >> f = (y >> f) - 2^(63-f). Party c reshares
   * v' (boolean) and v' >> f (arithmetic) in one message; the two carries come from one
   * boolean adder split at bit f; they are converted to arithmetic bits. */
  g_return_val_if_fail (a->n == out->n && f >= 1 && f <= 62, FALSE);
  size_t n = a->n, nw = jc_rss3_nwords (n), pw = 64 * nw;
  unsigned role = jc_rss3_next_role (ctx);
  u64 *vals = NULL;
  if (role == 0)
    {
      vals = jc_rss3_scratch (ctx, 2 * n + 1);
      for (size_t e = 0; e < n; e++)
        {
          u64 v = a->s0[e] + a->s1[e] + (1ULL << 63);
          vals[e] = v;
          vals[n + e] = v >> f;
        }
    }
  u64 *t0 = jc_rss3_scratch (ctx, 2 * n + 1), *t1 = jc_rss3_scratch (ctx, 2 * n + 1);
  u64 *pl = jc_rss3_scratch (ctx, 4 * pw + 8 * nw + 1);
  u64 *V0 = pl, *V1 = pl + pw, *W0 = pl + 2 * pw, *W1 = pl + 3 * pw;
  u64 *cl0 = pl + 4 * pw, *cl1 = cl0 + nw, *gh0 = cl0 + 2 * nw, *gh1 = cl0 + 3 * nw;
  u64 *ph0 = cl0 + 4 * nw, *ph1 = cl0 + 5 * nw, *z0 = cl0 + 6 * nw, *z1 = cl0 + 7 * nw;
  u64 *bits0 = NULL, *bits1 = NULL, *ar0 = NULL, *ar1 = NULL;
  gboolean ok = jc_rss3_share_from_role (ctx, role, vals, 2 * n, n, t0, t1, error);
  jc_rss3_scratch_put (ctx, vals);
  if (!ok)
    goto out;
  jc_rss3_words_to_planes (t0, n, 64, V0);
  jc_rss3_words_to_planes (t1, n, 64, V1);
  /* w = x_{c+2} as the boolean sharing (0, 0, w) */
  const u64 *w = role == 1 ? a->s1 : role == 2 ? a->s0 : NULL;
  if (role == 2)
    jc_rss3_words_to_planes (w, n, 64, W0);
  else
    memset (W0, 0, pw * 8);
  if (role == 1)
    jc_rss3_words_to_planes (w, n, 64, W1);
  else
    memset (W1, 0, pw * 8);
  ok = jc_rss3_carry (ctx, f, nw, V0, V1, W0, W1, cl0, cl1, NULL, NULL, error) &&
       jc_rss3_carry (ctx, 64 - f, nw, V0 + f * nw, V1 + f * nw, W0 + f * nw, W1 + f * nw,
                      gh0, gh1, ph0, ph1, error) &&
       jc_rss3_and_raw (ctx, nw, ph0, ph1, cl0, cl1, z0, z1, error);
  if (!ok)
    goto out;
  /* c64 = G_hi ^ (P_hi & c_f); both bits to arithmetic in one conversion */
  bits0 = jc_rss3_scratch (ctx, 2 * n + 1);
  bits1 = jc_rss3_scratch (ctx, 2 * n + 1);
  ar0 = jc_rss3_scratch (ctx, 2 * n + 1);
  ar1 = jc_rss3_scratch (ctx, 2 * n + 1);
  for (size_t e = 0; e < n; e++)
    {
      size_t q = e / 64, r = e % 64;
      bits0[e] = (cl0[q] >> r) & 1;
      bits1[e] = (cl1[q] >> r) & 1;
      bits0[n + e] = ((gh0[q] ^ z0[q]) >> r) & 1;
      bits1[n + e] = ((gh1[q] ^ z1[q]) >> r) & 1;
    }
  ok = jc_rss3_b2a_bits (ctx, 2 * n, bits0, bits1, ar0, ar1, error);
  if (!ok)
    goto out;
  u64 k0 = ctx->party == 0 ? (u64) 0 - (1ULL << (63 - f)) : 0;
  u64 k1 = ctx->party == 2 ? (u64) 0 - (1ULL << (63 - f)) : 0;
  for (size_t e = 0; e < n; e++)
    {
      u64 h0 = t0[n + e] + ar0[e] - (ar0[n + e] << (64 - f)) + k0;
      u64 h1 = t1[n + e] + ar1[e] - (ar1[n + e] << (64 - f)) + k1;
      if (role == 2)
        h0 += a->s0[e] >> f;
      else if (role == 1)
        h1 += a->s1[e] >> f;
      out->s0[e] = h0;
      out->s1[e] = h1;
    }
out:
  jc_rss3_scratch_put (ctx, t0);
  jc_rss3_scratch_put (ctx, t1);
  jc_rss3_scratch_put (ctx, pl);
  jc_rss3_scratch_put (ctx, bits0);
  jc_rss3_scratch_put (ctx, bits1);
  jc_rss3_scratch_put (ctx, ar0);
  jc_rss3_scratch_put (ctx, ar1);
  return ok;
}
