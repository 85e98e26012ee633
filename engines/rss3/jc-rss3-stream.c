#define G_LOG_DOMAIN "joconde-rss3"
#include "config.h"

#include "jc-rss3-stream.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/random.h>

#include "rss3.h"
#include "jc-sql.h"

/* Stream layout, all integers little-endian:
 *   header  32 bytes: "JCR3", version u8, party u8, n_columns u16, schema hash u64,
 *           stream id 16 bytes (random, the same in the three streams of one sharing);
 *   chunk   n_rows u32 (1..JC_RSS3_CHUNK_ROWS), then per column n_rows words s0 and
 *           n_rows words s1 (party i holds x_i and x_{i+1});
 *   trailer n_rows u32 = 0, total rows u64. */

void
jc_rss3_error (JcEngineError *err, JcEngineStatus status, const char *format, ...)
{
  if (err == NULL)
    return;
  va_list ap;
  va_start (ap, format);
  err->status = status;
  vsnprintf (err->message, sizeof err->message, format, ap);
  va_end (ap);
}

static void
put64 (guint8 *p, guint64 v)
{
  for (int i = 0; i < 8; i++)
    p[i] = (guint8) (v >> (8 * i));
}

static guint64
get64 (const guint8 *p)
{
  guint64 v = 0;
  for (int i = 7; i >= 0; i--)
    v = (v << 8) | p[i];
  return v;
}

static void
put32 (guint8 *p, guint32 v)
{
  for (int i = 0; i < 4; i++)
    p[i] = (guint8) (v >> (8 * i));
}

static guint32
get32 (const guint8 *p)
{
  return (guint32) p[0] | (guint32) p[1] << 8 | (guint32) p[2] << 16 | (guint32) p[3] << 24;
}

guint
jc_rss3_chunk_rows (gsize n_columns)
{
  return (guint) CLAMP (JC_RSS3_CHUNK_CELLS / MAX (n_columns, 1), 1, JC_RSS3_CHUNK_ROWS);
}

guint64
jc_rss3_schema_hash (const JcEngineSchema *schema)
{
  g_autoptr(GString) s = g_string_new (NULL);
  for (gsize c = 0; c < schema->n_columns; c++)
    {
      const JcEngineColumn *col = &schema->columns[c];
      g_string_append_printf (s, "%s:%d:%u:%u", col->name, col->type,
                              col->type == JC_ENGINE_TYPE_DECIMAL ? col->precision : 0,
                              col->type == JC_ENGINE_TYPE_DECIMAL ? col->scale : 0);
      if (col->type == JC_ENGINE_TYPE_CATEGORY)
        for (gsize k = 0; k < col->n_codes; k++)
          g_string_append_printf (s, ":%zu:%s", strlen (col->codes[k]), col->codes[k]);
      g_string_append_c (s, '\n');
    }
  return jc_sql_encode_id (s->str, s->len);
}

static void
header_make (guint8 h[JC_RSS3_HEADER_LEN], const JcEngineSchema *schema, unsigned party,
             const guint8 stream_id[16])
{
  memcpy (h, JC_RSS3_STREAM_MAGIC, 4);
  h[4] = JC_RSS3_STREAM_VERSION;
  h[5] = (guint8) party;
  h[6] = (guint8) schema->n_columns;
  h[7] = (guint8) (schema->n_columns >> 8);
  put64 (h + 8, jc_rss3_schema_hash (schema));
  memcpy (h + 16, stream_id, 16);
}

static gboolean
header_check (const guint8 *h, const JcEngineSchema *schema, unsigned party, JcEngineError *err)
{
  if (memcmp (h, JC_RSS3_STREAM_MAGIC, 4) != 0)
    {
      jc_rss3_error (err, JC_ENGINE_ERR_INVALID, _("The data of “%s” is not an rss3 share stream."),
                     schema->key);
      return FALSE;
    }
  if (h[4] != JC_RSS3_STREAM_VERSION)
    {
      jc_rss3_error (err, JC_ENGINE_ERR_UNSUPPORTED,
                     _("The share stream of “%s” has format version %u; this engine reads %u."),
                     schema->key, h[4], JC_RSS3_STREAM_VERSION);
      return FALSE;
    }
  if (h[5] != party)
    {
      jc_rss3_error (err, JC_ENGINE_ERR_INVALID,
                     _("The share stream of “%s” is meant for party %u, not for party %u."),
                     schema->key, h[5] + 1, party + 1);
      return FALSE;
    }
  if ((gsize) (h[6] | h[7] << 8) != schema->n_columns || get64 (h + 8) != jc_rss3_schema_hash (schema))
    {
      jc_rss3_error (err, JC_ENGINE_ERR_INVALID,
                     _("The share stream of “%s” was made for another table layout."),
                     schema->key);
      return FALSE;
    }
  return TRUE;
}

