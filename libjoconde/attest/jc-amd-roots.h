#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* AMD processor generations with SEV-SNP, each with its own root key (ARK). */
typedef enum {
  JC_SNP_PRODUCT_UNKNOWN = 0,
  JC_SNP_PRODUCT_MILAN,
  JC_SNP_PRODUCT_GENOA,
  JC_SNP_PRODUCT_TURIN,
} JcSnpProduct;

typedef struct {
  JcSnpProduct product;
  const char  *name;     /* "Milan", as in AMD's certificate names ARK-Milan, SEV-Milan */
  const char  *ark_pem;  /* AMD Root Key certificate (self-signed, RSA-PSS) */
  const char  *ask_pem;  /* AMD SEV Key certificate, signs the VCEKs of that product */
} JcAmdRoot;

/* The built-in AMD roots, one per product. */
const JcAmdRoot *jc_amd_roots_get (guint *n_roots);

G_END_DECLS
