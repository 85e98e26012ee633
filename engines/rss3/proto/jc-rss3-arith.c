#define G_LOG_DOMAIN "joconde-rss3"
#include "config.h"

#include "jc-rss3-private.h"

#include <sodium.h>
#include <string.h>

/* ---- vectors ---------------------------------------------------------------------------- */

JcRss3AVec *
jc_rss3_avec_new (size_t n)
{
  JcRss3AVec *v = g_new0 (JcRss3AVec, 1);
  v->n = n;
  v->s0 = g_new0 (u64, n ? n : 1);
  v->s1 = g_new0 (u64, n ? n : 1);
  return v;
}

void
jc_rss3_avec_free (JcRss3AVec *v)
{
  if (!v)
    return;
  g_free (v->s0);
  g_free (v->s1);
  g_free (v);
}

JcRss3AVec *
jc_rss3_avec_dup (const JcRss3AVec *v)
{
  JcRss3AVec *d = jc_rss3_avec_new (v->n);
  jc_rss3_avec_set (d, v->s0, v->s1);
  return d;
}

void
jc_rss3_avec_set (JcRss3AVec *v, const guint64 *s0, const guint64 *s1)
{
  if (v->n == 0)
    return;
  memmove (v->s0, s0, v->n * sizeof (u64));
  memmove (v->s1, s1, v->n * sizeof (u64));
}

/* ---- sharing ---------------------------------------------------------------------------- */

gboolean
jc_rss3_share_from_role (JcRss3Ctx *ctx, unsigned role, const u64 *vals, size_t n,
                         size_t nxor, u64 *s0, u64 *s1, GError **error)
{
  /* The dealer c holds (x_c, x_{c+1}); x_c comes from the key c shares with c-1, x_{c+2} = 0,
   * and x_{c+1} = v - x_c goes to c+1, which has never seen x_c: uniformly random to it. */
  if (role == 0)
    {
      jc_rss3_prf (ctx, JC_RSS3_PREV, s0, n * sizeof (u64));
      for (size_t e = 0; e < n; e++)
        s1[e] = e < nxor ? vals[e] ^ s0[e] : vals[e] - s0[e];
      jc_rss3_net_send (ctx, ctx->next, s1, n * sizeof (u64));
      return jc_rss3_net_round_end (ctx, error);
    }
  if (role == 1)
    {
      memset (s1, 0, n * sizeof (u64));
      if (!jc_rss3_net_recv (ctx, ctx->prev, s0, n * sizeof (u64), error))
        {
          jc_rss3_net_round_end (ctx, NULL);
          return FALSE;
        }
      return jc_rss3_net_round_end (ctx, error);
    }
  memset (s0, 0, n * sizeof (u64));
  jc_rss3_prf (ctx, JC_RSS3_NEXT, s1, n * sizeof (u64));
  return jc_rss3_net_round_end (ctx, error);
}

gboolean
jc_rss3_input (JcRss3Ctx *ctx, unsigned owner, const guint64 *values, size_t n,
               JcRss3AVec *out, GError **error)
{
  g_return_val_if_fail (out->n == n && owner < 3, FALSE);
  g_return_val_if_fail (ctx->party != owner || values != NULL || n == 0, FALSE);
  unsigned role = (ctx->party + 3 - owner) % 3;
  return jc_rss3_share_from_role (ctx, role, values, n, 0, out->s0, out->s1, error);
}

void
jc_rss3_client_split (const guint64 *values, size_t n, guint64 *x0, guint64 *x1, guint64 *x2)
{
  if (n == 0)
    return;
  randombytes_buf (x1, n * sizeof (u64));
  randombytes_buf (x2, n * sizeof (u64));
  for (size_t e = 0; e < n; e++)
    x0[e] = values[e] - x1[e] - x2[e];
}

void
jc_rss3_client_join (unsigned i, const guint64 *xi, const guint64 *xi1, const guint64 *xi2,
                     size_t n, guint64 *values)
{
  (void) i;
  for (size_t e = 0; e < n; e++)
    values[e] = xi[e] + xi1[e] + xi2[e];
}

gboolean
jc_rss3_reveal (JcRss3Ctx *ctx, const JcRss3AVec *a, guint64 *out, GError **error)
{
  /* Party j lacks x_{j+2}, which party j+1 holds as its second share. */
  size_t n = a->n;
  u64 *tmp = jc_rss3_scratch (ctx, n);
  gboolean ok = jc_rss3_ring (ctx, a->s1, tmp, n * sizeof (u64), error);
  if (ok)
    for (size_t e = 0; e < n; e++)
      out[e] = a->s0[e] + a->s1[e] + tmp[e];
  jc_rss3_scratch_put (ctx, tmp);
  return ok;
}

