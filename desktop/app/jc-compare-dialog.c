#define G_LOG_DOMAIN "joconde-app"
#include "config.h"

#include <glib/gi18n.h>

#include "jc-compare-dialog.h"
#include "jc-encoding.h"
#include "jc-parts.h"

struct _JcCompareDialog {
  AdwMessageDialog parent_instance;
  GtkLabel *digits_label;
  char     *fingerprint;
};

enum { COMPARED, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (JcCompareDialog, jc_compare_dialog, ADW_TYPE_MESSAGE_DIALOG)

static void
on_response (JcCompareDialog *self, const char *response)
{
  if (g_strcmp0 (response, "match") == 0 || g_strcmp0 (response, "differ") == 0)
    g_signal_emit (self, signals[COMPARED], 0, g_strcmp0 (response, "match") == 0);
}

static void
jc_compare_dialog_finalize (GObject *object)
{
  g_free (JC_COMPARE_DIALOG (object)->fingerprint);
  G_OBJECT_CLASS (jc_compare_dialog_parent_class)->finalize (object);
}

static void
jc_compare_dialog_class_init (JcCompareDialogClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = jc_compare_dialog_finalize;
  signals[COMPARED] = g_signal_new ("compared", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_BOOLEAN);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/joconde/Joconde/jc-compare-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, JcCompareDialog, digits_label);
  gtk_widget_class_bind_template_callback (widget_class, on_response);
}

static void
jc_compare_dialog_init (JcCompareDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

JcCompareDialog *
jc_compare_dialog_new (GtkWindow *parent, const char *peer, const char *fingerprint_hex,
                       const char *digits)
{
  JcCompareDialog *self = g_object_new (JC_TYPE_COMPARE_DIALOG, "transient-for", parent, NULL);

  self->fingerprint = g_strdup (fingerprint_hex);
  gtk_label_set_text (self->digits_label, digits);
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (self),
                                  _("Call the administrator of %s on a number you already know, "
                                    "or meet them, and ask them to read out their node’s "
                                    "fingerprint. Confirm only if every digit is the same."),
                                  peer);
  return self;
}

const char *
jc_compare_dialog_get_fingerprint (JcCompareDialog *self)
{
  return self->fingerprint;
}
