/* Electronic signatory signatures: a signing certificate found in a SoftHSM2 token, a CMS
 * signature over a CTSA's canonical bytes, and the verifier's refusals. */
#define G_LOG_DOMAIN "joconde-test"
#include "config.h"

#include <string.h>

#include "jc-doc.h"
#include "jc-error.h"
#include "jc-init.h"
#include "jc-secret.h"
#include "jc-signatory-cms.h"
#include "jc-signing-token.h"
#include "jc-time.h"

#include "../keys/softhsm-fixture.h"
#include "../keys/signer-fixture.h"

#define SIGNER_DN "CN=Ada Lovelace,O=National Statistical Institute,C=FR"

static const char ctsa_text[] =
  "{\"type\":\"ctsa\",\"version\":1,\"peer\":0,\"signatories\":[{\"name\":\"Ada\"}],"
  " \"ctsc_hash\":\"00\"}";
static const char other_text[] =
  "{\"type\":\"ctsa\",\"version\":1,\"peer\":1,\"signatories\":[{\"name\":\"Bob\"}],"
  " \"ctsc_hash\":\"00\"}";

static SoftHsmFixture hsm;
static SignerFixture signer;

static JsonNode *
parse (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *n = jc_doc_parse (text, strlen (text), NULL, &error);
  g_assert_no_error (error);
  return n;
}

static JcSecret *
pin_of (const char *pin)
{
  return jc_secret_copy ((const guint8 *) pin, strlen (pin));
}

static JcSignerCert *
find_signer (void)
{
  g_autoptr(GError) error = NULL;
  JcSignerCert *cert = jc_signing_token_find ("pkcs11:token=" SOFTHSM_TOKEN, &error);
  g_assert_no_error (error);
  return cert;
}

static void
test_list (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) all = jc_signing_token_list (NULL, &error);
  g_assert_no_error (error);
  /* Only the certificate with its key: the token's bare node key does not count. */
  guint found = 0;
  for (guint i = 0; i < all->len; i++)
    {
      JcSignerCert *c = all->pdata[i];
      if (g_strcmp0 (c->token_label, SOFTHSM_TOKEN) != 0)
        continue;
      found++;
      g_assert_cmpstr (c->subject, ==, SIGNER_DN);
      g_assert_true (g_str_has_prefix (c->cert_url, "pkcs11:"));
      g_assert_nonnull (strstr (c->key_url, "type=private"));
      g_assert_null (strstr (c->key_url, "object="));
      g_assert_cmpuint (strlen (c->fingerprint), ==, 32 * 3 - 1);
      g_autofree char *text = jc_signer_cert_describe (c);
      g_assert_nonnull (strstr (text, SIGNER_DN));
      g_assert_nonnull (strstr (text, c->fingerprint));
    }
  g_assert_cmpuint (found, ==, 1);

  g_autoptr(GPtrArray) none = jc_signing_token_list ("file:///nowhere", &error);
  g_assert_error (error, JC_ERROR, JC_ERROR_INVALID);
  g_assert_null (none);
}

static void
test_round_trip (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcSignerCert) cert = find_signer ();
  g_autoptr(JsonNode) ctsa = parse (ctsa_text);
  g_autoptr(JcSecret) pin = pin_of (SOFTHSM_PIN);
  g_autoptr(GBytes) cms = jc_signatory_cms_sign (cert, pin, ctsa, &error);
  g_assert_no_error (error);
  g_assert_nonnull (cms);

  gint64 when = 0;
  g_autoptr(JcSignerCert) got = jc_signatory_cms_verify (cms, ctsa, &when, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (got->subject, ==, SIGNER_DN);
  g_assert_cmpstr (got->fingerprint, ==, cert->fingerprint);
  g_assert_cmpint (ABS (when - jc_time_now ()), <, 120);

  /* The file a signatory signature carries is recognised as CMS by type and by bytes. */
  g_autoptr(JcFile) file = jc_signatory_cms_file_new (cms, "nsi");
  g_assert_cmpstr (file->name, ==, "signature-nsi.p7s");
  g_assert_true (jc_signatory_cms_file_is_cms (file));
  g_free (file->media_type);
  file->media_type = g_strdup ("application/octet-stream");
  g_assert_true (jc_signatory_cms_file_is_cms (file));

  /* The same CTSA written with other whitespace has the same canonical bytes. */
  g_autofree char *spaced = g_strdup_printf ("  %s\n", ctsa_text);
  g_autoptr(JsonNode) same = parse (spaced);
  g_autoptr(JcSignerCert) again = jc_signatory_cms_verify (cms, same, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (again);
}

static void
test_wrong_document (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcSignerCert) cert = find_signer ();
  g_autoptr(JsonNode) ctsa = parse (ctsa_text);
  g_autoptr(JsonNode) other = parse (other_text);
  g_autoptr(JcSecret) pin = pin_of (SOFTHSM_PIN);
  g_autoptr(GBytes) cms = jc_signatory_cms_sign (cert, pin, ctsa, &error);
  g_assert_no_error (error);

  g_autoptr(JcSignerCert) got = jc_signatory_cms_verify (cms, other, NULL, &error);
  g_assert_error (error, JC_ERROR, JC_ERROR_BAD_SIGNATURE);
  g_assert_nonnull (strstr (error->message, "another document"));
  g_assert_null (got);
}

