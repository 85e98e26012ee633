#define G_LOG_DOMAIN "joconde-guest"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <sodium.h>

#include "jc-ctio-protocol.h"
#include "jc-error.h"
#include "jc-guest-task-private.h"

/* Engine activation (spec §4.3.2.3 IMpcActivation; docs/engine-abi.md "Activation"): the run
 * thread executes the runs the coordinator orders, one at a time and in the same order on
 * every VM: each input's data-quality check after its upload, then the main algorithm. */

#define QUALITY_OUTPUT "quality"
#define QUALITY_COLUMN "violations"
#define RUN_STOP ((Run *) GINT_TO_POINTER (1))
#define REVEAL_MAX (1024 * 1024)

static void
run_free (Run *run)
{
  if (run == NULL || run == RUN_STOP)
    return;
  g_free (run->input);
  g_free (run->upload_id);
  g_clear_pointer (&run->blobs, g_hash_table_unref);
  g_free (run);
}

static JcEngineSchema *
quality_schema (void)
{
  static JcEngineColumn col = { .name = QUALITY_COLUMN, .type = JC_ENGINE_TYPE_INT };
  static JcEngineSchema schema = { .key = QUALITY_OUTPUT, .columns = &col, .n_columns = 1 };
  return &schema;
}

static gpointer run_thread (gpointer data);

gboolean
jc_guest_run_prepare (JcGuestTask *task, const char *engine_dir, GError **error)
{
  const JcCtsc *ctsc = task->cta->ctsc;
  g_autoptr(GError) local = NULL;
  guint line = 0, column = 0;

  task->engine = jc_engine_load_by_id (engine_dir, ctsc->engine, &local);
  if (task->engine == NULL)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_UNSUPPORTED,
                   _("This VM cannot run the task's engine “%s”: %s"), ctsc->engine,
                   local->message);
      return FALSE;
    }
  if (jc_engine_get_n_parties (task->engine) != task->n_parties)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_UNSUPPORTED,
                   _("The engine “%s” needs %u computing parties, the task names %u"),
                   ctsc->engine, jc_engine_get_n_parties (task->engine), task->n_parties);
      return FALSE;
    }
  task->in_schemas = g_new0 (JcEngineSchema *, ctsc->inputs->len + 1);
  task->out_schemas = g_new0 (JcEngineSchema *, ctsc->outputs->len + 1);
  g_autofree JcEngineSchema *ins = g_new0 (JcEngineSchema, ctsc->inputs->len + 1);
  g_autofree JcEngineSchema *outs = g_new0 (JcEngineSchema, ctsc->outputs->len + 1);
  for (guint i = 0; i < ctsc->inputs->len; i++)
    {
      const JcInputSpec *in = g_ptr_array_index (ctsc->inputs, i);
      task->in_schemas[i] = jc_ctio_engine_schema_new (in->key, in->schema);
      ins[i] = *task->in_schemas[i];
    }
  for (guint i = 0; i < ctsc->outputs->len; i++)
    {
      const JcOutputSpec *out = g_ptr_array_index (ctsc->outputs, i);
      task->out_schemas[i] = jc_ctio_engine_schema_new (out->key, out->schema);
      outs[i] = *task->out_schemas[i];
    }
  task->program = jc_engine_compile (task->engine, ctsc->algorithm, ins, ctsc->inputs->len, outs,
                                     ctsc->outputs->len, 0, &line, &column, &local);
  if (task->program == NULL)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID, _("The task's algorithm does not compile: %s"),
                   local->message);
      return FALSE;
    }
  task->quality_programs = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < ctsc->inputs->len; i++)
    {
      const JcInputSpec *in = g_ptr_array_index (ctsc->inputs, i);
      g_autofree char *query = NULL, *script = NULL;
      JcEngineProgram *p;

      if (in->quality == NULL)
        continue;
      /* docs/guest.md: the quality query is one SELECT counting violations */
      query = g_strstrip (g_strdup (in->quality));
      if (g_str_has_suffix (query, ";"))
        query[strlen (query) - 1] = '\0';
      script = g_strdup_printf ("OUTPUT " QUALITY_OUTPUT " AS %s;", query);
      p = jc_engine_compile (task->engine, script, task->in_schemas[i], 1, quality_schema (), 1,
                             JC_ENGINE_COMPILE_DATA_QUALITY, &line, &column, &local);
      if (p == NULL)
        {
          g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                       _("The data-quality query of input “%s” does not compile (it must be one "
                         "SELECT whose only column, named violations, counts the rows that "
                         "fail): %s"), in->key, local->message);
          return FALSE;
        }
      g_hash_table_insert (task->quality_programs, in->key, p);
    }
  task->run_thread = g_thread_new ("engine-run", run_thread, task);
  return TRUE;
}

