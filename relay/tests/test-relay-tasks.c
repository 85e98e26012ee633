#define G_LOG_DOMAIN "joconde-relay-test"
#include "config.h"

#include "base/jc-encoding.h"
#include "base/jc-init.h"
#include "base/jc-time.h"
#include "jc-agreement.h"
#include "jc-cert.h"
#include "jc-crl.h"
#include "jc-doc.h"
#include "jc-model.h"
#include "jc-node-key.h"
#include "jc-signatory-cms.h"
#include "relay-test-util.h"
#include "../../libjoconde/tests/keys/signer-fixture.h"

#include <sqlite3.h>

/* A three-level tree (root -> org -> leaves) carries a task from CTSC to finalised CTA:
 * a (under org) and c (under the root) are the peers, cp1..cp3 the computing parties,
 * so the SO's approver node; b (under org) and x (under the root) are outside the task
 * and must never see it. Every refusal path answers with a clear error. */

typedef struct {
  char        *name;
  JcNetClient *client;
  GHashTable  *topics;     /* topic -> count */
  JsonNode    *last_created;
  JsonNode    *last_cta;
  JsonNode    *last_result;
  GHashTable  *states;     /* task id -> last state from task.status */
  char        *events;     /* the "event" of every task.status, one a line */
  guint        refused;
  char        *refusal_code;
  char        *refusal_reason;
} Node;

static void
on_message (JcNetClient *c, const JcNetEnvelope *env, Node *n)
{
  guint k = GPOINTER_TO_UINT (g_hash_table_lookup (n->topics, env->topic));
  g_hash_table_insert (n->topics, g_strdup (env->topic), GUINT_TO_POINTER (k + 1));
  if (g_strcmp0 (env->topic, "task.created") == 0)
    {
      g_clear_pointer (&n->last_created, json_node_unref);
      n->last_created = json_node_copy (env->body);
    }
  if (g_strcmp0 (env->topic, "tasks.result") == 0)
    {
      g_clear_pointer (&n->last_result, json_node_unref);
      n->last_result = json_node_copy (env->body);
    }
  if (g_strcmp0 (env->topic, "task.status") == 0)
    {
      JsonObject *o = json_node_get_object (env->body);
      g_hash_table_insert (n->states, g_strdup (json_object_get_string_member (o, "task_id")),
                           g_strdup (json_object_get_string_member (o, "state")));
      char *events = g_strconcat (n->events ? n->events : "",
                                  json_object_get_string_member (o, "event"), "\n", NULL);
      g_free (n->events);
      n->events = events;
    }
  if (g_strcmp0 (env->topic, "cta.final") == 0)
    {
      g_clear_pointer (&n->last_cta, json_node_unref);
  g_clear_pointer (&n->last_result, json_node_unref);
      n->last_cta = json_node_copy (env->body);
    }
}

static void
on_refused (JcNetClient *c, const char *id, const char *code, const char *reason, Node *n)
{
  n->refused++;
  g_free (n->refusal_code);
  g_free (n->refusal_reason);
  n->refusal_code = g_strdup (code);
  n->refusal_reason = g_strdup (reason);
  g_test_message ("%s: refused (%s) %s", n->name, code, reason);
}

static guint
count (Node *n, const char *topic)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (n->topics, topic));
}

typedef struct { Node *n; const char *topic; guint want; } Want;

static gboolean
has (gpointer data)
{
  Want *w = data;
  return count (w->n, w->topic) >= w->want;
}

static gboolean
refused_more (gpointer data)
{
  Want *w = data;
  return w->n->refused >= w->want;
}

static void
wait_topic (Node *n, const char *topic, guint want)
{
  Want w = { n, topic, want };
  g_assert_true (test_wait (has, &w, 15000));
}

/* Sends and waits for the root's refusal, checking its code. */
static void
expect_refusal (Node *n, const char *topic, JsonNode *body, const char *code)
{
  const char *to[] = { "@root", NULL };
  guint before = n->refused;
  g_assert_true (jc_net_client_send (n->client, to, topic, body, NULL, NULL));
  Want w = { n, NULL, before + 1 };
  g_assert_true (test_wait (refused_more, &w, 15000));
  g_assert_cmpstr (n->refusal_code, ==, code);
}

static void
send_root (Node *n, const char *topic, JsonNode *body)
{
  const char *to[] = { "@root", NULL };
  g_autoptr(GError) error = NULL;
  g_assert_true (jc_net_client_send (n->client, to, topic, body, NULL, &error));
  g_assert_no_error (error);
}

static JsonNode *
load_json (const char *name)
{
  g_autofree char *path = g_build_filename (JC_SOURCE_ROOT, "libjoconde", "tests", "model",
                                            "data", name, NULL);
  g_autofree char *text = NULL;
  gsize len;
  g_assert_true (g_file_get_contents (path, &text, &len, NULL));
  g_autoptr(GError) error = NULL;
  JsonNode *node = jc_doc_parse (text, len, NULL, &error);
  g_assert_no_error (error);
  return node;
}

