#define G_LOG_DOMAIN "joconde-relay-bench"
#include "config.h"

#include <sqlite3.h>
#include <stdio.h>

#include "base/jc-init.h"
#include "relay-test-util.h"

/* Prints durable deliveries per second through a root and an intermediate relay over
 * loopback mutual TLS, with two baselines measured in the same run (the SQLite commit
 * rate of this disk, and one hop through the root alone), and the propagation latency
 * from a node under the root to a leaf at depth 3 (root -> org -> dept -> d). */

typedef struct {
  guint received;
} Count;

static void
on_message (JcNetClient *c, const JcNetEnvelope *env, Count *n)
{
  n->received++;
}

typedef struct { Count *c; guint want; } Want;

static gboolean
enough (gpointer data)
{
  Want *w = data;
  return w->c->received >= w->want;
}

/* The rate of durable single-row commits (WAL, synchronous=FULL) on the disk used. */
static double
sqlite_commit_rate (const char *dir, guint n)
{
  g_autofree char *path = g_build_filename (dir, "baseline.db", NULL);
  sqlite3 *db = NULL;
  sqlite3_open (path, &db);
  sqlite3_exec (db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)", NULL, NULL, NULL);
  gint64 t0 = g_get_monotonic_time ();
  for (guint i = 0; i < n; i++)
    sqlite3_exec (db, "INSERT INTO t (v) VALUES ('xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx')", NULL, NULL,
                  NULL);
  double s = (g_get_monotonic_time () - t0) / 1e6;
  sqlite3_close (db);
  return n / s;
}

static double
flood (JcNetClient *from, const char *to_node, Count *count, guint n)
{
  const char *to[] = { to_node, NULL };
  g_autoptr(JsonNode) body = json_node_new (JSON_NODE_VALUE);
  json_node_set_string (body, "a message of a typical control-plane size, some bytes long");
  guint start = count->received;
  gint64 t0 = g_get_monotonic_time ();
  for (guint i = 0; i < n; i++)
    g_assert_true (jc_net_client_send (from, to, "bench.flood", body, NULL, NULL));
  Want w = { count, start + n };
  g_assert_true (test_wait (enough, &w, 300000));
  return n / ((g_get_monotonic_time () - t0) / 1e6);
}

static int
cmp_double (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

int
main (int argc, char **argv)
{
  guint n = argc > 1 ? (guint) g_ascii_strtoull (argv[1], NULL, 10) : 2000;
  guint pings = 50;
  g_assert_true (jc_init (NULL));
  g_autofree char *dir = test_pki_new ();

  g_autofree char *root_url = NULL;
  TestRelay *root = test_relay_run (dir, "root", NULL, "[log]\ntarget=file\n", &root_url);
  g_autofree char *org_url = NULL;
  TestRelay *org = test_relay_run (dir, "org", root_url, "[log]\ntarget=file\n", &org_url);
  g_autofree char *dept_url = NULL;
  TestRelay *dept = test_relay_run (dir, "dept", org_url, "[log]\ntarget=file\n", &dept_url);

  JcNetClient *c = test_client_new (dir, "c", NULL, root_url);
  JcNetClient *x = test_client_new (dir, "x", NULL, root_url);
  JcNetClient *a = test_client_new (dir, "a", NULL, org_url);
  JcNetClient *d = test_client_new (dir, "d", NULL, dept_url);
  Count cx = { 0 }, ca = { 0 }, cd = { 0 };
  g_signal_connect (x, "message", G_CALLBACK (on_message), &cx);
  g_signal_connect (a, "message", G_CALLBACK (on_message), &ca);
  g_signal_connect (d, "message", G_CALLBACK (on_message), &cd);
  JcNetClient *all[] = { c, x, a, d };
  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    {
      jc_net_client_start (all[i]);
      g_assert_true (test_wait (test_client_is_connected, all[i], 10000));
    }
  /* Let the route announcements reach the root, and warm up every path. */
  flood (c, "a", &ca, 10);
  flood (c, "d", &cd, 10);
  flood (c, "x", &cx, 10);

  double base = sqlite_commit_rate (dir, 500);
  double one_hop = flood (c, "x", &cx, n);
  double two_hops = flood (c, "a", &ca, n);

  g_autoptr(GArray) lat = g_array_new (FALSE, FALSE, sizeof (double));
  for (guint i = 0; i < pings; i++)
    {
      gint64 t0 = g_get_monotonic_time ();
      flood (c, "d", &cd, 1);
      double ms = (g_get_monotonic_time () - t0) / 1000.0;
      g_array_append_val (lat, ms);
    }
  g_array_sort (lat, cmp_double);

  printf ("JOCONDE relay benchmark (loopback, mutual TLS 1.3, ECDSA P-256, SQLite WAL "
          "synchronous=FULL on every node)\n");
  printf ("  baseline: durable SQLite commits on this disk          %9.0f /s\n", base);
  printf ("  baseline: leaf -> root -> leaf (1 relay)               %9.0f deliveries/s (%u messages)\n",
          one_hop, n);
  printf ("  leaf -> root -> intermediate -> leaf (2 relays)        %9.0f deliveries/s (%u messages)\n",
          two_hops, n);
  printf ("  propagation latency to a depth-3 leaf (root->org->dept->d), %u messages one at a time:\n"
          "    median %.2f ms, p95 %.2f ms, max %.2f ms\n", pings,
          g_array_index (lat, double, pings / 2), g_array_index (lat, double, pings * 95 / 100),
          g_array_index (lat, double, pings - 1));

  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    g_object_unref (all[i]);
  test_relay_free (dept);
  test_relay_free (org);
  test_relay_free (root);
  test_rm_rf (dir);
  return 0;
}
