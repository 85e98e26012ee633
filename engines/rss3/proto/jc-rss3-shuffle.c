#define G_LOG_DOMAIN "joconde-rss3"
#include "config.h"

#include "jc-rss3-private.h"

#include <string.h>

/* ---- shuffle ---------------------------------------------------------------------------- */

/* A permutation drawn from the PRF stream `which` (Fisher-Yates; the index is reduced by a
 * 64x64->128 multiplication, bias below n/2^64). */
static guint32 *
prf_permutation (JcRss3Ctx *ctx, int which, size_t n)
{
  guint32 *perm = g_new (guint32, n ? n : 1);
  for (size_t i = 0; i < n; i++)
    perm[i] = (guint32) i;
  if (n < 2)
    return perm;
  u64 *r = jc_rss3_scratch (ctx, n);
  jc_rss3_prf (ctx, which, r, n * sizeof (u64));
  for (size_t i = n - 1; i > 0; i--)
    {
      size_t j = (size_t) (((unsigned __int128) r[i] * (i + 1)) >> 64);
      guint32 t = perm[i];
      perm[i] = perm[j];
      perm[j] = t;
    }
  jc_rss3_scratch_put (ctx, r);
  return perm;
}

gboolean
jc_rss3_shuffle_mixed (JcRss3Ctx *ctx, size_t na, JcRss3AVec *const *acols, size_t nx,
                       JcRss3AVec *const *xcols, GError **error)
{
  /* Three passes; in pass p the pair (p, p+1) knows the permutation pi_p and the third party
   * does not, so the composition is hidden from every single party. In a pass the pair holds
   * a 2-out-of-2 sharing A = x_p + x_{p+1} (party p), B = x_{p+2} (party p+1), masks it with
   * a common r, permutes it locally and reshares: y_{p+1} = R (common), y_p = pi(A + r) - R,
   * y_{p+2} = pi(B - r), the last two sent to the third party, which sees uniform words.
   * (The resharing-based shuffle of Laur, Willemson, Zhang, ISC 2011, in its 3-party form.) */
  size_t k = na + nx;
  size_t n = k ? (na ? acols[0]->n : xcols[0]->n) : 0;
  g_return_val_if_fail (n < G_MAXUINT32, FALSE);
  if (k == 0 || n == 0)
    return TRUE;
  u64 *msg = jc_rss3_scratch (ctx, k * n), *msg2 = jc_rss3_scratch (ctx, k * n), *tmp = jc_rss3_scratch (ctx, n);
  u64 *r = jc_rss3_scratch (ctx, n), *R = jc_rss3_scratch (ctx, n);
  gboolean ok = TRUE;
  for (unsigned p = 0; ok && p < 3; p++)
    {
      unsigned role = (ctx->party + 3 - p) % 3;
      if (role == 2)
        {
          /* y_{p+2} from party p+1 (our prev), y_p from party p (our next) */
          if (!jc_rss3_net_recv (ctx, ctx->prev, msg, k * n * 8, error) ||
              !jc_rss3_net_recv (ctx, ctx->next, msg2, k * n * 8, error))
            {
              jc_rss3_net_round_end (ctx, NULL);
              ok = FALSE;
              break;
            }
          for (size_t c = 0; c < k; c++)
            {
              JcRss3AVec *v = c < na ? acols[c] : xcols[c - na];
              memcpy (v->s0, msg + c * n, n * 8);
              memcpy (v->s1, msg2 + c * n, n * 8);
            }
          ok = jc_rss3_net_round_end (ctx, error);
          continue;
        }
      int which = role == 0 ? JC_RSS3_NEXT : JC_RSS3_PREV;
      guint32 *perm = prf_permutation (ctx, which, n);
      for (size_t c = 0; c < k; c++)
        {
          JcRss3AVec *v = c < na ? acols[c] : xcols[c - na];
          gboolean x = c >= na;
          jc_rss3_prf (ctx, which, r, n * 8);
          jc_rss3_prf (ctx, which, R, n * 8);
          u64 *out = msg + c * n;
          if (role == 0)
            {
              for (size_t e = 0; e < n; e++)
                tmp[e] = x ? (v->s0[e] ^ v->s1[e] ^ r[e]) : v->s0[e] + v->s1[e] + r[e];
              for (size_t e = 0; e < n; e++)
                out[e] = x ? tmp[perm[e]] ^ R[e] : tmp[perm[e]] - R[e];
              memcpy (v->s0, out, n * 8);
              memcpy (v->s1, R, n * 8);
            }
          else
            {
              for (size_t e = 0; e < n; e++)
                tmp[e] = x ? v->s1[e] ^ r[e] : v->s1[e] - r[e];
              for (size_t e = 0; e < n; e++)
                out[e] = tmp[perm[e]];
              memcpy (v->s0, R, n * 8);
              memcpy (v->s1, out, n * 8);
            }
        }
      jc_rss3_scratch_put (ctx, perm);
      jc_rss3_net_send (ctx, role == 0 ? ctx->prev : ctx->next, msg, k * n * 8);
      ok = jc_rss3_net_round_end (ctx, error);
    }
  jc_rss3_scratch_put (ctx, msg);
  jc_rss3_scratch_put (ctx, msg2);
  jc_rss3_scratch_put (ctx, tmp);
  jc_rss3_scratch_put (ctx, r);
  jc_rss3_scratch_put (ctx, R);
  return ok;
}

