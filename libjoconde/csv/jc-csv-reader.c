#define G_LOG_DOMAIN "joconde-csv"
#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>
#include <string.h>

#include "jc-csv-reader.h"
#include "jc-error.h"

#define DEFAULT_BUFFER_SIZE (64 * 1024)

typedef enum {
  FIELD_START,
  UNQUOTED,
  QUOTED,
  QUOTE_SEEN,   /* a quote inside a quoted field: doubled quote or the closing one */
} State;

struct _JcCsvReader {
  GInputStream *stream;
  guint8  *buf;
  gsize    buf_size;
  gsize    buf_len;
  gsize    buf_pos;
  gboolean eof;
  gboolean failed;
  gboolean at_start;     /* nothing read yet: a byte order mark may follow */
  gboolean skip_lf;      /* the previous record ended with CR: an LF right after is part of it */
  GString *data;         /* the record's fields, each followed by a NUL */
  GArray  *starts;       /* gsize: offset of each field in data */
  GArray  *lengths;      /* gsize */
  guint64  line;         /* the line being read, from 1 */
  guint64  record_line;
  guint64  bytes;
};

JcCsvReader *
jc_csv_reader_new (GInputStream *stream)
{
  JcCsvReader *self = g_new0 (JcCsvReader, 1);

  self->stream = g_object_ref (stream);
  self->buf_size = DEFAULT_BUFFER_SIZE;
  self->buf = g_malloc (self->buf_size);
  self->at_start = TRUE;
  self->data = g_string_sized_new (256);
  self->starts = g_array_new (FALSE, FALSE, sizeof (gsize));
  self->lengths = g_array_new (FALSE, FALSE, sizeof (gsize));
  self->line = 1;
  return self;
}

void
jc_csv_reader_free (JcCsvReader *self)
{
  if (self == NULL)
    return;
  g_object_unref (self->stream);
  g_free (self->buf);
  g_string_free (self->data, TRUE);
  g_array_unref (self->starts);
  g_array_unref (self->lengths);
  g_free (self);
}

void
jc_csv_reader_set_buffer_size (JcCsvReader *self, gsize size)
{
  g_return_if_fail (self->buf_len == 0 && self->bytes == 0);
  self->buf_size = MAX (size, 1);
  self->buf = g_realloc (self->buf, self->buf_size);
}

/* Makes at least one byte available; FALSE at the end or on error. */
static gboolean
refill (JcCsvReader *self, GCancellable *cancellable, GError **error)
{
  gssize n;

  if (self->buf_pos < self->buf_len)
    return TRUE;
  if (self->eof)
    return FALSE;
  n = g_input_stream_read (self->stream, self->buf, self->buf_size, cancellable, error);
  if (n < 0)
    {
      self->failed = TRUE;
      return FALSE;
    }
  self->buf_len = (gsize) n;
  self->buf_pos = 0;
  if (n == 0)
    {
      self->eof = TRUE;
      return FALSE;
    }
  return TRUE;
}

static gboolean
fail (JcCsvReader *self, GError **error, JcError code, const char *message, guint64 line)
{
  self->failed = TRUE;
  g_set_error (error, JC_ERROR, code, _("Line %" PRIu64 ": %s"), line, message);
  return FALSE;
}

static gboolean
end_field (JcCsvReader *self, gsize start, GError **error)
{
  gsize len = self->data->len - start;

  if (self->starts->len >= JC_CSV_MAX_FIELDS)
    return fail (self, error, JC_ERROR_TOO_LARGE,
                 _("the row has more than 4096 columns"), self->record_line);
  g_array_append_val (self->starts, start);
  g_array_append_val (self->lengths, len);
  g_string_append_c (self->data, '\0');
  return TRUE;
}

static gboolean
append (JcCsvReader *self, gsize start, guint8 c, GError **error)
{
  if (self->data->len - start >= JC_CSV_MAX_FIELD_LEN)
    return fail (self, error, JC_ERROR_TOO_LARGE,
                 _("a value is longer than 65536 bytes"), self->record_line);
  g_string_append_c (self->data, (char) c);
  return TRUE;
}

/* Skips a UTF-8 byte order mark at the very start of the stream. */
static gboolean
skip_bom (JcCsvReader *self, GCancellable *cancellable, GError **error)
{
  static const guint8 bom[3] = { 0xEF, 0xBB, 0xBF };
  guint matched = 0;

  self->at_start = FALSE;
  /* The three bytes may straddle reads with a tiny buffer: keep what does not match. */
  while (matched < 3)
    {
      if (!refill (self, cancellable, error))
        break;
      if (self->buf[self->buf_pos] != bom[matched])
        break;
      matched++;
      self->buf_pos++;
      self->bytes++;
    }
  if (self->failed)
    return FALSE;
  if (matched == 0 || matched == 3)
    return TRUE;
  /* A partial mark is data: put its bytes back in front of the record. */
  g_string_append_len (self->data, (const char *) bom, matched);
  return TRUE;
}

