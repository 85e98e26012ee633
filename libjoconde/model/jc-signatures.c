#define G_LOG_DOMAIN "joconde-model"
#include "config.h"

#include <glib/gi18n-lib.h>

#include "jc-encoding.h"
#include "jc-model-read-private.h"
#include "jc-model-render-private.h"
#include "jc-signatures.h"

JcNodeSignature *
jc_node_signature_new (void)
{
  return g_new0 (JcNodeSignature, 1);
}

void
jc_node_signature_free (JcNodeSignature *sig)
{
  if (sig == NULL)
    return;
  jc_signer_clear (&sig->signer);
  g_clear_pointer (&sig->signature, g_bytes_unref);
  g_free (sig);
}

JcNodeSignature *
jc_node_signature_read (JsonNode *node, const char *path, JcProblems *problems)
{
  static const char *const algorithms[] = { JC_NODE_SIGNATURE_ALGORITHM, NULL };
  g_autoptr(JcNodeSignature) sig = jc_node_signature_new ();
  guint before = jc_problems_count (problems);
  JcObjReader r;
  JsonNode *signer;

  if (!jc_obj_reader_init (&r, node, path, problems))
    {
      jc_obj_reader_finish (&r);
      return NULL;
    }
  jc_obj_header (&r, "node-signature");
  jc_obj_enum (&r, "algorithm", algorithms);
  if ((signer = jc_obj_member (&r, "signer", TRUE)) != NULL)
    {
      g_autofree char *spath = jc_path_member (r.path, "signer");
      jc_signer_read (signer, spath, &sig->signer, problems);
    }
  jc_obj_hash (&r, "document_hash", sig->document_hash);
  sig->signature = jc_obj_base64url (&r, "signature", JC_NODE_SIGNATURE_SIZE, 0, TRUE);
  jc_obj_reader_finish (&r);
  if (jc_problems_count (problems) != before)
    return NULL;
  return g_steal_pointer (&sig);
}

JcNodeSignature *
jc_node_signature_from_json (JsonNode *node, GError **error)
{
  g_autoptr(JcProblems) problems = jc_problems_new ();
  JcNodeSignature *sig = jc_node_signature_read (node, "", problems);

  if (!jc_problems_check (problems, _("The node signature"), error))
    {
      jc_node_signature_free (sig);
      return NULL;
    }
  return sig;
}

JsonNode *
jc_node_signature_to_json (const JcNodeSignature *sig)
{
  JsonObject *o = json_object_new ();

  jc_add_header (o, "node-signature");
  jc_add_string (o, "algorithm", JC_NODE_SIGNATURE_ALGORITHM);
  json_object_set_member (o, "signer", jc_signer_to_json (&sig->signer));
  jc_add_hex (o, "document_hash", sig->document_hash, sizeof sig->document_hash);
  jc_add_base64url (o, "signature", sig->signature);
  return jc_node_from_object (o);
}

gboolean
jc_node_signature_hash (const JcNodeSignature *sig, guint8 out[JC_DOC_HASH_SIZE])
{
  g_autoptr(JsonNode) node = jc_node_signature_to_json (sig);
  return jc_doc_hash (node, out, NULL);
}

void
jc_node_signature_render_to (const JcNodeSignature *sig, GString *out, guint indent)
{
  gsize len;
  const guint8 *bytes = g_bytes_get_data (sig->signature, &len);
  g_autofree char *b64 = jc_base64url_encode (bytes, len);

  jc_render_field (out, indent, "Algorithm", JC_NODE_SIGNATURE_ALGORITHM);
  jc_render_field (out, indent, "Signed by node", sig->signer.name);
  jc_render_hash (out, indent + 1, "chain SHA-256", sig->signer.fingerprint);
  jc_render_hash (out, indent, "Signed document hash", sig->document_hash);
  jc_render_field (out, indent, "Signature", b64);
}

