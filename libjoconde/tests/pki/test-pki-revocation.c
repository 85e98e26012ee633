#define G_LOG_DOMAIN "joconde-test"
#include "config.h"

#include <string.h>

#include "jc-crl.h"
#include "jc-revocation-request.h"
#include "jc-revocations.h"
#include "pki-fixture.h"

/* A CRL of ISSUER (signed with KEY), issued just before NOW, that lists REVOKED as revoked
 * ten seconds before NOW. */
static JcCrl *
crl_revoking (JcNodeKey *key, JcCert *issuer, JcCert *revoked, gint64 now, gint64 next_update,
              guint64 number)
{
  g_autoptr(GError) error = NULL;
  JcCrlEntry e[] = { { jc_cert_get_serial (revoked), now - 10 } };
  JcCrl *crl = jc_crl_new_signed (key, issuer, e, 1, now - 5, next_update, number, &error);

  g_assert_no_error (error);
  return crl;
}

/* The leaf's chain (leaf, org relay, SO relay) checked at WHEN against REV. */
static JcChainStatus
leaf_chain_status (Tree *t, JcRevocations *rev, gint64 when, GError **error)
{
  g_autoptr(GPtrArray) chain = chain_of (t->leaf, t->org, t->so, NULL);

  return jc_chain_verify (chain, t->root, when, rev, 0, error);
}

static void
test_crl_revokes (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) org_chain = NULL;
  g_autoptr(JcCrl) crl = NULL;
  g_autoptr(JcCrl) back = NULL;
  g_autoptr(JcRevocations) rev = jc_revocations_new ();
  g_autofree char *pem = NULL;
  Tree t;

  tree_init (&t);
  crl = crl_revoking (t.org_key, t.org, t.leaf, t.now, t.now + 7 * 86400, t.now);
  /* PEM round trip, signature and content. */
  pem = jc_crl_to_pem (crl);
  g_assert_true (g_str_has_prefix (pem, "-----BEGIN X509 CRL-----"));
  back = jc_crl_new_from_pem (pem, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (jc_crl_get_n_entries (back), ==, 1);
  g_assert_cmpint (jc_crl_get_this_update (back), ==, t.now - 5);
  g_assert_cmpint (jc_crl_get_next_update (back), ==, t.now + 7 * 86400);
  g_assert_true (jc_crl_verify (back, t.org, &error));
  g_assert_no_error (error);
  g_assert_false (jc_crl_verify (back, t.so, &error));
  g_assert_error (error, JC_ERROR, JC_ERROR_UNTRUSTED);
  g_clear_error (&error);
  {
    gint64 when = 0;
    g_assert_true (jc_crl_lookup (back, jc_cert_get_serial (t.leaf), &when));
    g_assert_cmpint (when, ==, t.now - 10);
    g_assert_false (jc_crl_lookup (back, jc_cert_get_serial (t.org), NULL));
  }

  jc_revocations_add_crl (rev, back);
  g_assert_cmpint (leaf_chain_status (&t, rev, t.now, &error), ==, JC_CHAIN_REVOKED);
  g_assert_error (error, JC_ERROR, JC_ERROR_REVOKED);
  g_assert_nonnull (strstr (error->message, "desk-1"));
  g_clear_error (&error);
  /* Before its revocation time the certificate was good (old signatures stay checkable). */
  g_assert_cmpint (leaf_chain_status (&t, rev, t.now - 60, &error), ==, JC_CHAIN_OK);
  /* The parent is not affected. */
  org_chain = chain_of (t.org, t.so, NULL);
  g_assert_cmpint (jc_chain_verify (org_chain, t.root, t.now, rev, 0, &error), ==, JC_CHAIN_OK);
  g_assert_no_error (error);
  tree_clear (&t);
}

