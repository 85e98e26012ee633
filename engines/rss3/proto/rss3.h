/* rss3.h — three-party replicated secret sharing runtime (passive security, honest majority).
 *
 * This is the API the SQL executor of the engine `rss3` calls. Everything is vectorised:
 * one call works on whole columns and costs the rounds listed in docs/rss3.md, whatever n is.
 *
 * Sharing. Three parties P0, P1, P2. A value x in Z_2^64 is split x = x0 + x1 + x2 (mod 2^64);
 * party i holds the pair (x_i, x_{i+1}) (indices mod 3), stored as s0 = x_i, s1 = x_{i+1}.
 * Any two parties can reconstruct, one party alone sees uniformly random words. Boolean
 * sharings are the same over Z_2 (XOR instead of +), bit-sliced: 64 elements per word.
 *
 * Network. The host supplies two blocking callbacks (whole buffer, return 0 or -1). The
 * runtime calls `recv` from the calling thread and `send` from an internal sender thread
 * (or, for messages up to 16 KB when that thread is idle, from the calling thread), never two
 * sends at once but a send and a receive possibly at the same time (full duplex): a host
 * transport must allow one concurrent sender and one concurrent receiver (plain sockets and
 * GnuTLS sessions do) and buffer at least 16 KB per direction (any socket does). All three
 * parties must call the same functions in the same order with the same sizes.
 *
 * Errors. Every function that talks to the network returns FALSE and sets a GError
 * (JC_ERROR domain) on network failure or cancellation; the context is then unusable.
 *
 * Aliasing: unless noted, `out` may be the same vector as an input.
 *
 * Threads: a context is used by one thread at a time. It keeps big scratch buffers between
 * calls (freed with the context). Costs, security arguments and sources: docs/rss3.md.
 */
#pragma once

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

G_BEGIN_DECLS

#define JC_RSS3_PARTIES 3
#define JC_RSS3_KEY_BYTES 32

/* The host's channels to the two other parties. */
typedef struct {
  int (*send) (void *user, unsigned to_party, const void *buf, size_t len);
  int (*recv) (void *user, unsigned from_party, void *buf, size_t len);
  void *user;
} JcRss3Net;

/* Traffic counters of one party since the context was made (or last reset). `rounds` counts
 * protocol rounds (a round = one message exchange that the next step waits for). */
typedef struct {
  guint64 bytes_sent;
  guint64 bytes_received;
  guint64 rounds;
} JcRss3Stats;

/* Returns TRUE when the computation must stop (checked once per round). */
typedef gboolean (*JcRss3CancelFunc) (void *user);
/* Called after every round with the counters so far. */
typedef void (*JcRss3ProgressFunc) (void *user, const JcRss3Stats *stats);

typedef struct _JcRss3Ctx JcRss3Ctx;

/* Arithmetic shared vector over Z_2^64: n elements, the two shares this party holds. */
typedef struct {
  size_t n;
  guint64 *s0;   /* x_i     */
  guint64 *s1;   /* x_{i+1} */
} JcRss3AVec;

/* Boolean shared vector, bit-sliced: `bits` bit planes of `nwords` = ceil(n/64) words each.
 * Bit b of element e is bit (e % 64) of word s[b * nwords + e / 64]; bit 0 is the least
 * significant. Lanes past n hold unspecified (data-independent) values: every function here
 * ignores them, and code that reads the words directly must mask them. A predicate is a
 * 1-bit vector. */
typedef struct {
  size_t n;
  unsigned bits;
  size_t nwords;
  guint64 *s0;
  guint64 *s1;
} JcRss3BVec;

/* ---- context ---------------------------------------------------------------------------- */

/* key_prev is the 32-byte key this party shares with party (party+2)%3, key_next the one it
 * shares with party (party+1)%3 (so P0.key_next == P1.key_prev, etc.). Makes a fresh per-run
 * nonce with the two peers (one round), so randomness differs between runs even under the
 * same keys. The keys are copied and wiped on free. */
