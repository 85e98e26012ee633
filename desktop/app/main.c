#define G_LOG_DOMAIN "joconde-app"
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "jc-application.h"
#include "jc-init.h"

int
main (int argc, char **argv)
{
  g_autoptr(JcApplication) app = NULL;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("JC_LOCALEDIR") ? g_getenv ("JC_LOCALEDIR") : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  {
    g_autoptr(GError) error = NULL;
    if (!jc_init (&error))
      {
        g_printerr ("%s\n", error->message);
        return 1;
      }
  }
  app = jc_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
