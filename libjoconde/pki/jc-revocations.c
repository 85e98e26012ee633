#define G_LOG_DOMAIN "joconde-pki"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "jc-error.h"
#include "jc-pki-json.h"
#include "jc-revocations.h"
#include "jc-time.h"

typedef struct {
  gint64 revoked_at;
  char  *reason;
} RevokedKey;

struct _JcRevocations
{
  GObject     parent_instance;
  GPtrArray  *crls;
  GHashTable *keys; /* key id -> RevokedKey */
};

G_DEFINE_FINAL_TYPE (JcRevocations, jc_revocations, G_TYPE_OBJECT)

static void
revoked_key_free (gpointer p)
{
  RevokedKey *k = p;

  g_free (k->reason);
  g_free (k);
}

static void
jc_revocations_finalize (GObject *object)
{
  JcRevocations *self = JC_REVOCATIONS (object);

  g_ptr_array_unref (self->crls);
  g_hash_table_unref (self->keys);
  G_OBJECT_CLASS (jc_revocations_parent_class)->finalize (object);
}

static void
jc_revocations_class_init (JcRevocationsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = jc_revocations_finalize;
}

static void
jc_revocations_init (JcRevocations *self)
{
  self->crls = g_ptr_array_new_with_free_func (g_object_unref);
  self->keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, revoked_key_free);
}

JcRevocations *
jc_revocations_new (void)
{
  return g_object_new (JC_TYPE_REVOCATIONS, NULL);
}

void
jc_revocations_add_crl (JcRevocations *self, JcCrl *crl)
{
  g_return_if_fail (JC_IS_REVOCATIONS (self));
  g_return_if_fail (JC_IS_CRL (crl));
  g_ptr_array_add (self->crls, g_object_ref (crl));
}

static gboolean
key_id_is_valid (const char *key_id)
{
  if (key_id == NULL || strlen (key_id) != 64)
    return FALSE;
  for (const char *p = key_id; *p; p++)
    if (!g_ascii_isdigit (*p) && !(*p >= 'a' && *p <= 'f'))
      return FALSE;
  return TRUE;
}

gboolean
jc_revocations_revoke_key (JcRevocations *self, const char *key_id, gint64 revoked_at,
                           const char *reason, GError **error)
{
  RevokedKey *k;

  g_return_val_if_fail (JC_IS_REVOCATIONS (self), FALSE);
  if (!key_id_is_valid (key_id))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("“%s” is not a key id (64 lowercase hex digits)"), key_id ? key_id : "");
      return FALSE;
    }
  k = g_hash_table_lookup (self->keys, key_id);
  if (k != NULL)
    {
      k->revoked_at = MIN (k->revoked_at, revoked_at);
      return TRUE;
    }
  k = g_new0 (RevokedKey, 1);
  k->revoked_at = revoked_at;
  k->reason = g_strdup (reason);
  g_hash_table_insert (self->keys, g_strdup (key_id), k);
  return TRUE;
}

gboolean
jc_revocations_is_key_revoked (JcRevocations *self, const char *key_id, gint64 at,
                               gint64 *revoked_at)
{
  RevokedKey *k = g_hash_table_lookup (self->keys, key_id);

  if (k == NULL || k->revoked_at > at)
    return FALSE;
  if (revoked_at != NULL)
    *revoked_at = k->revoked_at;
  return TRUE;
}

gboolean
jc_revocations_is_cert_revoked (JcRevocations *self, JcCert *cert, JcCert *issuer, gint64 at,
                                gint64 *revoked_at)
{
  g_return_val_if_fail (JC_IS_REVOCATIONS (self), FALSE);
  if (jc_revocations_is_key_revoked (self, jc_cert_get_key_id (cert), at, revoked_at))
    return TRUE;
  for (guint i = 0; i < self->crls->len; i++)
    {
      JcCrl *crl = g_ptr_array_index (self->crls, i);
      gint64 when = 0;

      /* Look first (cheap), verify only a hit: a CRL whose signature does not come
       * from this issuer says nothing about its children. */
      if (jc_crl_lookup (crl, jc_cert_get_serial (cert), &when) && when <= at &&
          jc_crl_verify (crl, issuer, NULL))
        {
          if (revoked_at != NULL)
            *revoked_at = when;
          return TRUE;
        }
    }
  return FALSE;
}

static gint
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

char *
jc_revocations_keys_to_json (JcRevocations *self)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GPtrArray) ids = g_ptr_array_new ();
  GHashTableIter it;
  gpointer key;

  g_hash_table_iter_init (&it, self->keys);
  while (g_hash_table_iter_next (&it, &key, NULL))
    g_ptr_array_add (ids, key);
  g_ptr_array_sort (ids, compare_strings); /* a stable file for the same set */
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, "joconde-revoked-keys");
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, 1);
  json_builder_set_member_name (b, "keys");
  json_builder_begin_array (b);
  for (guint i = 0; i < ids->len; i++)
    {
      const char *id = g_ptr_array_index (ids, i);
      RevokedKey *k = g_hash_table_lookup (self->keys, id);
      g_autofree char *when = jc_time_format (k->revoked_at);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "key_id");
      json_builder_add_string_value (b, id);
      json_builder_set_member_name (b, "revoked_at");
      json_builder_add_string_value (b, when);
      if (k->reason != NULL)
        {
          json_builder_set_member_name (b, "reason");
          json_builder_add_string_value (b, k->reason);
        }
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  return json_generator_to_data (gen, NULL);
}

JcRevocations *
jc_revocations_new_from_json (const char *json, gssize len, GError **error)
{
  g_autoptr(JcRevocations) self = jc_revocations_new ();
  JsonObject *o = NULL;
  g_autoptr(JsonParser) parser = jc_pki_json_parse (json, len, 16 * 1024 * 1024,
                                                    "joconde-revoked-keys", &o, error);
  JsonNode *keys_node;
  JsonArray *keys;

  if (parser == NULL)
    return NULL;
  keys_node = json_object_get_member (o, "keys");
  if (keys_node == NULL || !JSON_NODE_HOLDS_ARRAY (keys_node))
    goto bad;
  keys = json_node_get_array (keys_node);
  for (guint i = 0; i < json_array_get_length (keys); i++)
    {
      JsonNode *e = json_array_get_element (keys, i);
      JsonObject *k;
      const char *when_text, *reason;
      gint64 when = 0;

      if (!JSON_NODE_HOLDS_OBJECT (e))
        goto bad;
      k = json_node_get_object (e);
      when_text = jc_pki_json_get_string (k, "revoked_at");
      reason = jc_pki_json_get_string (k, "reason");
      if (when_text == NULL || (json_object_has_member (k, "reason") && reason == NULL))
        goto bad;
      if (!jc_time_parse_canonical (when_text, &when, error) ||
          !jc_revocations_revoke_key (self, jc_pki_json_get_string (k, "key_id"), when, reason, error))
        {
          g_prefix_error (error, _("Revoked-key list, entry %u: "), i);
          return NULL;
        }
    }
  return g_steal_pointer (&self);
bad:
  g_set_error_literal (error, JC_ERROR, JC_ERROR_INVALID,
                       _("The revoked-key list has an entry without key_id and revoked_at "
                         "(or a keys member that is not a list)"));
  return NULL;
}
