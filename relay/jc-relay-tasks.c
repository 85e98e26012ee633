#define G_LOG_DOMAIN "joconde-relay"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>

#include "base/jc-encoding.h"
#include "base/jc-error.h"
#include "base/jc-time.h"
#include "jc-agreement.h"
#include "jc-cert.h"
#include "jc-chain.h"
#include "jc-doc.h"
#include "jc-model.h"
#include "jc-net-sqlite-private.h"
#include "jc-relay-mail.h"
#include "jc-relay-private.h"
#include "jc-relay-tasks.h"
#include "jc-signatory-cms.h"
#include "jc-uuid.h"

/* The task lifecycle at the root (spec §4.4.1.1, Appendix B.2): CTSC -> UUID -> copies
 * to the peers and computing parties; CTSAs checked against the CTSC and signed by their
 * peer's node; signatory signatures; the SO's approvals; the finalised, signed CTA to the
 * computing parties and peers; cancellation after the approval deadline or on request.
 * Every handler runs inside the transaction that receives the message, so a message is
 * processed exactly once and a refusal leaves nothing behind. */

/* Runs SQL, one statement, with A as parameter 1, B (when not NULL) as 2 and N (when >= 0)
 * as the next one. */
static gboolean exec1 (JcRelay *relay, const char *sql, const char *a, const char *b, gint64 n,
                       GError **error);

static gboolean
refuse (GError **refusal, int code, const char *format, ...) G_GNUC_PRINTF (3, 4);

static gboolean
refuse (GError **refusal, int code, const char *format, ...)
{
  va_list ap;
  va_start (ap, format);
  g_autofree char *msg = g_strdup_vprintf (format, ap);
  va_end (ap);
  g_set_error_literal (refusal, JC_ERROR, code, msg);
  return TRUE; /* handled: refused */
}

/* The body of the envelope read again with the strict document reader (no duplicate
 * keys, integers only), so that what is checked and hashed is exactly what was sent. */
static JsonNode *
strict_body (JcNetEnvelope *env, GError **refusal)
{
  g_autoptr(GError) local = NULL;
  g_autoptr(JsonNode) root = jc_doc_parse (env->text, strlen (env->text), NULL, &local);
  if (!root)
    {
      g_set_error (refusal, JC_ERROR, JC_ERROR_INVALID, _("The message is not a valid document: %s"),
                   local->message);
      return NULL;
    }
  JsonNode *body = json_object_get_member (json_node_get_object (root), "body");
  if (!body || !JSON_NODE_HOLDS_OBJECT (body))
    {
      g_set_error (refusal, JC_ERROR, JC_ERROR_INVALID, _("The message body is not an object"));
      return NULL;
    }
  return json_node_copy (body);
}

static const char *
body_string (JsonNode *body, const char *name)
{
  JsonNode *n = json_object_get_member (json_node_get_object (body), name);
  return n && JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING
         ? json_node_get_string (n) : NULL;
}

static gboolean
body_int (JsonNode *body, const char *name, gint64 *out)
{
  JsonNode *n = json_object_get_member (json_node_get_object (body), name);
  if (!n || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_INT64)
    return FALSE;
  *out = json_node_get_int (n);
  return TRUE;
}

static char *
to_text (JsonNode *node)
{
  return json_to_string (node, FALSE);
}

/* --- the task record ------------------------------------------------------------------ */

typedef struct {
  char        *task_id;
  char        *state;
  JcCtsc      *ctsc;
  JsonNode    *ctsc_node;
  guint8       ctsc_hash[JC_DOC_HASH_SIZE];
  gint64       counter;
} Task;

static void
task_free (Task *t)
{
  if (!t)
    return;
  g_free (t->task_id);
  g_free (t->state);
  if (t->ctsc)
    jc_ctsc_free (t->ctsc);
  if (t->ctsc_node)
    json_node_unref (t->ctsc_node);
  g_free (t);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Task, task_free)

static Task *
task_load (JcRelay *relay, const char *task_id, GError **error)
{
  g_autoptr(sqlite3_stmt) st = jc_net_sqlite_prepare (relay->db,
    "SELECT state, ctsc, update_counter FROM tasks WHERE task_id = ? AND state <> 'erased'", error);
  if (!st)
    return NULL;
  sqlite3_bind_text (st, 1, task_id, -1, SQLITE_STATIC);
  if (sqlite3_step (st) != SQLITE_ROW)
    return NULL;
  g_autoptr(Task) t = g_new0 (Task, 1);
  t->task_id = g_strdup (task_id);
  t->state = g_strdup ((const char *) sqlite3_column_text (st, 0));
  const char *text = (const char *) sqlite3_column_text (st, 1);
  t->counter = sqlite3_column_int64 (st, 2);
  t->ctsc_node = jc_doc_parse (text, strlen (text), NULL, error);
  if (!t->ctsc_node || !(t->ctsc = jc_ctsc_from_json (t->ctsc_node, error)) ||
      !jc_ctsc_hash (t->ctsc, t->ctsc_hash))
    return NULL;
  return g_steal_pointer (&t);
}

/* Looks the task up for a handler: refuses unknown tasks and tasks past emerging. */
static Task *
task_for_update (JcRelay *relay, JsonNode *body, GError **refusal, GError **error)
{
  const char *task_id = body_string (body, "task_id");
  if (!task_id || !jc_uuid_is_v4 (task_id))
    {
      refuse (refusal, JC_ERROR_INVALID, _("The message names no valid task id"));
      return NULL;
    }
  Task *t = task_load (relay, task_id, error);
  if (!t)
    {
      if (!(error && *error))
        refuse (refusal, JC_ERROR_NOT_FOUND, _("There is no task %s (or its data was erased)"),
                task_id);
      return NULL;
    }
  if (g_strcmp0 (t->state, "emerging") != 0)
    {
      refuse (refusal, JC_ERROR_STATE, _("Task %s is %s: its agreement can no longer change"),
              task_id, t->state);
      task_free (t);
      return NULL;
    }
  if (jc_time_now () >= t->ctsc->approval_deadline)
    {
      refuse (refusal, JC_ERROR_EXPIRED, _("The approval deadline of task %s has passed"),
              task_id);
      task_free (t);
      return NULL;
    }
  return t;
}

/* The nodes of a task: its peers and computing parties, and the SO's approver nodes
 * named by [tasks] approvers, which review every task. */
static GStrv
task_nodes_of (JcRelay *relay, const JcCtsc *ctsc, const char *also)
{
  g_autoptr(GStrvBuilder) sb = g_strv_builder_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; relay->config->approvers && relay->config->approvers[i]; i++)
    if (g_hash_table_add (seen, relay->config->approvers[i]))
      g_strv_builder_add (sb, relay->config->approvers[i]);
  GPtrArray *lists[] = { ctsc->peers, ctsc->computing_parties };
  for (guint l = 0; l < G_N_ELEMENTS (lists); l++)
    for (guint i = 0; i < lists[l]->len; i++)
      {
        JcParty *p = lists[l]->pdata[i];
        if (g_hash_table_add (seen, p->name))
          g_strv_builder_add (sb, p->name);
      }
  if (also && g_hash_table_add (seen, (gpointer) also))
    g_strv_builder_add (sb, also);
  return g_strv_builder_end (sb);
}

