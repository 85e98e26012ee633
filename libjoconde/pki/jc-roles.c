#define G_LOG_DOMAIN "joconde-pki"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "jc-error.h"
#include "jc-roles.h"

static const char *const role_names[] = {
  "relay", "organiser", "signatory", "custodian", "analyst", "approver", "cp",
};

const char *
jc_role_get_name (JcRoles role)
{
  for (guint i = 0; i < G_N_ELEMENTS (role_names); i++)
    if (role == (JcRoles) (1u << i))
      return role_names[i];
  return NULL;
}

JcRoles
jc_role_from_name (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (role_names); i++)
    if (g_strcmp0 (name, role_names[i]) == 0)
      return (JcRoles) (1u << i);
  return JC_ROLE_NONE;
}

gboolean
jc_roles_parse (const char *text, JcRoles *out, GError **error)
{
  g_auto(GStrv) parts = g_strsplit (text ? text : "", ",", -1);
  JcRoles roles = JC_ROLE_NONE;

  for (guint i = 0; parts[i] != NULL; i++)
    {
      const char *name = g_strstrip (parts[i]);
      JcRoles r;

      if (*name == '\0' && parts[1] == NULL)
        break; /* the empty list */
      r = jc_role_from_name (name);
      if (r == JC_ROLE_NONE)
        {
          g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                       _("Unknown role “%s” (known roles: relay, organiser, signatory, "
                         "custodian, analyst, approver, cp)"), name);
          return FALSE;
        }
      roles |= r;
    }
  *out = roles;
  return TRUE;
}

char *
jc_roles_to_string (JcRoles roles)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (role_names); i++)
    if (roles & (1u << i))
      {
        if (s->len > 0)
          g_string_append_c (s, ',');
        g_string_append (s, role_names[i]);
      }
  return g_string_free (s, FALSE);
}
