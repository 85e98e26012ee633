#define G_LOG_DOMAIN "joconde-test"
#include "config.h"

#include <gnutls/crypto.h>
#include <stdarg.h>
#include <string.h>

#include "jc-chain-fingerprint.h"
#include "jc-pki-private.h"
#include "jc-roles.h"
#include "pki-fixture.h"

/* CHAIN checked against ROOT at WHEN, for the roles REQUIRED, is refused with STATUS and
 * an error of CODE (0: any) whose message holds each of the NULL-terminated fragments. */
static void
assert_chain_refused (GPtrArray *chain, JcCert *root, gint64 when, JcRoles required,
                      JcChainStatus status, int code, ...)
{
  g_autoptr(GError) error = NULL;
  const char *fragment;
  va_list ap;

  g_assert_cmpint (jc_chain_verify (chain, root, when, NULL, required, &error), ==, status);
  g_assert_nonnull (error);
  if (code)
    g_assert_error (error, JC_ERROR, code);
  va_start (ap, code);
  while ((fragment = va_arg (ap, const char *)) != NULL)
    g_assert_nonnull (strstr (error->message, fragment));
  va_end (ap);
}

static void
test_roles (void)
{
  g_autoptr(GError) error = NULL;
  JcRoles r = JC_ROLE_NONE;
  g_autofree char *s = NULL;

  g_assert_true (jc_roles_parse ("relay, organiser,cp", &r, &error));
  g_assert_cmpint (r, ==, JC_ROLE_RELAY | JC_ROLE_ORGANISER | JC_ROLE_CP);
  s = jc_roles_to_string (r);
  g_assert_cmpstr (s, ==, "relay,organiser,cp");
  g_assert_true (jc_roles_parse ("", &r, &error));
  g_assert_cmpint (r, ==, JC_ROLE_NONE);
  g_assert_false (jc_roles_parse ("relay,king", &r, &error));
  g_assert_error (error, JC_ERROR, JC_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "king"));
  g_assert_cmpstr (jc_role_get_name (JC_ROLE_APPROVER), ==, "approver");
  g_assert_null (jc_role_get_name (JC_ROLE_RELAY | JC_ROLE_CP));
}

static void
test_identity_validation (void)
{
  struct { const char *o, *ou, *email, *cn; const char *word; } bad[] = {
    { NULL, "d", "a@b.org", "n", "company" },
    { "c", "d", NULL, "n", "e-mail" },
    { "c", "d", "a@b.org", "", "node name" },
    { "c", "d", "not-an-address", "n", "e-mail" },
    { "c", "d", "a@b@c.org", "n", "e-mail" },
    { "c", "d", "a b@c.org", "n", "e-mail" },
    { "c", "d", "a@localhost", "n", "e-mail" },
    { "c\n", "d", "a@b.org", "n", "control" },
    { " c", "d", "a@b.org", "n", "space" },
    { "c", "d", "a@b.org", "0123456789012345678901234567890123456789012345678901234567890123456789", "64" },
    { "\xff", "d", "a@b.org", "n", "UTF-8" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JcNodeIdentity) id = jc_node_identity_new (bad[i].o, bad[i].ou, bad[i].email, bad[i].cn);
      g_assert_false (jc_node_identity_validate (id, &error));
      g_assert_error (error, JC_ERROR, JC_ERROR_INVALID);
      g_assert_nonnull (strstr (error->message, bad[i].word));
    }
  {
    g_autoptr(JcNodeIdentity) ok = jc_node_identity_new ("Banque Générale", NULL,
                                                         "joconde@stat.bank.example", "desk-1");
    g_assert_true (jc_node_identity_validate (ok, NULL));
  }
}

