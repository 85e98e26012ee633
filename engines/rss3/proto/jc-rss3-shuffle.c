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

/* Revealed [x < y] for M pairs of K-bit unsigned values given as two XOR-shared words per
 * element (lo: L bits, hi: K-L bits): x < y iff ~x + y carries out (2^K - 1 - x + y >= 2^K). */
static gboolean
compare_batch (JcRss3Ctx *ctx, size_t M, unsigned L, unsigned H, const u64 *xlo0,
               const u64 *xlo1, const u64 *xhi0, const u64 *xhi1, const u64 *ylo0,
               const u64 *ylo1, const u64 *yhi0, const u64 *yhi1, u64 *bits, GError **error)
{
  unsigned K = L + H;
  size_t nw = jc_rss3_nwords (M), pw = (size_t) K * nw;
  u64 *buf = jc_rss3_scratch (ctx, 4 * pw + 4 * nw + 1);
  u64 *X0 = buf, *X1 = buf + pw, *Y0 = buf + 2 * pw, *Y1 = buf + 3 * pw;
  u64 *c0 = buf + 4 * pw, *c1 = c0 + nw, *rv = c0 + 2 * nw;
  if (L > 0)
    {
      jc_rss3_words_to_planes (xlo0, M, L, X0);
      jc_rss3_words_to_planes (xlo1, M, L, X1);
      jc_rss3_words_to_planes (ylo0, M, L, Y0);
      jc_rss3_words_to_planes (ylo1, M, L, Y1);
    }
  jc_rss3_words_to_planes (xhi0, M, H, X0 + L * nw);
  jc_rss3_words_to_planes (xhi1, M, H, X1 + L * nw);
  jc_rss3_words_to_planes (yhi0, M, H, Y0 + L * nw);
  jc_rss3_words_to_planes (yhi1, M, H, Y1 + L * nw);
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

  /* The comparison words of every element as one record (lo0, lo1, hi0, hi1), kept in the
   * current order with the element's index, so every level reads them sequentially. */
  u64 *rec = jc_rss3_scratch (ctx, 4 * n), *trec = jc_rss3_scratch (ctx, 4 * n);
  guint32 *id = g_new (guint32, n), *tid = g_new (guint32, n);
  for (size_t e = 0; e < n; e++)
    {
      rec[4 * e] = lo->s0[e]; rec[4 * e + 1] = lo->s1[e];
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
      size_t M = 0;
      for (guint s = 0; s < segs->len; s++)
        {
          Segment sg = g_array_index (segs, Segment, s);
          const u64 *pv = rec + 4 * (sg.start + sg.len - 1);
          for (size_t i = 0; i + 1 < sg.len; i++, M++)
            {
              const u64 *el = rec + 4 * (sg.start + i);
              w[M] = el[0]; w[n + M] = el[1]; w[2 * n + M] = el[2]; w[3 * n + M] = el[3];
              w[4 * n + M] = pv[0]; w[5 * n + M] = pv[1];
              w[6 * n + M] = pv[2]; w[7 * n + M] = pv[3];
            }
        }
      ok = compare_batch (ctx, M, L, H, w, w + n, w + 2 * n, w + 3 * n, w + 4 * n, w + 5 * n,
                          w + 6 * n, w + 7 * n, bits, error);
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
