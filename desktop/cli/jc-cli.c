#define G_LOG_DOMAIN "jocondectl"
#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <gio/gio.h>
#include <gio/gunixinputstream.h>
#include <unistd.h>

#include "jc-cli.h"
#include "jc-error.h"

int
jc_cli_fail (GError *error)
{
  g_autofree char *oneline = g_strdup (error ? error->message : _("unknown error"));

  g_strdelimit (oneline, "\r\n", ' ');
  fprintf (stderr, "jocondectl: %s\n", oneline);
  g_clear_error (&error);
  return 1;
}

int
jc_cli_usage (const char *group, const char *message)
{
  fprintf (stderr, "jocondectl: %s\n", message);
  fprintf (stderr, _("Try “jocondectl %s --help” for more information.\n"), group);
  return 2;
}

static void
print_group_help (const char *group, const char *description, const JcCliCommand *subcommands)
{
  printf (_("Usage:\n  jocondectl %s COMMAND [OPTION…]\n\n"), group);
  printf ("%s\n\n", description);
  printf (_("Commands:\n"));
  for (const JcCliCommand *c = subcommands; c->name; c++)
    printf ("  %-12s %s\n", c->name, _(c->summary));
  printf (_("\nRun “jocondectl %s COMMAND --help” for the options of a command.\n"), group);
}

int
jc_cli_dispatch (const char *group, const char *description,
                 const JcCliCommand *subcommands, int argc, char **argv)
{
  if (argc < 2 || g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h") ||
      g_str_equal (argv[1], "help"))
    {
      print_group_help (group, description, subcommands);
      return argc < 2 ? 2 : 0;
    }
  for (const JcCliCommand *c = subcommands; c->name; c++)
    if (g_str_equal (c->name, argv[1]))
      return c->run (argc - 1, argv + 1);
  {
    g_autofree char *msg = g_strdup_printf (_("unknown command “%s %s”"), group, argv[1]);
    return jc_cli_usage (group, msg);
  }
}

gboolean
jc_cli_parse (GOptionContext *ctx, int *argc, char ***argv, int *status)
{
  g_autoptr(GError) error = NULL;

  if (!g_option_context_parse (ctx, argc, argv, &error))
    {
      fprintf (stderr, "jocondectl: %s\n", error->message);
      fprintf (stderr, _("Try “--help” for more information.\n"));
      *status = 2;
      return FALSE;
    }
  return TRUE;
}

GBytes *
jc_cli_read_input (const char *path, gsize max, GError **error)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GInputStream) in = NULL;
  g_autoptr(GByteArray) buf = g_byte_array_new ();
  guint8 chunk[65536];
  gssize n;

  if (g_str_equal (path, "-"))
    in = g_unix_input_stream_new (STDIN_FILENO, FALSE);
  else
    {
      file = g_file_new_for_commandline_arg (path);
      in = G_INPUT_STREAM (g_file_read (file, NULL, error));
      if (in == NULL)
        return NULL;
    }
  while ((n = g_input_stream_read (in, chunk, sizeof chunk, NULL, error)) > 0)
    {
      if (buf->len + (gsize) n > max)
        {
          g_set_error (error, JC_ERROR, JC_ERROR_TOO_LARGE,
                       _("%s is larger than the limit of %zu bytes"), path, max);
          return NULL;
        }
      g_byte_array_append (buf, chunk, (guint) n);
    }
  if (n < 0)
    return NULL;
  return g_byte_array_free_to_bytes (g_steal_pointer (&buf));
}

void
jc_cli_node_options_clear (JcCliNodeOptions *opts)
{
  g_clear_pointer (&opts->node, g_free);
}

void
jc_cli_add_node_options (GOptionContext *ctx, JcCliNodeOptions *opts, const GOptionEntry *entries)
{
  const GOptionEntry common[] = {
    { "node", 'n', 0, G_OPTION_ARG_FILENAME, &opts->node,
      N_("The node's profile directory (keys, certificates, what the node has seen)"), N_("PROFILE_DIR") },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &opts->timeout_s,
      N_("Seconds to wait for the network (default 60)"), N_("SECONDS") },
    G_OPTION_ENTRY_NULL
  };
  g_option_context_add_main_entries (ctx, common, GETTEXT_PACKAGE);
  if (entries)
    g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
}

JcClientNode *
jc_cli_open_node (JcCliNodeOptions *opts, const char *command, int *status)
{
  GError *error = NULL;
  if (!opts->node)
    {
      *status = jc_cli_usage (command, _("say which node with --node PROFILE_DIR"));
      return NULL;
    }
  JcClientNode *node = jc_client_node_open (opts->node, &error);
  if (!node)
    *status = jc_cli_fail (error);
  return node;
}

guint
jc_cli_timeout_ms (JcCliNodeOptions *opts)
{
  return (guint) (opts->timeout_s > 0 ? opts->timeout_s : JC_CLI_DEFAULT_TIMEOUT_S) * 1000;
}

GOptionContext *
jc_cli_context_new (const char *command, const char *parameters, const char *summary,
                    const char *description)
{
  g_autofree char *prgname = g_strdup_printf ("jocondectl %s", command);
  g_set_prgname (prgname);
  GOptionContext *ctx = g_option_context_new (parameters);
  g_option_context_set_translation_domain (ctx, GETTEXT_PACKAGE);
  g_option_context_set_summary (ctx, summary);
  g_option_context_set_description (ctx, description);
  return ctx;
}

void
jc_cli_find_engines (void)
{
  if (g_getenv ("JC_ENGINE_DIR") || g_file_test (JC_ENGINE_DIR, G_FILE_TEST_IS_DIR))
    return;
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  if (!self)
    return;
  g_autofree char *dir = g_path_get_dirname (self);
  g_autofree char *engines = g_build_filename (dir, "..", "..", "engines", "rss3", NULL);
  if (g_file_test (engines, G_FILE_TEST_IS_DIR))
    {
      g_autofree char *canonical = g_canonicalize_filename (engines, NULL);
      g_setenv ("JC_ENGINE_DIR", canonical, TRUE);
    }
}
