#define G_LOG_DOMAIN "joconde-test"
#include "config.h"

#include <gnutls/crypto.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include "jc-error.h"
#include "jc-init.h"
#include "../test-tmpdir.h"
#include "jc-node-key.h"

static gboolean
run_ok (const char *const *argv)
{
  int status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL |
                     G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status, NULL))
    return FALSE;
  return g_spawn_check_wait_status (status, NULL);
}

static void
hash_of (const char *text, guint8 out[32])
{
  gnutls_hash_fast (GNUTLS_DIG_SHA256, text, strlen (text), out);
}

static void
test_node_key_sign_verify (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcNodeKey) key = jc_node_key_generate (&error);
  g_autoptr(JcNodeKey) other = jc_node_key_generate (&error);
  guint8 h[32];

  g_assert_no_error (error);
  g_assert_cmpuint (strlen (jc_node_key_get_id (key)), ==, 64);
  g_assert_cmpstr (jc_node_key_get_id (key), !=, jc_node_key_get_id (other));
  g_assert_null (jc_node_key_get_pkcs11_uri (key));
  /* Many rounds so r and s with a high bit or leading zero bytes both occur. */
  for (int i = 0; i < 64; i++)
    {
      g_autofree char *doc = g_strdup_printf ("CTSA number %d", i);
      g_autoptr(GBytes) sig = NULL;
      guint8 bad[64];

      hash_of (doc, h);
      sig = jc_node_key_sign_hash (key, h, 32, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (g_bytes_get_size (sig), ==, 64);
      g_assert_true (jc_node_signature_verify (jc_node_key_get_pubkey (key), h, 32,
                                               g_bytes_get_data (sig, NULL), 64, &error));
      g_assert_no_error (error);
      g_assert_false (jc_node_signature_verify (jc_node_key_get_pubkey (other), h, 32,
                                                g_bytes_get_data (sig, NULL), 64, &error));
      g_assert_error (error, JC_ERROR, JC_ERROR_BAD_SIGNATURE);
      g_clear_error (&error);
      memcpy (bad, g_bytes_get_data (sig, NULL), 64);
      bad[i % 64] ^= 0x20;
      g_assert_false (jc_node_signature_verify (jc_node_key_get_pubkey (key), h, 32, bad, 64, &error));
      g_assert_nonnull (error);
      g_clear_error (&error);
    }
  /* Wrong sizes. */
  g_assert_null (jc_node_key_sign_hash (key, h, 31, &error));
  g_assert_error (error, JC_ERROR, JC_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (jc_node_signature_verify (jc_node_key_get_pubkey (key), h, 32, h, 32, &error));
  g_assert_error (error, JC_ERROR, JC_ERROR_INVALID);
  g_clear_error (&error);
  /* An all-zero signature (r = s = 0) is refused, never accepted. */
  {
    guint8 zero[64] = { 0 };
    g_assert_false (jc_node_signature_verify (jc_node_key_get_pubkey (key), h, 32, zero, 64, &error));
    g_assert_nonnull (error);
  }
}

/* Saves KEY to PATH (encrypted with PASSPHRASE unless NULL) and returns the file's text,
 * which must start with the PEM line HEADER. */
static char *
save_key_file (JcNodeKey *key, const char *path, const char *passphrase, const char *header)
{
  g_autoptr(GError) error = NULL;
  char *text = NULL;

  g_assert_true (jc_node_key_save_file (key, path, passphrase, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  g_assert_true (g_str_has_prefix (text, header));
  return text;
}

/* PATH loaded with PASSPHRASE is KEY. */
static void
assert_loads_as (const char *path, const char *passphrase, JcNodeKey *key)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcNodeKey) back = jc_node_key_load_file (path, passphrase, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (jc_node_key_get_id (back), ==, jc_node_key_get_id (key));
}

/* Loading PATH with PASSPHRASE fails with CODE, the message holding FRAGMENT (NULL: any). */
static void
assert_load_refused (const char *path, const char *passphrase, int code, const char *fragment)
{
  g_autoptr(GError) error = NULL;

  g_assert_null (jc_node_key_load_file (path, passphrase, &error));
  g_assert_error (error, JC_ERROR, code);
  if (fragment)
    g_assert_nonnull (strstr (error->message, fragment));
}

static void
test_node_key_file_plain (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = test_tmpdir_new ("jc-node-key-XXXXXX");
  g_autofree char *path = g_build_filename (dir, "node.key", NULL);
  g_autoptr(JcNodeKey) key = jc_node_key_generate (&error);
  g_autoptr(JcNodeKey) back = NULL;
  g_autofree char *text = save_key_file (key, path, NULL, "-----BEGIN PRIVATE KEY-----");
  g_autoptr(GBytes) sig = NULL;
  struct stat st;
  guint8 h[32];

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  assert_loads_as (path, NULL, key);
  back = jc_node_key_load_file (path, NULL, &error);
  g_assert_no_error (error);
  hash_of ("doc", h);
  sig = jc_node_key_sign_hash (back, h, 32, &error);
  g_assert_true (jc_node_signature_verify (jc_node_key_get_pubkey (key), h, 32,
                                           g_bytes_get_data (sig, NULL), 64, &error));
  /* In memory, the same PEM. */
  {
    g_autoptr(JcSecret) pem = jc_node_key_export_pem (key, &error);
    g_assert_no_error (error);
    g_assert_cmpmem (pem->data, pem->len, text, strlen (text));
  }
  /* openssl reads it as a P-256 key. */
  {
    const char *argv[] = { "openssl", "pkey", "-in", path, "-noout", NULL };
    g_assert_true (run_ok (argv));
  }
  /* Readable by others: refused. */
  g_assert_cmpint (g_chmod (path, 0604), ==, 0);
  assert_load_refused (path, NULL, JC_ERROR_DENIED, "node.key");
  g_chmod (path, 0600);
  /* Not a key at all. */
  g_file_set_contents_full (path, "hello\n", -1, G_FILE_SET_CONTENTS_NONE, 0600, NULL);
  assert_load_refused (path, NULL, JC_ERROR_INVALID, NULL);
  g_file_set_contents_full (path, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
                            -1, G_FILE_SET_CONTENTS_NONE, 0600, NULL);
  assert_load_refused (path, NULL, JC_ERROR_INVALID, NULL);
  test_tmpdir_remove (dir);
}

static void
test_node_key_file_passphrase (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = test_tmpdir_new ("jc-node-key-XXXXXX");
  g_autofree char *path = g_build_filename (dir, "node.key", NULL);
  g_autoptr(JcNodeKey) key = jc_node_key_generate (&error);
  g_autoptr(JcNodeKey) back = NULL;
  g_autofree char *out = NULL;

  g_free (save_key_file (key, path, "correct horse", "-----BEGIN ENCRYPTED PRIVATE KEY-----"));
  /* The cipher is PBES2 with AES-256 (openssl names it). */
  {
    const char *argv[] = { "openssl", "asn1parse", "-in", path, NULL };
    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                                 &out, NULL, NULL, NULL));
    g_assert_nonnull (strstr (out, "PBES2"));
    g_assert_nonnull (strstr (out, "aes-256-cbc"));
  }
  assert_loads_as (path, "correct horse", key);
  back = jc_node_key_open (path, "correct horse", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (jc_node_key_get_id (back), ==, jc_node_key_get_id (key));
  g_clear_object (&back);
  g_assert_null (jc_node_key_open ("", NULL, &error));
  g_assert_error (error, JC_ERROR, JC_ERROR_INVALID);
  g_clear_error (&error);

  assert_load_refused (path, NULL, JC_ERROR_DENIED, "passphrase");
  assert_load_refused (path, "wrong horse", JC_ERROR_DENIED, NULL);
  g_assert_false (jc_node_key_save_file (key, path, "", &error));
  g_assert_error (error, JC_ERROR, JC_ERROR_INVALID);
  test_tmpdir_remove (dir);
}

static void
test_node_key_foreign_files (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = test_tmpdir_new ("jc-node-key-XXXXXX");
  g_autofree char *p256 = g_build_filename (dir, "p256.key", NULL);
  g_autofree char *ed = g_build_filename (dir, "ed25519.key", NULL);
  g_autoptr(JcNodeKey) key = NULL;

  /* A P-256 key made by openssl loads; an Ed25519 key is refused as the wrong kind. */
  {
    const char *a[] = { "openssl", "genpkey", "-algorithm", "EC", "-pkeyopt",
                        "ec_paramgen_curve:P-256", "-out", p256, NULL };
    const char *b[] = { "openssl", "genpkey", "-algorithm", "ED25519", "-out", ed, NULL };
    g_assert_true (run_ok (a));
    g_assert_true (run_ok (b));
  }
  g_chmod (p256, 0600);
  g_chmod (ed, 0600);
  key = jc_node_key_load_file (p256, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (key);
  g_assert_null (jc_node_key_load_file (ed, NULL, &error));
  g_assert_error (error, JC_ERROR, JC_ERROR_UNSUPPORTED);
  test_tmpdir_remove (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_assert_true (jc_init (NULL));
  g_test_add_func ("/keys/node-key/sign-verify", test_node_key_sign_verify);
  g_test_add_func ("/keys/node-key/file-plain", test_node_key_file_plain);
  g_test_add_func ("/keys/node-key/file-passphrase", test_node_key_file_passphrase);
  g_test_add_func ("/keys/node-key/foreign-files", test_node_key_foreign_files);
  return g_test_run ();
}
