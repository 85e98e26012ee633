#define G_LOG_DOMAIN "joconde-app"
#include "config.h"

#include "jc-transfer-progress.h"
#include "jc-transfer-view.h"

void
jc_transfer_progress_show (GtkProgressBar *bar, GtkLabel *label, guint64 done, guint64 total,
                           gint64 start)
{
  g_autofree char *text = NULL;

  if (total > 0)
    gtk_progress_bar_set_fraction (bar, MIN (1.0, (double) done / (double) total));
  else
    gtk_progress_bar_pulse (bar);
  text = jc_transfer_progress_text (done, total, (g_get_monotonic_time () - start) / 1e6);
  gtk_label_set_text (label, text);
}
