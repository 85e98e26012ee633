/* libFuzzer target: the SQL front end (lexer, parser, type checker) on arbitrary text. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "jc-sql.h"

static const char *const codes[] = { "N", "S", "E", "W" };
static const JcEngineColumn in_cols[] = {
  { .name = "id", .type = JC_ENGINE_TYPE_ID },
  { .name = "region", .type = JC_ENGINE_TYPE_CATEGORY, .codes = codes, .n_codes = 4 },
  { .name = "age", .type = JC_ENGINE_TYPE_INT },
  { .name = "income", .type = JC_ENGINE_TYPE_DECIMAL, .precision = 10, .scale = 2 },
  { .name = "employed", .type = JC_ENGINE_TYPE_BOOL },
  { .name = "born", .type = JC_ENGINE_TYPE_DATE },
};
static const JcEngineColumn out_cols[] = {
  { .name = "region", .type = JC_ENGINE_TYPE_CATEGORY, .codes = codes, .n_codes = 4 },
  { .name = "n", .type = JC_ENGINE_TYPE_INT },
};
static const JcEngineSchema inputs[] = {
  { .key = "people", .columns = in_cols, .n_columns = 6 },
  { .key = "work", .columns = in_cols, .n_columns = 3 },
};
static const JcEngineSchema outputs[] = {
  { .key = "o", .columns = out_cols, .n_columns = 2 },
  { .key = "n", .columns = out_cols + 1, .n_columns = 1 },
};

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  JcSqlError err = { 0 };
  JcSqlScript *s = jc_sql_parse ((const char *) data, size, &err);
  if (s != NULL)
    {
      jc_sql_check (s, inputs, 2, outputs, 2, size % 2, &err);
      jc_sql_script_free (s);
    }
  return 0;
}
