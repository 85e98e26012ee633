#define G_LOG_DOMAIN "joconde-test"
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "jc-doc.h"

/* libFuzzer target for the strict JSON reader and the canonical form: no input may crash,
 * leak or trip a sanitizer, and whenever a document is read, its canonical form must be
 * a fixed point: canonicalize (parse (canonicalize (x))) == canonicalize (x). */

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
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonNode) again = NULL;
  g_autoptr(GBytes) c1 = NULL;
  g_autoptr(GBytes) c2 = NULL;
  g_autofree char *hex = NULL;

  jc_doc_limits_init (&limits);
  limits.max_size = 1 << 20;
  node = jc_doc_parse ((const char *) data, size, &limits, &error);
  if (node == NULL)
    {
      /* Every refusal says where: "line L, column C (byte B): …" or a size limit. */
      if (error == NULL || error->message == NULL || error->message[0] == '\0')
        abort ();
      return 0;
    }
  c1 = jc_doc_canonicalize (node, &error);
  if (c1 == NULL)
    abort (); /* whatever the reader accepts can be canonicalised */
  again = jc_doc_parse_bytes (c1, &limits, &error);
  if (again == NULL)
    abort (); /* canonical bytes are themselves an acceptable document */
  c2 = jc_doc_canonicalize (again, &error);
  if (c2 == NULL || !g_bytes_equal (c1, c2))
    abort ();
  if (g_bytes_get_size (c1) > size)
    abort (); /* the canonical form never adds bytes (escapes only get shorter) */
  hex = jc_doc_hash_hex (node, &error);
  if (hex == NULL || strlen (hex) != 64)
    abort ();
  return 0;
}