static void
test_tree_valid (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) chain = NULL;
  g_autoptr(GPtrArray) with_root = NULL;
  Tree t;

  tree_init (&t);
  chain = chain_of (t.leaf, t.org, t.so, NULL);
  g_assert_cmpint (jc_chain_verify (chain, t.root, t.now, NULL, JC_ROLE_ORGANISER, &error), ==, JC_CHAIN_OK);
  g_assert_no_error (error);
  /* The root may be carried at the end of the chain. */
  with_root = chain_of (t.leaf, t.org, t.so, t.root, NULL);
  g_assert_cmpint (jc_chain_verify (with_root, t.root, t.now, NULL, 0, &error), ==, JC_CHAIN_OK);
  /* Still valid well into the passive period, and at the last second. */
  g_assert_cmpint (jc_chain_verify (chain, t.root, t.now + 400 * 86400, NULL, 0, &error), ==, JC_CHAIN_OK);
  g_assert_cmpint (jc_chain_verify (chain, t.root, jc_cert_get_not_after (t.leaf), NULL, 0, &error),
                   ==, JC_CHAIN_OK);
  g_assert_no_error (error);

  /* The certificate says what the spec asks. */
  g_assert_cmpstr (jc_cert_get_name (t.leaf), ==, "desk-1");
  g_assert_cmpstr (jc_cert_get_company (t.leaf), ==, "Bank A");
  g_assert_cmpstr (jc_cert_get_department (t.leaf), ==, "Statistics");
  g_assert_cmpstr (jc_cert_get_email (t.leaf), ==, "joconde@stat.bank-a.example");
  g_assert_cmpstr (jc_cert_get_issuer_name (t.leaf), ==, "org-relay");
  g_assert_cmpint (jc_cert_get_roles (t.leaf), ==, JC_ROLE_ORGANISER | JC_ROLE_SIGNATORY);
  g_assert_cmpint (jc_cert_get_roles (t.so), ==, JC_ROLE_RELAY | JC_ROLE_APPROVER);
  g_assert_cmpint (jc_cert_get_roles (t.root), ==, JC_ROLE_NONE);
  g_assert_null (jc_cert_get_department (t.root));
  g_assert_true (jc_cert_is_ca (t.leaf));
  g_assert_true (jc_cert_is_ca (t.root));
  g_assert_true (jc_cert_is_self_signed (t.root));
  g_assert_false (jc_cert_is_self_signed (t.leaf));
  g_assert_true (jc_cert_is_signed_by (t.leaf, t.org));
  g_assert_false (jc_cert_is_signed_by (t.leaf, t.so));
  g_assert_cmpstr (jc_cert_get_key_id (t.leaf), ==, jc_node_key_get_id (t.leaf_key));
  g_assert_cmpuint (strlen (jc_cert_get_serial (t.leaf)), ==, 32);
  g_assert_cmpstr (jc_cert_get_serial (t.leaf), !=, jc_cert_get_serial (t.org));

  /* Active six months, then passive until 24 months. */
  g_assert_true (jc_cert_is_active_at (t.leaf, t.now));
  g_assert_true (jc_cert_is_active_at (t.leaf, t.now + 180 * 86400));
  g_assert_false (jc_cert_is_active_at (t.leaf, t.now + 190 * 86400));
  g_assert_true (jc_cert_is_valid_at (t.leaf, t.now + 190 * 86400));
  g_assert_cmpint (jc_cert_get_not_after (t.leaf) - t.now, >=, 729 * 86400);
  g_assert_cmpint (jc_cert_get_not_after (t.leaf) - t.now, <=, 732 * 86400);
  g_assert_cmpint (jc_cert_get_active_until (t.leaf) - t.now, >=, 181 * 86400);
  g_assert_cmpint (jc_cert_get_active_until (t.leaf) - t.now, <=, 184 * 86400);
  g_assert_cmpint (jc_cert_get_active_until (t.root), ==, jc_cert_get_not_after (t.root));

  /* PEM round trip of one certificate and of a chain. */
  {
    g_autofree char *pem = jc_cert_list_to_pem (chain);
    g_autoptr(GPtrArray) back = jc_cert_list_new_from_pem (pem, -1, &error);
    g_autofree char *one = jc_cert_to_pem (t.leaf);
    g_autoptr(JcCert) leaf = jc_cert_new_from_pem (one, -1, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (back->len, ==, 3);
    g_assert_true (jc_cert_equal (g_ptr_array_index (back, 0), t.leaf));
    g_assert_true (jc_cert_equal (leaf, t.leaf));
    g_assert_cmpint (jc_chain_verify (back, t.root, t.now, NULL, 0, NULL), ==, JC_CHAIN_OK);
    g_assert_null (jc_cert_new_from_pem (pem, -1, &error)); /* three, not one */
    g_assert_error (error, JC_ERROR, JC_ERROR_INVALID);
    g_clear_error (&error);
    g_assert_null (jc_cert_list_new_from_pem ("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", -1, &error));
    g_assert_error (error, JC_ERROR, JC_ERROR_INVALID);
    g_clear_error (&error);
    g_assert_null (jc_cert_list_new_from_pem ("", -1, &error));
    g_assert_error (error, JC_ERROR, JC_ERROR_INVALID);
  }
  tree_clear (&t);
}

