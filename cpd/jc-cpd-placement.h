#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* What one hypervisor reports about its load, as placement sees it. */
typedef struct {
  guint64 capacity_bytes;   /* the node's memory (virNodeGetInfo) */
  guint64 committed_bytes;  /* memory of the domains running there */
  guint64 free_bytes;       /* free memory the kernel reports (virNodeGetFreeMemory); 0 if unknown */
  guint   cpus;             /* logical CPUs */
  guint   running;          /* running domains */
} JcCpdHostLoad;

/* Picks the hypervisor for a new VM needing memory_bytes and vcpus, or returns -1 with
 * JC_ERROR_FAILED when none has room. A host has room when its memory minus what its
 * running domains hold covers the VM and it has at least vcpus CPUs. Among those, the one
 * with most uncommitted memory wins; ties go to more free memory, then fewer running
 * domains, then the first in configuration order. The kernel's free memory only breaks ties:
 * page cache makes it a poor gate. This is placement over the CP's own cluster, not a
 * scheduler: no queue, no preemption. */
gint jc_cpd_placement_choose (const JcCpdHostLoad *hosts,
                              guint                n_hosts,
                              guint64              memory_bytes,
                              guint                vcpus,
                              GError             **error);

G_END_DECLS