void
jc_guest_run_stop (JcGuestTask *task)
{
  if (task->run_thread != NULL)
    {
      g_async_queue_push_front (task->runs, RUN_STOP);
      g_thread_join (task->run_thread);
      task->run_thread = NULL;
    }
  while (task->runs != NULL && g_async_queue_length (task->runs) > 0)
    run_free (g_async_queue_try_pop (task->runs));
  if (task->quality_programs != NULL)
    {
      GHashTableIter it;
      gpointer value;
      g_hash_table_iter_init (&it, task->quality_programs);
      while (g_hash_table_iter_next (&it, NULL, &value))
        jc_engine_program_free (task->engine, value);
      g_clear_pointer (&task->quality_programs, g_hash_table_unref);
    }
  if (task->program != NULL)
    jc_engine_program_free (task->engine, task->program);
  task->program = NULL;
  for (guint i = 0; task->in_schemas && task->in_schemas[i]; i++)
    jc_ctio_engine_schema_free (task->in_schemas[i]);
  for (guint i = 0; task->out_schemas && task->out_schemas[i]; i++)
    jc_ctio_engine_schema_free (task->out_schemas[i]);
  g_clear_pointer (&task->in_schemas, g_free);
  g_clear_pointer (&task->out_schemas, g_free);
  g_clear_object (&task->engine);
}

void
jc_guest_run_enqueue_locked (JcGuestTask *task, RunKind kind, const char *input,
                             const char *upload_id)
{
  Run *run = g_new0 (Run, 1);

  run->kind = kind;
  run->input = g_strdup (input);
  run->upload_id = g_strdup (upload_id);
  run->serial = ++task->run_serial;
  run->blobs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                      (GDestroyNotify) jc_guest_blob_unref);
  /* the data is fixed now: a later replacement of the slot does not change this run */
  for (guint i = 0; i < task->slot_order->len; i++)
    {
      Slot *s = g_ptr_array_index (task->slot_order, i);
      if (s->blob == NULL)
        continue;
      if (kind == RUN_QUALITY && (g_strcmp0 (s->spec->key, input) != 0
                                  || g_strcmp0 (s->upload_id, upload_id) != 0))
        continue;
      g_hash_table_insert (run->blobs, g_strdup (s->spec->key), jc_guest_blob_ref (s->blob));
    }
  g_async_queue_push (task->runs, run);
}

/* ---- the host side of one run ---- */

typedef struct {
  JcGuestTask *task;
  Run         *run;
  GHashTable  *readers;   /* input key → JcGuestBlobReader* */
  GHashTable  *writers;   /* output key → JcGuestBlob* */
  GByteArray  *quality;   /* the quality run's output share stream */
  GError      *error;
} Host;

static GIOStream *
data_stream (Host *h, unsigned party)
{
  Channel *ch;

  if (party >= h->task->n_parties || party == h->task->party)
    return NULL;
  ch = &h->task->cps[party].data;
  return ch->session ? jc_atls_session_get_stream (ch->session) : NULL;
}

static int
host_send (void *user, unsigned to, const void *buf, size_t len)
{
  Host *h = user;
  GIOStream *s = data_stream (h, to);
  return s && g_output_stream_write_all (g_io_stream_get_output_stream (s), buf, len, NULL, NULL,
                                         NULL) ? 0 : -1;
}

static int
host_recv (void *user, unsigned from, void *buf, size_t len)
{
  Host *h = user;
  GIOStream *s = data_stream (h, from);
  gsize n = 0;
  return s && g_input_stream_read_all (g_io_stream_get_input_stream (s), buf, len, &n, NULL, NULL)
         && n == len ? 0 : -1;
}

