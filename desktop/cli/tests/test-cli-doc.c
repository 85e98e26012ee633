#define G_LOG_DOMAIN "joconde-test"
#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "cli-run.h"

/* Runs the built jocondectl on good and bad documents and checks its output, its one-line
 * refusals on standard error and its exit status. */

static char *
data_file (const char *name)
{
  const char *root = g_getenv ("JC_SOURCE_ROOT");
  g_autofree char *file = g_strdup_printf ("%s.json", name);
  return g_build_filename (root ? root : JC_SOURCE_ROOT, "libjoconde", "tests", "model", "data", file, NULL);
}

/* A refusal: status 1, nothing on stdout, exactly one line on stderr containing WHY. */
static void
assert_refused (CliRun *r, const char *why)
{
  g_test_message ("stderr: %s", r->err);
  g_assert_cmpint (r->status, ==, 1);
  g_assert_true (g_str_has_prefix (r->err, "jocondectl: "));
  g_assert_true (g_str_has_suffix (r->err, "\n"));
  g_assert_true (strchr (r->err, '\n') == r->err + strlen (r->err) - 1); /* one line */
  g_assert_nonnull (strstr (r->err, why));
}

static void
test_hash_and_canon (void)
{
  g_autofree char *ctsc = data_file ("ctsc");
  g_auto(CliRun) hash = { 0 };
  g_auto(CliRun) canon = { 0 };
  g_auto(CliRun) from_stdin = { 0 };
  g_autofree char *digest = NULL;
  g_autofree char *text = NULL;
  gsize len;

  cli_run (&hash, NULL, 0, "doc", "hash", ctsc, NULL);
  g_assert_cmpint (hash.status, ==, 0);
  g_assert_cmpstr (hash.out, ==, "b93b749b5bad08901dd1ffb5f3d4d811c29be1f61a961295defb540792c7207a\n");
  g_assert_cmpstr (hash.err, ==, "");

  /* canon prints the exact bytes whose SHA-256 is the hash. */
  cli_run (&canon, NULL, 0, "doc", "canon", ctsc, NULL);
  g_assert_cmpint (canon.status, ==, 0);
  digest = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) canon.out, canon.out_len);
  g_assert_cmpstr (digest, ==, "b93b749b5bad08901dd1ffb5f3d4d811c29be1f61a961295defb540792c7207a");
  g_assert_true (g_str_has_prefix (canon.out, "{\"algorithm\":\"OUTPUT rates AS\\n"));

  /* "-" reads standard input. */
  g_assert_true (g_file_get_contents (ctsc, &text, &len, NULL));
  cli_run (&from_stdin, text, (gssize) len, "doc", "canon", "-", NULL);
  g_assert_cmpint (from_stdin.status, ==, 0);
  g_assert_cmpstr (from_stdin.out, ==, canon.out);
}

static void
test_canon_small (void)
{
  g_auto(CliRun) r = { 0 };

  cli_run (&r, "{ \"b\" : [1, true, null], \"a\": \"\\u00e9\\n\" }\n", -1, "doc", "canon", "-", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.out, ==, "{\"a\":\"\xc3\xa9\\n\",\"b\":[1,true,null]}");
}

static void
test_check (void)
{
  g_autofree char *cta = data_file ("cta");
  g_auto(CliRun) ok = { 0 };
  g_auto(CliRun) bad = { 0 };
  g_auto(CliRun) unknown = { 0 };
  g_autofree char *text = NULL;
  g_autoptr(GString) broken = NULL;
  g_autofree char *ctsc = data_file ("ctsc");

  cli_run (&ok, NULL, 0, "doc", "check", cta, NULL);
  g_assert_cmpint (ok.status, ==, 0);
  g_assert_cmpstr (ok.out, ==, "valid cta document, hash 57a0f49af28b42a917d34c9908e3208f51e1f4870b2db5b3569f1abd8e88af43\n");

  /* Two problems in a CTSC: both printed with their paths, one per line. */
  g_assert_true (g_file_get_contents (ctsc, &text, NULL, NULL));
  broken = g_string_new (text);
  g_assert_cmpint (g_string_replace (broken, "\"type\": \"BOOL\"", "\"type\": \"flaot\"", 1), ==, 1);
  g_assert_cmpint (g_string_replace (broken, "\"input\": \"2026-12-08T12:00:00Z\"",
                                     "\"input\": \"2026-11-08T12:00:00Z\"", 1), ==, 1);
  cli_run (&bad, broken->str, -1, "doc", "check", "-", NULL);
  g_assert_cmpstr (bad.out, ==,
                   "deadlines.input: must be later than the approval deadline\n"
                   "inputs[1].schema[1].type: unknown type \"flaot\" (expected INT, DECIMAL(p,s), BOOL, DATE, CATEGORY or ID)\n");
  g_assert_cmpstr (bad.err, ==, "jocondectl: - is not a valid ctsc document (2 problems)\n");
  g_assert_cmpint (bad.status, ==, 1);

  cli_run (&unknown, "{\"type\": \"invoice\", \"version\": 1}", -1, "doc", "check", "-", NULL);
  g_assert_cmpint (unknown.status, ==, 1);
  g_assert_true (g_str_has_prefix (unknown.out, "type: unknown document type \"invoice\""));
  assert_refused (&unknown, "not a JOCONDE document of a known type");
}

