#define G_LOG_DOMAIN "joconde-client"
#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "jc-chain.h"
#include "jc-client-profile.h"
#include "jc-client-store.h"
#include "jc-csr.h"
#include "jc-error.h"
#include "jc-net-frame.h"
#include "jc-node-identity.h"
#include "jc-time.h"

/* The default time a node keeps a task's artefacts after the task's output deadline. */
#define DEFAULT_RETENTION_DAYS 30

struct _JcClientProfile {
  GObject    parent_instance;
  char      *dir;
  char      *name;
  char      *parent_url;
  char      *organisation;
  guint      retention_days;
  JcStore   *store;
  JcNodeKey *key;
};

G_DEFINE_TYPE (JcClientProfile, jc_client_profile, G_TYPE_OBJECT)

static void
jc_client_profile_finalize (GObject *object)
{
  JcClientProfile *self = JC_CLIENT_PROFILE (object);
  g_free (self->dir);
  g_free (self->name);
  g_free (self->parent_url);
  g_free (self->organisation);
  g_clear_object (&self->store);
  g_clear_object (&self->key);
  G_OBJECT_CLASS (jc_client_profile_parent_class)->finalize (object);
}

static void
jc_client_profile_class_init (JcClientProfileClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = jc_client_profile_finalize;
}

static void
jc_client_profile_init (JcClientProfile *self)
{
}

char *
jc_client_profile_path (JcClientProfile *self, const char *file)
{
  return g_build_filename (self->dir, file, NULL);
}

static gboolean
write_file (const char *path, const char *text, int mode, GError **error)
{
  g_autoptr(GError) local = NULL;
  if (!g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, mode, &local))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_IO, _("Cannot write %s: %s"), path, local->message);
      return FALSE;
    }
  return TRUE;
}

JcClientProfile *
jc_client_profile_create (const char *dir, const JcClientProfileSetup *setup, GError **error)
{
  g_return_val_if_fail (dir && setup && setup->name, NULL);

  if (!jc_net_node_id_valid (setup->name))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("“%s” is not usable as a node name (1–128 letters, digits, “.”, “_”, “:”, “-”)"),
                   setup->name);
      return NULL;
    }
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int e = errno;
      g_set_error (error, JC_ERROR, JC_ERROR_IO, _("Cannot create the profile directory %s: %s"),
                   dir, g_strerror (e));
      return NULL;
    }
  g_autofree char *key_path = g_build_filename (dir, "node.key", NULL);
  if (g_file_test (key_path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_EXISTS,
                   _("%s holds a node profile already; a profile is created once"), dir);
      return NULL;
    }

  g_autofree char *ca_text = NULL;
  g_autoptr(GError) local = NULL;
  if (!setup->root_ca_file || !g_file_get_contents (setup->root_ca_file, &ca_text, NULL, &local))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_IO, _("Cannot read the System's root CA %s: %s"),
                   setup->root_ca_file ? setup->root_ca_file : "(none)",
                   local ? local->message : _("no file given"));
      return NULL;
    }
  g_autoptr(JcCert) ca = jc_cert_new_from_pem (ca_text, -1, error);
  if (!ca)
    return NULL;

  g_autoptr(JcNodeKey) key = jc_node_key_generate (error);
  if (!key)
    return NULL;
  g_autoptr(JcNodeIdentity) id = jc_node_identity_new (setup->company, setup->department,
                                                       setup->email, setup->name);
  g_autoptr(JcCsr) csr = jc_csr_new (key, id, setup->roles, error);
  if (!csr)
    return NULL;
  g_autofree char *csr_pem = jc_csr_to_pem (csr);
  g_autofree char *csr_path = g_build_filename (dir, "node.csr", NULL);
  g_autofree char *ca_path = g_build_filename (dir, "root-ca.pem", NULL);
  g_autofree char *name_path = g_build_filename (dir, "node-name", NULL);
  g_autofree char *ini_path = g_build_filename (dir, "profile.ini", NULL);

  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_key_file_set_string (kf, "node", "parent-url", setup->parent_url ? setup->parent_url : "");
  g_key_file_set_string (kf, "node", "organisation", setup->organisation ? setup->organisation : "");
  g_key_file_set_integer (kf, "node", "retention-days", DEFAULT_RETENTION_DAYS);
  g_autofree char *ini = g_key_file_to_data (kf, NULL, NULL);
  g_autofree char *name_line = g_strdup_printf ("%s\n", setup->name);

  if (!jc_node_key_save_file (key, key_path, NULL, error)
      || !write_file (csr_path, csr_pem, 0644, error)
      || !write_file (ca_path, ca_text, 0644, error)
      || !write_file (name_path, name_line, 0644, error)
      || !write_file (ini_path, ini, 0600, error))
    return NULL;
  return jc_client_profile_open (dir, error);
}

