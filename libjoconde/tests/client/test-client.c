#define G_LOG_DOMAIN "joconde-client-test"
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "jc-ca.h"
#include "jc-client-draft.h"
#include "jc-client-peers.h"
#include "jc-client-profile.h"
#include "jc-client-store.h"
#include "jc-client-tasks.h"
#include "jc-csr.h"
#include "jc-error.h"
#include "jc-init.h"
#include "jc-node-identity.h"
#include "jc-time.h"

/* The client core without a network: profiles and enrolment, the view of peers, drafts,
 * the task store and data retention, on a PKI made here with libjoconde/pki. */

typedef struct {
  char      *dir;
  JcNodeKey *ca_key;
  JcCert    *ca;
  char      *ca_path;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  f->dir = g_dir_make_tmp ("jc-client-test-XXXXXX", &error);
  g_assert_no_error (error);
  f->ca_key = jc_node_key_generate (&error);
  g_assert_no_error (error);
  g_autoptr(JcNodeIdentity) id = jc_node_identity_new ("SO", "Test", "so@example.org", "test-ca");
  JcValidity v;
  jc_validity_init_root (&v, jc_time_now ());
  f->ca = jc_ca_create_root (f->ca_key, id, &v, &error);
  g_assert_no_error (error);
  f->ca_path = g_build_filename (f->dir, "ca.pem", NULL);
  g_autofree char *pem = jc_cert_to_pem (f->ca);
  g_assert_true (g_file_set_contents (f->ca_path, pem, -1, NULL));
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  const char *rm[] = { "rm", "-rf", f->dir, NULL };
  g_spawn_sync (NULL, (char **) rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
  g_clear_object (&f->ca_key);
  g_clear_object (&f->ca);
  g_free (f->ca_path);
  g_free (f->dir);
}

/* A profile named NAME, enrolled directly under the CA with ROLES; returns its chain PEM. */
static JcClientProfile *
enrol (Fixture *f, const char *name, JcRoles roles, char **chain_pem)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_build_filename (f->dir, name, NULL);
  JcClientProfileSetup setup = { .name = name, .company = "Org", .department = "IT",
                                 .email = "it@example.org", .roles = roles,
                                 .parent_url = "https://127.0.0.1:1", .root_ca_file = f->ca_path,
                                 .organisation = "nsi" };
  JcClientProfile *p = jc_client_profile_create (dir, &setup, &error);
  g_assert_no_error (error);
  g_assert_false (jc_client_profile_is_enrolled (p));
  g_autofree char *csr_pem = jc_client_profile_get_csr (p, NULL, &error);
  g_autoptr(JcCsr) csr = jc_csr_new_from_pem (csr_pem, -1, &error);
  g_assert_no_error (error);
  JcValidity v;
  jc_validity_init_months (&v, jc_time_now (), 6, 18);
  g_autoptr(JcCert) cert = jc_ca_issue (f->ca_key, f->ca, csr, roles, &v, &error);
  g_assert_no_error (error);
  g_autofree char *pem = jc_cert_to_pem (cert);
  g_assert_true (jc_client_profile_install_chain (p, pem, &error));
  g_assert_no_error (error);
  g_assert_true (jc_client_profile_is_enrolled (p));
  g_assert_true (jc_client_profile_get_roles (p) & roles);
  if (chain_pem)
    *chain_pem = g_strdup (pem);
  return p;
}

