#define G_LOG_DOMAIN "joconde-client"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

#include "jc-agreement.h"
#include "jc-client-store.h"
#include "jc-client-tasks.h"
#include "jc-client-transfer.h"
#include "jc-csv-engine-schema.h"
#include "jc-ctio.h"
#include "jc-doc.h"
#include "jc-encoding.h"
#include "jc-engine.h"
#include "jc-engine-value.h"
#include "jc-error.h"
#include "jc-pak.h"
#include "jc-time.h"

struct _JcClientTransfer {
  gboolean            upload;
  char               *task_id;
  char               *key;        /* input or output key */
  char               *path;       /* CSV to read or write */
  JcCta              *cta;
  JcCtioClient       *ctio;
  GPtrArray          *schema;     /* JcColumn* of the input or output (owned by cta) */
  guint64             file_size;
  guint64             rows;
};

void
jc_client_transfer_free (JcClientTransfer *t)
{
  if (!t)
    return;
  g_free (t->task_id);
  g_free (t->key);
  g_free (t->path);
  g_clear_pointer (&t->cta, jc_cta_free);
  g_clear_object (&t->ctio);
  g_free (t);
}

guint64
jc_client_transfer_get_rows (JcClientTransfer *t)
{
  return t->rows;
}

gboolean
jc_client_transfer_has_quality (JcClientTransfer *t)
{
  const JcInputSpec *spec = t->upload ? jc_ctsc_find_input (t->cta->ctsc, t->key) : NULL;
  return spec && spec->quality && *spec->quality;
}

/* The agreement as this node holds it, verified again now: a stored document may have
 * been tampered with, and a certificate may have been revoked since. */
static JcCta *
load_cta (JcClientProfile *profile, const JcClientTask *task, guint8 hash[JC_DOC_HASH_SIZE],
          GError **error)
{
  if (!task->cta)
    {
      const char *org = jc_client_profile_get_organisation (profile);
      if (org)
        g_set_error (error, JC_ERROR, JC_ERROR_STATE,
                     _("The agreement (CTA) of task %s has not reached this node yet: it comes "
                       "once the SO has approved every addendum, passed on by the organisation's "
                       "node %s whenever it runs (see “jocondectl status”)"), task->task_id, org);
      else
        g_set_error (error, JC_ERROR, JC_ERROR_STATE,
                     _("The agreement (CTA) of task %s has not reached this node yet: it comes "
                       "once the SO has approved every addendum (see “jocondectl status”)"),
                     task->task_id);
      return NULL;
    }
  JcAgreementTrust trust = { 0 };
  trust.at = jc_time_now ();
  if (!(trust.root = jc_client_profile_get_root_ca (profile, error)))
    return NULL;
  g_autofree char *approver = jc_client_profile_path (profile, "approver.pem");
  g_autoptr(GError) local = NULL;
  trust.approver = jc_cert_list_new_from_file (approver, &local);
  if (!trust.approver)
    {
      jc_agreement_trust_clear (&trust);
      g_set_error (error, JC_ERROR, JC_ERROR_UNTRUSTED,
                   _("This node has no pinned certificate of the SO's approver (%s): it cannot "
                     "check the agreement's approval: %s"), approver, local->message);
      return NULL;
    }
  g_autoptr(GBytes) bytes = g_bytes_new (task->cta, strlen (task->cta));
  JcCta *cta = jc_agreement_load (bytes, &trust, hash, &local);
  jc_agreement_trust_clear (&trust);
  if (!cta)
    {
      g_set_error (error, JC_ERROR, local->code,
                   _("The agreement of task %s held by this node does not verify, so nothing is "
                     "sent or fetched: %s"), task->task_id, local->message);
      return NULL;
    }
  if (g_strcmp0 (cta->task_id, task->task_id) != 0)
    {
      jc_cta_free (cta);
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("The agreement stored for task %s is the agreement of another task"),
                   task->task_id);
      return NULL;
    }
  return cta;
}

/* This node's PAK that the agreement grants KEY (an input for a custodian, an output for an
 * analyst), with its private key. */
