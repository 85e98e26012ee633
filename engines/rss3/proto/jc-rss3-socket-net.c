#define G_LOG_DOMAIN "joconde-rss3"
#include "config.h"

#include "jc-rss3-socket-net.h"

#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

int
jc_rss3_socket_net_send (void *user, unsigned to, const void *buf, size_t len)
{
  JcRss3SocketNet *net = user;
  const guint8 *p = buf;

  while (len > 0)
    {
      /* MSG_NOSIGNAL: a counterpart that gave up must not kill this party with SIGPIPE. */
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

int
jc_rss3_socket_net_recv (void *user, unsigned from, void *buf, size_t len)
{
  JcRss3SocketNet *net = user;
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

gboolean
jc_rss3_socket_nets_connect (JcRss3SocketNet nets[3])
{
  for (unsigned i = 0; i < 3; i++)
    nets[i].fd[i] = -1;
  for (unsigned i = 0; i < 3; i++)
    for (unsigned j = i + 1; j < 3; j++)
      {
        int sv[2];
        if (socketpair (AF_UNIX, SOCK_STREAM, 0, sv) != 0)
          return FALSE;
        nets[i].fd[j] = sv[0];
        nets[j].fd[i] = sv[1];
      }
  return TRUE;
}

void
jc_rss3_socket_net_shutdown (JcRss3SocketNet *net)
{
  for (unsigned j = 0; j < 3; j++)
    if (net->fd[j] >= 0)
      shutdown (net->fd[j], SHUT_RDWR);
}

void
jc_rss3_socket_net_close (JcRss3SocketNet *net)
{
  for (unsigned j = 0; j < 3; j++)
    if (net->fd[j] >= 0)
      {
        close (net->fd[j]);
        net->fd[j] = -1;
      }
}