static void
test_node_signature (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) sig = NULL;
  guint8 h[32];
  Tree t;

  tree_init (&t);
  gnutls_hash_fast (GNUTLS_DIG_SHA256, "{\"type\":\"CTSA\"}", 15, h);
  sig = jc_node_key_sign_hash (t.leaf_key, h, 32, &error);
  g_assert_no_error (error);
  g_assert_true (jc_cert_verify_hash (t.leaf, h, 32, g_bytes_get_data (sig, NULL), 64, &error));
  g_assert_no_error (error);
  g_assert_false (jc_cert_verify_hash (t.org, h, 32, g_bytes_get_data (sig, NULL), 64, &error));
  g_assert_error (error, JC_ERROR, JC_ERROR_BAD_SIGNATURE);
  g_assert_nonnull (strstr (error->message, "org-relay"));
  tree_clear (&t);
}

static void
test_expired_and_not_yet_valid (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) chain = NULL;
  g_autoptr(JcNodeKey) k = tree_key ();
  g_autoptr(JcCert) short_leaf = NULL;
  JcValidity v;
  Tree t;

  tree_init (&t);
  /* A leaf valid for one day from tomorrow. */
  v.not_before = t.now + 86400;
  v.active_until = t.now + 2 * 86400;
  v.not_after = t.now + 2 * 86400;
  short_leaf = tree_issue (t.org_key, t.org, k, "Bank A", NULL, "a@bank-a.example", "short",
                           JC_ROLE_ANALYST, &v);
  chain = chain_of (short_leaf, t.org, t.so, NULL);
  assert_chain_refused (chain, t.root, t.now, 0, JC_CHAIN_NOT_YET_VALID, JC_ERROR_EXPIRED,
                        "short", "not valid before", NULL);
  g_assert_cmpint (jc_chain_verify (chain, t.root, t.now + 86400 + 60, NULL, 0, &error), ==, JC_CHAIN_OK);
  assert_chain_refused (chain, t.root, t.now + 3 * 86400, 0, JC_CHAIN_EXPIRED, JC_ERROR_EXPIRED,
                        "short", "expired", NULL);
  /* Beyond 24 months the intermediates expire too: the one nearest the root is named. */
  g_clear_pointer (&chain, g_ptr_array_unref);
  chain = chain_of (t.leaf, t.org, t.so, NULL);
  assert_chain_refused (chain, t.root, t.now + 800 * 86400, 0, JC_CHAIN_EXPIRED, 0, "so-relay", NULL);
  /* Before the root existed. */
  assert_chain_refused (chain, t.root, t.now - 86400, 0, JC_CHAIN_NOT_YET_VALID, 0, "root", NULL);
  tree_clear (&t);
}