gboolean
jc_rss3_value_encode (const JcEngineColumn *col, const JcEngineValue *v, guint64 *out,
                      JcEngineError *err)
{
  switch (col->type)
    {
    case JC_ENGINE_TYPE_INT:
    case JC_ENGINE_TYPE_DATE:
      /* Keep a bit of headroom: comparisons of rss3 need |a − b| < 2^63. */
      if (v->i < -(G_GINT64_CONSTANT (1) << 62) || v->i >= (G_GINT64_CONSTANT (1) << 62))
        goto range;
      *out = (guint64) v->i;
      return TRUE;
    case JC_ENGINE_TYPE_DECIMAL:
      {
        int64_t lim = jc_sql_pow10 (col->precision);
        if (col->precision > 18 || v->i <= -lim || v->i >= lim)
          goto range;
        *out = (guint64) v->i;
        return TRUE;
      }
    case JC_ENGINE_TYPE_BOOL:
      if (v->i != 0 && v->i != 1)
        goto range;
      *out = (guint64) v->i;
      return TRUE;
    case JC_ENGINE_TYPE_CATEGORY:
      if (v->i < 0 || (guint64) v->i >= col->n_codes)
        goto range;
      *out = (guint64) v->i;
      return TRUE;
    case JC_ENGINE_TYPE_ID:
      if (v->text == NULL || v->text_len == 0 || v->text_len > JC_ENGINE_ID_MAX_LEN)
        {
          jc_rss3_error (err, JC_ENGINE_ERR_INVALID,
                         _("A value of the ID column “%s” must be 1 to %u bytes long."),
                         col->name, JC_ENGINE_ID_MAX_LEN);
          return FALSE;
        }
      *out = jc_sql_encode_id (v->text, v->text_len);
      return TRUE;
    default:
      jc_rss3_error (err, JC_ENGINE_ERR_UNSUPPORTED, _("The column “%s” has an unknown type."),
                     col->name);
      return FALSE;
    }
range:
  jc_rss3_error (err, JC_ENGINE_ERR_INVALID,
                 _("The value %" PRId64 " is out of the range of the column “%s”."),
                 (int64_t) v->i, col->name);
  return FALSE;
}

/* ------------------------------------------------------------------------ sharer */

struct JcEngineSharer {
  const JcEngineSchema *schema;
  JcEngineWriteFunc write;
  void *user;
  guint8 stream_id[16];
  gboolean started, finished, failed;
  guint64 total;
  gsize chunk;             /* rows per chunk */
  gsize fill;              /* rows buffered */
  guint64 *values;         /* column-major: values[c * CHUNK + r] */
  guint64 *x[3];           /* additive shares of one column */
};

JcEngineSharer *
jc_rss3_sharer_new (const JcEngineSchema *schema, JcEngineWriteFunc write, void *user,
                    JcEngineError *err)
{
  if (schema == NULL || schema->n_columns == 0 || schema->n_columns > 4096 || write == NULL)
    {
      jc_rss3_error (err, JC_ENGINE_ERR_INVALID, _("A table to share needs 1 to 4096 columns."));
      return NULL;
    }
  JcEngineSharer *s = g_new0 (JcEngineSharer, 1);
  s->schema = schema;
  s->write = write;
  s->user = user;
  if (getrandom (s->stream_id, sizeof s->stream_id, 0) != sizeof s->stream_id)
    {
      g_free (s);
      jc_rss3_error (err, JC_ENGINE_ERR_INTERNAL, _("The system gave no randomness."));
      return NULL;
    }
  s->chunk = jc_rss3_chunk_rows (schema->n_columns);
  s->values = g_new (guint64, schema->n_columns * s->chunk);
  for (int i = 0; i < 3; i++)
    s->x[i] = g_new (guint64, s->chunk);
  return s;
}

static gboolean
sharer_emit (JcEngineSharer *s, const void *buf, gsize len, unsigned party, JcEngineError *err)
{
  if (s->write (s->user, party, buf, len) != 0)
    {
      s->failed = TRUE;
      jc_rss3_error (err, JC_ENGINE_ERR_IO, _("Writing the shares for party %u failed."), party + 1);
      return FALSE;
    }
  return TRUE;
}

