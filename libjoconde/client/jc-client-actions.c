#define G_LOG_DOMAIN "joconde-client"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "jc-agreement.h"
#include "jc-client-actions.h"
#include "jc-client-draft.h"
#include "jc-client-store.h"
#include "jc-client-tasks.h"
#include "jc-ctsa.h"
#include "jc-ctsc.h"
#include "jc-doc.h"
#include "jc-encoding.h"
#include "jc-error.h"
#include "jc-pak.h"
#include "jc-signatory-cms.h"
#include "jc-signatures.h"
#include "jc-task-messages.h"
#include "jc-time.h"

/* Files attached to documents travel inside one message. */
#define FILE_MAX (2 * 1024 * 1024)

static const char *const to_root[] = { "@root", NULL };

/* --- draft ----------------------------------------------------------------------------- */

char *
jc_client_submit_draft (JcClientNode *node, const char *draft_path, GError **error)
{
  JcStore *store = jc_client_node_get_store (node);
  g_autoptr(JsonNode) ctsc = jc_client_draft_load_ctsc (store, draft_path, error);
  if (!ctsc)
    return NULL;
  /* The organiser's own node must be one of the peers, else the root refuses. */
  g_autoptr(JcCtsc) parsed = jc_ctsc_from_json (ctsc, error);
  if (!parsed)
    return NULL;
  if (jc_ctsc_find_peer (parsed, jc_client_node_get_name (node)) < 0)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_DENIED,
                   _("This node (%s) is not among the draft's peers: a task is drafted on the "
                     "node of one of its organisations"), jc_client_node_get_name (node));
      return NULL;
    }
  g_autoptr(JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "ctsc");
  json_builder_add_value (b, json_node_copy (ctsc));
  json_builder_end_object (b);
  g_autoptr(JsonNode) body = json_builder_get_root (b);
  char *id = NULL;
  if (!jc_client_node_send (node, to_root, "ctsc.submit", body, NULL, &id, error))
    return NULL;
  return id;
}

typedef struct {
  const char *msg_id;
  char       *task_id;
} Created;

static gboolean
is_created (JcClientNode *node, gpointer data, GError **error)
{
  Created *c = data;
  c->task_id = jc_client_tasks_find_by_request (jc_client_node_get_store (node), c->msg_id);
  return c->task_id != NULL;
}

char *
jc_client_submit_draft_wait (JcClientNode *node, const char *msg_id, guint timeout_ms,
                             GError **error)
{
  Created c = { msg_id, NULL };
  if (!jc_client_node_wait (node, msg_id, is_created, &c, timeout_ms, error))
    {
      g_free (c.task_id);
      return NULL;
    }
  return c.task_id;
}

/* --- waiting for a request ------------------------------------------------------------- */

typedef struct {
  const char *task_id;
  gint64      counter;
  gboolean    gets_status;
  gint64      delivered_at;
} Taken;

static gboolean
is_taken (JcClientNode *node, gpointer data, GError **error)
{
  Taken *t = data;
  if (t->gets_status)
    {
      g_autoptr(JcClientTask) task = jc_client_tasks_get (jc_client_node_get_store (node), t->task_id, NULL);
      return task && task->update_counter > t->counter;
    }
  /* No status comes back: the request is taken once delivered and not refused for a
   * while (a refusal further up the tree comes back as jc.refused). */
  if (!jc_client_node_is_connected (node) || jc_client_node_outbox_count (node) > 0)
    return FALSE;
  gint64 now = g_get_monotonic_time ();
  if (!t->delivered_at)
    t->delivered_at = now;
  return now - t->delivered_at > 1500 * 1000;
}

gboolean
jc_client_request_wait (JcClientNode *node, const char *task_id, const char *msg_id,
                        guint timeout_ms, GError **error)
{
  JcStore *store = jc_client_node_get_store (node);
  g_autoptr(JcClientTask) task = jc_client_tasks_get (store, task_id, NULL);
  g_autoptr(JcClientRequest) request = jc_client_request_get (store, msg_id);
  Taken t = { task_id, request ? request->counter : 0, task && task->ctsc, 0 };
  return jc_client_node_wait (node, msg_id, is_taken, &t, timeout_ms, error);
}

typedef struct {
  Taken  taken;
  char  *task_id;
} TakenAsync;

