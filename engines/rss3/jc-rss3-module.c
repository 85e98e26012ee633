#define G_LOG_DOMAIN "joconde-rss3"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <sys/random.h>

#include "engine.h"
#include "jc-rss3-stream.h"
#include "jc-sql.h"
#include "jc-sql-exec.h"
#include "rss3.h"

/* The engine module rss3-sh-z64: three-party replicated secret sharing over Z_2^64, passive
 * security with an honest majority, the SQL dialect of docs/sql.md. */

struct JcEngineProgram {
  JcSqlScript *script;
  GPtrArray *arena;           /* the deep copies of the schemas */
  JcEngineSchema *inputs;
  gsize n_inputs;
  JcEngineSchema *outputs;
  gsize n_outputs;
};

static char *
keep_str (GPtrArray *arena, const char *s)
{
  char *c = g_strdup (s ? s : "");
  g_ptr_array_add (arena, c);
  return c;
}

/* Copies schemas so a program does not depend on the caller's memory; checks names. */
static JcEngineSchema *
schemas_copy (GPtrArray *arena, const JcEngineSchema *in, gsize n, const char *what,
              JcEngineError *err)
{
  JcEngineSchema *out = g_new0 (JcEngineSchema, MAX (n, 1));
  g_ptr_array_add (arena, out);
  for (gsize i = 0; i < n; i++)
    {
      if (in[i].key == NULL || in[i].key[0] == '\0' || in[i].n_columns == 0
          || in[i].n_columns > 4096)
        {
          jc_rss3_error (err, JC_ENGINE_ERR_INVALID,
                         _("Every %s needs a name and 1 to 4096 columns."), what);
          return NULL;
        }
      out[i].key = keep_str (arena, in[i].key);
      out[i].n_columns = in[i].n_columns;
      JcEngineColumn *cols = g_new0 (JcEngineColumn, in[i].n_columns);
      g_ptr_array_add (arena, cols);
      out[i].columns = cols;
      for (gsize c = 0; c < in[i].n_columns; c++)
        {
          const JcEngineColumn *src = &in[i].columns[c];
          cols[c] = *src;
          cols[c].name = keep_str (arena, src->name);
          if (src->type < JC_ENGINE_TYPE_INT || src->type > JC_ENGINE_TYPE_ID
              || (src->type == JC_ENGINE_TYPE_DECIMAL
                  && (src->precision < 1 || src->precision > 18 || src->scale > src->precision))
              || (src->type == JC_ENGINE_TYPE_CATEGORY && (src->n_codes == 0 || src->codes == NULL)))
            {
              jc_rss3_error (err, JC_ENGINE_ERR_UNSUPPORTED,
                             _("The column “%s” of “%s” has a type this engine does not "
                               "support (DECIMAL needs 1 ≤ precision ≤ 18)."),
                             cols[c].name, out[i].key);
              return NULL;
            }
          if (src->type == JC_ENGINE_TYPE_CATEGORY)
            {
              const char **codes = g_new0 (const char *, src->n_codes);
              g_ptr_array_add (arena, codes);
              for (gsize k = 0; k < src->n_codes; k++)
                codes[k] = keep_str (arena, src->codes[k]);
              cols[c].codes = codes;
            }
          else
            {
              cols[c].codes = NULL;
              cols[c].n_codes = 0;
            }
        }
    }
  return out;
}

static void
rss3_program_free (JcEngineProgram *p)
{
  if (p == NULL)
    return;
  jc_sql_script_free (p->script);
  g_ptr_array_unref (p->arena);
  g_free (p);
}

