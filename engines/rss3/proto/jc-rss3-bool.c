#define G_LOG_DOMAIN "joconde-rss3"
#include "config.h"

#include "jc-rss3-private.h"

#include <string.h>

/* ---- vectors ---------------------------------------------------------------------------- */

JcRss3BVec *
jc_rss3_bvec_new (size_t n, unsigned bits)
{
  g_return_val_if_fail (bits >= 1 && bits <= 128, NULL);
  JcRss3BVec *v = g_new0 (JcRss3BVec, 1);
  v->n = n;
  v->bits = bits;
  v->nwords = jc_rss3_nwords (n);
  size_t w = v->nwords * bits;
  v->s0 = g_new0 (u64, w ? w : 1);
  v->s1 = g_new0 (u64, w ? w : 1);
  return v;
}

void
jc_rss3_bvec_free (JcRss3BVec *v)
{
  if (!v)
    return;
  g_free (v->s0);
  g_free (v->s1);
  g_free (v);
}

JcRss3BVec *
jc_rss3_bvec_dup (const JcRss3BVec *v)
{
  JcRss3BVec *d = jc_rss3_bvec_new (v->n, v->bits);
  size_t w = v->nwords * v->bits * sizeof (u64);
  if (w)
    {
      memcpy (d->s0, v->s0, w);
      memcpy (d->s1, v->s1, w);
    }
  return d;
}

/* ---- bit slicing ------------------------------------------------------------------------ */

/* One stage of the transposition: swap the off-diagonal JxJ blocks inside every 2Jx2J block. */
#define TRANSPOSE_STAGE(J, M)                                     \
  for (unsigned b = 0; b < 64; b += 2 * (J))                      \
    for (unsigned k = b; k < b + (J); k++)                        \
      {                                                           \
        u64 t = ((a[k] >> (J)) ^ a[k + (J)]) & (M);               \
        a[k] ^= t << (J);                                         \
        a[k + (J)] ^= t;                                          \
      }

void
jc_rss3_transpose64 (u64 a[64])
{
  /* Recursive block swap of the 64x64 bit matrix (row r = a[r], column c = bit c): swap the
   * off-diagonal 32x32 blocks, then 16x16 inside each, ... Afterwards bit c of a[r] is the
   * former bit r of a[c]. Stages written out so the compiler can unroll and vectorise. */
  TRANSPOSE_STAGE (32, 0x00000000FFFFFFFFULL)
  TRANSPOSE_STAGE (16, 0x0000FFFF0000FFFFULL)
  TRANSPOSE_STAGE (8, 0x00FF00FF00FF00FFULL)
  TRANSPOSE_STAGE (4, 0x0F0F0F0F0F0F0F0FULL)
  TRANSPOSE_STAGE (2, 0x3333333333333333ULL)
  TRANSPOSE_STAGE (1, 0x5555555555555555ULL)
}

static void
words_to_planes (const u64 *w, size_t n, unsigned K, u64 *planes, gboolean repeated)
{
  size_t nw = jc_rss3_nwords (n);
  u64 t[64];
  for (size_t b = 0; b < nw; b++)
    {
      size_t cnt = MIN (64, n - b * 64);
      if (repeated && cnt == 64)
        {
          /* a block of 64 equal words (a sort pivot repeated) needs no transposition */
          const u64 *blk = w + b * 64;
          u64 diff = 0;
          for (unsigned i = 1; i < 64; i++)
            diff |= blk[i] ^ blk[0];
          if (diff == 0)
            {
              for (unsigned j = 0; j < K; j++)
                planes[j * nw + b] = -((blk[0] >> j) & 1);
              continue;
            }
        }
      memcpy (t, w + b * 64, cnt * sizeof (u64));
      if (cnt < 64)
        memset (t + cnt, 0, (64 - cnt) * sizeof (u64));
      jc_rss3_transpose64 (t);
      for (unsigned j = 0; j < K; j++)
        planes[j * nw + b] = t[j];
    }
}

void
jc_rss3_words_to_planes (const u64 *w, size_t n, unsigned K, u64 *planes)
{
  words_to_planes (w, n, K, planes, FALSE);
}

void
jc_rss3_words_to_planes_rep (const u64 *w, size_t n, unsigned K, u64 *planes)
{
  words_to_planes (w, n, K, planes, TRUE);
}

void
jc_rss3_planes_to_words (const u64 *planes, size_t n, unsigned K, u64 *w)
{
  size_t nw = jc_rss3_nwords (n);
  u64 t[64];
  for (size_t b = 0; b < nw; b++)
    {
      for (unsigned j = 0; j < 64; j++)
        t[j] = j < K ? planes[j * nw + b] : 0;
      jc_rss3_transpose64 (t);
      size_t cnt = MIN (64, n - b * 64);
      memcpy (w + b * 64, t, cnt * sizeof (u64));
    }
}

static void
plane_to_bits (const u64 *plane, size_t n, u64 *bits)
{
  for (size_t e = 0; e < n; e++)
    bits[e] = (plane[e / 64] >> (e % 64)) & 1;
}

static void
bits_to_plane (const u64 *bits, size_t n, u64 *plane)
{
  memset (plane, 0, jc_rss3_nwords (n) * sizeof (u64));
  for (size_t e = 0; e < n; e++)
    plane[e / 64] |= (bits[e] & 1) << (e % 64);
}

/* ---- local boolean operations ----------------------------------------------------------- */

