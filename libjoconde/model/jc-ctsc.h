#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "jc-doc.h"
#include "jc-parts.h"
#include "jc-problems.h"
#include "jc-schema.h"
#include "jc-tee-types.h"

G_BEGIN_DECLS

/* The Computation Task Specification Core (spec §4.4.1.2, Appendix B.1): what is
 * computed, by whom, on which data, until when. Written by the main Task Organiser from a
 * draft file; immutable once made. Its document (type "ctsc", version 1) is described
 * field by field in docs/model.md. */

typedef struct {
  char     *key;       /* identifier, unique among inputs and outputs */
  JcPeerRef peer;      /* the peer whose custodians supply it */
  GPtrArray *schema;   /* JcColumn* */
  char     *quality;   /* data-quality query, or NULL */
} JcInputSpec;

typedef struct {
  char      *key;
  GArray    *peers;    /* JcPeerRef: the peers whose analysts may retrieve it */
  GPtrArray *schema;
} JcOutputSpec;

typedef struct {
  char         *title;
  char         *description;
  char         *engine;            /* MPC engine id, e.g. "rss3-sh-z64" */
  JcTeePlatform platform;          /* tee.platform */
  GPtrArray    *measurements;      /* tee.measurements: GBytes* of JC_TEE_MEASUREMENT_SIZE */
  gint64        approval_deadline; /* Unix seconds; approval < input < execution < output */
  gint64        input_deadline;
  gint64        execution_deadline;
  gint64        output_deadline;
  GPtrArray    *computing_parties; /* JcParty* */
  GPtrArray    *peers;             /* JcParty* */
  GPtrArray    *inputs;            /* JcInputSpec* */
  GPtrArray    *outputs;           /* JcOutputSpec* */
  char         *algorithm;         /* the main algorithm's source text */
  GPtrArray    *attachments;       /* JcAttachment* */
} JcCtsc;

JcCtsc   *jc_ctsc_new       (void);
void      jc_ctsc_free      (JcCtsc *ctsc);

/* Reads and validates a CTSC. On any problem returns NULL with JC_ERROR_INVALID whose
 * message lists every problem with its path. */
JcCtsc   *jc_ctsc_from_json (JsonNode *node, GError **error);
/* Validates the CTSC at NODE, adding every problem to PROBLEMS with paths under PATH
 * ("" for a document on its own). Returns the CTSC read when there was no problem. */
JcCtsc   *jc_ctsc_read      (JsonNode *node, const char *path, JcProblems *problems);
/* The document; to_json (from_json (x)) has the same canonical form as x. */
JsonNode *jc_ctsc_to_json   (const JcCtsc *ctsc);
gboolean  jc_ctsc_hash      (const JcCtsc *ctsc, guint8 out[JC_DOC_HASH_SIZE]);
/* Deterministic text for review screens and `jocondectl doc show`, hash included. */
char     *jc_ctsc_render    (const JcCtsc *ctsc);
/* Appends the body of the rendering at INDENT (used inside the rendering of a CTA). */
void      jc_ctsc_render_to (const JcCtsc *ctsc, GString *out, guint indent);

/* Lookups; NULL/-1 when absent. */
const JcInputSpec  *jc_ctsc_find_input  (const JcCtsc *ctsc, const char *key);
const JcOutputSpec *jc_ctsc_find_output (const JcCtsc *ctsc, const char *key);
gint64              jc_ctsc_find_peer   (const JcCtsc *ctsc, const char *name);

/* Parts for building a CTSC in memory; each CTSC array frees what it holds. */
JcInputSpec  *jc_input_spec_new   (const char *key);  /* empty schema, peer unset (-1) */
JcOutputSpec *jc_output_spec_new  (const char *key);  /* no peers, empty schema */
/* Appends a peer reference by index (NAME NULL) or by name. */
void          jc_output_spec_add_peer (JcOutputSpec *output, gint64 index, const char *name);
void jc_input_spec_free  (JcInputSpec *input);
void jc_output_spec_free (JcOutputSpec *output);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JcCtsc, jc_ctsc_free)

G_END_DECLS
