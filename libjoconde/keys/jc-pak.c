#define G_LOG_DOMAIN "joconde-keys"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <sodium.h>
#include <string.h>

#include "jc-encoding.h"
#include "jc-error.h"
#include "jc-key-file.h"
#include "jc-pak.h"
#include "jc-secret.h"

#define PAK_FILE_TAG "joconde-pak-ed25519-v1 "

struct _JcPak
{
  GObject   parent_instance;
  guint8    pub[crypto_sign_PUBLICKEYBYTES];
  JcSecret *sk; /* libsodium's 64-byte secret key (seed || public), or NULL */
};

G_DEFINE_FINAL_TYPE (JcPak, jc_pak, G_TYPE_OBJECT)

static void
jc_pak_finalize (GObject *object)
{
  JcPak *self = JC_PAK (object);

  jc_secret_free (self->sk);
  G_OBJECT_CLASS (jc_pak_parent_class)->finalize (object);
}

static void
jc_pak_class_init (JcPakClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = jc_pak_finalize;
}

static void
jc_pak_init (JcPak *self)
{
}

static JcPak *
pak_from_seed (const guint8 *seed)
{
  JcPak *self = g_object_new (JC_TYPE_PAK, NULL);

  self->sk = jc_secret_new (crypto_sign_SECRETKEYBYTES);
  crypto_sign_seed_keypair (self->pub, self->sk->data, seed);
  return self;
}

JcPak *
jc_pak_generate (void)
{
  g_autoptr(JcSecret) seed = jc_secret_new_random (crypto_sign_SEEDBYTES);

  return pak_from_seed (seed->data);
}

JcPak *
jc_pak_new_from_public (const guint8 *pub, gsize len, GError **error)
{
  JcPak *self;

  if (len != crypto_sign_PUBLICKEYBYTES)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("A PAK public key has 32 bytes, not %zu"), len);
      return NULL;
    }
  self = g_object_new (JC_TYPE_PAK, NULL);
  memcpy (self->pub, pub, len);
  return self;
}

JcPak *
jc_pak_new_from_public_base64url (const char *text, GError **error)
{
  g_autoptr(GBytes) raw = jc_base64url_decode (text, error);

  if (raw == NULL)
    {
      g_prefix_error (error, _("PAK public key: "));
      return NULL;
    }
  return jc_pak_new_from_public (g_bytes_get_data (raw, NULL), g_bytes_get_size (raw), error);
}

JcPak *
jc_pak_load (const char *path, GError **error)
{
  g_autoptr(JcSecret) file = jc_key_file_read (path, error);
  g_autoptr(JcSecret) seed = NULL;
  const gsize tag_len = strlen (PAK_FILE_TAG);
  const char *b64;
  gsize b64_len;
  size_t bin_len = 0;

  if (file == NULL)
    return NULL;
  /* One line: tag, 43 base64url characters, newline. Anything else is refused. */
  if (file->len != tag_len + 43 + 1 || memcmp (file->data, PAK_FILE_TAG, tag_len) != 0 ||
      file->data[file->len - 1] != '\n')
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("The file “%s” is not a JOCONDE PAK private key file"), path);
      return NULL;
    }
  b64 = (const char *) file->data + tag_len;
  b64_len = 43;
  seed = jc_secret_new (crypto_sign_SEEDBYTES);
  if (sodium_base642bin (seed->data, seed->len, b64, b64_len, NULL, &bin_len, NULL,
                         sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
      bin_len != crypto_sign_SEEDBYTES)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("The PAK private key file “%s” is damaged (bad base64url)"), path);
      return NULL;
    }
  return pak_from_seed (seed->data);
}

gboolean
jc_pak_save (JcPak *pak, const char *path, GError **error)
{
  g_autoptr(JcSecret) line = NULL;
  const gsize tag_len = strlen (PAK_FILE_TAG);
  const gsize b64_size = sodium_base64_ENCODED_LEN (crypto_sign_SEEDBYTES,
                                                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);

  g_return_val_if_fail (JC_IS_PAK (pak), FALSE);
  if (pak->sk == NULL)
    {
      g_set_error_literal (error, JC_ERROR, JC_ERROR_STATE,
                           _("This PAK has no private key to save"));
      return FALSE;
    }
  /* Encode straight into guarded memory so the seed never sits in ordinary heap. */
  line = jc_secret_new (tag_len + b64_size + 1);
  memcpy (line->data, PAK_FILE_TAG, tag_len);
  sodium_bin2base64 ((char *) line->data + tag_len, b64_size, pak->sk->data,
                     crypto_sign_SEEDBYTES, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  line->data[tag_len + 43] = '\n';
  return jc_key_file_write (path, line->data, tag_len + 43 + 1, error);
}

gboolean
jc_pak_has_private (JcPak *pak)
{
  g_return_val_if_fail (JC_IS_PAK (pak), FALSE);
  return pak->sk != NULL;
}

const JcSecret *
jc_pak_get_secret (JcPak *pak)
{
  g_return_val_if_fail (JC_IS_PAK (pak), NULL);
  return pak->sk;
}

const guint8 *
jc_pak_get_public (JcPak *pak)
{
  g_return_val_if_fail (JC_IS_PAK (pak), NULL);
  return pak->pub;
}

char *
jc_pak_get_public_base64url (JcPak *pak)
{
  g_return_val_if_fail (JC_IS_PAK (pak), NULL);
  return jc_base64url_encode (pak->pub, sizeof pak->pub);
}

GBytes *
jc_pak_sign (JcPak *pak, const guint8 *msg, gsize len, GError **error)
{
  guint8 sig[crypto_sign_BYTES];

  g_return_val_if_fail (JC_IS_PAK (pak), NULL);
  if (pak->sk == NULL)
    {
      g_set_error_literal (error, JC_ERROR, JC_ERROR_STATE,
                           _("This PAK has no private key and cannot sign"));
      return NULL;
    }
  crypto_sign_detached (sig, NULL, msg, len, pak->sk->data);
  return g_bytes_new (sig, sizeof sig);
}

gboolean
jc_pak_verify (JcPak *pak, const guint8 *msg, gsize len, const guint8 *sig, gsize sig_len,
               GError **error)
{
  g_return_val_if_fail (JC_IS_PAK (pak), FALSE);
  if (sig_len != crypto_sign_BYTES)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("A PAK signature has 64 bytes, not %zu"), sig_len);
      return FALSE;
    }
  if (crypto_sign_verify_detached (sig, msg, len, pak->pub) != 0)
    {
      g_set_error_literal (error, JC_ERROR, JC_ERROR_BAD_SIGNATURE,
                           _("The PAK signature does not verify"));
      return FALSE;
    }
  return TRUE;
}