void
jc_rss3_bxor (JcRss3Ctx *ctx, const JcRss3BVec *a, const JcRss3BVec *b, JcRss3BVec *out)
{
  size_t w = a->nwords * a->bits;
  for (size_t k = 0; k < w; k++)
    {
      out->s0[k] = a->s0[k] ^ b->s0[k];
      out->s1[k] = a->s1[k] ^ b->s1[k];
    }
}

static void
not_planes (JcRss3Ctx *ctx, size_t w, const u64 *a0, const u64 *a1, u64 *o0, u64 *o1)
{
  u64 m0 = ctx->party == 0 ? ~0ULL : 0, m1 = ctx->party == 2 ? ~0ULL : 0;
  for (size_t k = 0; k < w; k++)
    {
      o0[k] = a0[k] ^ m0;
      o1[k] = a1[k] ^ m1;
    }
}

void
jc_rss3_bnot (JcRss3Ctx *ctx, const JcRss3BVec *a, JcRss3BVec *out)
{
  not_planes (ctx, a->nwords * a->bits, a->s0, a->s1, out->s0, out->s1);
}

gboolean
jc_rss3_band (JcRss3Ctx *ctx, const JcRss3BVec *a, const JcRss3BVec *b, JcRss3BVec *out,
              GError **error)
{
  g_return_val_if_fail (a->n == b->n && a->bits == b->bits && out->bits == a->bits, FALSE);
  return jc_rss3_and_raw (ctx, a->nwords * a->bits, a->s0, a->s1, b->s0, b->s1, out->s0,
                          out->s1, error);
}

gboolean
jc_rss3_bor (JcRss3Ctx *ctx, const JcRss3BVec *a, const JcRss3BVec *b, JcRss3BVec *out,
             GError **error)
{
  /* a | b = a ^ b ^ (a & b) */
  size_t w = a->nwords * a->bits;
  u64 *z0 = jc_rss3_scratch (ctx, w), *z1 = jc_rss3_scratch (ctx, w);
  gboolean ok = jc_rss3_and_raw (ctx, w, a->s0, a->s1, b->s0, b->s1, z0, z1, error);
  if (ok)
    for (size_t k = 0; k < w; k++)
      {
        out->s0[k] = a->s0[k] ^ b->s0[k] ^ z0[k];
        out->s1[k] = a->s1[k] ^ b->s1[k] ^ z1[k];
      }
  jc_rss3_scratch_put (ctx, z0);
  jc_rss3_scratch_put (ctx, z1);
  return ok;
}

gboolean
jc_rss3_and_planes (JcRss3Ctx *ctx, size_t cnt, size_t nw, u64 *const *x0, u64 *const *x1,
                    u64 *const *y0, u64 *const *y1, u64 *z0, u64 *z1, GError **error)
{
  /* as jc_rss3_and_raw, reading the planes where they are (no gathering copy) */
  enum { CHUNK = 4096 };
  u64 rp[CHUNK], rn[CHUNK];
  size_t m = cnt * nw, g = 0, left = 0;
  for (size_t c = 0; c < cnt; c++)
    {
      const u64 *a0 = x0[c], *a1 = x1[c], *b0 = y0[c], *b1 = y1[c];
      u64 *o = z0 + c * nw;
      for (size_t k = 0; k < nw; k++, g++)
        {
          if (left == 0)
            {
              left = MIN ((size_t) CHUNK, m - g);
              jc_rss3_prf (ctx, JC_RSS3_PREV, rp, left * sizeof (u64));
              jc_rss3_prf (ctx, JC_RSS3_NEXT, rn, left * sizeof (u64));
            }
          left--;
          size_t idx = g % CHUNK;   /* chunks start at multiples of CHUNK */
          o[k] = (a0[k] & b0[k]) ^ (a0[k] & b1[k]) ^ (a1[k] & b0[k]) ^ rp[idx] ^ rn[idx];
        }
    }
  return jc_rss3_ring (ctx, z0, z1, m * sizeof (u64), error);
}

gboolean
jc_rss3_breveal (JcRss3Ctx *ctx, const JcRss3BVec *a, guint64 *out, GError **error)
{
  size_t w = a->nwords * a->bits;
  u64 *tmp = jc_rss3_scratch (ctx, w);
  gboolean ok = jc_rss3_ring (ctx, a->s1, tmp, w * sizeof (u64), error);
  if (ok)
    {
      for (size_t k = 0; k < w; k++)
        tmp[k] ^= a->s0[k] ^ a->s1[k];
      unsigned K = MIN (a->bits, 64);
      jc_rss3_planes_to_words (tmp, a->n, K, out);
      if (K < 64)
        for (size_t e = 0; e < a->n; e++)
          out[e] &= (1ULL << K) - 1;
    }
  jc_rss3_scratch_put (ctx, tmp);
  return ok;
}

/* ---- arithmetic to boolean operands ----------------------------------------------------- */