static void
test_wrong_ca (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcNodeKey) other_key = tree_key ();
  g_autoptr(JcNodeKey) twin_key = tree_key ();
  g_autoptr(JcCert) other_root = NULL;
  g_autoptr(JcCert) twin_root = NULL;
  g_autoptr(GPtrArray) chain = NULL;
  g_autoptr(GPtrArray) broken = NULL;
  Tree t;

  tree_init (&t);
  chain = chain_of (t.leaf, t.org, t.so, NULL);
  /* Another tree's root: unknown issuer. */
  other_root = tree_root (other_key, "Another JOCONDE root CA", t.now);
  assert_chain_refused (chain, other_root, t.now, 0, JC_CHAIN_UNKNOWN_ISSUER, JC_ERROR_UNTRUSTED,
                        "another certificate tree", NULL);
  /* A root with the same name but another key (its key identifier differs). */
  twin_root = tree_root (twin_key, "Statistics Office JOCONDE root CA", t.now);
  assert_chain_refused (chain, twin_root, t.now, 0, JC_CHAIN_UNKNOWN_ISSUER, JC_ERROR_UNTRUSTED, NULL);
  /* A leaf whose signature was altered: names match, signature does not. */
  {
    g_autoptr(GBytes) der = jc_cert_get_der (t.leaf);
    gsize len = g_bytes_get_size (der);
    guint8 *copy = g_memdup2 (g_bytes_get_data (der, NULL), len);
    g_autoptr(GBytes) bad_der = NULL;
    g_autoptr(JcCert) bad = NULL;
    g_autoptr(GPtrArray) bad_chain = NULL;

    copy[len - 1] ^= 0x01; /* last byte of the signature's s */
    bad_der = g_bytes_new_take (copy, len);
    bad = jc_cert_new_from_der (bad_der, &error);
    g_assert_no_error (error);
    bad_chain = chain_of (bad, t.org, t.so, NULL);
    assert_chain_refused (bad_chain, t.root, t.now, 0, JC_CHAIN_BAD_SIGNATURE, JC_ERROR_BAD_SIGNATURE,
                          "desk-1", NULL);
  }
  /* A missing intermediate. */
  broken = chain_of (t.leaf, t.so, NULL);
  assert_chain_refused (broken, t.root, t.now, 0, JC_CHAIN_UNKNOWN_ISSUER, 0, "org-relay", NULL);
  /* Empty, and the root alone. */
  g_ptr_array_set_size (broken, 0);
  assert_chain_refused (broken, t.root, t.now, 0, JC_CHAIN_MALFORMED, 0, NULL);
  g_ptr_array_add (broken, g_object_ref (t.root));
  assert_chain_refused (broken, t.root, t.now, 0, JC_CHAIN_MALFORMED, 0, NULL);
  assert_chain_refused (NULL, t.root, t.now, 0, JC_CHAIN_MALFORMED, 0, NULL);
  tree_clear (&t);
}

static void
test_chain_too_long (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) chain = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(JcNodeKey) parent_key = NULL;
  g_autoptr(JcCert) parent = NULL;
  JcValidity v;
  Tree t;

  tree_init (&t);
  jc_validity_init_months (&v, t.now, 6, 18);
  parent_key = g_object_ref (t.root_key);
  parent = g_object_ref (t.root);
  for (int depth = 1; depth <= JC_CHAIN_MAX_DEPTH + 1; depth++)
    {
      g_autoptr(JcNodeKey) k = tree_key ();
      g_autofree char *name = g_strdup_printf ("level-%d", depth);
      JcCert *c = tree_issue (parent_key, parent, k, "Deep", NULL, "d@deep.example", name, JC_ROLE_RELAY, &v);

      g_ptr_array_insert (chain, 0, c);
      if (depth == JC_CHAIN_MAX_DEPTH)
        g_assert_cmpint (jc_chain_verify (chain, t.root, t.now, NULL, 0, &error), ==, JC_CHAIN_OK);
      g_set_object (&parent_key, k);
      g_set_object (&parent, c);
    }
  assert_chain_refused (chain, t.root, t.now, 0, JC_CHAIN_MALFORMED, 0, "too long", NULL);
  tree_clear (&t);
}

