#define G_LOG_DOMAIN "joconde-app"
#include "config.h"

#include <glib/gi18n.h>
#include <gtksourceview/gtksource.h>

#include "jc-app-resources.h"
#include "jc-application.h"
#include "jc-client-core.h"
#include "jc-client-local.h"
#include "jc-first-run-window.h"
#include "jc-init.h"
#include "jc-window.h"

struct _JcApplication {
  AdwApplication parent_instance;
  char          *profile_dir;
  JcClient      *client;
  GPtrArray     *engines;
};

G_DEFINE_FINAL_TYPE (JcApplication, jc_application, ADW_TYPE_APPLICATION)

static void
jc_application_finalize (GObject *object)
{
  JcApplication *self = JC_APPLICATION (object);

  g_free (self->profile_dir);
  g_clear_object (&self->client);
  g_clear_pointer (&self->engines, g_ptr_array_unref);
  G_OBJECT_CLASS (jc_application_parent_class)->finalize (object);
}

static gint
jc_application_handle_local_options (GApplication *app, GVariantDict *options)
{
  JcApplication *self = JC_APPLICATION (app);
  const char *node = NULL;

  if (g_variant_dict_lookup (options, "node", "^&ay", &node) && node && *node)
    jc_application_set_profile_dir (self, node);
  return -1;
}

static JcClient *open_client (const char *dir);
static void client_changed_cb (JcApplication *self, const char *task_id);

/* A folder that does not exist yet or is empty: the first run makes the node there. */
static gboolean
profile_is_new (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  return d == NULL || g_dir_read_name (d) == NULL;
}

/* A node made by the first run whose certificate has not been installed yet. */
static gboolean
awaits_certificate (JcApplication *self)
{
  return JC_IS_CLIENT_CORE (self->client)
         && !jc_client_profile_is_enrolled (jc_client_node_get_profile (
              jc_client_core_get_node (JC_CLIENT_CORE (self->client))));
}

/* The certificate is installed: the node's client core takes over and the tasks show. */
static void
enrolled_cb (JcFirstRunWindow *first_run, JcApplication *self)
{
  JcWindow *window;

  g_clear_object (&self->client);
  self->client = open_client (self->profile_dir);
  if (JC_IS_CLIENT_CORE (self->client))
    g_signal_connect_object (self->client, "changed", G_CALLBACK (client_changed_cb), self,
                             G_CONNECT_SWAPPED);
  window = jc_window_new (self);
  gtk_window_present (GTK_WINDOW (window));
  gtk_window_destroy (GTK_WINDOW (first_run));
}

static void
jc_application_activate (GApplication *app)
{
  JcApplication *self = JC_APPLICATION (app);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window == NULL && (profile_is_new (self->profile_dir) || awaits_certificate (self)))
    {
      window = GTK_WINDOW (jc_first_run_window_new (self, self->profile_dir));
      g_signal_connect (window, "enrolled", G_CALLBACK (enrolled_cb), self);
    }
  else if (window == NULL)
    window = GTK_WINDOW (jc_window_new (self));
  gtk_window_present (window);
}

/* A profile made by the client core is opened with it (network and all); any other
 * folder with the local reader, which does what needs no network. */
static JcClient *
open_client (const char *dir)
{
  g_autoptr(GError) error = NULL;
  JcClientCore *core;

  if (!jc_client_core_is_profile (dir))
    return JC_CLIENT (jc_client_local_new (dir));
  core = jc_client_core_new (dir, &error);
  if (core)
    return JC_CLIENT (core);
  g_warning ("The profile %s does not open: %s", dir, error->message);
  return JC_CLIENT (jc_client_local_new (dir));
}

/* News of a task: every window shows it (and notifies of an action now owed). */
static void
client_changed_cb (JcApplication *self, const char *task_id)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l; l = l->next)
    if (JC_IS_WINDOW (l->data))
      jc_window_reload (JC_WINDOW (l->data));
}

static void
jc_application_startup (GApplication *app)
{
  JcApplication *self = JC_APPLICATION (app);
  g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *new_accels[] = { "<Control>n", NULL };
  static const char *search_accels[] = { "<Control>f", NULL };
  static const char *keys_accels[] = { "<Control>k", NULL };

  G_APPLICATION_CLASS (jc_application_parent_class)->startup (app);
  gtk_source_init ();
  gtk_css_provider_load_from_resource (css, "/org/joconde/Joconde/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                              GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.new-task", new_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.search", search_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.keys", keys_accels);
  if (self->profile_dir == NULL)
    self->profile_dir = g_build_filename (g_get_user_data_dir (), "joconde", "node", NULL);
  self->client = open_client (self->profile_dir);
  if (JC_IS_CLIENT_CORE (self->client))
    g_signal_connect_object (self->client, "changed", G_CALLBACK (client_changed_cb), self,
                             G_CONNECT_SWAPPED);
}