static int
host_slot_read (void *user, const char *key, void *buf, size_t len, size_t *n_read)
{
  Host *h = user;
  JcGuestBlobReader *r = g_hash_table_lookup (h->readers, key);
  gsize n = 0;

  if (r == NULL)
    {
      JcGuestBlob *blob = g_hash_table_lookup (h->run->blobs, key);
      if (blob == NULL)
        return -1;
      r = jc_guest_blob_read_open (blob, h->error ? NULL : &h->error);
      if (r == NULL)
        return -1;
      g_hash_table_insert (h->readers, g_strdup (key), r);
    }
  if (!jc_guest_blob_read (r, buf, len, &n, h->error ? NULL : &h->error))
    return -1;
  *n_read = n;
  return 0;
}

static int
host_slot_write (void *user, const char *key, const void *buf, size_t len)
{
  Host *h = user;
  JcGuestBlob *blob;

  if (h->quality != NULL)
    {
      if (h->quality->len + len > REVEAL_MAX)
        return -1;
      g_byte_array_append (h->quality, buf, len);
      return 0;
    }
  if (g_hash_table_lookup (h->task->outputs, key) == NULL)
    return -1;
  blob = g_hash_table_lookup (h->writers, key);
  if (blob == NULL)
    {
      blob = jc_guest_blob_new (h->task->state_dir, key, h->error ? NULL : &h->error);
      if (blob == NULL)
        return -1;
      g_hash_table_insert (h->writers, g_strdup (key), blob);
    }
  return jc_guest_blob_append (blob, buf, len, h->error ? NULL : &h->error) ? 0 : -1;
}

static void
host_log (void *user, int level, const char *message)
{
  Host *h = user;
  jc_guest_task_log (h->task, level >= 2 ? JC_LOG_WARNING : level == 1 ? JC_LOG_INFO : JC_LOG_DEBUG,
                     "engine", NULL, "%s", message);
}

static void
host_print (void *user, const char *text)
{
  Host *h = user;
  jc_guest_task_emit_print (h->task, text);
}

static int
host_cancelled (void *user)
{
  Host *h = user;
  JcGuestState s = jc_guest_task_get_state (h->task);
  return s == JC_GUEST_STATE_CANCELLED || s == JC_GUEST_STATE_FINISHED || h->task->stopping;
}

/* Pairwise PRF keys: an X25519 exchange on each data channel (both ends attested, so the
 * exchange is authenticated), hashed with BLAKE2b together with the run's serial and both
 * public keys in party order. Fresh for every run. */
static gboolean
exchange_keys (Host *h, guint8 (*keys)[JC_ENGINE_KEY_LEN], GError **error)
{
  JcGuestTask *task = h->task;
  guint8 pk[crypto_scalarmult_BYTES], theirs[crypto_scalarmult_BYTES + 8];
  g_autoptr(JcSecret) sk = jc_secret_new_random (crypto_scalarmult_SCALARBYTES);
  guint8 mine[crypto_scalarmult_BYTES + 8];

  crypto_scalarmult_base (pk, sk->data);
  memcpy (mine, pk, sizeof pk);
  for (int b = 0; b < 8; b++)
    mine[sizeof pk + b] = (guint8) (h->run->serial >> (8 * b));
  for (guint j = 0; j < task->n_parties; j++)
    if (j != task->party && host_send (h, j, mine, sizeof mine) != 0)
      goto io;
  for (guint j = 0; j < task->n_parties; j++)
    {
      g_autoptr(JcSecret) shared = jc_secret_new (crypto_scalarmult_BYTES);
      crypto_generichash_state st;
      const guint8 *lo, *hi;

      if (j == task->party)
        continue;
      if (host_recv (h, j, theirs, sizeof theirs) != 0)
        goto io;
      if (memcmp (theirs + sizeof pk, mine + sizeof pk, 8) != 0)
        {
          g_set_error (error, JC_ERROR, JC_ERROR_STATE,
                       _("Computing party %u's VM is at another run"), j + 1);
          return FALSE;
        }
      if (crypto_scalarmult (shared->data, sk->data, theirs) != 0)
        {
          g_set_error (error, JC_ERROR, JC_ERROR_CRYPTO,
                       _("Computing party %u's VM sent an invalid key share"), j + 1);
          return FALSE;
        }
      lo = task->party < j ? pk : theirs;
      hi = task->party < j ? theirs : pk;
      crypto_generichash_init (&st, shared->data, shared->len, JC_ENGINE_KEY_LEN);
      crypto_generichash_update (&st, (const guint8 *) "JOCONDE-PRF-v1", 14);
      crypto_generichash_update (&st, mine + sizeof pk, 8);
      crypto_generichash_update (&st, lo, crypto_scalarmult_BYTES);
      crypto_generichash_update (&st, hi, crypto_scalarmult_BYTES);
      crypto_generichash_final (&st, keys[j], JC_ENGINE_KEY_LEN);
    }
  return TRUE;
io:
  g_set_error (error, JC_ERROR, JC_ERROR_IO, _("A counterpart VM's data channel failed"));
  return FALSE;
}

