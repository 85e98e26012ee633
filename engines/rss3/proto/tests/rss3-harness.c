#define G_LOG_DOMAIN "joconde-rss3-test"
#include "config.h"

#include "rss3-harness.h"

#include <errno.h>
#include <sys/socket.h>
#include <string.h>
#include <unistd.h>

typedef struct {
  int fd[3];
  GByteArray *log;
} Net;

typedef struct {
  unsigned party;
  guint64 seed;
  Net net;
  Rss3PartyFunc fn;
  gpointer data;
  gboolean no_ctx;
} Party;

static GPrivate current_party;

void
rss3_test_disconnect (void)
{
  Party *p = g_private_get (&current_party);
  Net *net = &p->net;
  for (int j = 0; j < 3; j++)
    if (net->fd[j] >= 0)
      shutdown (net->fd[j], SHUT_RDWR);
}

static int
net_send (void *user, unsigned to, const void *buf, size_t len)
{
  Net *net = user;
  const guint8 *p = buf;
  while (len > 0)
    {
      ssize_t w = send (net->fd[to], p, len, MSG_NOSIGNAL);
      if (w < 0 && errno == EINTR)
        continue;
      if (w <= 0)
        return -1;
      p += w;
      len -= (size_t) w;
    }
  return 0;
}

static int
net_recv (void *user, unsigned from, void *buf, size_t len)
{
  Net *net = user;
  guint8 *p = buf;
  size_t want = len;
  while (len > 0)
    {
      ssize_t r = read (net->fd[from], p, len);
      if (r < 0 && errno == EINTR)
        continue;
      if (r <= 0)
        return -1;
      p += r;
      len -= (size_t) r;
    }
  if (net->log)
    g_byte_array_append (net->log, buf, (guint) want);
  return 0;
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
  JcRss3Net net = { net_send, net_recv, &p->net };
  return jc_rss3_ctx_new (p->party, keys[p->party], keys[(p->party + 1) % 3], &net, error);
}

static gpointer
party_main (gpointer data)
{
  Party *p = data;
  g_private_set (&current_party, p);
  guint8 keys[3][JC_RSS3_KEY_BYTES];
  jc_rss3_test_keys (p->seed, keys);
  JcRss3Net net = { net_send, net_recv, &p->net };
  g_autoptr (GError) error = NULL;
  JcRss3Ctx *ctx = NULL;
  if (!p->no_ctx)
    {
      ctx = jc_rss3_ctx_new (p->party, keys[p->party], keys[(p->party + 1) % 3], &net, &error);
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
  for (unsigned i = 0; i < 3; i++)
    for (unsigned j = i + 1; j < 3; j++)
      {
        int sv[2];
        g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM, 0, sv), ==, 0);
        parties[i].net.fd[j] = sv[0];
        parties[j].net.fd[i] = sv[1];
      }
  GThread *th[3];
  for (unsigned i = 0; i < 3; i++)
    {
      parties[i].party = i;
      parties[i].seed = seed;
      parties[i].fn = fn;
      parties[i].data = data;
      parties[i].net.log = logs ? logs[i] : NULL;
      parties[i].no_ctx = no_ctx;
      th[i] = g_thread_new ("party", party_main, &parties[i]);
    }
  for (unsigned i = 0; i < 3; i++)
    g_thread_join (th[i]);
  for (unsigned i = 0; i < 3; i++)
    for (unsigned j = 0; j < 3; j++)
      if (i != j)
        close (parties[i].net.fd[j]);
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
