#pragma once

#include <gio/gio.h>

#include "jc-signer-cert.h"

G_BEGIN_DECLS

/* What the app shows and does around signing with a security token, without widgets:
 * finding the tokens' signing certificates off the main thread, and the texts of the
 * signing dialog. */

/* Lists every signing certificate of the tokens present (JcSignerCert*) in a thread:
 * opening PKCS#11 modules and asking tokens can take seconds. */
void       jc_token_sign_find_async  (GCancellable *cancellable, GAsyncReadyCallback callback,
                                      gpointer user_data);
GPtrArray *jc_token_sign_find_finish (GAsyncResult *result, GError **error);

/* The body of the signing dialog: what is signed (the addendum's hash, in hex and as digit
 * groups to compare with the signing sheet) and with which certificate. */
char      *jc_token_sign_summary     (const JcSignerCert *cert, const char *ctsa_hash_hex);

/* One line naming CERT among several: "subject — token". */
char      *jc_token_sign_choice_label (const JcSignerCert *cert);

G_END_DECLS
