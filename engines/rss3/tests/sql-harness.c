#define G_LOG_DOMAIN "joconde-rss3-test"
#include "config.h"

#include "sql-harness.h"
#include "jc-rss3-socket-net.h"

#include <gmodule.h>
#include <stdio.h>
#include <string.h>

const JcEngineInfo *
test_engine (void)
{
  static const JcEngineInfo *info;
  if (info == NULL)
    {
      const char *path = g_getenv ("JC_RSS3_MODULE");
      g_assert_nonnull (path);
      GModule *m = g_module_open (path, G_MODULE_BIND_LOCAL);
      if (m == NULL)
        g_error ("%s", g_module_error ());
      gpointer sym = NULL;
      g_assert_true (g_module_symbol (m, JC_ENGINE_ENTRY_SYMBOL, &sym));
      info = ((JcEngineEntryFunc) sym) ();
      g_assert_cmpuint (info->abi_version, ==, JC_ENGINE_ABI_VERSION);
    }
  return info;
}

TestSchema *
test_schema_parse (const char *text)
{
  TestSchema *s = g_new0 (TestSchema, 1);
  s->arena = g_ptr_array_new_with_free_func (g_free);
  const char *colon = strchr (text, ':');
  g_assert_nonnull (colon);
  char *key = g_strstrip (g_strndup (text, colon - text));
  g_ptr_array_add (s->arena, key);
  s->schema.key = key;
  g_auto(GStrv) parts = g_strsplit (colon + 1, ",", -1);
  guint n = g_strv_length (parts);
  JcEngineColumn *cols = g_new0 (JcEngineColumn, n);
  g_ptr_array_add (s->arena, cols);
  for (guint i = 0; i < n; i++)
    {
      char *p = g_strstrip (parts[i]);
      char *sp = strchr (p, ' ');
      g_assert_nonnull (sp);
      char *name = g_strndup (p, sp - p);
      g_ptr_array_add (s->arena, name);
      cols[i].name = name;
      const char *t = sp + 1;
      if (g_str_has_prefix (t, "INT"))
        cols[i].type = JC_ENGINE_TYPE_INT;
      else if (g_str_has_prefix (t, "BOOL"))
        cols[i].type = JC_ENGINE_TYPE_BOOL;
      else if (g_str_has_prefix (t, "DATE"))
        cols[i].type = JC_ENGINE_TYPE_DATE;
      else if (g_str_has_prefix (t, "ID"))
        cols[i].type = JC_ENGINE_TYPE_ID;
      else if (g_str_has_prefix (t, "DECIMAL"))
        {
          cols[i].type = JC_ENGINE_TYPE_DECIMAL;
          g_assert_cmpint (sscanf (t, "DECIMAL(%u;%u)", &cols[i].precision, &cols[i].scale), ==, 2);
        }
      else if (g_str_has_prefix (t, "CATEGORY("))
        {
          cols[i].type = JC_ENGINE_TYPE_CATEGORY;
          char *inner = g_strndup (t + 9, strlen (t + 9) - 1);
          char **codes = g_strsplit (inner, "|", -1);
          g_free (inner);
          cols[i].n_codes = g_strv_length (codes);
          cols[i].codes = (const char *const *) codes;
          g_ptr_array_add (s->arena, codes);
          for (gsize k = 0; k < cols[i].n_codes; k++)
            g_ptr_array_add (s->arena, codes[k]);
        }
      else
        g_error ("bad type %s", t);
    }
  s->schema.columns = cols;
  s->schema.n_columns = n;
  return s;
}

void
test_schema_free (TestSchema *s)
{
  if (s == NULL)
    return;
  g_ptr_array_unref (s->arena);
  g_free (s);
}

void
test_table_free (TestTable *t)
{
  if (t == NULL)
    return;
  g_free (t->cells);
  if (t->texts)
    g_ptr_array_unref (t->texts);
  g_free (t);
}

static int
collect (void *user, unsigned party, const void *buf, size_t len)
{
  GByteArray **streams = user;
  g_byte_array_append (streams[party], buf, (guint) len);
  return 0;
}

