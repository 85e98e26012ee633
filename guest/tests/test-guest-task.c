#define G_LOG_DOMAIN "joconde-guest"
#include "config.h"

/* Three orchestrators run tasks end to end over loopback (suite 'guest'): uploads, data
 * quality, calculation, downloads, and every refusal of issue 6. */

#include <sys/wait.h>

#include "guest-fixture.h"

static void
population_row (guint i, JcEngineValue *v, char *id)
{
  g_snprintf (id, 32, "p%u", i);
  v[0].text = id;
  v[0].text_len = strlen (id);
  v[1].i = i % 2;                       /* north, south */
  v[2].i = i == 3 ? 130 : 20 + i;      /* one implausible age: one violation */
}

static void
subscriber_row (guint i, JcEngineValue *v, char *id)
{
  g_snprintf (id, 32, "p%u", i);
  v[0].text = id;
  v[0].text_len = strlen (id);
  v[1].i = i % 3 != 0;
}

static void
inactive_subscriber_row (guint i, JcEngineValue *v, char *id)
{
  subscriber_row (i, v, id);
  v[1].i = 0;
}

/* region, persons, subscribers for population 0..9 joined with subscribers 0..7 */
static const gint64 expected_rates[2][3] = { { 0, 4, 2 }, { 1, 4, 3 } };

static void
assert_rates (GArray *cells)
{
  g_assert_nonnull (cells);
  g_assert_cmpuint (cells->len, ==, 6);
  /* rows come in an order the parties shuffled */
  for (guint r = 0; r < 2; r++)
    {
      gint64 *row = &g_array_index (cells, gint64, r * 3);
      const gint64 *want = expected_rates[row[0]];
      g_assert_cmpint (row[1], ==, want[1]);
      g_assert_cmpint (row[2], ==, want[2]);
    }
}

static void
assert_refused (gboolean ok, GError *error, int code, const char *needle)
{
  g_assert_false (ok);
  g_assert_nonnull (error);
  g_test_message ("refused as expected: %s", error->message);
  g_assert_error (error, JC_ERROR, code);
  g_assert_nonnull (strstr (error->message, needle));
}

/* EXPR runs before ERROR is looked at (argument order is unspecified in C). */
#define REFUSED(expr, code, needle)                          \
  do {                                                       \
    gboolean ok_ = (expr);                                   \
    assert_refused (ok_, error, code, needle);               \
    g_clear_error (&error);                                  \
  } while (0)

static gboolean
inputs_all_empty (JcCtioClient *c)
{
  for (guint p = 0; p < 3; p++)
    {
      g_autoptr(JsonNode) st = jc_ctio_status (c, p, NULL, NULL);
      JsonArray *inputs = json_object_get_array_member (json_node_get_object (st), "inputs");
      for (guint i = 0; i < json_array_get_length (inputs); i++)
        if (g_strcmp0 (json_object_get_string_member (json_array_get_object_element (inputs, i),
                                                      "state"), "empty") != 0)
          return FALSE;
    }
  return TRUE;
}

static JcControlMessage *
control_message (Task *t, const char *signer, JcCert *cert)
{
  JcControlMessage *msg = jc_control_message_new ();

  g_strlcpy (msg->task_id, t->cta->task_id, sizeof msg->task_id);
  msg->action = JC_CONTROL_TERMINATE;
  msg->reason = g_strdup ("The register extract was the wrong year.");
  msg->signer.name = g_strdup (signer);
  task_fingerprint (t, cert, msg->signer.fingerprint);
  msg->time = jc_time_now ();
  return msg;
}

