#define G_LOG_DOMAIN "joconde-rss3-test"
#include "config.h"

#include <string.h>

#include "jc-sql.h"
#include "sql-harness.h"

/* Data transfer: sharing and reconstruction round trips, what one party's stream shows,
 * corrupt and foreign streams, and a party's view of a whole run. */

#define ALL "t: id ID, k CATEGORY(a|b|c), v INT, d DECIMAL(12;3), f BOOL, day DATE"

static TestTable *
make_table (const JcEngineSchema *s, gsize n, guint32 seed)
{
  GRand *r = g_rand_new_with_seed (seed);
  TestTable *t = g_new0 (TestTable, 1);
  t->schema = s;
  t->n_rows = n;
  t->cells = g_new0 (JcEngineValue, n * s->n_columns);
  t->texts = g_ptr_array_new_with_free_func (g_free);
  for (gsize i = 0; i < n; i++)
    {
      JcEngineValue *row = t->cells + i * 6;
      char *id = g_strdup_printf ("person-%zu", i);
      g_ptr_array_add (t->texts, id);
      row[0].text = id;
      row[0].text_len = strlen (id);
      row[1].i = g_rand_int_range (r, 0, 3);
      /* Distinctive values: a 61-bit pattern is never a share by chance. */
      row[2].i = (gint64) (((guint64) g_rand_int (r) << 29) ^ g_rand_int (r)) | (G_GINT64_CONSTANT (1) << 60);
      row[3].i = g_rand_int_range (r, -999999999, 999999999);
      row[4].i = g_rand_boolean (r);
      row[5].i = g_rand_int_range (r, -10000, 30000);
    }
  g_rand_free (r);
  return t;
}

static int
collect_rows (void *user, const JcEngineValue *row, size_t n)
{
  GArray *cells = user;
  for (size_t c = 0; c < n; c++)
    g_array_append_val (cells, row[c].i);
  return 0;
}

static int
reconstruct (GByteArray *streams[3], const JcEngineSchema *s, GArray *cells, JcEngineError *err,
             unsigned swap)
{
  const JcEngineInfo *e = test_engine ();
  JcEngineReconstructor *r = e->reconstructor_new (s, collect_rows, cells, err);
  g_assert_nonnull (r);
  int rc = 0;
  for (gsize off = 0; rc == 0; off += 4093)
    {
      gboolean any = FALSE;
      for (unsigned p = 0; p < 3 && rc == 0; p++)
        if (off < streams[p]->len)
          {
            any = TRUE;
            unsigned as = swap ? (p + swap) % 3 : p;
            rc = e->reconstructor_feed (r, as, streams[p]->data + off,
                                        MIN (4093, streams[p]->len - off), err);
          }
      if (!any)
        break;
    }
  if (rc == 0)
    rc = e->reconstructor_finish (r, err);
  e->reconstructor_free (r);
  return rc;
}

/* Whether any 8-byte window of hay is one of the words in `set`: one pass. */
static gboolean
contains_any (const GByteArray *hay, GHashTable *set)
{
  for (guint i = 0; i + 8 <= hay->len; i++)
    {
      gint64 w = 0;
      for (int k = 7; k >= 0; k--)
        w = (gint64) (((guint64) w << 8) | hay->data[i + k]);
      if (g_hash_table_contains (set, &w))
        return TRUE;
    }
  return FALSE;
}