static gboolean
sharer_start (JcEngineSharer *s, JcEngineError *err)
{
  if (s->started)
    return TRUE;
  s->started = TRUE;
  for (unsigned p = 0; p < 3; p++)
    {
      guint8 h[JC_RSS3_HEADER_LEN];
      header_make (h, s->schema, p, s->stream_id);
      if (!sharer_emit (s, h, sizeof h, p, err))
        return FALSE;
    }
  return TRUE;
}

static gboolean
sharer_flush (JcEngineSharer *s, JcEngineError *err)
{
  if (s->fill == 0)
    return TRUE;
  gsize n = s->fill, nc = s->schema->n_columns;
  gsize len = 4 + nc * n * 16;
  /* Split column by column, writing each party's words as they come; out[p] is assembled
   * for one party at a time to keep one chunk buffer only. */
  guint8 *parts[3];
  for (unsigned p = 0; p < 3; p++)
    parts[p] = g_new (guint8, len);
  for (unsigned p = 0; p < 3; p++)
    put32 (parts[p], (guint32) n);
  for (gsize c = 0; c < nc; c++)
    {
      jc_rss3_client_split (s->values + c * s->chunk, n, s->x[0], s->x[1], s->x[2]);
      for (unsigned p = 0; p < 3; p++)
        {
          guint8 *w = parts[p] + 4 + c * n * 16;
          const guint64 *a = s->x[p], *b = s->x[(p + 1) % 3];
          for (gsize r = 0; r < n; r++)
            put64 (w + 8 * r, a[r]);
          for (gsize r = 0; r < n; r++)
            put64 (w + 8 * (n + r), b[r]);
        }
    }
  gboolean ok = TRUE;
  for (unsigned p = 0; p < 3 && ok; p++)
    ok = sharer_emit (s, parts[p], len, p, err);
  for (unsigned p = 0; p < 3; p++)
    {
      explicit_bzero (parts[p], len);
      g_free (parts[p]);
    }
  explicit_bzero (s->values, sizeof (guint64) * nc * s->chunk);
  for (int i = 0; i < 3; i++)
    explicit_bzero (s->x[i], sizeof (guint64) * s->chunk);
  s->fill = 0;
  return ok;
}

int
jc_rss3_sharer_add_rows (JcEngineSharer *s, const JcEngineValue *rows, size_t n_rows,
                         JcEngineError *err)
{
  if (s->failed || s->finished)
    {
      jc_rss3_error (err, JC_ENGINE_ERR_INVALID, _("This sharing has already ended."));
      return -1;
    }
  if (!sharer_start (s, err))
    return -1;
  gsize nc = s->schema->n_columns;
  for (gsize r = 0; r < n_rows; r++)
    {
      for (gsize c = 0; c < nc; c++)
        if (!jc_rss3_value_encode (&s->schema->columns[c], &rows[r * nc + c],
                                   &s->values[c * s->chunk + s->fill], err))
          {
            char pos[64];
            g_snprintf (pos, sizeof pos, _(" (row %" PRIu64 ")"), (uint64_t) (s->total + 1));
            g_strlcat (err->message, pos, sizeof err->message);
            s->failed = TRUE;
            return -1;
          }
      s->fill++;
      s->total++;
      if (s->fill == s->chunk && !sharer_flush (s, err))
        return -1;
    }
  return 0;
}

int
jc_rss3_sharer_finish (JcEngineSharer *s, JcEngineError *err)
{
  if (s->failed || s->finished)
    {
      jc_rss3_error (err, JC_ENGINE_ERR_INVALID, _("This sharing has already ended."));
      return -1;
    }
  if (!sharer_start (s, err) || !sharer_flush (s, err))
    return -1;
  guint8 t[12];
  put32 (t, 0);
  put64 (t + 4, s->total);
  for (unsigned p = 0; p < 3; p++)
    if (!sharer_emit (s, t, sizeof t, p, err))
      return -1;
  s->finished = TRUE;
  return 0;
}

void
jc_rss3_sharer_free (JcEngineSharer *s)
{
  if (s == NULL)
    return;
  /* Plain values of a custodian's table: wiped, not just freed. */
  explicit_bzero (s->values, sizeof (guint64) * s->schema->n_columns * s->chunk);
  g_free (s->values);
  for (int i = 0; i < 3; i++)
    g_free (s->x[i]);
  g_free (s);
}

/* ------------------------------------------------------------------------ reconstructor */

