/* Internals shared by the rss3 protocol files: the context, the PRF streams, the network
 * rounds and the bit-sliced helpers. Not for the SQL executor. */
#pragma once

#include "rss3.h"

#include <nettle/aes.h>

typedef guint64 u64;

#define JC_RSS3_MAX_SENDS 4
#define JC_RSS3_INLINE_SEND 16384   /* bytes sent from the calling thread */
#define JC_RSS3_POOL 32

typedef struct {
  u64 *ptr;
  size_t words;
  gboolean used;
} JcRss3Scratch;

typedef struct {
  unsigned to;
  const void *buf;
  size_t len;
} JcRss3SendJob;

struct _JcRss3Ctx {
  unsigned party;
  unsigned prev;                      /* (party + 2) % 3 */
  unsigned next;                      /* (party + 1) % 3 */
  JcRss3Net net;
  struct aes128_ctx prf[2];           /* run keys: [0] shared with prev, [1] with next */
  guint64 block[2];                   /* AES-CTR block counters of the two streams */
  guint64 turn;                       /* rotates the party that does local conversions */
  JcRss3Stats stats;
  JcRss3CancelFunc cancel;
  void *cancel_user;
  JcRss3ProgressFunc progress;
  void *progress_user;
  gboolean broken;
  JcRss3Scratch pool[JC_RSS3_POOL];   /* big scratch buffers kept between rounds */

  /* The sender thread: the host's send() is blocking, so sends run beside our receives. */
  GThread *sender;
  GMutex lock;
  GCond cond;
  JcRss3SendJob jobs[JC_RSS3_MAX_SENDS];
  unsigned njobs;                     /* queued, not yet finished */
  unsigned job_head;
  gboolean send_failed;
  gboolean quit;
};

enum { JC_RSS3_PREV = 0, JC_RSS3_NEXT = 1 };

/* PRF stream shared with the prev (0) or next (1) party: fills out with len bytes. */
void jc_rss3_prf (JcRss3Ctx *ctx, int which, void *out, size_t len);
/* Queue a send to a peer (the buffer must stay alive until jc_rss3_net_flush). */
void jc_rss3_net_send (JcRss3Ctx *ctx, unsigned to, const void *buf, size_t len);
gboolean jc_rss3_net_recv (JcRss3Ctx *ctx, unsigned from, void *buf, size_t len,
                           GError **error);
/* Waits for queued sends, counts a round, checks cancellation, reports progress. */
gboolean jc_rss3_net_round_end (JcRss3Ctx *ctx, GError **error);
/* One ring round: send sbuf to prev and receive rbuf (same length) from next. */
gboolean jc_rss3_ring (JcRss3Ctx *ctx, const void *sbuf, void *rbuf, size_t len,
                       GError **error);
/* The party that does the local conversion in the next protocol (rotates for balance);
 * returns this party's role 0, 1 or 2 relative to it. */
unsigned jc_rss3_next_role (JcRss3Ctx *ctx);
gboolean jc_rss3_fail (JcRss3Ctx *ctx, GError **error);

/* Scratch memory (not zeroed). Big buffers are kept in the context between calls so that
 * the kernel does not hand out (and fault in) fresh pages for every round; release with
 * jc_rss3_scratch_put, which also takes (and frees) any other g_malloc'd pointer. */
u64 *jc_rss3_scratch (JcRss3Ctx *ctx, size_t words);
void jc_rss3_scratch_put (JcRss3Ctx *ctx, void *p);

/* Sharing of a value that party with role 0 knows in full (vals at role 0, NULL elsewhere),
 * n words: one round, role 0 sends n words to role 1. The first nxor words are shared with
 * XOR, the rest arithmetically. */
gboolean jc_rss3_share_from_role (JcRss3Ctx *ctx, unsigned role, const u64 *vals, size_t n,
                                  size_t nxor, u64 *s0, u64 *s1, GError **error);