gboolean
jc_rss3_shuffle (JcRss3Ctx *ctx, size_t k, JcRss3AVec *const *cols, GError **error)
{
  for (size_t c = 1; c < k; c++)
    g_return_val_if_fail (cols[c]->n == cols[0]->n, FALSE);
  return jc_rss3_shuffle_mixed (ctx, k, cols, 0, NULL, error);
}

/* ---- sort ------------------------------------------------------------------------------- */

typedef struct {
  size_t start, len;
} Segment;

/* x < y iff ~x + y carries out of K bits (2^K - 1 - x + y >= 2^K). */
/* The low L <= 32 planes of both shares from words packing them as s0 | s1 << 32: one
 * transposition for both shares. */
static void
packed_to_planes (const u64 *w, size_t M, unsigned L, u64 *P0, u64 *P1, gboolean repeated)
{
  size_t nw = jc_rss3_nwords (M);
  u64 t[64];
  for (size_t b = 0; b < nw; b++)
    {
      size_t cnt = MIN (64, M - b * 64);
      memcpy (t, w + b * 64, cnt * 8);
      if (cnt < 64)
        memset (t + cnt, 0, (64 - cnt) * 8);
      u64 diff = !repeated;
      for (unsigned i = 1; repeated && i < 64; i++)
        diff |= t[i] ^ t[0];
      if (diff == 0)   /* a repeated pivot */
        for (unsigned j = 0; j < L; j++)
          {
            P0[j * nw + b] = -((t[0] >> j) & 1);
            P1[j * nw + b] = -((t[0] >> (32 + j)) & 1);
          }
      else
        {
          jc_rss3_transpose64 (t);
          for (unsigned j = 0; j < L; j++)
            {
              P0[j * nw + b] = t[j];
              P1[j * nw + b] = t[32 + j];
            }
        }
    }
}

/* Revealed [x < y] for M pairs; x and y are K = L + H bit unsigned values given as a packed
 * low word (both shares of the L <= 32 low bits, see packed_to_planes; ignored when L = 0)
 * and a high word per share (H bits). */
