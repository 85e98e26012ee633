#include "config.h"

#include "jc-application.h"
#include "jc-init.h"

/* Measures the time from the start of the app to its first frame (the main window's frame
 * clock after its first paint), with the same measure for an empty window as the baseline
 * of this machine. Prints the figures; asserts nothing about them. */

static gint64 t0;
static double app_ms, empty_ms;

static void
after_paint (GdkFrameClock *clock, gpointer user_data)
{
  double *out = user_data;

  if (*out == 0)
    *out = (double) (g_get_monotonic_time () - t0) / 1000.0;
}

static void
watch_first_frame (GtkWidget *window, double *out)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (window);
  g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint), out);
}

static void
on_map (GtkWidget *window, gpointer user_data)
{
  watch_first_frame (window, user_data);
}

int
main (int argc, char **argv)
{
  g_autofree char *profile = g_build_filename (g_getenv ("JC_TEST_DATA"), "profile", NULL);
  g_autoptr(JcApplication) app = NULL;
  GtkWidget *window;
  GtkWidget *empty;

  t0 = g_get_monotonic_time ();
  jc_init (NULL);
  app = jc_application_new ();
  jc_application_set_profile_dir (app, profile);
  if (!g_application_register (G_APPLICATION (app), NULL, NULL))
    return 1;
  g_application_activate (G_APPLICATION (app));
  window = GTK_WIDGET (gtk_application_get_active_window (GTK_APPLICATION (app)));
  if (gtk_widget_get_mapped (window))
    watch_first_frame (window, &app_ms);
  else
    g_signal_connect (window, "map", G_CALLBACK (on_map), &app_ms);
  while (app_ms == 0 && (g_get_monotonic_time () - t0) < 30 * G_USEC_PER_SEC)
    g_main_context_iteration (NULL, TRUE);

  /* Baseline: an empty window of the same toolkit, already initialised. */
  t0 = g_get_monotonic_time ();
  empty = gtk_window_new ();
  g_signal_connect (empty, "map", G_CALLBACK (on_map), &empty_ms);
  gtk_window_present (GTK_WINDOW (empty));
  while (empty_ms == 0 && (g_get_monotonic_time () - t0) < 30 * G_USEC_PER_SEC)
    g_main_context_iteration (NULL, TRUE);

  g_print ("joconde: start to first frame of the main window: %.1f ms\n", app_ms);
  g_print ("baseline: an empty GTK window on the same display, toolkit warm: %.1f ms\n", empty_ms);
  gtk_window_destroy (GTK_WINDOW (empty));
  return app_ms > 0 ? 0 : 1;
}