static void
test_round_trip (void)
{
  TestSchema *s = test_schema_parse (ALL);
  TestTable *t = make_table (&s->schema, 25000, 7);   /* more than two chunks of 10922 rows */
  GByteArray *a[3], *b[3];
  for (int p = 0; p < 3; p++)
    {
      a[p] = g_byte_array_new ();
      b[p] = g_byte_array_new ();
    }
  test_share (t, a);
  test_share (t, b);

  GArray *cells = g_array_new (FALSE, FALSE, sizeof (gint64));
  JcEngineError err = { 0 };
  g_assert_cmpint (reconstruct (a, &s->schema, cells, &err, 0), ==, 0);
  g_assert_cmpuint (cells->len, ==, 6 * t->n_rows);
  for (gsize i = 0; i < t->n_rows; i++)
    for (int c = 0; c < 6; c++)
      {
        const JcEngineValue *v = &t->cells[i * 6 + c];
        gint64 want = c == 0 ? (gint64) jc_sql_encode_id (v->text, v->text_len) : v->i;
        g_assert_cmpint (g_array_index (cells, gint64, i * 6 + c), ==, want);
      }

  /* One party's stream holds no value in clear, and two sharings of one table differ. */
  GHashTable *plain = g_hash_table_new (g_int64_hash, g_int64_equal);
  for (gsize i = 0; i < t->n_rows; i++)
    g_hash_table_add (plain, &t->cells[i * 6 + 2].i);
  {
    /* The detector itself finds a value written in clear at an odd offset. */
    GByteArray *probe = g_byte_array_new ();
    guint8 pad = 0xAA, w[8];
    g_byte_array_append (probe, &pad, 1);
    for (int k = 0; k < 8; k++)
      w[k] = (guint8) ((guint64) t->cells[6 * 17 + 2].i >> (8 * k));
    g_byte_array_append (probe, w, 8);
    g_assert_true (contains_any (probe, plain));
    g_byte_array_unref (probe);
  }
  for (int p = 0; p < 3; p++)
    {
      g_assert_false (contains_any (a[p], plain));
      g_assert_cmpuint (a[p]->len, ==, b[p]->len);
      g_assert_true (memcmp (a[p]->data + 32, b[p]->data + 32, a[p]->len - 32) != 0);
    }
  g_hash_table_unref (plain);
  /* The shares of a column of zeros look random too: no word repeats among 4096. */
  {
    TestSchema *zs = test_schema_parse ("z: v INT");
    TestTable z = { .schema = &zs->schema, .n_rows = 4096, .cells = g_new0 (JcEngineValue, 4096) };
    GByteArray *zst[3];
    for (int p = 0; p < 3; p++)
      zst[p] = g_byte_array_new ();
    test_share (&z, zst);
    GHashTable *seen = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
    const guint8 *words = zst[0]->data + 32 + 4;
    for (int i = 0; i < 4096; i++)
      {
        gint64 *w = g_new (gint64, 1);
        memcpy (w, words + 8 * i, 8);
        g_assert_cmpint (*w, !=, 0);
        g_assert_false (g_hash_table_contains (seen, w));
        g_hash_table_add (seen, w);
      }
    g_hash_table_unref (seen);
    for (int p = 0; p < 3; p++)
      g_byte_array_unref (zst[p]);
    g_free (z.cells);
    test_schema_free (zs);
  }

  /* A flipped bit in one share, a truncated stream, swapped parties: refused. */
  g_array_set_size (cells, 0);
  b[1]->data[32 + 4 + 8 * 5] ^= 1;
  g_assert_cmpint (reconstruct (b, &s->schema, cells, &err, 0), !=, 0);
  g_assert_nonnull (strstr (err.message, "disagree"));
  g_byte_array_set_size (a[2], a[2]->len - 5);
  g_assert_cmpint (reconstruct (a, &s->schema, cells, &err, 0), !=, 0);
  g_assert_nonnull (strstr (err.message, "incomplete"));
  g_assert_cmpint (reconstruct (a, &s->schema, cells, &err, 1), !=, 0);
  g_assert_nonnull (strstr (err.message, "meant for party"));
  /* Streams of two different sharings do not mix. */
  GByteArray *mix[3] = { a[0], b[1], b[2] };
  g_assert_cmpint (reconstruct (mix, &s->schema, cells, &err, 0), !=, 0);
  g_assert_nonnull (strstr (err.message, "different runs"));

  for (int p = 0; p < 3; p++)
    {
      g_byte_array_unref (a[p]);
      g_byte_array_unref (b[p]);
    }
  g_array_unref (cells);
  test_table_free (t);
  test_schema_free (s);
}

static int
discard (void *user, unsigned party, const void *buf, size_t len)
{
  return 0;
}

