#define G_LOG_DOMAIN "joconde-guest"
#include "config.h"

#include "jc-guest-state.h"

const char *
jc_guest_state_to_string (JcGuestState state)
{
  switch (state)
    {
    case JC_GUEST_STATE_INITIALISATION: return "initialisation";
    case JC_GUEST_STATE_INPUT:          return "input";
    case JC_GUEST_STATE_CALCULATION:    return "calculation";
    case JC_GUEST_STATE_OUTPUT:         return "output";
    case JC_GUEST_STATE_FINISHED:       return "finished";
    case JC_GUEST_STATE_CANCELLED:      return "cancelled";
    default:                            return "unknown";
    }
}
