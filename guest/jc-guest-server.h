#pragma once

#include <gio/gio.h>

#include "jc-guest-state.h"
#include "jc-guest-task.h"

G_BEGIN_DECLS

#define JC_TYPE_GUEST_SERVER (jc_guest_server_get_type ())
G_DECLARE_FINAL_TYPE (JcGuestServer, jc_guest_server, JC, GUEST_SERVER, GObject)

/* The orchestrator's one listening port. Each connection is told apart by its first byte:
 *  - attested TLS (docs/attestation.md): the IO protocol of clients and the links of the
 *    counterpart VMs, served by TASK;
 *  - plain HTTP: GET /health → {"state", "version"[, "cta_sha256", "task_id", "cta_hash",
 *    "party", "destroy"]}, and the cpd's POST /counterparts and POST /control
 *    (docs/guest.md "The cpd interface").
 *
 * cta may be NULL when the orchestrator runs without an agreement, task NULL when it runs
 * no verified agreement (health only). */
JcGuestServer *jc_guest_server_new (GBytes *cta, JcGuestTask *task);

/* Listens on "ADDRESS:PORT" ("127.0.0.1:8443", "[::1]:8443", "0.0.0.0:0"). Port 0 picks a
 * free port, reported by jc_guest_server_get_port(). Serves on the thread-default main
 * context of the caller. */
gboolean jc_guest_server_listen (JcGuestServer *self, const char *address, GError **error);

/* The port listened on, or 0 before jc_guest_server_listen() succeeded. */
guint16 jc_guest_server_get_port (JcGuestServer *self);

JcGuestState jc_guest_server_get_state (JcGuestServer *self);

G_END_DECLS