static JcPak *
granted_pak (JcClientProfile *profile, const JcCta *cta, const char *task_id, gboolean upload,
             const char *key, GError **error)
{
  JcStore *store = jc_client_profile_get_store (profile);
  g_autoptr(GPtrArray) own = jc_client_paks_list_own (store, task_id, error);
  if (!own)
    return NULL;
  for (guint c = 0; c < cta->ctsas->len; c++)
    {
      const JcCtsa *ctsa = g_ptr_array_index (cta->ctsas, c);
      GPtrArray *grants = upload ? ctsa->custodians : ctsa->analysts;
      for (guint g = 0; g < grants->len; g++)
        {
          const JcPakGrant *grant = g_ptr_array_index (grants, g);
          gboolean has_key = FALSE;
          for (guint k = 0; k < grant->keys->len; k++)
            has_key |= g_str_equal (g_ptr_array_index (grant->keys, k), key);
          if (!has_key)
            continue;
          gsize len;
          const guint8 *pub = g_bytes_get_data (grant->pak, &len);
          g_autofree char *b64 = jc_base64url_encode (pub, len);
          for (guint o = 0; o < own->len; o++)
            {
              JcClientPakEntry *e = own->pdata[o];
              if (!g_str_equal (e->pak, b64))
                continue;
              g_autofree char *file = g_strdup_printf ("%s.key", b64);
              g_autofree char *path = g_build_filename (jc_client_profile_get_dir (profile), "paks",
                                                        task_id, file, NULL);
              return jc_pak_load (path, error);
            }
        }
    }
  g_set_error (error, JC_ERROR, JC_ERROR_DENIED,
               upload ? _("None of this node's PAKs may upload input “%s” of task %s: the agreement "
                          "grants it to other custodians (an organisation uploads only its own inputs)")
                      : _("None of this node's PAKs may download output “%s” of task %s: the "
                          "agreement grants it to other analysts"),
               key, task_id);
  return NULL;
}