static gboolean
send_to (JcRelay *relay, const char *const *to, const char *topic, JsonNode *body,
         GHashTable *touched, GError **error)
{
  return jc_relay_router_originate (relay, to, topic, body, touched, NULL, error);
}

/* The contact addresses in the peers' certificates (§4.4.2.2). */
static GStrv
peer_emails (const JcCtsc *ctsc)
{
  g_autoptr(GStrvBuilder) sb = g_strv_builder_new ();
  for (guint i = 0; i < ctsc->peers->len; i++)
    {
      const JcParty *p = ctsc->peers->pdata[i];
      g_autoptr(JcCert) cert = p->chain->len ? jc_cert_new_from_der (p->chain->pdata[0], NULL)
                                             : NULL;
      if (cert && jc_cert_get_email (cert))
        g_strv_builder_add (sb, jc_cert_get_email (cert));
    }
  return g_strv_builder_end (sb);
}

static gboolean
notify_by_mail (JcRelay *relay, const JcCtsc *ctsc, const char *task_id, const char *state,
                const char *what, GError **error)
{
  g_auto(GStrv) to = peer_emails (ctsc);
  g_autofree char *subject = g_strdup_printf ("[JOCONDE] %s: %s", ctsc->title, state);
  g_autofree char *text = g_strdup_printf (
    "Task: %s\nTask id: %s\nState: %s\nEvent: %s\n\n"
    "Open your JOCONDE node for the details.\n", ctsc->title, task_id, state, what);
  return jc_relay_mail_queue (relay, (const char *const *) to, subject, text, error);
}

/* Bumps the update counter and tells the task's nodes (B.2 status). */
static gboolean
task_changed (JcRelay *relay, Task *t, const char *new_state, const char *what,
              GHashTable *touched, GError **error)
{
  /* new_state may be t->state itself, which is replaced below. */
  g_autofree char *state = g_strdup (new_state);
  g_autoptr(sqlite3_stmt) st = jc_net_sqlite_prepare (relay->db,
    "UPDATE tasks SET state = ?1, update_counter = update_counter + 1, "
    "ended = CASE WHEN ?1 IN ('finished', 'cancelled') THEN ?3 ELSE ended END "
    "WHERE task_id = ?2 RETURNING update_counter", error);
  if (!st)
    return FALSE;
  sqlite3_bind_text (st, 1, state, -1, SQLITE_STATIC);
  sqlite3_bind_text (st, 2, t->task_id, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (st, 3, jc_time_now ());
  if (sqlite3_step (st) != SQLITE_ROW)
    return jc_net_sqlite_fail (relay->db, error);
  t->counter = sqlite3_column_int64 (st, 0);
  g_free (t->state);
  t->state = g_strdup (state);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "task_id");
  json_builder_add_string_value (b, t->task_id);
  json_builder_set_member_name (b, "state");
  json_builder_add_string_value (b, t->state);
  json_builder_set_member_name (b, "update_counter");
  json_builder_add_int_value (b, t->counter);
  json_builder_set_member_name (b, "event");
  json_builder_add_string_value (b, what);
  json_builder_end_object (b);
  g_autoptr(JsonNode) body = json_builder_get_root (b);
  g_auto(GStrv) to = task_nodes_of (relay, t->ctsc, NULL);
  const JcLogParam params[] = { { "task", t->task_id }, { "state", t->state }, { NULL, NULL } };
  jc_log_write (relay->log, JC_LOG_NOTICE, "TASK", params, "%s", what);
  return send_to (relay, (const char *const *) to, "task.status", body, touched, error) &&
         notify_by_mail (relay, t->ctsc, t->task_id, t->state, what, error);
}

/* --- CTSC ------------------------------------------------------------------------------ */

