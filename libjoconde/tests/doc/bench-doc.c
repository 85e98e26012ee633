#define G_LOG_DOMAIN "joconde-test"
#include "config.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "jc-doc.h"
#include "jc-init.h"

/* Prints the throughput of reading, canonicalising and hashing a large document, next to
 * two baselines measured in the same run on the same bytes: SHA-256 alone, and
 * json-glib's own (non-strict) parser. Run with `meson test --benchmark`. */

static double
seconds (void)
{
  return (double) g_get_monotonic_time () / G_USEC_PER_SEC;
}

static GString *
make_document (guint rows)
{
  GString *s = g_string_new ("{\"type\":\"bench\",\"version\":1,\"rows\":[");

  for (guint i = 0; i < rows; i++)
    g_string_append_printf (s, "%s{\"id\":%u,\"region\":\"r\\u00e9gion %u\",\"note\":\"caf\xc3\xa9 \\n\",\"ok\":%s,\"z\":null}",
                            i ? "," : "", i, i % 97, i % 3 ? "true" : "false");
  g_string_append (s, "]}");
  return s;
}

int
main (int argc, char **argv)
{
  g_autoptr(GString) doc = NULL;
  const int rounds = 5;
  double t0, t_sha = 1e9, t_glib = 1e9, t_parse = 1e9, t_canon = 1e9, t_hash = 1e9;
  double mb;

  g_assert_true (jc_init (NULL));
  doc = make_document (100000);
  mb = (double) doc->len / 1e6;

  for (int r = 0; r < rounds; r++)
    {
      guint8 digest[32];
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(JsonNode) node = NULL;
      g_autoptr(GBytes) canon = NULL;
      g_autofree char *hex = NULL;

      t0 = seconds ();
      crypto_hash_sha256 (digest, (const guint8 *) doc->str, doc->len);
      t_sha = MIN (t_sha, seconds () - t0);

      t0 = seconds ();
      g_assert_true (json_parser_load_from_data (parser, doc->str, (gssize) doc->len, NULL));
      t_glib = MIN (t_glib, seconds () - t0);

      t0 = seconds ();
      node = jc_doc_parse (doc->str, doc->len, NULL, NULL);
      t_parse = MIN (t_parse, seconds () - t0);
      g_assert_nonnull (node);

      t0 = seconds ();
      canon = jc_doc_canonicalize (node, NULL);
      t_canon = MIN (t_canon, seconds () - t0);
      g_assert_nonnull (canon);

      t0 = seconds ();
      hex = jc_doc_hash_hex (node, NULL);
      t_hash = MIN (t_hash, seconds () - t0);
      g_assert_nonnull (hex);
    }

  printf ("document: %.1f MB, best of %d rounds\n", mb, rounds);
  printf ("  baseline SHA-256 of the bytes      %8.1f MB/s\n", mb / t_sha);
  printf ("  baseline json-glib parser          %8.1f MB/s\n", mb / t_glib);
  printf ("  jc_doc_parse (strict)              %8.1f MB/s\n", mb / t_parse);
  printf ("  jc_doc_canonicalize                %8.1f MB/s\n", mb / t_canon);
  printf ("  jc_doc_hash_hex (canonical+SHA256) %8.1f MB/s\n", mb / t_hash);
  return 0;
}