JcRss3Ctx *jc_rss3_ctx_new (unsigned party,
                            const guint8 key_prev[JC_RSS3_KEY_BYTES],
                            const guint8 key_next[JC_RSS3_KEY_BYTES],
                            const JcRss3Net *net,
                            GError **error);
void jc_rss3_ctx_free (JcRss3Ctx *ctx);
unsigned jc_rss3_ctx_get_party (const JcRss3Ctx *ctx);
void jc_rss3_ctx_set_cancel_func (JcRss3Ctx *ctx, JcRss3CancelFunc func, void *user);
void jc_rss3_ctx_set_progress_func (JcRss3Ctx *ctx, JcRss3ProgressFunc func, void *user);
void jc_rss3_ctx_get_stats (const JcRss3Ctx *ctx, JcRss3Stats *out);
void jc_rss3_ctx_reset_stats (JcRss3Ctx *ctx);
/* Frees the scratch memory the context keeps between calls (it grows to the largest call). */
void jc_rss3_ctx_trim (JcRss3Ctx *ctx);
/* For tests: the three pairwise keys from a seed (key[j] is shared by P(j-1) and Pj, i.e.
 * party i uses key_prev = key[i], key_next = key[(i+1)%3]). */
void jc_rss3_test_keys (guint64 seed, guint8 keys[3][JC_RSS3_KEY_BYTES]);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JcRss3Ctx, jc_rss3_ctx_free)

/* ---- vectors (local) -------------------------------------------------------------------- */

