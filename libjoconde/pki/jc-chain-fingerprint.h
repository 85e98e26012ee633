#pragma once

#include "jc-cert.h"

G_BEGIN_DECLS

/* The fingerprint of a certificate chain, to compare out of band (on the phone, on
 * paper) before trusting a peer (ADR-5). The chain is taken leaf first and up to the
 * root included; the hashed bytes are the certificates' DER encodings concatenated in
 * that order (DER is self-delimiting, so this is unambiguous).
 *  - digits: SHA-512 of those bytes as 12 groups of 5 digits (jc_digits_fingerprint);
 *  - sha256: SHA-256 of the same bytes, lowercase hex. */

/* @chain: GPtrArray of JcCert, leaf first; @root (may be NULL) is appended unless the
 * chain already ends with it. Either output may be NULL. */
void jc_chain_fingerprint (GPtrArray *chain,
                           JcCert    *root,
                           char     **digits,
                           char     **sha256);

/* The same hashes as raw digests, over DER encodings already in hand: @ders is a
 * GPtrArray of GBytes, leaf first and root included. @sha512 may be NULL. */
void jc_chain_fingerprint_der (GPtrArray *ders,
                               guint8     sha256[32],
                               guint8    *sha512);

G_END_DECLS
