#define G_LOG_DOMAIN "joconde-cpd"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "jc-cpd-verify.h"
#include "jc-encoding.h"
#include "jc-error.h"
#include "jc-time.h"

JcCta *
jc_cpd_verify_cta (GBytes *cta_bytes, const JcAgreementTrust *trust, const char *own_fingerprint,
                   gint64 *cp_index, guint8 hash[JC_DOC_HASH_SIZE], GError **error)
{
  g_autoptr(JcCta) cta = jc_agreement_load (cta_bytes, trust, hash, error);
  const JcCtsc *ctsc;
  gint64 index = -1;

  if (cta == NULL)
    return NULL;
  ctsc = cta->ctsc;
  for (guint i = 0; i < ctsc->computing_parties->len; i++)
    {
      const JcParty *party = ctsc->computing_parties->pdata[i];
      g_autofree char *fp = jc_hex_encode (party->fingerprint, sizeof party->fingerprint);
      if (g_ascii_strcasecmp (fp, own_fingerprint) == 0)
        {
          index = i;
          break;
        }
    }
  if (index < 0)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_DENIED,
                   _("The agreement of task %s does not name this computing party"), cta->task_id);
      return NULL;
    }
  /* A VM started after the input deadline could never receive its inputs. */
  if (trust->at >= ctsc->input_deadline)
    {
      g_autofree char *when = jc_time_format (ctsc->input_deadline);
      g_set_error (error, JC_ERROR, JC_ERROR_EXPIRED,
                   _("The task %s is past its input deadline (%s)"), cta->task_id, when);
      return NULL;
    }
  *cp_index = index;
  return g_steal_pointer (&cta);
}

char *
jc_cpd_cta_peek_task_id (GBytes *cta_bytes)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  gsize len = 0;
  const char *data = g_bytes_get_data (cta_bytes, &len);
  JsonNode *root, *id;

  if (!json_parser_load_from_data (parser, data, (gssize) len, NULL))
    return NULL;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  id = json_object_get_member (json_node_get_object (root), "task_id");
  if (id == NULL || !JSON_NODE_HOLDS_VALUE (id) || json_node_get_value_type (id) != G_TYPE_STRING)
    return NULL;
  /* Only something that looks like a task id goes back into a report. */
  if (strlen (json_node_get_string (id)) != 36)
    return NULL;
  for (const char *p = json_node_get_string (id); *p; p++)
    if (!g_ascii_isxdigit (*p) && *p != '-')
      return NULL;
  return g_strdup (json_node_get_string (id));
}
