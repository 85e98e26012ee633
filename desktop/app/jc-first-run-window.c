#define G_LOG_DOMAIN "joconde-app"
#include "config.h"

#include <glib/gi18n.h>

#include "jc-client-profile.h"
#include "jc-first-run-window.h"
#include "jc-roles.h"

struct _JcFirstRunWindow {
  AdwApplicationWindow parent_instance;
  AdwToastOverlay *toast_overlay;
  GtkStack        *stack;
  AdwEntryRow     *name_row;
  AdwEntryRow     *company_row;
  AdwEntryRow     *email_row;
  AdwEntryRow     *parent_row;
  AdwEntryRow     *organisation_row;
  AdwActionRow    *ca_row;
  AdwPreferencesGroup *roles_group;
  GtkLabel        *key_id_label;
  GtkTextView     *csr_view;

  GtkWidget       *role_checks[5];
  char            *profile_dir;
  char            *root_ca;
  char            *csr;
  char            *key_id;
  JcClientProfile *profile;
  GtkFileChooserNative *chooser;
};

enum { ENROLLED, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (JcFirstRunWindow, jc_first_run_window, ADW_TYPE_APPLICATION_WINDOW)

static const struct { JcRoles role; const char *title; const char *subtitle; } roles[] = {
  { JC_ROLE_ORGANISER, N_("Task organiser"), N_("Drafts tasks and signs the organisation’s addendum") },
  { JC_ROLE_SIGNATORY, N_("Signatory"), N_("Signs agreements for the organisation") },
  { JC_ROLE_CUSTODIAN, N_("Data custodian"), N_("Uploads the organisation’s input tables") },
  { JC_ROLE_ANALYST, N_("Data analyst"), N_("Downloads results") },
  { JC_ROLE_APPROVER, N_("SO approver"), N_("Approves or rejects tasks for the System Operator") },
};

static void
toast (JcFirstRunWindow *self, const char *text)
{
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (text));
}

gboolean
jc_first_run_window_set_root_ca (JcFirstRunWindow *self, const char *path)
{
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    return FALSE;
  g_free (self->root_ca);
  self->root_ca = g_strdup (path);
  adw_action_row_set_subtitle (self->ca_row, path);
  return TRUE;
}

/* The local path of the file chosen in CHOOSER; NULL when the user cancelled. */
static char *
chosen_path (GtkNativeDialog *chooser, int response)
{
  g_autoptr(GFile) file = NULL;

  if (response != GTK_RESPONSE_ACCEPT)
    return NULL;
  file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  return file ? g_file_get_path (file) : NULL;
}

static void
ca_response (GtkNativeDialog *chooser, int response, gpointer user_data)
{
  JcFirstRunWindow *self = user_data;
  g_autofree char *path = chosen_path (chooser, response);

  if (path)
    jc_first_run_window_set_root_ca (self, path);
  g_clear_object (&self->chooser);
}

static GtkFileChooserNative *
open_chooser (JcFirstRunWindow *self, const char *title, const char *accept, GCallback response)
{
  g_clear_object (&self->chooser);
  self->chooser = gtk_file_chooser_native_new (title, GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_OPEN, accept, NULL);
  g_signal_connect (self->chooser, "response", response, self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
  return self->chooser;
}

static void
on_choose_ca_clicked (JcFirstRunWindow *self)
{
  open_chooser (self, _("Choose the System Root Certificate"), _("_Choose"), G_CALLBACK (ca_response));
}

static const char *
row_text (AdwEntryRow *row)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (row));
  return text && *text ? text : NULL;
}

static void show_request (JcFirstRunWindow *self);

static void
on_create_clicked (JcFirstRunWindow *self)
{
  g_autoptr(GError) error = NULL;
  JcRoles chosen = JC_ROLE_NONE;
  JcClientProfileSetup setup = { 0 };
  g_autofree char *key_id = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (roles); i++)
    if (gtk_check_button_get_active (GTK_CHECK_BUTTON (self->role_checks[i])))
      chosen |= roles[i].role;
  setup.name = row_text (self->name_row);
  setup.company = row_text (self->company_row);
  setup.department = "";
  setup.email = row_text (self->email_row);
  setup.parent_url = row_text (self->parent_row);
  setup.organisation = row_text (self->organisation_row);
  setup.root_ca_file = self->root_ca;
  setup.roles = chosen;
  if (!setup.name || !setup.company || !setup.email || !setup.parent_url || !self->root_ca
      || chosen == JC_ROLE_NONE)
    {
      toast (self, _("Fill in the node name, organisation, email and parent address, choose the root certificate and at least one role"));
      return;
    }
  self->profile = jc_client_profile_create (self->profile_dir, &setup, &error);
  if (!self->profile
      || !(self->csr = jc_client_profile_get_csr (self->profile, &key_id, &error)))
    {
      toast (self, error->message);
      g_clear_object (&self->profile);
      return;
    }
  self->key_id = g_steal_pointer (&key_id);
  show_request (self);
}

