/* rss3: what one party sees. Its view (its shares plus every byte it received) must not
 * contain any input value in clear, and two runs on the same input and keys must give
 * different messages (fresh randomness per run). */
#define G_LOG_DOMAIN "joconde-rss3-test"
#include "config.h"

#include "rss3-harness.h"

#include <string.h>

#define N 1500

typedef struct {
  guint64 *va, *vb;
  GByteArray *shares[3];
} Job;

static void
keep_shares (Job *job, JcRss3Ctx *ctx, const JcRss3AVec *v)
{
  GByteArray *s = job->shares[jc_rss3_ctx_get_party (ctx)];
  g_byte_array_append (s, (const guint8 *) v->s0, (guint) (v->n * 8));
  g_byte_array_append (s, (const guint8 *) v->s1, (guint) (v->n * 8));
}

static void
view_party (JcRss3Ctx *ctx, gpointer data)
{
  Job *job = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JcRss3AVec) a = rss3_test_input (ctx, job->va, N);
  g_autoptr (JcRss3AVec) b = rss3_test_input (ctx, job->vb, N);
  keep_shares (job, ctx, a);
  keep_shares (job, ctx, b);
  g_autoptr (JcRss3AVec) t = jc_rss3_avec_new (N);
  g_autoptr (JcRss3BVec) bit = jc_rss3_bvec_new (N, 1), bits = jc_rss3_bvec_new (N, 64);
  g_assert_true (jc_rss3_mul (ctx, a, b, t, &error));
  keep_shares (job, ctx, t);
  g_assert_true (jc_rss3_trunc (ctx, a, 8, t, &error));
  g_assert_true (jc_rss3_lt (ctx, a, b, bit, &error));
  g_assert_true (jc_rss3_eq (ctx, a, b, bit, &error));
  g_assert_true (jc_rss3_a2b (ctx, a, bits, &error));
  g_assert_true (jc_rss3_b2a (ctx, bits, t, &error));
  keep_shares (job, ctx, t);
  JcRss3AVec *cols[2] = { a, b };
  g_assert_true (jc_rss3_shuffle (ctx, 2, cols, &error));
  keep_shares (job, ctx, a);
  g_assert_true (jc_rss3_sort (ctx, b, 64, 1, &a, &error));
  keep_shares (job, ctx, a);
  keep_shares (job, ctx, b);
  g_assert_no_error (error);
}

static void
run (Job *job, GByteArray *logs[3])
{
  for (int i = 0; i < 3; i++)
    {
      logs[i] = g_byte_array_new ();
      job->shares[i] = g_byte_array_new ();
    }
  rss3_test_run (4242, view_party, job, logs);
}

/* Does any 8-byte window of view (at any byte offset) equal one of the values? */
static gboolean
view_contains (const GByteArray *view, const guint64 *values, size_t n)
{
  g_autoptr (GHashTable) set = g_hash_table_new (g_int64_hash, g_int64_equal);
  for (size_t e = 0; e < n; e++)
    g_hash_table_add (set, (gpointer) &values[e]);
  for (guint k = 0; k + 8 <= view->len; k++)
    {
      guint64 w;
      memcpy (&w, view->data + k, 8);
      if (g_hash_table_contains (set, &w))
        return TRUE;
    }
  return FALSE;
}

static void
assert_no_value (const GByteArray *view, const guint64 *values, size_t n)
{
  g_assert_cmpuint (view->len, >, 8 * N);
  g_assert_false (view_contains (view, values, n));
}