/* A certificate made with GnuTLS directly, valid from a minute before NOW for a day: NAME
 * with KEY, signed by ISSUER (with ISSUER_KEY); NOT_CA marks it as no CA (CA:FALSE). */
static JcCert *
gnutls_cert (guint8 serial, const char *name, JcNodeKey *key, gboolean not_ca, JcCert *issuer,
             JcNodeKey *issuer_key, gint64 now)
{
  g_autoptr(GError) error = NULL;
  gnutls_x509_crt_t crt;
  JcCert *cert;

  gnutls_x509_crt_init (&crt);
  gnutls_x509_crt_set_version (crt, 3);
  gnutls_x509_crt_set_serial (crt, &serial, 1);
  gnutls_x509_crt_set_activation_time (crt, now - 60);
  gnutls_x509_crt_set_expiration_time (crt, now + 86400);
  gnutls_x509_crt_set_dn_by_oid (crt, GNUTLS_OID_X520_COMMON_NAME, 0, name, strlen (name));
  gnutls_x509_crt_set_pubkey (crt, jc_node_key_get_pubkey (key));
  if (not_ca)
    gnutls_x509_crt_set_basic_constraints (crt, 0, -1);
  g_assert_cmpint (gnutls_x509_crt_privkey_sign (crt, jc_cert_get_gnutls (issuer),
                                                 jc_node_key_get_privkey (issuer_key),
                                                 GNUTLS_DIG_SHA256, 0), ==, 0);
  cert = jc_cert_new_take (crt, &error); /* takes crt */
  g_assert_no_error (error);
  return cert;
}

static void
test_not_ca (void)
{
  /* A certificate whose issuer is not a CA, made with GnuTLS directly (our own code
   * only makes CAs). */
  g_autoptr(GError) error = NULL;
  g_autoptr(JcNodeKey) mid_key = tree_key ();
  g_autoptr(JcNodeKey) leaf_key = tree_key ();
  g_autoptr(JcCert) mid = NULL, leaf = NULL;
  g_autoptr(GPtrArray) chain = NULL;
  Tree t;

  tree_init (&t);
  mid = gnutls_cert (1, "not-a-ca", mid_key, TRUE, t.root, t.root_key, t.now);
  g_assert_false (jc_cert_is_ca (mid));
  leaf = gnutls_cert (2, "under-not-a-ca", leaf_key, FALSE, mid, mid_key, t.now);

  chain = chain_of (leaf, mid, NULL);
  assert_chain_refused (chain, t.root, t.now, 0, JC_CHAIN_NOT_CA, JC_ERROR_UNTRUSTED, "not-a-ca", NULL);

  /* And our CA code refuses to issue with it. */
  {
    g_autoptr(JcNodeIdentity) id = jc_node_identity_new ("X", NULL, "x@x.example", "x");
    g_autoptr(JcNodeKey) k = tree_key ();
    g_autoptr(JcCsr) csr = jc_csr_new (k, id, 0, NULL);
    JcValidity v;
    jc_validity_init_months (&v, t.now, 6, 18);
    g_assert_null (jc_ca_issue (mid_key, mid, csr, 0, &v, &error));
    g_assert_error (error, JC_ERROR, JC_ERROR_DENIED);
  }
  tree_clear (&t);
}

