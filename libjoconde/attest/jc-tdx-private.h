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

/* A PCS JSON document ({"<member>": {...}, "signature": "hex"}): the issuer chain (signing
 * certificate, then the built-in Intel SGX Root CA) valid at `at`, the signature over the
 * member's exact bytes; *object is the signed member, owned by *parser. */
gboolean jc_tdx_pcs_document_load (GBytes *document, GBytes *chain_pem, const char *member,
                                   const char *what, gint64 at, JsonParser **parser,
                                   JsonObject **object, GError **error);
/* issueDate <= at <= nextUpdate. */
gboolean jc_tdx_pcs_document_current (JsonObject *object, const char *what, gint64 at,
                                      GError **error);

/* The QE Identity collateral (TD_QE) applied to the quote's QE report; *status receives
 * the level's tcbStatus. */
gboolean jc_tdx_qe_identity_check (const JcTdxCollateral *collateral, const JcTdxQuote *quote,
                                   gint64 at, char **status, GError **error);

/* The PCK and root CRLs of the collateral, when given: authentic, current, and not listing
 * the PCK certificate or its CA. */
gboolean jc_tdx_crl_check (const JcTdxCollateral *collateral, gnutls_x509_crt_t pck,
                           gnutls_x509_crt_t pck_ca, gint64 at, GError **error);

/* The TCB Info (already authenticated) applied to a quote: FMSPC and PCE-ID match, the TDX
 * module identity, then the TCB level. *status receives the level's tcbStatus. */
gboolean jc_tdx_tcb_info_evaluate (JsonObject         *info,
                                   const JcTdxQuote   *quote,
                                   const JcTdxPckInfo *pck,
                                   char              **status,
                                   GError            **error);

G_END_DECLS