gboolean
jc_rss3_reveal_many (JcRss3Ctx *ctx, size_t k, const JcRss3AVec *const *a, guint64 *const *out,
                     GError **error)
{
  size_t m = 0;
  for (size_t c = 0; c < k; c++)
    m += a[c]->n;
  u64 *buf = jc_rss3_scratch (ctx, 2 * m + 1), *snd = buf, *rcv = buf + m;
  size_t off = 0;
  for (size_t c = 0; c < k; c++)
    {
      if (a[c]->n)
        memcpy (snd + off, a[c]->s1, a[c]->n * 8);
      off += a[c]->n;
    }
  gboolean ok = jc_rss3_ring (ctx, snd, rcv, m * 8, error);
  off = 0;
  for (size_t c = 0; ok && c < k; c++)
    {
      for (size_t e = 0; e < a[c]->n; e++)
        out[c][e] = a[c]->s0[e] + a[c]->s1[e] + rcv[off + e];
      off += a[c]->n;
    }
  jc_rss3_scratch_put (ctx, buf);
  return ok;
}

gboolean
jc_rss3_reveal_to (JcRss3Ctx *ctx, const JcRss3AVec *a, unsigned to, guint64 *out,
                   GError **error)
{
  size_t n = a->n;
  if (ctx->party == to)
    {
      u64 *tmp = jc_rss3_scratch (ctx, n);
      gboolean ok = jc_rss3_net_recv (ctx, ctx->next, tmp, n * sizeof (u64), error);
      ok = jc_rss3_net_round_end (ctx, ok ? error : NULL) && ok;
      if (ok)
        for (size_t e = 0; e < n; e++)
          out[e] = a->s0[e] + a->s1[e] + tmp[e];
      jc_rss3_scratch_put (ctx, tmp);
      return ok;
    }
  if (ctx->prev == to && n > 0)
    jc_rss3_net_send (ctx, to, a->s1, n * sizeof (u64));
  return jc_rss3_net_round_end (ctx, error);
}

/* ---- local linear operations ------------------------------------------------------------ */

void
jc_rss3_add (JcRss3Ctx *ctx, const JcRss3AVec *a, const JcRss3AVec *b, JcRss3AVec *out)
{
  for (size_t e = 0; e < a->n; e++)
    {
      out->s0[e] = a->s0[e] + b->s0[e];
      out->s1[e] = a->s1[e] + b->s1[e];
    }
}

void
jc_rss3_sub (JcRss3Ctx *ctx, const JcRss3AVec *a, const JcRss3AVec *b, JcRss3AVec *out)
{
  for (size_t e = 0; e < a->n; e++)
    {
      out->s0[e] = a->s0[e] - b->s0[e];
      out->s1[e] = a->s1[e] - b->s1[e];
    }
}

void
jc_rss3_neg (JcRss3Ctx *ctx, const JcRss3AVec *a, JcRss3AVec *out)
{
  for (size_t e = 0; e < a->n; e++)
    {
      out->s0[e] = -a->s0[e];
      out->s1[e] = -a->s1[e];
    }
}

void
jc_rss3_add_const (JcRss3Ctx *ctx, const JcRss3AVec *a, guint64 c, JcRss3AVec *out)
{
  /* The constant goes into x_0: party 0's first share and party 2's second. */
  u64 c0 = ctx->party == 0 ? c : 0, c1 = ctx->party == 2 ? c : 0;
  for (size_t e = 0; e < a->n; e++)
    {
      out->s0[e] = a->s0[e] + c0;
      out->s1[e] = a->s1[e] + c1;
    }
}

void
jc_rss3_add_public (JcRss3Ctx *ctx, const JcRss3AVec *a, const guint64 *pub, JcRss3AVec *out)
{
  gboolean in0 = ctx->party == 0, in1 = ctx->party == 2;
  for (size_t e = 0; e < a->n; e++)
    {
      out->s0[e] = a->s0[e] + (in0 ? pub[e] : 0);
      out->s1[e] = a->s1[e] + (in1 ? pub[e] : 0);
    }
}