/* Raw multiplication / AND on m words: z = x * y (or x & y), one round. z may alias x/y. */
gboolean jc_rss3_mul_raw (JcRss3Ctx *ctx, size_t m, const u64 *x0, const u64 *x1,
                          const u64 *y0, const u64 *y1, u64 *z0, u64 *z1, GError **error);
gboolean jc_rss3_and_raw (JcRss3Ctx *ctx, size_t m, const u64 *x0, const u64 *x1,
                          const u64 *y0, const u64 *y1, u64 *z0, u64 *z1, GError **error);
/* AND of cnt pairs of planes of nw words given by pointers; results are written
 * contiguously to z0/z1 (cnt * nw words). One round. */
gboolean jc_rss3_and_planes (JcRss3Ctx *ctx, size_t cnt, size_t nw,
                             u64 *const *x0, u64 *const *x1, u64 *const *y0, u64 *const *y1,
                             u64 *z0, u64 *z1, GError **error);

/* Bit slicing: words (n elements) <-> K planes of nw = ceil(n/64) words. */
void jc_rss3_transpose64 (u64 a[64]);
void jc_rss3_words_to_planes (const u64 *w, size_t n, unsigned K, u64 *planes);
/* The same for words that come in runs of equal values (sort pivots): such blocks of 64
 * are filled without transposition. */
void jc_rss3_words_to_planes_rep (const u64 *w, size_t n, unsigned K, u64 *planes);
void jc_rss3_planes_to_words (const u64 *planes, size_t n, unsigned K, u64 *w);
static inline size_t
jc_rss3_nwords (size_t n)
{
  return (n + 63) / 64;
}

/* Carry out of X + Y over K bit planes (bool-shared, plane j at j*nw): out gets 1 plane,
 * outp (if not NULL) the AND of all propagate bits. ceil(log2 K) + 1 rounds. X and Y are
 * left untouched. */
gboolean jc_rss3_carry (JcRss3Ctx *ctx, unsigned K, size_t nw, const u64 *x0, const u64 *x1,
                        const u64 *y0, const u64 *y1, u64 *out0, u64 *out1, u64 *outp0,
                        u64 *outp1, GError **error);
/* Local conversion of an arithmetic vector to two boolean-shared 64-bit operands whose sum
 * is the value (v = x_c + x_{c+1} reshared by party c, w = x_{c+2}); one round. Planes out
 * (64 * nw words each); if neg_w, w is replaced by -w (for equality tests). */
gboolean jc_rss3_split_bool (JcRss3Ctx *ctx, const JcRss3AVec *a, gboolean neg_w,
                             u64 *v0, u64 *v1, u64 *w0, u64 *w1, GError **error);
/* b2a of single bits given as 0/1 words: out = arithmetic sharing of the bit, two rounds. */
gboolean jc_rss3_b2a_bits (JcRss3Ctx *ctx, size_t m, const u64 *b0, const u64 *b1,
                           u64 *o0, u64 *o1, GError **error);
/* Shuffle with one permutation of na arithmetic and nx XOR-shared columns. */
gboolean jc_rss3_shuffle_mixed (JcRss3Ctx *ctx, size_t na, JcRss3AVec *const *acols,
                                size_t nx, JcRss3AVec *const *xcols, GError **error);

/* A temporary arithmetic vector on scratch memory (release with jc_rss3_tmp_avec_put). */
static inline JcRss3AVec
jc_rss3_tmp_avec (JcRss3Ctx *ctx, size_t n)
{
  JcRss3AVec v = { n, jc_rss3_scratch (ctx, n), jc_rss3_scratch (ctx, n) };
  return v;
}
static inline void
jc_rss3_tmp_avec_put (JcRss3Ctx *ctx, JcRss3AVec *v)
{
  jc_rss3_scratch_put (ctx, v->s0);
  jc_rss3_scratch_put (ctx, v->s1);
}