gboolean
jc_rss3_split_bool (JcRss3Ctx *ctx, const JcRss3AVec *a, gboolean neg_w, u64 *v0, u64 *v1,
                    u64 *w0, u64 *w1, GError **error)
{
  /* a = v + w with v = x_c + x_{c+1} (known to party c, reshared as a boolean sharing) and
   * w = x_{c+2} (known to c+1 and c+2: the sharing (0, 0, w) needs no message). This is the
   * local share conversion of ABY3 (section 5.3) with one input reshared. */
  size_t n = a->n;
  unsigned role = jc_rss3_next_role (ctx);
  u64 *vals = NULL;
  if (role == 0)
    {
      vals = jc_rss3_scratch (ctx, n);
      for (size_t e = 0; e < n; e++)
        vals[e] = a->s0[e] + a->s1[e];
    }
  u64 *t0 = jc_rss3_scratch (ctx, n), *t1 = jc_rss3_scratch (ctx, n);
  gboolean ok = jc_rss3_share_from_role (ctx, role, vals, n, n, t0, t1, error);
  jc_rss3_scratch_put (ctx, vals);
  if (ok)
    {
      /* Shares known to be zero (v_{c+2}, and w except at c+1 and c+2) are not transposed. */
      size_t pw = 64 * jc_rss3_nwords (n);
      if (role == 2)
        memset (v0, 0, pw * 8);
      else
        jc_rss3_words_to_planes (t0, n, 64, v0);
      if (role == 1)
        memset (v1, 0, pw * 8);
      else
        jc_rss3_words_to_planes (t1, n, 64, v1);
      u64 *w = t1;
      if (role == 1)
        memcpy (w, a->s1, n * sizeof (u64));
      else if (role == 2)
        memcpy (w, a->s0, n * sizeof (u64));
      if (neg_w && role != 0)
        for (size_t e = 0; e < n; e++)
          w[e] = -w[e];
      if (role == 2)
        jc_rss3_words_to_planes (w, n, 64, w0);
      else
        memset (w0, 0, pw * 8);
      if (role == 1)
        jc_rss3_words_to_planes (w, n, 64, w1);
      else
        memset (w1, 0, pw * 8);
    }
  jc_rss3_scratch_put (ctx, t0);
  jc_rss3_scratch_put (ctx, t1);
  return ok;
}

/* ---- carry chain ------------------------------------------------------------------------ */

gboolean
jc_rss3_carry (JcRss3Ctx *ctx, unsigned K, size_t nw, const u64 *x0, const u64 *x1,
               const u64 *y0, const u64 *y1, u64 *out0, u64 *out1, u64 *outp0, u64 *outp1,
               GError **error)
{
  /* Generate/propagate pairs (g, p) per bit, then a balanced tree of the carry operator
   * (G, P) o (G', P') = (G ^ P & G', P & P') (Brent-Kung style, only the root): 3K ANDs,
   * ceil(log2 K) + 1 rounds. The lowest node needs its P only when the caller wants the
   * propagate bit of the whole range (outp0/outp1 not NULL). */
  g_return_val_if_fail (K >= 1, FALSE);
  size_t pw = (size_t) K * nw;
  u64 *G0 = jc_rss3_scratch (ctx, pw), *G1 = jc_rss3_scratch (ctx, pw);
  u64 *P0 = jc_rss3_scratch (ctx, pw), *P1 = jc_rss3_scratch (ctx, pw);
  for (size_t k = 0; k < pw; k++)
    {
      P0[k] = x0[k] ^ y0[k];
      P1[k] = x1[k] ^ y1[k];
    }
  gboolean ok = jc_rss3_and_raw (ctx, pw, x0, x1, y0, y1, G0, G1, error);
  unsigned m = K, tstart = outp0 ? 0 : 1;
  u64 **a0 = g_new (u64 *, 2 * K), **a1 = g_new (u64 *, 2 * K);
  u64 **b0 = g_new (u64 *, 2 * K), **b1 = g_new (u64 *, 2 * K);
  u64 *Z0 = jc_rss3_scratch (ctx, pw), *Z1 = jc_rss3_scratch (ctx, pw);
  while (ok && m > 1)
    {
      unsigned pairs = m / 2, cnt = 0;
      for (unsigned t = 0; t < pairs; t++)
        {
          unsigned lo = 2 * t, hi = 2 * t + 1;
          a0[cnt] = P0 + hi * nw; a1[cnt] = P1 + hi * nw;
          b0[cnt] = G0 + lo * nw; b1[cnt] = G1 + lo * nw;
          cnt++;
        }
      for (unsigned t = tstart; t < pairs; t++)
        {
          unsigned lo = 2 * t, hi = 2 * t + 1;
          a0[cnt] = P0 + hi * nw; a1[cnt] = P1 + hi * nw;
          b0[cnt] = P0 + lo * nw; b1[cnt] = P1 + lo * nw;
          cnt++;
        }
      ok = jc_rss3_and_planes (ctx, cnt, nw, a0, a1, b0, b1, Z0, Z1, error);
      if (!ok)
        break;
      for (unsigned t = 0; t < pairs; t++)
        {
          unsigned hi = 2 * t + 1;
          for (size_t k = 0; k < nw; k++)
            {
              G0[t * nw + k] = G0[hi * nw + k] ^ Z0[t * nw + k];
              G1[t * nw + k] = G1[hi * nw + k] ^ Z1[t * nw + k];
            }
          if (t >= tstart)
            {
              memcpy (P0 + t * nw, Z0 + (pairs + t - tstart) * nw, nw * sizeof (u64));
              memcpy (P1 + t * nw, Z1 + (pairs + t - tstart) * nw, nw * sizeof (u64));
            }
        }
      if (m % 2)
        {
          memmove (G0 + pairs * nw, G0 + (m - 1) * nw, nw * sizeof (u64));
          memmove (G1 + pairs * nw, G1 + (m - 1) * nw, nw * sizeof (u64));
          memmove (P0 + pairs * nw, P0 + (m - 1) * nw, nw * sizeof (u64));
          memmove (P1 + pairs * nw, P1 + (m - 1) * nw, nw * sizeof (u64));
        }
      m = pairs + m % 2;
    }
  if (ok && nw)
    {
      memcpy (out0, G0, nw * sizeof (u64));
      memcpy (out1, G1, nw * sizeof (u64));
      if (outp0)
        {
          memcpy (outp0, P0, nw * sizeof (u64));
          memcpy (outp1, P1, nw * sizeof (u64));
        }
    }
  g_free (a0);
  g_free (a1);
  g_free (b0);
  g_free (b1);
  jc_rss3_scratch_put (ctx, Z0);
  jc_rss3_scratch_put (ctx, Z1);
  jc_rss3_scratch_put (ctx, G0);
  jc_rss3_scratch_put (ctx, G1);
  jc_rss3_scratch_put (ctx, P0);
  jc_rss3_scratch_put (ctx, P1);
  return ok;
}

