#define G_LOG_DOMAIN "joconde-test"
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "jc-log.h"

static void
test_format_exact (void)
{
  const JcLogParam params[] = {
    { "peer", "127.0.0.1" },
    { "cn", "nsi-relay" },
    { "serial", "0a1b" },
    { NULL, NULL },
  };
  g_autofree char *rec = jc_log_format_record (JC_LOG_FACILITY_LOCAL0, JC_LOG_INFO,
                                               1795290180123456, "relay-host", "joconde-relay",
                                               4242, "REQUEST", params, "accepted");

  g_assert_cmpstr (rec, ==,
                   "<134>1 2026-11-21T19:43:00.123456Z relay-host joconde-relay 4242 REQUEST "
                   "[joconde@32473 peer=\"127.0.0.1\" cn=\"nsi-relay\" serial=\"0a1b\"] accepted");
}

static void
test_format_escaping (void)
{
  /* RFC 5424 §6.3.3 escapes; header fields never carry spaces; line breaks never split
   * a record. */
  const JcLogParam params[] = {
    { "cn", "a\"b\\c]d\ne" },
    { "bad name=x", "v" },
    { NULL, NULL },
  };
  g_autofree char *rec = jc_log_format_record (JC_LOG_FACILITY_DAEMON, JC_LOG_ERROR, 0,
                                               "host name", "", 0, NULL, params, "two\nlines");

  g_assert_cmpstr (rec, ==,
                   "<27>1 1970-01-01T00:00:00.000000Z host_name - - - "
                   "[joconde@32473 cn=\"a\\\"b\\\\c\\]d\\ne\" bad_name_x=\"v\"] two lines");
  g_assert_null (strchr (rec, '\n'));
}

static void
test_no_params (void)
{
  g_autofree char *rec = jc_log_format_record (JC_LOG_FACILITY_DAEMON, JC_LOG_NOTICE, 0,
                                               "h", "app", 1, "START", NULL, NULL);
  g_assert_cmpstr (rec, ==, "<29>1 1970-01-01T00:00:00.000000Z h app 1 START -");
}

static void
test_file_target (void)
{
  g_autofree char *dir = g_dir_make_tmp ("jc-log-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "audit.log", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  struct stat st;

  {
    g_autoptr(JcLog) log = jc_log_new ("joconde-test", JC_LOG_TO_FILE, path, &error);
    const JcLogParam p[] = { { "task", "t1" }, { NULL, NULL } };
    g_assert_no_error (error);
    jc_log_write (log, JC_LOG_INFO, "ARTEFACT", p, "stored %d bytes", 42);
    jc_log_write (log, JC_LOG_DEBUG, "NOISE", NULL, "dropped by the default minimum");
    jc_log_set_min_severity (log, JC_LOG_DEBUG);
    jc_log_write (log, JC_LOG_DEBUG, "DETAIL", NULL, "kept");
    g_assert_cmpuint (jc_log_get_dropped (log), ==, 0);
  }
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 3); /* two records and the empty tail */
  g_assert_true (g_str_has_prefix (lines[0], "<30>1 "));
  g_assert_nonnull (strstr (lines[0], " ARTEFACT [joconde@32473 task=\"t1\"] stored 42 bytes"));
  g_assert_nonnull (strstr (lines[1], " DETAIL - kept"));
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_unlink (path);
  g_rmdir (dir);
}

static void
test_syslog_target (void)
{
  g_autofree char *dir = g_dir_make_tmp ("jc-log-XXXXXX", NULL);
  g_autofree char *sock_path = g_build_filename (dir, "log.sock", NULL);
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  int server = socket (AF_UNIX, SOCK_DGRAM, 0);
  char buf[2048];
  ssize_t n;
  g_autoptr(GError) error = NULL;

  strcpy (addr.sun_path, sock_path);
  g_assert_cmpint (bind (server, (struct sockaddr *) &addr, sizeof addr), ==, 0);
  {
    g_autoptr(JcLog) log = jc_log_new ("joconde-test", JC_LOG_TO_SYSLOG, sock_path, &error);
    g_assert_no_error (error);
    jc_log_set_facility (log, JC_LOG_FACILITY_AUTHPRIV);
    jc_log_write (log, JC_LOG_WARNING, "LOGIN", NULL, "refused");
  }
  n = recv (server, buf, sizeof buf - 1, 0);
  g_assert_cmpint (n, >, 0);
  buf[n] = '\0';
  g_assert_true (g_str_has_prefix (buf, "<84>1 ")); /* 10*8 + 4 */
  g_assert_true (g_str_has_suffix (buf, " LOGIN - refused"));
  close (server);
  g_unlink (sock_path);
  g_rmdir (dir);
}

static void
test_syslog_missing_socket (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcLog) log = jc_log_new ("joconde-test", JC_LOG_TO_SYSLOG, "/nonexistent/log.sock", &error);

  g_assert_null (log);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "/nonexistent/log.sock"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/log/format/exact", test_format_exact);
  g_test_add_func ("/log/format/escaping", test_format_escaping);
  g_test_add_func ("/log/format/no-params", test_no_params);
  g_test_add_func ("/log/target/file", test_file_target);
  g_test_add_func ("/log/target/syslog", test_syslog_target);
  g_test_add_func ("/log/target/syslog-missing", test_syslog_missing_socket);
  return g_test_run ();
}
