/* Shared by the pki tests: a small tree made at test time.
 *   root CA ("Statistics Office JOCONDE root CA")
 *     └── so-relay (relay, approver)
 *           └── org-relay (relay), company "Bank A", department "Statistics"
 *                 └── leaf "desk-1" (organiser, signatory) */
#pragma once

#include <glib.h>

#include "jc-ca.h"
#include "jc-cert.h"
#include "jc-chain.h"
#include "jc-csr.h"
#include "jc-error.h"
#include "jc-init.h"
#include "../test-tmpdir.h"
#include "jc-node-key.h"

typedef struct {
  gint64     now;
  JcNodeKey *root_key, *so_key, *org_key, *leaf_key;
  JcCert    *root, *so, *org, *leaf;
} Tree;

G_GNUC_UNUSED static JcCert *
tree_issue (JcNodeKey *issuer_key, JcCert *issuer, JcNodeKey *key, const char *company,
            const char *dept, const char *email, const char *name, JcRoles roles,
            const JcValidity *v)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcNodeIdentity) id = jc_node_identity_new (company, dept, email, name);
  g_autoptr(JcCsr) csr = jc_csr_new (key, id, roles, &error);
  JcCert *cert;

  g_assert_no_error (error);
  cert = jc_ca_issue (issuer_key, issuer, csr, roles, v, &error);
  g_assert_no_error (error);
  return cert;
}

G_GNUC_UNUSED static JcNodeKey *
tree_key (void)
{
  g_autoptr(GError) error = NULL;
  JcNodeKey *k = jc_node_key_generate (&error);

  g_assert_no_error (error);
  return k;
}

G_GNUC_UNUSED static JcCert *
tree_root (JcNodeKey *key, const char *name, gint64 now)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcNodeIdentity) id = jc_node_identity_new ("Statistics Office", NULL,
                                                       "pki@so.example.org", name);
  JcValidity v;
  JcCert *root;

  jc_validity_init_root (&v, now);
  root = jc_ca_create_root (key, id, &v, &error);
  g_assert_no_error (error);
  return root;
}

G_GNUC_UNUSED static void
tree_init (Tree *t)
{
  JcValidity v;

  t->now = g_get_real_time () / G_USEC_PER_SEC;
  jc_validity_init_months (&v, t->now, JC_PKI_ACTIVE_MONTHS, JC_PKI_PASSIVE_MONTHS);
  t->root_key = tree_key ();
  t->so_key = tree_key ();
  t->org_key = tree_key ();
  t->leaf_key = tree_key ();
  t->root = tree_root (t->root_key, "Statistics Office JOCONDE root CA", t->now);
  t->so = tree_issue (t->root_key, t->root, t->so_key, "Statistics Office", "Operations",
                      "relay@so.example.org", "so-relay", JC_ROLE_RELAY | JC_ROLE_APPROVER, &v);
  t->org = tree_issue (t->so_key, t->so, t->org_key, "Bank A", "Statistics",
                       "joconde@stat.bank-a.example", "org-relay", JC_ROLE_RELAY, &v);
  t->leaf = tree_issue (t->org_key, t->org, t->leaf_key, "Bank A", "Statistics",
                        "joconde@stat.bank-a.example", "desk-1",
                        JC_ROLE_ORGANISER | JC_ROLE_SIGNATORY, &v);
}

G_GNUC_UNUSED static void
tree_clear (Tree *t)
{
  g_clear_object (&t->root_key);
  g_clear_object (&t->so_key);
  g_clear_object (&t->org_key);
  g_clear_object (&t->leaf_key);
  g_clear_object (&t->root);
  g_clear_object (&t->so);
  g_clear_object (&t->org);
  g_clear_object (&t->leaf);
}

/* A new chain array of the given certificates, leaf first, NULL-terminated arguments. */
G_GNUC_UNUSED static GPtrArray *
chain_of (JcCert *first, ...)
{
  GPtrArray *a = g_ptr_array_new_with_free_func (g_object_unref);
  va_list ap;

  va_start (ap, first);
  for (JcCert *c = first; c != NULL; c = va_arg (ap, JcCert *))
    g_ptr_array_add (a, g_object_ref (c));
  va_end (ap);
  return a;
}
