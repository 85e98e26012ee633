#define G_LOG_DOMAIN "joconde-guest"
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <sodium.h>
#include <stdio.h>

#include "jc-error.h"
#include "jc-guest-store.h"
#include "jc-secret.h"

/* Plaintext bytes per encrypted record; each record is a 4-byte length and the ciphertext. */
#define RECORD_PLAIN (64 * 1024)
#define RECORD_MAX (RECORD_PLAIN + crypto_secretstream_xchacha20poly1305_ABYTES)

struct _JcGuestBlob
{
  gint      ref_count;
  char     *path;
  char     *label;
  JcSecret *key;
  guint8    header[crypto_secretstream_xchacha20poly1305_HEADERBYTES];
  FILE     *out;                /* while writing */
  crypto_secretstream_xchacha20poly1305_state *state;
  guint8   *plain;              /* RECORD_PLAIN bytes buffered while writing */
  gsize     plain_len;
  guint64   size;
  gboolean  committed;
};

struct _JcGuestBlobReader
{
  JcGuestBlob *blob;
  FILE        *in;
  crypto_secretstream_xchacha20poly1305_state *state;
  guint8      *plain;
  gsize        plain_len, plain_pos;
  gboolean     finished;
};

static void
io_error (GError **error, const char *what, const char *path)
{
  int e = errno;
  g_set_error (error, JC_ERROR, JC_ERROR_IO, _("Cannot %s the protected data file %s: %s"),
               what, path, g_strerror (e));
}

JcGuestBlob *
jc_guest_blob_new (const char *dir, const char *label, GError **error)
{
  JcGuestBlob *blob = g_new0 (JcGuestBlob, 1);
  guint8 rnd[12];
  g_autofree char *hex = NULL;
  int fd;

  blob->ref_count = 1;
  blob->label = g_strdup (label);
  randombytes_buf (rnd, sizeof rnd);
  hex = g_strdup_printf ("blob-%02x%02x%02x%02x%02x%02x%02x%02x%02x%02x%02x%02x", rnd[0], rnd[1],
                         rnd[2], rnd[3], rnd[4], rnd[5], rnd[6], rnd[7], rnd[8], rnd[9], rnd[10],
                         rnd[11]);
  blob->path = g_build_filename (dir, hex, NULL);
  blob->key = jc_secret_new (crypto_secretstream_xchacha20poly1305_KEYBYTES);
  crypto_secretstream_xchacha20poly1305_keygen (blob->key->data);
  blob->state = sodium_malloc (sizeof *blob->state);
  blob->plain = g_malloc (RECORD_PLAIN);
  crypto_secretstream_xchacha20poly1305_init_push (blob->state, blob->header, blob->key->data);
  fd = g_open (blob->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0 || (blob->out = fdopen (fd, "wb")) == NULL)
    {
      io_error (error, _("create"), blob->path);
      if (fd >= 0)
        close (fd);
      jc_guest_blob_unref (blob);
      return NULL;
    }
  return blob;
}

static gboolean
write_record (JcGuestBlob *blob, guint8 tag, GError **error)
{
  guint8 cipher[RECORD_MAX];
  unsigned long long clen = 0;
  guint8 head[4];

  crypto_secretstream_xchacha20poly1305_push (blob->state, cipher, &clen, blob->plain,
                                              blob->plain_len, NULL, 0, tag);
  head[0] = clen >> 24; head[1] = clen >> 16; head[2] = clen >> 8; head[3] = clen;
  if (fwrite (head, 1, 4, blob->out) != 4 || fwrite (cipher, 1, clen, blob->out) != clen)
    {
      io_error (error, _("write"), blob->path);
      return FALSE;
    }
  sodium_memzero (blob->plain, blob->plain_len);
  blob->plain_len = 0;
  return TRUE;
}