static void
test_crl_from_wrong_issuer_ignored (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcCrl) crl = NULL;
  g_autoptr(JcRevocations) rev = jc_revocations_new ();
  Tree t;

  tree_init (&t);
  /* The SO relay lists the leaf's serial, but it did not issue the leaf: no effect. */
  crl = crl_revoking (t.so_key, t.so, t.leaf, t.now, t.now + 86400, 1);
  g_assert_true (jc_crl_verify (crl, t.so, NULL)); /* genuine, just not the leaf's issuer */
  jc_revocations_add_crl (rev, crl);
  g_assert_cmpint (leaf_chain_status (&t, rev, t.now, &error), ==, JC_CHAIN_OK);
  g_assert_no_error (error);
  /* Signing a CRL needs the issuer's own key. */
  g_assert_null (jc_crl_new_signed (t.so_key, t.org, NULL, 0, t.now, t.now + 1, 1, &error));
  g_assert_error (error, JC_ERROR, JC_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (jc_crl_new_signed (t.org_key, t.org, NULL, 0, t.now, t.now, 1, &error));
  g_assert_error (error, JC_ERROR, JC_ERROR_INVALID);
  g_clear_error (&error);
  {
    JcCrlEntry e[] = { { "zz", t.now } };
    g_assert_null (jc_crl_new_signed (t.org_key, t.org, e, 1, t.now, t.now + 1, 1, &error));
    g_assert_error (error, JC_ERROR, JC_ERROR_INVALID);
    g_clear_error (&error);
  }
  g_assert_null (jc_crl_new_from_pem ("-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n", -1, &error));
  g_assert_error (error, JC_ERROR, JC_ERROR_INVALID);
  tree_clear (&t);
}

static void
test_intermediate_revoked (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcCrl) crl = NULL;
  g_autoptr(JcRevocations) rev = jc_revocations_new ();
  Tree t;

  tree_init (&t);
  crl = crl_revoking (t.so_key, t.so, t.org, t.now, t.now + 86400, 1);
  g_assert_true (jc_crl_verify (crl, t.so, &error));
  g_assert_no_error (error);
  g_assert_true (jc_crl_lookup (crl, jc_cert_get_serial (t.org), NULL));
  jc_revocations_add_crl (rev, crl);
  g_assert_cmpint (leaf_chain_status (&t, rev, t.now, &error), ==, JC_CHAIN_REVOKED);
  g_assert_nonnull (strstr (error->message, "org-relay"));
  tree_clear (&t);
}

static void
test_lost_key (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcRevocations) rev = jc_revocations_new ();
  g_autoptr(JcRevocations) back = NULL;
  g_autofree char *json = NULL, *json2 = NULL;
  Tree t;

  tree_init (&t);
  g_assert_true (jc_revocations_revoke_key (rev, jc_cert_get_key_id (t.leaf), t.now - 100,
                                            "laptop lost", &error));
  g_assert_cmpint (leaf_chain_status (&t, rev, t.now, &error), ==, JC_CHAIN_REVOKED);
  g_assert_error (error, JC_ERROR, JC_ERROR_REVOKED);
  g_clear_error (&error);
  /* Saved and loaded, it still revokes; the file is stable. */
  json = jc_revocations_keys_to_json (rev);
  g_assert_nonnull (strstr (json, "laptop lost"));
  back = jc_revocations_new_from_json (json, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (leaf_chain_status (&t, back, t.now, &error), ==, JC_CHAIN_REVOKED);
  g_clear_error (&error);
  json2 = jc_revocations_keys_to_json (back);
  g_assert_cmpstr (json, ==, json2);
  {
    gint64 when = 0;
    g_assert_true (jc_revocations_is_key_revoked (back, jc_node_key_get_id (t.leaf_key), t.now, &when));
    g_assert_cmpint (when, ==, t.now - 100);
    g_assert_false (jc_revocations_is_key_revoked (back, jc_node_key_get_id (t.leaf_key), t.now - 200, NULL));
  }
  /* Bad ids and bad files. */
  g_assert_false (jc_revocations_revoke_key (rev, "ABC", t.now, NULL, &error));
  g_assert_error (error, JC_ERROR, JC_ERROR_INVALID);
  g_clear_error (&error);
  {
    const char *bad[] = {
      "", "[]", "{\"type\":\"joconde-revoked-keys\",\"version\":2,\"keys\":[]}",
      "{\"type\":\"x\",\"version\":1,\"keys\":[]}",
      "{\"type\":\"joconde-revoked-keys\",\"version\":1,\"keys\":[1]}",
      "{\"type\":\"joconde-revoked-keys\",\"version\":1,\"keys\":[{\"key_id\":\"00\",\"revoked_at\":\"2026-01-01T00:00:00Z\"}]}",
      "{\"type\":\"joconde-revoked-keys\",\"version\":1,\"keys\":[{\"key_id\":\"" 
        "0000000000000000000000000000000000000000000000000000000000000000\",\"revoked_at\":\"yesterday\"}]}",
      "{\"type\":\"joconde-revoked-keys\",\"version\":1,\"keys\":[{\"key_id\":\""
        "0000000000000000000000000000000000000000000000000000000000000000\"}]}",
      "{\"type\":\"joconde-revoked-keys\",\"version\":1,\"keys\":[{\"key_id\":\""
        "0000000000000000000000000000000000000000000000000000000000000000\",\"revoked_at\":\"2026-01-01T00:00:00Z\",\"reason\":5}]}",
    };
    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_assert_null (jc_revocations_new_from_json (bad[i], -1, &error));
        g_assert_error (error, JC_ERROR, JC_ERROR_INVALID);
        g_clear_error (&error);
      }
  }
  tree_clear (&t);
}

