#define G_LOG_DOMAIN "joconde-test"
#include "config.h"

#include "jc-error.h"
#include "jc-time.h"

static void
test_parse_forms (void)
{
  const struct { const char *text; gint64 secs; } v[] = {
    { "1970-01-01T00:00:00Z", 0 },
    { "2026-11-21T19:43:00Z", 1795290180 },
    { "2026-11-21T20:43:00+01:00", 1795290180 },
    { "2026-11-21T19:43:00.999Z", 1795290180 },
    { "2000-02-29T12:00:00Z", 951825600 },
    { "1969-12-31T23:59:59Z", -1 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (v); i++)
    {
      gint64 t = 0;
      g_autoptr(GError) error = NULL;
      g_assert_true (jc_time_parse (v[i].text, &t, &error));
      g_assert_no_error (error);
      g_assert_cmpint (t, ==, v[i].secs);
    }
}

static void
test_parse_refuses (void)
{
  const char *bad[] = { "", "2026-11-21", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z",
                        "2026-11-21T24:00:00Z", "2026-11-21T19:43:00", "2026-11-21T19:43:00Zx",
                        "2025-02-29T00:00:00Z", "2026-11-21T19:43:00+1:00" };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      gint64 t;
      g_autoptr(GError) error = NULL;
      g_assert_false (jc_time_parse (bad[i], &t, &error));
      g_assert_error (error, JC_ERROR, JC_ERROR_INVALID);
    }
}

static void
test_canonical (void)
{
  gint64 t;
  g_autoptr(GError) error = NULL;
  g_autofree char *s = jc_time_format (1795290180);

  g_assert_cmpstr (s, ==, "2026-11-21T19:43:00Z");
  g_assert_true (jc_time_parse_canonical ("2026-11-21T19:43:00Z", &t, NULL));
  g_assert_false (jc_time_parse_canonical ("2026-11-21T20:43:00+01:00", &t, &error));
  g_assert_error (error, JC_ERROR, JC_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (jc_time_parse_canonical ("2026-11-21T19:43:00.5Z", &t, &error));
  g_assert_error (error, JC_ERROR, JC_ERROR_INVALID);
}

static void
test_roundtrip_many (void)
{
  for (gint64 t = -5000000000LL; t < 5000000000LL; t += 7777777)
    {
      g_autofree char *s = jc_time_format (t);
      gint64 back = 0;
      g_assert_true (jc_time_parse_canonical (s, &back, NULL));
      g_assert_cmpint (back, ==, t);
    }
}

static void
test_dates (void)
{
  gint32 d;
  g_autofree char *s = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (jc_date_parse ("1970-01-02", &d, NULL));
  g_assert_cmpint (d, ==, 1);
  g_assert_true (jc_date_parse ("1969-12-31", &d, NULL));
  g_assert_cmpint (d, ==, -1);
  s = jc_date_format (20413);
  g_assert_cmpstr (s, ==, "2025-11-21");
  g_assert_false (jc_date_parse ("2025-11-31", &d, &error));
  g_assert_error (error, JC_ERROR, JC_ERROR_INVALID);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/base/time/parse", test_parse_forms);
  g_test_add_func ("/base/time/refuses", test_parse_refuses);
  g_test_add_func ("/base/time/canonical", test_canonical);
  g_test_add_func ("/base/time/roundtrip", test_roundtrip_many);
  g_test_add_func ("/base/date", test_dates);
  return g_test_run ();
}
