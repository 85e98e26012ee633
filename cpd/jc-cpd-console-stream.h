#pragma once

#include <gio/gio.h>
#include <libvirt/libvirt.h>

G_BEGIN_DECLS

/* A libvirt stream (a domain's serial console) read as a blocking GInputStream: what the
 * cpd forwards to syslog as the VM's log. Reads block in the calling thread until output
 * comes, and end when the domain goes away. */
#define JC_CPD_TYPE_CONSOLE_STREAM (jc_cpd_console_stream_get_type ())
G_DECLARE_FINAL_TYPE (JcCpdConsoleStream, jc_cpd_console_stream, JC_CPD, CONSOLE_STREAM, GInputStream)

/* Takes STREAM (a blocking stream the console was opened on) and CONN, the connection of
 * its own it was opened through: libvirt's remote driver holds a connection's lock while a
 * blocking receive waits, so a console must never share the connection of other calls. */
GInputStream *jc_cpd_console_stream_new (virStreamPtr stream, virConnectPtr conn);

G_END_DECLS