void
jc_rss3_mul_const (JcRss3Ctx *ctx, const JcRss3AVec *a, guint64 c, JcRss3AVec *out)
{
  for (size_t e = 0; e < a->n; e++)
    {
      out->s0[e] = a->s0[e] * c;
      out->s1[e] = a->s1[e] * c;
    }
}

void
jc_rss3_mul_public (JcRss3Ctx *ctx, const JcRss3AVec *a, const guint64 *pub, JcRss3AVec *out)
{
  for (size_t e = 0; e < a->n; e++)
    {
      out->s0[e] = a->s0[e] * pub[e];
      out->s1[e] = a->s1[e] * pub[e];
    }
}

void
jc_rss3_avec_fill_const (JcRss3Ctx *ctx, JcRss3AVec *out, guint64 c)
{
  for (size_t e = 0; e < out->n; e++)
    {
      out->s0[e] = ctx->party == 0 ? c : 0;
      out->s1[e] = ctx->party == 2 ? c : 0;
    }
}

void
jc_rss3_prefix_sum (JcRss3Ctx *ctx, const JcRss3AVec *a, JcRss3AVec *out)
{
  u64 r0 = 0, r1 = 0;
  for (size_t e = 0; e < a->n; e++)
    {
      r0 += a->s0[e];
      r1 += a->s1[e];
      out->s0[e] = r0;
      out->s1[e] = r1;
    }
}

/* ---- multiplication --------------------------------------------------------------------- */

/* Chunks keep the PRF output in cache between generation and use. */
#define JC_RSS3_CHUNK 4096

gboolean
jc_rss3_mul_raw (JcRss3Ctx *ctx, size_t m, const u64 *x0, const u64 *x1, const u64 *y0,
                 const u64 *y1, u64 *z0, u64 *z1, GError **error)
{
  /* z_i = x_i y_i + x_i y_{i+1} + x_{i+1} y_i + (r_prev - r_next): the masks are a sharing
   * of zero, so z_i is uniformly random to party i-1, which receives it. */
  /* z0 is written elementwise after its inputs are read, so it may alias them; it is sent
   * while z1 is received. */
  u64 rp[JC_RSS3_CHUNK], rn[JC_RSS3_CHUNK];
  for (size_t off = 0; off < m; off += JC_RSS3_CHUNK)
    {
      size_t len = MIN (JC_RSS3_CHUNK, m - off);
      jc_rss3_prf (ctx, JC_RSS3_PREV, rp, len * sizeof (u64));
      jc_rss3_prf (ctx, JC_RSS3_NEXT, rn, len * sizeof (u64));
      for (size_t k = 0; k < len; k++)
        {
          size_t e = off + k;
          z0[e] = x0[e] * y0[e] + x0[e] * y1[e] + x1[e] * y0[e] + rp[k] - rn[k];
        }
    }
  return jc_rss3_ring (ctx, z0, z1, m * sizeof (u64), error);
}

gboolean
jc_rss3_and_raw (JcRss3Ctx *ctx, size_t m, const u64 *x0, const u64 *x1, const u64 *y0,
                 const u64 *y1, u64 *z0, u64 *z1, GError **error)
{
  u64 rp[JC_RSS3_CHUNK], rn[JC_RSS3_CHUNK];
  for (size_t off = 0; off < m; off += JC_RSS3_CHUNK)
    {
      size_t len = MIN (JC_RSS3_CHUNK, m - off);
      jc_rss3_prf (ctx, JC_RSS3_PREV, rp, len * sizeof (u64));
      jc_rss3_prf (ctx, JC_RSS3_NEXT, rn, len * sizeof (u64));
      for (size_t k = 0; k < len; k++)
        {
          size_t e = off + k;
          z0[e] = (x0[e] & y0[e]) ^ (x0[e] & y1[e]) ^ (x1[e] & y0[e]) ^ rp[k] ^ rn[k];
        }
    }
  return jc_rss3_ring (ctx, z0, z1, m * sizeof (u64), error);
}

gboolean
jc_rss3_mul (JcRss3Ctx *ctx, const JcRss3AVec *a, const JcRss3AVec *b, JcRss3AVec *out,
             GError **error)
{
  g_return_val_if_fail (a->n == b->n && a->n == out->n, FALSE);
  return jc_rss3_mul_raw (ctx, a->n, a->s0, a->s1, b->s0, b->s1, out->s0, out->s1, error);
}