struct JcEngineReconstructor {
  const JcEngineSchema *schema;
  JcEngineRowFunc emit;
  void *user;
  GByteArray *buf[3];
  gboolean header_seen[3];
  gboolean ended[3];
  guint64 trailer_total[3];
  guint8 stream_id[16];
  guint64 total;
  gboolean failed;
  JcEngineValue *row;
};

JcEngineReconstructor *
jc_rss3_reconstructor_new (const JcEngineSchema *schema, JcEngineRowFunc emit, void *user,
                           JcEngineError *err)
{
  if (schema == NULL || schema->n_columns == 0 || schema->n_columns > 4096 || emit == NULL)
    {
      jc_rss3_error (err, JC_ENGINE_ERR_INVALID, _("An output needs 1 to 4096 columns."));
      return NULL;
    }
  JcEngineReconstructor *r = g_new0 (JcEngineReconstructor, 1);
  r->schema = schema;
  r->emit = emit;
  r->user = user;
  for (int p = 0; p < 3; p++)
    r->buf[p] = g_byte_array_new ();
  r->row = g_new0 (JcEngineValue, schema->n_columns);
  return r;
}

/* Decodes a word of a column for the reader of an output. */
static gboolean
value_decode (const JcEngineColumn *col, guint64 w, JcEngineValue *v, JcEngineError *err)
{
  v->i = (int64_t) w;
  v->text = NULL;
  v->text_len = 0;
  gboolean ok = TRUE;
  if (col->type == JC_ENGINE_TYPE_BOOL)
    ok = w <= 1;
  else if (col->type == JC_ENGINE_TYPE_CATEGORY)
    ok = w < col->n_codes;
  if (!ok)
    jc_rss3_error (err, JC_ENGINE_ERR_PROTOCOL,
                   _("The parties gave an impossible value for the column “%s”."), col->name);
  return ok;
}

/* Consumes complete chunks present in all three buffers. */
static gboolean
reconstruct_ready (JcEngineReconstructor *r, JcEngineError *err)
{
  gsize nc = r->schema->n_columns;
  for (;;)
    {
      guint32 n[3];
      for (int p = 0; p < 3; p++)
        {
          if (r->ended[p] || r->buf[p]->len < 4)
            return TRUE;
          n[p] = get32 (r->buf[p]->data);
        }
      if (n[0] != n[1] || n[1] != n[2] || n[0] > JC_RSS3_CHUNK_ROWS)
        {
          jc_rss3_error (err, JC_ENGINE_ERR_PROTOCOL,
                         _("The parties' streams of “%s” do not line up."), r->schema->key);
          return FALSE;
        }
      if (n[0] == 0)
        {
          for (int p = 0; p < 3; p++)
            if (r->buf[p]->len < 12)
              return TRUE;
          for (int p = 0; p < 3; p++)
            {
              r->trailer_total[p] = get64 (r->buf[p]->data + 4);
              r->ended[p] = TRUE;
              g_byte_array_remove_range (r->buf[p], 0, 12);
              if (r->buf[p]->len != 0)
                {
                  jc_rss3_error (err, JC_ENGINE_ERR_PROTOCOL,
                                 _("The stream of party %d of “%s” goes on after its end."),
                                 p + 1, r->schema->key);
                  return FALSE;
                }
            }
          return TRUE;
        }
      gsize len = 4 + nc * n[0] * 16;
      for (int p = 0; p < 3; p++)
        if (r->buf[p]->len < len)
          return TRUE;
      gsize rows = n[0];
      for (gsize i = 0; i < rows; i++)
        {
          for (gsize c = 0; c < nc; c++)
            {
              guint64 pair[3][2];
              for (int p = 0; p < 3; p++)
                {
                  const guint8 *w = r->buf[p]->data + 4 + c * rows * 16;
                  pair[p][0] = get64 (w + 8 * i);
                  pair[p][1] = get64 (w + 8 * (rows + i));
                }
              /* Party p holds (x_p, x_{p+1}): every share is held twice and must agree. */
              if (pair[0][1] != pair[1][0] || pair[1][1] != pair[2][0] || pair[2][1] != pair[0][0])
                {
                  jc_rss3_error (err, JC_ENGINE_ERR_PROTOCOL,
                                 _("The parties' shares of “%s” disagree: an output stream is "
                                   "corrupt or from another run."), r->schema->key);
                  return FALSE;
                }
              guint64 x = pair[0][0] + pair[1][0] + pair[2][0];
              if (!value_decode (&r->schema->columns[c], x, &r->row[c], err))
                return FALSE;
            }
          if (r->emit (r->user, r->row, nc) != 0)
            {
              jc_rss3_error (err, JC_ENGINE_ERR_IO, _("Storing a row of “%s” failed."),
                             r->schema->key);
              return FALSE;
            }
          r->total++;
        }
      for (int p = 0; p < 3; p++)
        g_byte_array_remove_range (r->buf[p], 0, len);
    }
}

