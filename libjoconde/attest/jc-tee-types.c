#define G_LOG_DOMAIN "joconde-attest"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <sodium.h>
#include <string.h>

#include "jc-error.h"
#include "jc-tee-types.h"
#include "jc-time.h"

void
jc_tee_policy_init (JcTeePolicy *policy, JcTeePlatform platform)
{
  memset (policy, 0, sizeof *policy);
  policy->platform = platform;
  policy->at = jc_time_now ();
}

gboolean
jc_tee_allow_list_holds (GPtrArray *list, const guint8 *value, gsize len)
{
  if (list == NULL || list->len == 0)
    return TRUE;
  for (guint i = 0; i < list->len; i++)
    {
      gsize n;
      const guint8 *entry = g_bytes_get_data (list->pdata[i], &n);
      if (n == len && sodium_memcmp (entry, value, len) == 0)
        return TRUE;
    }
  return FALSE;
}

gboolean
jc_tee_policy_check_report_data (const JcTeePolicy *policy, const guint8 *report_data,
                                 GError **error)
{
  if (policy->check_report_data
      && memcmp (policy->report_data, report_data, JC_TEE_REPORT_DATA_SIZE) != 0)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_DENIED,
                   _("The report data does not match the expected value: the evidence was "
                     "made for another channel or request"));
      return FALSE;
    }
  return TRUE;
}

void
jc_tee_policy_clear (JcTeePolicy *policy)
{
  g_clear_pointer (&policy->measurements, g_ptr_array_unref);
  g_clear_pointer (&policy->sim_keys, g_ptr_array_unref);
}

void
jc_tee_verdict_clear (JcTeeVerdict *verdict)
{
  g_clear_pointer (&verdict->tcb, g_free);
  g_clear_pointer (&verdict->signer, g_free);
}

static const char *const platform_names[] = {
  [JC_TEE_PLATFORM_NONE] = "none",
  [JC_TEE_PLATFORM_SIM] = "sim",
  [JC_TEE_PLATFORM_SEV_SNP] = "sev-snp",
  [JC_TEE_PLATFORM_TDX] = "tdx",
};

const char *
jc_tee_platform_to_string (JcTeePlatform platform)
{
  if ((guint) platform < G_N_ELEMENTS (platform_names))
    return platform_names[platform];
  return "unknown";
}

gboolean
jc_tee_platform_from_string (const char *name, JcTeePlatform *out, GError **error)
{
  for (guint i = JC_TEE_PLATFORM_SIM; i < G_N_ELEMENTS (platform_names); i++)
    if (g_str_equal (name, platform_names[i]))
      {
        *out = i;
        return TRUE;
      }
  g_set_error (error, JC_ERROR, JC_ERROR_UNSUPPORTED,
               _("Unknown TEE platform “%s” (known: sim, sev-snp, tdx)"), name);
  return FALSE;
}
