#define G_LOG_DOMAIN "joconde"
#include "config.h"

#include "jc-error.h"

G_DEFINE_QUARK (joconde-error-quark, jc_error)
