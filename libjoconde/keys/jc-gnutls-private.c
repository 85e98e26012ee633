#define G_LOG_DOMAIN "joconde-keys"
#include "config.h"

#include <string.h>

#include <gnutls/crypto.h>

#include "jc-encoding.h"
#include "jc-error.h"
#include "jc-gnutls-private.h"
#include "jc-secret.h"

void
jc_gnutls_set_error (GError **error, int code, int rc, const char *what)
{
  g_set_error (error, JC_ERROR, code, "%s: %s", what, gnutls_strerror (rc));
}

void
jc_gnutls_datum_clear (gnutls_datum_t *d)
{
  if (d->data != NULL)
    {
      jc_secret_wipe (d->data, d->size);
      gnutls_free (d->data);
    }
  d->data = NULL;
  d->size = 0;
}

int
jc_gnutls_pin_callback (void *userdata, int attempt, const char *token_url,
                        const char *token_label, unsigned int flags, char *pin, size_t pin_max)
{
  const JcSecret *secret = userdata;

  if (secret == NULL || attempt > 0 || (flags & GNUTLS_PIN_WRONG) || secret->len + 1 > pin_max)
    return -1;
  memcpy (pin, secret->data, secret->len);
  pin[secret->len] = '\0';
  return 0;
}

GBytes *
jc_gnutls_datum_steal_bytes (gnutls_datum_t *d)
{
  GBytes *bytes = g_bytes_new (d->data, d->size);

  gnutls_free (d->data);
  d->data = NULL;
  d->size = 0;
  return bytes;
}

char *
jc_gnutls_datum_steal_string (gnutls_datum_t *d)
{
  char *s = g_strndup ((const char *) d->data, d->size);

  gnutls_free (d->data);
  d->data = NULL;
  d->size = 0;
  return s;
}

char *
jc_gnutls_pubkey_id_hex (gnutls_pubkey_t pub, GError **error)
{
  gnutls_datum_t der = { NULL, 0 };
  guint8 digest[32];
  int rc;

  rc = gnutls_pubkey_export2 (pub, GNUTLS_X509_FMT_DER, &der);
  if (rc < 0)
    {
      jc_gnutls_set_error (error, JC_ERROR_CRYPTO, rc, "public key");
      return NULL;
    }
  rc = gnutls_hash_fast (GNUTLS_DIG_SHA256, der.data, der.size, digest);
  gnutls_free (der.data);
  if (rc < 0)
    {
      jc_gnutls_set_error (error, JC_ERROR_CRYPTO, rc, "SHA-256");
      return NULL;
    }
  return jc_hex_encode (digest, sizeof digest);
}

gboolean
jc_gnutls_pubkey_is_p256 (gnutls_pubkey_t pub)
{
  gnutls_ecc_curve_t curve = GNUTLS_ECC_CURVE_INVALID;
  gnutls_datum_t x = { NULL, 0 }, y = { NULL, 0 };

  if (gnutls_pubkey_get_pk_algorithm (pub, NULL) != GNUTLS_PK_ECDSA)
    return FALSE;
  if (gnutls_pubkey_export_ecc_raw (pub, &curve, &x, &y) < 0)
    return FALSE;
  gnutls_free (x.data);
  gnutls_free (y.data);
  return curve == GNUTLS_ECC_CURVE_SECP256R1;
}