static void
taken_async_free (TakenAsync *t)
{
  g_free (t->task_id);
  g_free (t);
}

static void
request_waited (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (jc_client_node_wait_finish (JC_CLIENT_NODE (source), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
jc_client_request_wait_async (JcClientNode *node, const char *task_id, const char *msg_id,
                              guint timeout_ms, GCancellable *cancellable,
                              GAsyncReadyCallback callback, gpointer user_data)
{
  JcStore *store = jc_client_node_get_store (node);
  g_autoptr(JcClientTask) task = jc_client_tasks_get (store, task_id, NULL);
  g_autoptr(JcClientRequest) request = jc_client_request_get (store, msg_id);
  GTask *gtask = g_task_new (node, cancellable, callback, user_data);
  TakenAsync *t = g_new0 (TakenAsync, 1);

  t->task_id = g_strdup (task_id);
  t->taken = (Taken) { t->task_id, request ? request->counter : 0, task && task->ctsc, 0 };
  g_task_set_task_data (gtask, t, (GDestroyNotify) taken_async_free);
  jc_client_node_wait_async (node, msg_id, is_taken, &t->taken, timeout_ms, cancellable,
                             request_waited, gtask);
}

gboolean
jc_client_request_wait_finish (JcClientNode *node, GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* --- PAK ------------------------------------------------------------------------------- */

char *
jc_client_pak_new (JcClientNode *node, const char *task_id, const char *role, GError **error)
{
  JcClientProfile *profile = jc_client_node_get_profile (node);
  JcStore *store = jc_client_node_get_store (node);
  if (!g_uuid_string_is_valid (task_id))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID, _("“%s” is not a task id (a UUID)"), task_id);
      return NULL;
    }
  JcRoles roles = jc_client_profile_get_roles (profile);
  JcPakRole pak_role;
  if (role ? g_str_equal (role, "custodian") : (roles & JC_ROLE_CUSTODIAN) != 0)
    pak_role = JC_PAK_ROLE_CUSTODIAN;
  else if (role ? g_str_equal (role, "analyst") : (roles & JC_ROLE_ANALYST) != 0)
    pak_role = JC_PAK_ROLE_ANALYST;
  else
    {
      g_set_error (error, JC_ERROR, JC_ERROR_DENIED,
                   role ? _("“%s” is no PAK role (custodian or analyst)")
                        : _("This node is neither a data custodian's nor an analyst's node"), role);
      return NULL;
    }
  const char *organisation = jc_client_profile_get_organisation (profile);
  if (!organisation)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("The profile names no organisation node to register PAKs with "
                     "(organisation in profile.ini)"));
      return NULL;
    }
  if (!jc_client_node_connect (node, error))
    return NULL;

  g_autoptr(JcPak) pak = jc_pak_generate ();
  g_autofree char *pub = jc_pak_get_public_base64url (pak);
  g_autofree char *dir = g_build_filename (jc_client_profile_get_dir (profile), "paks", task_id, NULL);
  g_autofree char *file = g_strdup_printf ("%s.key", pub);
  g_autofree char *path = g_build_filename (dir, file, NULL);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_IO, _("Cannot create %s"), dir);
      return NULL;
    }
  if (!jc_pak_save (pak, path, error))
    return NULL;
  if (!jc_client_paks_record_own (store, task_id, pub, jc_pak_role_to_string (pak_role), error))
    return NULL;

  g_autoptr(JcPakRegistration) reg = jc_pak_registration_new ();
  g_strlcpy (reg->task_id, task_id, sizeof reg->task_id);
  reg->role = pak_role;
  reg->pak = g_bytes_new (jc_pak_get_public (pak), JC_PAK_PUBLIC_SIZE);
  g_autoptr(JsonNode) body = jc_pak_registration_to_json (reg);
  const char *to[] = { organisation, NULL };
  g_autofree char *id = NULL;
  if (!jc_client_node_send (node, to, "pak.register", body, task_id, &id, error))
    return NULL;
  return g_steal_pointer (&pub);
}

/* --- addendum -------------------------------------------------------------------------- */

