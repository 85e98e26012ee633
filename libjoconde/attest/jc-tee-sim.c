#define G_LOG_DOMAIN "joconde-attest"
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <sodium.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jc-encoding.h"
#include "jc-error.h"
#include "jc-tee.h"
#include "jc-tee-sim.h"

#define SIM_MAGIC "JCSIMTEE"
#define SIM_VERSION 1
#define SIM_FLAG_DEBUG 0x0001
#define SIM_MARKER "SIMULATED"

enum {
  OFF_MAGIC = 0,
  OFF_VERSION = 8,
  OFF_FLAGS = 10,
  OFF_MEASUREMENT = 12,
  OFF_REPORT_DATA = 60,
  OFF_SIGNER = 124,
  OFF_MARKER = 156,
  OFF_SIGNATURE = 172,
  SIGNED_SIZE = OFF_SIGNATURE,
};

G_STATIC_ASSERT (OFF_SIGNATURE + crypto_sign_BYTES == JC_TEE_SIM_REPORT_SIZE);
G_STATIC_ASSERT (JC_TEE_SIM_PUBLIC_KEY_SIZE == crypto_sign_PUBLICKEYBYTES);

const char *
jc_tee_sim_label (void)
{
  return _("simulated TEE — not confidential");
}

JcSecret *
jc_tee_sim_key_new (void)
{
  JcSecret *key = jc_secret_new (crypto_sign_SECRETKEYBYTES);
  guint8 pk[crypto_sign_PUBLICKEYBYTES];

  crypto_sign_keypair (pk, key->data);
  return key;
}

static JcSecret *
key_from_seed (const guint8 *seed)
{
  JcSecret *key = jc_secret_new (crypto_sign_SECRETKEYBYTES);
  guint8 pk[crypto_sign_PUBLICKEYBYTES];

  crypto_sign_seed_keypair (pk, key->data, seed);
  return key;
}

static JcSecret *
sim_key_load (const char *path, int fd, GError **error)
{
  g_autoptr(JcSecret) seed = jc_secret_new (crypto_sign_SEEDBYTES);
  struct stat st;
  gssize n;
  guint8 extra;

  if (fstat (fd, &st) != 0 || (st.st_mode & 0077) != 0)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_DENIED,
                   _("The simulator key %s is readable by other users; make it mode 0600"), path);
      return NULL;
    }
  n = read (fd, seed->data, seed->len);
  if (n != (gssize) seed->len || read (fd, &extra, 1) != 0)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("The simulator key %s is not a %u-byte key file"), path,
                   (guint) crypto_sign_SEEDBYTES);
      return NULL;
    }
  return key_from_seed (seed->data);
}

static JcSecret *
sim_key_create (const char *path, int fd, GError **error)
{
  g_autoptr(JcSecret) seed = jc_secret_new_random (crypto_sign_SEEDBYTES);

  if (write (fd, seed->data, seed->len) != (gssize) seed->len || fsync (fd) != 0)
    {
      int saved = errno;
      g_unlink (path);
      g_set_error (error, JC_ERROR, JC_ERROR_IO, _("Could not write the simulator key %s: %s"),
                   path, g_strerror (saved));
      return NULL;
    }
  return key_from_seed (seed->data);
}

JcSecret *
jc_tee_sim_key_load_or_create (const char *path, GError **error)
{
  JcSecret *key;
  int fd;

  /* O_EXCL: two processes starting at once must not both write a different key. */
  fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0)
    {
      key = sim_key_create (path, fd, error);
      close (fd);
      return key;
    }
  if (errno != EEXIST)
    {
      int saved = errno;
      g_set_error (error, JC_ERROR, JC_ERROR_IO, _("Could not create the simulator key %s: %s"),
                   path, g_strerror (saved));
      return NULL;
    }
  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, JC_ERROR, JC_ERROR_IO, _("Could not read the simulator key %s: %s"),
                   path, g_strerror (saved));
      return NULL;
    }
  key = sim_key_load (path, fd, error);
  close (fd);
  return key;
}

void
jc_tee_sim_key_get_public (const JcSecret *key, guint8 public_key[JC_TEE_SIM_PUBLIC_KEY_SIZE])
{
  crypto_sign_ed25519_sk_to_pk (public_key, key->data);
}

gboolean
jc_tee_sim_measure_file (const char *path, guint8 measurement[JC_TEE_MEASUREMENT_SIZE],
                         GError **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) in = NULL;
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA384);
  guint8 buf[65536];
  gssize n;
  gsize len = JC_TEE_MEASUREMENT_SIZE;

  in = g_file_read (file, NULL, error);
  if (in == NULL)
    return FALSE;
  while ((n = g_input_stream_read (G_INPUT_STREAM (in), buf, sizeof buf, NULL, error)) > 0)
    g_checksum_update (sum, buf, n);
  if (n < 0)
    return FALSE;
  g_checksum_get_digest (sum, measurement, &len);
  return TRUE;
}

