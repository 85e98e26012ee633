#define G_LOG_DOMAIN "joconde-app"
#include "config.h"

#include <glib/gi18n.h>

#include "jc-draft.h"
#include "jc-schema-editor.h"

struct _JcSchemaEditor {
  GtkBox       parent_instance;
  AdwEntryRow *key_row;
  AdwEntryRow *peers_row;
  AdwEntryRow *quality_row;
  GtkListBox  *columns_list;
  GtkWidget   *remove_button;
  GtkWidget   *add_column_button;
  gboolean     is_output;
};

enum { CHANGED, REMOVE, N_SIGNALS };
static guint signals[N_SIGNALS];

/* The types in the order of the drop-down. */
static const char *const type_names[] = { "INT", "DECIMAL", "BOOL", "DATE", "CATEGORY", "ID", NULL };

G_DEFINE_FINAL_TYPE (JcSchemaEditor, jc_schema_editor, GTK_TYPE_BOX)

static void
on_changed (JcSchemaEditor *self)
{
  g_signal_emit (self, signals[CHANGED], 0);
}

static void
on_remove_clicked (JcSchemaEditor *self)
{
  g_signal_emit (self, signals[REMOVE], 0);
}

/* A column row keeps its widgets as object data: "name", "type", "precision", "scale",
 * "codes". */
static void
update_column_row (GtkWidget *row)
{
  int type = gtk_combo_box_get_active (g_object_get_data (G_OBJECT (row), "type"));

  gtk_widget_set_visible (g_object_get_data (G_OBJECT (row), "decimal"), type == 1);
  gtk_widget_set_visible (g_object_get_data (G_OBJECT (row), "codes"), type == 4);
}

static void
column_changed (GtkWidget *row)
{
  JcSchemaEditor *self = JC_SCHEMA_EDITOR (gtk_widget_get_ancestor (row, JC_TYPE_SCHEMA_EDITOR));

  update_column_row (row);
  if (self)
    on_changed (self);
}

static void
remove_column (GtkButton *button, GtkWidget *row)
{
  JcSchemaEditor *self = JC_SCHEMA_EDITOR (gtk_widget_get_ancestor (row, JC_TYPE_SCHEMA_EDITOR));

  gtk_list_box_remove (self->columns_list, row);
  on_changed (self);
}

static GtkWidget *
labelled (GtkWidget *widget, const char *label)
{
  gtk_accessible_update_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  gtk_widget_set_tooltip_text (widget, label);
  return widget;
}

void
jc_schema_editor_add_column (JcSchemaEditor *self, const char *name, const char *type,
                             guint precision, guint scale, const char *codes)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *flow = gtk_flow_box_new ();
  GtkWidget *name_entry = labelled (gtk_entry_new (), _("Column name"));
  /* A combo box rather than a GtkDropDown: in GTK 4.8 only the combo box offers the
   * accessibility bus's Selection, so that a screen reader can choose the type without
   * opening the pop-up. */
  GtkWidget *type_drop = labelled (gtk_combo_box_text_new (), _("Column type"));
  GtkWidget *decimal = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 4);
  GtkWidget *p_spin = labelled (gtk_spin_button_new_with_range (1, 18, 1), _("Digits in all"));
  GtkWidget *s_spin = labelled (gtk_spin_button_new_with_range (0, 18, 1), _("Digits after the point"));
  GtkWidget *codes_entry = labelled (gtk_entry_new (), _("Codes, separated by commas"));
  GtkWidget *remove = labelled (gtk_button_new_from_icon_name ("user-trash-symbolic"), _("Remove the column"));
  guint selected = 0;

  for (guint i = 0; type_names[i]; i++)
    if (g_strcmp0 (type, type_names[i]) == 0)
      selected = i;
  gtk_entry_set_placeholder_text (GTK_ENTRY (name_entry), _("column_name"));
  gtk_editable_set_text (GTK_EDITABLE (name_entry), name ? name : "");
  for (guint i = 0; type_names[i]; i++)
    gtk_combo_box_text_append_text (GTK_COMBO_BOX_TEXT (type_drop), type_names[i]);
  gtk_combo_box_set_active (GTK_COMBO_BOX (type_drop), (int) selected);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (p_spin), precision ? precision : 10);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (s_spin), scale);
  gtk_box_append (GTK_BOX (decimal), p_spin);
  gtk_box_append (GTK_BOX (decimal), s_spin);
  gtk_entry_set_placeholder_text (GTK_ENTRY (codes_entry), _("north, south, east, west"));
  gtk_editable_set_text (GTK_EDITABLE (codes_entry), codes ? codes : "");
  gtk_widget_add_css_class (remove, "flat");
  gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);

  gtk_flow_box_set_selection_mode (GTK_FLOW_BOX (flow), GTK_SELECTION_NONE);
  gtk_flow_box_set_max_children_per_line (GTK_FLOW_BOX (flow), 4);
  gtk_widget_set_hexpand (flow, TRUE);
  gtk_flow_box_append (GTK_FLOW_BOX (flow), name_entry);
  gtk_flow_box_append (GTK_FLOW_BOX (flow), type_drop);
  gtk_flow_box_append (GTK_FLOW_BOX (flow), decimal);
  gtk_flow_box_append (GTK_FLOW_BOX (flow), codes_entry);
  gtk_box_append (GTK_BOX (box), flow);
  gtk_box_append (GTK_BOX (box), remove);
  gtk_widget_set_margin_start (box, 6);
  gtk_widget_set_margin_end (box, 6);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);

  g_object_set_data (G_OBJECT (row), "name", name_entry);
  g_object_set_data (G_OBJECT (row), "type", type_drop);
  g_object_set_data (G_OBJECT (row), "decimal", decimal);
  g_object_set_data (G_OBJECT (row), "precision", p_spin);
  g_object_set_data (G_OBJECT (row), "scale", s_spin);
  g_object_set_data (G_OBJECT (row), "codes", codes_entry);
  g_signal_connect_swapped (name_entry, "changed", G_CALLBACK (column_changed), row);
  g_signal_connect_swapped (type_drop, "changed", G_CALLBACK (column_changed), row);
  g_signal_connect_swapped (p_spin, "value-changed", G_CALLBACK (column_changed), row);
  g_signal_connect_swapped (s_spin, "value-changed", G_CALLBACK (column_changed), row);
  g_signal_connect_swapped (codes_entry, "changed", G_CALLBACK (column_changed), row);
  g_signal_connect (remove, "clicked", G_CALLBACK (remove_column), row);
  update_column_row (row);
  gtk_list_box_append (self->columns_list, row);
  on_changed (self);
}

