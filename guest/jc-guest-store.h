#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The Protected Data Store (spec §4.3.2.5): the bytes of slots (input shares, interim data,
 * output shares) as files in the VM's state directory, each encrypted with its own random key
 * (libsodium secretstream, XChaCha20-Poly1305) that exists only in this process's guarded
 * memory. Erasing a blob wipes its key and unlinks its file: without the key the bytes on
 * disk are noise, so a crash or a snapshot of the disk reveals nothing.
 *
 * A blob is written once (append, then commit or discard) and read any number of times. */

typedef struct _JcGuestBlob JcGuestBlob;
typedef struct _JcGuestBlobReader JcGuestBlobReader;

/* A new blob in DIR, open for writing. */
JcGuestBlob *jc_guest_blob_new     (const char *dir, const char *label, GError **error);
gboolean     jc_guest_blob_append  (JcGuestBlob *blob, const void *buf, gsize len, GError **error);
/* Seals the blob: no more appends; it can be read from now on. */
gboolean     jc_guest_blob_commit  (JcGuestBlob *blob, GError **error);
guint64      jc_guest_blob_get_size (JcGuestBlob *blob);
const char  *jc_guest_blob_get_label (JcGuestBlob *blob);
JcGuestBlob *jc_guest_blob_ref     (JcGuestBlob *blob);
/* The last reference erases the blob (key wiped, file unlinked). */
void         jc_guest_blob_unref   (JcGuestBlob *blob);

JcGuestBlobReader *jc_guest_blob_read_open (JcGuestBlob *blob, GError **error);
/* Up to LEN plaintext bytes; *N_READ = 0 at the end. Fails on any tampering. */
gboolean     jc_guest_blob_read   (JcGuestBlobReader *reader, void *buf, gsize len,
                                   gsize *n_read, GError **error);
void         jc_guest_blob_reader_free (JcGuestBlobReader *reader);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JcGuestBlob, jc_guest_blob_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (JcGuestBlobReader, jc_guest_blob_reader_free)

G_END_DECLS
