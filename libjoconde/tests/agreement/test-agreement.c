#define G_LOG_DOMAIN "joconde-agreement"
#include "config.h"

#include "task-fixture.h"

static Task task;

static void
expect_refused (JcAgreementTrust *trust, int code, const char *needle)
{
  g_autoptr(GError) error = NULL;
  g_assert_false (jc_agreement_verify (task.cta, trust, &error));
  g_assert_error (error, JC_ERROR, code);
  g_test_message ("refused: %s", error->message);
  g_assert_nonnull (strstr (error->message, needle));
}

static void
test_valid (void)
{
  g_autoptr(GError) error = NULL;
  JcAgreementTrust trust;
  guint8 hash[JC_DOC_HASH_SIZE];
  g_autoptr(JcCta) loaded = NULL;

  task_trust (&task, &trust);
  g_assert_true (jc_agreement_verify (task.cta, &trust, &error));
  g_assert_no_error (error);
  loaded = jc_agreement_load (task.cta_bytes, &trust, hash, &error);
  g_assert_no_error (error);
  g_assert_nonnull (loaded);
  g_assert_cmpmem (hash, sizeof hash, task.cta_hash, sizeof task.cta_hash);
  jc_agreement_trust_clear (&trust);
}

static void
test_not_finalised (void)
{
  JcAgreementTrust trust;
  JcNodeSignature *approval = g_steal_pointer (&task.cta->approval);

  task_trust (&task, &trust);
  expect_refused (&trust, JC_ERROR_STATE, "not finalised");
  task.cta->approval = approval;
  jc_agreement_trust_clear (&trust);
}

static void
test_approval_tampered (void)
{
  JcAgreementTrust trust;
  JcCtsa *ctsa = g_ptr_array_index (task.cta->ctsas, 0);
  JcPakGrant *grant = g_ptr_array_index (ctsa->custodians, 0);
  GBytes *saved = grant->pak;

  task_trust (&task, &trust);
  /* a custodian swapped after approval: the CTSA's signature no longer covers it */
  grant->pak = g_bytes_new (task.pak_pub[PAK_STRANGER], 32);
  expect_refused (&trust, JC_ERROR_INVALID, "approval");
  g_bytes_unref (grant->pak);
  grant->pak = saved;
  jc_agreement_trust_clear (&trust);
}

static void
test_wrong_root (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcNodeKey) k = task_key ();
  g_autoptr(JcNodeIdentity) id = jc_node_identity_new ("Impostor", NULL, "x@example.org", "root CA");
  JcAgreementTrust trust;
  JcValidity v;

  task_trust (&task, &trust);
  g_object_unref (trust.root);
  jc_validity_init_root (&v, task.now);
  trust.root = jc_ca_create_root (k, id, &v, &error);
  g_assert_no_error (error);
  expect_refused (&trust, JC_ERROR_UNTRUSTED, "cp1");
  jc_agreement_trust_clear (&trust);
}

static void
test_approver_not_so (void)
{
  JcAgreementTrust trust;

  task_trust (&task, &trust);
  /* nsi's certificate is not the approver's: its approval would not count */
  g_ptr_array_remove_index (trust.approver, 0);
  g_ptr_array_add (trust.approver, g_object_ref (task.nsi));
  expect_refused (&trust, JC_ERROR_UNTRUSTED, "approver");
  jc_agreement_trust_clear (&trust);
}

static void
test_revoked_peer (void)
{
  g_autoptr(GError) error = NULL;
  JcAgreementTrust trust;

  task_trust (&task, &trust);
  trust.revocations = jc_revocations_new ();
  g_assert_true (jc_revocations_revoke_key (trust.revocations, jc_cert_get_key_id (task.mno),
                                            task.now - 10, "lost", &error));
  expect_refused (&trust, JC_ERROR_REVOKED, "mno");
  jc_agreement_trust_clear (&trust);
}

static void
test_expired (void)
{
  JcAgreementTrust trust;

  task_trust (&task, &trust);
  trust.at = task.now + 3 * 365 * 86400;
  expect_refused (&trust, JC_ERROR_EXPIRED, "expired");
  jc_agreement_trust_clear (&trust);
}

