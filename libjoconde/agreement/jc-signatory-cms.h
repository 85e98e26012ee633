#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "jc-parts.h"
#include "jc-secret.h"
#include "jc-signer-cert.h"

G_BEGIN_DECLS

/* A signatory's electronic signature of a CTSA (spec §4.4.1.1 "Signatory Signature
 * Creation"; docs/model.md "Signatory signature"): a CMS SignedData (RFC 5652, DER),
 * detached, over the canonical bytes of the CTSA (docs/hashing.md, so its SHA-256 is the
 * CTSA hash), with one signer whose certificate it carries and a signing time. The key is
 * in the signatory's security token (keys/jc-signing-token.h).
 *
 * Verifying proves that the holder of that certificate's key signed exactly this CTSA; it
 * does not decide who the holder is: no trust store is consulted, the SO approver compares
 * the subject and fingerprint with its member register. */

#define JC_SIGNATORY_CMS_MEDIA_TYPE "application/pkcs7-signature"
#define JC_SIGNATORY_CMS_MAX_SIZE   ((gsize) 1 << 20)

/* TRUE when FILE is a CMS signature by its media type (application/pkcs7-signature or
 * application/pkcs7-mime) or by its first bytes (a ContentInfo of signedData): such a file
 * is verified; any other (a scanned sheet) is left to people. */
gboolean      jc_signatory_cms_file_is_cms (const JcFile *file);

/* Signs CTSA (a CTSA document) with the private key of CERT (from a token; PIN may be NULL
 * for a token without login). Returns the DER signature, checked by
 * jc_signatory_cms_verify before it is returned. Fails with JC_ERROR_DENIED for a wrong or
 * locked PIN, JC_ERROR_EXPIRED for a certificate out of its validity, JC_ERROR_CRYPTO or
 * JC_ERROR_NOT_FOUND when the token fails. */
GBytes       *jc_signatory_cms_sign   (const JcSignerCert *cert, const JcSecret *pin,
                                       JsonNode *ctsa, GError **error);

/* The file of a signatory signature holding CMS: "signature-<PEER>.p7s",
 * application/pkcs7-signature. */
JcFile       *jc_signatory_cms_file_new (GBytes *cms, const char *peer);

/* Verifies that CMS is a signature over exactly the canonical bytes of CTSA and returns
 * the signer's certificate (and, if SIGNING_TIME is not NULL, the signing time, seconds
 * since the epoch). Fails with JC_ERROR_INVALID (not CMS, not detached, no or several
 * signers, no certificate, no signing time), JC_ERROR_TOO_LARGE, JC_ERROR_BAD_SIGNATURE
 * (another document, or altered), JC_ERROR_EXPIRED (certificate not valid at the signing
 * time) or JC_ERROR_DENIED (certificate not for signing). */
JcSignerCert *jc_signatory_cms_verify (GBytes *cms, JsonNode *ctsa, gint64 *signing_time,
                                       GError **error);

G_END_DECLS
