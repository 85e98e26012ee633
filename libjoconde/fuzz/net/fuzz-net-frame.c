#define G_LOG_DOMAIN "joconde-fuzz"
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "jc-net-frame.h"

/* libFuzzer target for the link protocol's frame and envelope reader (docs/wire.md §3):
 * no input may crash, leak or trip a sanitizer, and a message frame that was read must
 * survive being written again and read back with the same id, sequence and recipients. */

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
  g_autoptr(GError) error = NULL;
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autoptr(JcNetFrame) frame = jc_net_frame_parse (text, size, 64 * 1024, &error);
  if (!frame)
    {
      if (error == NULL)
        abort ();
      return 0;
    }
  if (frame->kind != JC_NET_FRAME_MSG)
    return 0;
  g_autofree char *again = jc_net_frame_msg (frame->seq, (const char *const *) frame->to,
                                             frame->envelope->text);
  g_autoptr(JcNetFrame) back = jc_net_frame_parse (again, strlen (again), 64 * 1024, NULL);
  if (!back || back->seq != frame->seq || g_strcmp0 (back->id, frame->id) != 0 ||
      !g_strv_equal ((const char *const *) back->to, (const char *const *) frame->to) ||
      g_strcmp0 (back->envelope->text, frame->envelope->text) != 0)
    abort ();
  return 0;
}