static void
show_request (JcFirstRunWindow *self)
{
  g_autofree char *shown = NULL;

  {
    /* Groups of four, to read over the phone (and to wrap on a narrow screen). */
    g_autoptr(GString) grouped = g_string_new (NULL);
    for (const char *c = self->key_id; *c; c++)
      {
        if (c != self->key_id && (c - self->key_id) % 4 == 0)
          g_string_append_c (grouped, ' ');
        g_string_append_c (grouped, *c);
      }
    shown = g_strdup_printf (_("Key fingerprint: %s"), grouped->str);
  }
  gtk_label_set_text (self->key_id_label, shown);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->csr_view), self->csr, -1);
  gtk_stack_set_visible_child_name (self->stack, "request");
}

static void
on_copy_clicked (JcFirstRunWindow *self)
{
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), self->csr ? self->csr : "");
  toast (self, _("The request was copied"));
}

gboolean
jc_first_run_window_install (JcFirstRunWindow *self, const char *chain_path, GError **error)
{
  g_autofree char *pem = NULL;

  if (!g_file_get_contents (chain_path, &pem, NULL, error)
      || !jc_client_profile_install_chain (self->profile, pem, error))
    return FALSE;
  g_signal_emit (self, signals[ENROLLED], 0);
  return TRUE;
}

static void
install_response (GtkNativeDialog *chooser, int response, gpointer user_data)
{
  JcFirstRunWindow *self = user_data;
  g_autofree char *path = chosen_path (chooser, response);
  g_autoptr(GError) error = NULL;

  if (path && !jc_first_run_window_install (self, path, &error))
    toast (self, error->message);
  g_clear_object (&self->chooser);
}

static void
on_install_clicked (JcFirstRunWindow *self)
{
  open_chooser (self, _("Install the Certificate"), _("_Install"), G_CALLBACK (install_response));
}

const char *
jc_first_run_window_get_key_id (JcFirstRunWindow *self)
{
  return self->key_id;
}

static void
jc_first_run_window_dispose (GObject *object)
{
  JcFirstRunWindow *self = JC_FIRST_RUN_WINDOW (object);

  g_clear_object (&self->chooser);
  g_clear_object (&self->profile);
  G_OBJECT_CLASS (jc_first_run_window_parent_class)->dispose (object);
}

static void
jc_first_run_window_finalize (GObject *object)
{
  JcFirstRunWindow *self = JC_FIRST_RUN_WINDOW (object);

  g_free (self->profile_dir);
  g_free (self->root_ca);
  g_free (self->csr);
  g_free (self->key_id);
  G_OBJECT_CLASS (jc_first_run_window_parent_class)->finalize (object);
}

static void
jc_first_run_window_class_init (JcFirstRunWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = jc_first_run_window_dispose;
  G_OBJECT_CLASS (klass)->finalize = jc_first_run_window_finalize;
  signals[ENROLLED] = g_signal_new ("enrolled", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/joconde/Joconde/jc-first-run-window.ui");
  gtk_widget_class_bind_template_child (widget_class, JcFirstRunWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, JcFirstRunWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, JcFirstRunWindow, name_row);
  gtk_widget_class_bind_template_child (widget_class, JcFirstRunWindow, company_row);
  gtk_widget_class_bind_template_child (widget_class, JcFirstRunWindow, email_row);
  gtk_widget_class_bind_template_child (widget_class, JcFirstRunWindow, parent_row);
  gtk_widget_class_bind_template_child (widget_class, JcFirstRunWindow, organisation_row);
  gtk_widget_class_bind_template_child (widget_class, JcFirstRunWindow, ca_row);
  gtk_widget_class_bind_template_child (widget_class, JcFirstRunWindow, roles_group);
  gtk_widget_class_bind_template_child (widget_class, JcFirstRunWindow, key_id_label);
  gtk_widget_class_bind_template_child (widget_class, JcFirstRunWindow, csr_view);
  gtk_widget_class_bind_template_callback (widget_class, on_choose_ca_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_create_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_copy_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_install_clicked);
}

static void
jc_first_run_window_init (JcFirstRunWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  for (guint i = 0; i < G_N_ELEMENTS (roles); i++)
    {
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *check = gtk_check_button_new ();
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _(roles[i].title));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), _(roles[i].subtitle));
      gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
      /* The row names its activatable check button for screen readers. */
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
      adw_preferences_group_add (self->roles_group, row);
      self->role_checks[i] = check;
    }
}

JcFirstRunWindow *
jc_first_run_window_new (JcApplication *app, const char *profile_dir)
{
  JcFirstRunWindow *self = g_object_new (JC_TYPE_FIRST_RUN_WINDOW, "application", app, NULL);

  self->profile_dir = g_strdup (profile_dir);
  /* A node made earlier and not enrolled yet: straight to its request. */
  if (g_file_test (profile_dir, G_FILE_TEST_IS_DIR))
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JcClientProfile) profile = jc_client_profile_open (profile_dir, NULL);
      if (profile && !jc_client_profile_is_enrolled (profile)
          && (self->csr = jc_client_profile_get_csr (profile, &self->key_id, &error)))
        {
          self->profile = g_steal_pointer (&profile);
          show_request (self);
        }
    }
  return self;
}
