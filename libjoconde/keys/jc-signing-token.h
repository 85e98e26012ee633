#pragma once

#include <glib.h>

#include "jc-signer-cert.h"

G_BEGIN_DECLS

/* Security tokens (smart cards, USB tokens; PKCS#11) that can sign documents: each
 * certificate that has its private key next to it in the token. The PKCS#11 modules are
 * those of p11-kit's configuration (/usr/share/p11-kit/modules, /etc/pkcs11/modules,
 * ~/.config/pkcs11/modules), plus any added with jc_signing_token_add_module.
 *
 * Listing asks the token for nothing secret: certificates are public objects. Tokens
 * that hide their private keys until login list no certificate; name such a certificate
 * (or its token) explicitly to jc_signing_token_find. */

/* Loads one more PKCS#11 module (a shared object path) for this process. */
gboolean   jc_signing_token_add_module (const char *module_path, GError **error);

/* Every signing certificate (JcSignerCert with token_label, cert_url, key_url) of the
 * token or object named by URL (an RFC 7512 "pkcs11:" URI), or of every token when URL is
 * NULL. An empty array when there is none; NULL with an error only when URL is not a
 * PKCS#11 URI or the named token cannot be read. */
GPtrArray *jc_signing_token_list       (const char *url, GError **error);

/* The one signing certificate named by URL (a token, or a certificate in it; when no
 * certificate there shows a private key, a certificate alone, its key being looked for
 * at signing): refused
 * with JC_ERROR_NOT_FOUND when there is none, JC_ERROR_INVALID when there are several
 * (the message lists their URIs). */
JcSignerCert *jc_signing_token_find    (const char *url, GError **error);

G_END_DECLS