/* ---- comparisons ------------------------------------------------------------------------ */

static gboolean
msb_raw (JcRss3Ctx *ctx, const JcRss3AVec *a, u64 *o0, u64 *o1, GError **error)
{
  size_t n = a->n, nw = jc_rss3_nwords (n);
  u64 *buf = jc_rss3_scratch (ctx, 4 * 64 * nw + 1);
  u64 *v0 = buf, *v1 = buf + 64 * nw, *w0 = buf + 128 * nw, *w1 = buf + 192 * nw;
  gboolean ok = jc_rss3_split_bool (ctx, a, FALSE, v0, v1, w0, w1, error) &&
                jc_rss3_carry (ctx, 63, nw, v0, v1, w0, w1, o0, o1, NULL, NULL, error);
  if (ok)
    for (size_t k = 0; k < nw; k++)
      {
        o0[k] ^= v0[63 * nw + k] ^ w0[63 * nw + k];
        o1[k] ^= v1[63 * nw + k] ^ w1[63 * nw + k];
      }
  jc_rss3_scratch_put (ctx, buf);
  return ok;
}

gboolean
jc_rss3_msb (JcRss3Ctx *ctx, const JcRss3AVec *a, JcRss3BVec *out, GError **error)
{
  g_return_val_if_fail (out->n == a->n && out->bits == 1, FALSE);
  return msb_raw (ctx, a, out->s0, out->s1, error);
}

typedef gboolean (*DifferenceTest) (JcRss3Ctx *ctx, const JcRss3AVec *d, JcRss3BVec *out,
                                    GError **error);

/* out = TEST (a - b): a comparison through the difference of its operands. */
static gboolean
test_difference (JcRss3Ctx *ctx, const JcRss3AVec *a, const JcRss3AVec *b, DifferenceTest test,
                 JcRss3BVec *out, GError **error)
{
  JcRss3AVec d = jc_rss3_tmp_avec (ctx, a->n);
  jc_rss3_sub (ctx, a, b, &d);
  gboolean ok = test (ctx, &d, out, error);
  jc_rss3_tmp_avec_put (ctx, &d);
  return ok;
}

gboolean
jc_rss3_lt (JcRss3Ctx *ctx, const JcRss3AVec *a, const JcRss3AVec *b, JcRss3BVec *out,
            GError **error)
{
  return test_difference (ctx, a, b, jc_rss3_msb, out, error);
}

gboolean
jc_rss3_le (JcRss3Ctx *ctx, const JcRss3AVec *a, const JcRss3AVec *b, JcRss3BVec *out,
            GError **error)
{
  if (!jc_rss3_lt (ctx, b, a, out, error))
    return FALSE;
  jc_rss3_bnot (ctx, out, out);
  return TRUE;
}

gboolean
jc_rss3_lt_full (JcRss3Ctx *ctx, const JcRss3AVec *a, const JcRss3AVec *b, JcRss3BVec *out,
                 GError **error)
{
  /* Signed a < b is msb(a-b) XOR overflow, overflow = (msb a != msb b) & (msb(a-b) != msb a). */
  size_t n = a->n, nw = jc_rss3_nwords (n);
  g_autoptr (JcRss3AVec) t = jc_rss3_avec_new (3 * n);
  if (n)
    {
      memcpy (t->s0, a->s0, n * 8); memcpy (t->s1, a->s1, n * 8);
      memcpy (t->s0 + n, b->s0, n * 8); memcpy (t->s1 + n, b->s1, n * 8);
    }
  for (size_t e = 0; e < n; e++)
    {
      t->s0[2 * n + e] = a->s0[e] - b->s0[e];
      t->s1[2 * n + e] = a->s1[e] - b->s1[e];
    }
  g_autoptr (JcRss3BVec) m = jc_rss3_bvec_new (3 * n, 1);
  if (!jc_rss3_msb (ctx, t, m, error))
    return FALSE;
  u64 *bits = jc_rss3_scratch (ctx, 3 * n);
  u64 *pl = jc_rss3_scratch (ctx, 6 * nw + 1);   /* ma, mb, md for s0 then s1 */
  for (int s = 0; s < 2; s++)
    {
      plane_to_bits (s ? m->s1 : m->s0, 3 * n, bits);
      for (int part = 0; part < 3; part++)
        bits_to_plane (bits + part * n, n, pl + (s * 3 + part) * nw);
    }
  jc_rss3_scratch_put (ctx, bits);
  u64 *ma0 = pl, *mb0 = pl + nw, *md0 = pl + 2 * nw, *ma1 = pl + 3 * nw, *mb1 = pl + 4 * nw,
      *md1 = pl + 5 * nw;
  u64 *x0 = jc_rss3_scratch (ctx, 4 * nw + 1), *x1 = x0 + nw, *y0 = x0 + 2 * nw, *y1 = x0 + 3 * nw;
  for (size_t k = 0; k < nw; k++)
    {
      x0[k] = ma0[k] ^ mb0[k]; x1[k] = ma1[k] ^ mb1[k];
      y0[k] = md0[k] ^ ma0[k]; y1[k] = md1[k] ^ ma1[k];
    }
  gboolean ok = jc_rss3_and_raw (ctx, nw, x0, x1, y0, y1, out->s0, out->s1, error);
  if (ok)
    for (size_t k = 0; k < nw; k++)
      {
        out->s0[k] ^= md0[k];
        out->s1[k] ^= md1[k];
      }
  jc_rss3_scratch_put (ctx, x0);
  jc_rss3_scratch_put (ctx, pl);
  return ok;
}

