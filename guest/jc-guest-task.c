#define G_LOG_DOMAIN "joconde-guest"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <stdarg.h>

#include "jc-atls-identity.h"
#include "jc-doc.h"
#include "jc-encoding.h"
#include "jc-error.h"
#include "jc-guest-task-private.h"
#include "jc-tee-sim.h"
#include "jc-time.h"

gint64
jc_guest_now (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static void
slot_free (gpointer p)
{
  Slot *s = p;
  jc_guest_blob_unref (s->blob);
  jc_guest_blob_unref (s->pending);
  g_free (s->upload_id);
  g_free (s->pending_id);
  g_free (s->dq_error);
  g_free (s);
}

static void
output_free (gpointer p)
{
  Output *o = p;
  jc_guest_blob_unref (o->blob);
  g_free (o->retrieved);
  g_free (o->reserved);
  g_free (o);
}

static JcTelemetryEvent *event_new (JcGuestTask *task, JcTelemetryKind kind);
static void emit_event (JcGuestTask *task, JcTelemetryEvent *e);

static gboolean
pak_allowed (const guint8 pak[JC_ATLS_PAK_SIZE], gpointer user_data, GError **error)
{
  JcGuestTask *task = user_data;
  return jc_guest_policy_knows_pak (task->policy, pak, error);
}

static gboolean
make_provider (JcGuestTask *task, const JcGuestTaskConfig *config, GError **error)
{
  if (task->cta->ctsc->platform == JC_TEE_PLATFORM_SIM)
    {
      g_autoptr(JcSecret) key = NULL;
      guint8 measurement[JC_TEE_MEASUREMENT_SIZE];

      if (config->sim_key_path == NULL)
        {
          g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                       _("The task runs on the simulated TEE, which needs the host's simulator "
                         "key (--sim-key)"));
          return FALSE;
        }
      key = jc_tee_sim_key_load_or_create (config->sim_key_path, error);
      if (key == NULL || !jc_tee_sim_measure_file ("/proc/self/exe", measurement, error))
        return FALSE;
      task->provider = jc_tee_provider_new_sim (key, measurement);
    }
  else
    task->provider = jc_tee_provider_new (task->cta->ctsc->platform, error);
  return task->provider != NULL;
}