static int
sum_row (void *user, const JcEngineValue *row, size_t n)
{
  gint64 *total = user;
  for (size_t i = 0; i < n; i++)
    *total += row[i].i;
  return 0;
}

/* The quality run reveals its counts, and only them, to the three VMs: each sends its share
 * stream of the quality output to the others, and every VM reconstructs the same number. */
static gboolean
reveal_quality (Host *h, gint64 *violations, GError **error)
{
  JcGuestTask *task = h->task;
  const JcEngineInfo *info = jc_engine_get_info (task->engine);
  JcEngineError err = { 0 };
  JcEngineReconstructor *rec;
  guint8 head[4] = { h->quality->len >> 24, h->quality->len >> 16, h->quality->len >> 8,
                     h->quality->len };
  gboolean ok = TRUE;

  *violations = 0;
  for (guint j = 0; j < task->n_parties; j++)
    if (j != task->party && (host_send (h, j, head, 4) != 0
                             || host_send (h, j, h->quality->data, h->quality->len) != 0))
      {
        g_set_error (error, JC_ERROR, JC_ERROR_IO, _("A counterpart VM's data channel failed"));
        return FALSE;
      }
  rec = info->reconstructor_new (quality_schema (), sum_row, violations, &err);
  if (rec == NULL)
    {
      jc_engine_set_error (error, &err);
      return FALSE;
    }
  for (guint j = 0; ok && j < task->n_parties; j++)
    {
      g_autofree guint8 *buf = NULL;
      guint32 len;

      if (j == task->party)
        {
          ok = info->reconstructor_feed (rec, j, h->quality->data, h->quality->len, &err) == 0;
          continue;
        }
      if (host_recv (h, j, head, 4) != 0)
        {
          ok = FALSE;
          g_set_error (error, JC_ERROR, JC_ERROR_IO, _("A counterpart VM's data channel failed"));
          break;
        }
      len = (guint32) head[0] << 24 | (guint32) head[1] << 16 | (guint32) head[2] << 8 | head[3];
      if (len > REVEAL_MAX)
        {
          ok = FALSE;
          g_set_error (error, JC_ERROR, JC_ERROR_TOO_LARGE, _("A quality result is too large"));
          break;
        }
      buf = g_malloc (MAX (len, 1));
      if (host_recv (h, j, buf, len) != 0)
        {
          ok = FALSE;
          g_set_error (error, JC_ERROR, JC_ERROR_IO, _("A counterpart VM's data channel failed"));
          break;
        }
      ok = info->reconstructor_feed (rec, j, buf, len, &err) == 0;
    }
  if (ok)
    ok = info->reconstructor_finish (rec, &err) == 0;
  info->reconstructor_free (rec);
  if (!ok && error != NULL && *error == NULL)
    jc_engine_set_error (error, &err);
  return ok;
}