static GByteArray *
der_of (const char *dir, const char *name)
{
  g_autofree char *path = g_strdup_printf ("%s/pki/%s.pem", dir, name);
  g_autoptr(GTlsCertificate) c = g_tls_certificate_new_from_file (path, NULL);
  g_assert_nonnull (c);
  GByteArray *der = NULL;
  g_object_get (c, "certificate", &der, NULL);
  return der;
}

/* The chain fingerprint (docs/model.md): SHA-256 of the chain's DER concatenated. */
static char *
chain_fingerprint (const char *dir, const char *const *chain)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  for (guint i = 0; chain[i]; i++)
    {
      g_autoptr(GByteArray) der = der_of (dir, chain[i]);
      g_checksum_update (sum, der->data, der->len);
    }
  return g_strdup (g_checksum_get_string (sum));
}

static const char *const chain_a[] = { "a", "org", "root", "ca", NULL };
static const char *const chain_c[] = { "c", "root", "ca", NULL };

/* {"name", "chain": [node, its issuers up to the root CA], "fingerprint"} */
static JsonNode *
party (const char *dir, const char *const *chain)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, chain[0]);
  json_builder_set_member_name (b, "chain");
  json_builder_begin_array (b);
  for (guint i = 0; chain[i]; i++)
    {
      g_autoptr(GByteArray) der = der_of (dir, chain[i]);
      g_autofree char *b64 = jc_base64url_encode (der->data, der->len);
      json_builder_add_string_value (b, b64);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "fingerprint");
  g_autofree char *fp = chain_fingerprint (dir, chain);
  json_builder_add_string_value (b, fp);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static char *
time_in (gint64 seconds)
{
  return jc_time_format (jc_time_now () + seconds);
}

/* The example CTSC of docs/model.md with this tree's nodes and deadlines from now. */
static JsonNode *
make_ctsc_due (const char *dir, gint64 approval_in)
{
  JsonNode *ctsc = load_json ("ctsc.json");
  JsonObject *o = json_node_get_object (ctsc);
  JsonObject *dl = json_object_get_object_member (o, "deadlines");
  g_autofree char *t1 = time_in (approval_in), *t2 = time_in (7200), *t3 = time_in (10800),
                  *t4 = time_in (14400);
  json_object_set_string_member (dl, "approval", t1);
  json_object_set_string_member (dl, "input", t2);
  json_object_set_string_member (dl, "execution", t3);
  json_object_set_string_member (dl, "output", t4);
  JsonArray *cps = json_array_new ();
  for (int i = 1; i <= 3; i++)
    {
      g_autofree char *name = g_strdup_printf ("cp%d", i);
      const char *chain[] = { name, "root", "ca", NULL };
      json_array_add_element (cps, party (dir, chain));
    }
  json_object_set_array_member (o, "computing_parties", cps);
  JsonArray *peers = json_array_new ();
  json_array_add_element (peers, party (dir, chain_a));
  json_array_add_element (peers, party (dir, chain_c));
  json_object_set_array_member (o, "peers", peers);
  /* Inputs and outputs named the example peers "nsi" and "mno". */
  JsonArray *inputs = json_object_get_array_member (o, "inputs");
  json_object_set_int_member (json_array_get_object_element (inputs, 0), "peer", 0);
  json_object_set_int_member (json_array_get_object_element (inputs, 1), "peer", 1);
  JsonArray *outputs = json_object_get_array_member (o, "outputs");
  for (guint i = 0; i < json_array_get_length (outputs); i++)
    {
      JsonArray *ps = json_array_new ();
      json_array_add_int_element (ps, 0);
      json_array_add_int_element (ps, 1);
      json_object_set_array_member (json_array_get_object_element (outputs, i), "peers", ps);
    }
  g_autoptr(GError) error = NULL;
  g_autoptr(JcCtsc) check = jc_ctsc_from_json (ctsc, &error);
  g_assert_no_error (error);
  g_assert_nonnull (check);
  return ctsc;
}

static JsonNode *
make_ctsc (const char *dir)
{
  return make_ctsc_due (dir, 3600);
}

static JsonNode *
wrap (const char *task_id, const char *member, JsonNode *doc)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  if (task_id)
    {
      json_builder_set_member_name (b, "task_id");
      json_builder_add_string_value (b, task_id);
    }
  json_builder_set_member_name (b, member);
  json_builder_add_value (b, json_node_copy (doc));
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* The CTSA of test data FILE for the CTSC of hash CTSC_HASH. */
static JsonNode *
ctsa_doc (const char *file, const guint8 *ctsc_hash)
{
  JsonNode *doc = load_json (file);
  g_autofree char *hex = jc_hex_encode (ctsc_hash, JC_DOC_HASH_SIZE);
  json_object_set_string_member (json_node_get_object (doc), "ctsc_hash", hex);
  return doc;
}

