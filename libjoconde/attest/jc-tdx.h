#pragma once

#include <glib.h>

#include "jc-tee-types.h"

G_BEGIN_DECLS

/* Intel TDX quotes (ECDSA attestation, quote format versions 4 and 5).
 *
 * Layout: Intel "TDX DCAP Quote Generation Library and Quote Verification Library" API
 * reference, appendix "Quote Format" (v4: header + TD report body; v5: header + body
 * descriptor {type, size} + body, type 2 = TDX 1.0 (584 bytes), 3 = TDX 1.5 (648 bytes)),
 * then the ECDSA quote signature data: signature (P-256 r‖s over header+body), attestation
 * public key (x‖y), certification data type 6 holding the QE report, its signature by the
 * PCK key, the QE authentication data and certification data type 5 (the PEM PCK chain). */

#define JC_TDX_HEADER_SIZE       48
#define JC_TDX_BODY_10_SIZE      584
#define JC_TDX_BODY_15_SIZE      648
#define JC_TDX_QE_REPORT_SIZE    384

typedef struct {
  guint8 tee_tcb_svn[16];
  guint8 mrseam[48];
  guint8 mrsignerseam[48];
  guint8 seam_attributes[8];
  guint8 td_attributes[8];     /* byte 0 bit 0: DEBUG */
  guint8 xfam[8];
  guint8 mrtd[48];
  guint8 mrconfigid[48];
  guint8 mrowner[48];
  guint8 mrownerconfig[48];
  guint8 rtmr[4][48];
  guint8 report_data[JC_TEE_REPORT_DATA_SIZE];
  /* TDX 1.5 bodies (type 3) only; zero otherwise. */
  guint8 tee_tcb_svn2[16];
  guint8 mrservicetd[48];
} JcTdxTdReport;

typedef struct {
  guint16       version;             /* 4 or 5 */
  guint16       att_key_type;        /* 2 = ECDSA P-256 */
  guint32       tee_type;            /* 0x81 = TDX */
  guint8        qe_vendor_id[16];
  guint8        user_data[20];
  guint16       body_type;           /* 2 (TDX 1.0) or 3 (TDX 1.5); v4 quotes: 2 */
  JcTdxTdReport td;
  gsize         signed_len;          /* header + (descriptor) + body */
  gsize         quote_len;           /* bytes the quote occupies; the rest of the input is ignored */
  /* Signature data; pointers into the parsed buffer, valid while it lives. */
  const guint8 *signature;           /* 64: r ‖ s */
  const guint8 *attestation_key;     /* 64: x ‖ y */
  const guint8 *qe_report;           /* 384: SGX report body of the Quoting Enclave */
  const guint8 *qe_report_signature; /* 64 */
  const guint8 *qe_auth_data;
  gsize         qe_auth_data_len;
  const guint8 *pck_chain_pem;       /* certification data type 5 */
  gsize         pck_chain_pem_len;
} JcTdxQuote;

/* Parses a quote; data must outlive the result (pointers into it). Trailing bytes after the
 * quote (padding) are ignored. Checks structure only. */
gboolean jc_tdx_quote_parse (const guint8 *data, gsize len, JcTdxQuote *out, GError **error);

/* Optional PCS collateral (Intel Provisioning Certification Service); each piece is checked
 * when present. Any field may be NULL. */
typedef struct {
  GBytes *tcb_info;          /* PCS "TCB Info" response: {"tcbInfo": {...}, "signature": "hex"} */
  GBytes *tcb_info_chain;    /* PEM: TCB Signing certificate then root (TCB-Info-Issuer-Chain) */
  GBytes *qe_identity;       /* PCS "QE Identity" response for TD_QE: {"enclaveIdentity": …} */
  GBytes *qe_identity_chain; /* PEM: its issuer chain (SGX-Enclave-Identity-Issuer-Chain) */
  GBytes *pck_crl;           /* CRL of the PCK certificate's CA (DER or PEM) */
  GBytes *root_crl;          /* CRL of the Intel SGX Root CA (DER or PEM) */
} JcTdxCollateral;

/* Verifies a quote against a policy:
 * quote structure; the PCK chain (certification data in the quote) to the built-in Intel SGX
 * Root CA, valid at policy->at; the QE report signature with the PCK key; the QE report data
 * = SHA-256(attestation key ‖ QE auth data); the quote signature with the attestation key;
 * then, for each piece of collateral given: the CRLs (authentic, current at policy->at, not
 * revoking the PCK certificate or its CA); the QE Identity (signed, current, the QE's
 * MRSIGNER, ISVPRODID, MISCSELECT and ATTRIBUTES under their masks, its ISVSVN level); the TCB
 * Info (signed by the TCB signing chain, current at policy->at, FMSPC and PCE-ID of the PCK
 * certificate, the TDX module identity, the TCB level). Statuses go to verdict->tcb;
 * "Revoked" or no matching level is refused, and with policy->check_min_tcb anything but
 * UpToDate / SWHardeningNeeded is refused; finally the policy: debug (TD_ATTRIBUTES.DEBUG), the allow-list and the report
 * data. For TDX, an allow-list entry is 48 bytes (MRTD) or 240 bytes (MRTD ‖ RTMR0 ‖ RTMR1 ‖
 * RTMR2 ‖ RTMR3, all of which must match). */
gboolean jc_tdx_verify (GBytes                *quote,
                        const JcTdxCollateral *collateral,
                        const JcTeePolicy     *policy,
                        JcTeeVerdict          *verdict,
                        GError               **error);

G_END_DECLS