static void
test_role_checks (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) chain = NULL;
  g_autoptr(GPtrArray) org_chain = NULL;
  Tree t;

  tree_init (&t);
  chain = chain_of (t.leaf, t.org, t.so, NULL);
  g_assert_cmpint (jc_chain_verify (chain, t.root, t.now, NULL, JC_ROLE_ORGANISER | JC_ROLE_SIGNATORY,
                                    &error), ==, JC_CHAIN_OK);
  assert_chain_refused (chain, t.root, t.now, JC_ROLE_APPROVER, JC_CHAIN_ROLE_MISSING, JC_ERROR_DENIED,
                        "approver", "desk-1", NULL);
  g_assert_cmpint (jc_chain_verify (chain, t.root, t.now, NULL, JC_ROLE_ORGANISER | JC_ROLE_CP,
                                    &error), ==, JC_CHAIN_ROLE_MISSING);
  g_assert_nonnull (strstr (error->message, "cp"));
  g_assert_null (strstr (error->message, "organiser"));
  g_clear_error (&error);
  /* A role of an intermediate does not pass to its children. */
  org_chain = chain_of (t.org, t.so, NULL);
  g_assert_cmpint (jc_chain_verify (org_chain, t.root, t.now, NULL, JC_ROLE_RELAY, NULL), ==, JC_CHAIN_OK);
  g_assert_cmpint (jc_chain_verify (chain, t.root, t.now, NULL, JC_ROLE_RELAY, NULL), ==, JC_CHAIN_ROLE_MISSING);
  tree_clear (&t);
}

static void
test_issuer_chooses_roles (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcNodeKey) k = tree_key ();
  g_autoptr(JcNodeIdentity) id = jc_node_identity_new ("Bank A", "Risk", "risk@bank-a.example", "desk-2");
  g_autoptr(JcCsr) csr = jc_csr_new (k, id, JC_ROLE_APPROVER | JC_ROLE_ORGANISER, &error);
  g_autoptr(JcCsr) back = NULL;
  g_autoptr(JcCert) cert = NULL;
  g_autofree char *pem = NULL;
  JcValidity v;
  Tree t;

  tree_init (&t);
  g_assert_no_error (error);
  pem = jc_csr_to_pem (csr);
  back = jc_csr_new_from_pem (pem, -1, &error);
  g_assert_no_error (error);
  g_assert_true (jc_node_identity_equal (jc_csr_get_identity (back), id));
  g_assert_cmpint (jc_csr_get_requested_roles (back), ==, JC_ROLE_APPROVER | JC_ROLE_ORGANISER);
  g_assert_cmpstr (jc_csr_get_key_id (back), ==, jc_node_key_get_id (k));
  jc_validity_init_months (&v, t.now, 6, 18);
  cert = jc_ca_issue (t.org_key, t.org, back, JC_ROLE_ORGANISER, &v, &error);
  g_assert_no_error (error);
  g_assert_cmpint (jc_cert_get_roles (cert), ==, JC_ROLE_ORGANISER);
  g_assert_cmpstr (jc_cert_get_department (cert), ==, "Risk");
  g_assert_cmpstr (jc_cert_get_email (cert), ==, "risk@bank-a.example");

  /* Wrong issuer key, own key in the CSR, validity beyond the issuer's (clamped). */
  g_assert_null (jc_ca_issue (t.so_key, t.org, back, 0, &v, &error));
  g_assert_error (error, JC_ERROR, JC_ERROR_INVALID);
  g_clear_error (&error);
  {
    g_autoptr(JcCsr) own = jc_csr_new (t.org_key, id, 0, NULL);
    g_assert_null (jc_ca_issue (t.org_key, t.org, own, 0, &v, &error));
    g_assert_error (error, JC_ERROR, JC_ERROR_INVALID);
    g_clear_error (&error);
  }
  {
    JcValidity longer = v;
    g_autoptr(JcCert) clamped = NULL;
    longer.not_after += 10 * 365 * 86400LL;
    clamped = jc_ca_issue (t.org_key, t.org, back, 0, &longer, &error);
    g_assert_no_error (error);
    g_assert_cmpint (jc_cert_get_not_after (clamped), ==, jc_cert_get_not_after (t.org));
  }
  tree_clear (&t);
}

