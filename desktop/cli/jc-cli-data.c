#define G_LOG_DOMAIN "jocondectl"
#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <stdio.h>
#include <unistd.h>

#include "jc-cli.h"
#include "jc-client-transfer.h"

/* `jocondectl upload` (custodians) and `jocondectl download` (analysts). */

typedef struct {
  gint64   last;
  gboolean tty;
} Progress;

static void
show_progress (guint64 done, guint64 total, gpointer user_data)
{
  Progress *p = user_data;
  gint64 now = g_get_monotonic_time ();
  if (now - p->last < 500000 && done != total)
    return;
  p->last = now;
  if (total)
    fprintf (stderr, _("%s%.1f of %.1f MB (%d %%)%s"), p->tty ? "\r" : "", done / 1e6, total / 1e6,
             (int) (100.0 * done / total), p->tty ? "" : "\n");
  else
    fprintf (stderr, _("%s%.1f MB received%s"), p->tty ? "\r" : "", done / 1e6, p->tty ? "" : "\n");
  fflush (stderr);
}

int
jc_cli_upload (int argc, char **argv)
{
  g_auto(JcCliNodeOptions) opts = { 0 };
  g_autofree char *task = NULL, *input = NULL;
  const GOptionEntry entries[] = {
    { "task", 't', 0, G_OPTION_ARG_STRING, &task, N_("The task's id"), N_("ID") },
    { "input", 'i', 0, G_OPTION_ARG_STRING, &input, N_("The input this file is"), N_("KEY") },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) ctx = jc_cli_context_new ("upload", _("FILE"),
    _("A data custodian uploads an input table of a task, as secret shares."),
    _("FILE is a CSV file (RFC 4180, UTF-8, first line the column names of the input's\n"
      "schema, in any order). Before anything leaves this node:\n"
      "  - every value is checked against the schema; every problem is listed with its row\n"
      "    and column, and nothing is sent if there is one;\n"
      "  - the task's agreement held by this node is verified again, the input deadline\n"
      "    checked, and one of this node's PAKs must be granted the input;\n"
      "  - each of the three computation VMs is attested against the agreement; any\n"
      "    failure stops the upload, naming the VM and why.\n"
      "The file is then split into secret shares by the task's engine and streamed to the\n"
      "three VMs (progress on standard error); memory use does not grow with the file. The\n"
      "VMs' data-quality verdict is printed when they report it.\n\n"
      "Example:\n  jocondectl upload --node nodes/nsi-custodian --task 3f2a… --input population population.csv"));
  int status = 0;
  jc_cli_add_node_options (ctx, &opts, entries);
  if (!jc_cli_parse (ctx, &argc, &argv, &status))
    return status;
  if (!task || !input || argc != 2)
    return jc_cli_usage ("upload", _("give --task ID, --input KEY and one FILE"));
  g_autoptr(JcClientNode) node = jc_cli_open_node (&opts, "upload", &status);
  if (!node)
    return status;
  GError *error = NULL;
  if (!jc_client_node_sync (node, 300, jc_cli_timeout_ms (&opts), &error))
    return jc_cli_fail (error);
  g_autoptr(JcCsvReport) report = NULL;
  g_autoptr(JcClientTransfer) t = jc_client_upload_prepare (node, task, input, argv[1], &report, &error);
  if (!t)
    return jc_cli_fail (error);
  Progress p = { 0, isatty (STDERR_FILENO) };
  gint64 start = g_get_monotonic_time ();
  if (!jc_client_upload_run (t, show_progress, &p, NULL, &error))
    {
      if (p.tty)
        fputc ('\n', stderr);
      return jc_cli_fail (error);
    }
  double secs = (g_get_monotonic_time () - start) / 1e6;
  if (p.tty)
    fputc ('\n', stderr);
  printf (_("Uploaded %" PRIu64 " rows of input %s to task %s in %.1f s.\n"),
          jc_client_transfer_get_rows (t), input, task, secs);
  if (!jc_client_transfer_has_quality (t))
    {
      printf (_("Data quality: the task sets no check for this input.\n"));
      return 0;
    }
  /* The data-quality verdict comes once the VMs have run the input's checks. */
  gint64 end = g_get_monotonic_time () + (gint64) jc_cli_timeout_ms (&opts) * 1000;
  while (g_get_monotonic_time () < end)
    {
      g_autoptr(GError) local = NULL;
      g_autoptr(JsonNode) q = jc_client_upload_quality (t, &local);
      if (q)
        {
          JsonObject *o = json_node_get_object (q);
          gboolean passed = json_object_get_boolean_member_with_default (o, "passed", FALSE);
          gint64 v = json_object_get_int_member_with_default (o, "violations", 0);
          if (passed)
            printf (_("Data quality: passed (%" PRId64 " violations).\n"), v);
          else
            {
              printf (_("Data quality: FAILED (%" PRId64 " rows violate the task's checks).\n"), v);
              return 1;
            }
          return 0;
        }
      g_usleep (300 * 1000);
    }
  printf (_("Data quality: no verdict yet (see jocondectl status).\n"));
  return 0;
}

int
jc_cli_download (int argc, char **argv)
{
  g_auto(JcCliNodeOptions) opts = { 0 };
  g_autofree char *task = NULL, *output = NULL, *out = NULL;
  const GOptionEntry entries[] = {
    { "task", 't', 0, G_OPTION_ARG_STRING, &task, N_("The task's id"), N_("ID") },
    { "output", 'o', 0, G_OPTION_ARG_STRING, &output, N_("The output to fetch"), N_("KEY") },
    { "out", 0, 0, G_OPTION_ARG_FILENAME, &out, N_("Where to write the result (CSV)"), N_("FILE") },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) ctx = jc_cli_context_new ("download", "",
    _("A data analyst downloads an output of a task and writes it as CSV."),
    _("The task's agreement is verified again and one of this node's PAKs must be granted\n"
      "the output. The three computation VMs are attested; each gives the output's shares\n"
      "once per organisation, so a second download is refused. The shares are combined on\n"
      "this node only, and the table is written to FILE (first line: the output's columns).\n\n"
      "Example:\n  jocondectl download --node nodes/nsi-analyst --task 3f2a… --output residents --out residents.csv"));
  int status = 0;
  jc_cli_add_node_options (ctx, &opts, entries);
  if (!jc_cli_parse (ctx, &argc, &argv, &status))
    return status;
  if (!task || !output || !out || argc != 1)
    return jc_cli_usage ("download", _("give --task ID, --output KEY and --out FILE"));
  g_autoptr(JcClientNode) node = jc_cli_open_node (&opts, "download", &status);
  if (!node)
    return status;
  GError *error = NULL;
  if (!jc_client_node_sync (node, 300, jc_cli_timeout_ms (&opts), &error))
    return jc_cli_fail (error);
  g_autoptr(JcClientTransfer) t = jc_client_download_prepare (node, task, output, out, &error);
  if (!t)
    return jc_cli_fail (error);
  Progress p = { 0, isatty (STDERR_FILENO) };
  if (!jc_client_download_run (t, show_progress, &p, NULL, &error))
    {
      if (p.tty)
        fputc ('\n', stderr);
      return jc_cli_fail (error);
    }
  if (p.tty)
    fputc ('\n', stderr);
  printf (_("Wrote %" PRIu64 " rows of output %s to %s.\n"), jc_client_transfer_get_rows (t),
          output, out);
  return 0;
}
