#pragma once

#include <glib.h>

#include "jc-secret.h"

G_BEGIN_DECLS

/* Private key files at rest. Writing is atomic (a temporary file of mode 0600 in the
 * same folder, fsync, rename, fsync of the folder), so a crash leaves either the old
 * file or the new one, never half of one. Reading refuses a file that someone other
 * than its owner can read, because such a key must be considered exposed. */

#define JC_KEY_FILE_MAX_SIZE (64 * 1024)

/* Writes @len bytes to @path, replacing any file there, with mode 0600. */
gboolean  jc_key_file_write (const char   *path,
                             const guint8 *data,
                             gsize         len,
                             GError      **error);

/* Reads the whole private key file @path (at most JC_KEY_FILE_MAX_SIZE bytes) into
 * guarded memory. Refuses anything but a regular file, and any file whose mode gives
 * group or other any access. */
JcSecret *jc_key_file_read  (const char   *path,
                             GError      **error);

G_END_DECLS
