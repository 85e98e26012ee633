#pragma once

#include <gio/gio.h>

#include "jc-task-info.h"

G_BEGIN_DECLS

/* The printable signing sheet of a task (PDF, A4): its title and id, the hash of the CTSC
 * in groups of digits, the peers with their certificate fingerprints, and a box per
 * signatory for name, date and signature. A signatory signs it on paper; the scan is
 * imported. Display-free (cairo's PDF surface). */
gboolean jc_signing_sheet_write (JcTaskInfo *task, const char *path, GError **error);

G_END_DECLS