char *
jc_node_signature_render (const JcNodeSignature *sig)
{
  GString *out = g_string_new (NULL);
  guint8 hash[JC_DOC_HASH_SIZE];

  jc_node_signature_hash (sig, hash);
  jc_render_header (out, "Node signature", hash);
  jc_node_signature_render_to (sig, out, 0);
  return g_string_free (out, FALSE);
}

JcSignatorySignature *
jc_signatory_signature_new (void)
{
  return g_new0 (JcSignatorySignature, 1);
}

void
jc_signatory_signature_free (JcSignatorySignature *sig)
{
  if (sig == NULL)
    return;
  jc_file_free (sig->file);
  g_free (sig);
}

JcSignatorySignature *
jc_signatory_signature_read (JsonNode *node, const char *path, JcProblems *problems)
{
  g_autoptr(JcSignatorySignature) sig = jc_signatory_signature_new ();
  guint before = jc_problems_count (problems);
  JcObjReader r;
  JsonNode *file;

  if (!jc_obj_reader_init (&r, node, path, problems))
    {
      jc_obj_reader_finish (&r);
      return NULL;
    }
  jc_obj_header (&r, "signatory-signature");
  jc_obj_hash (&r, "ctsa_hash", sig->ctsa_hash);
  jc_obj_int (&r, "signatory", 0, JC_DOC_INT_MAX, &sig->signatory);
  if ((file = jc_obj_member (&r, "file", TRUE)) != NULL)
    {
      g_autofree char *fpath = jc_path_member (r.path, "file");
      sig->file = jc_file_read (file, fpath, problems);
    }
  jc_obj_reader_finish (&r);
  if (jc_problems_count (problems) != before)
    return NULL;
  return g_steal_pointer (&sig);
}

JcSignatorySignature *
jc_signatory_signature_from_json (JsonNode *node, GError **error)
{
  g_autoptr(JcProblems) problems = jc_problems_new ();
  JcSignatorySignature *sig = jc_signatory_signature_read (node, "", problems);

  if (!jc_problems_check (problems, _("The signatory signature"), error))
    {
      jc_signatory_signature_free (sig);
      return NULL;
    }
  return sig;
}

JsonNode *
jc_signatory_signature_to_json (const JcSignatorySignature *sig)
{
  JsonObject *o = json_object_new ();

  jc_add_header (o, "signatory-signature");
  jc_add_hex (o, "ctsa_hash", sig->ctsa_hash, sizeof sig->ctsa_hash);
  jc_add_int (o, "signatory", sig->signatory);
  json_object_set_member (o, "file", sig->file ? jc_file_to_json (sig->file) : json_node_new (JSON_NODE_NULL));
  return jc_node_from_object (o);
}

gboolean
jc_signatory_signature_hash (const JcSignatorySignature *sig, guint8 out[JC_DOC_HASH_SIZE])
{
  g_autoptr(JsonNode) node = jc_signatory_signature_to_json (sig);
  return jc_doc_hash (node, out, NULL);
}

void
jc_signatory_signature_render_to (const JcSignatorySignature *sig, GString *out, guint indent)
{
  jc_render_hash (out, indent, "Signed CTSA hash", sig->ctsa_hash);
  jc_render_fieldf (out, indent, "Signatory", "[%" G_GINT64_FORMAT "]", sig->signatory);
  jc_render_fieldf (out, indent, "Signature file", "%s (%s)", sig->file->name, sig->file->media_type);
  jc_render_bytes (out, indent + 1, "content", sig->file->content);
}

char *
jc_signatory_signature_render (const JcSignatorySignature *sig)
{
  GString *out = g_string_new (NULL);
  guint8 hash[JC_DOC_HASH_SIZE];

  jc_signatory_signature_hash (sig, hash);
  jc_render_header (out, "Signatory signature", hash);
  jc_signatory_signature_render_to (sig, out, 0);
  return g_string_free (out, FALSE);
}
