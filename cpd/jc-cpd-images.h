#pragma once

#include <glib.h>

#include "jc-tee-types.h"

G_BEGIN_DECLS

/* The image repository: a directory holding one sub-directory per guest image, each with
 * the manifest.json that guest/image/build-image.sh writes (docs/guest-image.md) next to
 * the files it names. A manifest may add "firmware": {"file", "sha256"} (the OVMF build the
 * image is launched with); the expected SEV-SNP measurement is then computed here
 * (jc-snp-measure.h) when the manifest does not give it. */
typedef struct {
  char    *name;        /* the sub-directory */
  char   **engines;     /* engine ids it serves */
  char    *kernel;      /* absolute paths */
  char    *initrd;
  char    *firmware;    /* NULL without one */
  char    *cmdline;
  guint16  guest_port;
  gboolean has_snp;
  guint8   snp[JC_TEE_MEASUREMENT_SIZE];
  gboolean has_tdx;
  guint8   tdx[JC_TEE_MEASUREMENT_SIZE];
} JcCpdImage;

void jc_cpd_image_free (JcCpdImage *image);

/* Reads one image directory: the manifest is checked and the files' SHA-256 compared with
 * it, so a half-copied image is never launched. VCPUS and VCPU_TYPE are the launch
 * parameters the SNP measurement depends on. */
JcCpdImage *jc_cpd_image_load (const char *dir, guint vcpus, const char *vcpu_type, GError **error);

/* The image of the repository DIR that serves ENGINE on PLATFORM and, for a real TEE,
 * whose measurement is one of MEASUREMENTS (GBytes* of JC_TEE_MEASUREMENT_SIZE). Fails with
 * JC_ERROR_NOT_FOUND ("missing image": none serves the engine) or JC_ERROR_DENIED (images
 * serve it but none has an allowed measurement). Unreadable images are skipped with a
 * warning naming them. */
JcCpdImage *jc_cpd_images_select (const char *dir, const char *engine, JcTeePlatform platform,
                                  GPtrArray *measurements, guint vcpus, const char *vcpu_type,
                                  GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JcCpdImage, jc_cpd_image_free)

G_END_DECLS
