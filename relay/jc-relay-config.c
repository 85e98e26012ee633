#define G_LOG_DOMAIN "joconde-relay"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>

#include "base/jc-error.h"
#include "jc-net-frame.h"
#include "jc-relay-config.h"

void
jc_relay_config_free (JcRelayConfig *c)
{
  if (!c)
    return;
  g_free (c->certificate);
  g_free (c->key);
  g_free (c->root_ca);
  g_free (c->state_dir);
  g_free (c->listen_address);
  g_free (c->parent_url);
  g_free (c->crl_file);
  g_clear_pointer (&c->topic_roles, g_hash_table_unref);
  g_strfreev (c->approvers);
  g_free (c->log_target);
  g_free (c->mail_command);
  g_free (c->mail_from);
  g_free (c->log_file);
  g_free (c);
}

gboolean
jc_relay_config_is_root (const JcRelayConfig *c)
{
  return !c->parent_url || !*c->parent_url;
}

void
jc_relay_config_identity_paths (const JcRelayConfig *c, char **cert, char **key)
{
  g_autofree char *rotated_cert = g_build_filename (c->state_dir, "node.pem", NULL);
  g_autofree char *rotated_key = g_build_filename (c->state_dir, "node.key", NULL);
  gboolean rotated = g_file_test (rotated_cert, G_FILE_TEST_EXISTS) &&
                     g_file_test (rotated_key, G_FILE_TEST_EXISTS);
  *cert = rotated ? g_steal_pointer (&rotated_cert) : g_strdup (c->certificate);
  *key = rotated ? g_steal_pointer (&rotated_key) : g_strdup (c->key);
}

/* Relative file names are looked up in systemd's credentials directory when the
 * service runs with LoadCredential=, else next to the configuration file. */
static char *
resolve (const char *value, const char *base)
{
  if (!value || !*value)
    return NULL;
  if (g_path_is_absolute (value))
    return g_strdup (value);
  const char *creds = g_getenv ("CREDENTIALS_DIRECTORY");
  if (creds && *creds)
    {
      g_autofree char *p = g_build_filename (creds, value, NULL);
      if (g_file_test (p, G_FILE_TEST_EXISTS))
        return g_steal_pointer (&p);
    }
  return g_build_filename (base, value, NULL);
}

static char *
get_string (GKeyFile *kf, const char *group, const char *key, const char *fallback)
{
  g_autofree char *v = g_key_file_get_string (kf, group, key, NULL);
  if (v)
    g_strstrip (v);
  return v ? g_steal_pointer (&v) : g_strdup (fallback);
}

static gboolean
get_uint (GKeyFile *kf, const char *group, const char *key, guint64 fallback,
          guint64 min, guint64 max, guint64 *out, GError **error)
{
  g_autofree char *v = get_string (kf, group, key, NULL);
  guint64 n = fallback;
  if (v && *v && !g_ascii_string_to_unsigned (v, 10, min, max, &n, NULL))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("Configuration [%s] %s=%s is not a number from %" PRIu64
                     " to %" PRIu64), group, key, v, (uint64_t) min, (uint64_t) max);
      return FALSE;
    }
  *out = n;
  return TRUE;
}

/* "topic=role,role;topic=role": a message of that topic is admitted only from a node
 * whose certificate grants one of the roles. "none" admits no one. */
static GHashTable *
parse_policy (const char *text, GError **error)
{
  g_autoptr(GHashTable) map = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_auto(GStrv) rules = g_strsplit (text, ";", -1);
  for (guint i = 0; rules[i]; i++)
    {
      g_strstrip (rules[i]);
      if (!*rules[i])
        continue;
      g_auto(GStrv) kv = g_strsplit (rules[i], "=", 2);
      JcRoles roles = JC_ROLE_NONE;
      g_autoptr(GError) local = NULL;
      if (g_strv_length (kv) != 2 || !*g_strstrip (kv[0]) ||
          (g_strcmp0 (g_strstrip (kv[1]), "none") != 0 && !jc_roles_parse (kv[1], &roles, &local)))
        {
          g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                       _("Configuration [policy] rule \"%s\" is not topic=role,role: %s"),
                       rules[i], local ? local->message : _("malformed"));
          return NULL;
        }
      g_hash_table_insert (map, g_strdup (kv[0]), GUINT_TO_POINTER (roles));
    }
  return g_steal_pointer (&map);
}