static void
test_csr_refused (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcNodeKey) k = tree_key ();
  g_autoptr(JcNodeIdentity) id = jc_node_identity_new ("Bank A", NULL, "a@bank-a.example", "n");
  g_autoptr(JcCsr) csr = jc_csr_new (k, id, 0, &error);
  g_autoptr(GBytes) der = jc_csr_get_der (csr);
  g_autoptr(GBytes) tampered = NULL;
  guint8 *copy = g_memdup2 (g_bytes_get_data (der, NULL), g_bytes_get_size (der));
  gsize at = 0;

  g_assert_no_error (error);
  /* Change "Bank A" to "Bank B" inside the signed part. */
  while (at + 6 <= g_bytes_get_size (der) && memcmp (copy + at, "Bank A", 6) != 0)
    at++;
  g_assert_cmpuint (at + 6, <=, g_bytes_get_size (der));
  copy[at + 5] = 'B';
  tampered = g_bytes_new_take (copy, g_bytes_get_size (der));
  g_assert_null (jc_csr_new_from_der (tampered, &error));
  g_assert_error (error, JC_ERROR, JC_ERROR_BAD_SIGNATURE);
  g_clear_error (&error);
  g_assert_null (jc_csr_new_from_pem ("garbage", -1, &error));
  g_assert_error (error, JC_ERROR, JC_ERROR_INVALID);
  g_clear_error (&error);
  /* A CSR cannot be made for a bad identity. */
  {
    g_autoptr(JcNodeIdentity) bad = jc_node_identity_new ("Bank A", NULL, "nobody", "n");
    g_assert_null (jc_csr_new (k, bad, 0, &error));
    g_assert_error (error, JC_ERROR, JC_ERROR_INVALID);
  }
}

static void
test_relay_hosts (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcNodeKey) k = tree_key ();
  g_autoptr(JcNodeIdentity) id = jc_node_identity_new ("Bank A", "IT", "relay@bank-a.example", "relay-a");
  const char *hosts[] = { "relay.bank-a.example", "127.0.0.1", "::1", NULL };
  g_autoptr(JcCsr) csr = NULL;
  g_autoptr(JcCert) cert = NULL;
  g_autoptr(JcNodeIdentity) back = NULL;
  JcValidity v;
  Tree t;

  tree_init (&t);
  jc_validity_init_months (&v, t.now, 6, 18);
  jc_node_identity_set_hosts (id, hosts);
  csr = jc_csr_new (k, id, JC_ROLE_RELAY, &error);
  g_assert_no_error (error);
  g_assert_true (g_strv_equal ((const char *const *) jc_csr_get_identity (csr)->hosts, hosts));
  /* Hosts only go into a relay's certificate. */
  g_assert_null (jc_ca_issue (t.so_key, t.so, csr, JC_ROLE_ORGANISER, &v, &error));
  g_assert_error (error, JC_ERROR, JC_ERROR_DENIED);
  g_assert_nonnull (strstr (error->message, "relay-a"));
  g_clear_error (&error);
  cert = jc_ca_issue (t.so_key, t.so, csr, JC_ROLE_RELAY, &v, &error);
  g_assert_no_error (error);
  g_assert_true (g_strv_equal (jc_cert_get_hosts (cert), hosts));
  back = jc_cert_get_identity (cert);
  g_assert_true (jc_node_identity_equal (back, id));
  g_assert_null (jc_cert_get_hosts (t.leaf));

  {
    const char *bad[] = { "Relay.example", "a..b", "-a.example", "a-.example", "127.000.0.1",
                          "a_b.example", "", "a.example.", "x y", NULL };
    for (guint i = 0; bad[i] != NULL; i++)
      {
        const char *one[] = { bad[i], NULL };
        jc_node_identity_set_hosts (id, one);
        g_assert_false (jc_node_identity_validate (id, &error));
        g_assert_error (error, JC_ERROR, JC_ERROR_INVALID);
        g_clear_error (&error);
      }
  }
  {
    const char *twice[] = { "a.example", "a.example", NULL };
    g_autoptr(GPtrArray) many = g_ptr_array_new_with_free_func (g_free);
    jc_node_identity_set_hosts (id, twice);
    g_assert_false (jc_node_identity_validate (id, &error));
    g_assert_nonnull (strstr (error->message, "twice"));
    g_clear_error (&error);
    for (int i = 0; i <= JC_NODE_IDENTITY_MAX_HOSTS; i++)
      g_ptr_array_add (many, g_strdup_printf ("h%d.example", i));
    g_ptr_array_add (many, NULL);
    jc_node_identity_set_hosts (id, (const char *const *) many->pdata);
    g_assert_false (jc_node_identity_validate (id, &error));
    g_assert_error (error, JC_ERROR, JC_ERROR_INVALID);
    g_clear_error (&error);
    jc_node_identity_set_hosts (id, NULL);
    g_assert_true (jc_node_identity_validate (id, &error));
  }
  tree_clear (&t);
}