/* AND of all K planes of (a0, a1) into one plane; ceil(log2 K) rounds. Destroys a. */
static gboolean
and_tree (JcRss3Ctx *ctx, unsigned K, size_t nw, u64 *a0, u64 *a1, u64 *o0, u64 *o1,
          GError **error)
{
  unsigned m = K;
  gboolean ok = TRUE;
  while (ok && m > 1)
    {
      unsigned pairs = m / 2;
      u64 *z0 = jc_rss3_scratch (ctx, pairs * nw + 1), *z1 = jc_rss3_scratch (ctx, pairs * nw + 1);
      /* planes [0, pairs) AND planes [pairs, 2*pairs) */
      ok = jc_rss3_and_raw (ctx, pairs * nw, a0, a1, a0 + pairs * nw, a1 + pairs * nw, z0, z1,
                            error);
      if (ok)
        {
          if (m % 2)
            {
              memmove (a0 + pairs * nw, a0 + (m - 1) * nw, nw * 8);
              memmove (a1 + pairs * nw, a1 + (m - 1) * nw, nw * 8);
            }
          memcpy (a0, z0, pairs * nw * 8);
          memcpy (a1, z1, pairs * nw * 8);
        }
      jc_rss3_scratch_put (ctx, z0);
      jc_rss3_scratch_put (ctx, z1);
      m = pairs + m % 2;
    }
  if (ok && nw)
    {
      memcpy (o0, a0, nw * 8);
      memcpy (o1, a1, nw * 8);
    }
  return ok;
}

gboolean
jc_rss3_eqz (JcRss3Ctx *ctx, const JcRss3AVec *a, JcRss3BVec *out, GError **error)
{
  /* a == 0 iff v == -w bitwise: AND over the 64 planes of NOT (v ^ -w). */
  g_return_val_if_fail (out->n == a->n && out->bits == 1, FALSE);
  size_t n = a->n, nw = jc_rss3_nwords (n);
  u64 *buf = jc_rss3_scratch (ctx, 4 * 64 * nw + 1);
  u64 *v0 = buf, *v1 = buf + 64 * nw, *w0 = buf + 128 * nw, *w1 = buf + 192 * nw;
  gboolean ok = jc_rss3_split_bool (ctx, a, TRUE, v0, v1, w0, w1, error);
  if (ok)
    {
      for (size_t k = 0; k < 64 * nw; k++)
        {
          v0[k] ^= w0[k];
          v1[k] ^= w1[k];
        }
      not_planes (ctx, 64 * nw, v0, v1, v0, v1);
      ok = and_tree (ctx, 64, nw, v0, v1, out->s0, out->s1, error);
    }
  jc_rss3_scratch_put (ctx, buf);
  return ok;
}

gboolean
jc_rss3_eq (JcRss3Ctx *ctx, const JcRss3AVec *a, const JcRss3AVec *b, JcRss3BVec *out,
            GError **error)
{
  return test_difference (ctx, a, b, jc_rss3_eqz, out, error);
}

/* ---- comparisons of boolean-shared values ---------------------------------------------- */

gboolean
jc_rss3_blt (JcRss3Ctx *ctx, const JcRss3BVec *a, const JcRss3BVec *b, JcRss3BVec *out,
             GError **error)
{
  /* unsigned a < b iff ~a + b carries out of K bits: the carry tree of the MSB */
  g_return_val_if_fail (a->n == b->n && a->bits == b->bits && a->bits <= 64, FALSE);
  g_return_val_if_fail (out->n == a->n && out->bits == 1, FALSE);
  size_t pw = (size_t) a->bits * a->nwords;
  u64 *n0 = jc_rss3_scratch (ctx, 2 * pw + 1), *n1 = n0 + pw;
  not_planes (ctx, pw, a->s0, a->s1, n0, n1);
  gboolean ok = jc_rss3_carry (ctx, a->bits, a->nwords, n0, n1, b->s0, b->s1, out->s0, out->s1,
                               NULL, NULL, error);
  jc_rss3_scratch_put (ctx, n0);
  return ok;
}

