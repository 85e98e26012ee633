#define G_LOG_DOMAIN "joconde-model"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "jc-error.h"
#include "jc-model-read-private.h"
#include "jc-model.h"

static const char *const type_names[] = {
  NULL, "ctsc", "ctsa", "cta", "node-signature", "signatory-signature", "pak-registration",
  "telemetry-event", "control-message",
};

const char *
jc_document_type_to_string (JcDocumentType type)
{
  g_return_val_if_fail ((guint) type < G_N_ELEMENTS (type_names), NULL);
  return type_names[type];
}

JcDocumentType
jc_document_type_from_string (const char *name)
{
  for (guint i = 1; i < G_N_ELEMENTS (type_names); i++)
    if (strcmp (type_names[i], name) == 0)
      return (JcDocumentType) i;
  return JC_DOCUMENT_UNKNOWN;
}

JcDocumentType
jc_model_document_type (JsonNode *node)
{
  JsonNode *type;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return JC_DOCUMENT_UNKNOWN;
  type = json_object_get_member (json_node_get_object (node), "type");
  if (type == NULL || !JSON_NODE_HOLDS_VALUE (type) || json_node_get_value_type (type) != G_TYPE_STRING)
    return JC_DOCUMENT_UNKNOWN;
  return jc_document_type_from_string (json_node_get_string (type));
}

/* Reads NODE as its type; returns the object read (or NULL) and its type in *TYPE. */
static gpointer
read_any (JsonNode *node, JcProblems *problems, JcDocumentType *type)
{
  *type = jc_model_document_type (node);
  switch (*type)
    {
    case JC_DOCUMENT_CTSC: return jc_ctsc_read (node, "", problems);
    case JC_DOCUMENT_CTSA: return jc_ctsa_read (node, "", problems);
    case JC_DOCUMENT_CTA: return jc_cta_read (node, "", problems);
    case JC_DOCUMENT_NODE_SIGNATURE: return jc_node_signature_read (node, "", problems);
    case JC_DOCUMENT_SIGNATORY_SIGNATURE: return jc_signatory_signature_read (node, "", problems);
    case JC_DOCUMENT_PAK_REGISTRATION: return jc_pak_registration_read (node, "", problems);
    case JC_DOCUMENT_TELEMETRY_EVENT: return jc_telemetry_event_read (node, "", problems);
    case JC_DOCUMENT_CONTROL_MESSAGE: return jc_control_message_read (node, "", problems);
    case JC_DOCUMENT_UNKNOWN:
      break;
    }
  if (!JSON_NODE_HOLDS_OBJECT (node))
    jc_problems_add (problems, "", _("must be a JSON object with \"type\" and \"version\""));
  else
    {
      JsonNode *t = json_object_get_member (json_node_get_object (node), "type");
      if (t == NULL)
        jc_problems_add (problems, "type", _("is missing"));
      else if (!JSON_NODE_HOLDS_VALUE (t) || json_node_get_value_type (t) != G_TYPE_STRING)
        jc_problems_add (problems, "type", _("must be a string"));
      else
        {
          g_autofree char *q = jc_quote (json_node_get_string (t));
          jc_problems_add (problems, "type",
                           _("unknown document type %s (expected \"ctsc\", \"ctsa\", \"cta\", \"node-signature\", \"signatory-signature\", \"pak-registration\", \"telemetry-event\" or \"control-message\")"),
                           q);
        }
    }
  return NULL;
}

static void
free_any (JcDocumentType type, gpointer doc)
{
  switch (type)
    {
    case JC_DOCUMENT_CTSC: jc_ctsc_free (doc); break;
    case JC_DOCUMENT_CTSA: jc_ctsa_free (doc); break;
    case JC_DOCUMENT_CTA: jc_cta_free (doc); break;
    case JC_DOCUMENT_NODE_SIGNATURE: jc_node_signature_free (doc); break;
    case JC_DOCUMENT_SIGNATORY_SIGNATURE: jc_signatory_signature_free (doc); break;
    case JC_DOCUMENT_PAK_REGISTRATION: jc_pak_registration_free (doc); break;
    case JC_DOCUMENT_TELEMETRY_EVENT: jc_telemetry_event_free (doc); break;
    case JC_DOCUMENT_CONTROL_MESSAGE: jc_control_message_free (doc); break;
    case JC_DOCUMENT_UNKNOWN: break;
    }
}

gboolean
jc_model_check (JsonNode *node, JcProblems *problems)
{
  guint before = jc_problems_count (problems);
  JcDocumentType type;
  gpointer doc = read_any (node, problems, &type);

  free_any (type, doc);
  return jc_problems_count (problems) == before;
}

/* Reads NODE as its type; NULL (and the problems in ERROR) when it is not valid. */
static gpointer
read_valid (JsonNode *node, JcDocumentType *type, GError **error)
{
  g_autoptr(JcProblems) problems = jc_problems_new ();
  gpointer doc = read_any (node, problems, type);

  if (!jc_problems_check (problems, _("The document"), error))
    {
      free_any (*type, doc);
      return NULL;
    }
  return doc;
}

char *
jc_model_render (JsonNode *node, GError **error)
{
  JcDocumentType type;
  gpointer doc = read_valid (node, &type, error);
  char *text = NULL;

  if (doc == NULL)
    return NULL;
  switch (type)
    {
    case JC_DOCUMENT_CTSC: text = jc_ctsc_render (doc); break;
    case JC_DOCUMENT_CTSA: text = jc_ctsa_render (doc); break;
    case JC_DOCUMENT_CTA: text = jc_cta_render (doc); break;
    case JC_DOCUMENT_NODE_SIGNATURE: text = jc_node_signature_render (doc); break;
    case JC_DOCUMENT_SIGNATORY_SIGNATURE: text = jc_signatory_signature_render (doc); break;
    case JC_DOCUMENT_PAK_REGISTRATION: text = jc_pak_registration_render (doc); break;
    case JC_DOCUMENT_TELEMETRY_EVENT: text = jc_telemetry_event_render (doc); break;
    case JC_DOCUMENT_CONTROL_MESSAGE: text = jc_control_message_render (doc); break;
    case JC_DOCUMENT_UNKNOWN: break;
    }
  free_any (type, doc);
  return text;
}

JsonNode *
jc_model_rewrite (JsonNode *node, GError **error)
{
  JcDocumentType type;
  gpointer doc = read_valid (node, &type, error);
  JsonNode *back = NULL;

  if (doc == NULL)
    return NULL;
  switch (type)
    {
    case JC_DOCUMENT_CTSC: back = jc_ctsc_to_json (doc); break;
    case JC_DOCUMENT_CTSA: back = jc_ctsa_to_json (doc); break;
    case JC_DOCUMENT_CTA: back = jc_cta_to_json (doc); break;
    case JC_DOCUMENT_NODE_SIGNATURE: back = jc_node_signature_to_json (doc); break;
    case JC_DOCUMENT_SIGNATORY_SIGNATURE: back = jc_signatory_signature_to_json (doc); break;
    case JC_DOCUMENT_PAK_REGISTRATION: back = jc_pak_registration_to_json (doc); break;
    case JC_DOCUMENT_TELEMETRY_EVENT: back = jc_telemetry_event_to_json (doc); break;
    case JC_DOCUMENT_CONTROL_MESSAGE: back = jc_control_message_to_json (doc); break;
    case JC_DOCUMENT_UNKNOWN: break;
    }
  free_any (type, doc);
  return back;
}