static void
quit_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

static void
about_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  GtkApplication *app = GTK_APPLICATION (user_data);
  static const char *developers[] = { "The JOCONDE developers", NULL };

  adw_show_about_window (gtk_application_get_active_window (app),
                         "application-name", _("JOCONDE"),
                         "application-icon", JC_APP_ID,
                         "version", PACKAGE_VERSION,
                         "comments", _("Secure multi-party computation for official statistics"),
                         "license-type", GTK_LICENSE_APACHE_2_0,
                         "developers", developers,
                         "translator-credits", _("translator-credits"),
                         NULL);
}

static void
show_task_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  JcApplication *self = JC_APPLICATION (user_data);
  GtkWindow *window = NULL;

  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l; l = l->next)
    if (JC_IS_WINDOW (l->data))
      window = l->data;
  if (window == NULL)
    window = GTK_WINDOW (jc_window_new (self));
  jc_window_reload (JC_WINDOW (window));
  jc_window_set_search (JC_WINDOW (window), NULL, FALSE);
  jc_window_select_task (JC_WINDOW (window), g_variant_get_string (param, NULL));
  gtk_window_present (window);
}

static const GActionEntry app_actions[] = {
  { .name = "show-task", .activate = show_task_activated, .parameter_type = "s" },
  { .name = "quit", .activate = quit_activated },
  { .name = "about", .activate = about_activated },
};

static void
jc_application_class_init (JcApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = jc_application_finalize;
  app_class->handle_local_options = jc_application_handle_local_options;
  app_class->startup = jc_application_startup;
  app_class->activate = jc_application_activate;
}

static void
jc_application_init (JcApplication *self)
{
  static const GOptionEntry entries[] = {
    { "node", 0, 0, G_OPTION_ARG_FILENAME, NULL,
      N_("The node’s profile folder"), N_("PROFILE_DIR") },
    { NULL }
  };

  g_application_add_main_option_entries (G_APPLICATION (self), entries);
  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
}

JcApplication *
jc_application_new (void)
{
  static gsize resources_registered;

  jc_init (NULL);
  /* The resources live in a static library: register them by hand, once. */
  if (g_once_init_enter (&resources_registered))
    {
      g_resources_register (jc_app_get_resource ());
      g_once_init_leave (&resources_registered, 1);
    }
  /* One instance per profile: NON_UNIQUE, since two profiles may be open at once. */
  return g_object_new (JC_TYPE_APPLICATION,
                       "application-id", JC_APP_ID,
                       "flags", G_APPLICATION_NON_UNIQUE,
                       "resource-base-path", "/org/joconde/Joconde",
                       NULL);
}

void
jc_application_set_profile_dir (JcApplication *self, const char *dir)
{
  g_return_if_fail (self->client == NULL);
  g_free (self->profile_dir);
  self->profile_dir = g_canonicalize_filename (dir, NULL);
}

JcClient *
jc_application_get_client (JcApplication *self)
{
  return self->client;
}

GPtrArray *
jc_application_get_engines (JcApplication *self)
{
  const char *dir;
  g_autoptr(GDir) d = NULL;
  const char *name;

  if (self->engines)
    return self->engines;
  self->engines = g_ptr_array_new_with_free_func (g_object_unref);
  dir = g_getenv ("JC_ENGINE_DIR");
  if (dir == NULL)
    dir = JC_ENGINE_DIR;
  d = g_dir_open (dir, 0, NULL);
  while (d && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autoptr(GError) error = NULL;
      JcEngine *engine;

      if (!g_str_has_suffix (name, "." G_MODULE_SUFFIX))
        continue;
      path = g_build_filename (dir, name, NULL);
      engine = jc_engine_load (path, &error);
      if (engine == NULL)
        g_warning ("Engine %s is not loaded: %s", path, error->message);
      else
        g_ptr_array_add (self->engines, engine);
    }
  return self->engines;
}

JcEngine *
jc_application_find_engine (JcApplication *self, const char *id)
{
  GPtrArray *engines = jc_application_get_engines (self);

  for (guint i = 0; i < engines->len; i++)
    if (g_strcmp0 (jc_engine_get_id (g_ptr_array_index (engines, i)), id) == 0)
      return g_ptr_array_index (engines, i);
  return NULL;
}