gboolean
jc_rss3_beq (JcRss3Ctx *ctx, const JcRss3BVec *a, const JcRss3BVec *b, JcRss3BVec *out,
             GError **error)
{
  /* AND over the planes of NOT (a ^ b) */
  g_return_val_if_fail (a->n == b->n && a->bits == b->bits, FALSE);
  g_return_val_if_fail (out->n == a->n && out->bits == 1, FALSE);
  size_t pw = (size_t) a->bits * a->nwords;
  u64 *t0 = jc_rss3_scratch (ctx, 2 * pw + 1), *t1 = t0 + pw;
  for (size_t k = 0; k < pw; k++)
    {
      t0[k] = a->s0[k] ^ b->s0[k];
      t1[k] = a->s1[k] ^ b->s1[k];
    }
  not_planes (ctx, pw, t0, t1, t0, t1);
  gboolean ok = and_tree (ctx, a->bits, a->nwords, t0, t1, out->s0, out->s1, error);
  jc_rss3_scratch_put (ctx, t0);
  return ok;
}

/* ---- several comparisons in the same rounds --------------------------------------------- */

/* The differences a[i] - b[i] laid end to end, each column padded to whole words so that
 * its result plane starts at a word boundary; one MSB or zero test for all of them. */
static gboolean
compare_many (JcRss3Ctx *ctx, size_t k, const JcRss3AVec *const *a,
              const JcRss3AVec *const *b, JcRss3BVec *const *out, gboolean equality,
              GError **error)
{
  size_t total = 0;
  for (size_t i = 0; i < k; i++)
    {
      g_return_val_if_fail (a[i]->n == b[i]->n && out[i]->n == a[i]->n && out[i]->bits == 1,
                            FALSE);
      total += 64 * jc_rss3_nwords (a[i]->n);
    }
  JcRss3AVec d = jc_rss3_tmp_avec (ctx, total);
  size_t off = 0;
  for (size_t i = 0; i < k; i++)
    {
      size_t n = a[i]->n, pad = 64 * jc_rss3_nwords (n);
      for (size_t e = 0; e < n; e++)
        {
          d.s0[off + e] = a[i]->s0[e] - b[i]->s0[e];
          d.s1[off + e] = a[i]->s1[e] - b[i]->s1[e];
        }
      memset (d.s0 + off + n, 0, (pad - n) * 8);
      memset (d.s1 + off + n, 0, (pad - n) * 8);
      off += pad;
    }
  JcRss3BVec r = { total, 1, jc_rss3_nwords (total), jc_rss3_scratch (ctx, total / 64 + 1),
                   jc_rss3_scratch (ctx, total / 64 + 1) };
  gboolean ok = equality ? jc_rss3_eqz (ctx, &d, &r, error) : jc_rss3_msb (ctx, &d, &r, error);
  off = 0;
  for (size_t i = 0; ok && i < k; i++)
    {
      size_t nw = out[i]->nwords;
      memcpy (out[i]->s0, r.s0 + off, nw * 8);
      memcpy (out[i]->s1, r.s1 + off, nw * 8);
      off += nw;
    }
  jc_rss3_scratch_put (ctx, r.s0);
  jc_rss3_scratch_put (ctx, r.s1);
  jc_rss3_tmp_avec_put (ctx, &d);
  return ok;
}

gboolean
jc_rss3_lt_many (JcRss3Ctx *ctx, size_t k, const JcRss3AVec *const *a,
                 const JcRss3AVec *const *b, JcRss3BVec *const *out, GError **error)
{
  return compare_many (ctx, k, a, b, out, FALSE, error);
}

gboolean
jc_rss3_eq_many (JcRss3Ctx *ctx, size_t k, const JcRss3AVec *const *a,
                 const JcRss3AVec *const *b, JcRss3BVec *const *out, GError **error)
{
  return compare_many (ctx, k, a, b, out, TRUE, error);
}

/* ---- conversions ------------------------------------------------------------------------ */

/* o = v + w (+ 1 when cin) over 64 bit planes, with a Kogge-Stone prefix of the carry
 * operator (Kogge, Stone, IEEE Trans. Computers 1973): 1 + 6 rounds. A carry-in of 1 is
 * folded into bit 0's generate bit (g_0 | p_0 = g_0 ^ p_0). o must not alias v or w. */