gboolean
jc_guest_blob_append (JcGuestBlob *blob, const void *buf, gsize len, GError **error)
{
  const guint8 *p = buf;

  g_return_val_if_fail (!blob->committed && blob->out != NULL, FALSE);
  while (len > 0)
    {
      gsize n = MIN (len, RECORD_PLAIN - blob->plain_len);
      memcpy (blob->plain + blob->plain_len, p, n);
      blob->plain_len += n;
      blob->size += n;
      p += n;
      len -= n;
      if (blob->plain_len == RECORD_PLAIN
          && !write_record (blob, crypto_secretstream_xchacha20poly1305_TAG_MESSAGE, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
jc_guest_blob_commit (JcGuestBlob *blob, GError **error)
{
  g_return_val_if_fail (!blob->committed && blob->out != NULL, FALSE);
  if (!write_record (blob, crypto_secretstream_xchacha20poly1305_TAG_FINAL, error))
    return FALSE;
  if (fflush (blob->out) != 0 || fclose (blob->out) != 0)
    {
      blob->out = NULL;
      io_error (error, _("write"), blob->path);
      return FALSE;
    }
  blob->out = NULL;
  blob->committed = TRUE;
  sodium_free (blob->state);
  blob->state = NULL;
  g_clear_pointer (&blob->plain, g_free);
  return TRUE;
}

guint64
jc_guest_blob_get_size (JcGuestBlob *blob)
{
  return blob->size;
}

const char *
jc_guest_blob_get_label (JcGuestBlob *blob)
{
  return blob->label;
}

JcGuestBlob *
jc_guest_blob_ref (JcGuestBlob *blob)
{
  g_atomic_int_inc (&blob->ref_count);
  return blob;
}

void
jc_guest_blob_unref (JcGuestBlob *blob)
{
  if (blob == NULL || !g_atomic_int_dec_and_test (&blob->ref_count))
    return;
  if (blob->out != NULL)
    fclose (blob->out);
  g_unlink (blob->path);
  jc_secret_free (blob->key);
  if (blob->state != NULL)
    sodium_free (blob->state);
  if (blob->plain != NULL)
    sodium_memzero (blob->plain, RECORD_PLAIN);
  g_free (blob->plain);
  g_free (blob->path);
  g_free (blob->label);
  g_free (blob);
}

JcGuestBlobReader *
jc_guest_blob_read_open (JcGuestBlob *blob, GError **error)
{
  g_autoptr(JcGuestBlobReader) r = g_new0 (JcGuestBlobReader, 1);

  g_return_val_if_fail (blob->committed, NULL);
  r->blob = jc_guest_blob_ref (blob);
  r->in = g_fopen (blob->path, "rbe");
  if (r->in == NULL)
    {
      io_error (error, _("open"), blob->path);
      return NULL;
    }
  r->state = sodium_malloc (sizeof *r->state);
  r->plain = g_malloc (RECORD_PLAIN);
  if (crypto_secretstream_xchacha20poly1305_init_pull (r->state, blob->header, blob->key->data) != 0)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_CRYPTO, _("The protected data file %s is damaged"),
                   blob->path);
      return NULL;
    }
  return g_steal_pointer (&r);
}

static gboolean
read_record (JcGuestBlobReader *r, GError **error)
{
  guint8 head[4], cipher[RECORD_MAX];
  guint32 clen;
  unsigned long long plen = 0;
  guint8 tag = 0;

  if (fread (head, 1, 4, r->in) != 4)
    goto damaged;
  clen = (guint32) head[0] << 24 | (guint32) head[1] << 16 | (guint32) head[2] << 8 | head[3];
  if (clen < crypto_secretstream_xchacha20poly1305_ABYTES || clen > RECORD_MAX
      || fread (cipher, 1, clen, r->in) != clen)
    goto damaged;
  if (crypto_secretstream_xchacha20poly1305_pull (r->state, r->plain, &plen, &tag, cipher, clen,
                                                  NULL, 0) != 0)
    goto damaged;
  r->plain_len = plen;
  r->plain_pos = 0;
  r->finished = tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL;
  return TRUE;
damaged:
  g_set_error (error, JC_ERROR, JC_ERROR_CRYPTO,
               _("The protected data file %s is damaged or was changed"), r->blob->path);
  return FALSE;
}

gboolean
jc_guest_blob_read (JcGuestBlobReader *r, void *buf, gsize len, gsize *n_read, GError **error)
{
  *n_read = 0;
  while (r->plain_pos == r->plain_len)
    {
      if (r->finished)
        return TRUE;
      if (!read_record (r, error))
        return FALSE;
    }
  *n_read = MIN (len, r->plain_len - r->plain_pos);
  memcpy (buf, r->plain + r->plain_pos, *n_read);
  r->plain_pos += *n_read;
  return TRUE;
}

void
jc_guest_blob_reader_free (JcGuestBlobReader *r)
{
  if (r == NULL)
    return;
  if (r->in != NULL)
    fclose (r->in);
  if (r->state != NULL)
    sodium_free (r->state);
  if (r->plain != NULL)
    sodium_memzero (r->plain, RECORD_PLAIN);
  g_free (r->plain);
  if (r->blob != NULL)
    jc_guest_blob_unref (r->blob);
  g_free (r);
}
