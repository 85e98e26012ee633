#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The states of a task (spec §4.4.1.1), in the order a task goes through them; the
 * names are those of documents and of `jocondectl status`. */
typedef enum {
  JC_TASK_EMERGING = 0,    /* "emerging": CTSC made, CTSAs and signatures being gathered */
  JC_TASK_REJECTED,        /* "rejected": the SO rejected an addendum */
  JC_TASK_INITIALISATION,  /* "initialisation": CT VMs starting */
  JC_TASK_INPUT,           /* "input": waiting for every input */
  JC_TASK_CALCULATION,     /* "calculation": the main algorithm runs */
  JC_TASK_OUTPUT,          /* "output": waiting for the analysts' downloads */
  JC_TASK_FINISHED,        /* "finished" */
  JC_TASK_CANCELLED,       /* "cancelled" */
  JC_TASK_ERASED,          /* "erased": past the retention time */
} JcTaskState;

#define JC_TASK_STATE_COUNT (JC_TASK_ERASED + 1)

const char *jc_task_state_to_string   (JcTaskState state);
/* Returns FALSE for an unknown name. */
gboolean    jc_task_state_from_string (const char *name, JcTaskState *out);
/* TRUE for the states a CT VM reports (initialisation … cancelled, not rejected). */
gboolean    jc_task_state_is_vm_state (JcTaskState state);

G_END_DECLS
