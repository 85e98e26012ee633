#define G_LOG_DOMAIN "jocondectl"
#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>

#include "jc-cli.h"
#include "jc-cli-sandbox.h"
#include "jc-doc.h"
#include "jc-encoding.h"
#include "jc-error.h"
#include "jc-tee-sim.h"
#include "jc-time.h"

/* `jocondectl sandbox demo`: the example task of examples/subscription-rates from draft to
 * downloaded result, through the same jocondectl commands a person would type (each is
 * printed before it runs), then the result table. */

typedef struct {
  const char *dir;
  char       *self;   /* this jocondectl */
} Demo;

static char *
node_dir (Demo *d, const char *name)
{
  return g_build_filename (d->dir, "nodes", name, NULL);
}

/* Runs `jocondectl ARGS…`, printing the command; returns its standard output. */
static char *
run (Demo *d, GError **error, ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GString) shown = g_string_new ("$ jocondectl");
  va_list ap;
  g_ptr_array_add (argv, d->self);
  va_start (ap, error);
  for (const char *a = va_arg (ap, const char *); a; a = va_arg (ap, const char *))
    {
      g_ptr_array_add (argv, (gpointer) a);
      /* Profile paths are long: show them relative to the sandbox. */
      const char *rel = g_str_has_prefix (a, d->dir) ? a + strlen (d->dir) + 1 : a;
      g_autofree char *quoted = strpbrk (rel, " ") ? g_shell_quote (rel) : g_strdup (rel);
      g_string_append_printf (shown, " %s", quoted);
    }
  va_end (ap);
  g_ptr_array_add (argv, NULL);
  printf ("%s\n", shown->str);
  fflush (stdout);
  g_autofree char *out = NULL, *err = NULL;
  int status = 0;
  if (!g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
                     &status, error))
    return NULL;
  if (!g_spawn_check_wait_status (status, NULL))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_FAILED, _("the demo stopped: %s"),
                   err && *err ? g_strstrip (err) : shown->str);
      return NULL;
    }
  g_strstrip (out);
  if (*out)
    printf ("  %s\n", out);
  return g_steal_pointer (&out);
}

/* The example's draft with deadlines from now and the simulated TEE's measurement of this
 * build's orchestrator. */
static char *
write_draft (Demo *d, const char *examples, GError **error)
{
  g_autofree char *src = g_build_filename (examples, "task.json", NULL);
  g_autoptr(JsonNode) draft = jc_doc_read_file (src, NULL, error);
  if (!draft)
    return NULL;
  JsonObject *o = json_node_get_object (draft);
  JsonObject *dl = json_object_get_object_member (o, "deadlines");
  const char *names[] = { "approval", "input", "execution", "output" };
  const gint64 minutes[] = { 15, 30, 45, 90 };
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *t = jc_time_format (jc_time_now () + minutes[i] * 60);
      json_object_set_string_member (dl, names[i], t);
    }
  g_autofree char *guest = jc_cli_sandbox_find_program ("joconde-guest", "JC_GUEST_BINARY", "guest");
  guint8 m[JC_TEE_MEASUREMENT_SIZE];
  if (!guest || !jc_tee_sim_measure_file (guest, m, error))
    {
      if (error && !*error)
        g_set_error (error, JC_ERROR, JC_ERROR_NOT_FOUND, _("Cannot find joconde-guest"));
      return NULL;
    }
  g_autofree char *hex = jc_hex_encode (m, sizeof m);
  JsonArray *ms = json_array_new ();
  json_array_add_string_element (ms, hex);
  json_object_set_array_member (json_object_get_object_member (o, "tee"), "measurements", ms);
  JsonArray *att = json_object_get_array_member (o, "attachments");
  for (guint i = 0; att && i < json_array_get_length (att); i++)
    {
      JsonObject *a = json_array_get_object_element (att, i);
      g_autofree char *f = g_build_filename (examples, json_object_get_string_member (a, "file"), NULL);
      json_object_set_string_member (a, "file", f);
    }
  g_autofree char *dir = g_build_filename (d->dir, "demo", NULL);
  g_mkdir_with_parents (dir, 0700);
  char *path = g_build_filename (dir, "task.json", NULL);
  g_autofree char *text = json_to_string (draft, TRUE);
  if (!g_file_set_contents (path, text, -1, error))
    {
      g_free (path);
      return NULL;
    }
  return path;
}

/* CSV of 3 columns (region, age band, count) into a table keyed "region,band". */
static GHashTable *
read_cells (const char *path, GError **error)
{
  g_autofree char *text = NULL;
  if (!g_file_get_contents (path, &text, NULL, error))
    return NULL;
  GHashTable *cells = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  for (guint i = 1; lines[i]; i++)
    {
      g_auto(GStrv) f = g_strsplit (lines[i], ",", 3);
      if (g_strv_length (f) == 3)
        g_hash_table_insert (cells, g_strdup_printf ("%s,%s", f[0], f[1]),
                             GINT_TO_POINTER ((gint) g_ascii_strtoll (f[2], NULL, 10)));
    }
  return cells;
}

