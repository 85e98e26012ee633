#pragma once

#include <glib.h>

#include "jc-cert.h"
#include "jc-revocations.h"
#include "jc-roles.h"

G_BEGIN_DECLS

/* Verification of a node's certificate chain to a pinned root at a given time. */

/* Longest chain accepted (certificates below the root): deep enough for any
 * organisation's tree, short enough to bound the work a hostile peer can cause. */
#define JC_CHAIN_MAX_DEPTH 16

typedef enum {
  JC_CHAIN_OK = 0,
  JC_CHAIN_MALFORMED,      /* empty, too long, or only the root      -> JC_ERROR_UNTRUSTED */
  JC_CHAIN_UNKNOWN_ISSUER, /* a link not issued by the next one, or
                              the top not issued by the pinned root  -> JC_ERROR_UNTRUSTED */
  JC_CHAIN_BAD_SIGNATURE,  /* issuer named right, signature wrong    -> JC_ERROR_BAD_SIGNATURE */
  JC_CHAIN_NOT_CA,         /* an issuer that is not a CA             -> JC_ERROR_UNTRUSTED */
  JC_CHAIN_EXPIRED,        /* a certificate (or the root) expired    -> JC_ERROR_EXPIRED */
  JC_CHAIN_NOT_YET_VALID,  /* a certificate not valid yet            -> JC_ERROR_EXPIRED */
  JC_CHAIN_REVOKED,        /* a certificate revoked (CRL or key)     -> JC_ERROR_REVOKED */
  JC_CHAIN_ROLE_MISSING,   /* the leaf lacks a required role         -> JC_ERROR_DENIED */
} JcChainStatus;

/* Checks @chain (leaf first, each certificate followed by its issuer; it may end with
 * the root itself or stop below it) against the pinned @root at time @at (Unix seconds):
 * names and signatures of every link, CA flags, validity periods of every certificate
 * and of the root, revocation by @revocations (may be NULL), and that the leaf holds
 * every role in @required_roles. Returns JC_CHAIN_OK, or the first problem found from
 * the root downwards, with @error explaining it (error codes as above). */
JcChainStatus jc_chain_verify           (GPtrArray     *chain,
                                         JcCert        *root,
                                         gint64         at,
                                         JcRevocations *revocations,
                                         JcRoles        required_roles,
                                         GError       **error);
const char   *jc_chain_status_to_string (JcChainStatus  status);

G_END_DECLS