/* {"task_id", "ctsa", "signature"}: the CTSA of a peer signed by the key of signer. */
static JsonNode *
ctsa_message (const char *dir, const char *task_id, const char *file, const guint8 *ctsc_hash,
              const char *signer, guint8 ctsa_hash_out[JC_DOC_HASH_SIZE])
{
  g_autoptr(JsonNode) doc = ctsa_doc (file, ctsc_hash);
  g_autoptr(GError) error = NULL;
  g_autoptr(JcCtsa) ctsa = jc_ctsa_from_json (doc, &error);
  g_assert_no_error (error);
  guint8 hash[JC_DOC_HASH_SIZE];
  jc_ctsa_hash (ctsa, hash);
  if (ctsa_hash_out)
    memcpy (ctsa_hash_out, hash, sizeof hash);
  g_autofree char *key_path = g_strdup_printf ("%s/pki/%s.key", dir, signer);
  g_autoptr(JcNodeKey) key = jc_node_key_load_file (key_path, NULL, &error);
  g_assert_no_error (error);
  g_autoptr(JcNodeSignature) sig = jc_node_signature_new ();
  /* The signer named is always the peer: a forged signature must be caught by its bytes. */
  sig->signer.name = g_strdup (ctsa->peer == 0 ? "a" : "c");
  g_autofree char *fp = chain_fingerprint (dir, ctsa->peer == 0 ? chain_a : chain_c);
  g_assert_true (jc_hex_decode_into (fp, sig->signer.fingerprint, JC_DOC_HASH_SIZE, NULL));
  memcpy (sig->document_hash, hash, sizeof hash);
  sig->signature = jc_node_key_sign_hash (key, hash, sizeof hash, &error);
  g_assert_no_error (error);
  g_autoptr(JsonNode) sig_doc = jc_node_signature_to_json (sig);
  JsonNode *msg = wrap (task_id, "ctsa", doc);
  json_object_set_member (json_node_get_object (msg), "signature", json_node_copy (sig_doc));
  return msg;
}

static JsonNode *
signature_message (const char *task_id, gint64 peer, const guint8 *ctsa_hash)
{
  g_autoptr(JsonNode) doc = load_json ("signatory-signature.json");
  g_autofree char *hex = jc_hex_encode (ctsa_hash, JC_DOC_HASH_SIZE);
  json_object_set_string_member (json_node_get_object (doc), "ctsa_hash", hex);
  json_object_set_int_member (json_node_get_object (doc), "signatory", 0);
  JsonNode *msg = wrap (task_id, "signature", doc);
  json_object_set_int_member (json_node_get_object (msg), "peer", peer);
  return msg;
}

/* A signatory signature of peer PEER whose file is a CMS signature over the canonical bytes
 * of SIGNED (the peer's CTSA, or another document), made by SIGNER. */
static JsonNode *
cms_signature_message (const char *task_id, gint64 peer, const guint8 *ctsa_hash,
                       JsonNode *signed_doc, SignerFixture *signer)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) canonical = jc_doc_canonicalize (signed_doc, &error);
  g_assert_no_error (error);
  g_autoptr(GBytes) cms = signer_fixture_cms (signer, canonical,
                                              GNUTLS_PKCS7_INCLUDE_TIME | GNUTLS_PKCS7_INCLUDE_CERT);
  g_autoptr(JcFile) file = jc_signatory_cms_file_new (cms, "a");
  JsonNode *msg = signature_message (task_id, peer, ctsa_hash);
  JsonObject *sig = json_object_get_object_member (json_node_get_object (msg), "signature");
  json_object_set_member (sig, "file", jc_file_to_json (file));
  return msg;
}

static gboolean
event_mentions (gpointer data)
{
  Node *n = data;
  return n->events && strstr (n->events, "electronic, by CN=Ada Lovelace") != NULL;
}

static JsonNode *
approval_message (const char *task_id, gint64 peer, const char *decision, const char *reason)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "task_id");
  json_builder_add_string_value (b, task_id);
  json_builder_set_member_name (b, "peer");
  json_builder_add_int_value (b, peer);
  json_builder_set_member_name (b, "decision");
  json_builder_add_string_value (b, decision);
  if (reason)
    {
      json_builder_set_member_name (b, "reason");
      json_builder_add_string_value (b, reason);
    }
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* json_node_copy shares objects; a refused variant must not change the original. */
static JsonNode *
deep_copy (JsonNode *node)
{
  g_autofree char *text = json_to_string (node, FALSE);
  return json_from_string (text, NULL);
}

static Node *
node_new (const char *dir, const char *name, const char *url)
{
  Node *n = g_new0 (Node, 1);
  n->name = g_strdup (name);
  n->client = test_client_new (dir, name, NULL, url);
  n->topics = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  n->states = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_signal_connect (n->client, "message", G_CALLBACK (on_message), n);
  g_signal_connect (n->client, "refused", G_CALLBACK (on_refused), n);
  jc_net_client_start (n->client);
  return n;
}

static void
node_free (Node *n)
{
  g_object_unref (n->client);
  g_hash_table_unref (n->topics);
  g_hash_table_unref (n->states);
  g_clear_pointer (&n->last_created, json_node_unref);
  g_clear_pointer (&n->last_cta, json_node_unref);
  g_clear_pointer (&n->last_result, json_node_unref);
  g_free (n->refusal_code);
  g_free (n->events);
  g_free (n->refusal_reason);
  g_free (n->name);
  g_free (n);
}

