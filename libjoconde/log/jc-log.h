#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* Structured event records in RFC 5424 syslog format, for the audit trail of §4.4.7:
 * every request with peer address and certificate, artefacts, rotations, joins and
 * leaves. One record is one line:
 *
 *   <134>1 2026-11-21T19:43:00.123456Z host joconde-relay 4242 REQUEST
 *     [joconde@32473 peer="127.0.0.1" cn="nsi-relay" serial="0a1b"] accepted
 *
 * The SD-ID carries the private enterprise number 32473, which RFC 5612 sets aside for
 * documentation, until the project registers its own (see docs/architecture.md). */

typedef enum {
  JC_LOG_EMERGENCY = 0,
  JC_LOG_ALERT,
  JC_LOG_CRITICAL,
  JC_LOG_ERROR,
  JC_LOG_WARNING,
  JC_LOG_NOTICE,
  JC_LOG_INFO,
  JC_LOG_DEBUG,
} JcLogSeverity;

typedef enum {
  JC_LOG_TO_STDERR, /* for command-line programs and foreground daemons */
  JC_LOG_TO_SYSLOG, /* the local syslog socket (/dev/log, or the path given) */
  JC_LOG_TO_FILE,   /* appended to a file of mode 0600, one record per line */
} JcLogTarget;

#define JC_LOG_SD_ID "joconde@32473"
#define JC_LOG_FACILITY_DAEMON 3
#define JC_LOG_FACILITY_AUTHPRIV 10
#define JC_LOG_FACILITY_LOCAL0 16

typedef struct {
  const char *name;  /* SD-PARAM name: printable ASCII, no '=', ' ', ']', '"'; ≤ 32 bytes */
  const char *value; /* any UTF-8 */
} JcLogParam;

#define JC_TYPE_LOG (jc_log_get_type ())
G_DECLARE_FINAL_TYPE (JcLog, jc_log, JC, LOG, GObject)

/* PATH is the socket for JC_LOG_TO_SYSLOG (NULL: /dev/log) or the file for
 * JC_LOG_TO_FILE. */
JcLog   *jc_log_new      (const char *app_name, JcLogTarget target, const char *path,
                          GError **error);
void     jc_log_set_facility (JcLog *self, int facility);
/* Records below MIN are dropped (default JC_LOG_INFO). */
void     jc_log_set_min_severity (JcLog *self, JcLogSeverity min);

/* Writes one record. PARAMS is terminated by an entry whose name is NULL, or NULL for
 * none. A record that cannot be delivered is counted and reported once on stderr:
 * logging never stops the program. */
void     jc_log_write    (JcLog *self, JcLogSeverity severity, const char *msgid,
                          const JcLogParam *params, const char *format, ...) G_GNUC_PRINTF (5, 6);
guint64  jc_log_get_dropped (JcLog *self);

/* The formatter itself, exposed for tests and for exporting stored records. */
char    *jc_log_format_record (int facility, JcLogSeverity severity, gint64 time_us,
                               const char *hostname, const char *app_name, gint64 procid,
                               const char *msgid, const JcLogParam *params, const char *msg);

G_END_DECLS
