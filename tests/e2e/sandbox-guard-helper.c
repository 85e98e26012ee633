#define G_LOG_DOMAIN "joconde-test"
#include "config.h"

#include <stdio.h>
#include <unistd.h>

#include "jc-test-sandbox.h"

/* A harness reduced to its sandbox: brings one up in argv[1] through the shared guard,
 * says "up" on stdout and waits for a signal (test-sandbox-guard sends it). */
int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;

  if (argc != 2)
    {
      fprintf (stderr, "usage: %s DIR\n", argv[0]);
      return 2;
    }
  jc_test_sandbox_guard (g_getenv ("JOCONDECTL"), argv[1]);
  if (!jc_test_sandbox_up (argv[1], &error))
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  printf ("up\n");
  fflush (stdout);
  for (;;)
    pause ();
}
