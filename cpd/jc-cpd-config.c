#define G_LOG_DOMAIN "joconde-cpd"
#include "config.h"

#include <glib/gi18n-lib.h>

#include "jc-cpd-config.h"
#include "jc-error.h"

static char *
get_string (GKeyFile *kf, const char *group, const char *key, const char *def)
{
  g_autofree char *v = g_key_file_get_string (kf, group, key, NULL);

  if (v != NULL)
    g_strstrip (v);
  if (v == NULL || *v == '\0')
    return g_strdup (def);
  return g_steal_pointer (&v);
}

static gboolean
get_uint (GKeyFile *kf, const char *group, const char *key, guint def, guint min, guint max,
          guint *out, GError **error)
{
  g_autofree char *v = g_key_file_get_string (kf, group, key, NULL);
  guint64 n;

  if (v == NULL || *g_strstrip (v) == '\0')
    {
      *out = def;
      return TRUE;
    }
  if (!g_ascii_string_to_unsigned (v, 10, min, max, &n, NULL))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("The option %s of [%s] must be a whole number from %u to %u, not “%s”"),
                   key, group, min, max, v);
      return FALSE;
    }
  *out = (guint) n;
  return TRUE;
}

static gboolean
get_bool (GKeyFile *kf, const char *group, const char *key, gboolean def, gboolean *out,
          GError **error)
{
  g_autofree char *v = g_key_file_get_string (kf, group, key, NULL);

  if (v == NULL || *g_strstrip (v) == '\0')
    *out = def;
  else if (g_str_equal (v, "true") || g_str_equal (v, "yes"))
    *out = TRUE;
  else if (g_str_equal (v, "false") || g_str_equal (v, "no"))
    *out = FALSE;
  else
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("The option %s of [%s] must be true or false, not “%s”"), key, group, v);
      return FALSE;
    }
  return TRUE;
}

/* Credentials first (systemd hands keys over there), then the configuration's folder. */
static char *
resolve (const char *base_dir, char *name)
{
  const char *creds = g_getenv ("CREDENTIALS_DIRECTORY");
  char *path;

  if (name == NULL || g_path_is_absolute (name))
    return name;
  if (creds != NULL && *creds != '\0')
    {
      path = g_build_filename (creds, name, NULL);
      if (g_file_test (path, G_FILE_TEST_EXISTS))
        {
          g_free (name);
          return path;
        }
      g_free (path);
    }
  path = g_build_filename (base_dir, name, NULL);
  g_free (name);
  return path;
}

