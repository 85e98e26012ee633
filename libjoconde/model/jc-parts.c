#define G_LOG_DOMAIN "joconde-model"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <sodium.h>
#include <string.h>

#include "jc-chain-fingerprint.h"
#include "jc-encoding.h"
#include "jc-model-read-private.h"
#include "jc-parts.h"

#define JC_CHAIN_MAX_CERTS 16

JcParty *
jc_party_new (void)
{
  JcParty *party = g_new0 (JcParty, 1);

  party->chain = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  return party;
}

void
jc_party_free (JcParty *party)
{
  if (party == NULL)
    return;
  g_free (party->name);
  g_ptr_array_unref (party->chain);
  g_free (party);
}

void
jc_party_compute_fingerprint (JcParty *party)
{
  jc_chain_fingerprint_der (party->chain, party->fingerprint, NULL);
}

char *
jc_party_fingerprint_digits (const JcParty *party)
{
  guint8 sha256[JC_DOC_HASH_SIZE], sha512[crypto_hash_sha512_BYTES];

  jc_chain_fingerprint_der (party->chain, sha256, sha512);
  return jc_digits_fingerprint (sha512, sizeof sha512);
}

JcParty *
jc_party_read (JsonNode *node, const char *path, JcProblems *problems)
{
  JcObjReader r;
  g_autoptr(JcParty) party = jc_party_new ();
  JsonArray *chain;
  gboolean chain_ok = TRUE, have_fp;

  if (!jc_obj_reader_init (&r, node, path, problems))
    {
      jc_obj_reader_finish (&r);
      return NULL;
    }
  party->name = jc_obj_string (&r, "name", JC_TEXT_NODE_NAME, TRUE);
  chain = jc_obj_array (&r, "chain", 1, TRUE);
  if (chain != NULL)
    {
      g_autofree char *cpath = jc_path_member (path, "chain");
      guint n = json_array_get_length (chain);
      if (n > JC_CHAIN_MAX_CERTS)
        {
          jc_problems_add (problems, cpath, _("has more than %d certificates"), JC_CHAIN_MAX_CERTS);
          n = JC_CHAIN_MAX_CERTS;
        }
      for (guint i = 0; i < n; i++)
        {
          g_autofree char *ipath = jc_path_index (cpath, i);
          GBytes *der = jc_node_base64url (json_array_get_element (chain, i), ipath, 0, 1, problems);
          if (der == NULL)
            {
              chain_ok = FALSE;
              continue;
            }
          /* A DER certificate is an ASN.1 SEQUENCE; anything else is surely not one. */
          if (((const guint8 *) g_bytes_get_data (der, NULL))[0] != 0x30)
            {
              jc_problems_add (problems, ipath, _("is not a DER-encoded certificate"));
              chain_ok = FALSE;
            }
          g_ptr_array_add (party->chain, der);
        }
    }
  have_fp = jc_obj_hash (&r, "fingerprint", party->fingerprint);
  if (have_fp && chain_ok && party->chain->len > 0)
    {
      guint8 expect[JC_DOC_HASH_SIZE];

      jc_chain_fingerprint_der (party->chain, expect, NULL);
      if (sodium_memcmp (expect, party->fingerprint, sizeof expect) != 0)
        {
          g_autofree char *fpath = jc_path_member (path, "fingerprint");
          g_autofree char *hex = jc_hex_encode (expect, sizeof expect);
          jc_problems_add (problems, fpath,
                           _("does not match the certificate chain (its fingerprint is %s)"), hex);
        }
    }
  jc_obj_reader_finish (&r);
  return g_steal_pointer (&party);
}

JsonNode *
jc_party_to_json (const JcParty *party)
{
  JsonObject *o = json_object_new ();
  JsonArray *chain = json_array_new ();

  jc_add_string (o, "name", party->name);
  for (guint i = 0; i < party->chain->len; i++)
    {
      gsize len;
      const guint8 *der = g_bytes_get_data (g_ptr_array_index (party->chain, i), &len);
      g_autofree char *text = jc_base64url_encode (der, len);
      json_array_add_string_element (chain, text);
    }
  json_object_set_array_member (o, "chain", chain);
  jc_add_hex (o, "fingerprint", party->fingerprint, sizeof party->fingerprint);
  return jc_node_from_object (o);
}

gboolean
jc_signer_read (JsonNode *node, const char *path, JcSigner *out, JcProblems *problems)
{
  JcObjReader r;
  guint before = jc_problems_count (problems);

  memset (out, 0, sizeof *out);
  if (jc_obj_reader_init (&r, node, path, problems))
    {
      out->name = jc_obj_string (&r, "name", JC_TEXT_NODE_NAME, TRUE);
      jc_obj_hash (&r, "fingerprint", out->fingerprint);
    }
  jc_obj_reader_finish (&r);
  return jc_problems_count (problems) == before;
}