static void
on_add_column_clicked (JcSchemaEditor *self)
{
  jc_schema_editor_add_column (self, "", "INT", 10, 2, NULL);
}

GPtrArray *
jc_schema_editor_get_schema (JcSchemaEditor *self)
{
  GPtrArray *schema = jc_schema_new ();
  GtkWidget *row;

  for (row = gtk_widget_get_first_child (GTK_WIDGET (self->columns_list)); row;
       row = gtk_widget_get_next_sibling (row))
    {
      GtkEditable *name = g_object_get_data (G_OBJECT (row), "name");
      int active = gtk_combo_box_get_active (g_object_get_data (G_OBJECT (row), "type"));
      guint type = active < 0 ? 0 : (guint) active;
      JcColumn *c;

      if (name == NULL)
        continue;
      c = jc_column_new (gtk_editable_get_text (name),
                         (JcColumnType[]) { JC_COLUMN_INT, JC_COLUMN_DECIMAL, JC_COLUMN_BOOL,
                                            JC_COLUMN_DATE, JC_COLUMN_CATEGORY, JC_COLUMN_ID }[MIN (type, 5)]);
      if (c->type == JC_COLUMN_DECIMAL)
        {
          c->precision = (guint) gtk_spin_button_get_value_as_int (g_object_get_data (G_OBJECT (row), "precision"));
          c->scale = (guint) gtk_spin_button_get_value_as_int (g_object_get_data (G_OBJECT (row), "scale"));
        }
      if (c->type == JC_COLUMN_CATEGORY)
        {
          g_auto(GStrv) parts = g_strsplit (gtk_editable_get_text (g_object_get_data (G_OBJECT (row), "codes")), ",", -1);
          for (guint i = 0; parts[i]; i++)
            if (*g_strstrip (parts[i]))
              g_ptr_array_add (c->codes, g_strdup (parts[i]));
        }
      g_ptr_array_add (schema, c);
    }
  return schema;
}

gboolean jc_schema_editor_is_output (JcSchemaEditor *self) { return self->is_output; }
const char *jc_schema_editor_get_key (JcSchemaEditor *self) { return gtk_editable_get_text (GTK_EDITABLE (self->key_row)); }
void jc_schema_editor_set_key (JcSchemaEditor *self, const char *key) { gtk_editable_set_text (GTK_EDITABLE (self->key_row), key); }
const char *jc_schema_editor_get_peers (JcSchemaEditor *self) { return gtk_editable_get_text (GTK_EDITABLE (self->peers_row)); }
void jc_schema_editor_set_peers (JcSchemaEditor *self, const char *peers) { gtk_editable_set_text (GTK_EDITABLE (self->peers_row), peers); }
const char *jc_schema_editor_get_quality (JcSchemaEditor *self) { return gtk_editable_get_text (GTK_EDITABLE (self->quality_row)); }

static void
jc_schema_editor_class_init (JcSchemaEditorClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[REMOVE] = g_signal_new ("remove", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/joconde/Joconde/jc-schema-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, JcSchemaEditor, key_row);
  gtk_widget_class_bind_template_child (widget_class, JcSchemaEditor, peers_row);
  gtk_widget_class_bind_template_child (widget_class, JcSchemaEditor, quality_row);
  gtk_widget_class_bind_template_child (widget_class, JcSchemaEditor, columns_list);
  gtk_widget_class_bind_template_child (widget_class, JcSchemaEditor, remove_button);
  gtk_widget_class_bind_template_child (widget_class, JcSchemaEditor, add_column_button);
  gtk_widget_class_bind_template_callback (widget_class, on_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_remove_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_add_column_clicked);
}

static void
jc_schema_editor_init (JcSchemaEditor *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

JcSchemaEditor *
jc_schema_editor_new (gboolean is_output)
{
  JcSchemaEditor *self = g_object_new (JC_TYPE_SCHEMA_EDITOR, NULL);

  self->is_output = is_output;
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->peers_row),
                                 is_output ? _("Peers whose analysts receive it (commas)")
                                           : _("Peer whose custodians upload it"));
  gtk_widget_set_visible (GTK_WIDGET (self->quality_row), !is_output);
  /* Several editors sit on one page: name each, and say which thing each button acts on. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  is_output ? _("Output") : _("Input table"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->remove_button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  is_output ? _("Remove this output") : _("Remove this input table"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->add_column_button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  is_output ? _("Add a column to this output") : _("Add a column to this input table"), -1);
  return self;
}
