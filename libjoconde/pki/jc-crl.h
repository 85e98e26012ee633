#pragma once

#include <glib-object.h>

#include "jc-cert.h"
#include "jc-node-key.h"

G_BEGIN_DECLS

/* An X.509 v2 CRL signed by the node that issued the revoked certificates: each node
 * publishes the list of its children it has revoked (docs/pki.md, "Revocation"). */

typedef struct {
  const char *serial;     /* lowercase hex, as jc_cert_get_serial() */
  gint64      revoked_at; /* Unix seconds */
} JcCrlEntry;

#define JC_TYPE_CRL (jc_crl_get_type ())
G_DECLARE_FINAL_TYPE (JcCrl, jc_crl, JC, CRL, GObject)

/* Signs a CRL listing @entries; @number is the CRL number (it must grow with each new
 * CRL of the same issuer; this_update in seconds is a fine choice). */
JcCrl     *jc_crl_new_signed     (JcNodeKey        *issuer_key,
                                  JcCert           *issuer,
                                  const JcCrlEntry *entries,
                                  guint             n_entries,
                                  gint64            this_update,
                                  gint64            next_update,
                                  guint64           number,
                                  GError          **error);
JcCrl     *jc_crl_new_from_pem   (const char       *pem,
                                  gssize            len,
                                  GError          **error);
JcCrl     *jc_crl_new_from_der   (GBytes           *der,
                                  GError          **error);
char      *jc_crl_to_pem         (JcCrl            *crl);
GBytes    *jc_crl_get_der        (JcCrl            *crl);

gint64     jc_crl_get_this_update (JcCrl           *crl);
gint64     jc_crl_get_next_update (JcCrl           *crl);
guint      jc_crl_get_n_entries   (JcCrl           *crl);

/* TRUE when @issuer's subject and key made this CRL. */
gboolean   jc_crl_verify         (JcCrl            *crl,
                                  JcCert           *issuer,
                                  GError          **error);
/* TRUE when @serial (hex) is listed; *revoked_at gets its revocation time. */
gboolean   jc_crl_lookup         (JcCrl            *crl,
                                  const char       *serial,
                                  gint64           *revoked_at);

G_END_DECLS
