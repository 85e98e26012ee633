#include "config.h"

#include "jc-application.h"
#include "jc-init.h"

/* Measures the time from process start to the first frame of a window, for the app on the
 * sample profile and, as the baseline of this machine, for an empty libadwaita window:
 * each in a fresh process (this program runs itself with --app and --empty), so that both
 * pay the toolkit's start-up. Prints the figures of three runs each; asserts nothing about
 * them (docs/benchmarks: figures, not timed assertions). */

static gint64 t0;
static double first_frame_ms;

static void
after_paint (GdkFrameClock *clock, gpointer user_data)
{
  if (first_frame_ms == 0)
    first_frame_ms = (double) (g_get_monotonic_time () - t0) / 1000.0;
}

static void
on_map (GtkWidget *window, gpointer user_data)
{
  g_signal_connect (gtk_widget_get_frame_clock (window), "after-paint", G_CALLBACK (after_paint), NULL);
}

static void
watch (GtkWidget *window)
{
  if (gtk_widget_get_mapped (window))
    on_map (window, NULL);
  else
    g_signal_connect (window, "map", G_CALLBACK (on_map), NULL);
  while (first_frame_ms == 0 && (g_get_monotonic_time () - t0) < 30 * G_USEC_PER_SEC)
    g_main_context_iteration (NULL, TRUE);
}

static int
run_app (void)
{
  g_autofree char *profile = g_build_filename (g_getenv ("JC_TEST_DATA"), "profile", NULL);
  g_autoptr(JcApplication) app = NULL;

  jc_init (NULL);
  app = jc_application_new ();
  jc_application_set_profile_dir (app, profile);
  if (!g_application_register (G_APPLICATION (app), NULL, NULL))
    return 1;
  g_application_activate (G_APPLICATION (app));
  watch (GTK_WIDGET (gtk_application_get_active_window (GTK_APPLICATION (app))));
  g_print ("%.1f\n", first_frame_ms);
  return first_frame_ms > 0 ? 0 : 1;
}

static int
run_empty (void)
{
  GtkWidget *window;

  adw_init ();
  window = adw_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  gtk_window_present (GTK_WINDOW (window));
  watch (window);
  g_print ("%.1f\n", first_frame_ms);
  return first_frame_ms > 0 ? 0 : 1;
}

static double
measure (const char *self, const char *mode)
{
  const char *argv[] = { self, mode, NULL };
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL,
                     &status, &error) || !g_spawn_check_wait_status (status, NULL))
    return -1;
  return g_ascii_strtod (out, NULL);
}

int
main (int argc, char **argv)
{
  t0 = g_get_monotonic_time ();
  if (argc > 1 && g_str_equal (argv[1], "--app"))
    return run_app ();
  if (argc > 1 && g_str_equal (argv[1], "--empty"))
    return run_empty ();

  g_print ("Start to first frame (ms), each in a fresh process, under this display:\n");
  /* The very first start reads icon themes, fonts and the app's files from disk; later
   * starts find them in the page cache. Both are shown. */
  {
    double app = measure (argv[0], "--app");
    double empty = measure (argv[0], "--empty");
    if (empty < 0 || app < 0)
      return 1;
    g_print ("  cold:  joconde main window %7.1f   then an empty libadwaita window %7.1f\n", app, empty);
  }
  for (guint i = 0; i < 3; i++)
    {
      double empty = measure (argv[0], "--empty");
      double app = measure (argv[0], "--app");
      if (empty < 0 || app < 0)
        return 1;
      g_print ("  run %u: empty libadwaita window %7.1f   joconde main window %7.1f\n", i + 1, empty, app);
    }
  return 0;
}
