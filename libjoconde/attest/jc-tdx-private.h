#pragma once

#include <glib.h>
#include <gnutls/x509.h>
#include <json-glib/json-glib.h>

#include "jc-tdx.h"

G_BEGIN_DECLS

/* What the PCK certificate's SGX extensions (OID 1.2.840.113741.1.13.1) say about the
 * platform: Intel "SGX PCK Certificate and Certificate Revocation List Profile
 * Specification", section "PCK Certificate" / "Intel SGX Extensions". */
typedef struct {
  guint8  fmspc[6];
  guint8  pce_id[2];
  guint8  sgx_tcb[16];     /* SGX TCB component SVNs 1..16 */
  guint32 pce_svn;
} JcTdxPckInfo;

gboolean jc_tdx_pck_info_read (gnutls_x509_crt_t pck, JcTdxPckInfo *out, GError **error);

/* Checks the TCB Info collateral; on success *status is its TCB status ("UpToDate", …). */
gboolean jc_tdx_collateral_check (const JcTdxCollateral *collateral,
                                  const JcTdxQuote      *quote,
                                  const JcTdxPckInfo    *pck,
                                  gint64                 at,
                                  char                 **status,
                                  GError               **error);

/* The TCB Info (already authenticated) applied to a quote: FMSPC and PCE-ID match, the TDX
 * module identity, then the TCB level. *status receives the level's tcbStatus. */
gboolean jc_tdx_tcb_info_evaluate (JsonObject         *info,
                                   const JcTdxQuote   *quote,
                                   const JcTdxPckInfo *pck,
                                   char              **status,
                                   GError            **error);

G_END_DECLS
