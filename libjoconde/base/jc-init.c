#define G_LOG_DOMAIN "joconde"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <gnutls/gnutls.h>
#include <sodium.h>

#include "jc-error.h"
#include "jc-init.h"

gboolean
jc_init (GError **error)
{
  static gsize done = 0;
  static gboolean ok = FALSE;

  if (g_once_init_enter (&done))
    {
      ok = sodium_init () >= 0 && gnutls_global_init () == GNUTLS_E_SUCCESS;
      g_once_init_leave (&done, 1);
    }
  if (!ok)
    g_set_error_literal (error, JC_ERROR, JC_ERROR_CRYPTO,
                         _("The cryptographic libraries could not be initialised"));
  return ok;
}