static JcFile *
file_load (const char *path, GError **error)
{
  g_autofree char *data = NULL;
  gsize len = 0;
  g_autoptr(GError) local = NULL;
  if (!g_file_get_contents (path, &data, &len, &local))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_IO, _("Cannot read %s: %s"), path, local->message);
      return NULL;
    }
  if (len > FILE_MAX)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_TOO_LARGE, _("%s is larger than %u MiB"), path,
                   FILE_MAX >> 20);
      return NULL;
    }
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *type = g_content_type_guess (path, (const guchar *) data, len, NULL);
  g_autofree char *mime = type ? g_content_type_get_mime_type (type) : NULL;
  GBytes *content = g_bytes_new_take (g_steal_pointer (&data), len);
  JcFile *f = jc_file_new (base, mime ? mime : "application/octet-stream", content);
  g_bytes_unref (content);
  return f;
}

/* Adds "PAK=KEY" entries to GRANTS (one grant per PAK), checking each PAK was registered
 * with this node for ROLE. */
static gboolean
add_grants (JcStore *store, const char *task_id, const char *const *entries, const char *role,
            GPtrArray *grants, GError **error)
{
  g_autoptr(GPtrArray) known = jc_client_paks_list_received (store, task_id, error);
  if (!known)
    return FALSE;
  for (guint i = 0; entries && entries[i]; i++)
    {
      const char *eq = strchr (entries[i], '=');
      if (!eq || eq == entries[i] || !eq[1])
        {
          g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                       _("“%s” is not PAK=KEY (a registered PAK, then the %s key)"), entries[i],
                       g_str_equal (role, "custodian") ? _("input") : _("output"));
          return FALSE;
        }
      g_autofree char *pak_text = g_strndup (entries[i], eq - entries[i]);
      const char *key = eq + 1;
      gboolean registered = FALSE;
      for (guint k = 0; k < known->len; k++)
        {
          JcClientPakEntry *e = known->pdata[k];
          if (g_str_equal (e->pak, pak_text) && g_str_equal (e->role, role))
            registered = TRUE;
        }
      if (!registered)
        {
          g_set_error (error, JC_ERROR, JC_ERROR_NOT_FOUND,
                       _("PAK %s was not registered with this node as a %s's key for task %s "
                         "(see “jocondectl paks”)"), pak_text, role, task_id);
          return FALSE;
        }
      JcPakGrant *grant = NULL;
      for (guint g = 0; g < grants->len && !grant; g++)
        {
          JcPakGrant *cand = grants->pdata[g];
          gsize len;
          const guint8 *pub = g_bytes_get_data (cand->pak, &len);
          g_autofree char *b64 = jc_base64url_encode (pub, len);
          if (g_str_equal (b64, pak_text))
            grant = cand;
        }
      if (!grant)
        {
          g_autoptr(JcPak) pak = jc_pak_new_from_public_base64url (pak_text, error);
          if (!pak)
            return FALSE;
          grant = jc_pak_grant_new (g_bytes_new (jc_pak_get_public (pak), JC_PAK_PUBLIC_SIZE));
          g_ptr_array_add (grants, grant);
        }
      g_ptr_array_add (grant->keys, g_strdup (key));
    }
  return TRUE;
}

static JcCtsc *
task_ctsc (JcStore *store, const char *task_id, JcClientTask **task_out, GError **error)
{
  g_autoptr(JcClientTask) task = jc_client_tasks_get (store, task_id, error);
  if (!task)
    return NULL;
  if (!task->ctsc)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_STATE,
                   _("This node has not received the CTSC of task %s yet"), task_id);
      return NULL;
    }
  g_autoptr(JsonNode) node = jc_doc_parse (task->ctsc, strlen (task->ctsc), NULL, error);
  if (!node)
    return NULL;
  JcCtsc *ctsc = jc_ctsc_from_json (node, error);
  if (ctsc && task_out)
    *task_out = g_steal_pointer (&task);
  return ctsc;
}

