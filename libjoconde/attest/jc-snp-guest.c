#define G_LOG_DOMAIN "joconde-attest"
#include "config.h"

#include <inttypes.h>

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <linux/sev-guest.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jc-error.h"
#include "jc-snp.h"

/* Guest side of SEV-SNP: a report over 64 bytes of report data, with the certificates the
 * host provides (VCEK or VLEK, ASK, ARK), so a verifier needs no access to AMD's KDS. */

#define TSM_REPORT_DIR "/sys/kernel/config/tsm/report"
#define SEV_GUEST_DEV  "/dev/sev-guest"
#define CERT_TABLE_MAX (1024 * 1024)

/* Certificate table GUIDs (GHCB specification, "SNP Extended Guest Request"; the same table
 * is configfs-tsm's auxblob). On the wire the GUID bytes are in the order the text is
 * written (as uuid_parse gives them), which is what hosts (QEMU, the AMD tools) produce. */
static const guint8 guid_vcek[16] = { /* 63da758d-e664-4564-adc5-f4b93be8accd */
  0x63, 0xda, 0x75, 0x8d, 0xe6, 0x64, 0x45, 0x64, 0xad, 0xc5, 0xf4, 0xb9, 0x3b, 0xe8, 0xac, 0xcd };
static const guint8 guid_vlek[16] = { /* a8074bc2-a25a-483e-aae6-39c045a0b8a1 */
  0xa8, 0x07, 0x4b, 0xc2, 0xa2, 0x5a, 0x48, 0x3e, 0xaa, 0xe6, 0x39, 0xc0, 0x45, 0xa0, 0xb8, 0xa1 };
static const guint8 guid_ask[16] = { /* 4ab7b379-bbac-4fe4-a02f-05aef327c782 */
  0x4a, 0xb7, 0xb3, 0x79, 0xbb, 0xac, 0x4f, 0xe4, 0xa0, 0x2f, 0x05, 0xae, 0xf3, 0x27, 0xc7, 0x82 };
static const guint8 guid_ark[16] = { /* c0b406a4-a803-4952-9743-3fb6014cd0ae */
  0xc0, 0xb4, 0x06, 0xa4, 0xa8, 0x03, 0x49, 0x52, 0x97, 0x43, 0x3f, 0xb6, 0x01, 0x4c, 0xd0, 0xae };

void
jc_snp_cert_table_clear (JcSnpCertTable *table)
{
  g_clear_pointer (&table->vcek, g_bytes_unref);
  g_clear_pointer (&table->vlek, g_bytes_unref);
  g_clear_pointer (&table->ask, g_bytes_unref);
  g_clear_pointer (&table->ark, g_bytes_unref);
}

static guint32
le32 (const guint8 *p)
{
  return (guint32) p[0] | (guint32) p[1] << 8 | (guint32) p[2] << 16 | (guint32) p[3] << 24;
}

gboolean
jc_snp_cert_table_parse (const guint8 *data, gsize len, JcSnpCertTable *out, GError **error)
{
  static const guint8 zero[24] = { 0 };
  memset (out, 0, sizeof *out);
  for (gsize pos = 0;; pos += 24)
    {
      if (len < 24 || pos > len - 24)
        {
          jc_snp_cert_table_clear (out);
          g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                       _("The SEV-SNP certificate table has no terminating entry"));
          return FALSE;
        }
      const guint8 *e = data + pos;
      if (memcmp (e, zero, 24) == 0)
        return TRUE;
      guint32 off = le32 (e + 16), n = le32 (e + 20);
      /* Entries point past the table header, inside the blob. */
      if (off < pos + 24 || off > len || n > len - off || n == 0)
        {
          jc_snp_cert_table_clear (out);
          g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                       _("An entry of the SEV-SNP certificate table points outside the table"));
          return FALSE;
        }
      GBytes **slot = NULL;
      if (memcmp (e, guid_vcek, 16) == 0)
        slot = &out->vcek;
      else if (memcmp (e, guid_vlek, 16) == 0)
        slot = &out->vlek;
      else if (memcmp (e, guid_ask, 16) == 0)
        slot = &out->ask;
      else if (memcmp (e, guid_ark, 16) == 0)
        slot = &out->ark;
      if (!slot)
        continue;   /* other entries (e.g. a CRL) are not needed for verification */
      if (*slot)
        {
          jc_snp_cert_table_clear (out);
          g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                       _("The SEV-SNP certificate table lists the same certificate twice"));
          return FALSE;
        }
      *slot = g_bytes_new (data + off, n);
    }
}