static JcClientTransfer *
prepare (JcClientNode *node, const char *task_id, gboolean upload, const char *key,
         const char *path, GError **error)
{
  JcClientProfile *profile = jc_client_node_get_profile (node);
  JcStore *store = jc_client_node_get_store (node);
  g_autoptr(JcClientTask) task = jc_client_tasks_get (store, task_id, error);
  if (!task)
    return NULL;
  /* The deadline first: after it, that is the reason, whatever the state says. */
  if (task->ctsc)
    {
      g_autoptr(JsonNode) doc = jc_doc_parse (task->ctsc, strlen (task->ctsc), NULL, NULL);
      g_autoptr(JcCtsc) ctsc = doc ? jc_ctsc_from_json (doc, NULL) : NULL;
      gint64 deadline = ctsc ? (upload ? ctsc->input_deadline : ctsc->output_deadline) : 0;
      if (deadline && jc_time_now () >= deadline)
        {
          g_autofree char *when = jc_time_format (deadline);
          g_set_error (error, JC_ERROR, JC_ERROR_EXPIRED,
                       upload ? _("The input deadline of task %s passed at %s: uploads are closed")
                              : _("The output deadline of task %s passed at %s: the results are gone"),
                       task_id, when);
          return NULL;
        }
    }
  if (task->state == JC_TASK_CANCELLED || task->state == JC_TASK_REJECTED
      || task->state == JC_TASK_ERASED || task->state == JC_TASK_FINISHED)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_STATE, _("Task %s is %s: no data moves any more"),
                   task_id, jc_task_state_to_string (task->state));
      return NULL;
    }
  g_autoptr(JcClientTransfer) t = g_new0 (JcClientTransfer, 1);
  t->upload = upload;
  t->task_id = g_strdup (task_id);
  t->key = g_strdup (key);
  t->path = g_strdup (path);
  guint8 hash[JC_DOC_HASH_SIZE];
  if (!(t->cta = load_cta (profile, task, hash, error)))
    return NULL;
  const JcCtsc *ctsc = t->cta->ctsc;
  if (upload)
    {
      const JcInputSpec *spec = jc_ctsc_find_input (ctsc, key);
      if (!spec)
        {
          g_set_error (error, JC_ERROR, JC_ERROR_NOT_FOUND, _("Task %s has no input “%s”"), task_id, key);
          return NULL;
        }
      t->schema = spec->schema;
      if (jc_time_now () >= ctsc->input_deadline)
        {
          g_autofree char *when = jc_time_format (ctsc->input_deadline);
          g_set_error (error, JC_ERROR, JC_ERROR_EXPIRED,
                       _("The input deadline of task %s passed at %s: uploads are closed"), task_id, when);
          return NULL;
        }
    }
  else
    {
      const JcOutputSpec *spec = jc_ctsc_find_output (ctsc, key);
      if (!spec)
        {
          g_set_error (error, JC_ERROR, JC_ERROR_NOT_FOUND, _("Task %s has no output “%s”"), task_id, key);
          return NULL;
        }
      t->schema = spec->schema;
      if (jc_time_now () >= ctsc->output_deadline)
        {
          g_autofree char *when = jc_time_format (ctsc->output_deadline);
          g_set_error (error, JC_ERROR, JC_ERROR_EXPIRED,
                       _("The output deadline of task %s passed at %s: the results are gone"), task_id, when);
          return NULL;
        }
    }
  g_autoptr(JcPak) pak = granted_pak (profile, t->cta, task_id, upload, key, error);
  if (!pak)
    return NULL;

  JcTeePolicy policy;
  jc_agreement_tee_policy (ctsc, jc_time_now (), &policy);
  t->ctio = jc_ctio_client_new (&policy, hash, sizeof hash, jc_pak_get_secret (pak));
  jc_tee_policy_clear (&policy);
  for (guint i = 0; i < ctsc->computing_parties->len; i++)
    {
      g_autofree char *meta = g_strdup_printf ("vm:%s:%u", task_id, i);
      g_autofree char *address = jc_client_store_get_meta (store, meta);
      if (!address)
        {
          const JcParty *cp = ctsc->computing_parties->pdata[i];
          g_set_error (error, JC_ERROR, JC_ERROR_STATE,
                       _("The VM of computing party %s has not reported its address for task %s "
                         "yet (the task is %s; try again shortly)"), cp->name, task_id,
                       jc_task_state_to_string (task->state));
          return NULL;
        }
      jc_ctio_client_set_address (t->ctio, i, address);
    }
  return g_steal_pointer (&t);
}

/* --- upload ---------------------------------------------------------------------------- */

/* The whole file is checked before anything is sent. Touches neither the node nor its
 * store, so that an app may run it in a worker thread. */
static gboolean
check_csv (JcClientTransfer *t, JcCsvReport **report_out, GCancellable *cancellable,
           GError **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (t->path);
  g_autoptr(GFileInfo) info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE,
                                                 G_FILE_QUERY_INFO_NONE, cancellable, error);
  if (!info)
    return FALSE;
  t->file_size = g_file_info_get_size (info);
  g_autoptr(JcCsvReport) report = jc_csv_check_file (file, t->schema, JC_CSV_DEFAULT_MAX_PROBLEMS,
                                                     NULL, NULL, NULL, cancellable, error);
  if (!report)
    return FALSE;
  gboolean ok = jc_csv_report_ok (report);
  if (!ok)
    {
      g_autofree char *text = jc_csv_report_to_string (report);
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   g_dngettext (GETTEXT_PACKAGE, "%s does not fit input “%s”; nothing was sent. %" PRIu64 " problem:\n%s",
                                "%s does not fit input “%s”; nothing was sent. %" PRIu64 " problems:\n%s",
                                report->n_problems),
                   t->path, t->key, report->n_problems, text);
    }
  t->rows = report->n_rows;
  if (report_out)
    *report_out = g_steal_pointer (&report);
  return ok;
}

JcClientTransfer *
jc_client_upload_prepare (JcClientNode *node, const char *task_id, const char *input_key,
                          const char *csv_path, JcCsvReport **report_out, GError **error)
{
  g_autoptr(JcClientTransfer) t = prepare (node, task_id, TRUE, input_key, csv_path, error);
  if (!t || !check_csv (t, report_out, NULL, error))
    return NULL;
  return g_steal_pointer (&t);
}