JcRelayConfig *
jc_relay_config_load (const char *path, GError **error)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autoptr(GError) local = NULL;
  if (!g_key_file_load_from_file (kf, path, G_KEY_FILE_NONE, &local))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID, _("Cannot read the configuration %s: %s"),
                   path, local->message);
      return NULL;
    }
  g_autofree char *abs = g_canonicalize_filename (path, NULL);
  g_autofree char *base = g_path_get_dirname (abs);
  g_autoptr(JcRelayConfig) c = g_new0 (JcRelayConfig, 1);
  g_autofree char *cert = get_string (kf, "node", "certificate", "node.pem");
  g_autofree char *key = get_string (kf, "node", "key", "node.key");
  g_autofree char *ca = get_string (kf, "node", "root-ca", "root-ca.pem");
  g_autofree char *state = get_string (kf, "node", "state-dir", "/var/lib/joconde-relay");
  g_autofree char *crl = get_string (kf, "revocation", "crl-file", "");
  g_autofree char *sync = get_string (kf, "database", "synchronous", "full");
  guint64 port, window, rmin, rmax, keepalive, maxmsg, active, passive, deadline, days, secs, keep;
  guint64 parked;

  c->certificate = resolve (cert, base);
  c->key = resolve (key, base);
  c->root_ca = resolve (ca, base);
  c->state_dir = resolve (state, base);
  c->crl_file = resolve (crl, base);
  c->listen_address = get_string (kf, "listen", "address", "0.0.0.0");
  c->parent_url = get_string (kf, "parent", "url", "");
  c->mail_command = get_string (kf, "mail", "command", "");
  if (!*c->mail_command)
    g_clear_pointer (&c->mail_command, g_free);
  c->mail_from = get_string (kf, "mail", "from", "joconde-relay@localhost");
  c->log_target = get_string (kf, "log", "target", "syslog");
  {
    g_autofree char *lf = get_string (kf, "log", "file", "audit.log");
    g_autofree char *in_state = g_path_is_absolute (lf) ? g_strdup (lf)
                                : g_build_filename (c->state_dir, lf, NULL);
    c->log_file = g_steal_pointer (&in_state);
  }
  if (!g_strv_contains ((const char *const[]) { "syslog", "stderr", "file", NULL }, c->log_target))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("Configuration [log] target=%s must be syslog, stderr or file"), c->log_target);
      return NULL;
    }
  {
    g_autofree char *policy = get_string (kf, "policy", "topics", "");
    if (!*policy)
      {
        g_free (policy);
        policy = g_strdup (JC_RELAY_DEFAULT_POLICY);
      }
    if (!(c->topic_roles = parse_policy (policy, error)))
      return NULL;
  }

  if (!get_uint (kf, "listen", "port", 8443, 0, 65535, &port, error) ||
      !get_uint (kf, "link", "window", 64, 1, 4096, &window, error) ||
      !get_uint (kf, "link", "reconnect-min-ms", 500, 10, 600000, &rmin, error) ||
      !get_uint (kf, "link", "reconnect-max-ms", 30000, 10, 3600000, &rmax, error) ||
      !get_uint (kf, "link", "keepalive-seconds", 30, 1, 3600, &keepalive, error) ||
      !get_uint (kf, "link", "max-message-bytes", 4 * 1024 * 1024, 1024,
                 256 * 1024 * 1024, &maxmsg, error) ||
      !get_uint (kf, "pki", "active-months", 6, 1, 120, &active, error) ||
      !get_uint (kf, "pki", "passive-months", 18, 1, 240, &passive, error) ||
      !get_uint (kf, "tasks", "deadline-check-seconds", 30, 1, 3600, &deadline, error) ||
      !get_uint (kf, "tasks", "retention-days", 365, 1, 36500, &days, error) ||
      !get_uint (kf, "database", "keep-days", 90, 1, 36500, &keep, error) ||
      !get_uint (kf, "link", "max-parked", 10000, 1, 10000000, &parked, error) ||
      !get_uint (kf, "tasks", "retention-seconds", 0, 0, G_MAXINT32, &secs, error))
    return NULL;
  c->retention_s = secs ? (gint64) secs : (gint64) days * 86400;
  c->keep_days = (guint) keep;
  c->max_parked = (guint) parked;
  c->deadline_check_s = (guint) deadline;
  c->approvers = g_key_file_get_string_list (kf, "tasks", "approvers", NULL, NULL);
  for (guint i = 0; c->approvers && c->approvers[i]; i++)
    {
      g_strstrip (c->approvers[i]);
      if (!jc_net_node_id_valid (c->approvers[i]))
        {
          g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                       _("Configuration [tasks] approvers: “%s” is not a node id"), c->approvers[i]);
          return NULL;
        }
    }
  c->active_months = (guint) active;
  c->passive_months = (guint) passive;
  c->listen_port = (guint) port;
  c->window = (guint) window;
  c->reconnect_min_ms = (guint) rmin;
  c->reconnect_max_ms = (guint) MAX (rmax, rmin);
  c->keepalive_s = (guint) keepalive;
  c->max_message = (gsize) maxmsg;
  if (g_strcmp0 (sync, "full") == 0)
    c->synchronous_full = TRUE;
  else if (g_strcmp0 (sync, "normal") == 0)
    c->synchronous_full = FALSE;
  else
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("Configuration [database] synchronous=%s must be full or normal"), sync);
      return NULL;
    }
  if (*c->parent_url && !g_str_has_prefix (c->parent_url, "https://"))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("Configuration [parent] url=%s must start with https://"), c->parent_url);
      return NULL;
    }
  return g_steal_pointer (&c);
}
