/* Benchmarks of the rss3 protocols: mul, lt, eq, shuffle, sort. */
#define G_LOG_DOMAIN "joconde-bench"
#include "config.h"

#include "jc-bench.h"

#include <nettle/aes.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  JcRss3AVec *a, *b;
  JcRss3BVec *bit;
} State;

static guint64 *
random_values (size_t n, guint32 seed, unsigned shift, gboolean half_equal)
{
  guint64 *v = g_new (guint64, n ? n : 1);
  GRand *r = g_rand_new_with_seed (seed);
  for (size_t e = 0; e < n; e++)
    v[e] = (guint64) ((gint64) (((guint64) g_rand_int (r) << 32) | g_rand_int (r)) >> shift);
  if (half_equal)
    for (size_t e = 0; e < n; e += 2)
      v[e] = 12345;
  g_rand_free (r);
  return v;
}

static gboolean
setup_pair (JcBenchEnv *env, gpointer *state, unsigned shift, gboolean half_equal,
            GError **error)
{
  State *s = g_new0 (State, 1);
  g_autofree guint64 *va = random_values (env->n, 1, shift, half_equal);
  g_autofree guint64 *vb = random_values (env->n, 2, shift, half_equal);
  s->a = jc_rss3_avec_new (env->n);
  s->b = jc_rss3_avec_new (env->n);
  s->bit = jc_rss3_bvec_new (env->n, 1);
  *state = s;
  return jc_rss3_input (env->ctx, 0, env->party == 0 ? va : NULL, env->n, s->a, error) &&
         jc_rss3_input (env->ctx, 0, env->party == 0 ? vb : NULL, env->n, s->b, error);
}

static gboolean
setup_full (JcBenchEnv *env, gpointer *state, GError **error)
{
  return setup_pair (env, state, 0, FALSE, error);
}

static gboolean
setup_62 (JcBenchEnv *env, gpointer *state, GError **error)
{
  return setup_pair (env, state, 2, FALSE, error);
}

static gboolean
setup_eq (JcBenchEnv *env, gpointer *state, GError **error)
{
  return setup_pair (env, state, 0, TRUE, error);
}

static void
teardown (gpointer state)
{
  State *s = state;
  jc_rss3_avec_free (s->a);
  jc_rss3_avec_free (s->b);
  jc_rss3_bvec_free (s->bit);
  g_free (s);
}

static gboolean
run_mul (JcBenchEnv *env, gpointer state, GError **error)
{
  State *s = state;
  return jc_rss3_mul (env->ctx, s->a, s->b, s->a, error);
}

static gboolean
run_lt (JcBenchEnv *env, gpointer state, GError **error)
{
  State *s = state;
  return jc_rss3_lt (env->ctx, s->a, s->b, s->bit, error);
}

static gboolean
run_eq (JcBenchEnv *env, gpointer state, GError **error)
{
  State *s = state;
  return jc_rss3_eq (env->ctx, s->a, s->b, s->bit, error);
}

static gboolean
run_shuffle (JcBenchEnv *env, gpointer state, GError **error)
{
  State *s = state;
  return jc_rss3_shuffle (env->ctx, 1, &s->a, error);
}

static gboolean
run_sort (JcBenchEnv *env, gpointer state, GError **error)
{
  State *s = state;
  return jc_rss3_sort (env->ctx, s->a, 64, 0, NULL, error);
}

static gboolean
run_sort32 (JcBenchEnv *env, gpointer state, GError **error)
{
  State *s = state;
  return jc_rss3_sort (env->ctx, s->b, 32, 0, NULL, error);
}

static gboolean
run_trunc (JcBenchEnv *env, gpointer state, GError **error)
{
  State *s = state;
  return jc_rss3_trunc (env->ctx, s->a, 16, s->b, error);
}

static gboolean
run_a2b (JcBenchEnv *env, gpointer state, GError **error)
{
  State *s = state;
  g_autoptr (JcRss3BVec) bits = jc_rss3_bvec_new (env->n, 64);
  return jc_rss3_a2b (env->ctx, s->a, bits, error);
}

static gboolean
run_b2a (JcBenchEnv *env, gpointer state, GError **error)
{
  State *s = state;
  g_autoptr (JcRss3BVec) bits = jc_rss3_bvec_new (env->n, 64);
  return jc_rss3_a2b (env->ctx, s->a, bits, error) && jc_rss3_b2a (env->ctx, bits, s->b, error);
}

static gboolean
run_div (JcBenchEnv *env, gpointer state, GError **error)
{
  State *s = state;
  /* 32-bit numerators by a shared divisor (the cost does not depend on its value) */
  jc_rss3_avec_fill_const (env->ctx, s->b, 7);
  return jc_rss3_div (env->ctx, s->a, s->b, 32, s->a, error);
}

static gboolean
setup_32 (JcBenchEnv *env, gpointer *state, GError **error)
{
  return setup_pair (env, state, 32, FALSE, error);
}