typedef struct { Node *n; const char *task; const char *state; } WantState;

static gboolean
in_state (gpointer data)
{
  WantState *w = data;
  return g_strcmp0 (g_hash_table_lookup (w->n->states, w->task), w->state) == 0;
}

static gint64
query_int (const char *path, const char *sql, const char *arg)
{
  sqlite3 *db = NULL;
  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  sqlite3_stmt *st = NULL;
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &st, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (st, 1, arg, -1, SQLITE_STATIC);
  g_assert_cmpint (sqlite3_step (st), ==, SQLITE_ROW);
  gint64 n = sqlite3_column_int64 (st, 0);
  sqlite3_finalize (st);
  sqlite3_close (db);
  return n;
}

static void
test_task_lifecycle (void)
{
  g_autofree char *dir = test_pki_new ();
  g_autofree char *root_url = NULL;
  TestRelay *root = test_relay_run (dir, "root", NULL, NULL, &root_url);
  g_autofree char *org_url = NULL;
  TestRelay *org = test_relay_run (dir, "org", root_url, NULL, &org_url);

  Node *a = node_new (dir, "a", org_url), *b = node_new (dir, "b", org_url);
  Node *c = node_new (dir, "c", root_url), *x = node_new (dir, "x", root_url);
  Node *so = node_new (dir, "so", root_url);
  Node *cp[3];
  for (int i = 0; i < 3; i++)
    {
      g_autofree char *name = g_strdup_printf ("cp%d", i + 1);
      cp[i] = node_new (dir, name, root_url);
    }
  Node *all[] = { a, b, c, x, so, cp[0], cp[1], cp[2] };
  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    g_assert_true (test_wait (test_client_is_connected, all[i]->client, 10000));

  /* CTSC: refused from a custodian (policy) and from an organiser not among the peers;
   * accepted from a, which gets the UUID back; copies reach c and the CPs. */
  g_autoptr(JsonNode) ctsc = make_ctsc (dir);
  g_autoptr(JsonNode) ctsc_msg = wrap (NULL, "ctsc", ctsc);
  expect_refusal (b, "ctsc.submit", ctsc_msg, "denied");
  g_autoptr(JsonNode) bad = deep_copy (ctsc_msg);
  json_object_set_string_member (json_object_get_object_member (json_node_get_object (bad), "ctsc"),
                                 "engine", "");
  expect_refusal (a, "ctsc.submit", bad, "invalid");
  send_root (a, "ctsc.submit", ctsc_msg);
  wait_topic (a, "task.created", 1);
  wait_topic (c, "task.created", 1);
  for (int i = 0; i < 3; i++)
    wait_topic (cp[i], "task.created", 1);
  const char *task_id = json_object_get_string_member (json_node_get_object (a->last_created),
                                                      "task_id");
  g_assert_true (g_uuid_string_is_valid (task_id));
  g_test_message ("task %s", task_id);
  g_autoptr(GError) error = NULL;
  g_autoptr(JcCtsc) parsed = jc_ctsc_from_json (ctsc, &error);
  guint8 ctsc_hash[JC_DOC_HASH_SIZE];
  jc_ctsc_hash (parsed, ctsc_hash);

  /* CTSAs: wrong CTSC hash, someone else's addendum, a forged signature: all refused. */
  guint8 wrong[JC_DOC_HASH_SIZE] = { 1 };
  g_autoptr(JsonNode) m_wrong = ctsa_message (dir, task_id, "ctsa.json", wrong, "a", NULL);
  expect_refusal (a, "ctsa.submit", m_wrong, "invalid");
  g_autoptr(JsonNode) m_other = ctsa_message (dir, task_id, "ctsa.json", ctsc_hash, "a", NULL);
  expect_refusal (c, "ctsa.submit", m_other, "denied");
  g_autoptr(JsonNode) m_forged = ctsa_message (dir, task_id, "ctsa.json", ctsc_hash, "c", NULL);
  expect_refusal (a, "ctsa.submit", m_forged, "bad-signature");
  guint8 ha[JC_DOC_HASH_SIZE], hc[JC_DOC_HASH_SIZE];
  g_autoptr(JsonNode) m_a = ctsa_message (dir, task_id, "ctsa.json", ctsc_hash, "a", ha);
  g_autoptr(JsonNode) m_c = ctsa_message (dir, task_id, "ctsa-mno.json", ctsc_hash, "c", hc);
  send_root (a, "ctsa.submit", m_a);
  send_root (c, "ctsa.submit", m_c);
  wait_topic (cp[0], "task.status", 2);

  /* Approvals only from approver nodes; a rejection needs a reason. */
  g_autoptr(JsonNode) ap0 = approval_message (task_id, 0, "approve", NULL);
  g_autoptr(JsonNode) ap1 = approval_message (task_id, 1, "approve", NULL);
  g_autoptr(JsonNode) rj = approval_message (task_id, 1, "reject", NULL);
  expect_refusal (a, "approval.submit", ap0, "denied");
  expect_refusal (so, "approval.submit", rj, "invalid");
  /* Signatory signatures of the current CTSAs, then the SO's approvals: finalised. */
  g_autoptr(JsonNode) s_wrong = signature_message (task_id, 0, hc);
  expect_refusal (a, "signature.submit", s_wrong, "invalid");
  /* An electronic signature is verified by the root: over another document, or not CMS
   * though it says so, it is refused; over a's CTSA it is taken, and the approver is told
   * who signed. */
  SignerFixture ada;
  gint64 now = jc_time_now ();
  signer_fixture_make (&ada, "CN=Ada Lovelace,O=Org A", now - 3600, now + 86400,
                       GNUTLS_KEY_DIGITAL_SIGNATURE);
  g_autoptr(JsonNode) doc_a = ctsa_doc ("ctsa.json", ctsc_hash);
  g_autoptr(JsonNode) doc_c = ctsa_doc ("ctsa-mno.json", ctsc_hash);
  g_autoptr(JsonNode) e_wrong = cms_signature_message (task_id, 0, ha, doc_c, &ada);
  expect_refusal (a, "signature.submit", e_wrong, "bad-signature");
  g_assert_nonnull (strstr (a->refusal_reason, "another document"));
  g_autoptr(JsonNode) e_junk = signature_message (task_id, 0, ha);
  JsonObject *junk_file = json_object_get_object_member (
    json_object_get_object_member (json_node_get_object (e_junk), "signature"), "file");
  json_object_set_string_member (junk_file, "media_type", "application/pkcs7-signature");
  expect_refusal (a, "signature.submit", e_junk, "invalid");
  g_autoptr(JsonNode) s_a = cms_signature_message (task_id, 0, ha, doc_a, &ada);
  signer_fixture_clear (&ada);
  g_autoptr(JsonNode) s_c = signature_message (task_id, 1, hc);
  /* cp3 is offline while the agreement is finalised; it gets the CTA on reconnect. */
  node_free (cp[2]);
  cp[2] = NULL;
  send_root (a, "signature.submit", s_a);
  send_root (c, "signature.submit", s_c);
  g_assert_true (test_wait (event_mentions, a, 15000));
  g_assert_true (test_wait (event_mentions, cp[0], 15000));
  send_root (so, "approval.submit", ap0);
  send_root (so, "approval.submit", ap1);
  /* The root is killed at some moment around the finalisation and restarted: the CTA is
   * still finalised once, and sent once to each node. */
  test_spin (g_random_int_range (0, 40));
  test_relay_kill (root);
  test_relay_start (root);
  for (int i = 0; i < 2; i++)
    wait_topic (cp[i], "cta.final", 1);
  cp[2] = node_new (dir, "cp3", root_url);
  all[7] = cp[2];
  wait_topic (cp[2], "cta.final", 1);
  wait_topic (a, "cta.final", 1);
  wait_topic (c, "cta.final", 1);
  test_spin (300);
  for (int i = 0; i < 3; i++)
    g_assert_cmpuint (count (cp[i], "cta.final"), ==, 1);

  /* The CTA is complete and its approval is the root's signature over the body hash. */
  JsonNode *cta_doc = json_object_get_member (json_node_get_object (cp[0]->last_cta), "cta");
  g_autoptr(JcCta) cta = jc_cta_from_json (cta_doc, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (cta->task_id, ==, task_id);
  g_assert_cmpuint (cta->ctsas->len, ==, 2);
  guint8 body_hash[JC_DOC_HASH_SIZE];
  g_assert_true (jc_cta_body_hash (cta, body_hash));
  g_autofree char *root_pem = g_strdup_printf ("%s/pki/root.pem", dir);
  g_autoptr(JcCert) root_cert = jc_cert_new_from_file (root_pem, &error);
  g_assert_no_error (error);
  gsize sig_len;
  const guint8 *sig = g_bytes_get_data (cta->approval->signature, &sig_len);
  g_assert_true (jc_cert_verify_hash (root_cert, body_hash, sizeof body_hash, sig, sig_len, &error));
  g_assert_no_error (error);
  /* ...and it passes the complete check a computing party makes (libjoconde/agreement). */
  {
    g_autofree char *ca_path = g_strdup_printf ("%s/pki/ca.pem", dir);
    g_autoptr(JcCert) ca_cert = jc_cert_new_from_file (ca_path, &error);
    g_assert_no_error (error);
    g_autoptr(GPtrArray) approver = g_ptr_array_new_with_free_func (g_object_unref);
    g_ptr_array_add (approver, g_object_ref (root_cert));
    g_ptr_array_add (approver, g_object_ref (ca_cert));
    JcAgreementTrust trust = { .root = ca_cert, .approver = approver, .at = jc_time_now () };
    g_assert_true (jc_agreement_verify (cta, &trust, &error));
    g_assert_no_error (error);
  }

  /* Running: the CPs report their VM addresses and telemetry; the peers get both. */
  g_autoptr(JsonBuilder) vb = json_builder_new ();
  json_builder_begin_object (vb);
  json_builder_set_member_name (vb, "task_id");
  json_builder_add_string_value (vb, task_id);
  json_builder_set_member_name (vb, "address");
  json_builder_add_string_value (vb, "cp1.example:9443");
  json_builder_end_object (vb);
  g_autoptr(JsonNode) vm = json_builder_get_root (vb);
  expect_refusal (x, "vm.address", vm, "denied");
  send_root (cp[0], "vm.address", vm);
  wait_topic (a, "task.vm", 1);
  wait_topic (c, "task.vm", 1);
  g_autoptr(JsonNode) ev = load_json ("telemetry-state.json");
  JsonObject *evo = json_node_get_object (ev);
  json_object_set_string_member (evo, "task_id", task_id);
  json_object_set_int_member (evo, "cp", 0);
  g_autoptr(JsonNode) tel = wrap (NULL, "event", ev);
  expect_refusal (cp[1], "telemetry.event", tel, "denied");
  send_root (cp[0], "telemetry.event", tel);
  wait_topic (a, "task.telemetry", 1);
  wait_topic (c, "task.telemetry", 1);
  WantState calc = { c, task_id, "calculation" };
  g_assert_true (test_wait (in_state, &calc, 10000));

  /* PAK registrations travel inside the organisation and never reach the root. */
  {
    g_autoptr(JsonNode) reg = load_json ("pak-registration.json");
    json_object_set_string_member (json_node_get_object (reg), "task_id", task_id);
    const char *to_a[] = { "a", NULL };
    const char *to_c[] = { "c", NULL };
    g_assert_true (jc_net_client_send (b->client, to_a, "pak.register", reg, NULL, NULL));
    wait_topic (a, "pak.register", 1);
    guint before = b->refused;
    g_assert_true (jc_net_client_send (b->client, to_c, "pak.register", reg, NULL, NULL));
    Want w = { b, NULL, before + 1 };
    g_assert_true (test_wait (refused_more, &w, 10000));
    g_assert_cmpstr (b->refusal_code, ==, "denied");
    g_autofree char *root_db = g_build_filename (root->state_dir, "relay.db", NULL);
    g_assert_cmpint (query_int (root_db, "SELECT count(*) FROM messages WHERE topic = ?",
                                "pak.register"), ==, 0);
    g_assert_cmpuint (count (c, "pak.register"), ==, 0);
  }

  /* Organisation relays answer their children's questions from their copies: the
   * tasks of a node, and the tasks of a PAK. */
  {
    const char *to_parent[] = { "@parent", NULL };
    g_autoptr(JsonNode) mine = json_from_string ("{}", NULL);
    g_assert_true (jc_net_client_send (a->client, to_parent, "tasks.query", mine, NULL, NULL));
    wait_topic (a, "tasks.result", 1);
    JsonArray *tasks = json_object_get_array_member (json_node_get_object (a->last_result), "tasks");
    g_assert_cmpuint (json_array_get_length (tasks), ==, 1);
    JsonObject *t0 = json_array_get_object_element (tasks, 0);
    g_assert_cmpstr (json_object_get_string_member (t0, "task_id"), ==, task_id);
    g_assert_cmpstr (json_object_get_string_member (t0, "state"), ==, "calculation");
    g_autoptr(JsonNode) ctsa_doc = load_json ("ctsa.json");
    JsonObject *grant = json_array_get_object_element (
      json_object_get_array_member (json_node_get_object (ctsa_doc), "custodians"), 0);
    g_autofree char *q = g_strdup_printf ("{\"pak\": \"%s\"}",
                                          json_object_get_string_member (grant, "pak"));
    g_autoptr(JsonNode) by_pak = json_from_string (q, NULL);
    g_assert_true (jc_net_client_send (b->client, to_parent, "tasks.query", by_pak, NULL, NULL));
    wait_topic (b, "tasks.result", 1);
    tasks = json_object_get_array_member (json_node_get_object (b->last_result), "tasks");
    g_assert_cmpuint (json_array_get_length (tasks), ==, 1);
    g_autoptr(JsonNode) unknown = json_from_string (
      "{\"pak\": \"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}", NULL);
    g_assert_true (jc_net_client_send (b->client, to_parent, "tasks.query", unknown, NULL, NULL));
    wait_topic (b, "tasks.result", 2);
    tasks = json_object_get_array_member (json_node_get_object (b->last_result), "tasks");
    g_assert_cmpuint (json_array_get_length (tasks), ==, 0);
    g_autoptr(JsonNode) bad_pak = json_from_string ("{\"pak\": \"%_\"}", NULL);
    guint before = b->refused;
    g_assert_true (jc_net_client_send (b->client, to_parent, "tasks.query", bad_pak, NULL, NULL));
    Want w = { b, NULL, before + 1 };
    g_assert_true (test_wait (refused_more, &w, 10000));
    g_assert_cmpstr (b->refusal_code, ==, "invalid");
    /* b's own answers are about b, who is in no task: its subtree never saw the task. */
    g_hash_table_remove (b->topics, "tasks.result");
    g_hash_table_remove (b->topics, "jc.refused");
  }

  /* The SO sees the task at the root. */
  {
    g_autofree char *out = NULL;
    const char *argv[] = { g_getenv ("JC_RELAY_BIN"), "-c", root->conf, "tasks", NULL };
    int st = 0;
    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL,
                                 NULL, &out, NULL, &st, NULL));
    g_assert_true (g_spawn_check_wait_status (st, NULL));
    g_assert_nonnull (strstr (out, task_id));
    g_assert_nonnull (strstr (out, "calculation"));
    g_assert_nonnull (strstr (out, "CTSAs approved 2/2"));
  }

  /* After finalisation the agreement is closed. */
  expect_refusal (a, "ctsa.submit", m_a, "state");

  /* Nodes outside the task never saw any of it. */
  test_spin (200);
  g_assert_cmpuint (g_hash_table_size (b->topics), ==, 0);
  g_assert_cmpuint (g_hash_table_size (x->topics), ==, 0);
  {
    g_autoptr(GPtrArray) inbox = jc_net_client_inbox_list (b->client, 0, 100, NULL);
    for (guint i = 0; i < inbox->len; i++)
      g_assert_true (g_str_has_prefix (((JcNetEnvelope *) inbox->pdata[i])->topic, "tasks.result") ||
                     g_str_has_prefix (((JcNetEnvelope *) inbox->pdata[i])->topic, "jc.refused"));
  }
  g_assert_cmpint (jc_net_client_inbox_count (x->client), ==, 0);
  g_assert_cmpuint (count (so, "task.created"), ==, 0);

  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    node_free (all[i]);
  test_relay_free (org);
  test_relay_free (root);
  test_rm_rf (dir);
}

