#define G_LOG_DOMAIN "joconde-cpd"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>

#include "jc-cpd-placement.h"
#include "jc-error.h"

static guint64
headroom (const JcCpdHostLoad *h)
{
  return h->capacity_bytes > h->committed_bytes ? h->capacity_bytes - h->committed_bytes : 0;
}

/* TRUE when a is a better place than b. */
static gboolean
better (const JcCpdHostLoad *a, const JcCpdHostLoad *b)
{
  if (headroom (a) != headroom (b))
    return headroom (a) > headroom (b);
  if (a->free_bytes != b->free_bytes)
    return a->free_bytes > b->free_bytes;
  return a->running < b->running;
}

gint
jc_cpd_placement_choose (const JcCpdHostLoad *hosts,
                         guint                n_hosts,
                         guint64              memory_bytes,
                         guint                vcpus,
                         GError             **error)
{
  gint best = -1;

  for (guint i = 0; i < n_hosts; i++)
    {
      if (headroom (&hosts[i]) < memory_bytes || hosts[i].cpus < vcpus)
        continue;
      if (best < 0 || better (&hosts[i], &hosts[best]))
        best = (gint) i;
    }
  if (best < 0)
    g_set_error (error, JC_ERROR, JC_ERROR_FAILED,
                 _("No hypervisor has room for a VM of %" PRIu64 " MiB and %u vCPUs"),
                 memory_bytes / (1024 * 1024), vcpus);
  return best;
}
