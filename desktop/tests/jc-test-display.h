#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* What the display tests share: running the main loop, waiting for a condition and
 * saving screenshots to JC_SCREENSHOT_DIR. */

/* Lets the main loop run for MS milliseconds (layout, drawing, idle work). */
void     jc_test_spin        (guint ms);

/* Runs the main loop until DONE (DATA) or TIMEOUT_MS, then asserts DONE. */
void     jc_test_wait_for    (gboolean (*done) (gpointer), gpointer data, guint timeout_ms);

/* DATA points to an int that is no longer 0. */
gboolean jc_test_flag_set    (gpointer data);

/* DATA is a widget that is mapped with a width. */
gboolean jc_test_window_ready (gpointer data);

/* The first mapped toplevel window for which MATCH (window, DATA) holds, or NULL: the
 * dialogs the app opens on its own. */
GtkWindow *jc_test_find_window (gboolean (*match) (GtkWindow *, gpointer), gpointer data);

/* WIDGET as it is drawn, in JC_SCREENSHOT_DIR/NAME (PNG). */
void     jc_test_screenshot  (GtkWidget *widget, const char *name);

G_END_DECLS