static void
test_view (void)
{
  Job job;
  /* random 64-bit inputs from the test vector generator, without its small edge values */
  g_autofree guint64 *va = rss3_test_values (81, N + 8), *vb = rss3_test_values (82, N + 8);
  job.va = va + 8;
  job.vb = vb + 8;
  GByteArray *logs[3];
  run (&job, logs);
  for (int p = 1; p < 3; p++)   /* the inputs belong to party 0 */
    {
      assert_no_value (logs[p], job.va, N);
      assert_no_value (logs[p], job.vb, N);
      assert_no_value (job.shares[p], job.va, N);
      assert_no_value (job.shares[p], job.vb, N);
    }
  /* the check itself can fail: a planted value is found */
  g_autoptr (GByteArray) planted = g_byte_array_new ();
  g_byte_array_append (planted, logs[1]->data, logs[1]->len);
  memcpy (planted->data + 1001, &job.va[77], 8);
  g_assert_true (view_contains (planted, job.va, N));

  /* a second run on the same input and keys: different bytes (the volume may differ: the
   * number of quicksort comparisons depends on the secret shuffle) */
  Job again = { job.va, job.vb, { NULL } };
  GByteArray *logs2[3];
  run (&again, logs2);
  for (int p = 0; p < 3; p++)
    {
      guint len = MIN (logs[p]->len, logs2[p]->len);
      size_t same = 0;
      for (guint k = 0; k + 8 <= len; k += 8)
        same += memcmp (logs[p]->data + k, logs2[p]->data + k, 8) == 0;
      /* equal 8-byte words only where the data is not random (constant zero shares) */
      g_assert_cmpuint (same, <, len / 8 / 4);
      g_assert_cmpint (memcmp (job.shares[p]->data, again.shares[p]->data,
                               MIN (job.shares[p]->len, again.shares[p]->len)), !=, 0);
      g_byte_array_unref (logs[p]);
      g_byte_array_unref (logs2[p]);
      g_byte_array_unref (job.shares[p]);
      g_byte_array_unref (again.shares[p]);
    }
}

/* Ones among the 64-bit words x_i + x_{i+1} (what one party knows of a value: the value
 * minus the share it lacks) must be balanced: 50% with 5 standard deviations of slack. */
static void
assert_uniform (const JcRss3AVec *v)
{
  guint64 ones = 0, bits = 64 * (guint64) v->n;
  for (size_t e = 0; e < v->n; e++)
    ones += (guint64) __builtin_popcountll (v->s0[e] + v->s1[e]);
  double dev = (double) ones - bits / 2.0;   /* variance of the count: bits / 4 */
  g_assert_cmpfloat (dev * dev, <, 25.0 * bits / 4.0);
}

static void
uniform_party (JcRss3Ctx *ctx, gpointer data)
{
  /* a constant column (every value 5), from party 0 */
  g_autofree guint64 *five = g_new (guint64, N);
  for (size_t e = 0; e < N; e++)
    five[e] = 5;
  g_autoptr (GError) error = NULL;
  g_autoptr (JcRss3AVec) a = rss3_test_input (ctx, five, N);
  g_autoptr (JcRss3AVec) t = jc_rss3_avec_new (N);
  unsigned me = jc_rss3_ctx_get_party (ctx);
  if (me != 0)
    assert_uniform (a);
  g_assert_true (jc_rss3_mul (ctx, a, a, t, &error));
  assert_uniform (t);
  g_assert_true (jc_rss3_trunc (ctx, a, 2, t, &error));
  assert_uniform (t);
  JcRss3AVec *cols[1] = { a };
  g_assert_true (jc_rss3_shuffle (ctx, 1, cols, &error));
  assert_uniform (a);
  g_autoptr (JcRss3BVec) bits = jc_rss3_bvec_new (N, 64);
  g_assert_true (jc_rss3_a2b (ctx, a, bits, &error));
  g_assert_true (jc_rss3_b2a (ctx, bits, t, &error));
  assert_uniform (t);
  g_assert_no_error (error);
}

static void
test_uniform (void)
{
  rss3_test_run (77, uniform_party, NULL, NULL);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/rss3/view", test_view);
  g_test_add_func ("/rss3/uniform-shares", test_uniform);
  return g_test_run ();
}