static gboolean
add_planes (JcRss3Ctx *ctx, size_t nw, const u64 *v0, const u64 *v1, const u64 *w0,
            const u64 *w1, gboolean cin, u64 *o0, u64 *o1, GError **error)
{
  size_t pw = 64 * nw;
  u64 *buf = jc_rss3_scratch (ctx, 4 * pw + 1);
  u64 *G0 = buf, *G1 = buf + pw, *P0 = buf + 2 * pw, *P1 = buf + 3 * pw;
  gboolean ok = jc_rss3_and_raw (ctx, pw, v0, v1, w0, w1, G0, G1, error);
  for (size_t k = 0; ok && k < pw; k++)
    {
      P0[k] = v0[k] ^ w0[k];
      P1[k] = v1[k] ^ w1[k];
    }
  if (ok && cin)
    for (size_t k = 0; k < nw; k++)
      {
        G0[k] ^= P0[k];
        G1[k] ^= P1[k];
      }
  u64 **xa0 = g_new (u64 *, 128), **xa1 = g_new (u64 *, 128);
  u64 **xb0 = g_new (u64 *, 128), **xb1 = g_new (u64 *, 128);
  u64 *Z0 = jc_rss3_scratch (ctx, 128 * nw + 1), *Z1 = jc_rss3_scratch (ctx, 128 * nw + 1);
  for (unsigned d = 1; ok && d < 64; d *= 2)
    {
      /* bit j (d <= j <= 62) absorbs the group ending at j-d */
      unsigned cnt = 0, ng;
      for (unsigned j = d; j <= 62; j++, cnt++)
        {
          xa0[cnt] = P0 + j * nw; xa1[cnt] = P1 + j * nw;
          xb0[cnt] = G0 + (j - d) * nw; xb1[cnt] = G1 + (j - d) * nw;
        }
      ng = cnt;
      for (unsigned j = 2 * d; j <= 62; j++, cnt++)   /* P only while the group misses bit 0 */
        {
          xa0[cnt] = P0 + j * nw; xa1[cnt] = P1 + j * nw;
          xb0[cnt] = P0 + (j - d) * nw; xb1[cnt] = P1 + (j - d) * nw;
        }
      ok = jc_rss3_and_planes (ctx, cnt, nw, xa0, xa1, xb0, xb1, Z0, Z1, error);
      if (!ok)
        break;
      for (unsigned c = 0; c < ng; c++)
        {
          unsigned j = d + c;
          for (size_t k = 0; k < nw; k++)
            {
              G0[j * nw + k] ^= Z0[c * nw + k];
              G1[j * nw + k] ^= Z1[c * nw + k];
            }
        }
      for (unsigned c = ng; c < cnt; c++)
        {
          unsigned j = 2 * d + (c - ng);
          memcpy (P0 + j * nw, Z0 + c * nw, nw * 8);
          memcpy (P1 + j * nw, Z1 + c * nw, nw * 8);
        }
    }
  if (ok)
    {
      /* sum bit j = v_j ^ w_j ^ carry into j (G_{j-1}; the carry-in for bit 0) */
      u64 c0 = cin && ctx->party == 0 ? ~0ULL : 0, c1 = cin && ctx->party == 2 ? ~0ULL : 0;
      for (unsigned j = 0; j < 64; j++)
        for (size_t k = 0; k < nw; k++)
          {
            u64 g0 = j ? G0[(j - 1) * nw + k] : c0, g1 = j ? G1[(j - 1) * nw + k] : c1;
            o0[j * nw + k] = v0[j * nw + k] ^ w0[j * nw + k] ^ g0;
            o1[j * nw + k] = v1[j * nw + k] ^ w1[j * nw + k] ^ g1;
          }
    }
  g_free (xa0); g_free (xa1); g_free (xb0); g_free (xb1);
  jc_rss3_scratch_put (ctx, Z0);
  jc_rss3_scratch_put (ctx, Z1);
  jc_rss3_scratch_put (ctx, buf);
  return ok;
}

gboolean
jc_rss3_a2b (JcRss3Ctx *ctx, const JcRss3AVec *a, JcRss3BVec *out, GError **error)
{
  /* a = v + w (local conversion), then a boolean adder */
  g_return_val_if_fail (out->n == a->n && out->bits == 64, FALSE);
  size_t n = a->n, nw = jc_rss3_nwords (n), pw = 64 * nw;
  u64 *buf = jc_rss3_scratch (ctx, 4 * pw + 1);
  u64 *v0 = buf, *v1 = buf + pw, *w0 = buf + 2 * pw, *w1 = buf + 3 * pw;
  gboolean ok = jc_rss3_split_bool (ctx, a, FALSE, v0, v1, w0, w1, error) &&
                add_planes (ctx, nw, v0, v1, w0, w1, FALSE, out->s0, out->s1, error);
  jc_rss3_scratch_put (ctx, buf);
  return ok;
}

gboolean
jc_rss3_b2a_bits (JcRss3Ctx *ctx, size_t m, const u64 *b0, const u64 *b1, u64 *o0, u64 *o1,
                  GError **error)
{
  /* b = u ^ w with u = b_c ^ b_{c+1} known to party c (shared arithmetically with one
   * message) and w = b_{c+2} known to c+1 and c+2; as integers u ^ w = u + w - 2uw. */
  unsigned role = jc_rss3_next_role (ctx);
  u64 *u = NULL;
  if (role == 0)
    {
      u = jc_rss3_scratch (ctx, m);
      for (size_t e = 0; e < m; e++)
        u[e] = (b0[e] ^ b1[e]) & 1;
    }
  u64 *buf = jc_rss3_scratch (ctx, 4 * m + 1);
  u64 *x0 = buf, *x1 = buf + m, *w0 = buf + 2 * m, *w1 = buf + 3 * m;
  gboolean ok = jc_rss3_share_from_role (ctx, role, u, m, 0, x0, x1, error);
  jc_rss3_scratch_put (ctx, u);
  for (size_t e = 0; ok && e < m; e++)
    {
      w0[e] = role == 2 ? (b0[e] & 1) : 0;
      w1[e] = role == 1 ? (b1[e] & 1) : 0;
    }
  if (ok)
    ok = jc_rss3_mul_raw (ctx, m, x0, x1, w0, w1, o0, o1, error);
  for (size_t e = 0; ok && e < m; e++)
    {
      o0[e] = x0[e] + w0[e] - 2 * o0[e];
      o1[e] = x1[e] + w1[e] - 2 * o1[e];
    }
  jc_rss3_scratch_put (ctx, buf);
  return ok;
}

/* B2A of a multi-bit value with one boolean subtractor: the arithmetic shares y_{c+1},
 * y_{c+2} are drawn from the keys of their holders; party c+1 knows both and reshares
 * s = y_{c+1} + y_{c+2} as a boolean value; y_c = x - s is computed by the subtractor and
 * opened to its two holders, c and c+2. Each of them lacks one of y_{c+1}, y_{c+2}, so y_c
 * is uniform to it. 9 rounds, ~85 bytes (ABY3, section 5.3, with the random side known to
 * one party). */