static JcEngineProgram *
rss3_compile (const char *algorithm, size_t len, const JcEngineSchema *inputs, size_t n_inputs,
              const JcEngineSchema *outputs, size_t n_outputs, unsigned flags,
              JcEngineError *err)
{
  JcEngineError local = { 0 };
  if (err == NULL)
    err = &local;
  memset (err, 0, sizeof *err);
  if (algorithm == NULL)
    {
      jc_rss3_error (err, JC_ENGINE_ERR_INVALID, _("No algorithm was given."));
      return NULL;
    }
  JcEngineProgram *p = g_new0 (JcEngineProgram, 1);
  p->arena = g_ptr_array_new_with_free_func (g_free);
  p->inputs = schemas_copy (p->arena, inputs, n_inputs, _("input"), err);
  p->outputs = p->inputs ? schemas_copy (p->arena, outputs, n_outputs, _("output"), err) : NULL;
  if (p->outputs == NULL)
    {
      rss3_program_free (p);
      return NULL;
    }
  p->n_inputs = n_inputs;
  p->n_outputs = n_outputs;

  JcSqlError serr = { 0 };
  p->script = jc_sql_parse (algorithm, len, &serr);
  if (p->script == NULL
      || !jc_sql_check (p->script, p->inputs, n_inputs, p->outputs, n_outputs, flags, &serr))
    {
      err->status = JC_ENGINE_ERR_COMPILE;
      err->line = serr.line;
      err->column = serr.column;
      g_strlcpy (err->message, serr.message, sizeof err->message);
      rss3_program_free (p);
      return NULL;
    }
  return p;
}

/* ------------------------------------------------------------------ activation */

typedef guint8 StreamId[16];

typedef struct {
  const JcEngineHost *host;
  unsigned party;
  guint8 stream_id[16];
} RunCtx;

static gboolean
write_output (void *user, const JcEngineSchema *output, gsize n, JcRss3AVec *const *columns,
              JcEngineError *err)
{
  RunCtx *rc = user;
  g_autofree const guint64 **s0 = g_new (const guint64 *, output->n_columns);
  g_autofree const guint64 **s1 = g_new (const guint64 *, output->n_columns);
  for (gsize c = 0; c < output->n_columns; c++)
    {
      s0[c] = columns[c]->s0;
      s1[c] = columns[c]->s1;
    }
  return jc_rss3_stream_write (output, rc->party, n, s0, s1, rc->stream_id, rc->host, err);
}

/* SHA-256 of one share of every input column: which = 0 for x_i, 1 for x_{i+1}. */
static void
shares_digest (JcSqlTable *const *tables, gsize n_inputs, int which, guint8 out[32])
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  for (gsize i = 0; i < n_inputs; i++)
    for (guint c = 0; c < tables[i]->n_columns; c++)
      {
        const JcRss3AVec *v = tables[i]->columns[c];
        g_checksum_update (sum, (const guchar *) (which ? v->s1 : v->s0),
                           v->n * sizeof (guint64));
      }
  gsize len = 32;
  g_checksum_get_digest (sum, out, &len);
}

/* Before computing, the parties agree on what they hold: the same number of rows of every
 * input, from the same sharing, and consistent shares — each share is held by two parties,
 * who compare a digest of it (it tells the other holder nothing it does not know). Party 0
 * also proposes the id of the output streams. A mismatch would otherwise surface as a hang
 * or as garbage. */
