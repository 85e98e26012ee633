#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "jc-doc.h"
#include "jc-pak.h"
#include "jc-problems.h"

G_BEGIN_DECLS

/* Building blocks shared by several documents. */

/* A Public Authentication Key (PAK) is an Ed25519 public key of JC_PAK_PUBLIC_SIZE (32)
 * raw bytes (keys/jc-pak.h), written in documents as base64url without padding. */

/* A node named in a CTSC (a computing party or a peer):
 *   {"name": "nsi", "chain": ["<base64url DER>", …], "fingerprint": "<64 hex>"}
 * chain is the node's certificate chain, the node's own certificate first and up to the
 * root; fingerprint is the SHA-256 of the certificates' DER encodings concatenated in that
 * order, in lowercase hex: the chain fingerprint of pki/jc-chain-fingerprint.h. */
typedef struct {
  char      *name;
  GPtrArray *chain;                          /* GBytes* (DER), leaf first */
  guint8     fingerprint[JC_DOC_HASH_SIZE];
} JcParty;

/* The node that made a signature or a control message:
 *   {"name": "nsi", "fingerprint": "<64 hex>"} (its chain fingerprint, as in JcParty). */
typedef struct {
  char  *name;
  guint8 fingerprint[JC_DOC_HASH_SIZE];
} JcSigner;

/* A file carried in a document: {"name": "id.pdf", "media_type": "application/pdf",
 * "content": "<base64url>"}. */
typedef struct {
  char   *name;
  char   *media_type;
  GBytes *content;
} JcFile;

/* An attachment of a CTSC: {"title", "description", "media_type", "content"}. */
typedef struct {
  char   *title;
  char   *description;
  char   *media_type;
  GBytes *content;
} JcAttachment;

/* A reference to a peer of the CTSC, written either as its index in "peers" (an integer
 * from 0) or as its name. The form written is kept so that a document re-written from
 * memory hashes the same; index is resolved when the CTSC is read (-1 while unknown). */
typedef struct {
  char  *name;   /* NULL when written as an index */
  gint64 index;
} JcPeerRef;

JcParty      *jc_party_new       (void);
void          jc_party_free      (JcParty *party);
JcParty      *jc_party_read      (JsonNode *node, const char *path, JcProblems *problems);
JsonNode     *jc_party_to_json   (const JcParty *party);
/* Fills FINGERPRINT from the chain. */
void          jc_party_compute_fingerprint (JcParty *party);
/* The chain fingerprint as 12 groups of 5 digits (SHA-512 of the same bytes), the form
 * compared out of band (pki/jc-chain-fingerprint.h). */
char         *jc_party_fingerprint_digits  (const JcParty *party);

gboolean      jc_signer_read     (JsonNode *node, const char *path, JcSigner *out, JcProblems *problems);
JsonNode     *jc_signer_to_json  (const JcSigner *signer);
void          jc_signer_clear    (JcSigner *signer);

JcFile       *jc_file_new        (const char *name, const char *media_type, GBytes *content);
void          jc_file_free       (JcFile *file);
JcFile       *jc_file_read       (JsonNode *node, const char *path, JcProblems *problems);
JsonNode     *jc_file_to_json    (const JcFile *file);

JcAttachment *jc_attachment_new     (const char *title, const char *description,
                                     const char *media_type, GBytes *content);
void          jc_attachment_free    (JcAttachment *attachment);
JcAttachment *jc_attachment_read    (JsonNode *node, const char *path, JcProblems *problems);
JsonNode     *jc_attachment_to_json (const JcAttachment *attachment);

/* Reads an index or a name; the index of a name is resolved later. */
gboolean      jc_peer_ref_read   (JsonNode *node, const char *path, JcPeerRef *out, JcProblems *problems);
JsonNode     *jc_peer_ref_to_json (const JcPeerRef *ref);
void          jc_peer_ref_clear  (JcPeerRef *ref);


G_DEFINE_AUTOPTR_CLEANUP_FUNC (JcParty, jc_party_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (JcFile, jc_file_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (JcAttachment, jc_attachment_free)

G_END_DECLS