typedef struct {
  JcClientTransfer *t;
  JcCsvReport      *report;
} PrepareData;

static void
prepare_data_free (PrepareData *d)
{
  g_clear_pointer (&d->t, jc_client_transfer_free);
  g_clear_pointer (&d->report, jc_csv_report_free);
  g_free (d);
}

static void
check_in_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  PrepareData *d = task_data;
  GError *error = NULL;

  if (check_csv (d->t, &d->report, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
jc_client_upload_prepare_async (JcClientNode *node, const char *task_id, const char *input_key,
                                const char *csv_path, GCancellable *cancellable,
                                GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (node, cancellable, callback, user_data);
  GError *error = NULL;
  PrepareData *d = g_new0 (PrepareData, 1);

  g_task_set_source_tag (task, jc_client_upload_prepare_async);
  g_task_set_task_data (task, d, (GDestroyNotify) prepare_data_free);
  /* What the node knows is read here, on the node's thread; only the file is read in the
   * worker. */
  d->t = prepare (node, task_id, TRUE, input_key, csv_path, &error);
  if (!d->t)
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_run_in_thread (task, check_in_thread);
}

JcClientTransfer *
jc_client_upload_prepare_finish (JcClientNode *node, GAsyncResult *result, JcCsvReport **report,
                                 GError **error)
{
  PrepareData *d = g_task_get_task_data (G_TASK (result));
  GError *local = NULL;

  g_return_val_if_fail (g_task_is_valid (result, node), NULL);
  gboolean ok = g_task_propagate_boolean (G_TASK (result), &local);
  if (report && d && d->report)
    *report = g_steal_pointer (&d->report);
  if (!ok)
    {
      g_propagate_error (error, local);
      return NULL;
    }
  return g_steal_pointer (&d->t);
}

JcClientTransfer *
jc_client_attest_prepare (JcClientNode *node, const char *task_id, const char *key,
                          gboolean upload, GError **error)
{
  return prepare (node, task_id, upload, key, NULL, error);
}

/* --- attestation summary --------------------------------------------------------------- */

void
jc_client_attestation_free (JcClientAttestation *a)
{
  if (!a)
    return;
  g_free (a->party);
  g_free (a->problem);
  g_free (a);
}

GPtrArray *
jc_client_transfer_attest (JcClientTransfer *t, GCancellable *cancellable)
{
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) jc_client_attestation_free);
  const JcCtsc *ctsc = t->cta->ctsc;

  for (guint i = 0; i < jc_ctio_client_get_n_parties (t->ctio); i++)
    {
      JcClientAttestation *a = g_new0 (JcClientAttestation, 1);
      g_autoptr(GError) error = NULL;
      const JcParty *cp = i < ctsc->computing_parties->len ? ctsc->computing_parties->pdata[i] : NULL;

      a->party = g_strdup (cp ? cp->name : "?");
      a->platform = ctsc->platform;
      a->simulated = ctsc->platform == JC_TEE_PLATFORM_SIM;
      /* The status call opens an attested connection: it succeeds only when the VM's
       * evidence verifies under the task's TEE policy (platform, measurement allow-list)
       * and binds the agreement hash this node holds. */
      g_autoptr(JsonNode) st = jc_ctio_status (t->ctio, i, cancellable, &error);
      a->attested = st != NULL;
      if (!st)
        a->problem = g_strdup (error->message);
      g_ptr_array_add (out, a);
    }
  return out;
}

typedef struct {
  JcClientTransfer    *t;
  JcEngine            *engine;
  JcEngineSharer      *sharer;
  JcClientProgressFunc progress;
  gpointer             progress_data;
} Upload;

static gboolean
share_rows (const JcEngineValue *rows, gsize n_rows, gsize n_columns, gpointer user_data,
            GError **error)
{
  Upload *u = user_data;
  return jc_engine_sharer_add_rows (u->engine, u->sharer, rows, n_rows, error);
}

