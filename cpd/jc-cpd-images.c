#define G_LOG_DOMAIN "joconde-cpd"
#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "jc-cpd-images.h"
#include "jc-encoding.h"
#include "jc-error.h"
#include "jc-snp-measure.h"

#define MANIFEST_FORMAT "joconde-guest-image/1"
#define MAX_MANIFEST (64 * 1024)
#define SNP_GUEST_FEATURES 0x1  /* QEMU's sev-snp-guest default SEV_FEATURES */

void
jc_cpd_image_free (JcCpdImage *image)
{
  if (image == NULL)
    return;
  g_free (image->name);
  g_strfreev (image->engines);
  g_free (image->kernel);
  g_free (image->initrd);
  g_free (image->firmware);
  g_free (image->cmdline);
  g_free (image);
}

static gboolean
fail (GError **error, const char *dir, const char *what)
{
  g_set_error (error, JC_ERROR, JC_ERROR_INVALID, _("The image manifest in %s is not usable: %s"),
               dir, what);
  return FALSE;
}

/* MEMBER of O when it is a string, else NULL (never a GLib critical on hostile input). */
static const char *
get_str (JsonObject *o, const char *member)
{
  JsonNode *node = json_object_get_member (o, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

/* A file named by the manifest: a plain name inside the image directory whose SHA-256 is
 * the one written down. Returns its absolute path. */
static char *
checked_file (const char *dir, JsonObject *part, const char *what, GBytes **contents,
              GError **error)
{
  const char *file = get_str (part, "file");
  const char *sha = get_str (part, "sha256");
  g_autofree char *path = NULL;
  g_autofree char *data = NULL;
  g_autofree char *digest = NULL;
  gsize len = 0;

  if (file == NULL || *file == '\0' || strchr (file, '/') != NULL || g_str_equal (file, "..") ||
      sha == NULL)
    {
      g_autofree char *msg = g_strdup_printf (_("the %s needs a plain file name and its sha256"), what);
      fail (error, dir, msg);
      return NULL;
    }
  path = g_build_filename (dir, file, NULL);
  if (!g_file_get_contents (path, &data, &len, error))
    return NULL;
  digest = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) data, len);
  if (g_ascii_strcasecmp (digest, sha) != 0)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("The %s %s does not have the SHA-256 its manifest gives (damaged or half copied)"),
                   what, path);
      return NULL;
    }
  if (contents != NULL)
    *contents = g_bytes_new_take (g_steal_pointer (&data), len);
  return g_steal_pointer (&path);
}

static JsonObject *
get_object (JsonObject *m, const char *member)
{
  JsonNode *node = json_object_get_member (m, member);

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static gboolean
read_measurement (JsonObject *m, const char *member, const char *dir, gboolean *has,
                  guint8 out[JC_TEE_MEASUREMENT_SIZE], GError **error)
{
  JsonNode *node = json_object_get_member (m, member);

  *has = FALSE;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING ||
      !jc_hex_decode_into (json_node_get_string (node), out, JC_TEE_MEASUREMENT_SIZE, NULL))
    {
      g_autofree char *msg = g_strdup_printf (_("%s must be 96 hex digits or null"), member);
      return fail (error, dir, msg);
    }
  *has = TRUE;
  return TRUE;
}

