#define G_LOG_DOMAIN "joconde-rss3"
#include "config.h"

#include "jc-rss3-private.h"

#include <glib/gi18n-lib.h>
#include <sodium.h>
#include <string.h>

#include "base/jc-error.h"

/* ---- PRF -------------------------------------------------------------------------------- */

void
jc_rss3_prf (JcRss3Ctx *ctx, int which, void *out, size_t len)
{
  /* AES-128 in counter mode under the pairwise run key (nettle, GnuTLS's crypto library,
   * which uses AES-NI when the CPU has it): 3-4x the speed of ChaCha20 here. The counter
   * blocks (64 zero bits, then the 64-bit block number, big-endian) are written into the
   * output and encrypted in place, so the keystream needs no XOR pass. Both holders of the
   * key draw in the same order, so their counters stay equal. */
  guint8 *p = out;
  size_t blocks = len / AES_BLOCK_SIZE, rem = len % AES_BLOCK_SIZE;
  guint64 b = ctx->block[which];
  for (size_t i = 0; i < blocks; i++)
    {
      guint64 hi = 0, lo = GUINT64_TO_BE (b + i);
      memcpy (p + i * AES_BLOCK_SIZE, &hi, 8);
      memcpy (p + i * AES_BLOCK_SIZE + 8, &lo, 8);
    }
  if (blocks)
    aes128_encrypt (&ctx->prf[which], blocks * AES_BLOCK_SIZE, p, p);
  if (rem)
    {
      guint8 last[AES_BLOCK_SIZE] = { 0 };
      guint64 lo = GUINT64_TO_BE (b + blocks);
      memcpy (last + 8, &lo, 8);
      aes128_encrypt (&ctx->prf[which], AES_BLOCK_SIZE, last, last);
      memcpy (p + blocks * AES_BLOCK_SIZE, last, rem);
    }
  ctx->block[which] += blocks + (rem ? 1 : 0);
}

void
jc_rss3_test_keys (guint64 seed, guint8 keys[3][JC_RSS3_KEY_BYTES])
{
  for (unsigned j = 0; j < 3; j++)
    {
      guint8 in[16];
      memcpy (in, &seed, 8);
      memset (in + 8, 0, 8);
      in[8] = (guint8) j;
      crypto_generichash (keys[j], JC_RSS3_KEY_BYTES, in, sizeof in,
                          (const guint8 *) "joconde-rss3-test-key", 21);
    }
}

/* ---- scratch memory -------------------------------------------------------------------- */

#define JC_RSS3_POOL_MIN_WORDS 8192

u64 *
jc_rss3_scratch (JcRss3Ctx *ctx, size_t words)
{
  if (words < JC_RSS3_POOL_MIN_WORDS)
    return g_malloc_n (words ? words : 1, sizeof (u64));
  JcRss3Scratch *best = NULL, *spare = NULL;
  for (int k = 0; k < JC_RSS3_POOL; k++)
    {
      JcRss3Scratch *s = &ctx->pool[k];
      if (s->used)
        continue;
      if (s->ptr && s->words >= words && (!best || s->words < best->words))
        best = s;
      if (!spare || (spare->ptr && (!s->ptr || s->words > spare->words)))
        spare = s;
    }
  if (!best && spare)
    {
      /* grow the biggest free buffer (or take an empty slot) */
      g_free (spare->ptr);
      spare->ptr = g_malloc_n (words, sizeof (u64));
      spare->words = words;
      best = spare;
    }
  if (!best)
    return g_malloc_n (words, sizeof (u64));
  best->used = TRUE;
  return best->ptr;
}

void
jc_rss3_scratch_put (JcRss3Ctx *ctx, void *p)
{
  if (!p)
    return;
  for (int k = 0; k < JC_RSS3_POOL; k++)
    if (ctx->pool[k].ptr == p)
      {
        ctx->pool[k].used = FALSE;
        return;
      }
  g_free (p);
}

void
jc_rss3_ctx_trim (JcRss3Ctx *ctx)
{
  for (int k = 0; k < JC_RSS3_POOL; k++)
    if (!ctx->pool[k].used)
      {
        g_free (ctx->pool[k].ptr);
        ctx->pool[k].ptr = NULL;
        ctx->pool[k].words = 0;
      }
}

/* ---- network ---------------------------------------------------------------------------- */