static void
read_progress (guint64 bytes, gpointer user_data)
{
  Upload *u = user_data;
  if (u->progress)
    u->progress (bytes, u->t->file_size, u->progress_data);
}

static JcEngine *
load_engine (const JcCtsc *ctsc, GError **error)
{
  g_autoptr(GError) local = NULL;
  JcEngine *engine = jc_engine_load_by_id (NULL, ctsc->engine, &local);
  if (!engine)
    g_set_error (error, JC_ERROR, local->code,
                 _("The task's engine %s is not installed on this node: %s"), ctsc->engine,
                 local->message);
  return engine;
}

gboolean
jc_client_upload_run (JcClientTransfer *t, JcClientProgressFunc progress, gpointer user_data,
                      GCancellable *cancellable, GError **error)
{
  g_return_val_if_fail (t->upload, FALSE);
  g_autoptr(JcEngine) engine = load_engine (t->cta->ctsc, error);
  if (!engine)
    return FALSE;
  JcCsvEngineSchema *schema = jc_csv_engine_schema_new (t->key, t->schema);
  /* Attestation of every VM happens here: the upload begins only if all three pass. */
  g_autoptr(JcCtioUpload) up = jc_ctio_upload_begin (t->ctio, t->key, cancellable, error);
  if (!up)
    {
      jc_csv_engine_schema_free (schema);
      return FALSE;
    }
  Upload u = { t, engine, NULL, progress, user_data };
  u.sharer = jc_engine_sharer_new (engine, &schema->schema, jc_ctio_upload_engine_write, up, error);
  gboolean ok = u.sharer != NULL;
  if (ok)
    {
      g_autoptr(GFile) file = g_file_new_for_path (t->path);
      g_autoptr(JcCsvReport) report = jc_csv_check_file (file, t->schema, JC_CSV_DEFAULT_MAX_PROBLEMS,
                                                         share_rows, read_progress, &u, cancellable, error);
      ok = report != NULL;
      if (ok && !jc_csv_report_ok (report))
        {
          ok = FALSE;
          g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                       _("%s changed while it was being sent; the upload is abandoned"), t->path);
        }
      ok = ok && jc_engine_sharer_finish (engine, u.sharer, error);
      jc_engine_sharer_free (engine, u.sharer);
    }
  jc_csv_engine_schema_free (schema);
  /* Without a finish the VMs roll the partial upload back. */
  return ok && jc_ctio_upload_finish (up, cancellable, error);
}

JsonNode *
jc_client_upload_quality (JcClientTransfer *t, GError **error)
{
  for (guint p = 0; p < jc_ctio_client_get_n_parties (t->ctio); p++)
    {
      g_autoptr(JsonNode) st = jc_ctio_status (t->ctio, p, NULL, error);
      if (!st)
        return NULL;
      JsonArray *inputs = json_object_get_array_member (json_node_get_object (st), "inputs");
      for (guint i = 0; inputs && i < json_array_get_length (inputs); i++)
        {
          JsonObject *in = json_array_get_object_element (inputs, i);
          if (g_strcmp0 (json_object_get_string_member_with_default (in, "key", ""), t->key) == 0
              && json_object_has_member (in, "quality"))
            return json_node_copy (json_object_get_member (in, "quality"));
        }
    }
  return NULL;
}

/* --- download -------------------------------------------------------------------------- */

JcClientTransfer *
jc_client_download_prepare (JcClientNode *node, const char *task_id, const char *output_key,
                            const char *out_path, GError **error)
{
  return prepare (node, task_id, FALSE, output_key, out_path, error);
}

typedef struct {
  JcClientTransfer     *t;
  JcEngine             *engine;
  JcEngineReconstructor *rec;
  JcCsvEngineSchema    *schema;
  FILE                 *out;
  guint64               bytes;
  JcClientProgressFunc  progress;
  gpointer              progress_data;
} Download;