JcCpdConfig *
jc_cpd_config_load (const char *path, GError **error)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autoptr(JcCpdConfig) c = g_new0 (JcCpdConfig, 1);
  g_autofree char *dir = NULL;
  g_autofree char *target = NULL;
  g_autofree char *uris = NULL;
  g_autoptr(GError) local = NULL;

  if (!g_key_file_load_from_file (kf, path, G_KEY_FILE_NONE, &local))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID, _("Cannot read the configuration %s: %s"),
                   path, local->message);
      return NULL;
    }
  {
    g_autofree char *abs = g_canonicalize_filename (path, NULL);
    dir = g_path_get_dirname (abs);
    c->path = g_steal_pointer (&abs);
  }
  c->certificate = resolve (dir, get_string (kf, "node", "certificate", "node.pem"));
  c->key = resolve (dir, get_string (kf, "node", "key", "node.key"));
  c->root_ca = resolve (dir, get_string (kf, "node", "root-ca", "root-ca.pem"));
  c->approver = resolve (dir, get_string (kf, "node", "approver", "approver.pem"));
  c->crl_file = resolve (dir, get_string (kf, "node", "crl-file", NULL));
  c->state_dir = resolve (dir, get_string (kf, "node", "state-dir", "/var/lib/joconde-cpd"));
  c->parent_url = get_string (kf, "parent", "url", NULL);
  if (c->parent_url == NULL)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("The configuration %s names no parent relay ([parent] url)"), path);
      return NULL;
    }
  if (!get_uint (kf, "parent", "reconnect-min-ms", 500, 10, 600000, &c->reconnect_min_ms, error) ||
      !get_uint (kf, "parent", "reconnect-max-ms", 30000, 10, 3600000, &c->reconnect_max_ms, error))
    return NULL;
  c->image_dir = resolve (dir, get_string (kf, "images", "directory", "/var/lib/joconde-cpd/images"));
  c->backend = get_string (kf, "backend", "type", "libvirt");
  if (!g_str_equal (c->backend, "libvirt") && !g_str_equal (c->backend, "process"))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("The backend type must be libvirt or process, not “%s”"), c->backend);
      return NULL;
    }
  uris = get_string (kf, "backend", "libvirt-uris", "qemu:///system");
  c->libvirt_uris = g_strsplit_set (uris, "; ", -1);
  {
    /* drop empty pieces left by separators in a row */
    g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
    for (guint i = 0; c->libvirt_uris[i] != NULL; i++)
      if (*c->libvirt_uris[i] != '\0')
        g_strv_builder_add (b, c->libvirt_uris[i]);
    g_strfreev (c->libvirt_uris);
    c->libvirt_uris = g_strv_builder_end (b);
  }
  c->guest_binary = get_string (kf, "backend", "guest-binary", BINDIR "/joconde-guest");
  c->engine_dir = resolve (dir, get_string (kf, "backend", "engine-dir", NULL));
  c->firmware = get_string (kf, "backend", "firmware", NULL);
  c->snp_vcpu_type = get_string (kf, "backend", "snp-vcpu-type", "EPYC-v4");
  if (!get_bool (kf, "backend", "kvm", TRUE, &c->kvm, error) ||
      !get_uint (kf, "backend", "memory-mib", 2048, 128, 1048576, &c->memory_mib, error) ||
      !get_uint (kf, "backend", "vcpus", 2, 1, 512, &c->vcpus, error))
    return NULL;
  c->listen_address = get_string (kf, "vm", "listen-address", "0.0.0.0");
  c->public_host = get_string (kf, "vm", "public-host", g_get_host_name ());
  if (!get_uint (kf, "vm", "port-min", 20000, 1, 65535, &c->port_min, error) ||
      !get_uint (kf, "vm", "port-max", 20999, 1, 65535, &c->port_max, error) ||
      !get_uint (kf, "vm", "poll-ms", 2000, 50, 600000, &c->poll_ms, error))
    return NULL;
  if (c->port_max < c->port_min)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("The port range %u–%u of [vm] is empty"), c->port_min, c->port_max);
      return NULL;
    }
  target = get_string (kf, "log", "target", "syslog");
  if (g_str_equal (target, "syslog"))
    c->log_target = JC_LOG_TO_SYSLOG;
  else if (g_str_equal (target, "stderr"))
    c->log_target = JC_LOG_TO_STDERR;
  else if (g_str_equal (target, "file"))
    c->log_target = JC_LOG_TO_FILE;
  else
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("The log target must be syslog, stderr or file, not “%s”"), target);
      return NULL;
    }
  {
    g_autofree char *f = get_string (kf, "log", "file", "cpd.log");
    c->log_file = g_path_is_absolute (f) ? g_steal_pointer (&f) : g_build_filename (c->state_dir, f, NULL);
  }
  return g_steal_pointer (&c);
}

void
jc_cpd_config_free (JcCpdConfig *c)
{
  if (c == NULL)
    return;
  g_free (c->path);
  g_free (c->certificate);
  g_free (c->key);
  g_free (c->root_ca);
  g_free (c->approver);
  g_free (c->crl_file);
  g_free (c->state_dir);
  g_free (c->parent_url);
  g_free (c->image_dir);
  g_free (c->backend);
  g_strfreev (c->libvirt_uris);
  g_free (c->guest_binary);
  g_free (c->engine_dir);
  g_free (c->firmware);
  g_free (c->snp_vcpu_type);
  g_free (c->listen_address);
  g_free (c->public_host);
  g_free (c->log_file);
  g_free (c);
}