static gboolean
print_table (const char *residents, const char *subscriptions, GError **error)
{
  g_autoptr(GHashTable) r = read_cells (residents, error);
  g_autoptr(GHashTable) s = r ? read_cells (subscriptions, error) : NULL;
  if (!s)
    return FALSE;
  static const char *const regions[] = { "north", "south", "east", "west", "centre" };
  static const char *const bands[] = { "15-24", "25-34", "35-44", "45-54", "55-64", "65+" };
  printf (_("\nMobile subscription rates by region and age band (cells under 10 persons suppressed)\n\n"));
  printf ("%-8s %-7s %9s %12s %7s\n", _("region"), _("age"), _("residents"), _("subscribers"), _("rate"));
  for (guint i = 0; i < G_N_ELEMENTS (regions); i++)
    for (guint j = 0; j < G_N_ELEMENTS (bands); j++)
      {
        g_autofree char *key = g_strdup_printf ("%s,%s", regions[i], bands[j]);
        gpointer pv, sv;
        gboolean has_p = g_hash_table_lookup_extended (r, key, NULL, &pv);
        gboolean has_s = g_hash_table_lookup_extended (s, key, NULL, &sv);
        g_autofree char *ps = has_p ? g_strdup_printf ("%d", GPOINTER_TO_INT (pv)) : g_strdup ("x");
        g_autofree char *ss = has_s ? g_strdup_printf ("%d", GPOINTER_TO_INT (sv)) : g_strdup ("x");
        g_autofree char *rate = has_p && has_s && GPOINTER_TO_INT (pv) > 0
                                ? g_strdup_printf ("%.1f%%", 100.0 * GPOINTER_TO_INT (sv) / GPOINTER_TO_INT (pv))
                                : g_strdup ("x");
        printf ("%-8s %-7s %9s %12s %7s\n", regions[i], bands[j], ps, ss, rate);
      }
  printf (_("\nx: suppressed (fewer than 10 persons) — never revealed, not even to the computing parties.\n"));
  return TRUE;
}