static void
test_lifecycle (void)
{
  Task t;
  Guests g;
  g_autoptr(GError) error = NULL;
  g_autoptr(JcCtioClient) nsi_c = NULL, mno_c = NULL, nsi_a = NULL, nsi_a2 = NULL, mno_a = NULL;
  g_autoptr(JcCtioClient) mno_c2 = NULL;
  g_autoptr(JcCtioClient) stranger = NULL;
  g_autoptr(GArray) cells = NULL, cells2 = NULL;
  g_autoptr(JsonNode) st = NULL;
  g_autoptr(JcControlMessage) msg = NULL;
  g_autofree char *log = NULL;
  JsonObject *pop;

  task_init (&t, 60, 120, 180);
  guests_start (&g, &t);
  nsi_c = client_new (&t, &g, PAK_NSI_CUSTODIAN);
  mno_c = client_new (&t, &g, PAK_MNO_CUSTODIAN);
  mno_c2 = client_new (&t, &g, PAK_MNO_CUSTODIAN2);
  nsi_a = client_new (&t, &g, PAK_NSI_ANALYST);
  nsi_a2 = client_new (&t, &g, PAK_NSI_ANALYST2);
  mno_a = client_new (&t, &g, PAK_MNO_ANALYST);
  stranger = client_new (&t, &g, PAK_STRANGER);
  wait_state (nsi_c, &g, "input", 20);

  /* refusals, each with no change of state */
  REFUSED ((st = jc_ctio_status (stranger, 0, NULL, &error)) != NULL, JC_ERROR_DENIED,
           "not named in this task's agreement");
  REFUSED (upload (&t, nsi_c, "subscribers", 8, 2, subscriber_row, &error), JC_ERROR_DENIED,
           "may not upload the input “subscribers”");
  REFUSED (upload (&t, nsi_a, "population", 10, 3, population_row, &error), JC_ERROR_DENIED,
           "analyst");
  REFUSED ((cells = download (&t, mno_c, "rates", &error)) != NULL, JC_ERROR_DENIED,
           "custodian of mno may not download");
  msg = control_message (&t, "nsi", t.nsi);
  REFUSED (jc_ctio_control (nsi_c, 1, msg, NULL, NULL, &error), JC_ERROR_DENIED, "not signed");
  g_assert_true (inputs_all_empty (nsi_c));
  wait_state (nsi_c, &g, "input", 1);

  /* an upload abandoned half-way is rolled back on all three VMs */
  {
    g_autoptr(JcCtioUpload) up = jc_ctio_upload_begin (nsi_c, "population", NULL, &error);
    gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
    g_assert_no_error (error);
    for (guint p = 0; p < 3; p++)
      g_assert_true (jc_ctio_upload_write (up, p, "JCR3 partial", 12, &error));
    /* the slot is in use meanwhile: a second upload of it is refused */
    REFUSED (jc_ctio_upload_begin (nsi_c, "population", NULL, &error) != NULL, JC_ERROR_STATE,
             "under way");
    g_clear_pointer (&up, jc_ctio_upload_free);    /* the client goes away */
    while (!inputs_all_empty (nsi_c) && g_get_monotonic_time () < end)
      g_usleep (50 * 1000);
    g_assert_true (inputs_all_empty (nsi_c));
    for (guint p = 0; p < 3; p++)
      g_assert_cmpuint (guests_count_files (&g, p), ==, 0);
  }

  /* mno's first custodian uploads a wrong table; its second custodian replaces it */
  g_assert_true (upload (&t, mno_c, "subscribers", 8, 2, inactive_subscriber_row, &error));
  g_assert_no_error (error);
  g_assert_true (upload (&t, mno_c2, "subscribers", 8, 2, subscriber_row, &error));
  g_assert_no_error (error);
  for (guint p = 0; p < 3; p++)
    g_assert_cmpuint (guests_count_files (&g, p), ==, 1);   /* the first upload is erased */
  wait_state (nsi_c, &g, "input", 1);
  /* the last input: the calculation starts */
  g_assert_true (upload (&t, nsi_c, "population", 10, 3, population_row, &error));
  g_assert_no_error (error);
  {
    gboolean passed = TRUE;
    gint64 violations = -1;
    g_assert_true (jc_ctio_wait_quality (nsi_c, "population", 20, &passed, &violations, NULL,
                                         &error));
    g_assert_no_error (error);
    g_assert_false (passed);
    g_assert_cmpint (violations, ==, 1);
  }
  g_assert_true (jc_ctio_wait_state (nsi_c, "output", 30, NULL, &error));
  g_assert_no_error (error);

  /* the data-quality verdict: one implausible age, seen by every VM */
  for (guint p = 0; p < 3; p++)
    {
      g_autoptr(JsonNode) s = jc_ctio_status (nsi_c, p, NULL, &error);
      g_assert_no_error (error);
      pop = json_array_get_object_element (
        json_object_get_array_member (json_node_get_object (s), "inputs"), 0);
      g_assert_cmpstr (json_object_get_string_member (pop, "key"), ==, "population");
      pop = json_object_get_object_member (pop, "quality");
      g_assert_nonnull (pop);
      g_assert_false (json_object_get_boolean_member (pop, "passed"));
      g_assert_cmpint (json_object_get_int_member (pop, "violations"), ==, 1);
      g_assert_true (guests_has_event (&g, p, "\"kind\":\"data-quality\""));
      g_assert_true (guests_has_event (&g, p, "\"violations\":1"));
      /* input data was erased when the calculation ended: only the output share remains */
      g_assert_cmpuint (guests_count_files (&g, p), ==, 1);
    }

  /* downloads: once per peer */
  cells = download (&t, nsi_a, "rates", &error);
  g_assert_no_error (error);
  assert_rates (cells);
  REFUSED ((cells2 = download (&t, nsi_a2, "rates", &error)) != NULL, JC_ERROR_DENIED,
           "retrieved for nsi already");
  wait_state (nsi_c, &g, "output", 1);
  cells2 = download (&t, mno_a, "rates", &error);
  g_assert_no_error (error);
  assert_rates (cells2);

  /* every peer has it: erased, finished, and the VM asks its cpd to be destroyed */
  wait_state (nsi_c, &g, "finished", 10);
  for (guint p = 0; p < 3; p++)
    {
      g_assert_cmpuint (guests_count_files (&g, p), ==, 0);
      g_assert_true (guests_has_event (&g, p, "\"state\":\"finished\""));
      g_assert_true (guests_has_event (&g, p, "\"request\":\"destroy\""));
    }
  /* the log names the PAK behind each request (RFC 5424 structured data) */
  log = guests_log (&g, 0);
  {
    g_autofree char *pak = jc_base64url_encode (t.pak_pub[PAK_NSI_CUSTODIAN], 32);
    g_autofree char *needle = g_strdup_printf ("pak=\"%s\"", pak);
    g_assert_nonnull (strstr (log, needle));
  }
  guests_stop (&g);
  task_clear (&t);
}