int
jc_rss3_reconstructor_feed (JcEngineReconstructor *r, unsigned party, const void *buf,
                            size_t len, JcEngineError *err)
{
  if (r->failed || party > 2)
    {
      jc_rss3_error (err, JC_ENGINE_ERR_INVALID, _("This reconstruction cannot take more data."));
      return -1;
    }
  if (r->ended[party] && len > 0)
    {
      r->failed = TRUE;
      jc_rss3_error (err, JC_ENGINE_ERR_PROTOCOL,
                     _("The stream of party %u of “%s” goes on after its end."), party + 1,
                     r->schema->key);
      return -1;
    }
  g_byte_array_append (r->buf[party], buf, len);
  if (!r->header_seen[party])
    {
      if (r->buf[party]->len < JC_RSS3_HEADER_LEN)
        return 0;
      const guint8 *h = r->buf[party]->data;
      if (!header_check (h, r->schema, party, err))
        {
          r->failed = TRUE;
          return -1;
        }
      gboolean any = r->header_seen[0] || r->header_seen[1] || r->header_seen[2];
      if (!any)
        memcpy (r->stream_id, h + 16, 16);
      else if (memcmp (r->stream_id, h + 16, 16) != 0)
        {
          r->failed = TRUE;
          jc_rss3_error (err, JC_ENGINE_ERR_PROTOCOL,
                         _("The parties' streams of “%s” come from different runs."),
                         r->schema->key);
          return -1;
        }
      r->header_seen[party] = TRUE;
      g_byte_array_remove_range (r->buf[party], 0, JC_RSS3_HEADER_LEN);
    }
  if (r->header_seen[0] && r->header_seen[1] && r->header_seen[2]
      && !reconstruct_ready (r, err))
    {
      r->failed = TRUE;
      return -1;
    }
  return 0;
}

int
jc_rss3_reconstructor_finish (JcEngineReconstructor *r, JcEngineError *err)
{
  if (r->failed)
    {
      jc_rss3_error (err, JC_ENGINE_ERR_INVALID, _("This reconstruction has failed."));
      return -1;
    }
  for (int p = 0; p < 3; p++)
    if (!r->ended[p] || r->trailer_total[p] != r->total)
      {
        jc_rss3_error (err, JC_ENGINE_ERR_PROTOCOL,
                       _("The stream of party %d of “%s” is incomplete."), p + 1, r->schema->key);
        return -1;
      }
  return 0;
}

void
jc_rss3_reconstructor_free (JcEngineReconstructor *r)
{
  if (r == NULL)
    return;
  for (int p = 0; p < 3; p++)
    g_byte_array_unref (r->buf[p]);
  g_free (r->row);
  g_free (r);
}

/* ------------------------------------------------------------------------ server side */

void
jc_rss3_share_table_free (JcRss3ShareTable *t)
{
  if (t == NULL)
    return;
  for (guint c = 0; c < t->n_columns; c++)
    {
      g_array_unref (t->s0[c]);
      g_array_unref (t->s1[c]);
    }
  g_free (t->s0);
  g_free (t->s1);
  g_free (t);
}

static gboolean
read_exact (const JcEngineHost *host, const char *key, guint8 *buf, gsize len, gboolean *eof,
            JcEngineError *err)
{
  gsize got = 0;
  while (got < len)
    {
      gsize n = 0;
      if (host->slot_read (host->user, key, buf + got, len - got, &n) != 0)
        {
          jc_rss3_error (err, JC_ENGINE_ERR_IO, _("Reading the input “%s” failed."), key);
          return FALSE;
        }
      if (n == 0)
        {
          if (got == 0 && eof != NULL)
            {
              *eof = TRUE;
              return TRUE;
            }
          jc_rss3_error (err, JC_ENGINE_ERR_INVALID, _("The input “%s” is truncated."), key);
          return FALSE;
        }
      got += n;
    }
  return TRUE;
}

