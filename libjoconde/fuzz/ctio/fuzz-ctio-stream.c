#define G_LOG_DOMAIN "joconde-fuzz"
#include "config.h"

#include <stdint.h>

#include "jc-atls.h"
#include "jc-ctio-protocol.h"

/* A download as a hostile VM could send it: data chunks, the end chunk, then a reply frame
 * that may be an error. Every chunk read is within the limit; nothing may crash or leak. */
int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(GInputStream) in = g_memory_input_stream_new_from_data (g_memdup2 (data, size), size, g_free);
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GIOStream) stream = g_simple_io_stream_new (in, out);

  for (int i = 0; i < 16; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) chunk = jc_ctio_chunk_read (in, NULL, &error);
      g_autoptr(JsonNode) reply = NULL;

      if (chunk == NULL)
        break;
      g_assert (g_bytes_get_size (chunk) <= JC_CTIO_CHUNK_MAX);
      if (g_bytes_get_size (chunk) > 0)
        continue;
      reply = jc_atls_frame_read (stream, 65536, NULL, &error);
      if (reply != NULL)
        (void) jc_ctio_reply_check (reply, "io-done", NULL);
      break;
    }
  return 0;
}