static void
test_profile (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *chain = NULL;
  g_autoptr(JcClientProfile) nsi = enrol (f, "nsi", JC_ROLE_ORGANISER, &chain);
  g_assert_cmpstr (jc_client_profile_get_name (nsi), ==, "nsi");
  g_assert_cmpstr (jc_client_profile_get_organisation (nsi), ==, "nsi");

  /* The key stays private to the profile. */
  g_autofree char *key = jc_client_profile_path (nsi, "node.key");
  GStatBuf st;
  g_assert_cmpint (g_stat (key, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 077, ==, 0);

  /* A second profile in the same place is refused. */
  JcClientProfileSetup setup = { .name = "nsi", .root_ca_file = f->ca_path };
  g_autofree char *dir = g_build_filename (f->dir, "nsi", NULL);
  g_autoptr(JcClientProfile) again = jc_client_profile_create (dir, &setup, &error);
  g_assert_null (again);
  g_assert_error (error, JC_ERROR, JC_ERROR_EXISTS);
  g_clear_error (&error);

  /* A certificate for another node's key is refused. */
  g_autoptr(JcClientProfile) mno = enrol (f, "mno", JC_ROLE_ORGANISER, NULL);
  g_assert_false (jc_client_profile_install_chain (mno, chain, &error));
  g_assert_error (error, JC_ERROR, JC_ERROR_DENIED);
  g_clear_error (&error);

  /* Reopened, the profile is the same node. */
  g_autoptr(JcClientProfile) reopened = jc_client_profile_open (dir, &error);
  g_assert_no_error (error);
  g_assert_true (jc_client_profile_is_enrolled (reopened));
}

static void
test_peers_and_draft (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *c_nsi = NULL, *c_mno = NULL;
  char *c_cp[3] = { NULL };
  g_autoptr(JcClientProfile) nsi = enrol (f, "nsi", JC_ROLE_ORGANISER, &c_nsi);
  g_autoptr(JcClientProfile) mno G_GNUC_UNUSED = enrol (f, "mno", JC_ROLE_ORGANISER, &c_mno);
  JcStore *store = jc_client_profile_get_store (nsi);
  const char *chains[] = { c_nsi, c_mno };
  for (int i = 0; i < 2; i++)
    {
      g_autofree char *name = jc_client_peers_import (store, f->ca, chains[i], &error);
      g_assert_no_error (error);
      g_assert_nonnull (name);
    }
  for (int i = 0; i < 3; i++)
    {
      g_autofree char *n = g_strdup_printf ("cp%d", i + 1);
      g_autoptr(JcClientProfile) cp G_GNUC_UNUSED = enrol (f, n, JC_ROLE_CP, &c_cp[i]);
      g_autofree char *name = jc_client_peers_import (store, f->ca, c_cp[i], &error);
      g_assert_no_error (error);
      g_assert_cmpstr (name, ==, n);
    }
  for (int i = 0; i < 3; i++)
    g_free (c_cp[i]);

  /* Imported nodes are unverified until their fingerprint is confirmed. */
  g_autoptr(JcClientPeer) p = jc_client_peers_get (store, "mno", &error);
  g_assert_no_error (error);
  g_assert_false (p->verified);
  g_assert_cmpuint (strlen (p->fingerprint), ==, 64);
  g_assert_true (jc_client_peers_set_verified (store, "mno", TRUE, &error));
  g_autoptr(JcClientPeer) by_fp = jc_client_peers_get (store, p->fingerprint, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (by_fp->name, ==, "mno");
  g_assert_true (by_fp->verified);

  /* A chain of another System is refused. */
  g_autoptr(JcNodeKey) other_key = jc_node_key_generate (&error);
  g_autoptr(JcNodeIdentity) oid = jc_node_identity_new ("X", "X", "x@example.org", "other");
  JcValidity v;
  jc_validity_init_root (&v, jc_time_now ());
  g_autoptr(JcCert) other = jc_ca_create_root (other_key, oid, &v, &error);
  g_autofree char *other_pem = jc_cert_to_pem (other);
  g_autofree char *refused = jc_client_peers_import (store, f->ca, other_pem, &error);
  g_assert_null (refused);
  g_assert_nonnull (error);
  g_clear_error (&error);

  /* The example's draft becomes a valid CTSC with the chains of the view. */
  g_autofree char *path = g_build_filename (JC_SOURCE_ROOT, "examples", "subscription-rates", "task.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_assert_true (json_parser_load_from_file (parser, path, NULL));
  JsonObject *o = json_node_get_object (json_parser_get_root (parser));
  json_object_set_array_member (json_object_get_object_member (o, "tee"), "measurements", json_array_new ());
  JsonArray *m = json_object_get_array_member (json_object_get_object_member (o, "tee"), "measurements");
  json_array_add_string_element (m, "30448ef806efc67d34a5c887fe2e12c2f7d66610a7ff79cf3a59d3630a836dabbcaea00771dc1a13ce105f3edfba7477");
  g_autofree char *examples = g_path_get_dirname (path);
  g_autoptr(JsonNode) ctsc = jc_client_draft_to_ctsc (store, json_parser_get_root (parser), examples, &error);
  g_assert_no_error (error);
  g_assert_nonnull (ctsc);
  JsonArray *peers = json_object_get_array_member (json_node_get_object (ctsc), "peers");
  g_assert_cmpuint (json_array_get_length (peers), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (peers, 1), "fingerprint"),
                   ==, p->fingerprint);

  /* A draft naming a node the view does not hold is refused, naming it. */
  JsonArray *bad = json_array_new ();
  json_array_add_string_element (bad, "nsi");
  json_array_add_string_element (bad, "tax-office");
  json_object_set_array_member (o, "peers", bad);
  g_autoptr(JsonNode) none = jc_client_draft_to_ctsc (store, json_parser_get_root (parser), examples, &error);
  g_assert_null (none);
  g_assert_error (error, JC_ERROR, JC_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "tax-office"));
}

static void
test_tasks_and_retention (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcClientProfile) c = enrol (f, "nsi-custodian", JC_ROLE_CUSTODIAN, NULL);
  JcStore *store = jc_client_profile_get_store (c);
  const char *task = "0b5a8d7e-2f8e-4c7e-9d1a-6f3e1c2b9a40";

  /* States never go back to an older update. */
  g_assert_true (jc_client_tasks_record_status (store, task, "input", 5, "cp1 reports input", &error));
  g_assert_true (jc_client_tasks_record_status (store, task, "initialisation", 3, "old", &error));
  g_autoptr(JcClientTask) t = jc_client_tasks_get (store, task, &error);
  g_assert_no_error (error);
  g_assert_cmpint (t->state, ==, JC_TASK_INPUT);
  g_assert_cmpint (t->update_counter, ==, 5);
  g_assert_false (jc_client_tasks_record_status (store, task, "bogus", 6, NULL, &error));
  g_assert_error (error, JC_ERROR, JC_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_true (jc_client_task_state_reached (JC_TASK_OUTPUT, JC_TASK_INPUT));
  g_assert_false (jc_client_task_state_reached (JC_TASK_CANCELLED, JC_TASK_INPUT));

  /* A PAK key in the profile, then the task erased: key gone, tombstone kept. */
  g_autofree char *pak_dir = g_build_filename (jc_client_profile_get_dir (c), "paks", task, NULL);
  g_assert_cmpint (g_mkdir_with_parents (pak_dir, 0700), ==, 0);
  g_autofree char *key = g_build_filename (pak_dir, "k.key", NULL);
  g_assert_true (g_file_set_contents (key, "secret", -1, NULL));
  g_assert_true (jc_client_paks_record_own (store, task, "k", "custodian", &error));
  g_assert_true (jc_client_tasks_erase (jc_client_profile_get_dir (c), store, task, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (key, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (pak_dir, G_FILE_TEST_EXISTS));
  g_autoptr(GPtrArray) own = jc_client_paks_list_own (store, task, &error);
  g_assert_cmpuint (own->len, ==, 0);
  g_autoptr(JcClientTask) erased = jc_client_tasks_get (store, task, &error);
  g_assert_cmpint (erased->state, ==, JC_TASK_ERASED);
  sqlite3_stmt *st = jc_store_prepare (store, "SELECT COUNT(*) FROM tombstones WHERE task_id = ?", &error);
  sqlite3_bind_text (st, 1, task, -1, SQLITE_STATIC);
  gboolean row = FALSE;
  g_assert_true (jc_store_step (store, st, &row, &error) && row);
  g_assert_cmpint (sqlite3_column_int (st, 0), ==, 1);
  sqlite3_reset (st);

  /* Nothing else is due now. */
  g_assert_cmpint (jc_client_tasks_erase_expired (jc_client_profile_get_dir (c), store, 30, &error), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_assert_true (jc_init (NULL));
  g_test_add ("/client/profile", Fixture, NULL, fixture_setup, test_profile, fixture_teardown);
  g_test_add ("/client/peers-and-draft", Fixture, NULL, fixture_setup, test_peers_and_draft, fixture_teardown);
  g_test_add ("/client/tasks-and-retention", Fixture, NULL, fixture_setup, test_tasks_and_retention, fixture_teardown);
  return g_test_run ();
}