JcGuestTask *
jc_guest_task_new (const JcGuestTaskConfig *config, GError **error)
{
  JcGuestTask *task = g_new0 (JcGuestTask, 1);
  g_autoptr(GError) local = NULL;
  const JcCtsc *ctsc;

  g_mutex_init (&task->lock);
  g_cond_init (&task->cond);
  g_mutex_init (&task->events_lock);
  g_mutex_init (&task->coord_lock);
  for (guint i = 0; i < JC_GUEST_MAX_PARTIES; i++)
    {
      g_mutex_init (&task->cps[i].control.write_lock);
      g_mutex_init (&task->cps[i].data.write_lock);
    }
  task->events = config->events;
  task->counterpart_timeout = config->counterpart_timeout ? config->counterpart_timeout : 10;
  task->trust = config->trust;
  task->log = jc_log_new ("joconde-guest", JC_LOG_TO_STDERR, NULL, NULL);
  task->slots = g_hash_table_new (g_str_hash, g_str_equal);
  task->slot_order = g_ptr_array_new_with_free_func (slot_free);
  task->outputs = g_hash_table_new (g_str_hash, g_str_equal);
  task->output_order = g_ptr_array_new_with_free_func (output_free);
  task->votes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  task->runs = g_async_queue_new ();
  task->state = JC_GUEST_STATE_INITIALISATION;

  /* The policy is write-once: these bytes, verified here, are all the VM ever acts on. */
  task->cta_bytes = g_bytes_ref (config->cta_bytes);
  config->trust->at = jc_guest_now ();
  task->cta = jc_agreement_load (task->cta_bytes, config->trust, task->cta_hash, &local);
  if (task->cta == NULL)
    {
      g_set_error (error, JC_ERROR, local->domain == JC_ERROR ? local->code : JC_ERROR_INVALID,
                   _("The agreement is refused: %s"), local->message);
      goto fail;
    }
  task->cta_hash_hex = jc_hex_encode (task->cta_hash, sizeof task->cta_hash);
  ctsc = task->cta->ctsc;
  task->n_parties = ctsc->computing_parties->len;
  task->party = config->party;
  if (task->n_parties != JC_GUEST_MAX_PARTIES || task->party >= task->n_parties)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_UNSUPPORTED,
                   _("This orchestrator runs tasks of exactly %d computing parties (the "
                     "agreement names %u, this VM was started as party %u)"),
                   JC_GUEST_MAX_PARTIES, task->n_parties, task->party + 1);
      goto fail;
    }
  task->policy = jc_guest_policy_new (task->cta);

  for (guint i = 0; i < ctsc->inputs->len; i++)
    {
      Slot *s = g_new0 (Slot, 1);
      s->spec = g_ptr_array_index (ctsc->inputs, i);
      g_ptr_array_add (task->slot_order, s);
      g_hash_table_insert (task->slots, s->spec->key, s);
    }
  for (guint i = 0; i < ctsc->outputs->len; i++)
    {
      Output *o = g_new0 (Output, 1);
      o->spec = g_ptr_array_index (ctsc->outputs, i);
      o->retrieved = g_new0 (gboolean, ctsc->peers->len);
      o->reserved = g_new0 (gboolean, ctsc->peers->len);
      g_ptr_array_add (task->output_order, o);
      g_hash_table_insert (task->outputs, o->spec->key, o);
    }

  if (config->state_dir != NULL)
    task->state_dir = g_strdup (config->state_dir);
  else
    {
      task->state_dir = g_dir_make_tmp ("joconde-guest-XXXXXX", error);
      if (task->state_dir == NULL)
        goto fail;
      task->own_state_dir = TRUE;
    }

  if (!jc_guest_run_prepare (task, config->engine_dir, error))
    goto fail;
  if (!make_provider (task, config, error))
    goto fail;
  task->identity = jc_atls_identity_new ("joconde-ct-vm", ctsc->output_deadline + 86400, error);
  if (task->identity == NULL)
    goto fail;
  task->atls = jc_atls_server_new (task->identity, task->provider, task->cta_hash,
                                   sizeof task->cta_hash);
  jc_atls_server_set_pak_check (task->atls, pak_allowed, task, NULL);
  jc_agreement_tee_policy (ctsc, jc_guest_now (), &task->vm_policy);
  jc_atls_server_set_peer_policy (task->atls, &task->vm_policy);

  {
    /* the cpd hears of the initialisation state like of every later one */
    g_autoptr(JcTelemetryEvent) e = event_new (task, JC_TELEMETRY_STATE_CHANGE);
    e->state = JC_TASK_INITIALISATION;
    emit_event (task, e);
  }
  jc_guest_task_log (task, JC_LOG_NOTICE, "start", NULL,
                     "task %s: agreement %s verified; party %u of %u; engine %s", task->cta->task_id,
                     task->cta_hash_hex, task->party + 1, task->n_parties, ctsc->engine);
  return task;

fail:
  jc_guest_task_free (task);
  return NULL;
}

void
jc_guest_task_free (JcGuestTask *task)
{
  if (task == NULL)
    return;
  g_mutex_lock (&task->lock);
  task->stopping = TRUE;
  g_cond_broadcast (&task->cond);
  g_mutex_unlock (&task->lock);
  jc_guest_link_shutdown_all (task);
  jc_guest_run_stop (task);
  g_clear_pointer (&task->slot_order, g_ptr_array_unref);
  g_clear_pointer (&task->slots, g_hash_table_unref);
  g_clear_pointer (&task->output_order, g_ptr_array_unref);
  g_clear_pointer (&task->outputs, g_hash_table_unref);
  g_clear_pointer (&task->votes, g_hash_table_unref);
  g_clear_pointer (&task->runs, g_async_queue_unref);
  for (guint i = 0; i < JC_GUEST_MAX_PARTIES; i++)
    {
      g_clear_object (&task->cps[i].control.session);
      g_clear_object (&task->cps[i].control.socket);
      g_clear_object (&task->cps[i].data.session);
      g_clear_object (&task->cps[i].data.socket);
      g_free (task->cps[i].address);
    }
  if (task->own_state_dir && task->state_dir != NULL)
    g_rmdir (task->state_dir);
  g_free (task->state_dir);
  g_clear_object (&task->atls);
  g_clear_object (&task->identity);
  g_clear_object (&task->provider);
  jc_tee_policy_clear (&task->vm_policy);
  jc_guest_policy_free (task->policy);
  g_clear_pointer (&task->cta, jc_cta_free);
  g_clear_pointer (&task->cta_bytes, g_bytes_unref);
  g_free (task->cta_hash_hex);
  g_free (task->reason);
  g_clear_object (&task->log);
  g_free (task);
}

JcAtlsServer *
jc_guest_task_get_atls (JcGuestTask *task)
{
  return task->atls;
}