static gboolean
on_ctsc (JcRelay *relay, JcNetEnvelope *env, JsonNode *body, GHashTable *touched,
         GError **refusal, GError **error)
{
  JsonNode *doc = json_object_get_member (json_node_get_object (body), "ctsc");
  g_autoptr(GError) local = NULL;
  g_autoptr(JcCtsc) ctsc = doc ? jc_ctsc_from_json (doc, &local) : NULL;
  guint8 hash[JC_DOC_HASH_SIZE];
  if (!ctsc)
    return refuse (refusal, JC_ERROR_INVALID, "%s",
                   local ? local->message : _("The message carries no CTSC"));
  if (jc_ctsc_find_peer (ctsc, env->from) < 0)
    return refuse (refusal, JC_ERROR_DENIED,
                   _("Node %s submitted a CTSC in which it is not a peer"), env->from);
  if (jc_time_now () >= ctsc->approval_deadline)
    return refuse (refusal, JC_ERROR_EXPIRED, _("The CTSC's approval deadline has passed"));
  jc_ctsc_hash (ctsc, hash);
  g_autofree char *hash_hex = jc_hex_encode (hash, sizeof hash);
  g_autofree char *task_id = jc_uuid_new_v4 ();
  g_autofree char *text = to_text (doc);

  g_autoptr(sqlite3_stmt) st = jc_net_sqlite_prepare (relay->db,
    "INSERT INTO tasks (task_id, state, ctsc, ctsc_hash, organiser, approval_deadline, "
    "output_deadline, update_counter, created) VALUES (?, 'emerging', ?, ?, ?, ?, ?, 1, ?)", error);
  if (!st)
    return FALSE;
  sqlite3_bind_text (st, 1, task_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (st, 2, text, -1, SQLITE_STATIC);
  sqlite3_bind_text (st, 3, hash_hex, -1, SQLITE_STATIC);
  sqlite3_bind_text (st, 4, env->from, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (st, 5, ctsc->approval_deadline);
  sqlite3_bind_int64 (st, 6, ctsc->output_deadline);
  sqlite3_bind_int64 (st, 7, jc_time_now ());
  if (sqlite3_step (st) != SQLITE_DONE)
    return jc_net_sqlite_fail (relay->db, error);

  if (!exec1 (relay, "UPDATE messages SET task_id = ? WHERE id = ?", task_id, env->id, -1, error))
    return FALSE;
  /* Returned to the submitter and copied to the subtrees of the peers and CPs. */
  g_autoptr(JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "task_id");
  json_builder_add_string_value (b, task_id);
  json_builder_set_member_name (b, "ctsc_hash");
  json_builder_add_string_value (b, hash_hex);
  json_builder_set_member_name (b, "request");
  json_builder_add_string_value (b, env->id);
  json_builder_set_member_name (b, "ctsc");
  json_builder_add_value (b, json_node_copy (doc));
  json_builder_end_object (b);
  g_autoptr(JsonNode) out = json_builder_get_root (b);
  g_auto(GStrv) to = task_nodes_of (relay, ctsc, env->from);
  const JcLogParam params[] = { { "task", task_id }, { "ctsc", hash_hex }, { "organiser", env->from },
                                { NULL, NULL } };
  jc_log_write (relay->log, JC_LOG_NOTICE, "TASK", params, "CTSC registered");
  return send_to (relay, (const char *const *) to, "task.created", out, touched, error) &&
         notify_by_mail (relay, ctsc, task_id, "emerging", "task registered", error);
}

/* --- CTSA ------------------------------------------------------------------------------ */

/* The certificate chain of a peer as the CTSC names it, checked against the root. */
static JcCert *
peer_certificate (JcRelay *relay, const JcParty *party, JcRoles role, GError **refusal)
{
  g_autoptr(GPtrArray) chain = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < party->chain->len; i++)
    {
      JcCert *c = jc_cert_new_from_der (party->chain->pdata[i], refusal);
      if (!c)
        return NULL;
      g_ptr_array_add (chain, c);
    }
  if (chain->len == 0)
    {
      g_set_error (refusal, JC_ERROR, JC_ERROR_INVALID, _("Peer %s has no certificate"), party->name);
      return NULL;
    }
  if (jc_chain_verify (chain, relay->root_ca, jc_time_now (), NULL, role, refusal) != JC_CHAIN_OK)
    return NULL;
  return g_object_ref (chain->pdata[0]);
}

static gboolean
on_ctsa (JcRelay *relay, JcNetEnvelope *env, JsonNode *body, GHashTable *touched,
         GError **refusal, GError **error)
{
  g_autoptr(Task) t = task_for_update (relay, body, refusal, error);
  if (!t)
    return !(error && *error);
  JsonObject *o = json_node_get_object (body);
  JsonNode *doc = json_object_get_member (o, "ctsa");
  JsonNode *sig_doc = json_object_get_member (o, "signature");
  g_autoptr(GError) local = NULL;
  g_autoptr(JcCtsa) ctsa = doc ? jc_ctsa_from_json (doc, &local) : NULL;
  if (!ctsa)
    return refuse (refusal, JC_ERROR_INVALID, "%s",
                   local ? local->message : _("The message carries no CTSA"));
  g_autoptr(JcNodeSignature) sig = sig_doc ? jc_node_signature_from_json (sig_doc, &local) : NULL;
  if (!sig)
    return refuse (refusal, JC_ERROR_INVALID, _("The CTSA's node signature is not valid: %s"),
                   local ? local->message : _("missing"));
  g_autoptr(JcProblems) problems = jc_problems_new ();
  if (memcmp (ctsa->ctsc_hash, t->ctsc_hash, JC_DOC_HASH_SIZE) != 0)
    return refuse (refusal, JC_ERROR_INVALID,
                   _("The CTSA is for another CTSC (its CTSC hash does not match task %s)"),
                   t->task_id);
  if (!jc_ctsa_check_against (ctsa, t->ctsc, t->ctsc_hash, "ctsa", problems))
    {
      g_autofree char *text = jc_problems_to_string (problems);
      return refuse (refusal, JC_ERROR_INVALID, _("The CTSA does not fit its CTSC: %s"), text);
    }
  const JcParty *peer = t->ctsc->peers->pdata[ctsa->peer];
  if (g_strcmp0 (peer->name, env->from) != 0)
    return refuse (refusal, JC_ERROR_DENIED, _("Node %s may not submit the CTSA of peer %s"),
                   env->from, peer->name);

  /* The node signature: by the peer's certificate as the CTSC names it, over this CTSA. */
  guint8 hash[JC_DOC_HASH_SIZE];
  jc_ctsa_hash (ctsa, hash);
  if (g_strcmp0 (sig->signer.name, peer->name) != 0 ||
      memcmp (sig->signer.fingerprint, peer->fingerprint, JC_DOC_HASH_SIZE) != 0 ||
      memcmp (sig->document_hash, hash, JC_DOC_HASH_SIZE) != 0)
    return refuse (refusal, JC_ERROR_BAD_SIGNATURE,
                   _("The node signature is not by peer %s over this CTSA"), peer->name);
  g_autoptr(JcCert) cert = peer_certificate (relay, peer, JC_ROLE_ORGANISER, &local);
  if (!cert)
    return refuse (refusal, local->code, _("The certificate of peer %s is not acceptable: %s"),
                   peer->name, local->message);
  gsize sig_len;
  const guint8 *sig_bytes = g_bytes_get_data (sig->signature, &sig_len);
  if (!jc_cert_verify_hash (cert, hash, sizeof hash, sig_bytes, sig_len, &local))
    return refuse (refusal, JC_ERROR_BAD_SIGNATURE,
                   _("The node signature of peer %s over its CTSA does not verify"), peer->name);
  /* A new addendum needs the active certificate; an existing one may be replaced with
   * the passive one (§4.4.2.2). */
  g_autoptr(sqlite3_stmt) ex = jc_net_sqlite_prepare (relay->db,
    "SELECT 1 FROM ctsas WHERE task_id = ? AND peer = ?", error);
  if (!ex)
    return FALSE;
  sqlite3_bind_text (ex, 1, t->task_id, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (ex, 2, ctsa->peer);
  gboolean existing = sqlite3_step (ex) == SQLITE_ROW;
  if (!existing && !jc_cert_is_active_at (cert, jc_time_now ()))
    return refuse (refusal, JC_ERROR_EXPIRED,
                   _("A new CTSA needs the active certificate of peer %s; this one is passive"),
                   peer->name);

  g_autofree char *ctsa_text = to_text (doc);
  g_autofree char *sig_text = to_text (sig_doc);
  g_autofree char *hash_hex = jc_hex_encode (hash, sizeof hash);
  /* Replaces an earlier addendum of the same peer, and what hung on it. */
  g_autoptr(sqlite3_stmt) del = jc_net_sqlite_prepare (relay->db,
    "DELETE FROM signatory_signatures WHERE task_id = ? AND peer = ?", error);
  g_autoptr(sqlite3_stmt) st = jc_net_sqlite_prepare (relay->db,
    "INSERT INTO ctsas (task_id, peer, ctsa, ctsa_hash, signature, status, updated) "
    "VALUES (?, ?, ?, ?, ?, 'pending', ?) ON CONFLICT (task_id, peer) DO UPDATE SET "
    "ctsa = excluded.ctsa, ctsa_hash = excluded.ctsa_hash, signature = excluded.signature, "
    "status = 'pending', reason = NULL, updated = excluded.updated", error);
  if (!del || !st)
    return FALSE;
  sqlite3_bind_text (del, 1, t->task_id, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (del, 2, ctsa->peer);
  sqlite3_bind_text (st, 1, t->task_id, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (st, 2, ctsa->peer);
  sqlite3_bind_text (st, 3, ctsa_text, -1, SQLITE_STATIC);
  sqlite3_bind_text (st, 4, hash_hex, -1, SQLITE_STATIC);
  sqlite3_bind_text (st, 5, sig_text, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (st, 6, jc_time_now ());
  if (sqlite3_step (del) != SQLITE_DONE || sqlite3_step (st) != SQLITE_DONE)
    return jc_net_sqlite_fail (relay->db, error);
  g_autofree char *what = g_strdup_printf ("CTSA of %s %s", peer->name,
                                           existing ? "replaced" : "received");
  return task_changed (relay, t, "emerging", what, touched, error);
}

static gboolean finalise_if_complete (JcRelay *relay, Task *t, GHashTable *touched, GError **error);

/* --- signatory signatures -------------------------------------------------------------- */

static gboolean
on_signature (JcRelay *relay, JcNetEnvelope *env, JsonNode *body, GHashTable *touched,
              GError **refusal, GError **error)
{
  g_autoptr(Task) t = task_for_update (relay, body, refusal, error);
  if (!t)
    return !(error && *error);
  gint64 peer;
  JsonNode *doc = json_object_get_member (json_node_get_object (body), "signature");
  g_autoptr(GError) local = NULL;
  g_autoptr(JcSignatorySignature) sig = doc ? jc_signatory_signature_from_json (doc, &local) : NULL;
  if (!sig || !body_int (body, "peer", &peer) || peer < 0 || peer >= t->ctsc->peers->len)
    return refuse (refusal, JC_ERROR_INVALID, _("The signatory signature is not valid: %s"),
                   local ? local->message : _("peer or signature missing"));
  const JcParty *party = t->ctsc->peers->pdata[peer];
  if (g_strcmp0 (party->name, env->from) != 0)
    return refuse (refusal, JC_ERROR_DENIED,
                   _("Node %s may not attach signatures to the CTSA of peer %s"), env->from,
                   party->name);
  g_autoptr(sqlite3_stmt) st = jc_net_sqlite_prepare (relay->db,
    "SELECT ctsa_hash, ctsa FROM ctsas WHERE task_id = ? AND peer = ?", error);
  if (!st)
    return FALSE;
  sqlite3_bind_text (st, 1, t->task_id, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (st, 2, peer);
  if (sqlite3_step (st) != SQLITE_ROW)
    return refuse (refusal, JC_ERROR_STATE, _("Peer %s has no CTSA to sign yet"), party->name);
  g_autofree char *sig_hash = jc_hex_encode (sig->ctsa_hash, JC_DOC_HASH_SIZE);
  if (g_strcmp0 (sig_hash, (const char *) sqlite3_column_text (st, 0)) != 0)
    return refuse (refusal, JC_ERROR_INVALID,
                   _("The signature is over another CTSA than the current one of peer %s"),
                   party->name);
  const char *ctsa_text = (const char *) sqlite3_column_text (st, 1);
  g_autoptr(JsonNode) ctsa_node = jc_doc_parse (ctsa_text, strlen (ctsa_text), NULL, NULL);
  g_autoptr(JcCtsa) ctsa = ctsa_node ? jc_ctsa_from_json (ctsa_node, NULL) : NULL;
  if (!ctsa || sig->signatory < 0 || sig->signatory >= ctsa->signatories->len)
    return refuse (refusal, JC_ERROR_INVALID, _("The CTSA of peer %s has no signatory %" PRId64),
                   party->name, (int64_t) sig->signatory);
  /* An electronic signature is checked here; a scanned sheet is left to the SO's eyes. */
  g_autoptr(JcSignerCert) signer = NULL;
  if (jc_signatory_cms_file_is_cms (sig->file)
      && !(signer = jc_signatory_cms_verify (sig->file->content, ctsa_node, NULL, &local)))
    return refuse (refusal, local->code, _("The electronic signature of peer %s's addendum is "
                                           "refused: %s"), party->name, local->message);
  g_autofree char *text = to_text (doc);
  g_autoptr(sqlite3_stmt) ins = jc_net_sqlite_prepare (relay->db,
    "INSERT OR REPLACE INTO signatory_signatures (task_id, peer, signatory, document) "
    "VALUES (?, ?, ?, ?)", error);
  if (!ins)
    return FALSE;
  sqlite3_bind_text (ins, 1, t->task_id, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (ins, 2, peer);
  sqlite3_bind_int64 (ins, 3, sig->signatory);
  sqlite3_bind_text (ins, 4, text, -1, SQLITE_STATIC);
  if (sqlite3_step (ins) != SQLITE_DONE)
    return jc_net_sqlite_fail (relay->db, error);
  /* The approver compares the signer with its member register. */
  g_autofree char *what = signer
    ? g_strdup_printf ("signatory signature for %s, electronic, by %s (certificate SHA-256 %s)",
                       party->name, signer->subject, signer->fingerprint)
    : g_strdup_printf ("signatory signature for %s", party->name);
  /* Approvals and signatures may come in any order: the last one finalises. */
  return task_changed (relay, t, "emerging", what, touched, error) &&
         finalise_if_complete (relay, t, touched, error);
}

/* --- approval and finalisation --------------------------------------------------------- */

static JsonNode *
load_json (sqlite3_stmt *st, int col)
{
  const char *text = (const char *) sqlite3_column_text (st, col);
  return jc_doc_parse (text, strlen (text), NULL, NULL);
}

/* Builds the CTA of a task whose every CTSA is approved and signed; NULL (no error)
 * while something is missing. */
static JcCta *
assemble (JcRelay *relay, Task *t, GError **error)
{
  g_autoptr(JcCta) cta = jc_cta_new ();
  g_strlcpy (cta->task_id, t->task_id, sizeof cta->task_id);
  cta->ctsc = jc_ctsc_from_json (t->ctsc_node, error);
  if (!cta->ctsc)
    return NULL;
  for (guint peer = 0; peer < t->ctsc->peers->len; peer++)
    {
      g_autoptr(sqlite3_stmt) st = jc_net_sqlite_prepare (relay->db,
        "SELECT ctsa, signature FROM ctsas WHERE task_id = ? AND peer = ? AND status = 'approved'",
        error);
      g_autoptr(sqlite3_stmt) ss = jc_net_sqlite_prepare (relay->db,
        "SELECT document FROM signatory_signatures WHERE task_id = ? AND peer = ? ORDER BY signatory",
        error);
      if (!st || !ss)
        return NULL;
      sqlite3_bind_text (st, 1, t->task_id, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (st, 2, peer);
      if (sqlite3_step (st) != SQLITE_ROW)
        return NULL;
      g_autoptr(JsonNode) ctsa = load_json (st, 0);
      g_autoptr(JsonNode) sig = load_json (st, 1);
      g_ptr_array_add (cta->ctsas, jc_ctsa_from_json (ctsa, NULL));
      g_ptr_array_add (cta->node_signatures, jc_node_signature_from_json (sig, NULL));
      sqlite3_bind_text (ss, 1, t->task_id, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (ss, 2, peer);
      guint n = 0;
      while (sqlite3_step (ss) == SQLITE_ROW)
        {
          g_autoptr(JsonNode) s = load_json (ss, 0);
          g_ptr_array_add (cta->signatory_signatures, jc_signatory_signature_from_json (s, NULL));
          n++;
        }
      if (n == 0)
        return NULL; /* approved but not signed by a signatory yet */
    }
  return g_steal_pointer (&cta);
}

/* The root's chain up to the root CA, as the approval names it. */
static GPtrArray *
approver_chain (JcRelay *relay)
{
  GPtrArray *chain = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < relay->node_chain->len; i++)
    g_ptr_array_add (chain, g_object_ref (relay->node_chain->pdata[i]));
  if (!jc_cert_equal (chain->pdata[chain->len - 1], relay->root_ca))
    g_ptr_array_add (chain, g_object_ref (relay->root_ca));
  return chain;
}

/* The SO's approval (libjoconde/agreement): the root node's signature over the CTA's body
 * hash, then the complete verification every CP and client will make, before sending. */
static gboolean
seal (JcRelay *relay, JcCta *cta, GError **refusal, GError **error)
{
  g_autoptr(GPtrArray) chain = approver_chain (relay);
  if (!jc_agreement_seal (cta, relay->node_key, chain, relay->node_id, error))
    return FALSE;
  JcAgreementTrust trust = { .root = relay->root_ca, .approver = chain, .at = jc_time_now () };
  jc_agreement_verify (cta, &trust, refusal);
  return TRUE;
}

static gboolean
finalise_if_complete (JcRelay *relay, Task *t, GHashTable *touched, GError **error)
{
  g_autoptr(GError) local = NULL;
  g_autoptr(JcCta) cta = assemble (relay, t, &local);
  if (!cta)
    return TRUE; /* not yet */
  if (!seal (relay, cta, &local, error))
    return FALSE;
  /* A CTA that a computing party would not accept is never sent. */
  g_autoptr(JsonNode) doc = jc_cta_to_json (cta);
  g_autoptr(JcCta) check = local ? NULL : jc_cta_from_json (doc, &local);
  if (!check)
    {
      const JcLogParam params[] = { { "task", t->task_id }, { NULL, NULL } };
      jc_log_write (relay->log, JC_LOG_ERROR, "TASK", params,
                    "the assembled CTA does not verify, not finalised: %s", local->message);
      return TRUE;
    }
  g_autofree char *text = to_text (doc);
  if (!exec1 (relay, "UPDATE tasks SET cta = ?1, finalised = ?3 WHERE task_id = ?2", text,
              t->task_id, jc_time_now (), error))
    return FALSE;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "task_id");
  json_builder_add_string_value (b, t->task_id);
  json_builder_set_member_name (b, "cta");
  json_builder_add_value (b, json_node_copy (doc));
  json_builder_end_object (b);
  g_autoptr(JsonNode) body = json_builder_get_root (b);
  g_auto(GStrv) to = task_nodes_of (relay, t->ctsc, NULL);
  if (!send_to (relay, (const char *const *) to, "cta.final", body, touched, error))
    return FALSE;
  return task_changed (relay, t, "initialisation", "CTA finalised", touched, error);
}

static gboolean
on_approval (JcRelay *relay, JcNetEnvelope *env, JsonNode *body, GHashTable *touched,
             GError **refusal, GError **error)
{
  g_autoptr(Task) t = task_for_update (relay, body, refusal, error);
  if (!t)
    return !(error && *error);
  gint64 peer;
  const char *decision = body_string (body, "decision");
  const char *reason = body_string (body, "reason");
  if (!body_int (body, "peer", &peer) || peer < 0 || peer >= t->ctsc->peers->len ||
      (g_strcmp0 (decision, "approve") != 0 && g_strcmp0 (decision, "reject") != 0))
    return refuse (refusal, JC_ERROR_INVALID,
                   _("An approval names a peer and a decision, approve or reject"));
  if (g_strcmp0 (decision, "reject") == 0 && (!reason || !*reason))
    return refuse (refusal, JC_ERROR_INVALID, _("A rejection needs a reason for the organiser"));
  const JcParty *party = t->ctsc->peers->pdata[peer];
  g_autoptr(sqlite3_stmt) st = jc_net_sqlite_prepare (relay->db,
    "UPDATE ctsas SET status = ?, reason = ?, updated = ? WHERE task_id = ? AND peer = ?", error);
  if (!st)
    return FALSE;
  sqlite3_bind_text (st, 1, g_strcmp0 (decision, "approve") == 0 ? "approved" : "rejected", -1,
                     SQLITE_STATIC);
  sqlite3_bind_text (st, 2, reason, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (st, 3, jc_time_now ());
  sqlite3_bind_text (st, 4, t->task_id, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (st, 5, peer);
  if (sqlite3_step (st) != SQLITE_DONE)
    return jc_net_sqlite_fail (relay->db, error);
  if (sqlite3_changes (relay->db) == 0)
    return refuse (refusal, JC_ERROR_STATE, _("Peer %s has no CTSA to decide on"), party->name);
  g_autofree char *what = g_strdup_printf ("CTSA of %s %s by %s%s%s", party->name,
                                           g_strcmp0 (decision, "approve") == 0 ? "approved"
                                                                                 : "rejected",
                                           env->from, reason ? ": " : "", reason ? reason : "");
  if (!task_changed (relay, t, "emerging", what, touched, error))
    return FALSE;
  return finalise_if_complete (relay, t, touched, error);
}

/* --- cancellation ---------------------------------------------------------------------- */

static gboolean
cancel_task (JcRelay *relay, Task *t, const char *why, GHashTable *touched, GError **error)
{
  return task_changed (relay, t, "cancelled", why, touched, error);
}

static gboolean
on_control (JcRelay *relay, JcNetEnvelope *env, JsonNode *body, GHashTable *touched,
            GError **refusal, GError **error)
{
  const char *task_id = body_string (body, "task_id");
  const char *action = body_string (body, "action");
  if (!task_id || !jc_uuid_is_v4 (task_id) ||
      (g_strcmp0 (action, "cancel") != 0 && g_strcmp0 (action, "terminate") != 0))
    return refuse (refusal, JC_ERROR_INVALID, _("A control request names a task and an action"));
  g_autoptr(Task) t = task_load (relay, task_id, error);
  if (!t)
    return (error && *error) ? FALSE
                             : refuse (refusal, JC_ERROR_NOT_FOUND, _("There is no task %s (or its data was erased)"),
                task_id);
  /* The organiser, a peer, or an approver node (the policy let it through by role). */
  JcRoles roles = jc_relay_origin_roles (relay, env->from);
  if (jc_ctsc_find_peer (t->ctsc, env->from) < 0 && !(roles & JC_ROLE_APPROVER))
    return refuse (refusal, JC_ERROR_DENIED, _("Node %s may not cancel task %s"), env->from, task_id);
  if (g_strv_contains ((const char *const[]) { "finished", "cancelled", "erased", NULL }, t->state))
    return refuse (refusal, JC_ERROR_STATE, _("Task %s is %s already"), task_id, t->state);
  g_autofree char *why = g_strdup_printf ("%s requested by %s", action, env->from);
  /* The request travels on to the computing parties and peers as sent: a signed control
   * message in it ("message", "signature") is for the CPs and their VMs to verify against
   * the CTA themselves (§4.4.1.1). */
  g_autoptr(JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "task_id");
  json_builder_add_string_value (b, task_id);
  json_builder_set_member_name (b, "action");
  json_builder_add_string_value (b, action);
  json_builder_set_member_name (b, "requested_by");
  json_builder_add_string_value (b, env->from);
  const char *passed[] = { "message", "signature", "reason" };
  for (guint i = 0; i < G_N_ELEMENTS (passed); i++)
    {
      JsonNode *m = json_object_get_member (json_node_get_object (body), passed[i]);
      if (m)
        {
          json_builder_set_member_name (b, passed[i]);
          json_builder_add_value (b, json_node_copy (m));
        }
    }
  json_builder_end_object (b);
  g_autoptr(JsonNode) out = json_builder_get_root (b);
  g_auto(GStrv) to = task_nodes_of (relay, t->ctsc, NULL);
  if (!send_to (relay, (const char *const *) to, "task.control", out, touched, error))
    return FALSE;
  return cancel_task (relay, t, why, touched, error);
}

/* The ids of the tasks SQL selects (task_id its only column); TIME is bound to its one
 * parameter when it has one. Read whole before the caller changes any of the tasks. */
static GPtrArray *
select_task_ids (JcRelay *relay, const char *sql, gint64 time, GError **error)
{
  g_autoptr(sqlite3_stmt) st = jc_net_sqlite_prepare (relay->db, sql, error);
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);

  if (!st)
    return NULL;
  if (sqlite3_bind_parameter_count (st) > 0)
    sqlite3_bind_int64 (st, 1, time);
  while (sqlite3_step (st) == SQLITE_ROW)
    g_ptr_array_add (ids, g_strdup ((const char *) sqlite3_column_text (st, 0)));
  return g_steal_pointer (&ids);
}

/* Cancels every emerging task past its approval deadline. */
gboolean
jc_relay_tasks_check_deadlines (JcRelay *relay, GHashTable *touched, GError **error)
{
  g_autoptr(GPtrArray) due = select_task_ids (relay,
    "SELECT task_id FROM tasks WHERE state = 'emerging' AND approval_deadline <= ?",
    jc_time_now (), error);
  if (!due)
    return FALSE;
  for (guint i = 0; i < due->len; i++)
    {
      g_autoptr(Task) t = task_load (relay, due->pdata[i], error);
      if (!t || !cancel_task (relay, t, "approval deadline passed", touched, error))
        return FALSE;
    }
  return TRUE;
}

/* A revoked peer key cancels the peer's unfinished tasks (§4.4.2.3). */
gboolean
jc_relay_tasks_check_revocations (JcRelay *relay, GHashTable *touched, GError **error)
{
  g_autoptr(GPtrArray) live = select_task_ids (relay,
    "SELECT task_id FROM tasks WHERE state NOT IN ('finished', 'cancelled', 'erased') "
    "AND EXISTS (SELECT 1 FROM revoked)", 0, error);
  if (!live)
    return FALSE;
  for (guint i = 0; i < live->len; i++)
    {
      g_autoptr(Task) t = task_load (relay, live->pdata[i], error);
      if (!t)
        return FALSE;
      for (guint p = 0; p < t->ctsc->peers->len; p++)
        {
          const JcParty *party = t->ctsc->peers->pdata[p];
          g_autoptr(JcCert) cert = party->chain->len > 0
            ? jc_cert_new_from_der (party->chain->pdata[0], NULL) : NULL;
          if (cert && jc_relay_serial_revoked (relay, jc_cert_get_serial (cert)))
            {
              g_autofree char *why = g_strdup_printf ("the certificate of peer %s was revoked",
                                                      party->name);
              if (!cancel_task (relay, t, why, touched, error))
                return FALSE;
              break;
            }
        }
    }
  return TRUE;
}

static JsonNode *
wrap_event (const char *task_id, JsonNode *doc)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "task_id");
  json_builder_add_string_value (b, task_id);
  json_builder_set_member_name (b, "event");
  json_builder_add_value (b, json_node_copy (doc));
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* --- running tasks: VM addresses and telemetry from the computing parties ----------- */

/* The task of a running-phase message from a computing party, and that CP's index. */
static Task *
task_of_cp (JcRelay *relay, const char *task_id, const char *from, gint64 *cp,
            GError **refusal, GError **error)
{
  if (!task_id || !jc_uuid_is_v4 (task_id))
    {
      refuse (refusal, JC_ERROR_INVALID, _("The message names no valid task id"));
      return NULL;
    }
  g_autoptr(Task) t = task_load (relay, task_id, error);
  if (!t)
    {
      if (!(error && *error))
        refuse (refusal, JC_ERROR_NOT_FOUND, _("There is no task %s (or its data was erased)"),
                task_id);
      return NULL;
    }
  for (guint i = 0; i < t->ctsc->computing_parties->len; i++)
    if (g_strcmp0 (((JcParty *) t->ctsc->computing_parties->pdata[i])->name, from) == 0)
      *cp = i;
  if (*cp < 0)
    {
      refuse (refusal, JC_ERROR_DENIED, _("Node %s is not a computing party of task %s"), from,
              task_id);
      return NULL;
    }
  if (!g_strv_contains ((const char *const[]) { "initialisation", "input", "calculation",
                                                 "output", NULL }, t->state))
    {
      refuse (refusal, JC_ERROR_STATE, _("Task %s is %s: it has no running VMs"), task_id, t->state);
      return NULL;
    }
  return g_steal_pointer (&t);
}

static gboolean
on_vm_address (JcRelay *relay, JcNetEnvelope *env, JsonNode *body, GHashTable *touched,
               GError **refusal, GError **error)
{
  gint64 cp = -1;
  const char *address = body_string (body, "address");
  g_autoptr(Task) t = task_of_cp (relay, body_string (body, "task_id"), env->from, &cp, refusal,
                                  error);
  if (!t)
    return !(error && *error);
  if (!address || !*address || strlen (address) > 255 || strchr (address, ' '))
    return refuse (refusal, JC_ERROR_INVALID, _("The VM address is missing or malformed"));
  g_autoptr(sqlite3_stmt) st = jc_net_sqlite_prepare (relay->db,
    "INSERT OR REPLACE INTO vm_addresses (task_id, cp, address, updated) VALUES (?,?,?,?)", error);
  if (!st)
    return FALSE;
  sqlite3_bind_text (st, 1, t->task_id, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (st, 2, cp);
  sqlite3_bind_text (st, 3, address, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (st, 4, jc_time_now ());
  if (sqlite3_step (st) != SQLITE_DONE)
    return jc_net_sqlite_fail (relay->db, error);
  /* The peers need every address to reach the VMs (§4.4.6). */
  g_autoptr(JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "task_id");
  json_builder_add_string_value (b, t->task_id);
  json_builder_set_member_name (b, "addresses");
  json_builder_begin_array (b);
  g_autoptr(sqlite3_stmt) all = jc_net_sqlite_prepare (relay->db,
    "SELECT cp, address FROM vm_addresses WHERE task_id = ? ORDER BY cp", error);
  if (!all)
    return FALSE;
  sqlite3_bind_text (all, 1, t->task_id, -1, SQLITE_STATIC);
  while (sqlite3_step (all) == SQLITE_ROW)
    {
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "cp");
      json_builder_add_int_value (b, sqlite3_column_int64 (all, 0));
      json_builder_set_member_name (b, "address");
      json_builder_add_string_value (b, (const char *) sqlite3_column_text (all, 1));
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  g_autoptr(JsonNode) out = json_builder_get_root (b);
  g_auto(GStrv) to = task_nodes_of (relay, t->ctsc, NULL);
  if (!send_to (relay, (const char *const *) to, "task.vm", out, touched, error))
    return FALSE;
  g_autofree char *what = g_strdup_printf ("VM address of %s", env->from);
  return task_changed (relay, t, t->state, what, touched, error);
}

static gboolean
on_telemetry (JcRelay *relay, JcNetEnvelope *env, JsonNode *body, GHashTable *touched,
              GError **refusal, GError **error)
{
  /* {"event": telemetry-event}, or the telemetry-event document itself (as joconde-cpd
   * sends it, docs/admin-cpd.md). */
  JsonObject *bo = json_node_get_object (body);
  JsonNode *doc = json_object_has_member (bo, "type") ? body : json_object_get_member (bo, "event");
  g_autoptr(GError) local = NULL;
  g_autoptr(JcTelemetryEvent) ev = doc ? jc_telemetry_event_from_json (doc, &local) : NULL;
  if (!ev)
    return refuse (refusal, JC_ERROR_INVALID, "%s",
                   local ? local->message : _("The message carries no telemetry event"));
  gint64 cp = -1;
  g_autoptr(Task) t = task_of_cp (relay, ev->task_id, env->from, &cp, refusal, error);
  if (!t)
    return !(error && *error);
  if (ev->cp != cp)
    return refuse (refusal, JC_ERROR_DENIED,
                   _("Node %s may only report as computing party %" PRId64), env->from, (int64_t) cp);
  /* Relayed to the task's peers (§4.3.2.6). */
  g_autoptr(JsonNode) out = wrap_event (t->task_id, doc);
  g_autoptr(GStrvBuilder) sb = g_strv_builder_new ();
  for (guint i = 0; i < t->ctsc->peers->len; i++)
    g_strv_builder_add (sb, ((JcParty *) t->ctsc->peers->pdata[i])->name);
  g_auto(GStrv) to = g_strv_builder_end (sb);
  if (!send_to (relay, (const char *const *) to, "task.telemetry", out, touched, error))
    return FALSE;
  if (ev->kind == JC_TELEMETRY_STATE_CHANGE &&
      g_strcmp0 (jc_task_state_to_string (ev->state), t->state) != 0)
    {
      g_autofree char *what = g_strdup_printf ("%s reports %s", env->from,
                                               jc_task_state_to_string (ev->state));
      return task_changed (relay, t, jc_task_state_to_string (ev->state), what, touched, error);
    }
  return TRUE;
}

/* --- data retention (§4.4.1.1 "Erased") ----------------------------------------------- */

static gboolean
exec1 (JcRelay *relay, const char *sql, const char *a, const char *b, gint64 n, GError **error)
{
  g_autoptr(sqlite3_stmt) st = jc_net_sqlite_prepare (relay->db, sql, error);
  if (!st)
    return FALSE;
  sqlite3_bind_text (st, 1, a, -1, SQLITE_STATIC);
  if (b)
    sqlite3_bind_text (st, 2, b, -1, SQLITE_STATIC);
  if (n >= 0)
    sqlite3_bind_int64 (st, b ? 3 : 2, n);
  if (sqlite3_step (st) != SQLITE_DONE)
    return jc_net_sqlite_fail (relay->db, error);
  return TRUE;
}

/* Erases this relay's copies of a task's messages, and what still waited to be passed on
 * (an erased task's artefacts go nowhere any more), except keep_id, the erasure notice
 * itself; keeps a tombstone. */
static gboolean
erase_copies (JcRelay *relay, const char *task_id, const char *keep_id, const char *state,
              gint64 created, gint64 ended, GError **error)
{
  const char *keep = keep_id ? keep_id : "";
  if (!exec1 (relay, "DELETE FROM outbox WHERE msg_id IN (SELECT id FROM messages "
              "WHERE task_id = ?1 AND id <> ?2)", task_id, keep, -1, error) ||
      !exec1 (relay, "DELETE FROM parked WHERE msg_id IN (SELECT id FROM messages "
              "WHERE task_id = ?1 AND id <> ?2)", task_id, keep, -1, error) ||
      !exec1 (relay, "UPDATE messages SET envelope = '' WHERE task_id = ?1 AND id <> ?2",
              task_id, keep, -1, error))
    return FALSE;
  g_autoptr(sqlite3_stmt) st = jc_net_sqlite_prepare (relay->db,
    "INSERT OR REPLACE INTO tombstones (task_id, state, created, ended, erased) VALUES (?,?,?,?,?)",
    error);
  if (!st)
    return FALSE;
  sqlite3_bind_text (st, 1, task_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (st, 2, state, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (st, 3, created);
  sqlite3_bind_int64 (st, 4, ended);
  sqlite3_bind_int64 (st, 5, jc_time_now ());
  if (sqlite3_step (st) != SQLITE_DONE)
    return jc_net_sqlite_fail (relay->db, error);
  const JcLogParam params[] = { { "task", task_id }, { "state", state }, { NULL, NULL } };
  jc_log_write (relay->log, JC_LOG_NOTICE, "TASK-ERASED", params, "task data erased");
  return TRUE;
}

/* What relays below the root do with task messages coming down. */
gboolean
jc_relay_tasks_in_passing (JcRelay *relay, JcNetEnvelope *env, GError **error)
{
  if (!JSON_NODE_HOLDS_OBJECT (env->body))
    return TRUE;
  JsonObject *o = json_node_get_object (env->body);
  const char *task_id = json_object_get_string_member_with_default (o, "task_id", NULL);
  if (!task_id || !jc_uuid_is_v4 (task_id))
    return TRUE;
  if (g_strcmp0 (env->topic, "task.created") == 0)
    {
      /* The CTSC this relay passed up became this task. */
      const char *request = json_object_get_string_member_with_default (o, "request", NULL);
      return !request || exec1 (relay, "UPDATE messages SET task_id = ?1 WHERE id = ?2 "
                                "AND task_id IS NULL", task_id, request, -1, error);
    }
  if (g_strcmp0 (env->topic, "task.erased") == 0 && relay->parent)
    {
      const char *state = json_object_get_string_member_with_default (o, "state", "erased");
      return erase_copies (relay, task_id, env->id, state,
                           json_object_get_int_member_with_default (o, "created", 0),
                           json_object_get_int_member_with_default (o, "ended", 0), error);
    }
  return TRUE;
}

/* At the root: ended tasks past the retention time are erased everywhere. */
gboolean
jc_relay_tasks_check_retention (JcRelay *relay, GHashTable *touched, GError **error)
{
  g_autoptr(GPtrArray) due = select_task_ids (relay,
    "SELECT task_id FROM tasks WHERE state IN ('finished', 'cancelled') AND ended <= ?",
    jc_time_now () - relay->config->retention_s, error);
  if (!due)
    return FALSE;
  for (guint i = 0; i < due->len; i++)
    {
      const char *task_id = due->pdata[i];
      g_autoptr(Task) t = task_load (relay, task_id, error);
      if (!t)
        return FALSE;
      gint64 created = 0, ended = 0;
      {
        g_autoptr(sqlite3_stmt) st = jc_net_sqlite_prepare (relay->db,
          "SELECT created, ended FROM tasks WHERE task_id = ?", error);
        if (!st)
          return FALSE;
        sqlite3_bind_text (st, 1, task_id, -1, SQLITE_STATIC);
        if (sqlite3_step (st) == SQLITE_ROW)
          {
            created = sqlite3_column_int64 (st, 0);
            ended = sqlite3_column_int64 (st, 1);
          }
      }
      g_autoptr(JsonBuilder) b = json_builder_new ();
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "task_id");
      json_builder_add_string_value (b, task_id);
      json_builder_set_member_name (b, "state");
      json_builder_add_string_value (b, t->state);
      json_builder_set_member_name (b, "created");
      json_builder_add_int_value (b, created);
      json_builder_set_member_name (b, "ended");
      json_builder_add_int_value (b, ended);
      json_builder_end_object (b);
      g_autoptr(JsonNode) body = json_builder_get_root (b);
      g_auto(GStrv) to = task_nodes_of (relay, t->ctsc, NULL);
      g_autofree char *notice_id = NULL;
      if (!jc_relay_router_originate (relay, (const char *const *) to, "task.erased", body,
                                      touched, &notice_id, error) ||
          !exec1 (relay, "DELETE FROM signatory_signatures WHERE task_id = ?", task_id, NULL, -1,
                  error) ||
          !exec1 (relay, "DELETE FROM ctsas WHERE task_id = ?", task_id, NULL, -1, error) ||
          !exec1 (relay, "DELETE FROM vm_addresses WHERE task_id = ?", task_id, NULL, -1, error) ||
          !exec1 (relay, "UPDATE tasks SET state = 'erased', ctsc = '{}', cta = NULL "
                  "WHERE task_id = ?", task_id, NULL, -1, error) ||
          !erase_copies (relay, task_id, notice_id, t->state, created, ended, error))
        return FALSE;
    }
  return TRUE;
}

/* --- queries answered by any relay from its copies (§4.4.1.5) ------------------------- */

static gboolean
pak_text_ok (const char *pak)
{
  if (!pak || strlen (pak) != 43)
    return FALSE;
  for (const char *p = pak; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_')
      return FALSE;
  return TRUE;
}

/* The newest status this relay has seen of a task: state and update counter. */
static void
latest_status (JcRelay *relay, const char *task_id, char **state, gint64 *counter)
{
  *state = NULL;
  *counter = 0;
  g_autoptr(sqlite3_stmt) st = jc_net_sqlite_prepare (relay->db,
    "SELECT envelope FROM messages WHERE task_id = ? AND topic IN ('task.status', 'task.created') "
    "AND envelope <> ''", NULL);
  if (!st)
    return;
  sqlite3_bind_text (st, 1, task_id, -1, SQLITE_STATIC);
  while (sqlite3_step (st) == SQLITE_ROW)
    {
      g_autoptr(JcNetEnvelope) env = jc_net_envelope_parse ((const char *) sqlite3_column_text (st, 0),
                                                            G_MAXSIZE, NULL);
      if (!env || !JSON_NODE_HOLDS_OBJECT (env->body))
        continue;
      JsonObject *o = json_node_get_object (env->body);
      gint64 n = g_strcmp0 (env->topic, "task.created") == 0
                 ? 1 : json_object_get_int_member_with_default (o, "update_counter", 0);
      if (n >= *counter)
        {
          *counter = n;
          g_free (*state);
          *state = g_strdup (json_object_get_string_member_with_default (o, "state", "emerging"));
        }
    }
}

/* tasks.query from a child: the tasks of the sender, or of a PAK, as this relay knows
 * them from the copies it keeps; answered with tasks.result. */
gboolean
jc_relay_tasks_query (JcRelay *relay, JcNetEnvelope *env, GHashTable *touched,
                      GError **refusal, GError **error)
{
  const char *pak = JSON_NODE_HOLDS_OBJECT (env->body)
    ? json_object_get_string_member_with_default (json_node_get_object (env->body), "pak", NULL)
    : NULL;
  if (pak && !pak_text_ok (pak))
    return refuse (refusal, JC_ERROR_INVALID, _("The PAK is not 43 base64url characters"));
  g_autoptr(sqlite3_stmt) st = jc_net_sqlite_prepare (relay->db, pak
    ? "SELECT DISTINCT task_id FROM messages WHERE task_id IS NOT NULL AND envelope <> '' "
      "AND topic IN ('cta.final', 'ctsa.submit') AND instr(envelope, ?) > 0 ORDER BY task_id"
    : "SELECT DISTINCT m.task_id FROM messages m JOIN deliveries d ON d.msg_id = m.id "
      "WHERE d.recipient = ? AND m.task_id IS NOT NULL AND m.envelope <> '' ORDER BY m.task_id",
    error);
  if (!st)
    return FALSE;
  sqlite3_bind_text (st, 1, pak ? pak : env->from, -1, SQLITE_STATIC);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "request");
  json_builder_add_string_value (b, env->id);
  json_builder_set_member_name (b, "tasks");
  json_builder_begin_array (b);
  while (sqlite3_step (st) == SQLITE_ROW)
    {
      const char *task_id = (const char *) sqlite3_column_text (st, 0);
      g_autofree char *state = NULL;
      gint64 counter;
      latest_status (relay, task_id, &state, &counter);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "task_id");
      json_builder_add_string_value (b, task_id);
      json_builder_set_member_name (b, "state");
      json_builder_add_string_value (b, state ? state : "emerging");
      json_builder_set_member_name (b, "update_counter");
      json_builder_add_int_value (b, counter);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  g_autoptr(JsonNode) body = json_builder_get_root (b);
  const char *to[] = { env->from, NULL };
  return send_to (relay, to, "tasks.result", body, touched, error);
}

typedef gboolean (*Handler) (JcRelay *, JcNetEnvelope *, JsonNode *, GHashTable *, GError **,
                             GError **);

static const struct { const char *topic; Handler handler; } handlers[] = {
  { "ctsc.submit", on_ctsc },
  { "ctsa.submit", on_ctsa },
  { "signature.submit", on_signature },
  { "approval.submit", on_approval },
  { "control.request", on_control },
  { "vm.address", on_vm_address },
  { "telemetry.event", on_telemetry },
};

gboolean
jc_relay_tasks_handles (const char *topic)
{
  for (guint i = 0; i < G_N_ELEMENTS (handlers); i++)
    if (g_strcmp0 (handlers[i].topic, topic) == 0)
      return TRUE;
  return FALSE;
}

gboolean
jc_relay_tasks_handle (JcRelay *relay, JcNetEnvelope *env, GHashTable *touched,
                       GError **refusal, GError **error)
{
  if (relay->parent)
    return refuse (refusal, JC_ERROR_STATE, _("Only the root relay runs the task lifecycle"));
  for (guint i = 0; i < G_N_ELEMENTS (handlers); i++)
    if (g_strcmp0 (handlers[i].topic, env->topic) == 0)
      {
        g_autoptr(JsonNode) body = strict_body (env, refusal);
        if (!body)
          return TRUE;
        return handlers[i].handler (relay, env, body, touched, refusal, error);
      }
  return TRUE;
}