static void
test_deadline (void)
{
  Task t;
  Guests g;
  g_autoptr(GError) error = NULL;
  g_autoptr(JcCtioClient) nsi_c = NULL, mno_c = NULL;
  g_autoptr(JsonNode) st = NULL;
  g_autofree char *state = NULL, *addresses = NULL;

  /* the input deadline a few seconds ahead; only one input arrives in time */
  task_init (&t, 6, 60, 120);
  guests_start_full (&g, &t, TRUE);
  nsi_c = client_new (&t, &g, PAK_NSI_CUSTODIAN);
  mno_c = client_new (&t, &g, PAK_MNO_CUSTODIAN);
  /* the cpd tells each VM where the others are, once */
  addresses = g_strdup_printf ("{\"addresses\": [\"%s\", \"%s\", \"%s\"]}", g.address[0],
                               g.address[1], g.address[2]);
  for (int i = 0; i < 3; i++)
    g_assert_cmpuint (guests_post (&g, i, "/counterparts", addresses), ==, 200);
  g_assert_cmpuint (guests_post (&g, 0, "/counterparts", addresses), ==, 409);
  /* not a control message at all */
  g_assert_cmpuint (guests_post (&g, 1, "/control", "{\"message\": {}}"), ==, 400);
  wait_state (nsi_c, &g, "input", 5);
  g_assert_true (upload (&t, nsi_c, "population", 10, 3, population_row, &error));
  g_assert_no_error (error);
  for (guint p = 0; p < 3; p++)
    g_assert_cmpuint (guests_count_files (&g, p), ==, 1);

  /* waiting for the output state fails with the reason */
  REFUSED (jc_ctio_wait_state (mno_c, "output", 10, NULL, &error), JC_ERROR_CANCELLED,
           "input deadline passed");
  wait_state (nsi_c, &g, "cancelled", 10);
  for (guint p = 0; p < 3; p++)
    {
      g_assert_cmpuint (guests_count_files (&g, p), ==, 0);
      g_assert_true (guests_has_event (&g, p, "\"state\":\"cancelled\""));
    }
  state = status_state (nsi_c, 2, &st);
  g_test_message ("reason: %s", json_object_get_string_member (json_node_get_object (st), "reason"));
  g_assert_nonnull (strstr (json_object_get_string_member (json_node_get_object (st), "reason"),
                            "missing: subscribers"));
  REFUSED (upload (&t, mno_c, "subscribers", 8, 2, subscriber_row, &error), JC_ERROR_EXPIRED,
           "input deadline");
  guests_stop (&g);
  task_clear (&t);
}