void
test_share (TestTable *t, GByteArray *streams[3])
{
  const JcEngineInfo *e = test_engine ();
  JcEngineError err = { 0 };
  JcEngineSharer *s = e->sharer_new (t->schema, collect, streams, &err);
  g_assert_nonnull (s);
  /* Feed in uneven batches to exercise chunking. */
  gsize done = 0, step = 1;
  while (done < t->n_rows)
    {
      gsize k = MIN (step, t->n_rows - done);
      int rc = e->sharer_add_rows (s, t->cells + done * t->schema->n_columns, k, &err);
      if (rc != 0)
        g_error ("%s", err.message);
      done += k;
      step = step * 3 + 1;
    }
  g_assert_cmpint (e->sharer_finish (s, &err), ==, 0);
  e->sharer_free (s);
}

/* ---------------------------------------------------------------- three parties */

typedef struct {
  unsigned party;
  JcRss3SocketNet net;   /* its log is the party's view */
  const JcEngineProgram *program;
  guint8 keys[3][JC_ENGINE_KEY_LEN];
  /* slots */
  gsize n_inputs;
  const JcEngineSchema *inputs;
  GByteArray **in_streams;   /* this party's stream of each input */
  gsize *in_pos;
  gsize n_outputs;
  const JcEngineSchema *outputs;
  GByteArray **out_streams;
  int rc;
  JcEngineError err;
} Party;

static int
p_send (void *user, unsigned to, const void *buf, size_t len)
{
  Party *p = user;
  return jc_rss3_socket_net_send (&p->net, to, buf, len);
}

static int
p_recv (void *user, unsigned from, void *buf, size_t len)
{
  Party *p = user;
  return jc_rss3_socket_net_recv (&p->net, from, buf, len);
}

static int
p_slot_read (void *user, const char *key, void *buf, size_t len, size_t *n_read)
{
  Party *p = user;
  for (gsize i = 0; i < p->n_inputs; i++)
    if (strcmp (p->inputs[i].key, key) == 0)
      {
        gsize avail = p->in_streams[i]->len - p->in_pos[i];
        gsize k = MIN (avail, len);
        memcpy (buf, p->in_streams[i]->data + p->in_pos[i], k);
        p->in_pos[i] += k;
        *n_read = k;
        return 0;
      }
  return -1;
}

static int
p_slot_write (void *user, const char *key, const void *buf, size_t len)
{
  Party *p = user;
  for (gsize i = 0; i < p->n_outputs; i++)
    if (strcmp (p->outputs[i].key, key) == 0)
      {
        g_byte_array_append (p->out_streams[i], buf, (guint) len);
        if (p->net.log)
          g_byte_array_append (p->net.log, buf, (guint) len);
        return 0;
      }
  return -1;
}

gboolean test_cancel_runs;
void (*test_tamper) (GByteArray *streams[3]);

static int
p_cancelled (void *user)
{
  return test_cancel_runs;
}

static void
p_progress (void *user, double fraction, const char *stage)
{
  g_assert_true (fraction >= 0 && fraction <= 1);
}

static gpointer
party_main (gpointer data)
{
  Party *p = data;
  JcEngineHost host = {
    .user = p, .send = p_send, .recv = p_recv, .slot_read = p_slot_read,
    .slot_write = p_slot_write, .cancelled = p_cancelled, .progress = p_progress,
  };
  JcEngineKeys keys = { .n_parties = 3, .keys = (const uint8_t (*)[JC_ENGINE_KEY_LEN]) p->keys };
  p->rc = test_engine ()->run (p->program, p->party, &keys, &host, &p->err);
  if (p->rc != 0)
    {
      /* Unblock the others: they would wait for us forever. */
      jc_rss3_socket_net_shutdown (&p->net);
    }
  return NULL;
}

static int
emit_row (void *user, const JcEngineValue *row, size_t n)
{
  GArray *cells = user;
  for (size_t c = 0; c < n; c++)
    {
      gint64 v = row[c].i;
      g_array_append_val (cells, v);
    }
  return 0;
}

