#pragma once

/* The information model of JOCONDE (spec §4.4, Appendix B.1): every document type as a C
 * type with reading (validation that names the path of each problem), writing (to a
 * json-glib tree, whose canonical form and hash come from jc-doc.h) and deterministic
 * rendering to text. docs/model.md describes every document and field.
 *
 * Every document is a JSON object with "type" and "version" (1). Reading a document:
 *
 *   g_autoptr(JsonNode) node = jc_doc_parse (data, len, NULL, &error);
 *   g_autoptr(JcCtsc) ctsc = node ? jc_ctsc_from_json (node, &error) : NULL;
 *
 * and the hash that signatures cover is jc_doc_hash (node) == jc_ctsc_hash (ctsc).
 *
 * Building a document: fill the struct (jc_ctsc_new, jc_input_spec_new, …; a struct owns
 * everything it points to and its arrays free their elements), write it with *_to_json,
 * and check the tree with jc_model_check, which names the path of every problem; a
 * missing string or part is written as null and reported, never a crash. */

#include "jc-doc.h"
#include "jc-problems.h"
#include "jc-parts.h"
#include "jc-schema.h"
#include "jc-task-state.h"
#include "jc-ctsc.h"
#include "jc-ctsa.h"
#include "jc-signatures.h"
#include "jc-task-messages.h"
#include "jc-cta.h"

G_BEGIN_DECLS

typedef enum {
  JC_DOCUMENT_UNKNOWN = 0,
  JC_DOCUMENT_CTSC,                 /* "ctsc" */
  JC_DOCUMENT_CTSA,                 /* "ctsa" */
  JC_DOCUMENT_CTA,                  /* "cta" */
  JC_DOCUMENT_NODE_SIGNATURE,       /* "node-signature" */
  JC_DOCUMENT_SIGNATORY_SIGNATURE,  /* "signatory-signature" */
  JC_DOCUMENT_PAK_REGISTRATION,     /* "pak-registration" */
  JC_DOCUMENT_TELEMETRY_EVENT,      /* "telemetry-event" */
  JC_DOCUMENT_CONTROL_MESSAGE,      /* "control-message" */
} JcDocumentType;

const char     *jc_document_type_to_string   (JcDocumentType type);
JcDocumentType  jc_document_type_from_string (const char *name);
/* The type named by NODE's "type" member; JC_DOCUMENT_UNKNOWN when there is none. */
JcDocumentType  jc_model_document_type       (JsonNode *node);

/* Validates NODE as the document its "type" names, adding every problem to PROBLEMS.
 * Returns TRUE when there is none. */
gboolean        jc_model_check  (JsonNode *node, JcProblems *problems);
/* Validates NODE and renders it to deterministic text (the document's hash included);
 * NULL with JC_ERROR_INVALID listing the problems when it is not valid. */
char           *jc_model_render (JsonNode *node, GError **error);
/* Validates NODE, reads it as its type and writes it back: the tree as the model writes
 * it, whose canonical form is that of NODE for a valid document. NULL with
 * JC_ERROR_INVALID listing the problems when it is not valid. */
JsonNode       *jc_model_rewrite (JsonNode *node, GError **error);

G_END_DECLS