/* ---- plaintext baselines ---------------------------------------------------------------- */

static volatile guint64 sink;

static void
base_mul (size_t n)
{
  g_autofree guint64 *a = random_values (n, 1, 0, FALSE), *b = random_values (n, 2, 0, FALSE);
  for (size_t e = 0; e < n; e++)
    a[e] *= b[e];
  sink = n ? a[n / 2] : 0;
}

static void
base_lt (size_t n)
{
  g_autofree guint64 *a = random_values (n, 1, 2, FALSE), *b = random_values (n, 2, 2, FALSE);
  guint64 c = 0;
  for (size_t e = 0; e < n; e++)
    c += (gint64) a[e] < (gint64) b[e];
  sink = c;
}

static void
base_eq (size_t n)
{
  g_autofree guint64 *a = random_values (n, 1, 0, TRUE), *b = random_values (n, 2, 0, TRUE);
  guint64 c = 0;
  for (size_t e = 0; e < n; e++)
    c += a[e] == b[e];
  sink = c;
}

static void
base_shuffle (size_t n)
{
  g_autofree guint64 *a = random_values (n, 1, 0, FALSE);
  GRand *r = g_rand_new_with_seed (3);
  for (size_t i = n; i > 1; i--)
    {
      size_t j = (size_t) g_rand_int_range (r, 0, (gint32) i);
      guint64 t = a[i - 1];
      a[i - 1] = a[j];
      a[j] = t;
    }
  g_rand_free (r);
  sink = n ? a[0] : 0;
}

static int
cmp_i64 (const void *x, const void *y)
{
  gint64 a = *(const gint64 *) x, b = *(const gint64 *) y;
  return a < b ? -1 : a > b;
}

static void
base_sort (size_t n)
{
  g_autofree guint64 *a = random_values (n, 1, 0, FALSE);
  qsort (a, n, 8, cmp_i64);
  sink = n ? a[0] : 0;
}

/* ---- the PRF candidates, plain (keystream of n 64-bit words in 32 KB chunks) ---------- */

static gboolean
run_prf_aes (JcBenchEnv *env, gpointer state, GError **error)
{
  /* the runtime's construction: counter blocks encrypted in place */
  static guint8 buf[32768];
  guint8 key[16] = { 1 };
  struct aes128_ctx aes;
  aes128_set_encrypt_key (&aes, key);
  guint64 block = 0;
  for (size_t left = env->n * 8; left > 0;)
    {
      size_t len = MIN (sizeof buf, left);
      size_t blocks = (len + 15) / 16;
      for (size_t i = 0; i < blocks; i++)
        {
          guint64 hi = 0, lo = GUINT64_TO_BE (block + i);
          memcpy (buf + 16 * i, &hi, 8);
          memcpy (buf + 16 * i + 8, &lo, 8);
        }
      aes128_encrypt (&aes, blocks * 16, buf, buf);
      block += blocks;
      left -= len;
    }
  sink = buf[7];
  return TRUE;
}

static gboolean
run_prf_chacha (JcBenchEnv *env, gpointer state, GError **error)
{
  static guint8 buf[32768];
  guint8 key[32] = { 1 }, nonce[8] = { 0 };
  guint64 block = 0;
  for (size_t left = env->n * 8; left > 0;)
    {
      size_t len = MIN (sizeof buf, left);
      memset (buf, 0, len);
      crypto_stream_chacha20_xor_ic (buf, buf, len, nonce, block, key);
      block += (len + 63) / 64;
      left -= len;
    }
  sink = buf[7];
  return TRUE;
}

const JcBenchOp jc_bench_proto_ops[] = {
  { "mul", FALSE, setup_full, run_mul, teardown, base_mul, TRUE },
  { "lt", FALSE, setup_62, run_lt, teardown, base_lt, TRUE },
  { "eq", FALSE, setup_eq, run_eq, teardown, base_eq, TRUE },
  { "shuffle", FALSE, setup_full, run_shuffle, teardown, base_shuffle, TRUE },
  { "sort", FALSE, setup_full, run_sort, teardown, base_sort, FALSE },
  { "sort32", FALSE, setup_32, run_sort32, teardown, base_sort, FALSE },
  { "trunc", FALSE, setup_full, run_trunc, teardown, NULL, TRUE },
  { "a2b", FALSE, setup_full, run_a2b, teardown, NULL, TRUE },
  { "a2b+b2a", FALSE, setup_full, run_b2a, teardown, NULL, TRUE },
  { "prf-aes128ctr", TRUE, NULL, run_prf_aes, NULL, NULL, FALSE },
  { "prf-chacha20", TRUE, NULL, run_prf_chacha, NULL, NULL, FALSE },
  { "div32", FALSE, setup_32, run_div, teardown, NULL, FALSE },
  { NULL },
};
