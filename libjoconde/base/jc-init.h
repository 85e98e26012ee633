#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Initialises the cryptographic libraries once per process. Every program calls it
 * first; it is cheap to call again. Returns FALSE only when libsodium cannot start,
 * which means the process must not go on. */
gboolean jc_init (GError **error);

G_END_DECLS
