#define G_LOG_DOMAIN "joconde"
#include "config.h"

#include <sodium.h>
#include <string.h>

#include "jc-secret.h"

JcSecret *
jc_secret_new (gsize len)
{
  JcSecret *s = g_new0 (JcSecret, 1);

  /* sodium_malloc needs sodium_init; every program calls jc_init first, and calling
   * sodium_init again is harmless. */
  if (sodium_init () < 0)
    g_error ("libsodium failed to initialise");
  s->data = sodium_malloc (len ? len : 1);
  if (s->data == NULL)
    g_error ("out of secure memory for a %zu-byte secret", len);
  s->len = len;
  sodium_memzero (s->data, len ? len : 1);
  return s;
}

JcSecret *
jc_secret_new_random (gsize len)
{
  JcSecret *s = jc_secret_new (len);

  randombytes_buf (s->data, len);
  return s;
}

JcSecret *
jc_secret_copy (const guint8 *data, gsize len)
{
  JcSecret *s = jc_secret_new (len);

  memcpy (s->data, data, len);
  return s;
}

void
jc_secret_free (JcSecret *secret)
{
  if (secret == NULL)
    return;
  sodium_free (secret->data); /* sodium_free wipes before releasing */
  g_free (secret);
}

void
jc_secret_wipe (void *data, gsize len)
{
  sodium_memzero (data, len);
}