static void
write_csv_field (FILE *out, const char *text)
{
  if (strpbrk (text, ",\"\r\n") == NULL)
    {
      fputs (text, out);
      return;
    }
  fputc ('"', out);
  for (const char *p = text; *p; p++)
    {
      if (*p == '"')
        fputc ('"', out);
      fputc (*p, out);
    }
  fputc ('"', out);
}

static int
write_row (void *user, const JcEngineValue *row, size_t n)
{
  Download *d = user;
  for (size_t i = 0; i < n; i++)
    {
      g_autofree char *text = jc_engine_value_format (&d->schema->columns[i], &row[i]);
      if (i)
        fputc (',', d->out);
      write_csv_field (d->out, text ? text : "");
    }
  fputc ('\n', d->out);
  d->t->rows++;
  return ferror (d->out) ? -1 : 0;
}

static gboolean
feed (guint party, const guint8 *buf, gsize len, gpointer user_data, GError **error)
{
  Download *d = user_data;
  d->bytes += len;
  if (d->progress)
    d->progress (d->bytes, 0, d->progress_data);
  return jc_engine_reconstructor_feed (d->engine, d->rec, party, buf, len, error);
}

gboolean
jc_client_download_run (JcClientTransfer *t, JcClientProgressFunc progress, gpointer user_data,
                        GCancellable *cancellable, GError **error)
{
  g_return_val_if_fail (!t->upload, FALSE);
  g_autoptr(JcEngine) engine = load_engine (t->cta->ctsc, error);
  if (!engine)
    return FALSE;
  g_autofree char *part = g_strdup_printf ("%s.part", t->path);
  Download d = { t, engine, NULL, jc_csv_engine_schema_new (t->key, t->schema), NULL, 0,
                 progress, user_data };
  d.out = g_fopen (part, "wb");
  if (!d.out)
    {
      jc_csv_engine_schema_free (d.schema);
      g_set_error (error, JC_ERROR, JC_ERROR_IO, _("Cannot write %s"), part);
      return FALSE;
    }
  for (guint i = 0; i < t->schema->len; i++)
    {
      const JcColumn *c = g_ptr_array_index (t->schema, i);
      if (i)
        fputc (',', d.out);
      write_csv_field (d.out, c->name);
    }
  fputc ('\n', d.out);
  t->rows = 0;
  d.rec = jc_engine_reconstructor_new (engine, &d.schema->schema, write_row, &d, error);
  gboolean ok = d.rec != NULL
                && jc_ctio_download (t->ctio, t->key, feed, &d, cancellable, error)
                && jc_engine_reconstructor_finish (engine, d.rec, error);
  if (d.rec)
    jc_engine_reconstructor_free (engine, d.rec);
  jc_csv_engine_schema_free (d.schema);
  if (fflush (d.out) != 0 || fsync (fileno (d.out)) != 0)
    ok = ok && (g_set_error (error, JC_ERROR, JC_ERROR_IO, _("Cannot write %s"), part), FALSE);
  fclose (d.out);
  if (!ok)
    {
      g_unlink (part);
      return FALSE;
    }
  if (g_rename (part, t->path) != 0)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_IO, _("Cannot write %s"), t->path);
      g_unlink (part);
      return FALSE;
    }
  return TRUE;
}

/* --- async ----------------------------------------------------------------------------- */

typedef struct {
  JcClientTransfer    *t;
  JcClientProgressFunc progress;
  gpointer             progress_data;
} RunData;

static void
run_in_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  RunData *r = task_data;
  GError *error = NULL;
  gboolean ok = r->t->upload
                ? jc_client_upload_run (r->t, r->progress, r->progress_data, cancellable, &error)
                : jc_client_download_run (r->t, r->progress, r->progress_data, cancellable, &error);
  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
jc_client_transfer_run_async (JcClientTransfer *transfer, JcClientProgressFunc progress,
                              gpointer progress_data, GCancellable *cancellable,
                              GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  RunData *r = g_new0 (RunData, 1);
  r->t = transfer;
  r->progress = progress;
  r->progress_data = progress_data;
  g_task_set_task_data (task, r, g_free);
  g_task_run_in_thread (task, run_in_thread);
}

gboolean
jc_client_transfer_run_finish (GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}