JcRss3ShareTable *
jc_rss3_stream_read (const JcEngineSchema *schema, unsigned party, const JcEngineHost *host,
                     JcEngineError *err)
{
  g_autoptr(JcRss3ShareTable) t = g_new0 (JcRss3ShareTable, 1);
  gsize nc = schema->n_columns;
  t->n_columns = nc;
  t->s0 = g_new0 (GArray *, nc);
  t->s1 = g_new0 (GArray *, nc);
  for (gsize c = 0; c < nc; c++)
    {
      t->s0[c] = g_array_new (FALSE, FALSE, sizeof (guint64));
      t->s1[c] = g_array_new (FALSE, FALSE, sizeof (guint64));
    }
  guint8 h[JC_RSS3_HEADER_LEN];
  if (!read_exact (host, schema->key, h, sizeof h, NULL, err)
      || !header_check (h, schema, party, err))
    return NULL;
  memcpy (t->stream_id, h + 16, 16);
  /* Grown to the largest chunk actually sent, not to the largest allowed. */
  g_autofree guint8 *chunk = NULL;
  gsize chunk_size = 0;
  for (;;)
    {
      guint8 nb[4];
      if (!read_exact (host, schema->key, nb, 4, NULL, err))
        return NULL;
      guint32 n = get32 (nb);
      if (n == 0)
        {
          guint8 tb[8];
          gboolean eof = FALSE;
          if (!read_exact (host, schema->key, tb, 8, NULL, err))
            return NULL;
          if (get64 (tb) != t->n_rows)
            {
              jc_rss3_error (err, JC_ENGINE_ERR_INVALID,
                             _("The input “%s” announces another number of rows than it has."),
                             schema->key);
              return NULL;
            }
          guint8 extra;
          if (!read_exact (host, schema->key, &extra, 1, &eof, err))
            return NULL;
          if (!eof)
            {
              jc_rss3_error (err, JC_ENGINE_ERR_INVALID,
                             _("The input “%s” goes on after its end."), schema->key);
              return NULL;
            }
          return g_steal_pointer (&t);
        }
      if (n > JC_RSS3_CHUNK_ROWS)
        {
          jc_rss3_error (err, JC_ENGINE_ERR_INVALID, _("The input “%s” is malformed."),
                         schema->key);
          return NULL;
        }
      if (nc * n * 16 > chunk_size)
        {
          chunk_size = nc * n * 16;
          chunk = g_realloc (chunk, chunk_size);
        }
      if (!read_exact (host, schema->key, chunk, nc * n * 16, NULL, err))
        return NULL;
      for (gsize c = 0; c < nc; c++)
        {
          const guint8 *w = chunk + c * n * 16;
          for (guint32 r = 0; r < n; r++)
            {
              guint64 a = get64 (w + 8 * r), b = get64 (w + 8 * (n + r));
              g_array_append_val (t->s0[c], a);
              g_array_append_val (t->s1[c], b);
            }
        }
      t->n_rows += n;
    }
}

gboolean
jc_rss3_stream_write (const JcEngineSchema *schema, unsigned party, gsize n,
                      const guint64 *const *s0, const guint64 *const *s1,
                      const guint8 stream_id[16], const JcEngineHost *host, JcEngineError *err)
{
  gsize nc = schema->n_columns;
  gsize rows = jc_rss3_chunk_rows (nc);
  g_autofree guint8 *chunk = g_new (guint8, 4 + nc * rows * 16);
  guint8 h[JC_RSS3_HEADER_LEN];
  header_make (h, schema, party, stream_id);
  if (host->slot_write (host->user, schema->key, h, sizeof h) != 0)
    goto io;
  for (gsize start = 0; start < n; start += rows)
    {
      gsize m = MIN (rows, n - start);
      put32 (chunk, (guint32) m);
      for (gsize c = 0; c < nc; c++)
        {
          guint8 *w = chunk + 4 + c * m * 16;
          for (gsize r = 0; r < m; r++)
            {
              put64 (w + 8 * r, s0[c][start + r]);
              put64 (w + 8 * (m + r), s1[c][start + r]);
            }
        }
      if (host->slot_write (host->user, schema->key, chunk, 4 + nc * m * 16) != 0)
        goto io;
    }
  guint8 t[12];
  put32 (t, 0);
  put64 (t + 4, n);
  if (host->slot_write (host->user, schema->key, t, sizeof t) != 0)
    goto io;
  return TRUE;
io:
  jc_rss3_error (err, JC_ENGINE_ERR_IO, _("Writing the output “%s” failed."), schema->key);
  return FALSE;
}
