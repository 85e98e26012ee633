#pragma once

/* Helpers of the relay tests: a PKI made with certtool, relays run as real
 * processes on 127.0.0.1, leaf clients in the test process. */

#include <gio/gio.h>

#include "jc-net-client.h"
#include "../../tests/common/jc-test-daemon.h"

G_BEGIN_DECLS

typedef struct {
  char        *name;       /* node name in the test PKI */
  char        *conf;
  char        *state_dir;
  char        *parent_url; /* NULL: root */
  guint        port;
  GSubprocess *proc;
} TestRelay;

char        *test_pki_new          (void);
TestRelay   *test_relay_new        (const char *pki, const char *name, const char *parent_url,
                                    const char *extra_conf);
/* The first line a daemon started with a stdout pipe prints (the relay and the cpd print
 * one once they are ready). */
char        *test_first_line       (GSubprocess *proc);
void         test_relay_start      (TestRelay *relay);
/* test_relay_new and test_relay_start; its URL in *url. */
TestRelay   *test_relay_run        (const char *pki, const char *name, const char *parent_url,
                                    const char *extra_conf, char **url);
void         test_relay_kill       (TestRelay *relay);
void         test_relay_free       (TestRelay *relay);
void         test_relay_check_database (TestRelay *relay);
char        *test_relay_url        (TestRelay *relay);
JcNetClient *test_client_new       (const char *pki, const char *name, const char *dir,
                                    const char *parent_url);
/* Conditions for test_wait on a JcNetClient. */
gboolean     test_client_is_connected    (gpointer client);
gboolean     test_client_is_disconnected (gpointer client);
gboolean     test_wait             (gboolean (*done) (gpointer), gpointer data, guint timeout_ms);
void         test_spin             (guint ms);
int          test_https_status     (const char *url, const char *pki, const char *name,
                                    char **error_message);
void         test_rm_rf            (const char *path);

G_END_DECLS
