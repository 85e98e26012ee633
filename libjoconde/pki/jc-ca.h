#pragma once

#include <glib.h>

#include "jc-cert.h"
#include "jc-csr.h"
#include "jc-node-identity.h"
#include "jc-node-key.h"
#include "jc-roles.h"

G_BEGIN_DECLS

/* Making certificates: the self-signed root CA, and a node certificate issued by its
 * parent from the child's CSR. Every certificate is a CA (every node may have
 * children); see docs/pki.md for the profile. */

/* A node certificate's life (Unix seconds): valid from not_before to not_after; active
 * (used for new CTSAs, due for rotation after) until active_until, passive after it. */
typedef struct {
  gint64 not_before;
  gint64 active_until;
  gint64 not_after;
} JcValidity;

/* The default root-configured lifetimes of spec §4.4.2.3. */
#define JC_PKI_ACTIVE_MONTHS  6
#define JC_PKI_PASSIVE_MONTHS 18
#define JC_PKI_ROOT_YEARS     20
/* Certificates start this much before "now" so a peer whose clock is a little behind
 * does not see them as not yet valid. */
#define JC_PKI_BACKDATE_SECONDS 3600

/* not_before = now - backdate; active for @active_months, then passive for
 * @passive_months (calendar months, UTC). */
void     jc_validity_init_months (JcValidity *v,
                                  gint64      now,
                                  guint       active_months,
                                  guint       passive_months);
/* The root CA: JC_PKI_ROOT_YEARS, no passive period. */
void     jc_validity_init_root   (JcValidity *v,
                                  gint64      now);

/* A self-signed root CA certificate for @key (which may live in a PKCS#11 token). The
 * identity's name becomes the CN, e.g. "JOCONDE root CA". */
JcCert  *jc_ca_create_root       (JcNodeKey            *key,
                                  const JcNodeIdentity *identity,
                                  const JcValidity     *validity,
                                  GError              **error);

/* Issues a node certificate for @csr's key and identity with @roles (the issuer's
 * choice, whatever the CSR asked for). @issuer_key must be the key of @issuer, a CA.
 * The validity is clamped so the child never outlives its issuer. */
JcCert  *jc_ca_issue             (JcNodeKey            *issuer_key,
                                  JcCert               *issuer,
                                  JcCsr                *csr,
                                  JcRoles               roles,
                                  const JcValidity     *validity,
                                  GError              **error);

G_END_DECLS