JcCpdImage *
jc_cpd_image_load (const char *dir, guint vcpus, const char *vcpu_type, GError **error)
{
  g_autofree char *manifest = g_build_filename (dir, "manifest.json", NULL);
  g_autofree char *text = NULL;
  gsize len = 0;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JcCpdImage) image = g_new0 (JcCpdImage, 1);
  g_autoptr(GStrvBuilder) engines = g_strv_builder_new ();
  g_autoptr(GBytes) kernel = NULL;
  g_autoptr(GBytes) initrd = NULL;
  g_autoptr(GBytes) firmware = NULL;
  JsonObject *m, *part;
  JsonArray *list;
  gint64 port;

  if (!g_file_get_contents (manifest, &text, &len, error))
    return NULL;
  if (len > MAX_MANIFEST)
    {
      fail (error, dir, _("manifest.json is too large"));
      return NULL;
    }
  if (!json_parser_load_from_data (parser, text, (gssize) len, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      fail (error, dir, _("manifest.json is not a JSON object"));
      return NULL;
    }
  m = json_node_get_object (json_parser_get_root (parser));
  if (g_strcmp0 (get_str (m, "format"), MANIFEST_FORMAT) != 0)
    {
      fail (error, dir, _("its format is not " MANIFEST_FORMAT));
      return NULL;
    }
  image->name = g_path_get_basename (dir);
  list = json_object_has_member (m, "engines") &&
         JSON_NODE_HOLDS_ARRAY (json_object_get_member (m, "engines"))
         ? json_object_get_array_member (m, "engines") : NULL;
  for (guint i = 0; list != NULL && i < json_array_get_length (list); i++)
    {
      const char *e = json_node_get_string (json_array_get_element (list, i));
      if (e == NULL)
        {
          fail (error, dir, _("engines must be a list of engine ids"));
          return NULL;
        }
      g_strv_builder_add (engines, e);
    }
  image->engines = g_strv_builder_end (engines);
  {
    JsonNode *p = json_object_get_member (m, "guest_port");
    if (p == NULL)
      port = 8443;
    else if (JSON_NODE_HOLDS_VALUE (p) && json_node_get_value_type (p) == G_TYPE_INT64)
      port = json_node_get_int (p);
    else
      port = 0;
  }
  if (port < 1 || port > 65535)
    {
      fail (error, dir, _("guest_port is not a TCP port"));
      return NULL;
    }
  image->guest_port = (guint16) port;
  if (json_object_has_member (m, "cmdline") && get_str (m, "cmdline") == NULL)
    {
      fail (error, dir, _("cmdline must be a string"));
      return NULL;
    }
  image->cmdline = g_strdup (get_str (m, "cmdline") ? get_str (m, "cmdline") : "");
  if ((part = get_object (m, "kernel")) == NULL)
    return fail (error, dir, _("it names no kernel")), NULL;
  if ((image->kernel = checked_file (dir, part, _("kernel"), &kernel, error)) == NULL)
    return NULL;
  if ((part = get_object (m, "initrd")) == NULL)
    return fail (error, dir, _("it names no initrd")), NULL;
  if ((image->initrd = checked_file (dir, part, _("initrd"), &initrd, error)) == NULL)
    return NULL;
  if ((part = get_object (m, "firmware")) != NULL &&
      (image->firmware = checked_file (dir, part, _("firmware"), &firmware, error)) == NULL)
    return NULL;
  if (!read_measurement (m, "expected_snp_measurement", dir, &image->has_snp, image->snp, error) ||
      !read_measurement (m, "expected_tdx_mrtd", dir, &image->has_tdx, image->tdx, error))
    return NULL;
  if (!image->has_snp && firmware != NULL)
    {
      JcSnpMeasureParams p = {
        .vcpus = vcpus, .guest_features = SNP_GUEST_FEATURES, .ovmf = firmware,
        .direct_boot = TRUE, .kernel = kernel, .initrd = initrd, .append = image->cmdline,
      };
      if (!jc_snp_vcpu_sig_from_name (vcpu_type, &p.vcpu_sig, error) ||
          !jc_snp_measure (&p, image->snp, error))
        return NULL;
      image->has_snp = TRUE;
    }
  return g_steal_pointer (&image);
}

static gboolean
measurement_allowed (const guint8 m[JC_TEE_MEASUREMENT_SIZE], GPtrArray *allowed)
{
  for (guint i = 0; allowed != NULL && i < allowed->len; i++)
    {
      gsize n = 0;
      const guint8 *a = g_bytes_get_data (allowed->pdata[i], &n);
      if (n == JC_TEE_MEASUREMENT_SIZE && memcmp (a, m, n) == 0)
        return TRUE;
    }
  return FALSE;
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

JcCpdImage *
jc_cpd_images_select (const char *dir, const char *engine, JcTeePlatform platform,
                      GPtrArray *measurements, guint vcpus, const char *vcpu_type, GError **error)
{
  g_autoptr(GDir) d = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  gboolean engine_seen = FALSE;
  g_autoptr(GString) broken = g_string_new (NULL);
  const char *entry;

  d = g_dir_open (dir, 0, error);
  if (d == NULL)
    return NULL;
  while ((entry = g_dir_read_name (d)) != NULL)
    g_ptr_array_add (names, g_strdup (entry));
  /* The same image wins every time, whatever order the directory lists. */
  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_build_filename (dir, names->pdata[i], NULL);
      g_autoptr(GError) local = NULL;
      g_autoptr(JcCpdImage) image = NULL;

      if (!g_file_test (path, G_FILE_TEST_IS_DIR))
        continue;
      image = jc_cpd_image_load (path, vcpus, vcpu_type, &local);
      if (image == NULL)
        {
          g_warning ("%s", local->message);
          g_string_append_printf (broken, " %s", local->message);
          continue;
        }
      if (!g_strv_contains ((const char * const *) image->engines, engine))
        continue;
      engine_seen = TRUE;
      if (platform == JC_TEE_PLATFORM_SEV_SNP &&
          !(image->has_snp && measurement_allowed (image->snp, measurements)))
        continue;
      if (platform == JC_TEE_PLATFORM_TDX &&
          !(image->has_tdx && measurement_allowed (image->tdx, measurements)))
        continue;
      return g_steal_pointer (&image);
    }
  if (engine_seen)
    g_set_error (error, JC_ERROR, JC_ERROR_DENIED,
                 _("No image in %s for the engine %s has a measurement the task allows"),
                 dir, engine);
  else if (broken->len > 0)
    g_set_error (error, JC_ERROR, JC_ERROR_NOT_FOUND,
                 _("No usable image in %s serves the engine %s; unusable images:%s"),
                 dir, engine, broken->str);
  else
    g_set_error (error, JC_ERROR, JC_ERROR_NOT_FOUND,
                 _("No image in %s serves the engine %s"), dir, engine);
  return NULL;
}
