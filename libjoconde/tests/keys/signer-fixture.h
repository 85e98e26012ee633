/* Test fixture: a signatory's certificate and key made at test time (ECDSA P-256,
 * self-signed, key usage for signing documents), written into a SoftHSM2 token
 * (softhsm-fixture.h) or used in memory to make CMS signatures the way another tool
 * would. Shared by the keys, agreement, relay and command-line tests. */
#pragma once

#include <glib.h>
#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/pkcs11.h>
#include <gnutls/pkcs7.h>
#include <gnutls/x509.h>
#include <string.h>

typedef struct {
  gnutls_x509_privkey_t key;
  GBytes               *der;   /* the certificate */
} SignerFixture;

/* A certificate for SUBJECT (an RFC 4514 DN) valid from NOT_BEFORE to NOT_AFTER (seconds
 * since the epoch) with key usage USAGE (GNUTLS_KEY_* bits; 0: no extension). */
static void
signer_fixture_make (SignerFixture *s, const char *subject, gint64 not_before,
                     gint64 not_after, unsigned int usage)
{
  gnutls_x509_crt_t crt;
  gnutls_datum_t out = { NULL, 0 };
  guint8 serial[8];

  g_assert_cmpint (gnutls_x509_privkey_init (&s->key), ==, 0);
  g_assert_cmpint (gnutls_x509_privkey_generate (s->key, GNUTLS_PK_ECDSA,
                   GNUTLS_CURVE_TO_BITS (GNUTLS_ECC_CURVE_SECP256R1), 0), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_init (&crt), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_set_version (crt, 3), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_set_dn (crt, subject, NULL), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_set_issuer_dn (crt, subject, NULL), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_set_key (crt, s->key), ==, 0);
  gnutls_rnd (GNUTLS_RND_NONCE, serial, sizeof serial);
  serial[0] &= 0x7f;
  g_assert_cmpint (gnutls_x509_crt_set_serial (crt, serial, sizeof serial), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_set_activation_time (crt, not_before), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_set_expiration_time (crt, not_after), ==, 0);
  if (usage)
    g_assert_cmpint (gnutls_x509_crt_set_key_usage (crt, usage), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_sign2 (crt, crt, s->key, GNUTLS_DIG_SHA256, 0), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_export2 (crt, GNUTLS_X509_FMT_DER, &out), ==, 0);
  s->der = g_bytes_new (out.data, out.size);
  gnutls_free (out.data);
  gnutls_x509_crt_deinit (crt);
}

static void
signer_fixture_clear (SignerFixture *s)
{
  gnutls_x509_privkey_deinit (s->key);
  g_bytes_unref (s->der);
}

static int
signer_fixture_pin (void *userdata, int attempt, const char *url, const char *label,
                    unsigned int flags, char *pin, size_t pin_max)
{
  const char *value = userdata;
  if (attempt > 0 || strlen (value) + 1 > pin_max)
    return -1;
  strcpy (pin, value);
  return 0;
}

/* Writes the certificate and its key into the token TOKEN_URL (logged in with PIN),
 * labelled LABEL with id ID (one byte). The key is private (hidden until login) when
 * KEY_PRIVATE, as some tokens do; others show it to everyone. */
G_GNUC_UNUSED static void
signer_fixture_store (SignerFixture *s, const char *token_url, const char *pin,
                      const char *label, guint8 id, gboolean key_private)
{
  gnutls_x509_crt_t crt;
  gnutls_datum_t der = { (unsigned char *) g_bytes_get_data (s->der, NULL),
                         (unsigned int) g_bytes_get_size (s->der) };
  gnutls_datum_t cid = { &id, 1 };
  unsigned int key_flags = GNUTLS_PKCS11_OBJ_FLAG_LOGIN | GNUTLS_PKCS11_OBJ_FLAG_MARK_SENSITIVE
                           | (key_private ? GNUTLS_PKCS11_OBJ_FLAG_MARK_PRIVATE
                                          : GNUTLS_PKCS11_OBJ_FLAG_MARK_NOT_PRIVATE);

  gnutls_pkcs11_set_pin_function (signer_fixture_pin, (void *) pin);
  g_assert_cmpint (gnutls_x509_crt_init (&crt), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_import (crt, &der, GNUTLS_X509_FMT_DER), ==, 0);
  g_assert_cmpint (gnutls_pkcs11_copy_x509_crt2 (token_url, crt, label, &cid,
                                                 GNUTLS_PKCS11_OBJ_FLAG_LOGIN), ==, 0);
  g_assert_cmpint (gnutls_pkcs11_copy_x509_privkey2 (token_url, s->key, label, &cid,
                                                     GNUTLS_KEY_DIGITAL_SIGNATURE, key_flags), ==, 0);
  gnutls_pkcs11_set_pin_function (NULL, NULL);
  gnutls_x509_crt_deinit (crt);
}

/* A signatory SUBJECT valid from an hour ago for a day, with key usage USAGE, written into
 * the SoftHSM2 token TOKEN (PIN "1234") as LABEL with id ID: what a user's smart card holds. */
G_GNUC_UNUSED static void
signer_fixture_put (const char *subject, unsigned int usage, const char *token, const char *label,
                    guint8 id, gboolean key_private)
{
  SignerFixture s;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autofree char *url = g_strdup_printf ("pkcs11:token=%s", token);

  signer_fixture_make (&s, subject, now - 3600, now + 86400, usage);
  signer_fixture_store (&s, url, "1234", label, id, key_private);
  signer_fixture_clear (&s);
}

/* A CMS signature of CONTENT made in memory with FLAGS (GNUTLS_PKCS7_*), as a signing
 * tool other than JOCONDE's would make it. */
G_GNUC_UNUSED static GBytes *
signer_fixture_cms (SignerFixture *s, GBytes *content, unsigned int flags)
{
  gnutls_x509_crt_t crt;
  gnutls_privkey_t key;
  gnutls_pkcs7_t p7;
  gnutls_datum_t out = { NULL, 0 };
  gnutls_datum_t der = { (unsigned char *) g_bytes_get_data (s->der, NULL),
                         (unsigned int) g_bytes_get_size (s->der) };
  gnutls_datum_t data = { (unsigned char *) g_bytes_get_data (content, NULL),
                          (unsigned int) g_bytes_get_size (content) };

  g_assert_cmpint (gnutls_x509_crt_init (&crt), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_import (crt, &der, GNUTLS_X509_FMT_DER), ==, 0);
  g_assert_cmpint (gnutls_privkey_init (&key), ==, 0);
  g_assert_cmpint (gnutls_privkey_import_x509 (key, s->key, 0), ==, 0);
  g_assert_cmpint (gnutls_pkcs7_init (&p7), ==, 0);
  g_assert_cmpint (gnutls_pkcs7_sign (p7, crt, key, &data, NULL, NULL, GNUTLS_DIG_SHA256, flags), ==, 0);
  g_assert_cmpint (gnutls_pkcs7_export2 (p7, GNUTLS_X509_FMT_DER, &out), ==, 0);
  GBytes *cms = g_bytes_new (out.data, out.size);
  gnutls_free (out.data);
  gnutls_pkcs7_deinit (p7);
  gnutls_privkey_deinit (key);
  gnutls_x509_crt_deinit (crt);
  return cms;
}
