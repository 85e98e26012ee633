#define G_LOG_DOMAIN "joconde-net-test"
#include "config.h"

#include "base/jc-error.h"
#include "base/jc-init.h"
#include "jc-net-frame.h"

/* The link protocol's frames and envelopes (docs/wire.md §3): what is written reads back,
 * and every malformed input is refused with a clear error, never a crash. */

#define ID "0123456789abcdef0123456789abcdef"

static char *
envelope (const char *id, const char *from, const char *to, const char *created,
          const char *extra)
{
  return g_strdup_printf ("{\"id\":\"%s\",\"from\":\"%s\",\"to\":%s,\"topic\":\"t.x\","
                          "\"created\":\"%s\"%s}", id, from, to, created, extra);
}

static JcNetFrame *
parse_msg (const char *env_text, const char *to, gint64 seq, GError **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "op");
  json_builder_add_string_value (b, "msg");
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, ID);
  json_builder_set_member_name (b, "seq");
  json_builder_add_int_value (b, seq);
  json_builder_end_object (b);
  g_autoptr(JsonNode) root = json_builder_get_root (b);
  JsonObject *o = json_node_get_object (root);
  g_autoptr(JsonNode) to_node = json_from_string (to, NULL);
  json_object_set_member (o, "to", g_steal_pointer (&to_node));
  json_object_set_string_member (o, "msg", env_text);
  g_autofree char *text = json_to_string (root, FALSE);
  return jc_net_frame_parse (text, strlen (text), 4096, error);
}

static void
test_roundtrip (void)
{
  g_autoptr(JsonNode) body = json_from_string ("{\"n\": 42, \"s\": \"é\"}", NULL);
  const char *to[] = { "b", "@root", NULL };
  g_autoptr(JcNetEnvelope) env = jc_net_envelope_new ("a", to, "test.note", body);
  g_assert_cmpuint (strlen (env->id), ==, 32);
  g_autofree char *text = jc_net_frame_msg (7, to, env->text);
  g_autoptr(GError) error = NULL;
  g_autoptr(JcNetFrame) f = jc_net_frame_parse (text, strlen (text), 4096, &error);
  g_assert_no_error (error);
  g_assert_cmpint (f->kind, ==, JC_NET_FRAME_MSG);
  g_assert_cmpint (f->seq, ==, 7);
  g_assert_cmpstr (f->id, ==, env->id);
  g_assert_cmpstr (f->envelope->text, ==, env->text);  /* the exact bytes travel */
  g_assert_cmpstr (f->envelope->from, ==, "a");
  g_assert_true (g_strv_equal ((const char *const *) f->to, to));
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (f->envelope->body), "n"), ==, 42);

  g_autofree char *ack = jc_net_frame_ack (env->id, 7);
  g_autoptr(JcNetFrame) a = jc_net_frame_parse (ack, strlen (ack), 4096, &error);
  g_assert_no_error (error);
  g_assert_cmpint (a->kind, ==, JC_NET_FRAME_ACK);
  g_autofree char *nack = jc_net_frame_nack (env->id, 8, "denied", "not allowed");
  g_autoptr(JcNetFrame) n = jc_net_frame_parse (nack, strlen (nack), 4096, &error);
  g_assert_no_error (error);
  g_assert_cmpint (n->kind, ==, JC_NET_FRAME_NACK);
  g_assert_cmpstr (n->code, ==, "denied");
  g_assert_cmpstr (n->reason, ==, "not allowed");
}

static void
expect_refused (const char *frame_text, int code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcNetFrame) f = jc_net_frame_parse (frame_text, strlen (frame_text), 4096, &error);
  g_assert_null (f);
  g_assert_error (error, JC_ERROR, code);
  g_test_message ("refused: %s", error->message);
}