char *
jc_client_addendum (JcClientNode *node, const char *task_id, const char *const *custodians,
                    const char *const *analysts, const char *signatory, const char *signatory_doc,
                    GError **error)
{
  JcClientProfile *profile = jc_client_node_get_profile (node);
  JcStore *store = jc_client_node_get_store (node);
  g_autoptr(JcClientTask) task = NULL;
  g_autoptr(JcCtsc) ctsc = task_ctsc (store, task_id, &task, error);
  if (!ctsc)
    return NULL;
  if (task->state != JC_TASK_EMERGING)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_STATE,
                   _("Task %s is %s: addenda are written only while it is emerging"), task_id,
                   jc_task_state_to_string (task->state));
      return NULL;
    }
  gint64 peer = jc_ctsc_find_peer (ctsc, jc_client_node_get_name (node));
  if (peer < 0)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_DENIED,
                   _("This node (%s) is not a peer of task %s: only a peer's node writes its "
                     "addendum"), jc_client_node_get_name (node), task_id);
      return NULL;
    }
  if (!signatory || !*signatory)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID, _("An addendum names its signatory"));
      return NULL;
    }

  g_autoptr(JcCtsa) ctsa = jc_ctsa_new ();
  if (!jc_hex_decode_into (task->ctsc_hash, ctsa->ctsc_hash, JC_DOC_HASH_SIZE, error))
    return NULL;
  ctsa->peer = peer;
  JcFile *id_doc = NULL;
  if (signatory_doc && !(id_doc = file_load (signatory_doc, error)))
    return NULL;
  g_ptr_array_add (ctsa->signatories, jc_signatory_new (signatory, id_doc));
  if (!add_grants (store, task_id, custodians, "custodian", ctsa->custodians, error)
      || !add_grants (store, task_id, analysts, "analyst", ctsa->analysts, error))
    return NULL;

  /* Every check of the model, through the document as it will be read. */
  g_autoptr(JsonNode) doc = jc_ctsa_to_json (ctsa);
  g_autoptr(JcCtsa) reread = jc_ctsa_from_json (doc, error);
  if (!reread)
    return NULL;
  g_autoptr(JcProblems) problems = jc_problems_new ();
  jc_ctsa_check_against (reread, ctsc, ctsa->ctsc_hash, "", problems);
  if (!jc_problems_check (problems, _("The addendum"), error))
    return NULL;

  guint8 hash[JC_DOC_HASH_SIZE];
  jc_ctsa_hash (reread, hash);
  g_autoptr(JcNodeKey) key = jc_client_profile_get_key (profile, error);
  g_autoptr(GPtrArray) chain = key ? jc_client_profile_get_full_chain (profile, error) : NULL;
  if (!chain)
    return NULL;
  g_autoptr(JcNodeSignature) sig = jc_agreement_sign (key, chain, jc_client_node_get_name (node),
                                                      hash, error);
  if (!sig)
    return NULL;
  /* A signer names the node by its chain fingerprint as the CTSC has it (docs/model.md):
   * the same bytes as this node's chain, unless the CTSC was drafted with the root CA in
   * the chain. */
  const JcParty *self_party = ctsc->peers->pdata[peer];
  memcpy (sig->signer.fingerprint, self_party->fingerprint, JC_DOC_HASH_SIZE);
  g_autoptr(JsonNode) sig_doc = jc_node_signature_to_json (sig);

  g_autoptr(JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "task_id");
  json_builder_add_string_value (b, task_id);
  json_builder_set_member_name (b, "ctsa");
  json_builder_add_value (b, json_node_copy (doc));
  json_builder_set_member_name (b, "signature");
  json_builder_add_value (b, json_node_copy (sig_doc));
  json_builder_end_object (b);
  g_autoptr(JsonNode) body = json_builder_get_root (b);

  g_autofree char *ctsa_text = json_to_string (doc, FALSE);
  g_autofree char *sig_text = json_to_string (sig_doc, FALSE);
  g_autofree char *hash_hex = jc_hex_encode (hash, JC_DOC_HASH_SIZE);
  char *id = NULL;
  if (!jc_client_node_send (node, to_root, "ctsa.submit", body, task_id, &id, error))
    return NULL;
  if (!jc_client_tasks_record_ctsa (store, task_id, ctsa_text, hash_hex, sig_text, error))
    {
      g_free (id);
      return NULL;
    }
  return id;
}

/* --- signatory signature --------------------------------------------------------------- */

/* The current CTSA of this node for TASK_ID (its text and hash), or an error saying the
 * addendum is still to be written. */
static char *
current_ctsa (JcStore *store, const char *task_id, char **ctsa_hash, GError **error)
{
  char *ctsa = jc_client_tasks_get_ctsa (store, task_id, ctsa_hash);
  if (!ctsa)
    g_set_error (error, JC_ERROR, JC_ERROR_STATE,
                 _("This node has sent no addendum for task %s: a signatory signs the "
                   "organisation's addendum, so write it first (jocondectl addendum)"), task_id);
  return ctsa;
}