static gpointer
sender_main (gpointer data)
{
  JcRss3Ctx *ctx = data;
  g_mutex_lock (&ctx->lock);
  for (;;)
    {
      while (ctx->njobs == 0 && !ctx->quit)
        g_cond_wait (&ctx->cond, &ctx->lock);
      if (ctx->quit)
        break;
      JcRss3SendJob job = ctx->jobs[ctx->job_head];
      gboolean skip = ctx->send_failed;
      g_mutex_unlock (&ctx->lock);
      int rc = skip ? -1 : ctx->net.send (ctx->net.user, job.to, job.buf, job.len);
      g_mutex_lock (&ctx->lock);
      if (rc != 0)
        ctx->send_failed = TRUE;
      ctx->job_head = (ctx->job_head + 1) % JC_RSS3_MAX_SENDS;
      ctx->njobs--;
      g_cond_broadcast (&ctx->cond);
    }
  g_mutex_unlock (&ctx->lock);
  return NULL;
}

void
jc_rss3_net_send (JcRss3Ctx *ctx, unsigned to, const void *buf, size_t len)
{
  if (ctx->broken)   /* stopped: the peers may no longer read */
    return;
  ctx->stats.bytes_sent += len;
  g_mutex_lock (&ctx->lock);
  if (ctx->njobs == 0 && len <= JC_RSS3_INLINE_SEND && !ctx->send_failed)
    {
      /* A small message fits in the transport's buffers, so sending it from this thread
       * cannot block against the peer's own send; it saves waking the sender thread,
       * which matters for the many small rounds of a sort. The lock keeps the sender
       * thread (idle: no jobs) from starting a send to the same peer meanwhile. */
      if (ctx->net.send (ctx->net.user, to, buf, len) != 0)
        ctx->send_failed = TRUE;
      g_mutex_unlock (&ctx->lock);
      return;
    }
  g_assert (ctx->njobs < JC_RSS3_MAX_SENDS);
  unsigned slot = (ctx->job_head + ctx->njobs) % JC_RSS3_MAX_SENDS;
  ctx->jobs[slot] = (JcRss3SendJob) { to, buf, len };
  ctx->njobs++;
  g_cond_broadcast (&ctx->cond);
  g_mutex_unlock (&ctx->lock);
}

gboolean
jc_rss3_fail (JcRss3Ctx *ctx, GError **error)
{
  ctx->broken = TRUE;
  g_set_error (error, JC_ERROR, JC_ERROR_IO,
               _("The secure computation stopped: the connection to another computing party failed"));
  return FALSE;
}

gboolean
jc_rss3_net_recv (JcRss3Ctx *ctx, unsigned from, void *buf, size_t len, GError **error)
{
  if (ctx->broken)
    return jc_rss3_fail (ctx, error);
  if (len > 0 && ctx->net.recv (ctx->net.user, from, buf, len) != 0)
    return jc_rss3_fail (ctx, error);
  ctx->stats.bytes_received += len;
  return TRUE;
}

gboolean
jc_rss3_net_round_end (JcRss3Ctx *ctx, GError **error)
{
  g_mutex_lock (&ctx->lock);
  while (ctx->njobs > 0)
    g_cond_wait (&ctx->cond, &ctx->lock);
  gboolean failed = ctx->send_failed;
  g_mutex_unlock (&ctx->lock);
  if (failed || ctx->broken)
    return jc_rss3_fail (ctx, error);
  ctx->stats.rounds++;
  if (ctx->progress)
    ctx->progress (ctx->progress_user, &ctx->stats);
  if (ctx->cancel && ctx->cancel (ctx->cancel_user))
    {
      ctx->broken = TRUE;
      g_set_error (error, JC_ERROR, JC_ERROR_CANCELLED, _("The secure computation was cancelled"));
      return FALSE;
    }
  return TRUE;
}

gboolean
jc_rss3_ring (JcRss3Ctx *ctx, const void *sbuf, void *rbuf, size_t len, GError **error)
{
  if (ctx->broken)
    return jc_rss3_fail (ctx, error);
  if (len > 0)
    jc_rss3_net_send (ctx, ctx->prev, sbuf, len);
  gboolean ok = jc_rss3_net_recv (ctx, ctx->next, rbuf, len, error);
  if (!ok)
    {
      jc_rss3_net_round_end (ctx, NULL);
      return FALSE;
    }
  return jc_rss3_net_round_end (ctx, error);
}