static void
test_forged_node_signature (void)
{
  g_autoptr(GError) error = NULL;
  JcAgreementTrust trust;
  JcNodeSignature *sig = g_ptr_array_index (task.cta->node_signatures, 1);
  JcNodeSignature *saved = sig;
  guint8 h[JC_DOC_HASH_SIZE];
  JcNodeSignature *forged;

  /* mno's addendum "signed" by nsi's key under mno's name, then resealed by the SO */
  jc_ctsa_hash (g_ptr_array_index (task.cta->ctsas, 1), h);
  {
    g_autoptr(GPtrArray) mno_chain = task_chain (&task, task.mno);
    g_autoptr(GPtrArray) so_chain = task_chain (&task, task.so);
    forged = jc_agreement_sign (task.nsi_key, mno_chain, "mno", h, &error);
    g_assert_no_error (error);
    task.cta->node_signatures->pdata[1] = forged;
    jc_agreement_seal (task.cta, task.so_key, so_chain, "so", &error);
  }
  g_assert_no_error (error);
  task_trust (&task, &trust);
  expect_refused (&trust, JC_ERROR_BAD_SIGNATURE, "mno");
  task.cta->node_signatures->pdata[1] = saved;
  jc_node_signature_free (forged);
  task_seal (&task);
  jc_agreement_trust_clear (&trust);
}

static void
test_control (void)
{
  g_autoptr(GError) error = NULL;
  JcAgreementTrust trust;
  g_autoptr(JcControlMessage) msg = jc_control_message_new ();
  guint8 h[JC_DOC_HASH_SIZE];
  g_autoptr(JcNodeSignature) by_peer = NULL, by_cp = NULL;
  g_autoptr(GPtrArray) nsi_chain = task_chain (&task, task.nsi);
  g_autoptr(GPtrArray) cp_chain = task_chain (&task, task.cp[0]);

  task_trust (&task, &trust);
  g_strlcpy (msg->task_id, task.cta->task_id, sizeof msg->task_id);
  msg->action = JC_CONTROL_TERMINATE;
  msg->reason = g_strdup ("wrong year");
  msg->signer.name = g_strdup ("nsi");
  task_fingerprint (&task, task.nsi, msg->signer.fingerprint);
  msg->time = task.now;
  jc_control_message_digest (msg, h);
  by_peer = jc_agreement_sign (task.nsi_key, nsi_chain, "nsi", h, &error);
  g_assert_no_error (error);
  g_assert_true (jc_agreement_verify_control (task.cta, &trust, msg, by_peer, &error));
  g_assert_no_error (error);

  /* a computing party may not terminate the task */
  g_free (msg->signer.name);
  msg->signer.name = g_strdup ("cp1");
  task_fingerprint (&task, task.cp[0], msg->signer.fingerprint);
  jc_control_message_digest (msg, h);
  by_cp = jc_agreement_sign (task.cp_key[0], cp_chain, "cp1", h, &error);
  g_assert_false (jc_agreement_verify_control (task.cta, &trust, msg, by_cp, &error));
  g_assert_error (error, JC_ERROR, JC_ERROR_DENIED);
  g_clear_error (&error);
  /* a signature over another request */
  g_assert_false (jc_agreement_verify_control (task.cta, &trust, msg, by_peer, &error));
  g_assert_error (error, JC_ERROR, JC_ERROR_BAD_SIGNATURE);
  jc_agreement_trust_clear (&trust);
}

int
main (int argc, char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  task_init (&task, 3600, 7200, 10800);
  g_test_add_func ("/agreement/valid", test_valid);
  g_test_add_func ("/agreement/not-finalised", test_not_finalised);
  g_test_add_func ("/agreement/tampered-after-approval", test_approval_tampered);
  g_test_add_func ("/agreement/wrong-root", test_wrong_root);
  g_test_add_func ("/agreement/approver-not-so", test_approver_not_so);
  g_test_add_func ("/agreement/revoked-peer", test_revoked_peer);
  g_test_add_func ("/agreement/expired", test_expired);
  g_test_add_func ("/agreement/forged-node-signature", test_forged_node_signature);
  g_test_add_func ("/agreement/control", test_control);
  ret = g_test_run ();
  task_clear (&task);
  return ret;
}