GBytes *
jc_tee_sim_report_new (const JcSecret *key,
                       const guint8 measurement[JC_TEE_MEASUREMENT_SIZE],
                       const guint8 report_data[JC_TEE_REPORT_DATA_SIZE],
                       gboolean debug)
{
  guint8 *r = g_malloc0 (JC_TEE_SIM_REPORT_SIZE);
  guint16 version = GUINT16_TO_LE (SIM_VERSION);
  guint16 flags = GUINT16_TO_LE (debug ? SIM_FLAG_DEBUG : 0);

  memcpy (r + OFF_MAGIC, SIM_MAGIC, 8);
  memcpy (r + OFF_VERSION, &version, 2);
  memcpy (r + OFF_FLAGS, &flags, 2);
  memcpy (r + OFF_MEASUREMENT, measurement, JC_TEE_MEASUREMENT_SIZE);
  memcpy (r + OFF_REPORT_DATA, report_data, JC_TEE_REPORT_DATA_SIZE);
  jc_tee_sim_key_get_public (key, r + OFF_SIGNER);
  memcpy (r + OFF_MARKER, SIM_MARKER, strlen (SIM_MARKER));
  crypto_sign_detached (r + OFF_SIGNATURE, NULL, r, SIGNED_SIZE, key->data);
  return g_bytes_new_take (r, JC_TEE_SIM_REPORT_SIZE);
}

gboolean
jc_tee_sim_report_detect (GBytes *data)
{
  gsize len;
  const guint8 *p = g_bytes_get_data (data, &len);

  return len >= 8 && memcmp (p, SIM_MAGIC, 8) == 0;
}

static gboolean
sim_report_parse (const guint8 *r, gsize len, GError **error)
{
  static const guint8 marker[16] = SIM_MARKER;
  guint16 version, flags;

  if (len != JC_TEE_SIM_REPORT_SIZE || memcmp (r + OFF_MAGIC, SIM_MAGIC, 8) != 0)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("The simulated TEE report is malformed (%zu bytes; a report has %u bytes "
                     "starting with “%s”)"), len, (guint) JC_TEE_SIM_REPORT_SIZE, SIM_MAGIC);
      return FALSE;
    }
  memcpy (&version, r + OFF_VERSION, 2);
  memcpy (&flags, r + OFF_FLAGS, 2);
  if (GUINT16_FROM_LE (version) != SIM_VERSION)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_UNSUPPORTED,
                   _("The simulated TEE report has version %u; this build knows version %u"),
                   GUINT16_FROM_LE (version), SIM_VERSION);
      return FALSE;
    }
  if ((GUINT16_FROM_LE (flags) & ~SIM_FLAG_DEBUG) != 0 || memcmp (r + OFF_MARKER, marker, 16) != 0)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("The simulated TEE report has unknown flags or lacks its “SIMULATED” marker"));
      return FALSE;
    }
  return TRUE;
}

gboolean
jc_tee_sim_verify (GBytes *report, const JcTeePolicy *policy, JcTeeVerdict *verdict,
                   GError **error)
{
  gsize len;
  const guint8 *r = g_bytes_get_data (report, &len);
  guint16 flags;
  g_autofree char *signer = NULL;

  memset (verdict, 0, sizeof *verdict);
  if (policy->platform != JC_TEE_PLATFORM_SIM)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_UNTRUSTED,
                   _("The evidence comes from a %s, but the task requires the %s platform"),
                   jc_tee_sim_label (), jc_tee_platform_to_string (policy->platform));
      return FALSE;
    }
  if (!sim_report_parse (r, len, error))
    return FALSE;
  if (crypto_sign_verify_detached (r + OFF_SIGNATURE, r, SIGNED_SIZE, r + OFF_SIGNER) != 0)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_BAD_SIGNATURE,
                   _("The signature of the simulated TEE report does not verify"));
      return FALSE;
    }
  signer = jc_base64url_encode (r + OFF_SIGNER, JC_TEE_SIM_PUBLIC_KEY_SIZE);
  if (!jc_tee_allow_list_holds (policy->sim_keys, r + OFF_SIGNER, JC_TEE_SIM_PUBLIC_KEY_SIZE))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_UNTRUSTED,
                   _("The simulated TEE report is signed by simulator key %s, which the task "
                     "does not trust"), signer);
      return FALSE;
    }
  memcpy (&flags, r + OFF_FLAGS, 2);
  verdict->platform = JC_TEE_PLATFORM_SIM;
  verdict->simulated = TRUE;
  verdict->debug = (GUINT16_FROM_LE (flags) & SIM_FLAG_DEBUG) != 0;
  memcpy (verdict->measurement, r + OFF_MEASUREMENT, JC_TEE_MEASUREMENT_SIZE);
  memcpy (verdict->report_data, r + OFF_REPORT_DATA, JC_TEE_REPORT_DATA_SIZE);
  verdict->tcb = g_strdup (jc_tee_sim_label ());
  verdict->signer = g_strdup_printf (_("simulator key %s (%s)"), signer,
                                     policy->sim_keys && policy->sim_keys->len
                                     ? _("trusted by the task") : _("not pinned by the task"));
  if (!jc_tee_policy_check_verdict (policy, verdict, error))
    {
      jc_tee_verdict_clear (verdict);
      return FALSE;
    }
  return TRUE;
}
