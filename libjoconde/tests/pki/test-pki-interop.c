#define G_LOG_DOMAIN "joconde-test"
#include "config.h"

/* Interoperability: certificates, chains and CRLs made by libjoconde are checked by
 * GnuTLS's certtool and by OpenSSL, and CSRs made by those tools are accepted. */
#include <string.h>

#include "jc-crl.h"
#include "pki-fixture.h"

typedef struct {
  int   status;
  char *out;
} Run;

static Run
run (const char *const *argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL, *err = NULL;
  Run r = { -1, NULL };

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
                &r.status, &error);
  g_assert_no_error (error);
  r.out = g_strconcat (out, err, NULL);
  return r;
}

static gboolean
run_ok (const char *const *argv, char **output)
{
  Run r = run (argv);
  gboolean ok = g_spawn_check_wait_status (r.status, NULL);

  if (g_test_verbose ())
    g_printerr ("%s: %s\n", argv[0], r.out);
  if (output != NULL)
    *output = r.out;
  else
    g_free (r.out);
  return ok;
}

static char *
write_pem (const char *dir, const char *name, const char *pem)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir, name, NULL);

  g_file_set_contents (path, pem, -1, &error);
  g_assert_no_error (error);
  return path;
}

static char *
write_certs (const char *dir, const char *name, JcCert *first, ...)
{
  g_autoptr(GPtrArray) a = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *pem = NULL;
  va_list ap;

  va_start (ap, first);
  for (JcCert *c = first; c != NULL; c = va_arg (ap, JcCert *))
    g_ptr_array_add (a, g_object_ref (c));
  va_end (ap);
  pem = jc_cert_list_to_pem (a);
  return write_pem (dir, name, pem);
}

static void
test_certtool_verify_chain (void)
{
  g_autofree char *dir = test_tmpdir_new ("jc-pki-XXXXXX");
  g_autoptr(JcNodeKey) other_key = tree_key ();
  g_autoptr(JcCert) other_root = NULL;
  g_autofree char *chain = NULL, *bad_chain = NULL, *root = NULL, *leaf_chain = NULL, *out = NULL;
  Tree t;

  tree_init (&t);
  chain = write_certs (dir, "chain.pem", t.leaf, t.org, t.so, t.root, NULL);
  leaf_chain = write_certs (dir, "leaf-chain.pem", t.leaf, t.org, t.so, NULL);
  root = write_certs (dir, "root.pem", t.root, NULL);
  other_root = tree_root (other_key, "Statistics Office JOCONDE root CA", t.now);
  bad_chain = write_certs (dir, "bad-chain.pem", t.leaf, t.org, t.so, other_root, NULL);
  {
    const char *argv[] = { "certtool", "--verify-chain", "--infile", chain, NULL };
    g_assert_true (run_ok (argv, &out));
    g_assert_nonnull (strstr (out, "Chain verification output: Verified"));
    g_clear_pointer (&out, g_free);
  }
  {
    const char *argv[] = { "certtool", "--verify", "--load-ca-certificate", root,
                           "--infile", leaf_chain, NULL };
    g_assert_true (run_ok (argv, NULL));
  }
  {
    const char *argv[] = { "certtool", "--verify-chain", "--infile", bad_chain, NULL };
    g_assert_false (run_ok (argv, NULL));
  }
  /* certtool shows the roles and the contact address. */
  {
    g_autofree char *leaf = write_certs (dir, "leaf.pem", t.leaf, NULL);
    const char *argv[] = { "certtool", "-i", "--infile", leaf, NULL };
    g_assert_true (run_ok (argv, &out));
    g_assert_nonnull (strstr (out, "urn:joconde:role:organiser"));
    g_assert_nonnull (strstr (out, "joconde@stat.bank-a.example"));
  }
  test_tmpdir_remove (dir);
  tree_clear (&t);
}

