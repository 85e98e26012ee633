#define G_LOG_DOMAIN "joconde-app"
#include "config.h"

#include <glib/gi18n.h>

#include "jc-doc.h"
#include "jc-encoding.h"
#include "jc-signing-token.h"
#include "jc-token-sign.h"

static void
find_in_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  GError *error = NULL;
  GPtrArray *certs = jc_signing_token_list (NULL, &error);

  if (certs)
    g_task_return_pointer (task, certs, (GDestroyNotify) g_ptr_array_unref);
  else
    g_task_return_error (task, error);
}

void
jc_token_sign_find_async (GCancellable *cancellable, GAsyncReadyCallback callback,
                          gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, jc_token_sign_find_async);
  g_task_run_in_thread (task, find_in_thread);
}

GPtrArray *
jc_token_sign_find_finish (GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

char *
jc_token_sign_summary (const JcSignerCert *cert, const char *ctsa_hash_hex)
{
  guint8 raw[JC_DOC_HASH_SIZE];
  g_autofree char *digits = NULL;
  g_autofree char *described = jc_signer_cert_describe (cert);

  if (jc_hex_decode_into (ctsa_hash_hex, raw, sizeof raw, NULL))
    digits = jc_digits_fingerprint (raw, sizeof raw);
  return g_strdup_printf (_("You sign this organisation’s addendum, whose hash is\n%s\n%s\n\n"
                            "with the certificate in the security token “%s”:\n%s"),
                          ctsa_hash_hex, digits ? digits : "", cert->token_label, described);
}

char *
jc_token_sign_choice_label (const JcSignerCert *cert)
{
  return g_strdup_printf ("%s — %s", cert->subject, cert->token_label);
}
