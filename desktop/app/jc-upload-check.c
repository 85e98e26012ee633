#define G_LOG_DOMAIN "joconde-app"
#include "config.h"

#include <glib/gi18n.h>

#include "jc-error.h"
#include "jc-upload-check.h"

typedef struct {
  GFile     *file;
  GPtrArray *schema;
} CheckData;

static void
check_data_free (CheckData *data)
{
  g_object_unref (data->file);
  g_ptr_array_unref (data->schema);
  g_free (data);
}

static void
check_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  CheckData *data = task_data;
  GError *error = NULL;
  g_autoptr(GFileInfo) info = g_file_query_info (data->file, G_FILE_ATTRIBUTE_STANDARD_TYPE,
                                                 G_FILE_QUERY_INFO_NONE, cancellable, &error);
  JcCsvReport *report;

  if (info == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (g_file_info_get_file_type (info) != G_FILE_TYPE_REGULAR)
    {
      g_task_return_new_error (task, JC_ERROR, JC_ERROR_INVALID,
                               _("Only a file can be uploaded, not a folder"));
      return;
    }
  report = jc_csv_check_file (data->file, data->schema, JC_CSV_DEFAULT_MAX_PROBLEMS, NULL,
                              NULL, NULL, cancellable, &error);
  if (report == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, report, (GDestroyNotify) jc_csv_report_free);
}

void
jc_upload_check_async (GSList *files, GPtrArray *schema, GCancellable *cancellable,
                       GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  CheckData *data;

  g_task_set_source_tag (task, jc_upload_check_async);
  if (files == NULL || files->next != NULL)
    {
      g_task_return_new_error (task, JC_ERROR, JC_ERROR_INVALID,
                               _("Drop one CSV file at a time"));
      return;
    }
  data = g_new0 (CheckData, 1);
  data->file = g_object_ref (files->data);
  data->schema = g_ptr_array_ref (schema);
  g_task_set_task_data (task, data, (GDestroyNotify) check_data_free);
  g_task_run_in_thread (task, check_thread);
}

JcCsvReport *
jc_upload_check_finish (GAsyncResult *result, GFile **out_file, GError **error)
{
  CheckData *data = g_task_get_task_data (G_TASK (result));

  if (out_file)
    *out_file = data ? g_object_ref (data->file) : NULL;
  return g_task_propagate_pointer (G_TASK (result), error);
}
