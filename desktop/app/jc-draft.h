#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "jc-engine.h"
#include "jc-model.h"

G_BEGIN_DECLS

/* A task draft as the New Task window fills it, and the draft file it becomes (the JSON of
 * `jocondectl task draft FILE`: title, description, engine, tee, deadlines,
 * computing_parties and peers as node names, inputs, outputs, algorithm, attachments).
 * Display-free, so that the checks are tested without a window. */

typedef struct {
  char      *key;
  char      *peer;      /* a name of peers */
  GPtrArray *schema;    /* JcColumn* */
  char      *quality;   /* or NULL */
} JcDraftInput;

typedef struct {
  char      *key;
  GPtrArray *peers;     /* char*: names of peers */
  GPtrArray *schema;    /* JcColumn* */
} JcDraftOutput;

typedef struct {
  char      *title;
  char      *description;
  char      *engine;             /* engine id */
  char      *platform;           /* "sim", "sev-snp", "tdx" */
  GPtrArray *measurements;       /* char*: 96 hex digits each */
  char      *deadlines[4];       /* approval, input, execution, output: RFC 3339 */
  GPtrArray *computing_parties;  /* char* */
  GPtrArray *peers;              /* char* */
  GPtrArray *inputs;             /* JcDraftInput* */
  GPtrArray *outputs;            /* JcDraftOutput* */
  char      *algorithm;
  GPtrArray *attachments;        /* JcAttachment* */
} JcDraft;

JcDraft       *jc_draft_new          (void);
void           jc_draft_free         (JcDraft *draft);
JcDraftInput  *jc_draft_input_new    (const char *key, const char *peer);
JcDraftOutput *jc_draft_output_new   (const char *key);

/* Splits "a, b  c" into names (commas or spaces), dropping empty ones. */
GPtrArray     *jc_draft_split_names  (const char *text);

/* Every problem of the draft, with the path of its field ("deadlines.input",
 * "inputs[0].schema[1].name", "algorithm"). When ENGINE is given the algorithm is compiled
 * against the schemas, and an error's line and column go to ALG_LINE/ALG_COLUMN (0 when
 * none; may be NULL). Returns TRUE when there is no problem. */
gboolean       jc_draft_check        (const JcDraft *draft, JcEngine *engine,
                                      JcProblems *problems, guint *alg_line,
                                      guint *alg_column);
/* Compiles the algorithm only (for live validation while typing). */
gboolean       jc_draft_compile      (const JcDraft *draft, JcEngine *engine,
                                      guint *line, guint *column, GError **error);

JsonNode      *jc_draft_to_json      (const JcDraft *draft);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JcDraft, jc_draft_free)

G_END_DECLS
