#define G_LOG_DOMAIN "joconde-fuzz"
#include "config.h"

#include <stdint.h>

#include "jc-atls.h"

/* The attested-channel frame reader on arbitrary bytes from a peer: every frame it can
 * read must be a JSON object within the limit; nothing may crash or leak. */
int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(GInputStream) in = g_memory_input_stream_new_from_data (g_memdup2 (data, size), size, g_free);
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GIOStream) stream = g_simple_io_stream_new (in, out);

  for (int i = 0; i < 8; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) frame = jc_atls_frame_read (stream, 65536, NULL, &error);
      if (frame == NULL)
        break;
      g_assert (JSON_NODE_HOLDS_OBJECT (frame));
    }
  return 0;
}
