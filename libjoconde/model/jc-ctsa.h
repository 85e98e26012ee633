#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "jc-ctsc.h"
#include "jc-doc.h"
#include "jc-parts.h"
#include "jc-problems.h"

G_BEGIN_DECLS

/* The Computation Task Specification Addendum (spec §4.4.1.3): one peer's refinement of
 * a CTSC, naming its signatories and which PAKs may upload which inputs (custodians) and
 * download which outputs (analysts). Document type "ctsa", version 1; see docs/model.md. */

typedef struct {
  char   *name;            /* the signatory as the SO's member database knows them */
  JcFile *identification;  /* an identification document, or NULL */
} JcSignatory;

typedef struct {
  GBytes    *pak;          /* JC_PAK_PUBLIC_SIZE bytes */
  GPtrArray *keys;         /* char*: input keys (custodians) or output keys (analysts) */
} JcPakGrant;

typedef struct {
  guint8     ctsc_hash[JC_DOC_HASH_SIZE];  /* the CTSC this addendum belongs to */
  gint64     peer;                         /* index of the peer in the CTSC's "peers" */
  GPtrArray *signatories;                  /* JcSignatory* */
  GPtrArray *custodians;                   /* JcPakGrant*: "inputs" */
  GPtrArray *analysts;                     /* JcPakGrant*: "outputs" */
} JcCtsa;

JcCtsa   *jc_ctsa_new       (void);
void      jc_ctsa_free      (JcCtsa *ctsa);
JcCtsa   *jc_ctsa_from_json (JsonNode *node, GError **error);
/* Validates the CTSA on its own (see jc_ctsa_check_against for the checks that need
 * its CTSC). Returns the CTSA when no problem was found. */
JcCtsa   *jc_ctsa_read      (JsonNode *node, const char *path, JcProblems *problems);
JsonNode *jc_ctsa_to_json   (const JcCtsa *ctsa);
gboolean  jc_ctsa_hash      (const JcCtsa *ctsa, guint8 out[JC_DOC_HASH_SIZE]);
char     *jc_ctsa_render    (const JcCtsa *ctsa);
/* The same with the CTSC it belongs to: the peer is shown by name and the rendering
 * says whether the CTSA's ctsc_hash is that CTSC's. */
char     *jc_ctsa_render_for (const JcCtsa *ctsa, const JcCtsc *ctsc);
/* CTSC may be NULL; with it the peer's name and the grants' schemas are shown. */
void      jc_ctsa_render_to (const JcCtsa *ctsa, const JcCtsc *ctsc, GString *out, guint indent);

/* Checks CTSA against its CTSC (whose hash is CTSC_HASH): the hash matches, the peer
 * exists, every input key granted is an input of this peer and every output key is an
 * output this peer may retrieve. Problems are added under PATH. */
gboolean  jc_ctsa_check_against (const JcCtsa *ctsa, const JcCtsc *ctsc,
                                  const guint8 ctsc_hash[JC_DOC_HASH_SIZE],
                                  const char *path, JcProblems *problems);

/* Parts for building a CTSA in memory. */
JcSignatory *jc_signatory_new  (const char *name, JcFile *identification /* taken, may be NULL */);
JcPakGrant  *jc_pak_grant_new  (GBytes *pak);  /* no keys yet: add them to grant->keys */
void jc_signatory_free (JcSignatory *signatory);
void jc_pak_grant_free (JcPakGrant *grant);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JcCtsa, jc_ctsa_free)

G_END_DECLS
