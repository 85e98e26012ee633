#define G_LOG_DOMAIN "joconde-relay-test"
#include "config.h"

#include <sqlite3.h>
#include <stdio.h>

#include "base/jc-init.h"
#include "relay-test-util.h"

/* Relays killed with SIGKILL at random moments during a flood of messages, then
 * restarted: every message must reach each recipient exactly once. */

#define ROUNDS 24
#define PER_ROUND 12

typedef struct {
  GHashTable *seen;  /* id -> deliveries */
  guint       total;
} Counter;

static void
on_message (JcNetClient *client, const JcNetEnvelope *env, Counter *c)
{
  guint n = GPOINTER_TO_UINT (g_hash_table_lookup (c->seen, env->id));
  g_hash_table_insert (c->seen, g_strdup (env->id), GUINT_TO_POINTER (n + 1));
  c->total++;
}

typedef struct {
  Counter    *counters[3];
  GHashTable *expected[3];
} Flood;

static gboolean
all_arrived (gpointer data)
{
  Flood *f = data;
  for (int i = 0; i < 3; i++)
    if (g_hash_table_size (f->counters[i]->seen) < g_hash_table_size (f->expected[i]))
      return FALSE;
  return TRUE;
}

static void
send_one (JcNetClient *from, const char *const *to, GHashTable **expect, int n)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) body = json_node_new (JSON_NODE_VALUE);
  json_node_set_int (body, n);
  char *id = NULL;
  g_assert_true (jc_net_client_send (from, to, "test.flood", body, &id, &error));
  g_assert_no_error (error);
  for (int i = 0; expect[i]; i++)
    g_hash_table_add (expect[i], g_strdup (id));
  g_free (id);
}

static gint64
outbox_size (TestRelay *r)
{
  g_autofree char *path = g_build_filename (r->state_dir, "relay.db", NULL);
  sqlite3 *db = NULL;
  gint64 n = -1;
  if (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK)
    {
      sqlite3_stmt *st = NULL;
      if (sqlite3_prepare_v2 (db, "SELECT count(*) FROM outbox", -1, &st, NULL) == SQLITE_OK &&
          sqlite3_step (st) == SQLITE_ROW)
        n = sqlite3_column_int64 (st, 0);
      sqlite3_finalize (st);
    }
  sqlite3_close (db);
  return n;
}

static gboolean
outboxes_empty (gpointer data)
{
  TestRelay **relays = data;
  return outbox_size (relays[0]) == 0 && outbox_size (relays[1]) == 0;
}

static void
test_crash (void)
{
  g_autofree char *dir = test_pki_new ();
  g_autofree char *root_url = NULL;
  TestRelay *root = test_relay_run (dir, "root", NULL, NULL, &root_url);
  g_autofree char *org_url = NULL;
  TestRelay *org = test_relay_run (dir, "org", root_url, NULL, &org_url);

  const char *names[3] = { "a", "b", "c" };
  JcNetClient *cl[3];
  Flood f;
  for (int i = 0; i < 3; i++)
    {
      cl[i] = test_client_new (dir, names[i], NULL, i < 2 ? org_url : root_url);
      f.counters[i] = g_new0 (Counter, 1);
      f.counters[i]->seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      f.expected[i] = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      g_signal_connect (cl[i], "message", G_CALLBACK (on_message), f.counters[i]);
      jc_net_client_start (cl[i]);
    }
  for (int i = 0; i < 3; i++)
    g_assert_true (test_wait (test_client_is_connected, cl[i], 10000));

  const char *to_ab[] = { "a", "b", NULL };
  const char *to_c[] = { "c", NULL };
  GHashTable *exp_ab[] = { f.expected[0], f.expected[1], NULL };
  GHashTable *exp_c[] = { f.expected[2], NULL };
  guint kills_root = 0, kills_org = 0, n = 0;
  for (int round = 0; round < ROUNDS; round++)
    {
      for (int k = 0; k < PER_ROUND; k++)
        {
          send_one (cl[2], to_ab, exp_ab, n++);
          if (k % 3 == 0)
            send_one (cl[0], to_c, exp_c, n++);
        }
      test_spin (g_random_int_range (0, 120));
      TestRelay *victim = g_random_boolean () ? root : org;
      test_relay_kill (victim);
      if (victim == root)
        kills_root++;
      else
        kills_org++;
      test_spin (g_random_int_range (0, 60));
      test_relay_start (victim);
    }
  gboolean done = test_wait (all_arrived, &f, 60000);

  guint sent = 0, delivered = 0, lost = 0, duplicated = 0;
  guint64 suppressed = 0;
  for (int i = 0; i < 3; i++)
    {
      GHashTableIter it;
      gpointer key, value;
      sent += g_hash_table_size (f.expected[i]);
      g_hash_table_iter_init (&it, f.expected[i]);
      while (g_hash_table_iter_next (&it, &key, NULL))
        if (!g_hash_table_contains (f.counters[i]->seen, key))
          lost++;
      g_hash_table_iter_init (&it, f.counters[i]->seen);
      while (g_hash_table_iter_next (&it, &key, &value))
        {
          delivered++;
          duplicated += GPOINTER_TO_UINT (value) - 1;
          if (!g_hash_table_contains (f.expected[i], key))
            lost += 1000000; /* a message nobody sent: forged or misrouted */
        }
      suppressed += jc_net_client_get_duplicates_suppressed (cl[i]);
    }
  printf ("# crash test: %d rounds, %u SIGKILLs of the root and %u of the org relay; "
          "%u deliveries expected, %u delivered, %u lost, %u duplicated "
          "(%" G_GUINT64_FORMAT " resent copies recognised by the leaves)\n",
          ROUNDS, kills_root, kills_org, sent, delivered, lost, duplicated, suppressed);
  fflush (stdout);
  g_assert_true (done);
  g_assert_cmpuint (lost, ==, 0);
  g_assert_cmpuint (duplicated, ==, 0);
  g_assert_cmpuint (delivered, ==, sent);
  /* Every acknowledgement came back too: nothing is left to send anywhere. */
  TestRelay *relays[] = { root, org };
  g_assert_true (test_wait (outboxes_empty, relays, 20000));
  for (int i = 0; i < 3; i++)
    g_assert_cmpint (jc_net_client_outbox_count (cl[i]), ==, 0);
  for (int i = 0; i < 3; i++)
    {
      g_assert_cmpint (jc_net_client_inbox_count (cl[i]), ==, g_hash_table_size (f.expected[i]));
      g_object_unref (cl[i]);
      g_hash_table_unref (f.counters[i]->seen);
      g_free (f.counters[i]);
      g_hash_table_unref (f.expected[i]);
    }
  test_relay_free (org);
  test_relay_free (root);
  test_rm_rf (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_assert_true (jc_init (NULL));
  g_test_add_func ("/relay/crash/sigkill-flood", test_crash);
  return g_test_run ();
}