static gboolean
compare_batch (JcRss3Ctx *ctx, size_t M, unsigned L, unsigned H, const u64 *xlo,
               const u64 *xhi0, const u64 *xhi1, const u64 *ylo, const u64 *yhi0,
               const u64 *yhi1, u64 *bits, GError **error)
{
  unsigned K = L + H;
  size_t nw = jc_rss3_nwords (M), pw = (size_t) K * nw;
  u64 *buf = jc_rss3_scratch (ctx, 4 * pw + 4 * nw + 1);
  u64 *X0 = buf, *X1 = buf + pw, *Y0 = buf + 2 * pw, *Y1 = buf + 3 * pw;
  u64 *c0 = buf + 4 * pw, *c1 = c0 + nw, *rv = c0 + 2 * nw;
  if (L > 0)
    {
      packed_to_planes (xlo, M, L, X0, X1, FALSE);
      packed_to_planes (ylo, M, L, Y0, Y1, TRUE);
    }
  jc_rss3_words_to_planes (xhi0, M, H, X0 + L * nw);
  jc_rss3_words_to_planes (xhi1, M, H, X1 + L * nw);
  jc_rss3_words_to_planes_rep (yhi0, M, H, Y0 + L * nw);
  jc_rss3_words_to_planes_rep (yhi1, M, H, Y1 + L * nw);
  u64 m0 = ctx->party == 0 ? ~0ULL : 0, m1 = ctx->party == 2 ? ~0ULL : 0;
  for (size_t k = 0; k < pw; k++)
    {
      X0[k] ^= m0;
      X1[k] ^= m1;
    }
  gboolean ok = jc_rss3_carry (ctx, K, nw, X0, X1, Y0, Y1, c0, c1, NULL, NULL, error) &&
                jc_rss3_ring (ctx, c1, rv, nw * 8, error);
  if (ok)
    for (size_t e = 0; e < M; e++)
      bits[e] = ((c0[e / 64] ^ c1[e / 64] ^ rv[e / 64]) >> (e % 64)) & 1;
  jc_rss3_scratch_put (ctx, buf);
  return ok;
}

#define MEDIAN_MIN_LEN 64

static void
swap_rec (u64 *rec, guint32 *id, size_t i, size_t j)
{
  u64 t[4];
  memcpy (t, rec + 4 * i, 32);
  memcpy (rec + 4 * i, rec + 4 * j, 32);
  memcpy (rec + 4 * j, t, 32);
  guint32 x = id[i];
  id[i] = id[j];
  id[j] = x;
}

/* Median-of-three pivots for the long segments: their first, middle and last element are
 * compared in one batch and the median is moved to the end, where the level takes its
 * pivot. Fewer comparisons overall (about 1.19 n log2 n instead of 1.39 n log2 n); the
 * outcomes are comparisons of shuffled distinct keys like all others. */
static gboolean
median_pivots (JcRss3Ctx *ctx, GArray *segs, u64 *rec, guint32 *id, unsigned L, unsigned H,
               u64 *w, size_t n, u64 *bits, GError **error)
{
  size_t M = 0;
  for (guint s = 0; s < segs->len; s++)
    {
      Segment sg = g_array_index (segs, Segment, s);
      if (sg.len < MEDIAN_MIN_LEN)
        continue;
      size_t a = sg.start, b = sg.start + sg.len / 2, c = sg.start + sg.len - 1;
      size_t px[3] = { a, b, a }, py[3] = { b, c, c };   /* a<b, b<c, a<c */
      for (int k = 0; k < 3; k++, M++)
        {
          const u64 *x = rec + 4 * px[k], *y = rec + 4 * py[k];
          w[M] = x[0]; w[n + M] = x[2]; w[2 * n + M] = x[3];
          w[3 * n + M] = y[0]; w[4 * n + M] = y[2]; w[5 * n + M] = y[3];
        }
    }
  if (M == 0)
    return TRUE;
  if (!compare_batch (ctx, M, L, H, w, w + n, w + 2 * n, w + 3 * n, w + 4 * n, w + 5 * n, bits,
                      error))
    return FALSE;
  M = 0;
  for (guint s = 0; s < segs->len; s++)
    {
      Segment sg = g_array_index (segs, Segment, s);
      if (sg.len < MEDIAN_MIN_LEN)
        continue;
      size_t a = sg.start, b = sg.start + sg.len / 2, c = sg.start + sg.len - 1;
      gboolean ab = bits[M] != 0, bc = bits[M + 1] != 0, ac = bits[M + 2] != 0;
      M += 3;
      size_t med;
      if (ab == bc)
        med = b;                       /* a < b < c or c < b < a */
      else if (ab)
        med = ac ? c : a;              /* b is the largest: the larger of a, c */
      else
        med = ac ? a : c;              /* b is the smallest: the smaller of a, c */
      if (med != c)
        swap_rec (rec, id, med, c);
    }
  return TRUE;
}