static void
test_signed_terminate (void)
{
  Task t;
  Guests g;
  g_autoptr(GError) error = NULL;
  g_autoptr(JcCtioClient) nsi_c = NULL;
  g_autoptr(JcControlMessage) msg = NULL;
  g_autoptr(JcNodeSignature) bad = NULL, good = NULL;
  g_autoptr(GPtrArray) nsi_chain = NULL;
  guint8 h[JC_DOC_HASH_SIZE];

  task_init (&t, 60, 120, 180);
  guests_start (&g, &t);
  nsi_c = client_new (&t, &g, PAK_NSI_CUSTODIAN);
  wait_state (nsi_c, &g, "input", 20);
  msg = control_message (&t, "nsi", t.nsi);
  jc_control_message_digest (msg, h);
  /* signed with a computing party's key under nsi's name: refused */
  nsi_chain = task_chain (&t, t.nsi);
  bad = jc_agreement_sign (t.cp_key[0], nsi_chain, "nsi", h, &error);
  g_assert_no_error (error);
  REFUSED (jc_ctio_control (nsi_c, 1, msg, bad, NULL, &error), JC_ERROR_BAD_SIGNATURE,
           "does not verify");
  wait_state (nsi_c, &g, "input", 1);
  good = jc_agreement_sign (t.nsi_key, nsi_chain, "nsi", h, &error);
  {
    /* the same request relayed by the cpd (POST /control): unsigned, then signed */
    g_autoptr(JsonNode) m = jc_control_message_to_json (msg);
    g_autoptr(JsonNode) sg = jc_node_signature_to_json (good);
    g_autofree char *mt = json_to_string (m, FALSE), *st = json_to_string (sg, FALSE);
    g_autofree char *unsigned_body = g_strdup_printf ("{\"message\": %s}", mt);
    g_autofree char *signed_body = g_strdup_printf ("{\"message\": %s, \"signature\": %s}", mt, st);
    g_assert_cmpuint (guests_post (&g, 2, "/control", unsigned_body), ==, 403);
    wait_state (nsi_c, &g, "input", 1);
    g_assert_cmpuint (guests_post (&g, 2, "/control", signed_body), ==, 200);
  }
  /* one VM obeyed; all three cancel together */
  wait_state (nsi_c, &g, "cancelled", 10);
  guests_stop (&g);
  task_clear (&t);
}

/* An output not retrieved by every peer is erased at the output deadline all the same. */
static void
test_output_deadline (void)
{
  Task t;
  Guests g;
  g_autoptr(GError) error = NULL;
  g_autoptr(JcCtioClient) nsi_c = NULL, mno_c = NULL, mno_a = NULL, nsi_a = NULL;
  g_autoptr(GArray) cells = NULL;

  task_init (&t, 8, 10, 12);
  guests_start (&g, &t);
  nsi_c = client_new (&t, &g, PAK_NSI_CUSTODIAN);
  mno_c = client_new (&t, &g, PAK_MNO_CUSTODIAN);
  mno_a = client_new (&t, &g, PAK_MNO_ANALYST);
  nsi_a = client_new (&t, &g, PAK_NSI_ANALYST);
  g_assert_true (jc_ctio_wait_state (nsi_c, "input", 6, NULL, &error));
  g_assert_true (upload (&t, nsi_c, "population", 10, 3, population_row, &error));
  g_assert_no_error (error);
  g_assert_true (upload (&t, mno_c, "subscribers", 8, 2, subscriber_row, &error));
  g_assert_no_error (error);
  g_assert_true (jc_ctio_wait_state (nsi_c, "output", 10, NULL, &error));
  g_assert_no_error (error);
  cells = download (&t, mno_a, "rates", &error);
  g_assert_no_error (error);
  assert_rates (cells);
  /* nsi never comes: the share waits for it until the deadline, then is erased */
  for (guint p = 0; p < 3; p++)
    g_assert_cmpuint (guests_count_files (&g, p), ==, 1);
  g_assert_true (jc_ctio_wait_state (nsi_c, "finished", 15, NULL, &error));
  g_assert_no_error (error);
  for (guint p = 0; p < 3; p++)
    {
      g_assert_cmpuint (guests_count_files (&g, p), ==, 0);
      g_assert_true (guests_has_event (&g, p, "\"request\":\"destroy\""));
    }
  REFUSED ((cells = download (&t, nsi_a, "rates", &error)) != NULL, JC_ERROR_STATE,
           "finished");
  guests_stop (&g);
  task_clear (&t);
}