static void
test_malformed_frames (void)
{
  expect_refused ("", JC_ERROR_INVALID);
  expect_refused ("not json", JC_ERROR_INVALID);
  expect_refused ("[1,2]", JC_ERROR_INVALID);
  expect_refused ("\xff\xfe{}", JC_ERROR_INVALID);
  expect_refused ("{\"op\":\"ack\",\"seq\":1}", JC_ERROR_INVALID);
  expect_refused ("{\"op\":\"ack\",\"id\":\"0123456789ABCDEF0123456789ABCDEF\",\"seq\":1}", JC_ERROR_INVALID);
  expect_refused ("{\"op\":\"ack\",\"id\":\"" ID "\"}", JC_ERROR_INVALID);
  expect_refused ("{\"op\":\"ack\",\"id\":\"" ID "\",\"seq\":-1}", JC_ERROR_INVALID);
  expect_refused ("{\"op\":\"ack\",\"id\":\"" ID "\",\"seq\":\"1\"}", JC_ERROR_INVALID);
  expect_refused ("{\"op\":\"hello\",\"id\":\"" ID "\",\"seq\":1}", JC_ERROR_INVALID);
  expect_refused ("{\"op\":\"msg\",\"id\":\"" ID "\",\"seq\":1,\"to\":[\"b\"]}", JC_ERROR_INVALID);
  g_autofree char *big = g_strnfill (80 * 1024, ' ');
  expect_refused (big, JC_ERROR_TOO_LARGE);
}

static void
expect_bad_msg (const char *env_text, const char *to, int code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcNetFrame) f = parse_msg (env_text, to, 1, &error);
  g_assert_null (f);
  g_assert_error (error, JC_ERROR, code);
  g_test_message ("refused: %s", error->message);
}

static void
test_malformed_envelopes (void)
{
  const char *ok_time = "2026-11-21T20:00:00Z";
  g_autofree char *good = envelope (ID, "a", "[\"b\"]", ok_time, ",\"body\":null");
  g_autoptr(GError) error = NULL;
  g_autoptr(JcNetFrame) f = parse_msg (good, "[\"b\"]", 1, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (f->envelope->from, ==, "a");

  g_autofree char *other_id = envelope ("ffffffffffffffffffffffffffffffff", "a", "[\"b\"]", ok_time,
                                        ",\"body\":null");
  expect_bad_msg (other_id, "[\"b\"]", JC_ERROR_INVALID);
  g_autofree char *bad_from = envelope (ID, "a b", "[\"b\"]", ok_time, ",\"body\":null");
  expect_bad_msg (bad_from, "[\"b\"]", JC_ERROR_INVALID);
  g_autofree char *bad_to = envelope (ID, "a", "[\"b;drop\"]", ok_time, ",\"body\":null");
  expect_bad_msg (bad_to, "[\"b\"]", JC_ERROR_INVALID);
  g_autofree char *no_to = envelope (ID, "a", "[]", ok_time, ",\"body\":null");
  expect_bad_msg (no_to, "[\"b\"]", JC_ERROR_INVALID);
  g_autofree char *bad_time = envelope (ID, "a", "[\"b\"]", "yesterday", ",\"body\":null");
  expect_bad_msg (bad_time, "[\"b\"]", JC_ERROR_INVALID);
  g_autofree char *no_body = envelope (ID, "a", "[\"b\"]", ok_time, "");
  expect_bad_msg (no_body, "[\"b\"]", JC_ERROR_INVALID);
  expect_bad_msg (good, "[\"@nowhere\"]", JC_ERROR_INVALID);
  expect_bad_msg (good, "[\"c\"]", JC_ERROR_INVALID);  /* not among the envelope's recipients */
  expect_bad_msg (good, "\"b\"", JC_ERROR_INVALID);
  g_autofree char *huge_body = g_strdup_printf (",\"body\":\"%0*d\"", 5000, 0);
  g_autofree char *huge = envelope (ID, "a", "[\"b\"]", ok_time, huge_body);
  expect_bad_msg (huge, "[\"b\"]", JC_ERROR_TOO_LARGE);
}

static void
test_addresses (void)
{
  g_assert_true (jc_net_address_valid ("@root"));
  g_assert_true (jc_net_address_valid ("@parent"));
  g_assert_true (jc_net_address_valid ("nsi-relay.dept_2:x"));
  g_assert_false (jc_net_address_valid ("@other"));
  g_assert_false (jc_net_address_valid (""));
  g_assert_false (jc_net_address_valid ("a b"));
  g_autofree char *long_id = g_strnfill (129, 'a');
  g_assert_false (jc_net_node_id_valid (long_id));
  g_assert_false (jc_net_node_id_valid ("é"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_assert_true (jc_init (NULL));
  g_test_add_func ("/net/frame/roundtrip", test_roundtrip);
  g_test_add_func ("/net/frame/malformed-frames", test_malformed_frames);
  g_test_add_func ("/net/frame/malformed-envelopes", test_malformed_envelopes);
  g_test_add_func ("/net/frame/addresses", test_addresses);
  return g_test_run ();
}