static void
test_tampered (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) ctsa = parse (ctsa_text);
  g_autoptr(GBytes) canonical = jc_doc_canonicalize (ctsa, &error);
  g_assert_no_error (error);
  g_autoptr(GBytes) cms = signer_fixture_cms (&signer, canonical,
                                              GNUTLS_PKCS7_INCLUDE_TIME | GNUTLS_PKCS7_INCLUDE_CERT);
  g_autoptr(JcSignerCert) ok = jc_signatory_cms_verify (cms, ctsa, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (ok);

  /* Flip one bit of the signature value, the last bytes of the SignerInfo. */
  gsize len = g_bytes_get_size (cms);
  g_assert_cmpuint (len, >, 64);
  guint8 *copy = g_memdup2 (g_bytes_get_data (cms, NULL), len);
  copy[len - 3] ^= 0x01;
  g_autoptr(GBytes) bad = g_bytes_new_take (copy, len);
  g_autoptr(JcSignerCert) got = jc_signatory_cms_verify (bad, ctsa, NULL, &error);
  g_assert_nonnull (error);
  g_assert_true (g_error_matches (error, JC_ERROR, JC_ERROR_BAD_SIGNATURE)
                 || g_error_matches (error, JC_ERROR, JC_ERROR_INVALID));
  g_assert_null (got);

  /* A document changed after signing: the signed digest is no longer its digest. */
  g_clear_error (&error);
  g_autoptr(JsonNode) changed = parse (other_text);
  g_autoptr(JcSignerCert) none = jc_signatory_cms_verify (cms, changed, NULL, &error);
  g_assert_error (error, JC_ERROR, JC_ERROR_BAD_SIGNATURE);
  g_assert_null (none);
}

/* CMS made by SIGNER over CONTENT with FLAGS is refused with CODE and a message holding
 * FRAGMENT (when not NULL). */
static void
expect_refused (SignerFixture *by, GBytes *content, unsigned int flags, JsonNode *ctsa,
                int code, const char *fragment)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) cms = signer_fixture_cms (by, content, flags);
  g_autoptr(JcSignerCert) got = jc_signatory_cms_verify (cms, ctsa, NULL, &error);
  g_assert_error (error, JC_ERROR, code);
  if (fragment)
    g_assert_nonnull (strstr (error->message, fragment));
  g_assert_null (got);
}

#define TIMED_WITH_CERT (GNUTLS_PKCS7_INCLUDE_TIME | GNUTLS_PKCS7_INCLUDE_CERT)

static void
test_refusals (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) ctsa = parse (ctsa_text);
  g_autoptr(GBytes) canonical = jc_doc_canonicalize (ctsa, &error);
  g_assert_no_error (error);

  /* Not CMS at all. */
  g_autoptr(GBytes) garbage = g_bytes_new_static ("%PDF-1.4 scanned sheet", 22);
  g_autoptr(JcSignerCert) a = jc_signatory_cms_verify (garbage, ctsa, NULL, &error);
  g_assert_error (error, JC_ERROR, JC_ERROR_INVALID);
  g_assert_null (a);
  g_autoptr(JcFile) scan = jc_file_new ("sheet.pdf", "application/pdf", garbage);
  g_assert_false (jc_signatory_cms_file_is_cms (scan));

  /* The document inside the signature instead of beside it; no signing time; no
   * certificate. */
  expect_refused (&signer, canonical, GNUTLS_PKCS7_EMBED_DATA | TIMED_WITH_CERT, ctsa,
                  JC_ERROR_INVALID, "detached");
  expect_refused (&signer, canonical, GNUTLS_PKCS7_INCLUDE_CERT, ctsa, JC_ERROR_INVALID,
                  "signing time");
  expect_refused (&signer, canonical, GNUTLS_PKCS7_INCLUDE_TIME, ctsa, JC_ERROR_INVALID,
                  "certificate");

  /* A certificate that had expired when it signed; one whose key usage is for something
   * else. */
  gint64 now = jc_time_now ();
  SignerFixture old, tls;
  signer_fixture_make (&old, SIGNER_DN, now - 86400 * 400, now - 86400 * 30,
                       GNUTLS_KEY_DIGITAL_SIGNATURE);
  expect_refused (&old, canonical, TIMED_WITH_CERT, ctsa, JC_ERROR_EXPIRED, "valid from");
  signer_fixture_clear (&old);
  signer_fixture_make (&tls, SIGNER_DN, now - 3600, now + 86400, GNUTLS_KEY_KEY_AGREEMENT);
  expect_refused (&tls, canonical, TIMED_WITH_CERT, ctsa, JC_ERROR_DENIED, "key usage");
  signer_fixture_clear (&tls);
}