/* A counterpart that stops answering (here: stopped by a signal) is lost after the
 * counterpart timeout, and the two others cancel. */
static void
test_stalled_counterpart (void)
{
  Task t;
  Guests g;
  g_autoptr(GError) error = NULL;
  g_autoptr(JcCtioClient) nsi_c = NULL;
  gint64 end;

  task_init (&t, 60, 120, 180);
  guests_start (&g, &t);
  nsi_c = client_new (&t, &g, PAK_NSI_CUSTODIAN);
  g_assert_true (jc_ctio_wait_state (nsi_c, "input", 20, NULL, &error));
  g_assert_true (upload (&t, nsi_c, "population", 10, 3, population_row, &error));
  g_assert_no_error (error);
  g_subprocess_send_signal (g.proc[2], SIGSTOP);
  /* the timeout is 5 s (longer would slow the suite, shorter lets a loaded sanitizer run
   * lose a live counterpart too): well within 20 s both others have cancelled */
  end = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  for (guint p = 0; p < 2; p++)
    for (;;)
      {
        g_autoptr(JsonNode) st = NULL;
        g_autofree char *s = status_state (nsi_c, p, &st);
        if (g_strcmp0 (s, "cancelled") == 0)
          {
            const char *reason = json_object_get_string_member (json_node_get_object (st),
                                                                "reason");
            g_test_message ("party %u: %s", p + 1, reason);
            g_assert_nonnull (strstr (reason, "computing party 3"));
            break;
          }
        g_assert_cmpint (g_get_monotonic_time (), <, end);
        g_usleep (100 * 1000);
      }
  for (guint p = 0; p < 2; p++)
    g_assert_cmpuint (guests_count_files (&g, p), ==, 0);
  guests_kill (&g, 2);
  guests_stop (&g);
  task_clear (&t);
}

static void
big_population_row (guint i, JcEngineValue *v, char *id)
{
  g_snprintf (id, 32, "p%u", i);
  v[0].text = id;
  v[0].text_len = strlen (id);
  v[1].i = i % 2;
  v[2].i = 20 + i % 60;
}

static void
test_killed_counterpart (void)
{
  Task t;
  Guests g;
  g_autoptr(GError) error = NULL;
  g_autoptr(JcCtioClient) nsi_c = NULL, mno_c = NULL;
  g_autoptr(JsonNode) st = NULL;
  g_autofree char *state = NULL;
  gint64 end;

  task_init (&t, 60, 120, 180);
  guests_start (&g, &t);
  nsi_c = client_new (&t, &g, PAK_NSI_CUSTODIAN);
  mno_c = client_new (&t, &g, PAK_MNO_CUSTODIAN);
  wait_state (nsi_c, &g, "input", 20);
  /* tables large enough for the calculation to take a moment */
  g_assert_true (upload (&t, mno_c, "subscribers", 12000, 2, subscriber_row, &error));
  g_assert_no_error (error);
  g_assert_true (upload (&t, nsi_c, "population", 12000, 3, big_population_row, &error));
  g_assert_no_error (error);
  end = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  /* the data-quality check first, then the main algorithm: kill party 3 inside it */
  for (;;)
    {
      g_autofree char *log = guests_log (&g, 2);
      if (strstr (log, "main algorithm") != NULL || g_get_monotonic_time () > end)
        break;
      g_usleep (2000);
    }
  guests_kill (&g, 2);
  g_assert_false (guests_has_event (&g, 2, "\"state\":\"output\""));
  wait_state (nsi_c, &g, "cancelled", 15);
  state = status_state (nsi_c, 0, &st);
  g_test_message ("reason: %s", json_object_get_string_member (json_node_get_object (st), "reason"));
  {
    /* whichever the VM noticed first: the closed control channel or the failed run */
    const char *reason = json_object_get_string_member (json_node_get_object (st), "reason");
    g_assert_true (strstr (reason, "computing party 3") != NULL
                   || strstr (reason, "calculation failed") != NULL);
  }
  for (guint p = 0; p < 2; p++)
    g_assert_cmpuint (guests_count_files (&g, p), ==, 0);
  guests_stop (&g);
  task_clear (&t);
}

