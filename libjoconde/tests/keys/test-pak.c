#define G_LOG_DOMAIN "joconde-test"
#include "config.h"

#include <glib/gstdio.h>
#include <sodium.h>
#include <string.h>
#include <sys/stat.h>

#include "jc-encoding.h"
#include "jc-error.h"
#include "jc-init.h"
#include "../test-tmpdir.h"
#include "jc-pak.h"

static void
test_pak_sign_verify (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcPak) pak = jc_pak_generate ();
  g_autoptr(JcPak) other = jc_pak_generate ();
  g_autoptr(JcPak) pub_only = NULL;
  g_autoptr(GBytes) sig = NULL;
  g_autofree char *b64 = NULL;
  const guint8 msg[] = "upload permission for task 42";
  guint8 bad[64];

  sig = jc_pak_sign (pak, msg, sizeof msg, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (sig), ==, 64);
  b64 = jc_pak_get_public_base64url (pak);
  g_assert_cmpuint (strlen (b64), ==, 43);
  pub_only = jc_pak_new_from_public_base64url (b64, &error);
  g_assert_no_error (error);
  g_assert_false (jc_pak_has_private (pub_only));
  g_assert_cmpmem (jc_pak_get_public (pub_only), 32, jc_pak_get_public (pak), 32);
  g_assert_true (jc_pak_verify (pub_only, msg, sizeof msg, g_bytes_get_data (sig, NULL), 64, &error));
  g_assert_no_error (error);

  /* Wrong key, altered message, altered signature, truncated signature. */
  g_assert_false (jc_pak_verify (other, msg, sizeof msg, g_bytes_get_data (sig, NULL), 64, &error));
  g_assert_error (error, JC_ERROR, JC_ERROR_BAD_SIGNATURE);
  g_clear_error (&error);
  g_assert_false (jc_pak_verify (pak, msg, sizeof msg - 1, g_bytes_get_data (sig, NULL), 64, &error));
  g_assert_error (error, JC_ERROR, JC_ERROR_BAD_SIGNATURE);
  g_clear_error (&error);
  memcpy (bad, g_bytes_get_data (sig, NULL), 64);
  bad[10] ^= 1;
  g_assert_false (jc_pak_verify (pak, msg, sizeof msg, bad, 64, &error));
  g_assert_error (error, JC_ERROR, JC_ERROR_BAD_SIGNATURE);
  g_clear_error (&error);
  g_assert_false (jc_pak_verify (pak, msg, sizeof msg, bad, 63, &error));
  g_assert_error (error, JC_ERROR, JC_ERROR_INVALID);
  g_clear_error (&error);

  /* A public-only PAK cannot sign. */
  g_assert_null (jc_pak_sign (pub_only, msg, sizeof msg, &error));
  g_assert_error (error, JC_ERROR, JC_ERROR_STATE);
  g_clear_error (&error);

  /* Bad public keys. */
  g_assert_null (jc_pak_new_from_public_base64url ("AAAA", &error));
  g_assert_error (error, JC_ERROR, JC_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (jc_pak_new_from_public_base64url ("not base64url!", &error));
  g_assert_error (error, JC_ERROR, JC_ERROR_INVALID);
}

/* RFC 8032 §7.1 TEST 2: the seed, public key and signature of the one-byte message 0x72. */
static void
test_pak_rfc8032_vector (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = test_tmpdir_new ("jc-pak-XXXXXX");
  g_autofree char *path = g_build_filename (dir, "pak.key", NULL);
  g_autofree char *seed_b64 = NULL, *content = NULL;
  g_autoptr(GBytes) seed = jc_hex_decode ("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb", NULL);
  g_autoptr(GBytes) pub = jc_hex_decode ("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", NULL);
  g_autoptr(GBytes) want = jc_hex_decode ("92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
                                          "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00", NULL);
  g_autoptr(JcPak) pak = NULL;
  g_autoptr(GBytes) sig = NULL;
  const guint8 msg[] = { 0x72 };

  seed_b64 = jc_base64url_encode (g_bytes_get_data (seed, NULL), 32);
  content = g_strdup_printf ("joconde-pak-ed25519-v1 %s\n", seed_b64);
  g_file_set_contents_full (path, content, -1, G_FILE_SET_CONTENTS_NONE, 0600, &error);
  g_assert_no_error (error);
  pak = jc_pak_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (jc_pak_get_public (pak), 32, g_bytes_get_data (pub, NULL), 32);
  sig = jc_pak_sign (pak, msg, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (sig, NULL), 64, g_bytes_get_data (want, NULL), 64);
  test_tmpdir_remove (dir);
}

/* Loading PATH fails with CODE, the message holding FRAGMENT (NULL: any). */
static void
assert_load_refused (const char *path, int code, const char *fragment)
{
  g_autoptr(GError) error = NULL;

  g_assert_null (jc_pak_load (path, &error));
  g_assert_error (error, JC_ERROR, code);
  if (fragment)
    g_assert_nonnull (strstr (error->message, fragment));
}

static void
test_pak_save_load (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = test_tmpdir_new ("jc-pak-XXXXXX");
  g_autofree char *path = g_build_filename (dir, "pak.key", NULL);
  g_autoptr(JcPak) pak = jc_pak_generate ();
  g_autoptr(JcPak) back = NULL;
  g_autoptr(JcPak) pub_only = jc_pak_new_from_public (jc_pak_get_public (pak), 32, NULL);
  g_autoptr(GBytes) sig = NULL;
  struct stat st;

  g_assert_true (jc_pak_save (pak, path, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  back = jc_pak_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (jc_pak_get_public (back), 32, jc_pak_get_public (pak), 32);
  sig = jc_pak_sign (back, (const guint8 *) "x", 1, &error);
  g_assert_true (jc_pak_verify (pak, (const guint8 *) "x", 1, g_bytes_get_data (sig, NULL), 64, &error));

  /* A public-only PAK has nothing to save. */
  g_assert_false (jc_pak_save (pub_only, path, &error));
  g_assert_error (error, JC_ERROR, JC_ERROR_STATE);
  g_clear_error (&error);

  /* Group-readable: refused with a clear reason. */
  g_assert_cmpint (g_chmod (path, 0640), ==, 0);
  assert_load_refused (path, JC_ERROR_DENIED, "chmod 600");
  g_chmod (path, 0600);

  /* Damaged or foreign files. */
  g_file_set_contents_full (path, "joconde-pak-ed25519-v1 short\n", -1, G_FILE_SET_CONTENTS_NONE, 0600, NULL);
  assert_load_refused (path, JC_ERROR_INVALID, NULL);
  g_file_set_contents_full (path, "joconde-pak-ed25519-v1 !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n",
                            -1, G_FILE_SET_CONTENTS_NONE, 0600, NULL);
  assert_load_refused (path, JC_ERROR_INVALID, NULL);
  g_unlink (path);
  assert_load_refused (path, JC_ERROR_NOT_FOUND, NULL);
  assert_load_refused (dir, JC_ERROR_INVALID, NULL); /* a folder */
  test_tmpdir_remove (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_assert_true (jc_init (NULL));
  g_test_add_func ("/keys/pak/sign-verify", test_pak_sign_verify);
  g_test_add_func ("/keys/pak/rfc8032-vector", test_pak_rfc8032_vector);
  g_test_add_func ("/keys/pak/save-load", test_pak_save_load);
  return g_test_run ();
}