char *
jc_client_sign_file (JcClientNode *node, const char *task_id, JcFile *file, GError **error)
{
  JcStore *store = jc_client_node_get_store (node);
  g_autoptr(JcSignatorySignature) sig = jc_signatory_signature_new ();
  sig->file = file;
  g_autofree char *ctsa_hash = NULL;
  g_autofree char *ctsa = current_ctsa (store, task_id, &ctsa_hash, error);
  if (!ctsa)
    return NULL;
  g_autoptr(JcCtsc) ctsc = task_ctsc (store, task_id, NULL, error);
  if (!ctsc || !jc_hex_decode_into (ctsa_hash, sig->ctsa_hash, JC_DOC_HASH_SIZE, error))
    return NULL;
  sig->signatory = 0;
  g_autoptr(JsonNode) doc = jc_signatory_signature_to_json (sig);
  g_autoptr(JcSignatorySignature) check = jc_signatory_signature_from_json (doc, error);
  if (!check)
    return NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "task_id");
  json_builder_add_string_value (b, task_id);
  json_builder_set_member_name (b, "peer");
  json_builder_add_int_value (b, jc_ctsc_find_peer (ctsc, jc_client_node_get_name (node)));
  json_builder_set_member_name (b, "signature");
  json_builder_add_value (b, json_node_copy (doc));
  json_builder_end_object (b);
  g_autoptr(JsonNode) body = json_builder_get_root (b);
  char *id = NULL;
  if (!jc_client_node_send (node, to_root, "signature.submit", body, task_id, &id, error))
    return NULL;
  return id;
}

char *
jc_client_sign (JcClientNode *node, const char *task_id, const char *signature_file, GError **error)
{
  g_autofree char *ctsa = current_ctsa (jc_client_node_get_store (node), task_id, NULL, error);
  if (!ctsa)
    return NULL;
  JcFile *file = file_load (signature_file, error);
  return file ? jc_client_sign_file (node, task_id, file, error) : NULL;
}

JsonNode *
jc_client_current_ctsa (JcClientNode *node, const char *task_id, GError **error)
{
  g_autofree char *ctsa = current_ctsa (jc_client_node_get_store (node), task_id, NULL, error);
  return ctsa ? jc_doc_parse (ctsa, strlen (ctsa), NULL, error) : NULL;
}

char *
jc_client_sign_with_token (JcClientNode *node, const char *task_id, const JcSignerCert *cert,
                           const JcSecret *pin, GError **error)
{
  g_autoptr(JsonNode) ctsa = jc_client_current_ctsa (node, task_id, error);
  if (!ctsa)
    return NULL;
  g_autoptr(GBytes) cms = jc_signatory_cms_sign (cert, pin, ctsa, error);
  if (!cms)
    return NULL;
  return jc_client_sign_file (node, task_id,
                              jc_signatory_cms_file_new (cms, jc_client_node_get_name (node)),
                              error);
}

/* --- SO decisions, termination --------------------------------------------------------- */

GPtrArray *
jc_client_decide (JcClientNode *node, const char *task_id, const char *peer, gboolean approve,
                  const char *reason, GError **error)
{
  JcStore *store = jc_client_node_get_store (node);
  if (!approve && (!reason || !*reason))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID, _("A rejection says why (--reason)"));
      return NULL;
    }
  g_autoptr(GArray) indices = g_array_new (FALSE, FALSE, sizeof (gint64));
  gchar *end = NULL;
  gint64 index = peer ? g_ascii_strtoll (peer, &end, 10) : -1;
  if (peer && end && *end == '\0' && end != peer)
    g_array_append_val (indices, index);
  else
    {
      g_autoptr(JcCtsc) ctsc = task_ctsc (store, task_id, NULL, error);
      if (!ctsc)
        return NULL;
      for (guint i = 0; i < ctsc->peers->len; i++)
        {
          JcParty *p = ctsc->peers->pdata[i];
          gint64 k = i;
          if (!peer || g_str_equal (peer, p->name))
            g_array_append_val (indices, k);
        }
      if (indices->len == 0)
        {
          g_set_error (error, JC_ERROR, JC_ERROR_NOT_FOUND, _("Task %s has no peer %s"), task_id,
                       peer);
          return NULL;
        }
    }
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < indices->len; i++)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "task_id");
      json_builder_add_string_value (b, task_id);
      json_builder_set_member_name (b, "peer");
      json_builder_add_int_value (b, g_array_index (indices, gint64, i));
      json_builder_set_member_name (b, "decision");
      json_builder_add_string_value (b, approve ? "approve" : "reject");
      if (!approve)
        {
          json_builder_set_member_name (b, "reason");
          json_builder_add_string_value (b, reason);
        }
      json_builder_end_object (b);
      g_autoptr(JsonNode) body = json_builder_get_root (b);
      char *id = NULL;
      if (!jc_client_node_send (node, to_root, "approval.submit", body, task_id, &id, error))
        return NULL;
      g_ptr_array_add (ids, id);
    }
  return g_steal_pointer (&ids);
}