GPtrArray *
jc_snp_cert_table_to_list (const JcSnpCertTable *table)
{
  GPtrArray *list = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  GBytes *order[] = { table->vcek, table->vlek, table->ask, table->ark };
  for (guint i = 0; i < G_N_ELEMENTS (order); i++)
    if (order[i])
      g_ptr_array_add (list, g_bytes_ref (order[i]));
  return list;
}

static gboolean
read_attr (const char *entry_dir, const char *name, GBytes **out, GError **error)
{
  g_autofree char *path = g_build_filename (entry_dir, name, NULL);
  g_autofree char *contents = NULL;
  gsize len;
  if (!g_file_get_contents (path, &contents, &len, error))
    {
      g_prefix_error (error, _("Cannot read the TEE report attribute “%s”: "), name);
      return FALSE;
    }
  *out = g_bytes_new_take (g_steal_pointer (&contents), len);
  return TRUE;
}

static gboolean
read_generation (const char *entry_dir, guint64 *out, GError **error)
{
  g_autoptr (GBytes) b = NULL;
  if (!read_attr (entry_dir, "generation", &b, error))
    return FALSE;
  g_autofree char *s = g_strndup (g_bytes_get_data (b, NULL), g_bytes_get_size (b));
  g_strstrip (s);
  if (!g_ascii_string_to_unsigned (s, 10, 0, G_MAXUINT64, out, NULL))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("The TEE report entry's generation “%s” is not a number"), s);
      return FALSE;
    }
  return TRUE;
}

gboolean
jc_snp_tsm_request (const char *entry_dir, const guint8 report_data[JC_TEE_REPORT_DATA_SIZE],
                    GBytes **report, GBytes **auxblob, GError **error)
{
  return jc_tsm_request (entry_dir, "sev_guest", report_data, report, auxblob, error);
}

gboolean
jc_tsm_request (const char *entry_dir, const char *provider_name,
                const guint8 report_data[JC_TEE_REPORT_DATA_SIZE], GBytes **report,
                GBytes **auxblob, GError **error)
{
  g_autofree char *inblob = g_build_filename (entry_dir, "inblob", NULL);
  g_autoptr (GBytes) provider = NULL;
  guint64 gen_before, gen_after;

  *report = NULL;
  *auxblob = NULL;
  if (!read_attr (entry_dir, "provider", &provider, error))
    return FALSE;
  g_autofree char *p = g_strndup (g_bytes_get_data (provider, NULL),
                                  MIN (g_bytes_get_size (provider), 64));
  g_strstrip (p);
  if (!g_str_equal (p, provider_name))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_UNSUPPORTED,
                   _("The TEE report provider is “%s”, not “%s”"), p, provider_name);
      return FALSE;
    }

  /* The entry's generation counts writes: ours must be the only one between reading it
   * here and reading it again after the report, else the report may answer another
   * writer's report data. */
  if (!read_generation (entry_dir, &gen_before, error))
    return FALSE;

  /* The kernel takes the whole report data in one write. */
  int fd = g_open (inblob, O_WRONLY | O_CLOEXEC, 0);
  if (fd < 0)
    {
      int e = errno;
      g_set_error (error, JC_ERROR, JC_ERROR_IO, _("Cannot open %s: %s"), inblob, g_strerror (e));
      return FALSE;
    }
  ssize_t w = write (fd, report_data, JC_TEE_REPORT_DATA_SIZE);
  int e = errno;
  close (fd);
  if (w != JC_TEE_REPORT_DATA_SIZE)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_IO, _("Cannot write the report data to %s: %s"),
                   inblob, w < 0 ? g_strerror (e) : _("short write"));
      return FALSE;
    }

  g_autoptr (GBytes) out = NULL;
  g_autoptr (GBytes) aux = NULL;
  if (!read_attr (entry_dir, "outblob", &out, error)
      || !read_attr (entry_dir, "auxblob", &aux, error)
      || !read_generation (entry_dir, &gen_after, error))
    return FALSE;
  if (gen_after != gen_before + 1)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_STATE,
                   _("The TEE report entry's generation went from %" PRIu64 " to %" PRIu64
                     " instead of advancing by our one write: another process used it during "
                     "the request"), (uint64_t) gen_before, (uint64_t) gen_after);
      return FALSE;
    }
  *report = g_steal_pointer (&out);
  *auxblob = g_steal_pointer (&aux);
  return TRUE;
}

static gboolean
certs_from_table (GBytes *table, GPtrArray **certs, GError **error)
{
  JcSnpCertTable t;
  if (!table || g_bytes_get_size (table) == 0)
    {
      *certs = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
      return TRUE;
    }
  if (!jc_snp_cert_table_parse (g_bytes_get_data (table, NULL), g_bytes_get_size (table), &t,
                                error))
    return FALSE;
  *certs = jc_snp_cert_table_to_list (&t);
  jc_snp_cert_table_clear (&t);
  return TRUE;
}

