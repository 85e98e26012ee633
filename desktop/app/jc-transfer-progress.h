#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* The progress of an upload or a download as the upload and download windows show it:
 * DONE of TOTAL bytes (TOTAL 0: not known, the bar pulses) in BAR, and in LABEL the
 * amounts, the speed since START (g_get_monotonic_time) and the time left. */
void jc_transfer_progress_show (GtkProgressBar *bar, GtkLabel *label, guint64 done,
                                guint64 total, gint64 start);

G_END_DECLS