static void
test_bad_values (void)
{
  const JcEngineInfo *e = test_engine ();
  TestSchema *s = test_schema_parse ("t: k CATEGORY(a|b), id ID, d DECIMAL(3;1)");
  JcEngineError err = { 0 };
  JcEngineValue row[3] = { { .i = 2 }, { .text = "x", .text_len = 1 }, { .i = 5 } };
  JcEngineSharer *sh = e->sharer_new (&s->schema, discard, NULL, &err);
  g_assert_cmpint (e->sharer_add_rows (sh, row, 1, &err), !=, 0);
  g_assert_nonnull (strstr (err.message, "“k”"));
  g_assert_nonnull (strstr (err.message, "row 1"));
  e->sharer_free (sh);

  row[0].i = 1;
  row[1].text_len = 65;
  row[1].text = "0123456789012345678901234567890123456789012345678901234567890123456789";
  sh = e->sharer_new (&s->schema, discard, NULL, &err);
  g_assert_cmpint (e->sharer_add_rows (sh, row, 1, &err), !=, 0);
  g_assert_nonnull (strstr (err.message, "ID"));
  e->sharer_free (sh);

  row[1].text_len = 3;
  row[2].i = 1000;   /* DECIMAL(3,1) holds at most 99.9 */
  sh = e->sharer_new (&s->schema, discard, NULL, &err);
  g_assert_cmpint (e->sharer_add_rows (sh, row, 1, &err), !=, 0);
  row[2].i = -999;
  e->sharer_free (sh);
  sh = e->sharer_new (&s->schema, discard, NULL, &err);
  g_assert_cmpint (e->sharer_add_rows (sh, row, 1, &err), ==, 0);
  g_assert_cmpint (e->sharer_finish (sh, &err), ==, 0);
  e->sharer_free (sh);
  test_schema_free (s);
}

/* What one party sees during a run — every byte received from the others and every byte of
 * its output streams — contains no input value and no result in clear, and differs between
 * two runs on the same data. */
static void
test_party_view (void)
{
  TestSchema *s = test_schema_parse (ALL);
  TestTable *t = make_table (&s->schema, 300, 11);
  TestSchema *o1 = test_schema_parse ("g: k CATEGORY(a|b|c), s INT");
  TestSchema *o2 = test_schema_parse ("r: v INT");
  JcEngineSchema outs[2] = { o1->schema, o2->schema };
  const char *alg = "OUTPUT g AS SELECT k, SUM(v) AS s FROM t GROUP BY k HAVING COUNT(*) > 1;\n"
                    "OUTPUT r AS SELECT v FROM t WHERE f AND v > 0;";
  GByteArray *v1[3], *v2[3];
  for (int p = 0; p < 3; p++)
    {
      v1[p] = g_byte_array_new ();
      v2[p] = g_byte_array_new ();
    }
  TestTable *inputs[] = { t };
  JcEngineError err = { 0 };
  GPtrArray *r1 = test_run (alg, inputs, 1, outs, 2, 0, v1, &err);
  g_assert_nonnull (r1);
  GPtrArray *r2 = test_run (alg, inputs, 1, outs, 2, 0, v2, &err);
  g_assert_nonnull (r2);
  GArray *sums = r1->pdata[0];
  g_assert_cmpuint (sums->len, ==, 6);
  GHashTable *secret = g_hash_table_new (g_int64_hash, g_int64_equal);
  for (gsize i = 0; i < t->n_rows; i++)
    g_hash_table_add (secret, &t->cells[i * 6 + 2].i);
  for (guint i = 1; i < sums->len; i += 2)
    g_hash_table_add (secret, &g_array_index (sums, gint64, i));
  for (int p = 0; p < 3; p++)
    {
      g_assert_cmpuint (v1[p]->len, >, 1000);
      g_assert_false (contains_any (v1[p], secret));
      guint n = MIN (v1[p]->len, v2[p]->len);
      g_assert_true (memcmp (v1[p]->data, v2[p]->data, n) != 0);
    }
  g_hash_table_unref (secret);
  /* Same answers both times. */
  for (int o = 0; o < 2; o++)
    {
      GArray *a = r1->pdata[o], *b = r2->pdata[o];
      g_assert_cmpuint (a->len, ==, b->len);
    }
  g_ptr_array_unref (r1);
  g_ptr_array_unref (r2);
  for (int p = 0; p < 3; p++)
    {
      g_byte_array_unref (v1[p]);
      g_byte_array_unref (v2[p]);
    }
  test_table_free (t);
  test_schema_free (s);
  test_schema_free (o1);
  test_schema_free (o2);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/rss3/transfer/round-trip", test_round_trip);
  g_test_add_func ("/rss3/transfer/bad-values", test_bad_values);
  g_test_add_func ("/rss3/transfer/party-view", test_party_view);
  return g_test_run ();
}
