#define G_LOG_DOMAIN "joconde-test"
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "jc-model.h"

/* libFuzzer target for the model: reading, validating and rendering any document must
 * never crash, leak or trip a sanitizer; a document that validates must write back to the
 * same canonical form and render the same text twice; and the canonical form of anything
 * read must be a fixed point of parse + canonicalize. */

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  return 0;
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  JcDocLimits limits;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonNode) reread = NULL;
  g_autoptr(JsonNode) back = NULL;
  g_autoptr(JcProblems) problems = jc_problems_new ();
  g_autoptr(GBytes) c1 = NULL;
  g_autoptr(GBytes) c2 = NULL;
  g_autofree char *r1 = NULL;
  g_autofree char *r2 = NULL;
  g_autofree char *listing = NULL;
  gboolean valid;

  jc_doc_limits_init (&limits);
  limits.max_size = 1 << 20;
  node = jc_doc_parse ((const char *) data, size, &limits, NULL);
  if (node == NULL)
    return 0;

  c1 = jc_doc_canonicalize (node, NULL);
  if (c1 == NULL)
    abort ();
  reread = jc_doc_parse_bytes (c1, &limits, NULL);
  if (reread == NULL)
    abort ();
  c2 = jc_doc_canonicalize (reread, NULL);
  if (c2 == NULL || !g_bytes_equal (c1, c2))
    abort ();

  valid = jc_model_check (node, problems);
  listing = jc_problems_to_string (problems);
  if (valid != (jc_problems_count (problems) == 0) || (!valid && listing[0] == '\0'))
    abort ();

  r1 = jc_model_render (node, NULL);
  if ((r1 != NULL) != valid)
    abort ();
  if (!valid)
    return 0;

  /* A valid document writes back to the same canonical bytes and renders the same. */
  back = jc_model_rewrite (node, NULL);
  if (back == NULL)
    abort ();
  g_clear_pointer (&c2, g_bytes_unref);
  c2 = jc_doc_canonicalize (back, NULL);
  if (c2 == NULL || !g_bytes_equal (c1, c2))
    abort ();
  r2 = jc_model_render (back, NULL);
  if (r2 == NULL || strcmp (r1, r2) != 0)
    abort ();
  return 0;
}
