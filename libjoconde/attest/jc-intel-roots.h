#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The built-in Intel SGX Root CA certificate (PEM), anchor of PCK and TCB signing chains. */
const char *jc_intel_roots_sgx_root_ca_pem (void);

G_END_DECLS