JcGuestState
jc_guest_task_get_state (JcGuestTask *task)
{
  JcGuestState s;
  g_mutex_lock (&task->lock);
  s = task->state;
  g_mutex_unlock (&task->lock);
  return s;
}

guint
jc_guest_task_get_party (JcGuestTask *task)
{
  return task->party;
}

const char *
jc_guest_task_get_id (JcGuestTask *task)
{
  return task->cta->task_id;
}

const char *
jc_guest_task_get_cta_hash (JcGuestTask *task)
{
  return task->cta_hash_hex;
}

gboolean
jc_guest_task_destroy_requested (JcGuestTask *task)
{
  gboolean r;
  g_mutex_lock (&task->lock);
  r = task->destroy_requested;
  g_mutex_unlock (&task->lock);
  return r;
}

/* ---- logs and telemetry to the cpd ---- */

void
jc_guest_task_log (JcGuestTask *task, JcLogSeverity severity, const char *msgid,
                   const char *pak_b64, const char *format, ...)
{
  va_list ap;
  g_autofree char *msg = NULL;
  g_autofree char *party = g_strdup_printf ("%u", task->party + 1);
  JcLogParam params[] = {
    { "task", task->cta ? task->cta->task_id : "" },
    { "cp", party },
    { pak_b64 ? "pak" : NULL, pak_b64 },
    { NULL, NULL },
  };

  va_start (ap, format);
  msg = g_strdup_vprintf (format, ap);
  va_end (ap);
  if (task->log != NULL)
    jc_log_write (task->log, severity, msgid, params, "%s", msg);
}

/* One line on the events stream: a telemetry event or a request, as a JSON document. */
void
jc_guest_task_emit (JcGuestTask *task, JsonNode *document)
{
  g_autofree char *line = json_to_string (document, FALSE);

  if (task->events == NULL)
    return;
  g_mutex_lock (&task->events_lock);
  fprintf (task->events, "%s\n", line);
  fflush (task->events);
  g_mutex_unlock (&task->events_lock);
}

static JcTelemetryEvent *
event_new (JcGuestTask *task, JcTelemetryKind kind)
{
  JcTelemetryEvent *e = jc_telemetry_event_new ();
  g_strlcpy (e->task_id, task->cta->task_id, sizeof e->task_id);
  e->cp = task->party;
  e->time = jc_guest_now ();
  e->kind = kind;
  return e;
}

static void
emit_event (JcGuestTask *task, JcTelemetryEvent *e)
{
  g_autoptr(JsonNode) node = jc_telemetry_event_to_json (e);
  jc_guest_task_emit (task, node);
}

static JcTaskState
to_task_state (JcGuestState s)
{
  switch (s)
    {
    case JC_GUEST_STATE_INITIALISATION: return JC_TASK_INITIALISATION;
    case JC_GUEST_STATE_INPUT: return JC_TASK_INPUT;
    case JC_GUEST_STATE_CALCULATION: return JC_TASK_CALCULATION;
    case JC_GUEST_STATE_OUTPUT: return JC_TASK_OUTPUT;
    case JC_GUEST_STATE_FINISHED: return JC_TASK_FINISHED;
    case JC_GUEST_STATE_CANCELLED: default: return JC_TASK_CANCELLED;
    }
}

void
jc_guest_task_emit_quality (JcGuestTask *task, const char *input, gboolean passed,
                            gint64 violations, const char *message)
{
  g_autoptr(JcTelemetryEvent) e = event_new (task, JC_TELEMETRY_DATA_QUALITY);
  e->input = g_strdup (input);
  e->passed = passed;
  e->violations = violations;
  e->text = g_strdup (message);
  emit_event (task, e);
  jc_guest_task_log (task, JC_LOG_NOTICE, "data-quality", NULL,
                     "input %s: data quality %s, %" G_GINT64_FORMAT " violations", input,
                     passed ? "passed" : "failed", violations);
}

void
jc_guest_task_emit_print (JcGuestTask *task, const char *text)
{
  g_autoptr(JcTelemetryEvent) e = event_new (task, JC_TELEMETRY_PRINT);
  e->text = g_strdup (text);
  emit_event (task, e);
  jc_guest_task_log (task, JC_LOG_INFO, "print", NULL, "algorithm printed: %s", text);
}

