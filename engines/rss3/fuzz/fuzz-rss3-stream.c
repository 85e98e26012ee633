/* libFuzzer target: the reconstructor of rss3 output streams on arbitrary bytes, split into
 * the three parties' streams by the first two bytes. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "jc-rss3-stream.h"

static const char *const codes[] = { "a", "b" };
static const JcEngineColumn cols[] = {
  { .name = "k", .type = JC_ENGINE_TYPE_CATEGORY, .codes = codes, .n_codes = 2 },
  { .name = "v", .type = JC_ENGINE_TYPE_INT },
};
static const JcEngineSchema schema = { .key = "o", .columns = cols, .n_columns = 2 };

static int
ignore (void *user, const JcEngineValue *row, size_t n)
{
  return 0;
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  if (size < 2)
    return 0;
  size_t a = data[0] * size / 256, b = data[1] * size / 256;
  data += 2;
  size -= 2;
  a = a < size ? a : size;
  b = b < size - a ? b : size - a;
  JcEngineError err = { 0 };
  JcEngineReconstructor *r = jc_rss3_reconstructor_new (&schema, ignore, NULL, &err);
  if (jc_rss3_reconstructor_feed (r, 0, data, a, &err) == 0
      && jc_rss3_reconstructor_feed (r, 1, data + a, b, &err) == 0
      && jc_rss3_reconstructor_feed (r, 2, data + a + b, size - a - b, &err) == 0)
    jc_rss3_reconstructor_finish (r, &err);
  jc_rss3_reconstructor_free (r);
  return 0;
}
