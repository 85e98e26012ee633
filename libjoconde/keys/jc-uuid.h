#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* RFC 9562 (formerly RFC 4122) version-4 UUIDs, drawn from libsodium's CSPRNG, written
 * in lowercase 8-4-4-4-12 form: "0b6e6c1a-2f1d-4c59-9a4e-3f9a9c1e7d42". */

char    *jc_uuid_new_v4   (void);
/* Fills 16 bytes with a version-4 UUID. */
void     jc_uuid_v4_bytes (guint8 out[16]);
/* TRUE only for the lowercase text form of a version-4, variant-10 UUID. */
gboolean jc_uuid_is_v4    (const char *text);

G_END_DECLS
