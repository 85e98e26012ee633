#define G_LOG_DOMAIN "joconde-engine"
#include "config.h"

#include "jc-engine-value.h"
#include "jc-error.h"

static const char *const codes[] = { "NORTH", "SOUTH" };

static void
test_parse_format (void)
{
  JcEngineColumn i = { .name = "n", .type = JC_ENGINE_TYPE_INT };
  JcEngineColumn d = { .name = "d", .type = JC_ENGINE_TYPE_DECIMAL, .precision = 6, .scale = 2 };
  JcEngineColumn b = { .name = "b", .type = JC_ENGINE_TYPE_BOOL };
  JcEngineColumn t = { .name = "t", .type = JC_ENGINE_TYPE_DATE };
  JcEngineColumn c = { .name = "c", .type = JC_ENGINE_TYPE_CATEGORY, .codes = codes, .n_codes = 2 };
  JcEngineColumn id = { .name = "id", .type = JC_ENGINE_TYPE_ID };
  struct { const JcEngineColumn *col; const char *text; gint64 want; const char *back; } ok[] = {
    { &i, "-42", -42, "-42" }, { &i, "4611686018427387903", G_GINT64_CONSTANT (4611686018427387903), NULL },
    { &d, "1234.5", 123450, "1234.50" }, { &d, "-0.07", -7, "-0.07" }, { &d, "9999.99", 999999, NULL },
    { &d, "0012.30", 1230, "12.30" }, { &d, "+3", 300, "3.00" },
    { &b, "TRUE", 1, "true" }, { &b, "0", 0, "false" },
    { &t, "1970-01-02", 1, "1970-01-02" }, { &t, "1969-12-31", -1, "1969-12-31" },
    { &c, "SOUTH", 1, "SOUTH" },
  };
  for (gsize k = 0; k < G_N_ELEMENTS (ok); k++)
    {
      g_autoptr(GError) error = NULL;
      JcEngineValue v;
      g_assert_true (jc_engine_value_parse (ok[k].col, ok[k].text, &v, &error));
      g_assert_no_error (error);
      g_assert_cmpint (v.i, ==, ok[k].want);
      g_autofree char *s = jc_engine_value_format (ok[k].col, &v);
      g_assert_cmpstr (s, ==, ok[k].back ? ok[k].back : ok[k].text);
    }
  struct { const JcEngineColumn *col; const char *text; } bad[] = {
    { &i, "4611686018427387904" }, { &i, "12a" }, { &i, "" }, { &i, " 1" },
    { &d, "1.234" }, { &d, "10000.00" }, { &d, "1." }, { &d, "." }, { &d, "1.2.3" }, { &d, "-" },
    { &b, "yes" }, { &t, "2023-02-29" }, { &t, "2023-1-1" }, { &c, "north" }, { &id, "" },
    { &id, "01234567890123456789012345678901234567890123456789012345678901234" },
  };
  for (gsize k = 0; k < G_N_ELEMENTS (bad); k++)
    {
      g_autoptr(GError) error = NULL;
      JcEngineValue v;
      g_assert_false (jc_engine_value_parse (bad[k].col, bad[k].text, &v, &error));
      g_assert_error (error, JC_ERROR, JC_ERROR_INVALID);
      g_assert_nonnull (strstr (error->message, bad[k].col->name));
    }
  JcEngineValue v;
  g_assert_true (jc_engine_value_parse (&id, "FR-123", &v, NULL));
  g_assert_cmpuint (v.text_len, ==, 6);
  JcEngineValue enc = { .i = 0x0123456789abcdefLL };
  g_autofree char *hex = jc_engine_value_format (&id, &enc);
  g_assert_cmpstr (hex, ==, "0123456789abcdef");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/engine/value/parse-format", test_parse_format);
  return g_test_run ();
}