static void
test_check_against_ctsc (void)
{
  g_autofree char *ctsa = data_file ("ctsa");
  g_autofree char *ctsa_mno = data_file ("ctsa-mno");
  g_autofree char *ctsc = data_file ("ctsc");
  g_autofree char *ctsc_opt = g_strdup_printf ("--ctsc=%s", ctsc);
  g_autofree char *cta_opt = NULL;
  g_autofree char *cta = data_file ("cta");
  g_autofree char *text = NULL;
  g_auto(CliRun) ok = { 0 };
  g_auto(CliRun) ok2 = { 0 };
  g_auto(CliRun) other = { 0 };
  g_auto(CliRun) wrong_type = { 0 };
  g_auto(CliRun) bad_ctsc = { 0 };

  cli_run (&ok, NULL, 0, "doc", "check", ctsc_opt, ctsa, NULL);
  g_assert_cmpint (ok.status, ==, 0);
  g_assert_true (g_str_has_prefix (ok.out, "valid ctsa document, hash "));
  cli_run (&ok2, NULL, 0, "doc", "check", ctsc_opt, ctsa_mno, NULL);
  g_assert_cmpint (ok2.status, ==, 0);

  /* The NSI's addendum claiming the MNO's input. */
  g_assert_true (g_file_get_contents (ctsa, &text, NULL, NULL));
  {
    g_autoptr(GString) s = g_string_new (text);
    g_assert_cmpint (g_string_replace (s, "\"population\"", "\"subscribers\"", 1), ==, 1);
    cli_run (&other, s->str, -1, "doc", "check", ctsc_opt, "-", NULL);
    g_assert_cmpint (other.status, ==, 1);
    g_assert_cmpstr (other.out, ==, "custodians[0].inputs[0]: the input \"subscribers\" is supplied by another peer\n");
    assert_refused (&other, "is not a valid ctsa document (1 problem)");
  }

  cli_run (&wrong_type, NULL, 0, "doc", "check", ctsc_opt, ctsc, NULL);
  assert_refused (&wrong_type, "is not a CTSA document; --ctsc applies to CTSA documents only");

  {
    g_auto(CliRun) shown = { 0 };
    cli_run (&shown, NULL, 0, "doc", "show", ctsc_opt, ctsa, NULL);
    g_assert_cmpint (shown.status, ==, 0);
    g_assert_nonnull (strstr (shown.out, "Belongs to the CTSC shown: yes\n"));
    g_assert_nonnull (strstr (shown.out, "Peer: [0] nsi\n"));
  }
  cta_opt = g_strdup_printf ("--ctsc=%s", cta);
  cli_run (&bad_ctsc, NULL, 0, "doc", "check", cta_opt, ctsa, NULL);
  assert_refused (&bad_ctsc, "The CTSC is not valid: type: must be \"ctsc\", not \"cta\"");
}

static void
test_show (void)
{
  g_autofree char *ctsa = data_file ("ctsa");
  g_autofree char *text = NULL;
  g_auto(CliRun) a = { 0 };
  g_auto(CliRun) b = { 0 };
  g_auto(CliRun) bad = { 0 };
  g_auto(CliRun) compact = { 0 };

  cli_run (&a, NULL, 0, "doc", "show", ctsa, NULL);
  cli_run (&b, NULL, 0, "doc", "show", ctsa, NULL);
  g_assert_cmpint (a.status, ==, 0);
  g_assert_cmpstr (a.out, ==, b.out);
  g_assert_true (g_str_has_prefix (a.out,
    "Computation Task Specification Addendum (CTSA), version 1\n"
    "Document hash (SHA-256): ce208317b2eccafe9fe652e8040695413e8b04bbd973ed803d34496f4b9d96df\n"));

  /* The same document written differently (canonical, so members reordered and no
   * whitespace) renders to the same bytes. */
  {
    g_auto(CliRun) canon = { 0 };
    cli_run (&canon, NULL, 0, "doc", "canon", ctsa, NULL);
    cli_run (&compact, canon.out, (gssize) canon.out_len, "doc", "show", "-", NULL);
    g_assert_cmpint (compact.status, ==, 0);
    g_assert_cmpstr (compact.out, ==, a.out);
  }

  g_assert_true (g_file_get_contents (ctsa, &text, NULL, NULL));
  {
    g_autoptr(GString) broken = g_string_new (text);
    g_string_replace (broken, "\"peer\": 0", "\"peer\": \"zero\"", 1);
    cli_run (&bad, broken->str, -1, "doc", "show", "-", NULL);
    assert_refused (&bad, "peer: must be an integer, not a string");
    g_assert_cmpstr (bad.out, ==, "");
  }
}

