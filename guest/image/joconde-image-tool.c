#define G_LOG_DOMAIN "joconde-image"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>

#include "jc-encoding.h"
#include "jc-engine.h"
#include "jc-init.h"
#include "jc-snp-measure.h"

/* Build-time helper of guest/image/build-image.sh: what the manifest states is read from the
 * real files through libjoconde, never typed by hand.
 *
 *   joconde-image-tool engine-id MODULE…      the engine id of each module, one per line
 *   joconde-image-tool snp-measure OPTION…    the expected SEV-SNP launch measurement (hex) */

static int
usage (void)
{
  fprintf (stderr, "%s",
           _("Usage: joconde-image-tool engine-id MODULE…\n"
             "       joconde-image-tool snp-measure --ovmf FILE --vcpus N --vcpu-type NAME\n"
             "           [--guest-features HEX] [--kernel FILE --initrd FILE --append TEXT]\n"));
  return 2;
}

static int
fail (GError *error)
{
  fprintf (stderr, "joconde-image-tool: %s\n", error->message);
  g_error_free (error);
  return 1;
}

static int
cmd_engine_id (int argc, char **argv)
{
  if (argc < 2)
    return usage ();
  for (int i = 1; i < argc; i++)
    {
      GError *error = NULL;
      g_autoptr(JcEngine) engine = jc_engine_load (argv[i], &error);

      if (engine == NULL)
        return fail (error);
      printf ("%s\n", jc_engine_get_id (engine));
    }
  return 0;
}

static GBytes *
read_file (const char *path, GError **error)
{
  g_autoptr(GMappedFile) map = NULL;

  if (path == NULL)
    return NULL;
  map = g_mapped_file_new (path, FALSE, error);
  return map ? g_mapped_file_get_bytes (map) : NULL;
}

static int
cmd_snp_measure (int argc, char **argv)
{
  g_autofree char *ovmf_path = NULL, *kernel_path = NULL, *initrd_path = NULL;
  g_autofree char *append = NULL, *vcpu_type = NULL, *features = NULL;
  gint vcpus = 1;
  GOptionEntry entries[] = {
    { "ovmf", 0, 0, G_OPTION_ARG_FILENAME, &ovmf_path, N_("The OVMF firmware image"), N_("FILE") },
    { "vcpus", 0, 0, G_OPTION_ARG_INT, &vcpus, N_("The number of vCPUs"), N_("N") },
    { "vcpu-type", 0, 0, G_OPTION_ARG_STRING, &vcpu_type, N_("QEMU's vCPU model, e.g. EPYC-v4"), N_("NAME") },
    { "guest-features", 0, 0, G_OPTION_ARG_STRING, &features, N_("SEV_FEATURES (default 0x1)"), N_("HEX") },
    { "kernel", 0, 0, G_OPTION_ARG_FILENAME, &kernel_path, N_("The kernel, measured through OVMF's hash table"), N_("FILE") },
    { "initrd", 0, 0, G_OPTION_ARG_FILENAME, &initrd_path, N_("The initrd"), N_("FILE") },
    { "append", 0, 0, G_OPTION_ARG_STRING, &append, N_("The kernel command line"), N_("TEXT") },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new (NULL);
  g_autoptr(GBytes) ovmf = NULL, kernel = NULL, initrd = NULL;
  GError *error = NULL;
  guint8 digest[JC_SNP_MEASUREMENT_SIZE];
  JcSnpMeasureParams p = { 0 };
  char *end = NULL;

  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    return fail (error);
  if (ovmf_path == NULL || vcpu_type == NULL || argc > 1 || vcpus < 1)
    return usage ();
  p.vcpus = (guint) vcpus;
  if (!jc_snp_vcpu_sig_from_name (vcpu_type, &p.vcpu_sig, &error))
    return fail (error);
  p.guest_features = g_ascii_strtoull (features ? features : "0x1", &end, 16);
  if (end == NULL || *end != '\0')
    return usage ();
  if ((ovmf = read_file (ovmf_path, &error)) == NULL)
    return fail (error);
  p.ovmf = ovmf;
  if (kernel_path != NULL)
    {
      p.direct_boot = TRUE;
      if ((kernel = read_file (kernel_path, &error)) == NULL
          || (initrd_path != NULL && (initrd = read_file (initrd_path, &error)) == NULL))
        return fail (error);
      p.kernel = kernel;
      p.initrd = initrd;
      p.append = append;
    }
  if (!jc_snp_measure (&p, digest, &error))
    return fail (error);
  {
    g_autofree char *hex = jc_hex_encode (digest, sizeof digest);
    printf ("%s\n", hex);
  }
  return 0;
}

int
main (int argc, char **argv)
{
  GError *error = NULL;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  if (!jc_init (&error))
    return fail (error);
  if (argc < 2)
    return usage ();
  if (g_str_equal (argv[1], "engine-id"))
    return cmd_engine_id (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "snp-measure"))
    return cmd_snp_measure (argc - 1, argv + 1);
  return usage ();
}