static void
test_revocation_request (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcRevocationRequest) req = NULL;
  g_autoptr(JcRevocationRequest) received = NULL;
  g_autofree char *json = NULL;
  Tree t;

  tree_init (&t);
  req = jc_revocation_request_new (t.leaf_key, t.leaf, "key copied to a stolen laptop", t.now, &error);
  g_assert_no_error (error);
  json = jc_revocation_request_to_json (req);
  received = jc_revocation_request_new_from_json (json, -1, &error);
  g_assert_no_error (error);
  g_assert_true (jc_revocation_request_verify (received, &error));
  g_assert_no_error (error);
  g_assert_true (jc_cert_equal (jc_revocation_request_get_certificate (received), t.leaf));
  g_assert_cmpstr (jc_revocation_request_get_reason (received), ==, "key copied to a stolen laptop");
  g_assert_cmpint (jc_revocation_request_get_requested_at (received), ==, t.now);

  /* Only the key being revoked can ask. */
  g_assert_null (jc_revocation_request_new (t.org_key, t.leaf, NULL, t.now, &error));
  g_assert_error (error, JC_ERROR, JC_ERROR_INVALID);
  g_clear_error (&error);
  /* Altering the reason (or anything signed) breaks the signature. */
  {
    g_autofree char *changed = g_strdup (json);
    char *p = strstr (changed, "stolen");
    g_autoptr(JcRevocationRequest) forged = NULL;
    memcpy (p, "broken", 6);
    forged = jc_revocation_request_new_from_json (changed, -1, &error);
    g_assert_no_error (error);
    g_assert_false (jc_revocation_request_verify (forged, &error));
    g_assert_error (error, JC_ERROR, JC_ERROR_BAD_SIGNATURE);
    g_clear_error (&error);
  }
  {
    const char *bad[] = {
      "{}", "{\"type\":\"joconde-revocation-request\",\"version\":1}",
      "{\"type\":\"joconde-revocation-request\",\"version\":1,\"certificate\":\"x\","
      "\"requested_at\":\"2026-01-01T00:00:00Z\",\"reason\":\"\",\"signature\":\"AA\"}",
      "{\"type\":\"joconde-revocation-request\",\"version\":1,\"certificate\":\"x\","
      "\"requested_at\":\"soon\",\"reason\":\"\",\"signature\":\"AA\"}",
    };
    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_assert_null (jc_revocation_request_new_from_json (bad[i], -1, &error));
        g_assert_error (error, JC_ERROR, JC_ERROR_INVALID);
        g_clear_error (&error);
      }
  }
  tree_clear (&t);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_assert_true (jc_init (NULL));
  g_test_add_func ("/pki/revocation/crl", test_crl_revokes);
  g_test_add_func ("/pki/revocation/crl-wrong-issuer", test_crl_from_wrong_issuer_ignored);
  g_test_add_func ("/pki/revocation/intermediate", test_intermediate_revoked);
  g_test_add_func ("/pki/revocation/lost-key", test_lost_key);
  g_test_add_func ("/pki/revocation/request", test_revocation_request);
  return g_test_run ();
}
