#define G_LOG_DOMAIN "joconde-model"
#include "config.h"

#include <string.h>

#include "jc-task-state.h"

static const char *const names[JC_TASK_STATE_COUNT] = {
  "emerging", "rejected", "initialisation", "input", "calculation", "output",
  "finished", "cancelled", "erased",
};

const char *
jc_task_state_to_string (JcTaskState state)
{
  g_return_val_if_fail ((guint) state < JC_TASK_STATE_COUNT, NULL);
  return names[state];
}

gboolean
jc_task_state_from_string (const char *name, JcTaskState *out)
{
  for (guint i = 0; i < JC_TASK_STATE_COUNT; i++)
    if (strcmp (names[i], name) == 0)
      {
        *out = (JcTaskState) i;
        return TRUE;
      }
  return FALSE;
}

gboolean
jc_task_state_is_vm_state (JcTaskState state)
{
  return state >= JC_TASK_INITIALISATION && state <= JC_TASK_CANCELLED;
}
