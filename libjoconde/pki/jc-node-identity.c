#define G_LOG_DOMAIN "joconde-pki"
#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <string.h>

#include "jc-error.h"
#include "jc-node-identity.h"

JcNodeIdentity *
jc_node_identity_new (const char *company, const char *department, const char *email,
                      const char *name)
{
  JcNodeIdentity *id = g_new0 (JcNodeIdentity, 1);

  id->company = g_strdup (company);
  id->department = g_strdup (department);
  id->email = g_strdup (email);
  id->name = g_strdup (name);
  return id;
}

void
jc_node_identity_set_hosts (JcNodeIdentity *id, const char *const *hosts)
{
  g_strfreev (id->hosts);
  id->hosts = hosts != NULL && hosts[0] != NULL ? g_strdupv ((char **) hosts) : NULL;
}

JcNodeIdentity *
jc_node_identity_copy (const JcNodeIdentity *id)
{
  JcNodeIdentity *copy = jc_node_identity_new (id->company, id->department, id->email, id->name);

  jc_node_identity_set_hosts (copy, (const char *const *) id->hosts);
  return copy;
}

void
jc_node_identity_free (JcNodeIdentity *id)
{
  if (id == NULL)
    return;
  g_free (id->company);
  g_free (id->department);
  g_free (id->email);
  g_free (id->name);
  g_strfreev (id->hosts);
  g_free (id);
}

gboolean
jc_node_identity_equal (const JcNodeIdentity *a, const JcNodeIdentity *b)
{
  return g_strcmp0 (a->company, b->company) == 0 &&
         g_strcmp0 (a->department, b->department) == 0 &&
         g_strcmp0 (a->email, b->email) == 0 &&
         g_strcmp0 (a->name, b->name) == 0 &&
         (a->hosts == NULL || b->hosts == NULL
            ? (a->hosts == NULL || !a->hosts[0]) && (b->hosts == NULL || !b->hosts[0])
            : g_strv_equal ((const char *const *) a->hosts, (const char *const *) b->hosts));
}

/* 64 is the X.520 upper bound for O, OU and CN (RFC 5280 Appendix A.1). */
static gboolean
check_text (const char *value, const char *field, gboolean optional, GError **error)
{
  if (value == NULL || *value == '\0')
    {
      if (optional)
        return TRUE;
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID, _("The %s is missing"), field);
      return FALSE;
    }
  if (!g_utf8_validate (value, -1, NULL))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID, _("The %s is not valid UTF-8"), field);
      return FALSE;
    }
  if (g_utf8_strlen (value, -1) > 64)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("The %s “%s” is longer than 64 characters"), field, value);
      return FALSE;
    }
  for (const char *p = value; *p; p = g_utf8_next_char (p))
    if (g_unichar_iscntrl (g_utf8_get_char (p)))
      {
        g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                     _("The %s contains a control character"), field);
        return FALSE;
      }
  if (g_ascii_isspace (value[0]) || g_ascii_isspace (value[strlen (value) - 1]))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("The %s “%s” starts or ends with a space"), field, value);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_email (const char *email, GError **error)
{
  const char *at;

  if (email == NULL || *email == '\0')
    {
      g_set_error_literal (error, JC_ERROR, JC_ERROR_INVALID, _("The contact e-mail is missing"));
      return FALSE;
    }
  at = strchr (email, '@');
  if (strlen (email) > 128 || at == NULL || at == email || at[1] == '\0' ||
      strchr (at + 1, '@') != NULL || strchr (at + 1, '.') == NULL)
    goto bad;
  for (const char *p = email; *p; p++)
    if ((guchar) *p <= 0x20 || (guchar) *p >= 0x7f || strchr ("<>()[],;:\\\"", *p) != NULL)
      goto bad;
  return TRUE;
bad:
  g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
               _("The contact e-mail “%s” is not an address like joconde@dept.example.org"),
               email);
  return FALSE;
}

/* RFC 1123 host names, lowercase so each name has one written form. */
static gboolean
dns_name_is_valid (const char *host)
{
  gsize len = strlen (host), label = 0;

  if (len == 0 || len > 253 || host[0] == '.' || host[len - 1] == '.')
    return FALSE;
  for (gsize i = 0; i <= len; i++)
    {
      char c = host[i];
      if (c == '.' || c == '\0')
        {
          if (label == 0 || label > 63 || host[i - 1] == '-' || host[i - label] == '-')
            return FALSE;
          label = 0;
        }
      else if ((c >= 'a' && c <= 'z') || g_ascii_isdigit (c) || c == '-')
        label++;
      else
        return FALSE;
    }
  /* A name whose last label is all digits reads as an IPv4 address (RFC 3696 §2). */
  {
    const char *last = strrchr (host, '.');
    last = last ? last + 1 : host;
    while (g_ascii_isdigit (*last))
      last++;
    if (*last == '\0')
      return FALSE;
  }
  return TRUE;
}

static gboolean
check_hosts (char **hosts, GError **error)
{
  guint n = hosts ? g_strv_length (hosts) : 0;

  if (n > JC_NODE_IDENTITY_MAX_HOSTS)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("A node lists at most %d host names (%u given)"), JC_NODE_IDENTITY_MAX_HOSTS, n);
      return FALSE;
    }
  for (guint i = 0; i < n; i++)
    {
      const char *h = hosts[i];
      g_autoptr(GInetAddress) ip = g_inet_address_new_from_string (h);
      g_autofree char *canonical = ip ? g_inet_address_to_string (ip) : NULL;

      if (ip != NULL ? g_strcmp0 (canonical, h) != 0 : !dns_name_is_valid (h))
        {
          g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                       _("The host “%s” is neither a lowercase DNS name nor an IP address in "
                         "its usual form"), h);
          return FALSE;
        }
      for (guint j = 0; j < i; j++)
        if (strcmp (hosts[j], h) == 0)
          {
            g_set_error (error, JC_ERROR, JC_ERROR_INVALID, _("The host “%s” is listed twice"), h);
            return FALSE;
          }
    }
  return TRUE;
}

gboolean
jc_node_identity_validate (const JcNodeIdentity *id, GError **error)
{
  return check_text (id->company, _("company name"), FALSE, error) &&
         check_text (id->department, _("department name"), TRUE, error) &&
         check_text (id->name, _("node name"), FALSE, error) &&
         check_email (id->email, error) &&
         check_hosts (id->hosts, error);
}
