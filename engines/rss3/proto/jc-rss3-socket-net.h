#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* One party's byte channels to its counterparts over connected stream sockets, one socket
 * per counterpart, for the three parties of one machine: threads in the test harnesses,
 * processes in joconde-engine-bench. send and recv have the shape of JcRss3Net's and of
 * the engine ABI's JcEngineHost (engines/engine.h), with the JcRss3SocketNet as user. */
typedef struct {
  int         fd[3];   /* to each counterpart; -1 for the party itself */
  GByteArray *log;     /* NULL, or collects every byte received */
} JcRss3SocketNet;

/* Sends all of BUF (a counterpart that left gives -1, never SIGPIPE); 0 or -1. */
int      jc_rss3_socket_net_send     (void *user, unsigned to, const void *buf, size_t len);
/* Receives exactly LEN bytes; 0, or -1 when the counterpart closed or failed. */
int      jc_rss3_socket_net_recv     (void *user, unsigned from, void *buf, size_t len);
/* Connects the three parties' nets in one process, pairwise with socketpairs. */
gboolean jc_rss3_socket_nets_connect (JcRss3SocketNet nets[3]);
/* Shuts the links down, as a party that crashed: its counterparts' reads fail. */
void     jc_rss3_socket_net_shutdown (JcRss3SocketNet *net);
void     jc_rss3_socket_net_close    (JcRss3SocketNet *net);

G_END_DECLS
