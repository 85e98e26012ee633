#define G_LOG_DOMAIN "joconde-app"
#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>

#include "jc-transfer-view.h"

char *
jc_transfer_progress_text (guint64 done, guint64 total, double seconds)
{
  double rate = seconds > 0.1 ? done / seconds : 0;   /* bytes per second */
  g_autofree char *speed = rate > 0 ? g_strdup_printf (_("%.1f MB/s"), rate / 1e6) : g_strdup ("…");

  if (total == 0)
    return g_strdup_printf (_("%.1f MB · %s"), done / 1e6, speed);
  if (done >= total)
    return g_strdup_printf (_("%.1f of %.1f MB · %s"), done / 1e6, total / 1e6, speed);
  if (rate <= 0)
    return g_strdup_printf (_("%.1f of %.1f MB · %s"), done / 1e6, total / 1e6, speed);
  {
    guint64 left = (guint64) ((total - done) / rate + 0.5);
    g_autofree char *when = left < 60
      ? g_strdup_printf (_("about %" PRIu64 " s left"), left)
      : g_strdup_printf (_("about %" PRIu64 " min left"), (left + 59) / 60);
    return g_strdup_printf (_("%.1f of %.1f MB · %s · %s"), done / 1e6, total / 1e6, speed, when);
  }
}

static const char *
platform_name (JcTeePlatform platform)
{
  switch (platform)
    {
    case JC_TEE_PLATFORM_SIM:
      return _("simulated TEE — not confidential");
    case JC_TEE_PLATFORM_SEV_SNP:
      return _("AMD SEV-SNP");
    case JC_TEE_PLATFORM_TDX:
      return _("Intel TDX");
    case JC_TEE_PLATFORM_NONE:
    default:
      return _("no TEE");
    }
}

void
jc_attestation_describe (const JcClientAttestation *a, char **title, char **subtitle)
{
  *title = g_strdup_printf (_("%s — %s"), a->party, platform_name (a->platform));
  if (!a->attested)
    *subtitle = g_strdup_printf (_("Refused: %s"), a->problem ? a->problem : _("no reason given"));
  else if (a->simulated)
    *subtitle = g_strdup (_("Measurement matches · agreement matches · simulated: the operator can read the data"));
  else
    *subtitle = g_strdup (_("Measurement matches · agreement matches"));
}

gboolean
jc_attestations_ok (GPtrArray *attestations, char **problem)
{
  if (attestations == NULL || attestations->len == 0)
    {
      *problem = g_strdup (_("No computation VM was attested; nothing was sent"));
      return FALSE;
    }
  for (guint i = 0; i < attestations->len; i++)
    {
      const JcClientAttestation *a = attestations->pdata[i];
      if (!a->attested)
        {
          *problem = g_strdup_printf (_("The VM of %s failed its attestation, so nothing was sent: %s"),
                                      a->party, a->problem ? a->problem : "");
          return FALSE;
        }
    }
  *problem = NULL;
  return TRUE;
}

char *
jc_quality_text (JsonNode *verdict, gboolean *passed)
{
  JsonObject *o;
  gint64 violations;

  *passed = TRUE;
  if (verdict == NULL || !JSON_NODE_HOLDS_OBJECT (verdict))
    return g_strdup (_("Data quality: the task sets no check for this input."));
  o = json_node_get_object (verdict);
  *passed = json_object_get_boolean_member_with_default (o, "passed", FALSE);
  violations = json_object_get_int_member_with_default (o, "violations", 0);
  if (*passed)
    return g_strdup (_("Data quality: passed. Your data meet the task’s checks."));
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "Data quality: failed. %" PRId64 " row does not meet the task’s checks.",
                                       "Data quality: failed. %" PRId64 " rows do not meet the task’s checks.",
                                       (gulong) violations), violations);
}