/* Every kind of bad input is refused by every command with a one-line reason naming the
 * place. */
static void
test_refusals (void)
{
  static const struct { const char *input; gssize len; const char *why; } bad[] = {
    { "\xef\xbb\xbf{}", -1, "line 1, column 1 (byte 0): a byte order mark" },
    { "{\"a\":1,\"a\":2}", -1, "line 1, column 8 (byte 7): duplicate key “a”" },
    { "[1.0]", -1, "fraction or an exponent" },
    { "[1e2]", -1, "fraction or an exponent" },
    { "[9007199254740992]", -1, "beyond ±9007199254740991" },
    { "[01]", -1, "leading zeros" },
    { "[-0]", -1, "“-0” is not allowed" },
    { "{}\n{}", -1, "line 2, column 1 (byte 3): unexpected “{” after the end" },
    { "[\"\\ud800\"]", -1, "lone surrogate" },
    { "[\"\xc0\xaf\"]", -1, "overlong" },
    { "[\"\xed\xa0\x80\"]", -1, "surrogate" },
    { "[\"\xf4\x90\x80\x80\"]", -1, "beyond U+10FFFF" },
    { "[\"a\x01\"]", -1, "control character U+0001" },
    { "", 0, "empty" },
  };
  const char *commands[] = { "canon", "hash", "check", "show" };

  for (gsize c = 0; c < G_N_ELEMENTS (commands); c++)
    for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_auto(CliRun) r = { 0 };
        cli_run (&r, bad[i].input, bad[i].len, "doc", commands[c], "-", NULL);
        assert_refused (&r, bad[i].why);
        g_assert_true (g_str_has_prefix (r.err, "jocondectl: -: line "));
        g_assert_cmpstr (r.out, ==, "");
      }
}

static void
test_limits_and_usage (void)
{
  g_autofree char *cta = data_file ("cta");
  g_auto(CliRun) big = { 0 };
  g_auto(CliRun) deep = { 0 };
  g_auto(CliRun) missing = { 0 };
  g_auto(CliRun) nofile = { 0 };
  g_auto(CliRun) two = { 0 };
  g_auto(CliRun) badopt = { 0 };
  g_auto(CliRun) help = { 0 };
  g_auto(CliRun) group = { 0 };

  cli_run (&big, NULL, 0, "doc", "hash", "--max-size", "100", cta, NULL);
  assert_refused (&big, "the limit of 100 bytes");
  cli_run (&deep, NULL, 0, "doc", "hash", "--max-depth", "3", cta, NULL);
  assert_refused (&deep, "nesting deeper than 3 levels");
  cli_run (&missing, NULL, 0, "doc", "check", "/nonexistent/task.json", NULL);
  assert_refused (&missing, "task.json");

  cli_run (&nofile, NULL, 0, "doc", "hash", NULL);
  g_assert_cmpint (nofile.status, ==, 2);
  g_assert_nonnull (strstr (nofile.err, "a FILE is needed"));
  cli_run (&two, NULL, 0, "doc", "hash", cta, cta, NULL);
  g_assert_cmpint (two.status, ==, 2);
  cli_run (&badopt, NULL, 0, "doc", "hash", "--frobnicate", cta, NULL);
  g_assert_cmpint (badopt.status, ==, 2);

  cli_run (&help, NULL, 0, "doc", "check", "--help", NULL);
  g_assert_cmpint (help.status, ==, 0);
  g_assert_nonnull (strstr (help.out, "jocondectl doc check [OPTION…] FILE"));
  g_assert_nonnull (strstr (help.out, "Exit status: 0 on success"));
  g_assert_nonnull (strstr (help.out, "--max-depth=LEVELS"));
  cli_run (&group, NULL, 0, "doc", "--help", NULL);
  g_assert_cmpint (group.status, ==, 0);
  for (const char *const *c = (const char *const[]) { "canon", "hash", "check", "show", NULL }; *c; c++)
    {
      g_autofree char *line = g_strdup_printf ("\n  %-12s ", *c);
      g_assert_nonnull (strstr (group.out, line));
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cli/doc/hash-canon", test_hash_and_canon);
  g_test_add_func ("/cli/doc/canon-small", test_canon_small);
  g_test_add_func ("/cli/doc/check", test_check);
  g_test_add_func ("/cli/doc/check-against-ctsc", test_check_against_ctsc);
  g_test_add_func ("/cli/doc/show", test_show);
  g_test_add_func ("/cli/doc/refusals", test_refusals);
  g_test_add_func ("/cli/doc/limits-usage", test_limits_and_usage);
  return g_test_run ();
}
