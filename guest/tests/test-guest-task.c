/* Three orchestrators run tasks end to end over loopback (suite 'guest'): uploads, data
 * quality, calculation, downloads, and every refusal of issue 6. */
#include "config.h"

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
  g_autoptr(GBytes) fp = jc_hex_decode (jc_cert_get_sha256 (cert), NULL);

  g_strlcpy (msg->task_id, t->cta->task_id, sizeof msg->task_id);
  msg->action = JC_CONTROL_TERMINATE;
  msg->reason = g_strdup ("The register extract was the wrong year.");
  msg->signer.name = g_strdup (signer);
  memcpy (msg->signer.fingerprint, g_bytes_get_data (fp, NULL), 32);
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
  g_autoptr(JcCtioClient) stranger = NULL;
  g_autoptr(GArray) cells = NULL, cells2 = NULL;
  g_autoptr(JsonNode) st = NULL;
  g_autoptr(JcControlMessage) msg = NULL;
  g_autofree char *state = NULL, *log = NULL;
  JsonObject *pop;

  task_init (&t, 60, 120, 180);
  guests_start (&g, &t);
  nsi_c = client_new (&t, &g, PAK_NSI_CUSTODIAN);
  mno_c = client_new (&t, &g, PAK_MNO_CUSTODIAN);
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

  /* the two custodians upload */
  g_assert_true (upload (&t, nsi_c, "population", 10, 3, population_row, &error));
  g_assert_no_error (error);
  g_assert_true (upload (&t, mno_c, "subscribers", 8, 2, subscriber_row, &error));
  g_assert_no_error (error);
  wait_state (nsi_c, &g, "output", 30);

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
  g_autofree char *state = NULL;

  /* the input deadline a few seconds ahead; only one input arrives in time */
  task_init (&t, 6, 60, 120);
  guests_start (&g, &t);
  nsi_c = client_new (&t, &g, PAK_NSI_CUSTODIAN);
  mno_c = client_new (&t, &g, PAK_MNO_CUSTODIAN);
  wait_state (nsi_c, &g, "input", 5);
  g_assert_true (upload (&t, nsi_c, "population", 10, 3, population_row, &error));
  g_assert_no_error (error);
  for (guint p = 0; p < 3; p++)
    g_assert_cmpuint (guests_count_files (&g, p), ==, 1);

  wait_state (nsi_c, &g, "cancelled", 10);
  for (guint p = 0; p < 3; p++)
    {
      g_assert_cmpuint (guests_count_files (&g, p), ==, 0);
      g_assert_true (guests_has_event (&g, p, "\"state\":\"cancelled\""));
    }
  state = status_state (nsi_c, 2, &st);
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
  guint8 h[JC_DOC_HASH_SIZE];

  task_init (&t, 60, 120, 180);
  guests_start (&g, &t);
  nsi_c = client_new (&t, &g, PAK_NSI_CUSTODIAN);
  wait_state (nsi_c, &g, "input", 20);
  msg = control_message (&t, "nsi", t.nsi);
  jc_control_message_digest (msg, h);
  /* signed with a computing party's key under nsi's name: refused */
  bad = jc_agreement_sign (t.cp_key[0], t.nsi, "nsi", h, &error);
  g_assert_no_error (error);
  REFUSED (jc_ctio_control (nsi_c, 1, msg, bad, NULL, &error), JC_ERROR_BAD_SIGNATURE,
           "does not verify");
  wait_state (nsi_c, &g, "input", 1);
  good = jc_agreement_sign (t.nsi_key, t.nsi, "nsi", h, &error);
  g_assert_true (jc_ctio_control (nsi_c, 1, msg, good, NULL, &error));
  g_assert_no_error (error);
  /* one VM obeyed; all three cancel together */
  wait_state (nsi_c, &g, "cancelled", 10);
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
  g_assert_true (upload (&t, mno_c, "subscribers", 20000, 2, subscriber_row, &error));
  g_assert_no_error (error);
  g_assert_true (upload (&t, nsi_c, "population", 20000, 3, big_population_row, &error));
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

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/guest/task/lifecycle", test_lifecycle);
  g_test_add_func ("/guest/task/deadline", test_deadline);
  g_test_add_func ("/guest/task/signed-terminate", test_signed_terminate);
  g_test_add_func ("/guest/task/killed-counterpart", test_killed_counterpart);
  return g_test_run ();
}