JcClientProfile *
jc_client_profile_open (const char *dir, GError **error)
{
  g_autofree char *name_path = g_build_filename (dir, "node-name", NULL);
  g_autofree char *ini_path = g_build_filename (dir, "profile.ini", NULL);
  g_autofree char *name = NULL;
  if (!g_file_get_contents (name_path, &name, NULL, NULL))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_NOT_FOUND,
                   _("%s is not a node profile (it has no node-name file)"), dir);
      return NULL;
    }
  g_strstrip (name);
  if (!jc_net_node_id_valid (name))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID, _("The node name in %s is not valid"),
                   name_path);
      return NULL;
    }
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autoptr(GError) local = NULL;
  if (!g_key_file_load_from_file (kf, ini_path, G_KEY_FILE_NONE, &local))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID, _("Cannot read %s: %s"), ini_path,
                   local->message);
      return NULL;
    }
  g_autoptr(JcClientProfile) self = g_object_new (JC_TYPE_CLIENT_PROFILE, NULL);
  self->dir = g_strdup (dir);
  self->name = g_steal_pointer (&name);
  self->parent_url = g_key_file_get_string (kf, "node", "parent-url", NULL);
  self->organisation = g_key_file_get_string (kf, "node", "organisation", NULL);
  if (self->organisation && !*self->organisation)
    g_clear_pointer (&self->organisation, g_free);
  gint days = g_key_file_get_integer (kf, "node", "retention-days", &local);
  self->retention_days = local || days < 0 ? DEFAULT_RETENTION_DAYS : (guint) days;
  g_autofree char *db_path = g_build_filename (dir, "node.db", NULL);
  self->store = jc_client_store_open (db_path, error);
  if (!self->store)
    return NULL;
  return g_steal_pointer (&self);
}

const char *jc_client_profile_get_dir (JcClientProfile *self) { return self->dir; }
const char *jc_client_profile_get_name (JcClientProfile *self) { return self->name; }
const char *jc_client_profile_get_parent_url (JcClientProfile *self) { return self->parent_url; }
const char *jc_client_profile_get_organisation (JcClientProfile *self) { return self->organisation; }
guint jc_client_profile_get_retention_days (JcClientProfile *self) { return self->retention_days; }
JcStore *jc_client_profile_get_store (JcClientProfile *self) { return self->store; }

gboolean
jc_client_profile_is_enrolled (JcClientProfile *self)
{
  g_autofree char *path = jc_client_profile_path (self, "node.pem");
  return g_file_test (path, G_FILE_TEST_EXISTS);
}

JcNodeKey *
jc_client_profile_get_key (JcClientProfile *self, GError **error)
{
  if (!self->key)
    {
      g_autofree char *path = jc_client_profile_path (self, "node.key");
      self->key = jc_node_key_load_file (path, NULL, error);
      if (!self->key)
        return NULL;
    }
  return g_object_ref (self->key);
}

GPtrArray *
jc_client_profile_get_chain (JcClientProfile *self, GError **error)
{
  g_autofree char *path = jc_client_profile_path (self, "node.pem");
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_STATE,
                   _("Node %s is not enrolled yet: its parent's administrator has not issued "
                     "its certificate (send them %s/node.csr)"), self->name, self->dir);
      return NULL;
    }
  return jc_cert_list_new_from_file (path, error);
}

