/* joconde-engine-bench: throughput, rounds and traffic of the MPC engine, three parties as
 * separate processes over loopback TCP. */
#define G_LOG_DOMAIN "joconde-bench"
#include "config.h"

#include "jc-bench.h"
#include "jc-rss3-socket-net.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>

/* Add further tables of benchmarks here (see jc-bench.h). */
static const JcBenchOp *const op_tables[] = {
  jc_bench_proto_ops,
  jc_bench_sql_ops,
};

typedef struct {
  int ok;
  double seconds;
  guint64 bytes_sent;
  guint64 rounds;
  char message[200];
} PartyResult;

static int
listen_loopback (guint16 *port)
{
  int fd = socket (AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  socklen_t sl = sizeof sa;
  if (fd < 0 || bind (fd, (struct sockaddr *) &sa, sizeof sa) != 0 || listen (fd, 4) != 0 ||
      getsockname (fd, (struct sockaddr *) &sa, &sl) != 0)
    {
      perror ("listen");
      exit (2);
    }
  *port = ntohs (sa.sin_port);
  return fd;
}

static void
tune (int fd)
{
  int one = 1;
  setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

static int
connect_loopback (guint16 port, unsigned me)
{
  int fd = socket (AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons (port),
                            .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  if (fd < 0 || connect (fd, (struct sockaddr *) &sa, sizeof sa) != 0)
    return -1;
  guint8 id = (guint8) me;
  if (write (fd, &id, 1) != 1)
    return -1;
  tune (fd);
  return fd;
}

static double
now (void)
{
  return g_get_monotonic_time () / 1e6;
}

/* One party: connect, make the context, set up, wait for the others, time the run. */
static PartyResult
party_main (unsigned party, int listeners[2], guint16 ports[2], const JcBenchOp *op, size_t n)
{
  PartyResult res = { 0 };
  JcRss3SocketNet tn = { { -1, -1, -1 }, NULL };
  for (unsigned q = 0; q < party; q++)
    tn.fd[q] = connect_loopback (ports[q], party);
  for (unsigned k = party + 1; k < 3; k++)
    {
      int fd = accept (listeners[party], NULL, NULL);
      guint8 id = 0;
      if (fd < 0 || read (fd, &id, 1) != 1 || id > 2)
        {
          g_snprintf (res.message, sizeof res.message, "accept failed");
          return res;
        }
      tune (fd);
      tn.fd[id] = fd;
    }
  guint8 keys[3][JC_RSS3_KEY_BYTES];
  jc_rss3_test_keys (20261121, keys);
  JcRss3Net net = { jc_rss3_socket_net_send, jc_rss3_socket_net_recv, &tn };
  g_autoptr (GError) error = NULL;
  g_autoptr (JcRss3Ctx) ctx = jc_rss3_ctx_new (party, keys[party], keys[(party + 1) % 3], &net,
                                               &error);
  JcBenchEnv env = { party, n, ctx, &net, keys[party], keys[(party + 1) % 3] };
  gpointer state = NULL;
  if (ctx && op->setup (&env, &state, &error))
    {
      /* a one-element reveal as a barrier so the three clocks start together */
      g_autoptr (JcRss3AVec) one = jc_rss3_avec_new (1);
      guint64 out;
      gboolean ready = !op->warmup || op->run (&env, state, &error);
      if (ready && jc_rss3_reveal (ctx, one, &out, &error))
        {
          jc_rss3_ctx_reset_stats (ctx);
          double t0 = now ();
          if (op->run (&env, state, &error))
            {
              res.seconds = now () - t0;
              JcRss3Stats st;
              jc_rss3_ctx_get_stats (ctx, &st);
              res.bytes_sent = st.bytes_sent;
              res.rounds = st.rounds;
              res.ok = 1;
            }
        }
    }
  if (state && op->teardown)
    op->teardown (state);
  if (error)
    g_snprintf (res.message, sizeof res.message, "%s", error->message);
  return res;
}

static gboolean
run_mpc (const JcBenchOp *op, size_t n, PartyResult out[3])
{
  int listeners[2];
  guint16 ports[2];
  listeners[0] = listen_loopback (&ports[0]);
  listeners[1] = listen_loopback (&ports[1]);
  pid_t pids[3];
  int pipes[3][2];
  for (unsigned p = 0; p < 3; p++)
    {
      if (pipe (pipes[p]) != 0)
        return FALSE;
      fflush (stdout);
      pids[p] = fork ();
      if (pids[p] == 0)
        {
          PartyResult r = party_main (p, listeners, ports, op, n);
          ssize_t w = write (pipes[p][1], &r, sizeof r);
          _exit (w == sizeof r && r.ok ? 0 : 1);
        }
      close (pipes[p][1]);
    }
  close (listeners[0]);
  close (listeners[1]);
  gboolean ok = TRUE;
  for (unsigned p = 0; p < 3; p++)
    {
      memset (&out[p], 0, sizeof out[p]);
      if (read (pipes[p][0], &out[p], sizeof out[p]) != sizeof out[p] || !out[p].ok)
        ok = FALSE;
      close (pipes[p][0]);
    }
  for (unsigned p = 0; p < 3; p++)
    waitpid (pids[p], NULL, 0);
  return ok;
}

static const JcBenchOp *
find_op (const char *name)
{
  for (size_t t = 0; t < G_N_ELEMENTS (op_tables); t++)
    for (const JcBenchOp *op = op_tables[t]; op->op; op++)
      if (g_str_equal (op->op, name))
        return op;
  return NULL;
}

int
main (int argc, char **argv)
{
  gboolean json = FALSE;
  g_autofree char *ops_arg = NULL, *sizes_arg = NULL;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "One JSON object per line", NULL },
    { "ops", 0, 0, G_OPTION_ARG_STRING, &ops_arg, "Comma-separated benchmarks (default: mul,lt,eq,shuffle,sort)", "LIST" },
    { "sizes", 0, 0, G_OPTION_ARG_STRING, &sizes_arg, "Comma-separated sizes (default: 10000,100000,1000000)", "LIST" },
    { NULL },
  };
  g_autoptr (GOptionContext) oc = g_option_context_new ("- benchmark the MPC engine");
  g_option_context_add_main_entries (oc, entries, NULL);
  g_autoptr (GError) error = NULL;
  if (!g_option_context_parse (oc, &argc, &argv, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      return 2;
    }
  g_auto (GStrv) ops = g_strsplit (ops_arg ? ops_arg : "mul,lt,eq,shuffle,sort", ",", -1);
  g_auto (GStrv) sizes = g_strsplit (sizes_arg ? sizes_arg : "10000,100000,1000000", ",", -1);
  if (!json)
    printf ("%-14s %9s %10s %14s %14s %8s %12s\n", "op", "n", "seconds", "per_second",
            "bytes/party", "rounds", "plain_sec");
  int status = 0;
  for (char **o = ops; *o; o++)
    {
      const JcBenchOp *op = find_op (*o);
      if (!op)
        {
          fprintf (stderr, "unknown benchmark %s\n", *o);
          return 2;
        }
      for (char **s = sizes; *s; s++)
        {
          size_t n = (size_t) g_ascii_strtoull (*s, NULL, 10);
          double plain = -1;
          if (op->baseline)
            {
              double t0 = now ();
              op->baseline (n);
              plain = now () - t0;
            }
          double seconds;
          double bytes = 0, bytes_max = 0;
          guint64 rounds = 0;
          if (op->plain)
            {
              JcBenchEnv env = { 0, n, NULL, NULL, NULL, NULL };
              gpointer state = NULL;
              gboolean ok = !op->setup || op->setup (&env, &state, &error);
              double t0 = now ();
              ok = ok && op->run (&env, state, &error);
              seconds = now () - t0;
              if (op->teardown && state)
                op->teardown (state);
              if (!ok)
                {
                  fprintf (stderr, "%s n=%zu failed: %s\n", op->op, n, error ? error->message : "?");
                  g_clear_error (&error);
                  status = 1;
                  continue;
                }
            }
          else
            {
              PartyResult r[3];
              if (!run_mpc (op, n, r))
                {
                  fprintf (stderr, "%s n=%zu failed: %s%s%s\n", op->op, n, r[0].message,
                           r[1].message, r[2].message);
                  status = 1;
                  continue;
                }
              seconds = MAX (r[0].seconds, MAX (r[1].seconds, r[2].seconds));
              for (int p = 0; p < 3; p++)
                {
                  bytes += r[p].bytes_sent / 3.0;
                  bytes_max = MAX (bytes_max, (double) r[p].bytes_sent);
                }
              rounds = r[0].rounds;
            }
          double per_elem = n ? bytes / n : 0;
          double per_second = seconds > 0 ? n / seconds : 0;
          if (json)
            printf ("{\"op\":\"%s\",\"n\":%zu,\"seconds\":%.6f,\"per_second\":%.1f,"
                    "\"bytes_per_party\":%.2f,\"bytes_per_party_max\":%.2f,\"rounds\":%" G_GUINT64_FORMAT
                    ",\"plain_seconds\":%.6f}\n",
                    op->op, n, seconds, per_second, per_elem, n ? bytes_max / n : 0, rounds, plain);
          else
            printf ("%-14s %9zu %10.4f %14.0f %14.2f %8" G_GUINT64_FORMAT " %12.6f\n", op->op, n,
                    seconds, per_second, per_elem, rounds, plain);
          fflush (stdout);
        }
    }
  return status;
}