static gboolean
demo (Demo *d, const char *backend, guint rows, GError **error)
{
  /* Under TCG (libvirt backend, no KVM) three VMs boot and compute far slower. */
  const char *boot_wait = g_str_equal (backend, "libvirt") ? "900" : "120";
  const char *run_wait = g_str_equal (backend, "libvirt") ? "1800" : "300";
  g_autofree char *rows_text = g_strdup_printf ("%u", rows);
  g_autofree char *json = g_build_filename (d->dir, "sandbox.json", NULL);
  if (!g_file_test (json, G_FILE_TEST_EXISTS))
    {
      printf (_("Starting a sandbox in %s …\n"), d->dir);
      if (!jc_cli_sandbox_up (d->dir, backend, error))
        return FALSE;
    }
  const char *env = g_getenv ("JC_EXAMPLES_DIR");
  g_autofree char *examples = env ? g_strdup (env)
                                  : g_build_filename (JC_SOURCE_ROOT, "examples", "subscription-rates", NULL);
  g_autofree char *gen = jc_cli_sandbox_find_program ("joconde-example-gen", "JC_EXAMPLE_GEN",
                                                      "examples/subscription-rates");
  g_autofree char *data = g_build_filename (d->dir, "demo", NULL);
  g_autofree char *population = g_build_filename (data, "population.csv", NULL);
  g_autofree char *subscribers = g_build_filename (data, "subscribers.csv", NULL);
  printf (_("Generating the example's data (%u persons) in %s …\n"), rows, data);
  const char *gen_argv[] = { gen, "--rows", rows_text, "--out", data, NULL };
  int st = 0;
  if (!gen || !g_spawn_sync (NULL, (char **) gen_argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, &st, error)
      || !g_spawn_check_wait_status (st, error))
    {
      if (error && !*error)
        g_set_error (error, JC_ERROR, JC_ERROR_NOT_FOUND, _("Cannot find joconde-example-gen"));
      return FALSE;
    }
  g_autofree char *draft = write_draft (d, examples, error);
  if (!draft)
    return FALSE;
  g_autofree char *nsi = node_dir (d, "nsi"), *mno = node_dir (d, "mno"), *so = node_dir (d, "so");
  g_autofree char *nsi_c = node_dir (d, "nsi-custodian"), *nsi_a = node_dir (d, "nsi-analyst");
  g_autofree char *mno_c = node_dir (d, "mno-custodian"), *mno_a = node_dir (d, "mno-analyst");

  printf (_("\n1. The NSI's organiser drafts the task.\n"));
  g_autofree char *task = run (d, error, "task", "draft", "--node", nsi, draft, NULL);
  if (!task)
    return FALSE;
  printf (_("\n2. Custodians and analysts make their PAKs, registered with their organisation's node.\n"));
  g_autofree char *p_nc = run (d, error, "pak", "new", "--node", nsi_c, "--task", task, NULL);
  g_autofree char *p_na = p_nc ? run (d, error, "pak", "new", "--node", nsi_a, "--task", task, NULL) : NULL;
  g_autofree char *p_mc = p_na ? run (d, error, "pak", "new", "--node", mno_c, "--task", task, NULL) : NULL;
  g_autofree char *p_ma = p_mc ? run (d, error, "pak", "new", "--node", mno_a, "--task", task, NULL) : NULL;
  if (!p_ma)
    return FALSE;
  printf (_("\n3. Each organiser writes its addendum; its signatory signs it.\n"));
  g_autofree char *sheet = g_build_filename (data, "signed-sheet.txt", NULL);
  if (!g_file_set_contents (sheet, "Signed for the organisation (sandbox demo).\n", -1, error))
    return FALSE;
  struct { const char *node, *custodian, *analyst, *input, *signatory; } orgs[] = {
    { nsi, p_nc, p_na, "population", "nsi-signatory" },
    { mno, p_mc, p_ma, "subscribers", "mno-signatory" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (orgs); i++)
    {
      g_autofree char *c = g_strdup_printf ("%s=%s", orgs[i].custodian, orgs[i].input);
      g_autofree char *a1 = g_strdup_printf ("%s=residents", orgs[i].analyst);
      g_autofree char *a2 = g_strdup_printf ("%s=subscriptions", orgs[i].analyst);
      g_autofree char *o1 = run (d, error, "addendum", "--node", orgs[i].node, "--task", task,
                                 "--custodian", c, "--analyst", a1, "--analyst", a2,
                                 "--signatory", orgs[i].signatory, "--signatory-doc", sheet, NULL);
      g_autofree char *o2 = o1 ? run (d, error, "sign", "--node", orgs[i].node, "--task", task,
                                      "--signature", sheet, NULL) : NULL;
      if (!o2)
        return FALSE;
    }
  printf (_("\n4. The SO approves; the root seals the agreement and the computing parties start the task's VMs.\n"));
  g_autofree char *ap = run (d, error, "approve", "--node", so, "--task", task, NULL);
  g_autofree char *w1 = ap ? run (d, error, "status", "--node", nsi, "--task", task, "--wait", "input", "--timeout", boot_wait, NULL) : NULL;
  g_autofree char *w2 = w1 ? run (d, error, "status", "--node", mno, "--task", task, "--wait", "input", "--timeout", boot_wait, NULL) : NULL;
  if (!w2)
    return FALSE;
  printf (_("\n5. The custodians upload their tables as secret shares.\n"));
  g_autofree char *u1 = run (d, error, "upload", "--node", nsi_c, "--task", task, "--input", "population", population, NULL);
  g_autofree char *u2 = u1 ? run (d, error, "upload", "--node", mno_c, "--task", task, "--input", "subscribers", subscribers, NULL) : NULL;
  if (!u2)
    return FALSE;
  printf (_("\n6. The VMs compute; the analysts download the results.\n"));
  g_autofree char *w3 = run (d, error, "status", "--node", nsi, "--task", task, "--wait", "output", "--timeout", run_wait, NULL);
  if (!w3)
    return FALSE;
  g_autofree char *residents = g_build_filename (data, "residents.csv", NULL);
  g_autofree char *subscriptions = g_build_filename (data, "subscriptions.csv", NULL);
  g_autofree char *d1 = run (d, error, "download", "--node", nsi_a, "--task", task, "--output", "residents", "--out", residents, NULL);
  g_autofree char *d2 = d1 ? run (d, error, "download", "--node", nsi_a, "--task", task, "--output", "subscriptions", "--out", subscriptions, NULL) : NULL;
  if (!d2)
    return FALSE;
  return print_table (residents, subscriptions, error);
}

int
jc_cli_sandbox_demo (const char *dir, const char *backend, guint rows, gboolean stop)
{
  GError *error = NULL;
  g_autofree char *canonical = g_canonicalize_filename (dir, NULL);
  Demo d = { canonical, g_file_read_link ("/proc/self/exe", NULL) };
  gboolean ok = d.self && demo (&d, backend, rows, &error);
  g_free (d.self);
  if (!ok)
    return jc_cli_fail (error);
  if (stop)
    {
      if (!jc_cli_sandbox_down (dir, &error))
        return jc_cli_fail (error);
      printf (_("Sandbox in %s stopped.\n"), dir);
      return 0;
    }
  printf (_("\nThe sandbox keeps running; stop it with “jocondectl sandbox down --dir %s”.\n"), dir);
  return 0;
}
