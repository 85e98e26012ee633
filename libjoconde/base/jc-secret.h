#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A buffer for secret bytes (private keys, PRF keys, session keys): allocated with
 * libsodium's guarded allocator (locked, surrounded by guard pages) and wiped when
 * freed. Never logged, never written anywhere but a key file of mode 0600. */
typedef struct {
  guint8 *data;
  gsize   len;
} JcSecret;

JcSecret *jc_secret_new  (gsize len);
JcSecret *jc_secret_new_random (gsize len);
JcSecret *jc_secret_copy (const guint8 *data, gsize len);
void      jc_secret_free (JcSecret *secret);
/* Wipes any buffer; use on stack copies of secrets before they go out of scope. */
void      jc_secret_wipe (void *data, gsize len);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JcSecret, jc_secret_free)

G_END_DECLS
