#define G_LOG_DOMAIN "joconde-guest"
#include "config.h"

#include <glib/gi18n-lib.h>

#include "jc-encoding.h"
#include "jc-error.h"
#include "jc-guest-policy.h"

typedef struct {
  gint64      peer;
  gboolean    analyst;
  GHashTable *keys;   /* input or output keys granted */
} Grant;

struct _JcGuestPolicy
{
  const JcCta *cta;   /* owned by the orchestrator, which outlives the policy */
  GHashTable  *grants; /* base64url PAK → Grant */
};

static void
grant_free (gpointer p)
{
  Grant *g = p;
  g_hash_table_unref (g->keys);
  g_free (g);
}

JcGuestPolicy *
jc_guest_policy_new (const JcCta *cta)
{
  JcGuestPolicy *policy = g_new0 (JcGuestPolicy, 1);

  policy->cta = cta;
  policy->grants = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, grant_free);
  for (guint i = 0; i < cta->ctsas->len; i++)
    {
      const JcCtsa *ctsa = g_ptr_array_index (cta->ctsas, i);
      GPtrArray *lists[2] = { ctsa->custodians, ctsa->analysts };
      for (guint l = 0; l < 2; l++)
        for (guint k = 0; k < lists[l]->len; k++)
          {
            const JcPakGrant *pg = g_ptr_array_index (lists[l], k);
            Grant *g = g_new0 (Grant, 1);
            g->peer = ctsa->peer;
            g->analyst = l == 1;
            g->keys = g_hash_table_new (g_str_hash, g_str_equal);
            for (guint j = 0; j < pg->keys->len; j++)
              g_hash_table_add (g->keys, g_ptr_array_index (pg->keys, j));
            /* a PAK appears once in a CTSA; across CTSAs the model keeps them apart too */
            g_hash_table_replace (policy->grants,
                                  jc_base64url_encode (g_bytes_get_data (pg->pak, NULL), 32), g);
          }
    }
  return policy;
}

void
jc_guest_policy_free (JcGuestPolicy *policy)
{
  if (policy == NULL)
    return;
  g_hash_table_unref (policy->grants);
  g_free (policy);
}

static Grant *
lookup (const JcGuestPolicy *policy, const guint8 pak[32], GError **error)
{
  g_autofree char *b64 = jc_base64url_encode (pak, 32);
  Grant *g = g_hash_table_lookup (policy->grants, b64);

  if (g == NULL)
    g_set_error (error, JC_ERROR, JC_ERROR_DENIED,
                 _("The key %s is not named in this task's agreement"), b64);
  return g;
}

gboolean
jc_guest_policy_knows_pak (const JcGuestPolicy *policy, const guint8 pak[32], GError **error)
{
  return lookup (policy, pak, error) != NULL;
}

static const char *
peer_name (const JcGuestPolicy *policy, gint64 peer)
{
  const JcParty *party = g_ptr_array_index (policy->cta->ctsc->peers, peer);
  return party->name;
}

gboolean
jc_guest_policy_may_upload (const JcGuestPolicy *policy, const guint8 pak[32],
                            const char *input_key, GError **error)
{
  Grant *g = lookup (policy, pak, error);

  if (g == NULL)
    return FALSE;
  if (jc_ctsc_find_input (policy->cta->ctsc, input_key) == NULL)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_NOT_FOUND, _("The task has no input “%s”"), input_key);
      return FALSE;
    }
  if (g->analyst)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_DENIED,
                   _("A data analyst of %s may not upload data (input “%s”)"),
                   peer_name (policy, g->peer), input_key);
      return FALSE;
    }
  if (!g_hash_table_contains (g->keys, input_key))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_DENIED,
                   _("This data custodian of %s may not upload the input “%s”"),
                   peer_name (policy, g->peer), input_key);
      return FALSE;
    }
  return TRUE;
}

gboolean
jc_guest_policy_may_download (const JcGuestPolicy *policy, const guint8 pak[32],
                              const char *output_key, gint64 *peer, GError **error)
{
  Grant *g = lookup (policy, pak, error);

  if (g == NULL)
    return FALSE;
  if (jc_ctsc_find_output (policy->cta->ctsc, output_key) == NULL)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_NOT_FOUND, _("The task has no output “%s”"), output_key);
      return FALSE;
    }
  if (!g->analyst)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_DENIED,
                   _("A data custodian of %s may not download results (output “%s”)"),
                   peer_name (policy, g->peer), output_key);
      return FALSE;
    }
  if (!g_hash_table_contains (g->keys, output_key))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_DENIED,
                   _("This data analyst of %s may not download the output “%s”"),
                   peer_name (policy, g->peer), output_key);
      return FALSE;
    }
  *peer = g->peer;
  return TRUE;
}

char *
jc_guest_policy_describe_pak (const JcGuestPolicy *policy, const guint8 pak[32])
{
  Grant *g = lookup (policy, pak, NULL);

  if (g == NULL)
    return g_strdup ("unknown key");
  return g_strdup_printf ("%s of %s", g->analyst ? "analyst" : "custodian",
                          peer_name (policy, g->peer));
}
