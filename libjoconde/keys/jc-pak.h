#pragma once

#include <glib-object.h>

#include "jc-secret.h"

G_BEGIN_DECLS

/* A PAK (Asymmetric Authentication Key Pair of a Data Custodian or Analyst, spec §4.4.3):
 * a raw Ed25519 key, no certificate. A JcPak holds the public key and, when it was
 * generated or loaded from its file, the private key in guarded memory (wiped on free).
 *
 * Written forms:
 *  - public key: the 32 raw bytes as base64url without padding (43 characters);
 *  - signature: the 64 raw bytes of RFC 8032 Ed25519 (base64url in documents);
 *  - private key file (mode 0600): one line "joconde-pak-ed25519-v1 <base64url seed>\n"
 *    where the seed is the 32-byte RFC 8032 private key. */

#define JC_PAK_PUBLIC_SIZE    32
#define JC_PAK_SIGNATURE_SIZE 64

#define JC_TYPE_PAK (jc_pak_get_type ())
G_DECLARE_FINAL_TYPE (JcPak, jc_pak, JC, PAK, GObject)

JcPak        *jc_pak_generate                  (void);
JcPak        *jc_pak_new_from_public           (const guint8 *pub,
                                                gsize         len,
                                                GError      **error);
JcPak        *jc_pak_new_from_public_base64url (const char   *text,
                                                GError      **error);
/* Loads a private key file written by jc_pak_save (refused if group/other-readable). */
JcPak        *jc_pak_load                      (const char   *path,
                                                GError      **error);
/* Writes the private key atomically with mode 0600. */
gboolean      jc_pak_save                      (JcPak        *pak,
                                                const char   *path,
                                                GError      **error);

gboolean      jc_pak_has_private               (JcPak        *pak);
/* The private key as libsodium's 64-byte Ed25519 secret key, owned by @pak; NULL for a
 * public-only PAK. For protocols that prove the PAK themselves (libjoconde/ctio). */
const JcSecret *jc_pak_get_secret              (JcPak        *pak);
/* The 32 raw public key bytes, owned by @pak. */
const guint8 *jc_pak_get_public                (JcPak        *pak);
char         *jc_pak_get_public_base64url      (JcPak        *pak);

/* Ed25519 signature (64 bytes) of @msg; fails when @pak has no private key. */
GBytes       *jc_pak_sign                      (JcPak        *pak,
                                                const guint8 *msg,
                                                gsize         len,
                                                GError      **error);
gboolean      jc_pak_verify                    (JcPak        *pak,
                                                const guint8 *msg,
                                                gsize         len,
                                                const guint8 *sig,
                                                gsize         sig_len,
                                                GError      **error);

G_END_DECLS