static void
request_destroy_locked (JcGuestTask *task)
{
  g_autoptr(JsonNode) req = NULL;

  if (task->destroy_requested)
    return;
  task->destroy_requested = TRUE;
  req = jc_guest_message ("guest-request", "request", "destroy", "task_id", task->cta->task_id,
                          "state", jc_guest_state_to_string (task->state), NULL);
  json_object_set_int_member (json_node_get_object (req), "version", 1);
  jc_guest_task_emit (task, req);
  jc_guest_task_log (task, JC_LOG_NOTICE, "destroy", NULL,
                     "all data erased; asking the cpd to destroy this VM");
}

void
jc_guest_task_set_state_locked (JcGuestTask *task, JcGuestState state)
{
  g_autoptr(JcTelemetryEvent) e = NULL;

  if (task->state == state)
    return;
  task->state = state;
  g_cond_broadcast (&task->cond);
  e = event_new (task, JC_TELEMETRY_STATE_CHANGE);
  e->state = to_task_state (state);
  emit_event (task, e);
  jc_guest_task_log (task, JC_LOG_NOTICE, "state", NULL, "state %s%s%s",
                     jc_guest_state_to_string (state), task->reason ? ": " : "",
                     task->reason && state == JC_GUEST_STATE_CANCELLED ? task->reason : "");
  if (state == JC_GUEST_STATE_FINISHED || state == JC_GUEST_STATE_CANCELLED)
    request_destroy_locked (task);
}

void
jc_guest_task_erase_inputs_locked (JcGuestTask *task)
{
  for (guint i = 0; i < task->slot_order->len; i++)
    {
      Slot *s = g_ptr_array_index (task->slot_order, i);
      g_clear_pointer (&s->blob, jc_guest_blob_unref);
      g_clear_pointer (&s->pending, jc_guest_blob_unref);
    }
}

/* Finished once every output is erased (retrieved by all its peers, or past the deadline). */
void
jc_guest_task_check_finished_locked (JcGuestTask *task)
{
  if (task->state != JC_GUEST_STATE_OUTPUT)
    return;
  for (guint i = 0; i < task->output_order->len; i++)
    {
      Output *o = g_ptr_array_index (task->output_order, i);
      if (!o->erased)
        return;
    }
  jc_guest_task_set_state_locked (task, JC_GUEST_STATE_FINISHED);
}

void
jc_guest_task_cancel (JcGuestTask *task, const char *reason, gboolean tell_counterparts)
{
  g_mutex_lock (&task->lock);
  if (task->state == JC_GUEST_STATE_FINISHED || task->state == JC_GUEST_STATE_CANCELLED)
    {
      g_mutex_unlock (&task->lock);
      return;
    }
  g_free (task->reason);
  task->reason = g_strdup (reason);
  {
    /* the reason reaches the peers as an error event, then the state change */
    g_autoptr(JcTelemetryEvent) e = event_new (task, JC_TELEMETRY_ERROR);
    e->text = g_strdup (reason);
    emit_event (task, e);
  }
  /* erase everything before anyone hears of the cancel */
  jc_guest_task_erase_inputs_locked (task);
  for (guint i = 0; i < task->output_order->len; i++)
    {
      Output *o = g_ptr_array_index (task->output_order, i);
      g_clear_pointer (&o->blob, jc_guest_blob_unref);
      o->erased = TRUE;
    }
  jc_guest_task_set_state_locked (task, JC_GUEST_STATE_CANCELLED);
  g_mutex_unlock (&task->lock);

  if (tell_counterparts)
    {
      g_autoptr(JsonNode) msg = jc_guest_message ("cancel", "reason", reason, NULL);
      jc_guest_link_broadcast (task, msg);
    }
  /* a run blocked on a counterpart must stop now */
  jc_guest_link_shutdown_data (task);
}