static gboolean
get_report_tsm (const guint8 report_data[JC_TEE_REPORT_DATA_SIZE], GBytes **report,
                GPtrArray **certs, GError **error)
{
  g_autofree char *name = g_strdup_printf ("joconde-%d-%08x", (int) getpid (), g_random_int ());
  g_autofree char *entry = g_build_filename (TSM_REPORT_DIR, name, NULL);
  g_autoptr (GBytes) aux = NULL;
  if (g_mkdir (entry, 0700) != 0)
    {
      int e = errno;
      g_set_error (error, JC_ERROR, JC_ERROR_IO,
                   _("Cannot create the TEE report entry %s: %s"), entry, g_strerror (e));
      return FALSE;
    }
  gboolean ok = jc_snp_tsm_request (entry, report_data, report, &aux, error)
                && certs_from_table (aux, certs, error);
  g_rmdir (entry);
  if (!ok)
    g_clear_pointer (report, g_bytes_unref);
  return ok;
}

/* Not exercised by the test suite: it needs an SEV-SNP guest. Interface: linux/sev-guest.h;
 * response MSG_REPORT_RSP (SNP ABI spec): status at 0, report size at 4, report at 0x20. */
static gboolean
get_report_ioctl (const guint8 report_data[JC_TEE_REPORT_DATA_SIZE], GBytes **report,
                  GPtrArray **certs, GError **error)
{
  int fd = g_open (SEV_GUEST_DEV, O_RDWR | O_CLOEXEC, 0);
  if (fd < 0)
    {
      int e = errno;
      g_set_error (error, JC_ERROR, e == ENOENT ? JC_ERROR_UNSUPPORTED : JC_ERROR_IO,
                   _("No SEV-SNP guest interface: neither %s nor %s is usable (%s)"),
                   TSM_REPORT_DIR, SEV_GUEST_DEV, g_strerror (e));
      return FALSE;
    }
  struct snp_ext_report_req req;
  struct snp_report_resp resp;
  struct snp_guest_request_ioctl io;
  gsize certs_len = 4 * 4096;
  g_autofree guint8 *certs_buf = NULL;
  int rc;
  for (;;)
    {
      g_free (certs_buf);
      certs_buf = g_malloc0 (certs_len);
      memset (&req, 0, sizeof req);
      memset (&resp, 0, sizeof resp);
      memset (&io, 0, sizeof io);
      memcpy (req.data.user_data, report_data, JC_TEE_REPORT_DATA_SIZE);
      req.data.vmpl = 0;
      req.certs_address = (guint64) (guintptr) certs_buf;
      req.certs_len = certs_len;
      io.msg_version = 1;
      io.req_data = (guint64) (guintptr) &req;
      io.resp_data = (guint64) (guintptr) &resp;
      rc = ioctl (fd, SNP_GET_EXT_REPORT, &io);
      /* The host says how much room its certificates need; ask again with that much. */
      if (rc < 0 && io.vmm_error == SNP_GUEST_VMM_ERR_INVALID_LEN && req.certs_len > certs_len
          && req.certs_len <= CERT_TABLE_MAX)
        {
          certs_len = req.certs_len;
          continue;
        }
      break;
    }
  int e = errno;
  close (fd);
  if (rc < 0)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_IO,
                   _("The SEV-SNP extended report request failed: %s (firmware error %u, "
                     "host error %u)"), g_strerror (e), io.fw_error, io.vmm_error);
      return FALSE;
    }
  guint32 status = le32 (resp.data), size = le32 (resp.data + 4);
  if (status != 0 || size < JC_SNP_REPORT_SIZE || size > sizeof resp.data - 0x20)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_IO,
                   _("The SEV-SNP firmware refused the report request (status %u)"), status);
      return FALSE;
    }
  g_autoptr (GBytes) table = g_bytes_new (certs_buf, certs_len);
  if (!certs_from_table (table, certs, error))
    return FALSE;
  *report = g_bytes_new (resp.data + 0x20, JC_SNP_REPORT_SIZE);
  return TRUE;
}

gboolean
jc_snp_guest_get_report (const guint8 report_data[JC_TEE_REPORT_DATA_SIZE], GBytes **report,
                         GPtrArray **certs, GError **error)
{
  *report = NULL;
  *certs = NULL;
  if (g_file_test (TSM_REPORT_DIR, G_FILE_TEST_IS_DIR))
    return get_report_tsm (report_data, report, certs, error);
  return get_report_ioctl (report_data, report, certs, error);
}
