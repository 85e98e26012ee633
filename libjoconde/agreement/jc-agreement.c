#define G_LOG_DOMAIN "joconde-agreement"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <sodium.h>

#include "jc-agreement.h"
#include "jc-chain.h"
#include "jc-chain-fingerprint.h"
#include "jc-doc.h"
#include "jc-encoding.h"
#include "jc-error.h"

#define AGREEMENT_MAX_SIZE (16 * 1024 * 1024)

void
jc_agreement_trust_clear (JcAgreementTrust *trust)
{
  g_clear_object (&trust->root);
  g_clear_pointer (&trust->approver, g_ptr_array_unref);
  g_clear_object (&trust->revocations);
}

GPtrArray *
jc_agreement_party_chain (const JcParty *party, GError **error)
{
  g_autoptr(GPtrArray) chain = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < party->chain->len; i++)
    {
      g_autoptr(GError) local = NULL;
      JcCert *cert = jc_cert_new_from_der (g_ptr_array_index (party->chain, i), &local);
      if (cert == NULL)
        {
          g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                       _("Certificate %u of “%s” cannot be read: %s"), i + 1, party->name,
                       local->message);
          return NULL;
        }
      g_ptr_array_add (chain, cert);
    }
  return g_steal_pointer (&chain);
}

/* The leaf certificate of every party whose chain verifies, by name. */
static GHashTable *
verify_parties (const JcCtsc *ctsc, const JcAgreementTrust *trust, GError **error)
{
  g_autoptr(GHashTable) leaves = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                        g_object_unref);
  GPtrArray *lists[2] = { ctsc->computing_parties, ctsc->peers };
  JcRoles roles[2] = { JC_ROLE_CP, JC_ROLE_ORGANISER };
  const char *what[2] = { N_("computing party"), N_("peer") };

  for (guint l = 0; l < 2; l++)
    for (guint i = 0; i < lists[l]->len; i++)
      {
        const JcParty *party = g_ptr_array_index (lists[l], i);
        g_autoptr(GPtrArray) chain = jc_agreement_party_chain (party, error);
        g_autoptr(GError) local = NULL;

        if (chain == NULL)
          return NULL;
        if (chain->len == 0)
          {
            g_set_error (error, JC_ERROR, JC_ERROR_UNTRUSTED,
                         _("The %s “%s” has no certificate"), _(what[l]), party->name);
            return NULL;
          }
        if (jc_chain_verify (chain, trust->root, trust->at, trust->revocations, roles[l],
                             &local) != JC_CHAIN_OK)
          {
            g_set_error (error, JC_ERROR, local->code, _("The %s “%s” is not trusted: %s"),
                         _(what[l]), party->name, local->message);
            return NULL;
          }
        g_hash_table_replace (leaves, party->name, g_object_ref (g_ptr_array_index (chain, 0)));
      }
  return g_steal_pointer (&leaves);
}

static gboolean
verify_signature_with (const JcNodeSignature *sig, JcCert *cert, const char *what,
                       GError **error)
{
  g_autoptr(GError) local = NULL;
  gsize len = 0;
  const guint8 *bytes = g_bytes_get_data (sig->signature, &len);

  if (!jc_cert_verify_hash (cert, sig->document_hash, JC_DOC_HASH_SIZE, bytes, len, &local))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_BAD_SIGNATURE,
                   _("The signature of “%s” over %s does not verify: %s"), sig->signer.name,
                   what, local->message);
      return FALSE;
    }
  return TRUE;
}

/* Whether FINGERPRINT names the approver: its chain fingerprint (docs/model.md "signer"),
 * or, as older roots wrote it, the SHA-256 of its certificate alone. Either way the
 * signature must then verify with the configured approver's key. */
static gboolean
names_approver (const JcAgreementTrust *trust, const guint8 fingerprint[JC_DOC_HASH_SIZE])
{
  g_autofree char *hex = jc_hex_encode (fingerprint, JC_DOC_HASH_SIZE);
  g_autofree char *chain_fp = NULL;
  JcCert *leaf;

  if (trust->approver == NULL || trust->approver->len == 0)
    return FALSE;
  leaf = g_ptr_array_index (trust->approver, 0);
  jc_chain_fingerprint (trust->approver, trust->root, NULL, &chain_fp);
  return g_strcmp0 (chain_fp, hex) == 0 || g_strcmp0 (jc_cert_get_sha256 (leaf), hex) == 0;
}

