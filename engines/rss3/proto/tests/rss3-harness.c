#define G_LOG_DOMAIN "joconde-rss3-test"
#include "config.h"

#include "rss3-harness.h"
#include "jc-rss3-socket-net.h"

#include <string.h>

typedef struct {
  unsigned party;
  guint64 seed;
  JcRss3SocketNet net;
  Rss3PartyFunc fn;
  gpointer data;
  gboolean no_ctx;
} Party;

static GPrivate current_party;

void
rss3_test_disconnect (void)
{
  Party *p = g_private_get (&current_party);
  jc_rss3_socket_net_shutdown (&p->net);
}

unsigned
rss3_test_party (void)
{
  Party *p = g_private_get (&current_party);
  return p->party;
}

JcRss3Ctx *
rss3_test_ctx_new (GError **error)
{
  Party *p = g_private_get (&current_party);
  guint8 keys[3][JC_RSS3_KEY_BYTES];
  jc_rss3_test_keys (p->seed, keys);
  JcRss3Net net = { jc_rss3_socket_net_send, jc_rss3_socket_net_recv, &p->net };
  return jc_rss3_ctx_new (p->party, keys[p->party], keys[(p->party + 1) % 3], &net, error);
}

static gpointer
party_main (gpointer data)
{
  Party *p = data;
  g_private_set (&current_party, p);
  g_autoptr (GError) error = NULL;
  JcRss3Ctx *ctx = NULL;
  if (!p->no_ctx)
    {
      ctx = rss3_test_ctx_new (&error);
      g_assert_no_error (error);
    }
  p->fn (ctx, p->data);
  jc_rss3_ctx_free (ctx);
  /* like a process that exits: the peers see the links close */
  rss3_test_disconnect ();
  return NULL;
}

static void run_with (guint64 seed, Rss3PartyFunc fn, gpointer data, GByteArray *logs[3],
                      gboolean no_ctx);

void
rss3_test_run (guint64 seed, Rss3PartyFunc fn, gpointer data, GByteArray *logs[3])
{
  run_with (seed, fn, data, logs, FALSE);
}

void
rss3_test_run_raw (guint64 seed, Rss3PartyFunc fn, gpointer data)
{
  run_with (seed, fn, data, NULL, TRUE);
}

static void
run_with (guint64 seed, Rss3PartyFunc fn, gpointer data, GByteArray *logs[3], gboolean no_ctx)
{
  Party parties[3];
  memset (parties, 0, sizeof parties);
  JcRss3SocketNet nets[3];
  g_assert_true (jc_rss3_socket_nets_connect (nets));
  GThread *th[3];
  for (unsigned i = 0; i < 3; i++)
    {
      parties[i].party = i;
      parties[i].seed = seed;
      parties[i].fn = fn;
      parties[i].data = data;
      parties[i].net = nets[i];
      parties[i].net.log = logs ? logs[i] : NULL;
      parties[i].no_ctx = no_ctx;
      th[i] = g_thread_new ("party", party_main, &parties[i]);
    }
  for (unsigned i = 0; i < 3; i++)
    g_thread_join (th[i]);
  for (unsigned i = 0; i < 3; i++)
    jc_rss3_socket_net_close (&parties[i].net);
}

guint64 *
rss3_test_values (guint64 seed, size_t n)
{
  static const guint64 edges[] = { 0, 1, (guint64) -1, (guint64) G_MININT64,
                                   (guint64) G_MAXINT64, 2, (guint64) -2, 1ULL << 32 };
  guint64 *v = g_new0 (guint64, n ? n : 1);
  GRand *r = g_rand_new_with_seed ((guint32) seed);
  for (size_t e = 0; e < n; e++)
    v[e] = e < G_N_ELEMENTS (edges) ? edges[e]
                                    : ((guint64) g_rand_int (r) << 32) | g_rand_int (r);
  g_rand_free (r);
  return v;
}

JcRss3AVec *
rss3_test_input (JcRss3Ctx *ctx, const guint64 *values, size_t n)
{
  JcRss3AVec *a = jc_rss3_avec_new (n);
  g_autoptr (GError) error = NULL;
  g_assert_true (jc_rss3_input (ctx, 0, jc_rss3_ctx_get_party (ctx) == 0 ? values : NULL, n,
                                a, &error));
  g_assert_no_error (error);
  return a;
}

guint64 *
rss3_test_open (JcRss3Ctx *ctx, const JcRss3AVec *a)
{
  guint64 *out = g_new0 (guint64, a->n ? a->n : 1);
  g_autoptr (GError) error = NULL;
  g_assert_true (jc_rss3_reveal (ctx, a, out, &error));
  g_assert_no_error (error);
  return out;
}

guint64 *
rss3_test_bopen (JcRss3Ctx *ctx, const JcRss3BVec *a)
{
  guint64 *out = g_new0 (guint64, a->n ? a->n : 1);
  g_autoptr (GError) error = NULL;
  g_assert_true (jc_rss3_breveal (ctx, a, out, &error));
  g_assert_no_error (error);
  return out;
}
