#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "jc-doc.h"
#include "jc-parts.h"
#include "jc-problems.h"

G_BEGIN_DECLS

/* Signatures over documents (spec §4.4.1.4, Appendix B.1). */

/* A node signature (type "node-signature"): a service node's ECDSA P-256 signature with
 * SHA-256 over the canonical bytes of a document, i.e. over its 32-byte document hash
 * (jc_node_key_sign_hash). The signature is not verified here (that needs the signer's
 * certificate: pki/jc-cert.h); signer names the node and its chain fingerprint. */
#define JC_NODE_SIGNATURE_ALGORITHM "ecdsa-p256-sha256"
/* The signature: r || s, 32 bytes each (keys/jc-node-key.h, jc_node_key_sign_hash). */
#define JC_NODE_SIGNATURE_SIZE 64

typedef struct {
  JcSigner signer;
  guint8   document_hash[JC_DOC_HASH_SIZE];
  GBytes  *signature;
} JcNodeSignature;

JcNodeSignature *jc_node_signature_new       (void);
void             jc_node_signature_free      (JcNodeSignature *sig);
JcNodeSignature *jc_node_signature_from_json (JsonNode *node, GError **error);
JcNodeSignature *jc_node_signature_read      (JsonNode *node, const char *path, JcProblems *problems);
JsonNode        *jc_node_signature_to_json   (const JcNodeSignature *sig);
gboolean         jc_node_signature_hash      (const JcNodeSignature *sig, guint8 out[JC_DOC_HASH_SIZE]);
char            *jc_node_signature_render    (const JcNodeSignature *sig);
void             jc_node_signature_render_to (const JcNodeSignature *sig, GString *out, guint indent);

/* A signatory signature (type "signatory-signature"): the signature of one signatory of
 * a CTSA over that CTSA's hash, as an opaque file (a scanned signing sheet, a CMS/PKCS#7
 * detached signature, an ASiC-E container), checked by hand by the SO. */
typedef struct {
  guint8  ctsa_hash[JC_DOC_HASH_SIZE];
  gint64  signatory;   /* index into the CTSA's "signatories" */
  JcFile *file;
} JcSignatorySignature;

JcSignatorySignature *jc_signatory_signature_new       (void);
void                  jc_signatory_signature_free      (JcSignatorySignature *sig);
JcSignatorySignature *jc_signatory_signature_from_json (JsonNode *node, GError **error);
JcSignatorySignature *jc_signatory_signature_read      (JsonNode *node, const char *path, JcProblems *problems);
JsonNode             *jc_signatory_signature_to_json   (const JcSignatorySignature *sig);
gboolean              jc_signatory_signature_hash      (const JcSignatorySignature *sig, guint8 out[JC_DOC_HASH_SIZE]);
char                 *jc_signatory_signature_render    (const JcSignatorySignature *sig);
void                  jc_signatory_signature_render_to (const JcSignatorySignature *sig, GString *out, guint indent);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JcNodeSignature, jc_node_signature_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (JcSignatorySignature, jc_signatory_signature_free)

G_END_DECLS
