#define G_LOG_DOMAIN "joconde-test"
#include "config.h"

#include <string.h>

#include "jc-rotation.h"
#include "pki-fixture.h"

static void
test_rotation (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcNodeKey) new_key = tree_key ();
  g_autoptr(JcRotationRequest) req = NULL;
  g_autoptr(JcRotationRequest) received = NULL;
  g_autoptr(JcCert) renewed = NULL;
  g_autoptr(GPtrArray) old_chain = NULL;
  g_autoptr(GPtrArray) new_chain = NULL;
  g_autofree char *json = NULL;
  JcValidity v;
  gint64 later;
  Tree t;

  tree_init (&t);
  later = t.now + 190 * 86400; /* the leaf has become passive: time to rotate */
  g_assert_false (jc_cert_is_active_at (t.leaf, later));
  req = jc_rotation_request_new (t.leaf_key, t.leaf, new_key, &error);
  g_assert_no_error (error);
  json = jc_rotation_request_to_json (req);
  received = jc_rotation_request_new_from_json (json, -1, &error);
  g_assert_no_error (error);
  g_assert_true (jc_rotation_request_verify (received, t.org, later, &error));
  g_assert_no_error (error);

  jc_validity_init_months (&v, later, 6, 18);
  renewed = jc_ca_issue_rotation (t.org_key, t.org, received, &v, later, &error);
  g_assert_no_error (error);
  /* Same node, same roles, new key. */
  g_assert_cmpstr (jc_cert_get_name (renewed), ==, "desk-1");
  g_assert_cmpstr (jc_cert_get_company (renewed), ==, "Bank A");
  g_assert_cmpstr (jc_cert_get_department (renewed), ==, "Statistics");
  g_assert_cmpstr (jc_cert_get_email (renewed), ==, jc_cert_get_email (t.leaf));
  g_assert_cmpint (jc_cert_get_roles (renewed), ==, jc_cert_get_roles (t.leaf));
  g_assert_cmpstr (jc_cert_get_key_id (renewed), ==, jc_node_key_get_id (new_key));
  g_assert_true (jc_cert_is_active_at (renewed, later));
  /* Both the old (passive) and the new (active) certificate chain. */
  old_chain = chain_of (t.leaf, t.org, t.so, NULL);
  new_chain = chain_of (renewed, t.org, t.so, NULL);
  g_assert_cmpint (jc_chain_verify (old_chain, t.root, later, NULL, JC_ROLE_ORGANISER, &error), ==, JC_CHAIN_OK);
  g_assert_cmpint (jc_chain_verify (new_chain, t.root, later, NULL, JC_ROLE_ORGANISER, &error), ==, JC_CHAIN_OK);
  g_assert_no_error (error);
  tree_clear (&t);
}