static void
test_openssl_verify (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = test_tmpdir_new ("jc-pki-XXXXXX");
  g_autoptr(JcNodeKey) other_key = tree_key ();
  g_autoptr(JcCert) other_root = NULL;
  g_autoptr(JcCrl) crl = NULL;
  g_autofree char *root = NULL, *inter = NULL, *leaf = NULL, *other = NULL, *crl_path = NULL;
  g_autofree char *out = NULL, *crl_pem = NULL, *both = NULL;
  Tree t;

  tree_init (&t);
  root = write_certs (dir, "root.pem", t.root, NULL);
  inter = write_certs (dir, "intermediates.pem", t.org, t.so, NULL);
  leaf = write_certs (dir, "leaf.pem", t.leaf, NULL);
  other_root = tree_root (other_key, "Other JOCONDE root CA", t.now);
  other = write_certs (dir, "other-root.pem", other_root, NULL);
  {
    const char *argv[] = { "openssl", "verify", "-CAfile", root, "-untrusted", inter, leaf, NULL };
    g_assert_true (run_ok (argv, &out));
    g_assert_nonnull (strstr (out, ": OK"));
    g_clear_pointer (&out, g_free);
  }
  {
    const char *argv[] = { "openssl", "verify", "-CAfile", other, "-untrusted", inter, leaf, NULL };
    g_assert_false (run_ok (argv, NULL));
  }
  /* OpenSSL shows every extension of the profile. */
  {
    const char *argv[] = { "openssl", "x509", "-in", leaf, "-noout", "-text", NULL };
    g_assert_true (run_ok (argv, &out));
    g_assert_nonnull (strstr (out, "CA:TRUE"));
    g_assert_nonnull (strstr (out, "URI:urn:joconde:role:organiser"));
    g_assert_nonnull (strstr (out, "URI:urn:joconde:role:signatory"));
    g_assert_nonnull (strstr (out, "email:joconde@stat.bank-a.example"));
    g_assert_nonnull (strstr (out, "Private Key Usage Period"));
    g_assert_nonnull (strstr (out, "O = Bank A, OU = Statistics, CN = desk-1"));
    g_clear_pointer (&out, g_free);
  }
  /* A CRL of the leaf's issuer makes OpenSSL refuse the leaf. */
  {
    JcCrlEntry e[] = { { jc_cert_get_serial (t.leaf), t.now - 10 } };
    g_autoptr(JcCrl) so_crl = NULL;
    g_autofree char *so_pem = NULL;
    crl = jc_crl_new_signed (t.org_key, t.org, e, 1, t.now - 5, t.now + 86400, 2, &error);
    g_assert_no_error (error);
    /* An empty CRL of the SO relay, for the -crl_check_all check below. */
    so_crl = jc_crl_new_signed (t.so_key, t.so, NULL, 0, t.now - 5, t.now + 86400, 1, &error);
    g_assert_no_error (error);
    crl_pem = jc_crl_to_pem (crl);
    so_pem = jc_crl_to_pem (so_crl);
    both = g_strconcat (crl_pem, so_pem, NULL);
  }
  crl_path = write_pem (dir, "crl.pem", both);
  {
    const char *argv[] = { "openssl", "verify", "-crl_check", "-CAfile", root, "-untrusted", inter,
                           "-CRLfile", crl_path, leaf, NULL };
    g_assert_false (run_ok (argv, &out));
    g_assert_nonnull (strstr (out, "revoked"));
    g_clear_pointer (&out, g_free);
  }
  {
    /* The issuer itself is not revoked by those CRLs. */
    g_autofree char *org = write_certs (dir, "org.pem", t.org, NULL);
    g_autofree char *so = write_certs (dir, "so.pem", t.so, NULL);
    g_autoptr(JcCrl) root_crl = NULL;

    /* With -crl_check_all OpenSSL wants every CA's CRL, the root's included. */
    root_crl = jc_crl_new_signed (t.root_key, t.root, NULL, 0, t.now - 5, t.now + 86400, 1, &error);
    {
      g_autofree char *root_pem = jc_crl_to_pem (root_crl);
      g_autofree char *all = g_strconcat (both, root_pem, NULL);
      g_autofree char *all_path = write_pem (dir, "crl-all.pem", all);
      const char *argv2[] = { "openssl", "verify", "-crl_check_all", "-CAfile", root, "-untrusted", so,
                              "-CRLfile", all_path, org, NULL };
      const char *argv3[] = { "openssl", "verify", "-crl_check_all", "-CAfile", root, "-untrusted", inter,
                              "-CRLfile", all_path, leaf, NULL };
      g_assert_true (run_ok (argv2, NULL));
      g_assert_false (run_ok (argv3, NULL));
    }
  }
  test_tmpdir_remove (dir);
  tree_clear (&t);
}