static gboolean
verify_node_signatures (const JcCta *cta, GHashTable *leaves, GError **error)
{
  guint8 ctsc_hash[JC_DOC_HASH_SIZE];
  g_autofree gboolean *covered = g_new0 (gboolean, cta->ctsas->len);
  g_autofree guint8 (*ctsa_hashes)[JC_DOC_HASH_SIZE] = g_malloc0 (JC_DOC_HASH_SIZE
                                                                  * MAX (cta->ctsas->len, 1));

  jc_ctsc_hash (cta->ctsc, ctsc_hash);
  for (guint i = 0; i < cta->ctsas->len; i++)
    jc_ctsa_hash (g_ptr_array_index (cta->ctsas, i), ctsa_hashes[i]);

  for (guint s = 0; s < cta->node_signatures->len; s++)
    {
      const JcNodeSignature *sig = g_ptr_array_index (cta->node_signatures, s);
      gint64 peer = jc_ctsc_find_peer (cta->ctsc, sig->signer.name);
      const JcParty *party;
      JcCert *cert;
      gint ctsa_index = -1;
      g_autofree char *what = NULL;

      if (peer < 0)
        {
          g_set_error (error, JC_ERROR, JC_ERROR_DENIED,
                       _("Node signature %u is by “%s”, who is not a peer of the task"), s,
                       sig->signer.name);
          return FALSE;
        }
      party = g_ptr_array_index (cta->ctsc->peers, peer);
      cert = g_hash_table_lookup (leaves, party->name);
      if (cert == NULL || sodium_memcmp (sig->signer.fingerprint, party->fingerprint,
                                         JC_DOC_HASH_SIZE) != 0)
        {
          g_set_error (error, JC_ERROR, JC_ERROR_UNTRUSTED,
                       _("Node signature %u names a certificate of “%s” other than the one in "
                         "the task specification"), s, sig->signer.name);
          return FALSE;
        }
      for (guint i = 0; i < cta->ctsas->len; i++)
        if (sodium_memcmp (sig->document_hash, ctsa_hashes[i], JC_DOC_HASH_SIZE) == 0)
          ctsa_index = (gint) i;
      if (ctsa_index >= 0)
        {
          const JcCtsa *ctsa = g_ptr_array_index (cta->ctsas, ctsa_index);
          if (ctsa->peer != peer)
            {
              g_set_error (error, JC_ERROR, JC_ERROR_DENIED,
                           _("“%s” signed the addendum of another peer"), sig->signer.name);
              return FALSE;
            }
          what = g_strdup_printf (_("its addendum"));
        }
      else if (sodium_memcmp (sig->document_hash, ctsc_hash, JC_DOC_HASH_SIZE) == 0)
        what = g_strdup (_("the task specification"));
      else
        {
          g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                       _("Node signature %u covers a document that is not part of the agreement"),
                       s);
          return FALSE;
        }
      if (!verify_signature_with (sig, cert, what, error))
        return FALSE;
      if (ctsa_index >= 0)
        covered[ctsa_index] = TRUE;
    }
  for (guint i = 0; i < cta->ctsas->len; i++)
    if (!covered[i])
      {
        const JcCtsa *ctsa = g_ptr_array_index (cta->ctsas, i);
        const JcParty *party = g_ptr_array_index (cta->ctsc->peers, ctsa->peer);
        g_set_error (error, JC_ERROR, JC_ERROR_BAD_SIGNATURE,
                     _("The addendum of “%s” carries no signature of its node"), party->name);
        return FALSE;
      }
  return TRUE;
}