JsonNode *
jc_signer_to_json (const JcSigner *signer)
{
  JsonObject *o = json_object_new ();

  jc_add_string (o, "name", signer->name);
  jc_add_hex (o, "fingerprint", signer->fingerprint, sizeof signer->fingerprint);
  return jc_node_from_object (o);
}

void
jc_signer_clear (JcSigner *signer)
{
  g_clear_pointer (&signer->name, g_free);
}

JcFile *
jc_file_new (const char *name, const char *media_type, GBytes *content)
{
  JcFile *file = g_new0 (JcFile, 1);

  file->name = g_strdup (name);
  file->media_type = g_strdup (media_type);
  file->content = content ? g_bytes_ref (content) : NULL;
  return file;
}

void
jc_file_free (JcFile *file)
{
  if (file == NULL)
    return;
  g_free (file->name);
  g_free (file->media_type);
  g_clear_pointer (&file->content, g_bytes_unref);
  g_free (file);
}

JcFile *
jc_file_read (JsonNode *node, const char *path, JcProblems *problems)
{
  JcObjReader r;
  JcFile *file;

  if (!jc_obj_reader_init (&r, node, path, problems))
    {
      jc_obj_reader_finish (&r);
      return NULL;
    }
  file = g_new0 (JcFile, 1);
  file->name = jc_obj_string (&r, "name", JC_TEXT_LINE, TRUE);
  file->media_type = jc_obj_media_type (&r, "media_type");
  file->content = jc_obj_base64url (&r, "content", 0, 1, TRUE);
  jc_obj_reader_finish (&r);
  return file;
}

JsonNode *
jc_file_to_json (const JcFile *file)
{
  JsonObject *o = json_object_new ();

  jc_add_string (o, "name", file->name);
  jc_add_string (o, "media_type", file->media_type);
  jc_add_base64url (o, "content", file->content);
  return jc_node_from_object (o);
}

JcAttachment *
jc_attachment_new (const char *title, const char *description, const char *media_type,
                   GBytes *content)
{
  JcAttachment *a = g_new0 (JcAttachment, 1);

  a->title = g_strdup (title);
  a->description = g_strdup (description);
  a->media_type = g_strdup (media_type);
  a->content = content ? g_bytes_ref (content) : NULL;
  return a;
}

void
jc_attachment_free (JcAttachment *attachment)
{
  if (attachment == NULL)
    return;
  g_free (attachment->title);
  g_free (attachment->description);
  g_free (attachment->media_type);
  g_clear_pointer (&attachment->content, g_bytes_unref);
  g_free (attachment);
}

JcAttachment *
jc_attachment_read (JsonNode *node, const char *path, JcProblems *problems)
{
  JcObjReader r;
  JcAttachment *a;

  if (!jc_obj_reader_init (&r, node, path, problems))
    {
      jc_obj_reader_finish (&r);
      return NULL;
    }
  a = g_new0 (JcAttachment, 1);
  a->title = jc_obj_string (&r, "title", JC_TEXT_LINE, TRUE);
  a->description = jc_obj_string (&r, "description", JC_TEXT_BLOCK_OR_EMPTY, TRUE);
  a->media_type = jc_obj_media_type (&r, "media_type");
  a->content = jc_obj_base64url (&r, "content", 0, 1, TRUE);
  jc_obj_reader_finish (&r);
  return a;
}

JsonNode *
jc_attachment_to_json (const JcAttachment *a)
{
  JsonObject *o = json_object_new ();

  jc_add_string (o, "title", a->title);
  jc_add_string (o, "description", a->description);
  jc_add_string (o, "media_type", a->media_type);
  jc_add_base64url (o, "content", a->content);
  return jc_node_from_object (o);
}

gboolean
jc_peer_ref_read (JsonNode *node, const char *path, JcPeerRef *out, JcProblems *problems)
{
  out->name = NULL;
  out->index = -1;
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64)
    return jc_node_int (node, path, 0, JC_DOC_INT_MAX, &out->index, problems);
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    {
      out->name = jc_node_string (node, path, JC_TEXT_NODE_NAME, problems);
      return out->name != NULL;
    }
  jc_problems_add (problems, path, _("must name a peer by its index (from 0) or its name"));
  return FALSE;
}

JsonNode *
jc_peer_ref_to_json (const JcPeerRef *ref)
{
  JsonNode *node;

  if (ref->name != NULL)
    return jc_node_from_string (ref->name);
  node = json_node_new (JSON_NODE_VALUE);
  json_node_set_int (node, ref->index);
  return node;
}

void
jc_peer_ref_clear (JcPeerRef *ref)
{
  g_clear_pointer (&ref->name, g_free);
}

