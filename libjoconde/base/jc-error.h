#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The error domain shared by every area of libjoconde. The message of a GError in this
 * domain is written for the person who reads it: it names the thing refused and why. */
#define JC_ERROR (jc_error_quark ())

typedef enum {
  JC_ERROR_FAILED,        /* anything not covered below */
  JC_ERROR_INVALID,       /* malformed input: a document, a file, an argument */
  JC_ERROR_TOO_LARGE,     /* input over a configured limit */
  JC_ERROR_NOT_FOUND,     /* a named thing does not exist */
  JC_ERROR_EXISTS,        /* a thing to create is there already */
  JC_ERROR_IO,            /* reading or writing a file or socket failed */
  JC_ERROR_CRYPTO,        /* a cryptographic operation failed */
  JC_ERROR_BAD_SIGNATURE, /* a signature or MAC does not verify */
  JC_ERROR_UNTRUSTED,     /* a certificate chain or evidence is not trusted */
  JC_ERROR_EXPIRED,       /* a certificate, deadline or key is out of its validity */
  JC_ERROR_REVOKED,       /* a key or certificate has been revoked */
  JC_ERROR_DENIED,        /* the requester is not allowed to do this */
  JC_ERROR_STATE,         /* not allowed in the current state */
  JC_ERROR_UNSUPPORTED,   /* a version, platform or feature this build does not know */
  JC_ERROR_CANCELLED,     /* the operation was cancelled */
} JcError;

GQuark jc_error_quark (void);

G_END_DECLS
