#define G_LOG_DOMAIN "joconde-pki"
#include "config.h"

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

JcNodeIdentity *
jc_node_identity_copy (const JcNodeIdentity *id)
{
  return jc_node_identity_new (id->company, id->department, id->email, id->name);
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
  g_free (id);
}

gboolean
jc_node_identity_equal (const JcNodeIdentity *a, const JcNodeIdentity *b)
{
  return g_strcmp0 (a->company, b->company) == 0 &&
         g_strcmp0 (a->department, b->department) == 0 &&
         g_strcmp0 (a->email, b->email) == 0 &&
         g_strcmp0 (a->name, b->name) == 0;
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

gboolean
jc_node_identity_validate (const JcNodeIdentity *id, GError **error)
{
  return check_text (id->company, _("company name"), FALSE, error) &&
         check_text (id->department, _("department name"), TRUE, error) &&
         check_text (id->name, _("node name"), FALSE, error) &&
         check_email (id->email, error);
}
