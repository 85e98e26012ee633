#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The problems found in a document, each with the JSON path of the offending value:
 * "inputs[1].schema[0].type" (members by name, array elements by index from 0; the
 * document itself is "document"). Validation collects every problem it finds, in
 * document order, rather than stopping at the first, so a user can fix them all at once. */
typedef struct _JcProblems JcProblems;

JcProblems *jc_problems_new     (void);
void        jc_problems_free    (JcProblems *problems);

/* At most this many problems are kept; then one last problem says that more were found
 * (a hostile document cannot make the list grow without bound). */
#define JC_PROBLEMS_MAX 1000

/* Records a problem at PATH ("" for the document itself). */
void        jc_problems_add     (JcProblems *problems, const char *path,
                                 const char *format, ...) G_GNUC_PRINTF (3, 4);
guint       jc_problems_count   (const JcProblems *problems);
const char *jc_problems_path    (const JcProblems *problems, guint i); /* "" for the document */
const char *jc_problems_message (const JcProblems *problems, guint i);
/* "PATH: MESSAGE" ("document: MESSAGE" for the document itself). */
char       *jc_problems_format  (const JcProblems *problems, guint i);
/* Every problem formatted, one per line, each ending in "\n". */
char       *jc_problems_to_string (const JcProblems *problems);
/* Returns TRUE when there is no problem; otherwise sets ERROR (JC_ERROR_INVALID) to
 * "WHAT is not valid: P1; P2; …" on one line and returns FALSE. */
gboolean    jc_problems_check   (const JcProblems *problems, const char *what, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JcProblems, jc_problems_free)

G_END_DECLS