static gboolean
agree_on_inputs (RunCtx *rc, JcSqlTable *const *tables, const StreamId *input_ids,
                 gsize n_inputs, JcEngineError *err)
{
  gsize len = 16 + n_inputs * 24 + 32;
  gsize dig = len - 32;
  guint8 d[2][32];
  shares_digest (tables, n_inputs, 0, d[0]);
  shares_digest (tables, n_inputs, 1, d[1]);
  g_autofree guint8 *mine = g_new0 (guint8, len);
  g_autofree guint8 *theirs = g_new0 (guint8, len);
  if (rc->party == 0 && getrandom (rc->stream_id, 16, 0) != 16)
    {
      jc_rss3_error (err, JC_ENGINE_ERR_INTERNAL, _("The system gave no randomness."));
      return FALSE;
    }
  memcpy (mine, rc->stream_id, 16);
  for (gsize i = 0; i < n_inputs; i++)
    {
      guint64 n = GUINT64_TO_LE (tables[i]->n_rows);
      memcpy (mine + 16 + 24 * i, &n, 8);
      memcpy (mine + 24 + 24 * i, input_ids[i], 16);
    }
  const JcEngineHost *h = rc->host;
  unsigned next = (rc->party + 1) % 3, prev = (rc->party + 2) % 3;
  for (unsigned p = 0; p < 3; p++)
    {
      if (p == rc->party)
        continue;
      /* With the next party we share x_{i+1} (our s1), with the previous one x_i (our s0). */
      memcpy (mine + dig, d[p == next ? 1 : 0], 32);
      if (h->send (h->user, p, mine, len) != 0)
        goto io;
    }
  for (unsigned p = 0; p < 3; p++)
    {
      if (p == rc->party)
        continue;
      if (h->recv (h->user, p, theirs, len) != 0)
        goto io;
      if (p == 0)
        memcpy (rc->stream_id, theirs, 16);
      if (memcmp (mine + 16, theirs + 16, dig - 16) != 0)
        {
          jc_rss3_error (err, JC_ENGINE_ERR_INVALID,
                         _("The parties hold different uploads of an input (another number "
                           "of rows or another sharing): every party must receive its shares "
                           "of the same upload."));
          return FALSE;
        }
      if (memcmp (theirs + dig, d[p == prev ? 0 : 1], 32) != 0)
        {
          jc_rss3_error (err, JC_ENGINE_ERR_INVALID,
                         _("The shares of an input do not agree between the parties: an "
                           "upload was corrupted on its way."));
          return FALSE;
        }
    }
  (void) prev;
  return TRUE;
io:
  jc_rss3_error (err, JC_ENGINE_ERR_IO, _("A counterpart party cannot be reached."));
  return FALSE;
}

static void
table_free (JcSqlTable *t)
{
  if (t == NULL)
    return;
  for (guint c = 0; c < t->n_columns; c++)
    jc_rss3_avec_free (t->columns[c]);
  g_free (t->columns);
  g_free (t);
}

static int
rss3_run (const JcEngineProgram *program, unsigned party, const JcEngineKeys *keys,
          const JcEngineHost *host, JcEngineError *err)
{
  JcEngineError local = { 0 };
  if (err == NULL)
    err = &local;
  memset (err, 0, sizeof *err);
  if (program == NULL || host == NULL || keys == NULL || party > 2 || keys->n_parties != 3
      || keys->keys == NULL || host->send == NULL || host->recv == NULL
      || host->slot_read == NULL || host->slot_write == NULL)
    {
      jc_rss3_error (err, JC_ENGINE_ERR_INVALID,
                     _("A run of rss3 needs a program, party 1 to 3, three keys and the "
                       "send, receive and slot functions."));
      return -1;
    }
  RunCtx rc = { .host = host, .party = party };
  gsize ni = program->n_inputs;
  g_autofree JcSqlTable **tables = g_new0 (JcSqlTable *, MAX (ni, 1));
  g_autofree StreamId *ids = g_new0 (StreamId, MAX (ni, 1));
  int status = -1;
  JcRss3Ctx *ctx = NULL;
  /* Declared before the first goto: the cleanup must never see it uninitialised. */
  g_autoptr(GError) gerr = NULL;

  for (gsize i = 0; i < ni; i++)
    {
      if (host->log)
        host->log (host->user, 1, "reading input");
      g_autoptr(JcRss3ShareTable) st = jc_rss3_stream_read (&program->inputs[i], party, host, err);
      if (st == NULL)
        goto out;
      memcpy (ids[i], st->stream_id, 16);
      JcSqlTable *t = g_new0 (JcSqlTable, 1);
      tables[i] = t;
      t->n_rows = st->n_rows;
      t->n_columns = st->n_columns;
      t->columns = g_new0 (JcRss3AVec *, st->n_columns);
      for (guint c = 0; c < st->n_columns; c++)
        {
          t->columns[c] = jc_rss3_avec_new (st->n_rows);
          jc_rss3_avec_set (t->columns[c], (const guint64 *) st->s0[c]->data,
                            (const guint64 *) st->s1[c]->data);
        }
    }
  if (!agree_on_inputs (&rc, tables, ids, ni, err))
    goto out;

  JcRss3Net net = { .send = host->send, .recv = host->recv, .user = host->user };
  ctx = jc_rss3_ctx_new (party, keys->keys[(party + 2) % 3], keys->keys[(party + 1) % 3], &net,
                         &gerr);
  if (ctx == NULL)
    {
      jc_rss3_error (err, JC_ENGINE_ERR_IO, "%s", gerr->message);
      goto out;
    }
  if (host->cancelled != NULL)
    jc_rss3_ctx_set_cancel_func (ctx, (JcRss3CancelFunc) host->cancelled, host->user);
  if (jc_sql_exec (program->script, ctx, tables, ni, write_output, &rc, host, err))
    status = 0;
out:
  if (ctx != NULL)
    jc_rss3_ctx_free (ctx);
  for (gsize i = 0; i < ni; i++)
    table_free (tables[i]);
  if (status != 0 && err->status == JC_ENGINE_OK)
    err->status = JC_ENGINE_ERR_INTERNAL;
  return status;
}