gboolean
jc_rss3_mul_many (JcRss3Ctx *ctx, size_t k, const JcRss3AVec *const *a,
                  const JcRss3AVec *const *b, JcRss3AVec *const *out, GError **error)
{
  size_t m = 0;
  for (size_t c = 0; c < k; c++)
    {
      g_return_val_if_fail (a[c]->n == b[c]->n && a[c]->n == out[c]->n, FALSE);
      m += a[c]->n;
    }
  u64 *buf = jc_rss3_scratch (ctx, 6 * m);
  u64 *x0 = buf, *x1 = buf + m, *y0 = buf + 2 * m, *y1 = buf + 3 * m, *z0 = buf + 4 * m,
      *z1 = buf + 5 * m;
  size_t off = 0;
  for (size_t c = 0; c < k; c++)
    {
      size_t n = a[c]->n * sizeof (u64);
      if (n)
        {
          memcpy (x0 + off, a[c]->s0, n);
          memcpy (x1 + off, a[c]->s1, n);
          memcpy (y0 + off, b[c]->s0, n);
          memcpy (y1 + off, b[c]->s1, n);
        }
      off += a[c]->n;
    }
  gboolean ok = jc_rss3_mul_raw (ctx, m, x0, x1, y0, y1, z0, z1, error);
  off = 0;
  for (size_t c = 0; ok && c < k; c++)
    {
      size_t n = out[c]->n * sizeof (u64);
      if (n)
        {
          memcpy (out[c]->s0, z0 + off, n);
          memcpy (out[c]->s1, z1 + off, n);
        }
      off += out[c]->n;
    }
  jc_rss3_scratch_put (ctx, buf);
  return ok;
}

gboolean
jc_rss3_trunc_pr (JcRss3Ctx *ctx, const JcRss3AVec *a, unsigned f, JcRss3AVec *out,
                  GError **error)
{
  /* Truncation of a 2-out-of-2 sharing as in SecureML (Mohassel-Zhang, S&P 2017) and its
   * three-party use in ABY3 (Mohassel-Rindal, CCS 2018, Pi_trunc1): party c holds
   * A = x_c + x_{c+1}, parties c+1 and c+2 hold B = x_{c+2}; A >> f and -((-B) >> f) sum to
   * a/2^f up to one unit unless A wrapped around, which happens with probability
   * 2^(l+1-64) for |a| < 2^l. The result is reshared: y_{c+2} = B', y_{c+1} from the key of
   * c and c+1, y_c = A' - y_{c+1} sent by c to c+2. */
  g_return_val_if_fail (a->n == out->n && f < 64, FALSE);
  size_t n = a->n;
  unsigned role = jc_rss3_next_role (ctx);
  if (role == 0)
    {
      u64 *r = jc_rss3_scratch (ctx, n);
      jc_rss3_prf (ctx, JC_RSS3_NEXT, r, n * sizeof (u64));
      for (size_t e = 0; e < n; e++)
        {
          out->s0[e] = ((a->s0[e] + a->s1[e]) >> f) - r[e];
          out->s1[e] = r[e];
        }
      jc_rss3_scratch_put (ctx, r);
      jc_rss3_net_send (ctx, ctx->prev, out->s0, n * sizeof (u64));
      return jc_rss3_net_round_end (ctx, error);
    }
  if (role == 1)
    {
      for (size_t e = 0; e < n; e++)
        out->s1[e] = -((-a->s1[e]) >> f);
      jc_rss3_prf (ctx, JC_RSS3_PREV, out->s0, n * sizeof (u64));
      return jc_rss3_net_round_end (ctx, error);
    }
  for (size_t e = 0; e < n; e++)
    out->s0[e] = -((-a->s0[e]) >> f);
  gboolean ok = jc_rss3_net_recv (ctx, ctx->next, out->s1, n * sizeof (u64), error);
  ok = jc_rss3_net_round_end (ctx, ok ? error : NULL) && ok;
  return ok;
}

gboolean
jc_rss3_mul_fixed (JcRss3Ctx *ctx, const JcRss3AVec *a, const JcRss3AVec *b, unsigned f,
                   JcRss3AVec *out, GError **error)
{
  return jc_rss3_mul (ctx, a, b, out, error) && jc_rss3_trunc (ctx, out, f, out, error);
}

gboolean
jc_rss3_mul_fixed_pr (JcRss3Ctx *ctx, const JcRss3AVec *a, const JcRss3AVec *b, unsigned f,
                      JcRss3AVec *out, GError **error)
{
  return jc_rss3_mul (ctx, a, b, out, error) && jc_rss3_trunc_pr (ctx, out, f, out, error);
}