GPtrArray *
test_run (const char *algorithm, TestTable **inputs, gsize n_inputs,
          const JcEngineSchema *outputs, gsize n_outputs, unsigned flags, GByteArray *views[3],
          JcEngineError *err)
{
  const JcEngineInfo *e = test_engine ();
  g_autofree JcEngineSchema *in_schemas = g_new0 (JcEngineSchema, MAX (n_inputs, 1));
  for (gsize i = 0; i < n_inputs; i++)
    in_schemas[i] = *inputs[i]->schema;
  JcEngineProgram *prog = e->compile (algorithm, strlen (algorithm), in_schemas, n_inputs,
                                      outputs, n_outputs, flags, err);
  if (prog == NULL)
    return NULL;

  /* Share every input. */
  GByteArray *streams[8][3];
  g_assert_cmpuint (n_inputs, <=, 8);
  for (gsize i = 0; i < n_inputs; i++)
    {
      for (int p = 0; p < 3; p++)
        streams[i][p] = g_byte_array_new ();
      test_share (inputs[i], streams[i]);
      if (test_tamper != NULL)
        test_tamper (streams[i]);
    }

  Party parties[3];
  memset (parties, 0, sizeof parties);
  JcRss3SocketNet nets[3];
  g_assert_true (jc_rss3_socket_nets_connect (nets));
  guint8 pair[3][3][JC_ENGINE_KEY_LEN];
  for (int i = 0; i < 3; i++)
    for (int j = i + 1; j < 3; j++)
      {
        for (guint k = 0; k < JC_ENGINE_KEY_LEN; k++)
          pair[i][j][k] = (guint8) g_random_int ();
        memcpy (pair[j][i], pair[i][j], JC_ENGINE_KEY_LEN);
      }
  GThread *th[3];
  for (unsigned i = 0; i < 3; i++)
    {
      Party *p = &parties[i];
      p->party = i;
      p->program = prog;
      memcpy (p->keys, pair[i], sizeof p->keys);
      p->net = nets[i];
      p->net.log = views ? views[i] : NULL;
      p->n_inputs = n_inputs;
      p->inputs = in_schemas;
      p->in_streams = g_new0 (GByteArray *, MAX (n_inputs, 1));
      p->in_pos = g_new0 (gsize, MAX (n_inputs, 1));
      for (gsize k = 0; k < n_inputs; k++)
        p->in_streams[k] = streams[k][i];
      p->n_outputs = n_outputs;
      p->outputs = outputs;
      p->out_streams = g_new0 (GByteArray *, MAX (n_outputs, 1));
      for (gsize k = 0; k < n_outputs; k++)
        p->out_streams[k] = g_byte_array_new ();
      th[i] = g_thread_new ("party", party_main, p);
    }
  for (unsigned i = 0; i < 3; i++)
    g_thread_join (th[i]);

  GPtrArray *results = NULL;
  int failed = -1;
  for (unsigned i = 0; i < 3; i++)
    if (parties[i].rc != 0 && (failed < 0 || parties[i].err.status != JC_ENGINE_ERR_IO))
      failed = i;
  if (failed >= 0)
    *err = parties[failed].err;
  else
    {
      results = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
      for (gsize k = 0; k < n_outputs; k++)
        {
          GArray *cells = g_array_new (FALSE, FALSE, sizeof (gint64));
          JcEngineReconstructor *r = e->reconstructor_new (&outputs[k], emit_row, cells, err);
          g_assert_nonnull (r);
          /* Interleave the three streams in small pieces, as a download would. */
          gsize pos[3] = { 0 };
          gboolean more = TRUE;
          while (more)
            {
              more = FALSE;
              for (unsigned p = 0; p < 3; p++)
                {
                  GByteArray *s = parties[p].out_streams[k];
                  gsize step = MIN ((gsize) 1000 + 7 * p, s->len - pos[p]);
                  if (step > 0)
                    {
                      if (e->reconstructor_feed (r, p, s->data + pos[p], step, err) != 0)
                        g_error ("%s", err->message);
                      pos[p] += step;
                      more = TRUE;
                    }
                }
            }
          if (e->reconstructor_finish (r, err) != 0)
            g_error ("%s", err->message);
          e->reconstructor_free (r);
          g_ptr_array_add (results, cells);
        }
    }
  for (unsigned i = 0; i < 3; i++)
    {
      jc_rss3_socket_net_close (&parties[i].net);
      for (gsize k = 0; k < n_outputs; k++)
        g_byte_array_unref (parties[i].out_streams[k]);
      g_free (parties[i].out_streams);
      g_free (parties[i].in_streams);
      g_free (parties[i].in_pos);
    }
  for (gsize i = 0; i < n_inputs; i++)
    for (int p = 0; p < 3; p++)
      g_byte_array_unref (streams[i][p]);
  e->program_free (prog);
  return results;
}