/* A token with no certificate lists nothing: an empty list, not an error. */
static void
test_empty_token (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) none = jc_signing_token_list ("pkcs11:token=joconde-empty", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (none->len, ==, 0);
  g_autoptr(JcSignerCert) cert = jc_signing_token_find ("pkcs11:token=joconde-empty", &error);
  g_assert_error (error, JC_ERROR, JC_ERROR_NOT_FOUND);
  g_assert_null (cert);
  g_clear_error (&error);
  g_autoptr(GPtrArray) absent = jc_signing_token_list ("pkcs11:token=no-such-token", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (absent->len, ==, 0);
}

/* A token that hides its keys until login: not listed, but found and used when named. */
static void
test_hidden_key (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) listed = jc_signing_token_list ("pkcs11:token=joconde-hidden", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (listed->len, ==, 0);
  g_autoptr(JcSignerCert) cert = jc_signing_token_find ("pkcs11:token=joconde-hidden", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (cert->subject, ==, "CN=Grace Hopper,O=Mobile Network Operator");
  g_autoptr(JsonNode) ctsa = parse (ctsa_text);
  g_autoptr(JcSecret) pin = pin_of (SOFTHSM_PIN);
  g_autoptr(GBytes) cms = jc_signatory_cms_sign (cert, pin, ctsa, &error);
  g_assert_no_error (error);
  g_autoptr(JcSignerCert) got = jc_signatory_cms_verify (cms, ctsa, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (got->fingerprint, ==, cert->fingerprint);
}

static void
test_wrong_pin (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcSignerCert) cert = find_signer ();
  g_autoptr(JsonNode) ctsa = parse (ctsa_text);
  g_autoptr(JcSecret) pin = pin_of ("0000");
  g_autoptr(GBytes) cms = jc_signatory_cms_sign (cert, pin, ctsa, &error);
  g_assert_error (error, JC_ERROR, JC_ERROR_DENIED);
  g_assert_nonnull (strstr (error->message, "PIN"));
  g_assert_null (cms);
  g_clear_error (&error);

  /* And then the right one still works (one wrong try does not lock the token). */
  g_autoptr(JcSecret) right = pin_of (SOFTHSM_PIN);
  g_autoptr(GBytes) ok = jc_signatory_cms_sign (cert, right, ctsa, &error);
  g_assert_no_error (error);
  g_assert_nonnull (ok);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_assert_true (jc_init (NULL));
  softhsm_fixture_setup (&hsm, "node");
  softhsm_fixture_add_token ("joconde-empty");
  softhsm_fixture_add_token ("joconde-hidden");
  gint64 now = jc_time_now ();
  signer_fixture_make (&signer, SIGNER_DN, now - 3600, now + 86400 * 365,
                       GNUTLS_KEY_DIGITAL_SIGNATURE | GNUTLS_KEY_NON_REPUDIATION);
  signer_fixture_store (&signer, "pkcs11:token=" SOFTHSM_TOKEN, SOFTHSM_PIN, "signatory", 7, FALSE);

  signer_fixture_put ("CN=Grace Hopper,O=Mobile Network Operator", 0, "joconde-hidden", "grace", 9,
                      TRUE);

  g_test_add_func ("/signatory-cms/list", test_list);
  g_test_add_func ("/signatory-cms/round-trip", test_round_trip);
  g_test_add_func ("/signatory-cms/wrong-document", test_wrong_document);
  g_test_add_func ("/signatory-cms/tampered", test_tampered);
  g_test_add_func ("/signatory-cms/refusals", test_refusals);
  g_test_add_func ("/signatory-cms/empty-token", test_empty_token);
  g_test_add_func ("/signatory-cms/hidden-key", test_hidden_key);
  g_test_add_func ("/signatory-cms/wrong-pin", test_wrong_pin);
  int rc = g_test_run ();
  signer_fixture_clear (&signer);
  softhsm_fixture_teardown (&hsm);
  return rc;
}