/* ------------------------------------------------------------------ the description */

static const JcEngineType rss3_types[] = {
  JC_ENGINE_TYPE_INT, JC_ENGINE_TYPE_DECIMAL, JC_ENGINE_TYPE_BOOL, JC_ENGINE_TYPE_DATE,
  JC_ENGINE_TYPE_CATEGORY, JC_ENGINE_TYPE_ID,
};

static const char *const rss3_functions[] = {
  "COUNT", "SUM", "AVG", "MIN", "MAX", "VAR_POP", "VAR_SAMP", "VARIANCE", "STDDEV",
  "STDDEV_POP", "STDDEV_SAMP", "+", "-", "*", "/", "=", "<>", "<", "<=", ">", ">=", "AND",
  "OR", "NOT", "BETWEEN", "IN", "CASE", "JOIN", "WHERE", "GROUP BY", "HAVING", "ORDER BY",
  "LIMIT",
};

static const JcEngineInfo rss3_info = {
  .abi_version = JC_ENGINE_ABI_VERSION,
  .struct_size = sizeof (JcEngineInfo),
  .id = "rss3-sh-z64",
  .description = "Three-party replicated secret sharing over Z_2^64, passive security, "
                 "honest majority; SQL dialect joconde-sql-1",
  .version = PACKAGE_VERSION,
  .n_parties = 3,
  .adversary = JC_ENGINE_SECURITY_PASSIVE,
  .corruption = JC_ENGINE_CORRUPTION_HONEST_MAJORITY,
  .language = "joconde-sql-1",
  .types = rss3_types,
  .n_types = G_N_ELEMENTS (rss3_types),
  .functions = rss3_functions,
  .n_functions = G_N_ELEMENTS (rss3_functions),
  .compile = rss3_compile,
  .program_free = rss3_program_free,
  .sharer_new = jc_rss3_sharer_new,
  .sharer_add_rows = jc_rss3_sharer_add_rows,
  .sharer_finish = jc_rss3_sharer_finish,
  .sharer_free = jc_rss3_sharer_free,
  .reconstructor_new = jc_rss3_reconstructor_new,
  .reconstructor_feed = jc_rss3_reconstructor_feed,
  .reconstructor_finish = jc_rss3_reconstructor_finish,
  .reconstructor_free = jc_rss3_reconstructor_free,
  .run = rss3_run,
};

JC_ENGINE_EXPORT const JcEngineInfo *jc_engine_entry (void);

const JcEngineInfo *
jc_engine_entry (void)
{
  return &rss3_info;
}