static gboolean
execute (JcGuestTask *task, Run *run, GError **error)
{
  const JcEngineInfo *info = jc_engine_get_info (task->engine);
  guint8 keys[JC_GUEST_MAX_PARTIES][JC_ENGINE_KEY_LEN] = { { 0 } };
  Host h = { .task = task, .run = run };
  JcEngineKeys engine_keys = { .n_parties = task->n_parties,
                               .keys = (const uint8_t (*)[JC_ENGINE_KEY_LEN]) keys };
  JcEngineHost host = {
    .user = &h, .send = host_send, .recv = host_recv, .slot_read = host_slot_read,
    .slot_write = host_slot_write, .log = host_log, .print = host_print,
    .cancelled = host_cancelled,
  };
  JcEngineError err = { 0 };
  const JcEngineProgram *program = task->program;
  gboolean ok = FALSE;

  h.readers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                     (GDestroyNotify) jc_guest_blob_reader_free);
  h.writers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                     (GDestroyNotify) jc_guest_blob_unref);
  if (run->kind == RUN_QUALITY)
    {
      program = g_hash_table_lookup (task->quality_programs, run->input);
      h.quality = g_byte_array_new ();
      if (g_hash_table_lookup (run->blobs, run->input) == NULL)
        {
          g_set_error (error, JC_ERROR, JC_ERROR_STATE,
                       _("This VM does not hold the upload of “%s” its counterparts check"),
                       run->input);
          goto out;
        }
    }
  if (!exchange_keys (&h, keys, error))
    goto out;
  if (info->run (program, task->party, &engine_keys, &host, &err) != 0)
    {
      if (h.error != NULL)
        g_propagate_error (error, g_steal_pointer (&h.error));
      else
        jc_engine_set_error (error, &err);
      goto out;
    }

  if (run->kind == RUN_QUALITY)
    {
      gint64 violations = 0;
      Slot *s;
      if (!reveal_quality (&h, &violations, error))
        goto out;
      g_mutex_lock (&task->lock);
      s = g_hash_table_lookup (task->slots, run->input);
      if (g_strcmp0 (s->upload_id, run->upload_id) == 0)
        {
          s->dq_done = TRUE;
          s->dq_passed = violations == 0;
          s->dq_violations = violations;
        }
      g_mutex_unlock (&task->lock);
      jc_guest_task_emit_quality (task, run->input, violations == 0, violations, NULL);
    }
  else
    {
      GHashTableIter it;
      gpointer key, value;

      g_hash_table_iter_init (&it, h.writers);
      while (g_hash_table_iter_next (&it, &key, &value))
        if (!jc_guest_blob_commit (value, error))
          goto out;
      g_mutex_lock (&task->lock);
      if (task->state == JC_GUEST_STATE_CALCULATION)
        {
          for (guint i = 0; i < task->output_order->len; i++)
            {
              Output *o = g_ptr_array_index (task->output_order, i);
              JcGuestBlob *blob = g_hash_table_lookup (h.writers, o->spec->key);
              o->blob = blob ? jc_guest_blob_ref (blob) : NULL;
              o->erased = blob == NULL;
            }
          /* input and interim data are erased when the calculation ends */
          jc_guest_task_erase_inputs_locked (task);
          jc_guest_task_set_state_locked (task, JC_GUEST_STATE_OUTPUT);
        }
      g_mutex_unlock (&task->lock);
    }
  ok = TRUE;
out:
  sodium_memzero (keys, sizeof keys);
  g_hash_table_unref (h.readers);
  g_hash_table_unref (h.writers);
  if (h.quality != NULL)
    g_byte_array_unref (h.quality);
  g_clear_error (&h.error);
  return ok;
}

static gpointer
run_thread (gpointer data)
{
  JcGuestTask *task = data;

  for (;;)
    {
      Run *run = g_async_queue_pop (task->runs);
      g_autoptr(GError) error = NULL;
      JcGuestState state;

      if (run == RUN_STOP)
        return NULL;
      state = jc_guest_task_get_state (task);
      if (state == JC_GUEST_STATE_CANCELLED || state == JC_GUEST_STATE_FINISHED)
        {
          run_free (run);
          continue;
        }
      jc_guest_task_log (task, JC_LOG_INFO, "run", NULL, "run %" G_GUINT64_FORMAT ": %s%s%s",
                         run->serial, run->kind == RUN_MAIN ? "main algorithm" : "data quality of ",
                         run->input ? run->input : "", "");
      if (!execute (task, run, &error))
        {
          g_autofree char *reason = g_strdup_printf (
            run->kind == RUN_MAIN ? _("The calculation failed: %s")
                                  : _("The data-quality check failed: %s"), error->message);
          if (jc_guest_task_get_state (task) != JC_GUEST_STATE_CANCELLED)
            jc_guest_task_cancel (task, reason, TRUE);
        }
      /* the run's references were the last to some replaced or erased uploads */
      run_free (run);
    }
}
