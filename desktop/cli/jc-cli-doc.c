#define G_LOG_DOMAIN "jocondectl"
#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <unistd.h>

#include "jc-cli.h"
#include "jc-doc.h"
#include "jc-error.h"
#include "jc-model.h"

/* jocondectl doc canon|hash|check|show FILE: the document tools of libjoconde/doc and
 * libjoconde/model on the command line. */

typedef enum {
  DOC_CANON,
  DOC_HASH,
  DOC_CHECK,
  DOC_SHOW,
} DocCommand;

static const struct {
  const char *name;
  const char *summary;
  const char *description;
} commands[] = {
  [DOC_CANON] = {
    "canon", N_("Print the canonical form (RFC 8785) of a document"),
    N_("Reads the JSON document FILE (“-” for standard input) strictly and writes its\n"
       "canonical bytes (RFC 8785, JSON Canonicalization Scheme) to standard output, with\n"
       "no trailing newline, so that “jocondectl doc canon FILE | sha256sum” gives the\n"
       "document hash. See docs/hashing.md.\n\n"
       "The document is refused, with the line, column and byte of the problem, if it has\n"
       "a byte order mark, invalid UTF-8, a control character in a string, a lone\n"
       "surrogate, a duplicate key, a number with a fraction or exponent, a leading zero,\n"
       "“-0”, an integer beyond ±(2^53−1), anything after the value, or exceeds the size\n"
       "or depth limit. Any JSON object is accepted: the model is not checked (see\n"
       "“doc check”).") },
  [DOC_HASH] = {
    "hash", N_("Print the SHA-256 document hash"),
    N_("Reads the JSON document FILE (“-” for standard input) as “doc canon” does and prints\n"
       "the SHA-256 of its canonical bytes as 64 lowercase hexadecimal digits and a newline.\n"
       "This is the hash that CTSAs quote, node keys sign and signing sheets show.") },
  [DOC_CHECK] = {
    "check", N_("Validate a document against the model"),
    N_("Reads the document FILE (“-” for standard input) and validates it as the document\n"
       "its “type” names: ctsc, ctsa, cta, node-signature, signatory-signature,\n"
       "pak-registration, telemetry-event or control-message (see docs/model.md).\n\n"
       "When it is valid, prints “valid TYPE document, hash HASH”. Otherwise prints every\n"
       "problem on its own line as “PATH: MESSAGE”, where PATH is the JSON path of the\n"
       "offending value (for example “inputs[1].schema[0].type: unknown type \"flaot\"”),\n"
       "and a one-line summary on standard error.\n\n"
       "With --ctsc, a CTSA is also checked against its CTSC: the CTSC hash matches, the\n"
       "peer exists, and every input and output granted belongs to that peer.") },
  [DOC_SHOW] = {
    "show", N_("Render a document as text for review"),
    N_("Reads and validates the document FILE (“-” for standard input) and prints it as\n"
       "the deterministic text that the desktop app's review screens show: the same\n"
       "document always gives the same bytes. The first lines name the document and its\n"
       "hash. Control and bidirectional-formatting characters in the document are shown\n"
       "escaped as \\u{XXXX}. With --ctsc, a CTSA is shown with its CTSC: peers by name,\n"
       "and whether it belongs to that CTSC.") },
};

/* Reads the CTSC at PATH for --ctsc. */
static JcCtsc *
load_ctsc (const char *path, const JcDocLimits *limits, GError **error)
{
  g_autoptr(JsonNode) node = jc_doc_read_file (path, limits, error);
  JcCtsc *ctsc;

  if (node == NULL)
    return NULL;
  ctsc = jc_ctsc_from_json (node, error);
  if (ctsc == NULL)
    g_prefix_error (error, "%s: ", path);
  return ctsc;
}

/* --ctsc applies to CTSA documents only. */
static gboolean
check_is_ctsa (JcDocumentType type, const char *path, GError **error)
{
  if (type == JC_DOCUMENT_CTSA)
    return TRUE;
  g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
               _("%s is not a CTSA document; --ctsc applies to CTSA documents only"), path);
  return FALSE;
}

