#pragma once

#include <glib.h>
#include <signal.h>
#include <sys/prctl.h>

/* A child setup function (GSubprocessLauncher, g_spawn) for the daemons a test starts: they
 * are killed when the test process ends, also when an assertion aborts it, so a failed test
 * leaves no relay, cpd or orchestrator running. */
static inline void
jc_test_die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}