static gboolean
b2a_adder (JcRss3Ctx *ctx, const JcRss3BVec *b, JcRss3AVec *out, GError **error)
{
  size_t n = b->n, nw = b->nwords, pw = 64 * nw;
  unsigned r = jc_rss3_next_role (ctx);
  u64 *ya = jc_rss3_scratch (ctx, n + 1), *yb = jc_rss3_scratch (ctx, n + 1);
  u64 *sv = NULL;
  if (r == 0)
    jc_rss3_prf (ctx, JC_RSS3_NEXT, yb, n * 8);          /* y_{c+1} */
  else if (r == 1)
    {
      jc_rss3_prf (ctx, JC_RSS3_PREV, ya, n * 8);        /* y_{c+1} */
      jc_rss3_prf (ctx, JC_RSS3_NEXT, yb, n * 8);        /* y_{c+2} */
      sv = jc_rss3_scratch (ctx, n + 1);
      for (size_t e = 0; e < n; e++)
        sv[e] = ya[e] + yb[e];
    }
  else
    jc_rss3_prf (ctx, JC_RSS3_PREV, ya, n * 8);          /* y_{c+2} */
  u64 *t0 = jc_rss3_scratch (ctx, n + 1), *t1 = jc_rss3_scratch (ctx, n + 1);
  u64 *pl = jc_rss3_scratch (ctx, 6 * pw + 1);
  u64 *X0 = pl, *X1 = pl + pw, *S0 = pl + 2 * pw, *S1 = pl + 3 * pw, *D0 = pl + 4 * pw,
      *D1 = pl + 5 * pw;
  gboolean ok = jc_rss3_share_from_role (ctx, (r + 2) % 3, sv, n, n, t0, t1, error);
  jc_rss3_scratch_put (ctx, sv);
  if (ok)
    {
      jc_rss3_words_to_planes (t0, n, 64, S0);
      jc_rss3_words_to_planes (t1, n, 64, S1);
      not_planes (ctx, pw, S0, S1, S0, S1);
      size_t kw = (size_t) b->bits * nw;
      memcpy (X0, b->s0, kw * 8);
      memcpy (X1, b->s1, kw * 8);
      memset (X0 + kw, 0, (pw - kw) * 8);
      memset (X1 + kw, 0, (pw - kw) * 8);
      /* x - s = x + ~s + 1 */
      ok = add_planes (ctx, nw, X0, X1, S0, S1, TRUE, D0, D1, error);
    }
  if (ok)
    {
      /* open y_c to c (from c+1) and to c+2 (from c) */
      u64 *rbuf = jc_rss3_scratch (ctx, pw + 1);
      if (r == 0 || r == 1)
        jc_rss3_net_send (ctx, ctx->prev, D1, pw * 8);
      if (r == 0 || r == 2)
        ok = jc_rss3_net_recv (ctx, ctx->next, rbuf, pw * 8, error);
      ok = jc_rss3_net_round_end (ctx, ok ? error : NULL) && ok;
      if (ok && r != 1)
        {
          for (size_t k = 0; k < pw; k++)
            rbuf[k] ^= D0[k] ^ D1[k];
          jc_rss3_planes_to_words (rbuf, n, 64, t0);   /* y_c */
        }
      jc_rss3_scratch_put (ctx, rbuf);
    }
  if (ok && n)
    {
      if (r == 0)
        {
          memcpy (out->s0, t0, n * 8);
          memcpy (out->s1, yb, n * 8);
        }
      else if (r == 1)
        {
          memcpy (out->s0, ya, n * 8);
          memcpy (out->s1, yb, n * 8);
        }
      else
        {
          memcpy (out->s0, ya, n * 8);
          memcpy (out->s1, t0, n * 8);
        }
    }
  jc_rss3_scratch_put (ctx, ya);
  jc_rss3_scratch_put (ctx, yb);
  jc_rss3_scratch_put (ctx, t0);
  jc_rss3_scratch_put (ctx, t1);
  jc_rss3_scratch_put (ctx, pl);
  return ok;
}

gboolean
jc_rss3_b2a (JcRss3Ctx *ctx, const JcRss3BVec *b, JcRss3AVec *out, GError **error)
{
  g_return_val_if_fail (out->n == b->n && b->bits <= 64, FALSE);
  if (b->bits >= 8)   /* one subtractor is cheaper than a conversion per bit */
    return b2a_adder (ctx, b, out, error);
  size_t n = b->n, K = b->bits, m = n * K;
  u64 *buf = jc_rss3_scratch (ctx, 4 * m + 1);
  u64 *t0 = buf, *t1 = buf + m, *r0 = buf + 2 * m, *r1 = buf + 3 * m;
  for (size_t j = 0; j < K; j++)
    {
      plane_to_bits (b->s0 + j * b->nwords, n, t0 + j * n);
      plane_to_bits (b->s1 + j * b->nwords, n, t1 + j * n);
    }
  gboolean ok = jc_rss3_b2a_bits (ctx, m, t0, t1, r0, r1, error);
  if (ok)
    for (size_t e = 0; e < n; e++)
      {
        u64 a0 = 0, a1 = 0;
        for (size_t j = 0; j < K; j++)
          {
            a0 += r0[j * n + e] << j;
            a1 += r1[j * n + e] << j;
          }
        out->s0[e] = a0;
        out->s1[e] = a1;
      }
  jc_rss3_scratch_put (ctx, buf);
  return ok;
}
