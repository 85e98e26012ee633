#define G_LOG_DOMAIN "joconde-guest"
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "jc-error.h"
#include "jc-guest-cta.h"
#include "jc-guest-server.h"

typedef struct {
  GMainLoop *loop;
  GBytes    *body;
  guint      status;
} Reply;

static void
on_sent (GObject *source, GAsyncResult *res, gpointer user_data)
{
  Reply *r = user_data;
  g_autoptr(GError) error = NULL;

  r->body = soup_session_send_and_read_finish (SOUP_SESSION (source), res, &error);
  g_assert_no_error (error);
  r->status = soup_message_get_status (soup_session_get_async_result_message (SOUP_SESSION (source), res));
  g_main_loop_quit (r->loop);
}

/* Sends one request to the in-process server and runs the main loop until it is answered. */
static Reply
request (guint16 port, const char *method, const char *path)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u%s", port, path);
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  Reply r = { g_main_loop_new (NULL, FALSE), NULL, 0 };

  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, on_sent, &r);
  g_main_loop_run (r.loop);
  g_main_loop_unref (r.loop);
  return r;
}

static JsonObject *
parse_object (GBytes *body, JsonParser *parser)
{
  gsize len = 0;
  const char *data = g_bytes_get_data (body, &len);
  g_autoptr(GError) error = NULL;

  g_assert_true (json_parser_load_from_data (parser, data, (gssize) len, &error));
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_node_get_object (json_parser_get_root (parser));
}

static void
test_health_without_cta (void)
{
  g_autoptr(JcGuestServer) server = jc_guest_server_new (NULL, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *obj;
  Reply r;

  g_assert_true (jc_guest_server_listen (server, "127.0.0.1:0", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (jc_guest_server_get_port (server), >, 0);

  r = request (jc_guest_server_get_port (server), "GET", "/health");
  g_assert_cmpuint (r.status, ==, 200);
  obj = parse_object (r.body, parser);
  g_assert_cmpstr (json_object_get_string_member (obj, "state"), ==, "initialisation");
  g_assert_cmpstr (json_object_get_string_member (obj, "version"), ==, PACKAGE_VERSION);
  g_assert_false (json_object_has_member (obj, "cta_sha256"));
  g_bytes_unref (r.body);
}

static void
test_health_with_cta (void)
{
  g_autoptr(GBytes) cta = g_bytes_new_static ("abc", 3);
  g_autoptr(JcGuestServer) server = jc_guest_server_new (cta, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *obj;
  Reply r;

  g_assert_true (jc_guest_server_listen (server, "127.0.0.1:0", &error));
  r = request (jc_guest_server_get_port (server), "GET", "/health");
  g_assert_cmpuint (r.status, ==, 200);
  obj = parse_object (r.body, parser);
  /* SHA-256("abc"), FIPS 180-2 appendix B.1 */
  g_assert_cmpstr (json_object_get_string_member (obj, "cta_sha256"), ==,
                   "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  g_bytes_unref (r.body);
}

static void
test_refusals (void)
{
  g_autoptr(JcGuestServer) server = jc_guest_server_new (NULL, NULL);
  g_autoptr(GError) error = NULL;
  guint16 port;
  Reply r;

  g_assert_true (jc_guest_server_listen (server, "127.0.0.1:0", &error));
  port = jc_guest_server_get_port (server);

  r = request (port, "POST", "/health");
  g_assert_cmpuint (r.status, ==, 405);
  g_bytes_unref (r.body);
  r = request (port, "GET", "/nothing-here");
  g_assert_cmpuint (r.status, ==, 404);
  g_bytes_unref (r.body);
  r = request (port, "GET", "/health/x");
  g_assert_cmpuint (r.status, ==, 404);
  g_bytes_unref (r.body);
}

static void
test_bad_listen_addresses (void)
{
  const char *bad[] = { "", "8443", "localhost:8443", "127.0.0.1:", "127.0.0.1:65536",
                        "127.0.0.1:-1", "[::1:8443", "::1:8443x", "127.0.0.1:80a", NULL };

  for (guint i = 0; bad[i]; i++)
    {
      g_autoptr(JcGuestServer) server = jc_guest_server_new (NULL, NULL);
      g_autoptr(GError) error = NULL;

      g_assert_false (jc_guest_server_listen (server, bad[i], &error));
      g_assert_error (error, JC_ERROR, JC_ERROR_INVALID);
    }
}

static void
test_cta_load (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("jc-guest-XXXXXX", &error);
  g_autofree char *empty = g_build_filename (dir, "empty", NULL);
  g_autofree char *good = g_build_filename (dir, "good", NULL);
  g_autofree char *missing = g_build_filename (dir, "missing", NULL);
  g_autoptr(GBytes) cta = NULL;
  g_autofree char *hash = NULL;

  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (empty, "", 0, NULL));
  g_assert_true (g_file_set_contents (good, "abc", 3, NULL));

  g_assert_null (jc_guest_cta_load (missing, &error));
  g_assert_error (error, JC_ERROR, JC_ERROR_NOT_FOUND);
  g_clear_error (&error);
  /* a directory is not an agreement */
  g_assert_null (jc_guest_cta_load (dir, &error));
  g_assert_error (error, JC_ERROR, JC_ERROR_IO);
  g_clear_error (&error);
  g_assert_null (jc_guest_cta_load (empty, &error));
  g_assert_error (error, JC_ERROR, JC_ERROR_INVALID);
  g_clear_error (&error);

  {
    /* one byte over the limit is refused */
    g_autofree char *big = g_build_filename (dir, "big", NULL);
    g_autofree char *data = g_malloc0 (JC_GUEST_CTA_MAX_SIZE + 1);

    g_assert_true (g_file_set_contents (big, data, JC_GUEST_CTA_MAX_SIZE + 1, NULL));
    g_assert_null (jc_guest_cta_load (big, &error));
    g_assert_error (error, JC_ERROR, JC_ERROR_TOO_LARGE);
    g_clear_error (&error);
    g_unlink (big);
  }

  cta = jc_guest_cta_load (good, &error);
  g_assert_no_error (error);
  hash = jc_guest_cta_hash (cta);
  g_assert_cmpstr (hash, ==, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");

  g_unlink (empty);
  g_unlink (good);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/guest/server/health", test_health_without_cta);
  g_test_add_func ("/guest/server/health-cta", test_health_with_cta);
  g_test_add_func ("/guest/server/refusals", test_refusals);
  g_test_add_func ("/guest/server/bad-listen", test_bad_listen_addresses);
  g_test_add_func ("/guest/cta/load", test_cta_load);
  return g_test_run ();
}
