#define G_LOG_DOMAIN "joconde-app"
#include "config.h"

#include <adwaita.h>

#include "jc-attestation-summary.h"
#include "jc-transfer-view.h"

struct _JcAttestationSummary {
  GtkWidget   parent_instance;
  GtkListBox *list;
};

G_DEFINE_FINAL_TYPE (JcAttestationSummary, jc_attestation_summary, GTK_TYPE_WIDGET)

static GtkWidget *
attestation_row_new (const JcClientAttestation *a)
{
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *title = NULL, *subtitle = NULL, *label = NULL;

  jc_attestation_describe (a, &title, &subtitle);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name (
    !a->attested ? "dialog-error-symbolic"
                 : a->simulated ? "dialog-warning-symbolic" : "security-high-symbolic"));
  /* A screen reader reads the whole row, title and what matched, as one label. */
  label = g_strdup_printf ("%s: %s", title, subtitle);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  return row;
}

void
jc_attestation_summary_show (JcAttestationSummary *self, GPtrArray *attestations)
{
  GtkWidget *child;

  g_return_if_fail (JC_IS_ATTESTATION_SUMMARY (self));
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
    gtk_list_box_remove (self->list, child);
  for (guint i = 0; attestations && i < attestations->len; i++)
    gtk_list_box_append (self->list, attestation_row_new (attestations->pdata[i]));
}

static void
jc_attestation_summary_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), JC_TYPE_ATTESTATION_SUMMARY);
  G_OBJECT_CLASS (jc_attestation_summary_parent_class)->dispose (object);
}

static void
jc_attestation_summary_class_init (JcAttestationSummaryClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = jc_attestation_summary_dispose;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/joconde/Joconde/jc-attestation-summary.ui");
  gtk_widget_class_bind_template_child (widget_class, JcAttestationSummary, list);
}

static void
jc_attestation_summary_init (JcAttestationSummary *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