unsigned
jc_rss3_next_role (JcRss3Ctx *ctx)
{
  unsigned c = (unsigned) (ctx->turn++ % 3);
  return (ctx->party + 3 - c) % 3;
}

/* ---- context ---------------------------------------------------------------------------- */

JcRss3Ctx *
jc_rss3_ctx_new (unsigned party, const guint8 key_prev[JC_RSS3_KEY_BYTES],
                 const guint8 key_next[JC_RSS3_KEY_BYTES], const JcRss3Net *net,
                 GError **error)
{
  g_return_val_if_fail (party < 3 && net && net->send && net->recv, NULL);
  if (sodium_init () < 0)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_CRYPTO, _("The cryptographic library could not start"));
      return NULL;
    }
  JcRss3Ctx *ctx = sodium_malloc (sizeof *ctx);
  if (!ctx)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_FAILED, _("Out of secure memory for the computation keys"));
      return NULL;
    }
  memset (ctx, 0, sizeof *ctx);
  ctx->party = party;
  ctx->prev = (party + 2) % 3;
  ctx->next = (party + 1) % 3;
  ctx->net = *net;
  g_mutex_init (&ctx->lock);
  g_cond_init (&ctx->cond);
  ctx->sender = g_thread_new ("rss3-send", sender_main, ctx);

  /* Per-run freshness: every party contributes 16 random bytes; the run keys are keyed
   * hashes of the pairwise keys over all three contributions (in party order). */
  guint8 contrib[3][16];
  randombytes_buf (contrib[party], 16);
  jc_rss3_net_send (ctx, ctx->prev, contrib[party], 16);
  jc_rss3_net_send (ctx, ctx->next, contrib[party], 16);
  if (!jc_rss3_net_recv (ctx, ctx->prev, contrib[ctx->prev], 16, error) ||
      !jc_rss3_net_recv (ctx, ctx->next, contrib[ctx->next], 16, error) ||
      !jc_rss3_net_round_end (ctx, error))
    {
      jc_rss3_net_round_end (ctx, NULL);
      jc_rss3_ctx_free (ctx);
      return NULL;
    }
  const guint8 *base[2] = { key_prev, key_next };
  for (int k = 0; k < 2; k++)
    {
      guint8 run_key[AES128_KEY_SIZE];
      crypto_generichash (run_key, sizeof run_key, (const guint8 *) contrib, sizeof contrib,
                          base[k], JC_RSS3_KEY_BYTES);
      aes128_set_encrypt_key (&ctx->prf[k], run_key);
      sodium_memzero (run_key, sizeof run_key);
    }
  memset (&ctx->stats, 0, sizeof ctx->stats);
  return ctx;
}

void
jc_rss3_ctx_free (JcRss3Ctx *ctx)
{
  if (!ctx)
    return;
  g_mutex_lock (&ctx->lock);
  ctx->quit = TRUE;
  g_cond_broadcast (&ctx->cond);
  g_mutex_unlock (&ctx->lock);
  g_thread_join (ctx->sender);
  g_mutex_clear (&ctx->lock);
  g_cond_clear (&ctx->cond);
  for (int k = 0; k < JC_RSS3_POOL; k++)
    g_free (ctx->pool[k].ptr);
  sodium_free (ctx);   /* wipes the keys */
}

unsigned
jc_rss3_ctx_get_party (const JcRss3Ctx *ctx)
{
  return ctx->party;
}

void
jc_rss3_ctx_set_cancel_func (JcRss3Ctx *ctx, JcRss3CancelFunc func, void *user)
{
  ctx->cancel = func;
  ctx->cancel_user = user;
}

void
jc_rss3_ctx_set_progress_func (JcRss3Ctx *ctx, JcRss3ProgressFunc func, void *user)
{
  ctx->progress = func;
  ctx->progress_user = user;
}

void
jc_rss3_ctx_get_stats (const JcRss3Ctx *ctx, JcRss3Stats *out)
{
  *out = ctx->stats;
}

void
jc_rss3_ctx_reset_stats (JcRss3Ctx *ctx)
{
  memset (&ctx->stats, 0, sizeof ctx->stats);
}