static int
run_doc (DocCommand which, int argc, char **argv)
{
  g_autoptr(GOptionContext) ctx = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) input = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *parameter = NULL;
  g_autofree char *description = NULL;
  gint64 max_size = JC_DOC_DEFAULT_MAX_SIZE;
  int max_depth = JC_DOC_DEFAULT_MAX_DEPTH;
  g_autofree char *ctsc_path = NULL;
  JcDocLimits limits;
  const char *path;
  int status = 0;
  GOptionEntry entries[] = {
    { "max-size", 0, 0, G_OPTION_ARG_INT64, &max_size,
      N_("Refuse documents longer than BYTES (default 16777216)"), N_("BYTES") },
    { "max-depth", 0, 0, G_OPTION_ARG_INT, &max_depth,
      N_("Refuse documents nested deeper than LEVELS (default 64, at most 512)"), N_("LEVELS") },
    { NULL },
  };
  GOptionEntry check_entries[] = {
    { "ctsc", 0, 0, G_OPTION_ARG_FILENAME, &ctsc_path,
      N_("For a CTSA: check (or show) it with the CTSC in CTSC_FILE"), N_("CTSC_FILE") },
    { NULL },
  };

  parameter = g_strdup_printf ("FILE — %s", _(commands[which].summary));
  ctx = g_option_context_new (parameter);
  g_option_context_set_summary (ctx, _(commands[which].description));
  description = g_strdup_printf (_("Exit status: 0 on success, 1 when the document is refused "
                                   "(with a one-line reason on standard error), 2 on a usage error.\n\n"
                                   "Example:\n  jocondectl doc %s task.json"),
                                 commands[which].name);
  g_option_context_set_description (ctx, description);
  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  if (which == DOC_CHECK || which == DOC_SHOW)
    g_option_context_add_main_entries (ctx, check_entries, GETTEXT_PACKAGE);
  g_option_context_set_translation_domain (ctx, GETTEXT_PACKAGE);
  {
    g_autofree char *prgname = g_strdup_printf ("jocondectl doc %s", commands[which].name);
    g_set_prgname (prgname);
  }
  if (!jc_cli_parse (ctx, &argc, &argv, &status))
    return status;
  if (argc != 2)
    {
      g_autofree char *group = g_strdup_printf ("doc %s", commands[which].name);
      return jc_cli_usage (group, argc < 2 ? _("a FILE is needed (“-” for standard input)")
                                           : _("only one FILE can be given"));
    }
  if (max_size <= 0 || max_depth <= 0)
    {
      g_autofree char *group = g_strdup_printf ("doc %s", commands[which].name);
      return jc_cli_usage (group, _("--max-size and --max-depth must be positive"));
    }
  path = argv[1];
  limits.max_size = (gsize) max_size;
  limits.max_depth = (guint) MIN (max_depth, (int) JC_DOC_MAX_DEPTH_LIMIT);

  if (g_str_equal (path, "-"))
    {
      input = jc_cli_read_input (path, limits.max_size, &error);
      if (input != NULL)
        node = jc_doc_parse_bytes (input, &limits, &error);
      if (node == NULL && input != NULL)
        g_prefix_error (&error, "%s: ", path);
    }
  else
    node = jc_doc_read_file (path, &limits, &error); /* the size is checked before reading */
  if (node == NULL)
    return jc_cli_fail (g_steal_pointer (&error));

  switch (which)
    {
    case DOC_CANON:
      {
        g_autoptr(GBytes) canon = jc_doc_canonicalize (node, &error);
        gsize len;
        const char *data;
        if (canon == NULL)
          return jc_cli_fail (g_steal_pointer (&error));
        data = g_bytes_get_data (canon, &len);
        if (fwrite (data, 1, len, stdout) != len || fflush (stdout) != 0)
          {
            g_set_error (&error, JC_ERROR, JC_ERROR_IO, _("cannot write to standard output"));
            return jc_cli_fail (g_steal_pointer (&error));
          }
        return 0;
      }
    case DOC_HASH:
      {
        g_autofree char *hex = jc_doc_hash_hex (node, &error);
        if (hex == NULL)
          return jc_cli_fail (g_steal_pointer (&error));
        printf ("%s\n", hex);
        return 0;
      }
    case DOC_CHECK:
      {
        g_autoptr(JcProblems) problems = jc_problems_new ();
        g_autofree char *hex = NULL;
        JcDocumentType type = jc_model_document_type (node);
        guint n;

        if (jc_model_check (node, problems) && ctsc_path != NULL)
          {
            g_autoptr(JcCtsc) ctsc = NULL;
            g_autoptr(JcCtsa) ctsa = NULL;
            guint8 ctsc_hash[JC_DOC_HASH_SIZE];

            if (!check_is_ctsa (type, path, &error) ||
                (ctsc = load_ctsc (ctsc_path, &limits, &error)) == NULL)
              return jc_cli_fail (g_steal_pointer (&error));
            jc_ctsc_hash (ctsc, ctsc_hash);
            ctsa = jc_ctsa_from_json (node, NULL);
            jc_ctsa_check_against (ctsa, ctsc, ctsc_hash, "", problems);
          }
        if (jc_problems_count (problems) == 0)
          {
            hex = jc_doc_hash_hex (node, NULL);
            printf (_("valid %s document, hash %s\n"), jc_document_type_to_string (type), hex);
            return 0;
          }
        n = jc_problems_count (problems);
        for (guint i = 0; i < n; i++)
          {
            g_autofree char *line = jc_problems_format (problems, i);
            printf ("%s\n", line);
          }
        fflush (stdout);
        if (type != JC_DOCUMENT_UNKNOWN)
          g_set_error (&error, JC_ERROR, JC_ERROR_INVALID,
                       g_dngettext (GETTEXT_PACKAGE, "%s is not a valid %s document (%u problem)",
                                    "%s is not a valid %s document (%u problems)", n),
                       path, jc_document_type_to_string (type), n);
        else
          g_set_error (&error, JC_ERROR, JC_ERROR_INVALID,
                       _("%s is not a JOCONDE document of a known type"), path);
        return jc_cli_fail (g_steal_pointer (&error));
      }
    case DOC_SHOW:
      {
        g_autofree char *text = NULL;

        if (ctsc_path != NULL)
          {
            g_autoptr(JcCtsc) ctsc = NULL;
            g_autoptr(JcCtsa) ctsa = NULL;

            if (!check_is_ctsa (jc_model_document_type (node), path, &error) ||
                (ctsc = load_ctsc (ctsc_path, &limits, &error)) == NULL)
              return jc_cli_fail (g_steal_pointer (&error));
            if ((ctsa = jc_ctsa_from_json (node, &error)) != NULL)
              text = jc_ctsa_render_for (ctsa, ctsc);
          }
        else
          text = jc_model_render (node, &error);
        if (text == NULL)
          {
            g_prefix_error (&error, "%s: ", path);
            return jc_cli_fail (g_steal_pointer (&error));
          }
        fputs (text, stdout);
        return 0;
      }
    }
  g_return_val_if_reached (1);
}

static int run_canon (int argc, char **argv) { return run_doc (DOC_CANON, argc, argv); }
static int run_hash (int argc, char **argv) { return run_doc (DOC_HASH, argc, argv); }
static int run_check (int argc, char **argv) { return run_doc (DOC_CHECK, argc, argv); }
static int run_show (int argc, char **argv) { return run_doc (DOC_SHOW, argc, argv); }

int
jc_cli_doc (int argc, char **argv)
{
  const JcCliCommand subcommands[] = {
    { "canon", commands[DOC_CANON].summary, run_canon },
    { "hash", commands[DOC_HASH].summary, run_hash },
    { "check", commands[DOC_CHECK].summary, run_check },
    { "show", commands[DOC_SHOW].summary, run_show },
    { NULL, NULL, NULL },
  };

  return jc_cli_dispatch ("doc",
                          _("Canonicalise, hash, check and show JOCONDE documents (CTSC, CTSA, CTA,\n"
                            "signatures, PAK registrations, telemetry events, control messages).\n"
                            "See docs/hashing.md and docs/model.md."),
                          subcommands, argc, argv);
}
