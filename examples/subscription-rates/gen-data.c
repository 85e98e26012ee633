#define G_LOG_DOMAIN "joconde-example"
#include "config.h"

#include <glib.h>
#include <stdio.h>

/* Writes the example's two input tables with realistic shapes: a statistics office's
 * population register (person ID, region, age band, birth date) and a mobile network
 * operator's subscriber table (person ID, contract, monthly fee, active), joined on the
 * person ID. About 88 % of adults hold a subscription, fewer among the elderly and in the
 * rural regions; 3 % of the operator's rows are persons not in the register (visitors), so
 * that the join drops them. Deterministic for a given seed.
 *
 *   gen-data --rows 100000 --out DIR [--seed N]   → DIR/population.csv, DIR/subscribers.csv */

static const char *const regions[] = { "north", "south", "east", "west", "centre" };
static const double region_weight[] = { 0.17, 0.22, 0.18, 0.15, 0.28 };
static const double region_rate[] = { 0.84, 0.88, 0.86, 0.82, 0.93 };
static const char *const bands[] = { "15-24", "25-34", "35-44", "45-54", "55-64", "65+" };
static const double band_rate[] = { 0.95, 0.98, 0.97, 0.94, 0.88, 0.66 };

static guint
pick (GRand *r, const double *weights, guint n)
{
  double x = g_rand_double (r), acc = 0;
  for (guint i = 0; i < n; i++)
    if ((acc += weights[i]) > x)
      return i;
  return n - 1;
}

int
main (int argc, char **argv)
{
  gint64 rows = 100000;
  gint seed = 2026;
  g_autofree char *out = NULL;
  const GOptionEntry entries[] = {
    { "rows", 'n', 0, G_OPTION_ARG_INT64, &rows, "Persons in the population register", "N" },
    { "seed", 's', 0, G_OPTION_ARG_INT, &seed, "Seed of the generator", "N" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, "Directory for population.csv and subscribers.csv", "DIR" },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new ("");
  g_option_context_set_summary (ctx, "Generates the input tables of the subscription-rates example.");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_autoptr(GError) error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error) || !out || rows <= 0)
    {
      fprintf (stderr, "gen-data: %s\n", error ? error->message : "give --out DIR and --rows N > 0");
      return 2;
    }
  g_mkdir_with_parents (out, 0755);
  g_autofree char *pp = g_build_filename (out, "population.csv", NULL);
  g_autofree char *sp = g_build_filename (out, "subscribers.csv", NULL);
  FILE *pf = fopen (pp, "w"), *sf = fopen (sp, "w");
  if (!pf || !sf)
    {
      fprintf (stderr, "gen-data: cannot write into %s\n", out);
      return 1;
    }
  GRand *r = g_rand_new_with_seed ((guint32) seed);
  fprintf (pf, "person_id,region,age_band,birth_date\n");
  fprintf (sf, "person_id,contract,monthly_fee,active\n");
  /* Person IDs: 9 digits, distinct (a stride coprime with 10^9 over a random start). */
  guint64 start = g_rand_int_range (r, 0, 1000000000), stride = 7919 * 7907;
  GDate ref;
  g_date_clear (&ref, 1);
  g_date_set_dmy (&ref, 1, G_DATE_JANUARY, 2026);
  for (gint64 i = 0; i < rows; i++)
    {
      guint64 id = (start + (guint64) i * stride) % 1000000000ull;
      guint region = pick (r, region_weight, G_N_ELEMENTS (regions));
      /* Ages 15 to 94, fewer at the top. */
      int age = 15 + (int) (79 * g_rand_double (r) * (0.55 + 0.45 * g_rand_double (r)));
      guint band = age < 25 ? 0 : age < 35 ? 1 : age < 45 ? 2 : age < 55 ? 3 : age < 65 ? 4 : 5;
      GDate birth = ref;
      g_date_subtract_years (&birth, age + 1);
      g_date_add_days (&birth, g_rand_int_range (r, 0, 365));
      fprintf (pf, "%09" G_GUINT64_FORMAT ",%s,%s,%04d-%02d-%02d\n", id, regions[region], bands[band],
               g_date_get_year (&birth), g_date_get_month (&birth), g_date_get_day (&birth));
      if (g_rand_double (r) < region_rate[region] * band_rate[band])
        {
          gboolean postpaid = g_rand_double (r) < (band == 0 ? 0.35 : 0.7);
          int cents = postpaid ? g_rand_int_range (r, 999, 6999) : g_rand_int_range (r, 300, 1500);
          gboolean active = g_rand_double (r) < 0.96;
          fprintf (sf, "%09" G_GUINT64_FORMAT ",%s,%d.%02d,%s\n", id, postpaid ? "postpaid" : "prepaid",
                   cents / 100, cents % 100, active ? "true" : "false");
        }
      if (g_rand_double (r) < 0.03)
        {
          /* A visitor: an ID the register does not hold (10 digits). */
          guint64 visitor = 1000000000ull + id;
          fprintf (sf, "%010" G_GUINT64_FORMAT ",prepaid,%d.%02d,true\n", visitor,
                   g_rand_int_range (r, 3, 15), g_rand_int_range (r, 0, 100));
        }
    }
  g_rand_free (r);
  if (fclose (pf) != 0 || fclose (sf) != 0)
    {
      fprintf (stderr, "gen-data: writing failed\n");
      return 1;
    }
  return 0;
}