gboolean
jc_csv_reader_next (JcCsvReader *self, GCancellable *cancellable, GError **error)
{
  State state = FIELD_START;
  gsize field_start = 0;
  guint64 quote_line = 0;

  if (self->failed)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("The file cannot be read past line %" PRIu64),
                   self->record_line);
      return FALSE;
    }
  g_string_truncate (self->data, 0);
  g_array_set_size (self->starts, 0);
  g_array_set_size (self->lengths, 0);
  self->record_line = self->line;

  if (self->at_start)
    {
      if (!skip_bom (self, cancellable, error))
        return FALSE;
      if (self->data->len > 0)
        state = UNQUOTED;
    }

  for (;;)
    {
      guint8 c;

      if (!refill (self, cancellable, error))
        {
          if (self->failed)
            return FALSE;
          /* End of the stream. */
          switch (state)
            {
            case FIELD_START:
              if (self->starts->len == 0)
                return FALSE;
              return end_field (self, field_start, error);
            case UNQUOTED:
            case QUOTE_SEEN:
              return end_field (self, field_start, error);
            case QUOTED:
            default:
              return fail (self, error, JC_ERROR_INVALID,
                           _("a quoted value is never closed (its quote opens here)"), quote_line);
            }
        }

      /* Fast path: a run of ordinary bytes inside a field is copied at once. */
      if ((state == UNQUOTED || state == QUOTED) && !self->skip_lf)
        {
          const guint8 *p = self->buf + self->buf_pos;
          const guint8 *end = self->buf + self->buf_len;
          const guint8 *q = p;

          if (state == UNQUOTED)
            while (q < end && *q != ',' && *q != '\n' && *q != '\r' && *q != '"')
              q++;
          else
            while (q < end && *q != '"' && *q != '\n')
              q++;
          if (q > p)
            {
              if (self->data->len - field_start + (gsize) (q - p) > JC_CSV_MAX_FIELD_LEN)
                return fail (self, error, JC_ERROR_TOO_LARGE,
                             _("a value is longer than 65536 bytes"), self->record_line);
              g_string_append_len (self->data, (const char *) p, q - p);
              self->buf_pos += (gsize) (q - p);
              self->bytes += (guint64) (q - p);
              continue;
            }
        }

      c = self->buf[self->buf_pos++];
      self->bytes++;

      if (self->skip_lf)
        {
          self->skip_lf = FALSE;
          if (c == '\n')
            continue;
        }

      switch (state)
        {
        case FIELD_START:
        case UNQUOTED:
          if (c == ',')
            {
              if (!end_field (self, field_start, error))
                return FALSE;
              field_start = self->data->len;
              state = FIELD_START;
            }
          else if (c == '\n' || c == '\r')
            {
              self->line++;
              self->skip_lf = (c == '\r');
              if (state == FIELD_START && self->starts->len == 0)
                {
                  /* An empty line: nothing to read, the record starts on the next line. */
                  self->record_line = self->line;
                  continue;
                }
              return end_field (self, field_start, error);
            }
          else if (c == '"')
            {
              if (state == UNQUOTED)
                return fail (self, error, JC_ERROR_INVALID,
                             _("a quote inside a value that does not start with a quote "
                               "(write the whole value in quotes and double the quote)"),
                             self->line);
              state = QUOTED;
              quote_line = self->line;
            }
          else
            {
              if (!append (self, field_start, c, error))
                return FALSE;
              state = UNQUOTED;
            }
          break;

        case QUOTED:
          if (c == '"')
            state = QUOTE_SEEN;
          else
            {
              if (c == '\n')
                self->line++;
              if (!append (self, field_start, c, error))
                return FALSE;
            }
          break;

        case QUOTE_SEEN:
          if (c == '"')
            {
              if (!append (self, field_start, c, error))
                return FALSE;
              state = QUOTED;
            }
          else if (c == ',')
            {
              if (!end_field (self, field_start, error))
                return FALSE;
              field_start = self->data->len;
              state = FIELD_START;
            }
          else if (c == '\n' || c == '\r')
            {
              self->line++;
              self->skip_lf = (c == '\r');
              return end_field (self, field_start, error);
            }
          else
            return fail (self, error, JC_ERROR_INVALID,
                         _("text after the closing quote of a value"), self->line);
          break;
        }
    }
}

guint
jc_csv_reader_n_fields (const JcCsvReader *self)
{
  return self->starts->len;
}

const char *
jc_csv_reader_field (const JcCsvReader *self, guint i)
{
  g_return_val_if_fail (i < self->starts->len, NULL);
  return self->data->str + g_array_index (self->starts, gsize, i);
}

gsize
jc_csv_reader_field_len (const JcCsvReader *self, guint i)
{
  g_return_val_if_fail (i < self->lengths->len, 0);
  return g_array_index (self->lengths, gsize, i);
}

guint64
jc_csv_reader_line (const JcCsvReader *self)
{
  return self->record_line;
}

guint64
jc_csv_reader_bytes_read (const JcCsvReader *self)
{
  return self->bytes;
}