static char *
create_task (Node *a, const char *dir, gint64 approval_in)
{
  g_autoptr(JsonNode) ctsc = make_ctsc_due (dir, approval_in);
  g_autoptr(JsonNode) msg = wrap (NULL, "ctsc", ctsc);
  guint before = count (a, "task.created");
  send_root (a, "ctsc.submit", msg);
  wait_topic (a, "task.created", before + 1);
  return g_strdup (json_object_get_string_member (json_node_get_object (a->last_created),
                                                  "task_id"));
}

static gboolean
has_erased (gpointer data)
{
  return count (data, "task.erased") >= 3;
}

/* Tasks end early: at the approval deadline, on a peer's request, and when a peer's key
 * is revoked (which also closes that peer's link). */
static void
test_task_cancellations (void)
{
  g_autofree char *dir = test_pki_new ();
  const char *fast = "[tasks]\ndeadline-check-seconds=1\nretention-seconds=2\n";
  g_autofree char *mailbox = g_build_filename (dir, "mailbox.txt", NULL);
  g_autofree char *root_extra = g_strdup_printf (
    "%s[mail]\ncommand=sh -c 'cat >> \"$0\"; echo \"RCPT $*\" >> \"$0\"' %s\nfrom=so@example.org\n",
    fast, mailbox);
  g_autofree char *root_url = NULL;
  TestRelay *root = test_relay_run (dir, "root", NULL, root_extra, &root_url);
  g_autofree char *org_url = NULL;
  TestRelay *org = test_relay_run (dir, "org", root_url, fast, &org_url);
  Node *a = node_new (dir, "a", org_url), *c = node_new (dir, "c", root_url);
  Node *x = node_new (dir, "x", root_url);
  Node *all[] = { a, c, x };
  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    g_assert_true (test_wait (test_client_is_connected, all[i]->client, 10000));

  /* A CTSC whose approval deadline has passed is refused. */
  {
    g_autoptr(JsonNode) late = make_ctsc_due (dir, -60);
    g_autoptr(JsonNode) msg = wrap (NULL, "ctsc", late);
    expect_refusal (a, "ctsc.submit", msg, "expired");
  }
  g_autofree char *due = create_task (a, dir, 3);
  g_autofree char *asked = create_task (a, dir, 3600);
  g_autofree char *revoked = create_task (a, dir, 3600);

  /* Cancel on request: not by x (no role), by a (a peer). */
  g_autoptr(JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "task_id");
  json_builder_add_string_value (b, asked);
  json_builder_set_member_name (b, "action");
  json_builder_add_string_value (b, "cancel");
  json_builder_end_object (b);
  g_autoptr(JsonNode) cancel = json_builder_get_root (b);
  expect_refusal (x, "control.request", cancel, "denied");
  send_root (a, "control.request", cancel);
  WantState w1 = { c, asked, "cancelled" };
  g_assert_true (test_wait (in_state, &w1, 10000));
  wait_topic (c, "task.control", 1);

  /* The approval deadline passes. */
  WantState w2 = { a, due, "cancelled" };
  g_assert_true (test_wait (in_state, &w2, 10000));

  /* The root revokes c's certificate: c's link closes, its tasks are cancelled. */
  g_autofree char *serial = NULL;
  {
    g_autofree char *pem_path = g_strdup_printf ("%s/pki/c.pem", dir);
    g_autoptr(GError) error = NULL;
    g_autoptr(JcCert) cert = jc_cert_new_from_file (pem_path, &error);
    g_assert_no_error (error);
    serial = g_strdup (jc_cert_get_serial (cert));
  }
  const char *argv[] = { g_getenv ("JC_RELAY_BIN"), "-c", root->conf, "revoke", serial,
                         "--reason", "lost laptop", NULL };
  int st = 0;
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL,
                               NULL, NULL, NULL, &st, NULL));
  g_assert_true (g_spawn_check_wait_status (st, NULL));
  /* The root's CRL, signed with its key, lists c. */
  {
    g_autofree char *crl_path = g_build_filename (dir, "root-own.crl", NULL);
    const char *crl_argv[] = { g_getenv ("JC_RELAY_BIN"), "-c", root->conf, "crl", "--out",
                               crl_path, NULL };
    g_assert_true (g_spawn_sync (NULL, (char **) crl_argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL,
                                 NULL, NULL, NULL, &st, NULL));
    g_assert_true (g_spawn_check_wait_status (st, NULL));
    g_autofree char *crl_pem = NULL;
    g_assert_true (g_file_get_contents (crl_path, &crl_pem, NULL, NULL));
    g_autoptr(GError) error = NULL;
    g_autoptr(JcCrl) crl = jc_crl_new_from_pem (crl_pem, -1, &error);
    g_assert_no_error (error);
    g_autofree char *root_pem = g_strdup_printf ("%s/pki/root.pem", dir);
    g_autoptr(JcCert) root_cert = jc_cert_new_from_file (root_pem, &error);
    g_assert_true (jc_crl_verify (crl, root_cert, &error));
    g_assert_no_error (error);
    g_assert_true (jc_crl_lookup (crl, serial, NULL));
  }
  WantState w3 = { a, revoked, "cancelled" };
  g_assert_true (test_wait (in_state, &w3, 10000));
  g_assert_true (test_wait (test_client_is_disconnected, c->client, 10000));
  test_spin (500);
  g_assert_false (jc_net_client_is_connected (c->client));

  /* After the retention time every relay erases the ended tasks and keeps tombstones. */
  g_assert_true (test_wait (has_erased, a, 15000));
  {
    g_autofree char *org_db = g_build_filename (org->state_dir, "relay.db", NULL);
    g_autofree char *root_db = g_build_filename (root->state_dir, "relay.db", NULL);
    g_assert_cmpint (query_int (org_db, "SELECT count(*) FROM messages WHERE task_id = ? AND "
                                "envelope <> '' AND topic <> 'task.erased'", asked), ==, 0);
    g_assert_cmpint (query_int (org_db, "SELECT count(*) FROM messages WHERE task_id = ?", asked),
                     >, 0);
    g_assert_cmpint (query_int (org_db, "SELECT count(*) FROM tombstones WHERE task_id = ? AND "
                                "state = 'cancelled'", asked), ==, 1);
    g_assert_cmpint (query_int (root_db, "SELECT count(*) FROM tasks WHERE task_id = ? AND "
                                "state = 'erased' AND ctsc = '{}'", asked), ==, 1);
    g_assert_cmpint (query_int (root_db, "SELECT count(*) FROM messages WHERE task_id = ? AND "
                                "envelope <> '' AND topic <> 'task.erased'", asked), ==, 0);
  }
  /* The leaves erased their inbox copies of the task too, keeping the notice. */
  {
    g_autoptr(GPtrArray) inbox = jc_net_client_inbox_list (a->client, 0, 1000, NULL);
    for (guint i = 0; i < inbox->len; i++)
      {
        JcNetEnvelope *env = inbox->pdata[i];
        if (strstr (env->text, asked))
          g_assert_cmpstr (env->topic, ==, "task.erased");
      }
  }
  /* An erased task takes no more requests. */
  expect_refusal (a, "control.request", cancel, "not-found");

  /* Each change went to the peers' contact addresses by e-mail. */
  test_spin (300);
  g_autofree char *mail = NULL;
  g_assert_true (g_file_get_contents (mailbox, &mail, NULL, NULL));
  g_assert_nonnull (strstr (mail, "To: joconde@a.example, joconde@c.example"));
  g_assert_nonnull (strstr (mail, "RCPT joconde@a.example joconde@c.example"));
  g_assert_nonnull (strstr (mail, "State: cancelled"));
  g_assert_nonnull (strstr (mail, "approval deadline passed"));

  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    node_free (all[i]);
  test_relay_free (org);
  test_relay_free (root);
  test_rm_rf (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_assert_true (jc_init (NULL));
  g_test_add_func ("/relay/tasks/lifecycle", test_task_lifecycle);
  g_test_add_func ("/relay/tasks/cancellations", test_task_cancellations);
  return g_test_run ();
}