static void
test_fingerprint (void)
{
  g_autoptr(GPtrArray) chain = NULL;
  g_autoptr(GPtrArray) with_root = NULL;
  g_autoptr(GPtrArray) other = NULL;
  g_autofree char *d1 = NULL, *h1 = NULL, *d2 = NULL, *h2 = NULL, *h3 = NULL;
  g_autofree char *d4 = NULL;
  Tree t;

  tree_init (&t);
  chain = chain_of (t.leaf, t.org, t.so, NULL);
  with_root = chain_of (t.leaf, t.org, t.so, t.root, NULL);
  jc_chain_fingerprint (chain, t.root, &d1, &h1);
  jc_chain_fingerprint (with_root, t.root, &d2, &h2);
  jc_chain_fingerprint (with_root, NULL, NULL, &h3);
  /* Same chain, however given: same fingerprint. */
  g_assert_cmpstr (d1, ==, d2);
  g_assert_cmpstr (h1, ==, h2);
  g_assert_cmpstr (h1, ==, h3);
  g_assert_cmpuint (strlen (d1), ==, 12 * 5 + 11);
  g_assert_cmpuint (strlen (h1), ==, 64);
  /* Recompute by hand: SHA-256 of the concatenated DER. */
  {
    GByteArray *all = g_byte_array_new ();
    guint8 d[32];
    g_autofree char *hex = NULL;
    for (guint i = 0; i < with_root->len; i++)
      {
        g_autoptr(GBytes) der = jc_cert_get_der (g_ptr_array_index (with_root, i));
        g_byte_array_append (all, g_bytes_get_data (der, NULL), g_bytes_get_size (der));
      }
    gnutls_hash_fast (GNUTLS_DIG_SHA256, all->data, all->len, d);
    hex = g_strdup_printf ("%02x%02x", d[0], d[1]);
    g_assert_true (g_str_has_prefix (h1, hex));
    g_byte_array_unref (all);
  }
  /* Another chain: another fingerprint. */
  other = chain_of (t.org, t.so, NULL);
  jc_chain_fingerprint (other, t.root, &d4, NULL);
  g_assert_cmpstr (d1, !=, d4);
  tree_clear (&t);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_assert_true (jc_init (NULL));
  g_test_add_func ("/pki/roles", test_roles);
  g_test_add_func ("/pki/identity-validation", test_identity_validation);
  g_test_add_func ("/pki/tree/valid", test_tree_valid);
  g_test_add_func ("/pki/tree/node-signature", test_node_signature);
  g_test_add_func ("/pki/tree/expired-not-yet-valid", test_expired_and_not_yet_valid);
  g_test_add_func ("/pki/tree/wrong-ca", test_wrong_ca);
  g_test_add_func ("/pki/tree/too-long", test_chain_too_long);
  g_test_add_func ("/pki/tree/not-ca", test_not_ca);
  g_test_add_func ("/pki/tree/roles", test_role_checks);
  g_test_add_func ("/pki/tree/issuer-chooses-roles", test_issuer_chooses_roles);
  g_test_add_func ("/pki/csr/refused", test_csr_refused);
  g_test_add_func ("/pki/tree/relay-hosts", test_relay_hosts);
  g_test_add_func ("/pki/fingerprint", test_fingerprint);
  return g_test_run ();
}