static JcCert *
issue_foreign_csr (Tree *t, const char *csr_path, GError **error)
{
  g_autofree char *pem = NULL;
  g_autoptr(JcCsr) csr = NULL;
  JcValidity v;

  g_assert_true (g_file_get_contents (csr_path, &pem, NULL, NULL));
  csr = jc_csr_new_from_pem (pem, -1, error);
  if (csr == NULL)
    return NULL;
  jc_validity_init_months (&v, t->now, 6, 18);
  return jc_ca_issue (t->org_key, t->org, csr, JC_ROLE_CUSTODIAN, &v, error);
}

static void
test_foreign_csr (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = test_tmpdir_new ("jc-pki-XXXXXX");
  g_autofree char *key = g_build_filename (dir, "k.pem", NULL);
  g_autofree char *tmpl = g_build_filename (dir, "req.tmpl", NULL);
  g_autofree char *req = g_build_filename (dir, "req.pem", NULL);
  g_autofree char *req2 = g_build_filename (dir, "req2.pem", NULL);
  g_autofree char *edkey = g_build_filename (dir, "ed.pem", NULL);
  g_autofree char *req3 = g_build_filename (dir, "req3.pem", NULL);
  g_autoptr(JcCert) cert = NULL, cert2 = NULL;
  g_autoptr(GPtrArray) chain = NULL;
  Tree t;

  tree_init (&t);
  g_file_set_contents (tmpl, "organization = \"Bank C\"\nunit = \"Census\"\ncn = \"certtool-node\"\n"
                             "email = \"census@bank-c.example\"\n", -1, &error);
  g_assert_no_error (error);
  {
    const char *gen[] = { "certtool", "--generate-privkey", "--key-type=ecdsa", "--curve=secp256r1",
                          "--outfile", key, NULL };
    const char *csr[] = { "certtool", "--generate-request", "--load-privkey", key, "--template", tmpl,
                          "--outfile", req, NULL };
    g_assert_true (run_ok (gen, NULL));
    g_assert_true (run_ok (csr, NULL));
  }
  cert = issue_foreign_csr (&t, req, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (jc_cert_get_name (cert), ==, "certtool-node");
  g_assert_cmpstr (jc_cert_get_company (cert), ==, "Bank C");
  g_assert_cmpstr (jc_cert_get_department (cert), ==, "Census");
  g_assert_cmpstr (jc_cert_get_email (cert), ==, "census@bank-c.example");
  g_assert_cmpint (jc_cert_get_roles (cert), ==, JC_ROLE_CUSTODIAN);
  chain = chain_of (cert, t.org, t.so, NULL);
  g_assert_cmpint (jc_chain_verify (chain, t.root, t.now, NULL, JC_ROLE_CUSTODIAN, &error), ==, JC_CHAIN_OK);
  g_assert_no_error (error);

  /* An OpenSSL request with the address in the subject is accepted too. */
  {
    const char *argv[] = { "openssl", "req", "-new", "-key", key, "-subj",
                           "/O=Bank D/CN=openssl-node/emailAddress=joconde@bank-d.example",
                           "-out", req2, NULL };
    g_assert_true (run_ok (argv, NULL));
  }
  cert2 = issue_foreign_csr (&t, req2, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (jc_cert_get_email (cert2), ==, "joconde@bank-d.example");
  g_assert_null (jc_cert_get_department (cert2));

  /* A request for an Ed25519 key is refused: node keys are P-256. */
  {
    const char *gen[] = { "openssl", "genpkey", "-algorithm", "ED25519", "-out", edkey, NULL };
    const char *csr[] = { "openssl", "req", "-new", "-key", edkey, "-subj",
                          "/O=Bank E/CN=ed-node/emailAddress=joconde@bank-e.example", "-out", req3, NULL };
    g_assert_true (run_ok (gen, NULL));
    g_assert_true (run_ok (csr, NULL));
  }
  g_assert_null (issue_foreign_csr (&t, req3, &error));
  g_assert_error (error, JC_ERROR, JC_ERROR_UNSUPPORTED);
  test_tmpdir_remove (dir);
  tree_clear (&t);
}

static void
test_host_names (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = test_tmpdir_new ("jc-pki-XXXXXX");
  g_autoptr(JcNodeKey) k = tree_key ();
  g_autoptr(JcNodeIdentity) id = jc_node_identity_new ("Bank A", "IT", "relay@bank-a.example", "relay-a");
  const char *hosts[] = { "relay.bank-a.example", "127.0.0.1", NULL };
  g_autoptr(JcCsr) csr = NULL;
  g_autoptr(JcCert) relay = NULL;
  g_autofree char *root = NULL, *inter = NULL, *leaf = NULL, *chain = NULL;
  JcValidity v;
  Tree t;

  tree_init (&t);
  jc_validity_init_months (&v, t.now, 6, 18);
  jc_node_identity_set_hosts (id, hosts);
  csr = jc_csr_new (k, id, JC_ROLE_RELAY, &error);
  relay = jc_ca_issue (t.so_key, t.so, csr, JC_ROLE_RELAY, &v, &error);
  g_assert_no_error (error);
  root = write_certs (dir, "root.pem", t.root, NULL);
  inter = write_certs (dir, "inter.pem", t.so, NULL);
  leaf = write_certs (dir, "relay.pem", relay, NULL);
  chain = write_certs (dir, "chain.pem", relay, t.so, t.root, NULL);
  {
    const char *ok_ip[] = { "openssl", "verify", "-CAfile", root, "-untrusted", inter,
                            "-verify_ip", "127.0.0.1", leaf, NULL };
    const char *ok_dns[] = { "openssl", "verify", "-CAfile", root, "-untrusted", inter,
                             "-verify_hostname", "relay.bank-a.example", leaf, NULL };
    const char *bad_dns[] = { "openssl", "verify", "-CAfile", root, "-untrusted", inter,
                              "-verify_hostname", "relay.bank-b.example", leaf, NULL };
    const char *ct_ok[] = { "certtool", "--verify-chain", "--verify-hostname", "relay.bank-a.example",
                            "--infile", chain, NULL };
    const char *ct_bad[] = { "certtool", "--verify-chain", "--verify-hostname", "10.0.0.1",
                             "--infile", chain, NULL };
    g_assert_true (run_ok (ok_ip, NULL));
    g_assert_true (run_ok (ok_dns, NULL));
    g_assert_false (run_ok (bad_dns, NULL));
    g_assert_true (run_ok (ct_ok, NULL));
    g_assert_false (run_ok (ct_bad, NULL));
  }
  test_tmpdir_remove (dir);
  tree_clear (&t);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_assert_true (jc_init (NULL));
  g_test_add_func ("/pki/interop/certtool-verify-chain", test_certtool_verify_chain);
  g_test_add_func ("/pki/interop/openssl-verify", test_openssl_verify);
  g_test_add_func ("/pki/interop/foreign-csr", test_foreign_csr);
  g_test_add_func ("/pki/interop/host-names", test_host_names);
  return g_test_run ();
}