static unsigned
index_bits (size_t n)
{
  unsigned L = 1;
  while (L < 64 && ((size_t) 1 << L) < n)
    L++;
  return L;
}

gboolean
jc_rss3_sort (JcRss3Ctx *ctx, JcRss3AVec *key, unsigned key_bits, size_t k,
              JcRss3AVec *const *payload, GError **error)
{
  /* Shuffle, then quicksort with revealed comparisons (the approach of Hamada, Kikuchi,
   * Ikarashi, Chida, Takahashi, ICISC 2012). Ties are broken by the secret original position,
   * so every comparison outcome is a function of a uniformly random permutation only. All
   * comparisons of one quicksort level against their segment's pivot go in one batch. */
  g_return_val_if_fail (key_bits >= 1 && key_bits <= 64, FALSE);
  size_t n = key->n;
  for (size_t c = 0; c < k; c++)
    g_return_val_if_fail (payload[c]->n == n, FALSE);
  g_return_val_if_fail (n < G_MAXUINT32, FALSE);
  if (n < 2)
    return TRUE;
  unsigned L = index_bits (n), H = key_bits;

  /* Comparison words: hi = key bits with the sign bit flipped (signed -> unsigned order),
   * lo = original position (public, put into x_0). */
  g_autoptr (JcRss3BVec) kb = jc_rss3_bvec_new (n, 64);
  if (!jc_rss3_a2b (ctx, key, kb, error))
    return FALSE;
  g_autoptr (JcRss3AVec) hi = jc_rss3_avec_new (n);
  g_autoptr (JcRss3AVec) lo = jc_rss3_avec_new (n);
  jc_rss3_planes_to_words (kb->s0, n, 64, hi->s0);
  jc_rss3_planes_to_words (kb->s1, n, 64, hi->s1);
  u64 kmask = H == 64 ? ~0ULL : (1ULL << H) - 1, sign = 1ULL << (H - 1);
  /* When key and position fit in one word, hi = key << L | position and there is no lo
   * word: half the shuffle traffic and half the bit transpositions. */
  gboolean packed = H + L <= 64;
  for (size_t e = 0; e < n; e++)
    {
      hi->s0[e] = (hi->s0[e] & kmask) ^ (ctx->party == 0 ? sign : 0);
      hi->s1[e] = (hi->s1[e] & kmask) ^ (ctx->party == 2 ? sign : 0);
      lo->s0[e] = ctx->party == 0 ? e : 0;
      lo->s1[e] = ctx->party == 2 ? e : 0;
      if (packed)
        {
          hi->s0[e] = (hi->s0[e] << L) | lo->s0[e];
          hi->s1[e] = (hi->s1[e] << L) | lo->s1[e];
          lo->s0[e] = lo->s1[e] = 0;
        }
    }
  if (packed)
    {
      H += L;
      L = 0;
    }

  JcRss3AVec **acols = g_new (JcRss3AVec *, k + 1);
  acols[0] = key;
  for (size_t c = 0; c < k; c++)
    acols[c + 1] = payload[c];
  JcRss3AVec *xcols[2] = { hi, lo };
  gboolean ok = jc_rss3_shuffle_mixed (ctx, k + 1, acols, packed ? 1 : 2, xcols, error);

  /* The comparison words of every element as one 32-byte record (lo packed, unused, hi0,
   * hi1), kept in the current order with the element's index, so every level reads them
   * sequentially. */
  u64 *rec = jc_rss3_scratch (ctx, 4 * n), *trec = jc_rss3_scratch (ctx, 4 * n);
  guint32 *id = g_new (guint32, n), *tid = g_new (guint32, n);
  /* lo shares are cut to their L <= 32 bits (the shuffle left random high bits, shares of
   * zero) and packed into one word */
  u64 lmask = L >= 32 ? 0xFFFFFFFFULL : (1ULL << L) - 1;
  for (size_t e = 0; e < n; e++)
    {
      rec[4 * e] = (lo->s0[e] & lmask) | ((lo->s1[e] & lmask) << 32);
      rec[4 * e + 1] = 0;
      rec[4 * e + 2] = hi->s0[e]; rec[4 * e + 3] = hi->s1[e];
      id[e] = (guint32) e;
    }
  GArray *segs = g_array_new (FALSE, FALSE, sizeof (Segment));
  GArray *nsegs = g_array_new (FALSE, FALSE, sizeof (Segment));
  Segment all = { 0, n };
  g_array_append_val (segs, all);
  u64 *w = jc_rss3_scratch (ctx, 8 * n), *bits = jc_rss3_scratch (ctx, n);
  while (ok && segs->len > 0)
    {
      ok = median_pivots (ctx, segs, rec, id, L, H, w, n, bits, error);
      if (!ok)
        break;
      size_t M = 0;
      for (guint s = 0; s < segs->len; s++)
        {
          Segment sg = g_array_index (segs, Segment, s);
          const u64 *pv = rec + 4 * (sg.start + sg.len - 1);
          for (size_t i = 0; i + 1 < sg.len; i++, M++)
            {
              const u64 *el = rec + 4 * (sg.start + i);
              w[M] = el[0]; w[n + M] = el[2]; w[2 * n + M] = el[3];
              w[3 * n + M] = pv[0]; w[4 * n + M] = pv[2]; w[5 * n + M] = pv[3];
            }
        }
      ok = compare_batch (ctx, M, L, H, w, w + n, w + 2 * n, w + 3 * n, w + 4 * n, w + 5 * n,
                          bits, error);
      if (!ok)
        break;
      g_array_set_size (nsegs, 0);
      M = 0;
      for (guint s = 0; s < segs->len; s++)
        {
          Segment sg = g_array_index (segs, Segment, s);
          size_t nl = 0, nr = 0, last = sg.start + sg.len - 1;
          for (size_t i = 0; i + 1 < sg.len; i++)
            if (bits[M + i])
              {
                memcpy (trec + 4 * nl, rec + 4 * (sg.start + i), 32);
                tid[nl++] = id[sg.start + i];
              }
          size_t ls = nl;
          memcpy (trec + 4 * nl, rec + 4 * last, 32);
          tid[nl++] = id[last];
          for (size_t i = 0; i + 1 < sg.len; i++)
            if (!bits[M + i])
              {
                memcpy (trec + 4 * (nl + nr), rec + 4 * (sg.start + i), 32);
                tid[nl + nr++] = id[sg.start + i];
              }
          M += sg.len - 1;
          memcpy (rec + 4 * sg.start, trec, sg.len * 32);
          memcpy (id + sg.start, tid, sg.len * sizeof (guint32));
          if (ls > 1)
            g_array_append_val (nsegs, ((Segment) { sg.start, ls }));
          if (nr > 1)
            g_array_append_val (nsegs, ((Segment) { sg.start + ls + 1, nr }));
        }
      GArray *t = segs;
      segs = nsegs;
      nsegs = t;
    }
  if (ok)
    for (size_t c = 0; c < k + 1; c++)
      {
        JcRss3AVec *v = acols[c];
        for (size_t e = 0; e < n; e++)
          {
            w[e] = v->s0[id[e]];
            w[n + e] = v->s1[id[e]];
          }
        memcpy (v->s0, w, n * 8);
        memcpy (v->s1, w + n, n * 8);
      }
  jc_rss3_scratch_put (ctx, rec);
  jc_rss3_scratch_put (ctx, trec);
  jc_rss3_scratch_put (ctx, id);
  jc_rss3_scratch_put (ctx, tid);
  jc_rss3_scratch_put (ctx, w);
  jc_rss3_scratch_put (ctx, bits);
  g_array_unref (segs);
  g_array_unref (nsegs);
  jc_rss3_scratch_put (ctx, acols);
  return ok;
}