JcRss3AVec *jc_rss3_avec_new (size_t n);             /* zero sharing of zeros */
void jc_rss3_avec_free (JcRss3AVec *v);
JcRss3AVec *jc_rss3_avec_dup (const JcRss3AVec *v);
JcRss3BVec *jc_rss3_bvec_new (size_t n, unsigned bits);
void jc_rss3_bvec_free (JcRss3BVec *v);
JcRss3BVec *jc_rss3_bvec_dup (const JcRss3BVec *v);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (JcRss3AVec, jc_rss3_avec_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (JcRss3BVec, jc_rss3_bvec_free)

/* ---- input and output ------------------------------------------------------------------- */

/* Party `owner` secret-shares its n values (values is read only at the owner; others pass
 * NULL). One round, 8 bytes per element sent by the owner only. */
gboolean jc_rss3_input (JcRss3Ctx *ctx, unsigned owner, const guint64 *values, size_t n,
                        JcRss3AVec *out, GError **error);
/* Client side (data transfer): split values into three additive shares x0+x1+x2 with fresh
 * randomness; party i must receive (x_i, x_{i+1}) and load them with jc_rss3_avec_set. */
void jc_rss3_client_split (const guint64 *values, size_t n,
                           guint64 *x0, guint64 *x1, guint64 *x2);
/* Client side: rebuild values from the pair (x_i, x_{i+1}) of party i and the pair of party
 * i+1 (any two consecutive parties). */
void jc_rss3_client_join (unsigned i, const guint64 *xi, const guint64 *xi1,
                          const guint64 *xi2, size_t n, guint64 *values);
void jc_rss3_avec_set (JcRss3AVec *v, const guint64 *s0, const guint64 *s1);
/* Reveal to every party: one round, 8 bytes per element per party. */
gboolean jc_rss3_reveal (JcRss3Ctx *ctx, const JcRss3AVec *a, guint64 *out, GError **error);
/* Reveal k columns (of any lengths) to every party in one round. */
gboolean jc_rss3_reveal_many (JcRss3Ctx *ctx, size_t k, const JcRss3AVec *const *a,
                              guint64 *const *out, GError **error);
/* Reveal to one party only (out is written only there; others may pass NULL). */
gboolean jc_rss3_reveal_to (JcRss3Ctx *ctx, const JcRss3AVec *a, unsigned to,
                            guint64 *out, GError **error);
/* Reveal a boolean vector to every party, element e's bits as out[e] (bits <= 64). */
gboolean jc_rss3_breveal (JcRss3Ctx *ctx, const JcRss3BVec *a, guint64 *out, GError **error);

/* ---- local linear arithmetic (no communication) ----------------------------------------- */

void jc_rss3_add (JcRss3Ctx *ctx, const JcRss3AVec *a, const JcRss3AVec *b, JcRss3AVec *out);
void jc_rss3_sub (JcRss3Ctx *ctx, const JcRss3AVec *a, const JcRss3AVec *b, JcRss3AVec *out);
void jc_rss3_neg (JcRss3Ctx *ctx, const JcRss3AVec *a, JcRss3AVec *out);
void jc_rss3_add_const (JcRss3Ctx *ctx, const JcRss3AVec *a, guint64 c, JcRss3AVec *out);
void jc_rss3_mul_const (JcRss3Ctx *ctx, const JcRss3AVec *a, guint64 c, JcRss3AVec *out);
/* out[e] = a[e] + pub[e] with a public vector. */
void jc_rss3_add_public (JcRss3Ctx *ctx, const JcRss3AVec *a, const guint64 *pub,
                         JcRss3AVec *out);
/* out[e] = a[e] * pub[e] with a public vector. */
void jc_rss3_mul_public (JcRss3Ctx *ctx, const JcRss3AVec *a, const guint64 *pub,
                         JcRss3AVec *out);
/* A sharing of the public constant c in every element. */
void jc_rss3_avec_fill_const (JcRss3Ctx *ctx, JcRss3AVec *out, guint64 c);
/* Inclusive prefix sums out[e] = a[0] + ... + a[e] (local). */
void jc_rss3_prefix_sum (JcRss3Ctx *ctx, const JcRss3AVec *a, JcRss3AVec *out);

/* ---- multiplication --------------------------------------------------------------------- */

/* out = a * b elementwise. One round, 8 bytes per element per party. */
gboolean jc_rss3_mul (JcRss3Ctx *ctx, const JcRss3AVec *a, const JcRss3AVec *b,
                      JcRss3AVec *out, GError **error);
/* k independent products in one round (columns of possibly different lengths). */
gboolean jc_rss3_mul_many (JcRss3Ctx *ctx, size_t k, const JcRss3AVec *const *a,
                           const JcRss3AVec *const *b, JcRss3AVec *const *out,
                           GError **error);
/* Fixed point with f fractional bits (1 <= f <= 62): out = (a * b) >> f, exact (the floor
 * of a*b / 2^f, as the signed shift in C), as long as a * b fits in 64 bits. */
gboolean jc_rss3_mul_fixed (JcRss3Ctx *ctx, const JcRss3AVec *a, const JcRss3AVec *b,
                            unsigned f, JcRss3AVec *out, GError **error);
/* out = a >> f (signed, exact): a boolean adder for the two carries that a local shift of
 * the shares loses; 16 rounds, about 50 bytes per element. */
gboolean jc_rss3_trunc (JcRss3Ctx *ctx, const JcRss3AVec *a, unsigned f, JcRss3AVec *out,
                        GError **error);
/* Probabilistic truncation (SecureML / ABY3): one round, 8 bytes from one party, result
 * exact or off by one unit (2^-f), EXCEPT with probability about |a| / 2^63 per element,
 * when it is wrong by about 2^(64-f). Only for values far below 2^63 where a rare large
 * error is acceptable (never for published statistics). */
gboolean jc_rss3_trunc_pr (JcRss3Ctx *ctx, const JcRss3AVec *a, unsigned f, JcRss3AVec *out,
                           GError **error);
gboolean jc_rss3_mul_fixed_pr (JcRss3Ctx *ctx, const JcRss3AVec *a, const JcRss3AVec *b,
                               unsigned f, JcRss3AVec *out, GError **error);

/* ---- boolean ---------------------------------------------------------------------------- */

void jc_rss3_bxor (JcRss3Ctx *ctx, const JcRss3BVec *a, const JcRss3BVec *b, JcRss3BVec *out);
void jc_rss3_bnot (JcRss3Ctx *ctx, const JcRss3BVec *a, JcRss3BVec *out);
/* AND / OR of all planes, one round, 1 bit per element per plane per party. */
gboolean jc_rss3_band (JcRss3Ctx *ctx, const JcRss3BVec *a, const JcRss3BVec *b,
                       JcRss3BVec *out, GError **error);
gboolean jc_rss3_bor (JcRss3Ctx *ctx, const JcRss3BVec *a, const JcRss3BVec *b,
                      JcRss3BVec *out, GError **error);

/* ---- conversions ------------------------------------------------------------------------ */

/* Bit decomposition: out gets 64 planes (out->bits must be 64). 8 rounds, ~82 bytes. */
gboolean jc_rss3_a2b (JcRss3Ctx *ctx, const JcRss3AVec *a, JcRss3BVec *out, GError **error);
/* Boolean (1..64 bits, read as unsigned) to arithmetic. 1-7 bits: 2 rounds, ~11 bytes per
 * bit; 8-64 bits: one boolean subtractor, 9 rounds, ~87 bytes. */
gboolean jc_rss3_b2a (JcRss3Ctx *ctx, const JcRss3BVec *b, JcRss3AVec *out, GError **error);

/* ---- comparison (arithmetic in, 1-bit boolean out) -------------------------------------- */

/* out = 1 iff a < 0 as a signed 64-bit integer (the top bit). */
gboolean jc_rss3_msb (JcRss3Ctx *ctx, const JcRss3AVec *a, JcRss3BVec *out, GError **error);
/* out = [a < b] for signed values with |a - b| < 2^63 (true for any two values of 63-bit
 * range, which is what the SQL types use). One MSB: 8 rounds, 25.3 bytes per element on
 * average (30.6 for the party that reshares, which rotates between calls). */
gboolean jc_rss3_lt (JcRss3Ctx *ctx, const JcRss3AVec *a, const JcRss3AVec *b,
                     JcRss3BVec *out, GError **error);
/* out = [a <= b], same range rule. */
gboolean jc_rss3_le (JcRss3Ctx *ctx, const JcRss3AVec *a, const JcRss3AVec *b,
                     JcRss3BVec *out, GError **error);
/* out = [a < b] for any two signed 64-bit values (three MSBs, batched in the same rounds). */
gboolean jc_rss3_lt_full (JcRss3Ctx *ctx, const JcRss3AVec *a, const JcRss3AVec *b,
                          JcRss3BVec *out, GError **error);
/* out = [a == b] for any values. 7 rounds, 10.5 bytes on average (15.9 at most). */
gboolean jc_rss3_eq (JcRss3Ctx *ctx, const JcRss3AVec *a, const JcRss3AVec *b,
                     JcRss3BVec *out, GError **error);
/* k comparisons [a[i] < b[i]] (same range rule) / [a[i] == b[i]] of columns of any lengths
 * in the rounds of one: for WHERE clauses with several conditions. */
gboolean jc_rss3_lt_many (JcRss3Ctx *ctx, size_t k, const JcRss3AVec *const *a,
                          const JcRss3AVec *const *b, JcRss3BVec *const *out, GError **error);
gboolean jc_rss3_eq_many (JcRss3Ctx *ctx, size_t k, const JcRss3AVec *const *a,
                          const JcRss3AVec *const *b, JcRss3BVec *const *out, GError **error);
/* out = [a == 0]. */
gboolean jc_rss3_eqz (JcRss3Ctx *ctx, const JcRss3AVec *a, JcRss3BVec *out, GError **error);

/* Comparisons of boolean-shared values (1..64 bits, read as unsigned): [a < b] in
 * 1 + ceil(log2 bits) rounds (~3 ANDs per bit), [a == b] in ceil(log2 bits) rounds. */
gboolean jc_rss3_blt (JcRss3Ctx *ctx, const JcRss3BVec *a, const JcRss3BVec *b,
                      JcRss3BVec *out, GError **error);
gboolean jc_rss3_beq (JcRss3Ctx *ctx, const JcRss3BVec *a, const JcRss3BVec *b,
                      JcRss3BVec *out, GError **error);

/* ---- selection -------------------------------------------------------------------------- */

/* out = cond ? a : b, cond a 1-bit boolean vector. For k columns under one condition use
 * jc_rss3_select_many (one conversion of cond, one multiplication round). */
gboolean jc_rss3_select (JcRss3Ctx *ctx, const JcRss3BVec *cond, const JcRss3AVec *a,
                         const JcRss3AVec *b, JcRss3AVec *out, GError **error);
gboolean jc_rss3_select_many (JcRss3Ctx *ctx, const JcRss3BVec *cond, size_t k,
                              const JcRss3AVec *const *a, const JcRss3AVec *const *b,
                              JcRss3AVec *const *out, GError **error);

/* ---- shuffle and sort ------------------------------------------------------------------- */

/* Apply one secret uniformly random permutation to k columns of equal length, in place.
 * Three rounds; 16 bytes per element per column per party on average. */
gboolean jc_rss3_shuffle (JcRss3Ctx *ctx, size_t k, JcRss3AVec *const *cols, GError **error);
/* Stable ascending sort of `key` (signed 64-bit values), in place, with k payload columns
 * permuted along. key_bits (1..64) bounds the keys: every key is in
 * [-2^(key_bits-1), 2^(key_bits-1)); smaller bounds are faster. Shuffle, then a quicksort
 * whose comparison outcomes are revealed: the keys are made distinct by their secret original
 * position, so the outcomes are those of a uniformly random permutation and reveal nothing. */
gboolean jc_rss3_sort (JcRss3Ctx *ctx, JcRss3AVec *key, unsigned key_bits, size_t k,
                       JcRss3AVec *const *payload, GError **error);

/* ---- segmented aggregation -------------------------------------------------------------- */

/* Segments are runs of elements starting where start (1-bit) is 1 (element 0 always starts
 * one). out[e] = aggregate of a over the segment of e, from its start up to e: at a segment's
 * last element it is the segment's total. log2(n) rounds. */
gboolean jc_rss3_seg_sum (JcRss3Ctx *ctx, const JcRss3BVec *start, const JcRss3AVec *a,
                          JcRss3AVec *out, GError **error);
/* out[e] = number of elements of e's segment up to e (the segment's size at its end). */
gboolean jc_rss3_seg_count (JcRss3Ctx *ctx, const JcRss3BVec *start, JcRss3AVec *out,
                            GError **error);
/* k columns under the same segments in the same log2(n) rounds (one flag product per step
 * for all columns). */
gboolean jc_rss3_seg_sum_many (JcRss3Ctx *ctx, const JcRss3BVec *start, size_t k,
                               const JcRss3AVec *const *a, JcRss3AVec *const *out,
                               GError **error);
/* Running minimum / maximum per segment; values must respect the range rule of jc_rss3_lt.
 * About 12 rounds per step of the scan. */
gboolean jc_rss3_seg_min (JcRss3Ctx *ctx, const JcRss3BVec *start, const JcRss3AVec *a,
                          JcRss3AVec *out, GError **error);
gboolean jc_rss3_seg_max (JcRss3Ctx *ctx, const JcRss3BVec *start, const JcRss3AVec *a,
                          JcRss3AVec *out, GError **error);

/* ---- division --------------------------------------------------------------------------- */

/* Exact integer division out = a / b truncated toward zero, for signed a with
 * |a| < 2^num_bits (num_bits <= 62) and 0 < b < 2^62 (b = 0 gives garbage: guard it).
 * Restoring long division: num_bits steps of one comparison and one selection (about
 * 11 rounds and 50 bytes per element each), meant for per-group results such as AVG.
 * Rounding to nearest: divide 2a + b by 2b. */
gboolean jc_rss3_div (JcRss3Ctx *ctx, const JcRss3AVec *a, const JcRss3AVec *b,
                      unsigned num_bits, JcRss3AVec *out, GError **error);
/* Fixed point: out = a * 2^f / b (truncated), i.e. a / b with f fractional bits when a and
 * b have the same scale. Needs |a * 2^f| < 2^62; runs the 62-step division. */
gboolean jc_rss3_div_fixed (JcRss3Ctx *ctx, const JcRss3AVec *a, const JcRss3AVec *b,
                            unsigned f, JcRss3AVec *out, GError **error);

G_END_DECLS