void
jc_guest_task_tick (JcGuestTask *task)
{
  const JcCtsc *ctsc = task->cta->ctsc;
  gint64 now = jc_guest_now ();
  JcGuestState state = jc_guest_task_get_state (task);
  g_autofree char *reason = NULL;

  if ((state == JC_GUEST_STATE_INITIALISATION || state == JC_GUEST_STATE_INPUT)
      && now >= ctsc->input_deadline)
    {
      g_autoptr(GString) missing = g_string_new (NULL);
      g_mutex_lock (&task->lock);
      for (guint i = 0; i < task->slot_order->len; i++)
        {
          Slot *s = g_ptr_array_index (task->slot_order, i);
          if (s->blob == NULL)
            g_string_append_printf (missing, "%s%s", missing->len ? ", " : "", s->spec->key);
        }
      g_mutex_unlock (&task->lock);
      reason = g_strdup_printf (_("The input deadline passed before every input was uploaded "
                                  "(missing: %s)"), missing->len ? missing->str : _("none"));
      jc_guest_task_cancel (task, reason, TRUE);
    }
  else if (state == JC_GUEST_STATE_CALCULATION && now >= ctsc->execution_deadline)
    jc_guest_task_cancel (task, _("The calculation did not end before the execution deadline"),
                          TRUE);
  else if (state == JC_GUEST_STATE_OUTPUT && now >= ctsc->output_deadline)
    {
      g_mutex_lock (&task->lock);
      for (guint i = 0; i < task->output_order->len; i++)
        {
          Output *o = g_ptr_array_index (task->output_order, i);
          if (!o->erased)
            jc_guest_task_log (task, JC_LOG_NOTICE, "erase", NULL,
                               "output %s erased at the output deadline", o->spec->key);
          g_clear_pointer (&o->blob, jc_guest_blob_unref);
          o->erased = TRUE;
        }
      jc_guest_task_check_finished_locked (task);
      g_mutex_unlock (&task->lock);
    }
  else if (state == JC_GUEST_STATE_INITIALISATION || state == JC_GUEST_STATE_INPUT
           || state == JC_GUEST_STATE_CALCULATION)
    jc_guest_link_ping (task);
}

gboolean
jc_guest_task_set_counterparts (JcGuestTask *task, const char *const *addresses, GError **error)
{
  guint n = addresses ? g_strv_length ((char **) addresses) : 0;

  g_mutex_lock (&task->lock);
  if (task->counterparts_set)
    {
      g_mutex_unlock (&task->lock);
      g_set_error (error, JC_ERROR, JC_ERROR_EXISTS,
                   _("The counterparts' addresses were given already"));
      return FALSE;
    }
  if (n != task->n_parties)
    {
      g_mutex_unlock (&task->lock);
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("%u addresses given, the task has %u computing parties"), n, task->n_parties);
      return FALSE;
    }
  for (guint i = 0; i < n; i++)
    task->cps[i].address = g_strdup (addresses[i]);
  task->counterparts_set = TRUE;
  g_mutex_unlock (&task->lock);
  jc_guest_link_start (task);
  return TRUE;
}

void
jc_guest_task_serve_session (JcGuestTask *task, JcAtlsSession *session, const char *remote)
{
  if (jc_atls_session_get_peer_verdict (session) != NULL)
    jc_guest_link_accept (task, session, remote);
  else
    jc_guest_io_serve (task, session, remote);
}

gboolean
jc_guest_task_control (JcGuestTask *task, JsonNode *message, JsonNode *signature,
                       const char *via, GError **error)
{
  g_autoptr(JcControlMessage) msg = NULL;
  g_autoptr(JcNodeSignature) sig = NULL;
  g_autofree char *reason = NULL;
  JcAgreementTrust trust;

  if (message == NULL || (msg = jc_control_message_from_json (message, error)) == NULL)
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, JC_ERROR, JC_ERROR_INVALID, _("The request carries no control message"));
      return FALSE;
    }
  if (signature == NULL)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_DENIED,
                   _("The %s request is not signed: only a peer or the SO may cancel a task, "
                     "with their node's signature"), jc_control_action_to_string (msg->action));
      jc_guest_task_log (task, JC_LOG_WARNING, "control-refused", NULL,
                         "unsigned %s request via %s refused",
                         jc_control_action_to_string (msg->action), via);
      return FALSE;
    }
  sig = jc_node_signature_from_json (signature, error);
  if (sig == NULL)
    return FALSE;
  trust = *task->trust;
  trust.at = jc_guest_now ();
  if (!jc_agreement_verify_control (task->cta, &trust, msg, sig, error))
    {
      jc_guest_task_log (task, JC_LOG_WARNING, "control-refused", NULL,
                         "%s request via %s refused: %s", jc_control_action_to_string (msg->action),
                         via, (*error)->message);
      return FALSE;
    }
  if (jc_guest_task_get_state (task) == JC_GUEST_STATE_FINISHED)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_STATE, _("The task has finished already"));
      return FALSE;
    }
  reason = g_strdup_printf (_("%s by %s: %s"),
                            msg->action == JC_CONTROL_CANCEL ? _("Cancelled") : _("Terminated"),
                            msg->signer.name, msg->reason);
  jc_guest_task_log (task, JC_LOG_NOTICE, "control", NULL, "%s (via %s)", reason, via);
  jc_guest_task_cancel (task, reason, TRUE);
  return TRUE;
}