static gboolean
verify_approver (const JcAgreementTrust *trust, const JcSigner *signer, GError **error)
{
  g_autoptr(GError) local = NULL;
  JcCert *leaf;

  if (trust->approver == NULL || trust->approver->len == 0)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_UNTRUSTED,
                   _("No approver certificate is configured to check the SO's approval"));
      return FALSE;
    }
  leaf = g_ptr_array_index (trust->approver, 0);
  if (!names_approver (trust, signer->fingerprint))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_UNTRUSTED,
                   _("The approval is signed by “%s” with a certificate that is not the SO "
                     "approver's (%s)"), signer->name, jc_cert_get_name (leaf));
      return FALSE;
    }
  if (jc_chain_verify (trust->approver, trust->root, trust->at, trust->revocations,
                       JC_ROLE_APPROVER, &local) != JC_CHAIN_OK)
    {
      g_set_error (error, JC_ERROR, local->code, _("The SO approver is not trusted: %s"),
                   local->message);
      return FALSE;
    }
  return TRUE;
}

gboolean
jc_agreement_verify (const JcCta *cta, const JcAgreementTrust *trust, GError **error)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JcCta) checked = NULL;
  g_autoptr(GHashTable) leaves = NULL;
  g_autoptr(GError) local = NULL;

  g_return_val_if_fail (cta != NULL && trust != NULL && JC_IS_CERT (trust->root), FALSE);

  if (cta->approval == NULL)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_STATE,
                   _("The agreement is not finalised: the SO's approval is missing"));
      return FALSE;
    }
  /* The model's checks (structure, cross references, approval over the body hash) on the
   * document form, so that an agreement built in memory is held to the same rules. */
  node = jc_cta_to_json (cta);
  checked = jc_cta_from_json (node, &local);
  if (checked == NULL)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID, _("The agreement is malformed: %s"),
                   local->message);
      return FALSE;
    }
  leaves = verify_parties (cta->ctsc, trust, error);
  if (leaves == NULL)
    return FALSE;
  if (!verify_node_signatures (cta, leaves, error))
    return FALSE;
  if (!verify_approver (trust, &cta->approval->signer, error))
    return FALSE;
  return verify_signature_with (cta->approval, g_ptr_array_index (trust->approver, 0),
                                _("the agreement"), error);
}

JcCta *
jc_agreement_load (GBytes *bytes, const JcAgreementTrust *trust, guint8 hash[JC_DOC_HASH_SIZE],
                   GError **error)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JcCta) cta = NULL;

  if (g_bytes_get_size (bytes) > AGREEMENT_MAX_SIZE)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_TOO_LARGE,
                   _("The agreement is larger than %d MiB"), AGREEMENT_MAX_SIZE >> 20);
      return NULL;
    }
  node = jc_doc_parse_bytes (bytes, NULL, error);
  if (node == NULL)
    return NULL;
  cta = jc_cta_from_json (node, error);
  if (cta == NULL)
    return NULL;
  if (!jc_agreement_verify (cta, trust, error))
    return NULL;
  if (hash != NULL && !jc_doc_hash (node, hash, error))
    return NULL;
  return g_steal_pointer (&cta);
}

JcNodeSignature *
jc_agreement_sign (JcNodeKey *key, GPtrArray *chain, const char *name,
                   const guint8 document_hash[JC_DOC_HASH_SIZE], GError **error)
{
  g_autoptr(JcNodeSignature) sig = jc_node_signature_new ();
  g_autoptr(GBytes) fp = NULL;
  g_autofree char *chain_fp = NULL;

  g_return_val_if_fail (chain != NULL && chain->len > 0, NULL);
  sig->signature = jc_node_key_sign_hash (key, document_hash, JC_DOC_HASH_SIZE, error);
  if (sig->signature == NULL)
    return NULL;
  jc_chain_fingerprint (chain, NULL, NULL, &chain_fp);
  fp = jc_hex_decode (chain_fp, error);
  if (fp == NULL)
    return NULL;
  sig->signer.name = g_strdup (name);
  memcpy (sig->signer.fingerprint, g_bytes_get_data (fp, NULL), JC_DOC_HASH_SIZE);
  memcpy (sig->document_hash, document_hash, JC_DOC_HASH_SIZE);
  return g_steal_pointer (&sig);
}