JcCert *
jc_client_profile_get_root_ca (JcClientProfile *self, GError **error)
{
  g_autofree char *path = jc_client_profile_path (self, "root-ca.pem");
  return jc_cert_new_from_file (path, error);
}

GPtrArray *
jc_client_profile_get_full_chain (JcClientProfile *self, GError **error)
{
  g_autoptr(GPtrArray) chain = jc_client_profile_get_chain (self, error);
  JcCert *ca = chain ? jc_client_profile_get_root_ca (self, error) : NULL;
  if (!ca)
    return NULL;
  g_ptr_array_add (chain, ca);
  return g_steal_pointer (&chain);
}

JcRoles
jc_client_profile_get_roles (JcClientProfile *self)
{
  g_autoptr(GPtrArray) chain = jc_client_profile_get_chain (self, NULL);
  if (!chain || chain->len == 0)
    return JC_ROLE_NONE;
  return jc_cert_get_roles (g_ptr_array_index (chain, 0));
}

char *
jc_client_profile_get_csr (JcClientProfile *self, char **key_id, GError **error)
{
  g_autofree char *path = jc_client_profile_path (self, "node.csr");
  g_autofree char *pem = NULL;
  g_autoptr(GError) local = NULL;
  if (!g_file_get_contents (path, &pem, NULL, &local))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_IO, _("Cannot read %s: %s"), path, local->message);
      return NULL;
    }
  if (key_id)
    {
      g_autoptr(JcCsr) csr = jc_csr_new_from_pem (pem, -1, error);
      if (!csr)
        return NULL;
      *key_id = g_strdup (jc_csr_get_key_id (csr));
    }
  return g_steal_pointer (&pem);
}

gboolean
jc_client_profile_install_chain (JcClientProfile *self, const char *chain_pem, GError **error)
{
  g_autoptr(GPtrArray) chain = jc_cert_list_new_from_pem (chain_pem, -1, error);
  if (!chain)
    return FALSE;
  if (chain->len == 0)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID, _("The certificate file holds no certificate"));
      return FALSE;
    }
  JcCert *leaf = g_ptr_array_index (chain, 0);
  g_autoptr(JcNodeKey) key = jc_client_profile_get_key (self, error);
  if (!key)
    return FALSE;
  /* The certificate must be for this profile's key: compare the key ids. */
  g_autofree char *csr = NULL, *key_id = NULL;
  if (!(csr = jc_client_profile_get_csr (self, &key_id, error)))
    return FALSE;
  if (g_strcmp0 (jc_cert_get_key_id (leaf), key_id) != 0)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_DENIED,
                   _("The certificate for %s is not for this node's key (key id %s, expected %s)"),
                   jc_cert_get_name (leaf), jc_cert_get_key_id (leaf), key_id);
      return FALSE;
    }
  if (g_strcmp0 (jc_cert_get_name (leaf), self->name) != 0)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_DENIED,
                   _("The certificate names node %s, but this profile is node %s"),
                   jc_cert_get_name (leaf), self->name);
      return FALSE;
    }
  g_autoptr(JcCert) ca = jc_client_profile_get_root_ca (self, error);
  if (!ca)
    return FALSE;
  /* Keep the chain below the CA only: the CA is pinned separately. */
  if (chain->len > 1 && jc_cert_equal (g_ptr_array_index (chain, chain->len - 1), ca))
    g_ptr_array_remove_index (chain, chain->len - 1);
  if (jc_chain_verify (chain, ca, jc_time_now (), NULL, JC_ROLE_NONE, error) != JC_CHAIN_OK)
    return FALSE;
  g_autofree char *pem = jc_cert_list_to_pem (chain);
  g_autofree char *path = jc_client_profile_path (self, "node.pem");
  return write_file (path, pem, 0644, error);
}