char *
jc_client_terminate (JcClientNode *node, const char *task_id, const char *reason, GError **error)
{
  if (!reason || !*reason)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID, _("Terminating a task says why (--reason)"));
      return NULL;
    }
  /* A signed control message, which the root passes to the computing parties' daemons:
   * they stop the task's VMs only on a request they can check themselves. */
  JcClientProfile *profile = jc_client_node_get_profile (node);
  JcStore *store = jc_client_node_get_store (node);
  g_autoptr(JcNodeKey) key = jc_client_profile_get_key (profile, error);
  g_autoptr(GPtrArray) chain = key ? jc_client_profile_get_full_chain (profile, error) : NULL;
  if (!chain)
    return NULL;
  g_autoptr(JcControlMessage) msg = jc_control_message_new ();
  if (!g_uuid_string_is_valid (task_id))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID, _("“%s” is not a task id (a UUID)"), task_id);
      return NULL;
    }
  g_strlcpy (msg->task_id, task_id, sizeof msg->task_id);
  msg->action = JC_CONTROL_TERMINATE;
  msg->reason = g_strdup (reason);
  msg->time = jc_time_now ();
  guint8 digest[JC_DOC_HASH_SIZE] = { 0 };
  msg->signer.name = g_strdup (jc_client_node_get_name (node));
  g_autoptr(JcNodeSignature) sig = jc_agreement_sign (key, chain, msg->signer.name, digest, error);
  if (!sig)
    return NULL;
  /* A peer is named by its chain fingerprint as the CTSC has it. */
  g_autoptr(JcCtsc) ctsc = task_ctsc (store, task_id, NULL, NULL);
  gint64 peer = ctsc ? jc_ctsc_find_peer (ctsc, msg->signer.name) : -1;
  if (peer >= 0)
    memcpy (sig->signer.fingerprint, ((JcParty *) ctsc->peers->pdata[peer])->fingerprint,
            JC_DOC_HASH_SIZE);
  memcpy (msg->signer.fingerprint, sig->signer.fingerprint, JC_DOC_HASH_SIZE);
  if (!jc_control_message_digest (msg, digest))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID, _("The control message cannot be hashed"));
      return NULL;
    }
  g_clear_pointer (&sig->signature, g_bytes_unref);
  if (!(sig->signature = jc_node_key_sign_hash (key, digest, JC_DOC_HASH_SIZE, error)))
    return NULL;
  memcpy (sig->document_hash, digest, JC_DOC_HASH_SIZE);
  g_autoptr(JsonNode) control = jc_control_message_to_json (msg);
  g_autoptr(JsonNode) signature = jc_node_signature_to_json (sig);

  g_autoptr(JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "task_id");
  json_builder_add_string_value (b, task_id);
  json_builder_set_member_name (b, "action");
  json_builder_add_string_value (b, "terminate");
  json_builder_set_member_name (b, "reason");
  json_builder_add_string_value (b, reason);
  json_builder_set_member_name (b, "message");
  json_builder_add_value (b, json_node_copy (control));
  json_builder_set_member_name (b, "signature");
  json_builder_add_value (b, json_node_copy (signature));
  json_builder_end_object (b);
  g_autoptr(JsonNode) body = json_builder_get_root (b);
  char *id = NULL;
  if (!jc_client_node_send (node, to_root, "control.request", body, task_id, &id, error))
    return NULL;
  return id;
}