/* The orchestrator refuses to start on an agreement it cannot trust. */
static void
test_refused_agreement (void)
{
  Task t;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("jc-guest-refuse-XXXXXX", NULL);
  g_autofree char *cta = g_build_filename (dir, "cta.json", NULL);
  g_autofree char *root = g_build_filename (dir, "root.pem", NULL);
  g_autofree char *approver = g_build_filename (dir, "approver.pem", NULL);
  g_autofree char *key = g_build_filename (dir, "sim.key", NULL);
  g_autofree char *revoked = g_build_filename (dir, "revoked.json", NULL);
  struct { const char *what; gboolean unsealed; JcCert *approver; gboolean revoked;
           const char *needle; } cases[] = {
    { "not finalised", TRUE, NULL, FALSE, "approval" },
    { "approved by someone else", FALSE, NULL, FALSE, "approver" },
    { "a peer's key revoked", FALSE, NULL, TRUE, "revoked" },
  };

  task_init (&t, 60, 120, 180);
  cases[1].approver = t.nsi;
  {
    g_autoptr(JcRevocations) r = jc_revocations_new ();
    g_autofree char *json = NULL;
    g_assert_true (jc_revocations_revoke_key (r, jc_cert_get_key_id (t.mno), t.now - 60,
                                              "laptop lost", &error));
    json = jc_revocations_keys_to_json (r);
    g_assert_true (g_file_set_contents (revoked, json, -1, NULL));
  }
  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autofree char *out = NULL, *err = NULL;
      int status = 0;
      g_autoptr(JsonNode) node = NULL;
      g_autofree char *text = NULL;
      JcNodeSignature *approval = NULL;
      const char *argv[] = { g_getenv ("JC_GUEST_BINARY"), "--listen=127.0.0.1:0", "--cta", cta,
                             "--root", root, "--approver", approver, "--sim-key", key,
                             cases[c].revoked ? "--revoked-keys" : NULL, revoked, NULL };

      if (cases[c].unsealed)
        approval = g_steal_pointer (&t.cta->approval);
      node = jc_cta_to_json (t.cta);
      if (cases[c].unsealed)
        {
          /* the document form of an unsealed CTA has "approval": null */
          json_object_remove_member (json_node_get_object (node), "approval");
          t.cta->approval = approval;
        }
      text = json_to_string (node, FALSE);
      g_assert_true (g_file_set_contents (cta, text, -1, NULL));
      write_pem (root, t.root, NULL);
      write_pem (approver, cases[c].approver ? cases[c].approver : t.so, NULL);
      g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, 0, NULL, NULL, &out, &err, &status,
                                   &error));
      g_test_message ("%s: %s", cases[c].what, err);
      g_assert_true (WIFEXITED (status));
      g_assert_cmpint (WEXITSTATUS (status), ==, 1);
      g_assert_nonnull (strstr (err, "The agreement is refused"));
      g_assert_nonnull (strstr (err, cases[c].needle));
    }
  {
    const char *rm[] = { "rm", "-rf", dir, NULL };
    g_spawn_sync (NULL, (char **) rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
  }
  task_clear (&t);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/guest/task/refused-agreement", test_refused_agreement);
  g_test_add_func ("/guest/task/lifecycle", test_lifecycle);
  g_test_add_func ("/guest/task/deadline", test_deadline);
  g_test_add_func ("/guest/task/output-deadline", test_output_deadline);
  g_test_add_func ("/guest/task/signed-terminate", test_signed_terminate);
  g_test_add_func ("/guest/task/killed-counterpart", test_killed_counterpart);
  g_test_add_func ("/guest/task/stalled-counterpart", test_stalled_counterpart);
  return g_test_run ();
}