static void
test_rotation_refused (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcNodeKey) new_key = tree_key ();
  g_autoptr(JcNodeKey) thief_key = tree_key ();
  g_autoptr(JcRotationRequest) req = NULL;
  g_autofree char *json = NULL;
  JcValidity v;
  Tree t;

  tree_init (&t);
  jc_validity_init_months (&v, t.now, 6, 18);

  /* Signed with a key that is not the previous certificate's: refused at creation... */
  g_assert_null (jc_rotation_request_new (thief_key, t.leaf, new_key, &error));
  g_assert_error (error, JC_ERROR, JC_ERROR_INVALID);
  g_clear_error (&error);
  /* ...and a forged one (a valid request whose signature is replaced by one from another
   * key) is refused by the parent. */
  {
    g_autoptr(JcRotationRequest) honest = jc_rotation_request_new (t.leaf_key, t.leaf, new_key, &error);
    g_autoptr(JcRotationRequest) other = NULL;
    g_autoptr(JcRotationRequest) forged = NULL;
    g_autoptr(JcCert) thief_cert = NULL;
    g_autofree char *honest_json = jc_rotation_request_to_json (honest);
    g_autofree char *other_json = NULL;
    g_autofree char *forged_json = NULL;
    const char *s1, *s2;

    /* A certificate for the thief's key lets it sign a request of its own. */
    thief_cert = tree_issue (t.org_key, t.org, thief_key, "Bank A", "Statistics",
                             "joconde@stat.bank-a.example", "thief", 0, &v);
    other = jc_rotation_request_new (thief_key, thief_cert, new_key, &error);
    g_assert_no_error (error);
    other_json = jc_rotation_request_to_json (other);
    s1 = strstr (honest_json, "\"signature\"");
    s2 = strstr (other_json, "\"signature\"");
    {
      g_autofree char *head = g_strndup (honest_json, s1 - honest_json);
      forged_json = g_strconcat (head, s2, NULL);
    }
    forged = jc_rotation_request_new_from_json (forged_json, -1, &error);
    g_assert_no_error (error);
    g_assert_false (jc_rotation_request_verify (forged, t.org, t.now, &error));
    g_assert_error (error, JC_ERROR, JC_ERROR_BAD_SIGNATURE);
    g_assert_nonnull (strstr (error->message, "previous key"));
    g_clear_error (&error);
    g_assert_null (jc_ca_issue_rotation (t.org_key, t.org, forged, &v, t.now, &error));
    g_assert_error (error, JC_ERROR, JC_ERROR_BAD_SIGNATURE);
    g_clear_error (&error);
  }
  /* Keeping the same key is not a rotation. */
  g_assert_null (jc_rotation_request_new (t.leaf_key, t.leaf, t.leaf_key, &error));
  g_assert_error (error, JC_ERROR, JC_ERROR_INVALID);
  g_clear_error (&error);

  req = jc_rotation_request_new (t.leaf_key, t.leaf, new_key, &error);
  g_assert_no_error (error);
  /* Sent to the wrong parent. */
  g_assert_false (jc_rotation_request_verify (req, t.so, t.now, &error));
  g_assert_error (error, JC_ERROR, JC_ERROR_UNTRUSTED);
  g_clear_error (&error);
  /* After the previous certificate expired: manual re-enrolment only. */
  g_assert_false (jc_rotation_request_verify (req, t.org, t.now + 800 * 86400, &error));
  g_assert_error (error, JC_ERROR, JC_ERROR_EXPIRED);
  g_clear_error (&error);

  /* Malformed JSON. */
  json = jc_rotation_request_to_json (req);
  {
    g_autofree char *wrong_type = g_strdup (json);
    char *p = strstr (wrong_type, "joconde-rotation-request");
    p[0] = 'J';
    g_assert_null (jc_rotation_request_new_from_json (wrong_type, -1, &error));
    g_assert_error (error, JC_ERROR, JC_ERROR_INVALID);
    g_clear_error (&error);
  }
  g_assert_null (jc_rotation_request_new_from_json ("{", -1, &error));
  g_assert_error (error, JC_ERROR, JC_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (jc_rotation_request_new_from_json (
      "{\"type\":\"joconde-rotation-request\",\"version\":1,\"csr\":\"x\","
      "\"previous_certificate\":\"y\",\"signature\":\"z\"}", -1, &error));
  g_assert_error (error, JC_ERROR, JC_ERROR_INVALID);
  tree_clear (&t);
}

static void
test_rotation_keeps_hosts (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcNodeKey) k1 = tree_key ();
  g_autoptr(JcNodeKey) k2 = tree_key ();
  g_autoptr(JcNodeIdentity) id = jc_node_identity_new ("Bank A", "IT", "relay@bank-a.example", "relay-a");
  const char *hosts[] = { "relay.bank-a.example", "192.0.2.7", NULL };
  g_autoptr(JcCsr) csr = NULL;
  g_autoptr(JcCert) first = NULL, second = NULL;
  g_autoptr(JcRotationRequest) req = NULL;
  JcValidity v;
  Tree t;

  tree_init (&t);
  jc_validity_init_months (&v, t.now, 6, 18);
  jc_node_identity_set_hosts (id, hosts);
  csr = jc_csr_new (k1, id, JC_ROLE_RELAY, &error);
  first = jc_ca_issue (t.so_key, t.so, csr, JC_ROLE_RELAY, &v, &error);
  g_assert_no_error (error);
  req = jc_rotation_request_new (k1, first, k2, &error);
  g_assert_no_error (error);
  second = jc_ca_issue_rotation (t.so_key, t.so, req, &v, t.now, &error);
  g_assert_no_error (error);
  g_assert_true (g_strv_equal (jc_cert_get_hosts (second), hosts));
  g_assert_cmpint (jc_cert_get_roles (second), ==, JC_ROLE_RELAY);
  tree_clear (&t);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_assert_true (jc_init (NULL));
  g_test_add_func ("/pki/rotation/ok", test_rotation);
  g_test_add_func ("/pki/rotation/refused", test_rotation_refused);
  g_test_add_func ("/pki/rotation/keeps-hosts", test_rotation_keeps_hosts);
  return g_test_run ();
}