gboolean
jc_agreement_seal (JcCta *cta, JcNodeKey *approver_key, GPtrArray *approver_chain,
                   const char *approver_name, GError **error)
{
  guint8 body[JC_DOC_HASH_SIZE];
  JcNodeSignature *sig;

  if (!jc_cta_body_hash (cta, body))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID, _("The agreement cannot be hashed"));
      return FALSE;
    }
  sig = jc_agreement_sign (approver_key, approver_chain, approver_name, body, error);
  if (sig == NULL)
    return FALSE;
  g_clear_pointer (&cta->approval, jc_node_signature_free);
  cta->approval = sig;
  return TRUE;
}

gboolean
jc_control_message_digest (const JcControlMessage *msg, guint8 out[JC_DOC_HASH_SIZE])
{
  g_autoptr(JsonNode) node = jc_control_message_to_json (msg);
  return jc_doc_hash (node, out, NULL);
}

gboolean
jc_agreement_verify_control (const JcCta *cta, const JcAgreementTrust *trust,
                             const JcControlMessage *msg, const JcNodeSignature *sig,
                             GError **error)
{
  guint8 digest[JC_DOC_HASH_SIZE];
  gint64 peer;

  if (g_strcmp0 (msg->task_id, cta->task_id) != 0)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("The request is about task %s, not this task (%s)"), msg->task_id,
                   cta->task_id);
      return FALSE;
    }
  if (!jc_control_message_digest (msg, digest)
      || sodium_memcmp (digest, sig->document_hash, JC_DOC_HASH_SIZE) != 0)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_BAD_SIGNATURE,
                   _("The signature does not cover this request"));
      return FALSE;
    }
  if (g_strcmp0 (msg->signer.name, sig->signer.name) != 0
      || sodium_memcmp (msg->signer.fingerprint, sig->signer.fingerprint, JC_DOC_HASH_SIZE) != 0)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_DENIED,
                   _("The request names “%s” but is signed by “%s”"), msg->signer.name,
                   sig->signer.name);
      return FALSE;
    }

  peer = jc_ctsc_find_peer (cta->ctsc, sig->signer.name);
  if (peer >= 0)
    {
      const JcParty *party = g_ptr_array_index (cta->ctsc->peers, peer);
      g_autoptr(GPtrArray) chain = NULL;
      g_autoptr(GError) local = NULL;

      if (sodium_memcmp (party->fingerprint, sig->signer.fingerprint, JC_DOC_HASH_SIZE) != 0)
        {
          g_set_error (error, JC_ERROR, JC_ERROR_DENIED,
                       _("The request is signed with a certificate of “%s” that the agreement "
                         "does not name"), sig->signer.name);
          return FALSE;
        }
      chain = jc_agreement_party_chain (party, error);
      if (chain == NULL)
        return FALSE;
      if (jc_chain_verify (chain, trust->root, trust->at, trust->revocations, JC_ROLE_NONE,
                           &local) != JC_CHAIN_OK)
        {
          g_set_error (error, JC_ERROR, local->code, _("“%s” is not trusted: %s"),
                       sig->signer.name, local->message);
          return FALSE;
        }
      return verify_signature_with (sig, g_ptr_array_index (chain, 0), _("the request"), error);
    }
  if (names_approver (trust, sig->signer.fingerprint))
    {
      if (!verify_approver (trust, &sig->signer, error))
        return FALSE;
      return verify_signature_with (sig, g_ptr_array_index (trust->approver, 0),
                                    _("the request"), error);
    }
  g_set_error (error, JC_ERROR, JC_ERROR_DENIED,
               _("“%s” is neither a peer of this task nor the SO, and may not cancel or "
                 "terminate it"), sig->signer.name);
  return FALSE;
}

void
jc_agreement_tee_policy (const JcCtsc *ctsc, gint64 at, JcTeePolicy *policy)
{
  jc_tee_policy_init (policy, ctsc->platform);
  policy->at = at;
  for (guint i = 0; ctsc->measurements != NULL && i < ctsc->measurements->len; i++)
    jc_tee_policy_add_measurement (policy, g_bytes_get_data (g_ptr_array_index (ctsc->measurements, i),
                                                              NULL));
}
