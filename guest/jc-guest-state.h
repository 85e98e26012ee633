#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The phases of a computation task as the orchestrator sees them (design §7). A task moves
 * forward only; Cancelled can be reached from any phase before Finished. */
typedef enum {
  JC_GUEST_STATE_INITIALISATION,
  JC_GUEST_STATE_INPUT,
  JC_GUEST_STATE_CALCULATION,
  JC_GUEST_STATE_OUTPUT,
  JC_GUEST_STATE_FINISHED,
  JC_GUEST_STATE_CANCELLED,
} JcGuestState;

/* The lower-case name used on the wire ("initialisation", …). */
const char *jc_guest_state_to_string (JcGuestState state);

G_END_DECLS
