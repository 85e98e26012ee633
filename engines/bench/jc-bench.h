/* joconde-engine-bench: the table of benchmarks.
 *
 * Every benchmark is a JcBenchOp. MPC benchmarks run in three forked processes (one per
 * party) connected over loopback TCP; `setup` prepares the inputs (not timed), `run` is
 * timed in each party from a common start, `teardown` frees the state. Plain benchmarks
 * (plain = TRUE, e.g. the SQLite baselines) run once in the parent process with env->ctx
 * NULL. To add a table, define a NULL-terminated `const JcBenchOp jc_bench_<x>_ops[]` in
 * its own file and list it in op_tables in jc-bench-main.c. */
#pragma once

#include <glib.h>

#include "rss3.h"

typedef struct {
  unsigned party;            /* 0..2 (0 for plain benchmarks) */
  size_t n;                  /* problem size: elements or rows */
  JcRss3Ctx *ctx;            /* this party's rss3 context (NULL for plain benchmarks) */
  const JcRss3Net *net;      /* the channels under ctx, for engines that make their own */
  const guint8 *key_prev;    /* the pairwise keys behind ctx (JC_RSS3_KEY_BYTES each) */
  const guint8 *key_next;
} JcBenchEnv;

typedef struct {
  const char *op;            /* name printed in the output, e.g. "mul" */
  gboolean plain;            /* TRUE: no MPC, run in the parent only */
  gboolean (*setup) (JcBenchEnv *env, gpointer *state, GError **error);
  gboolean (*run) (JcBenchEnv *env, gpointer state, GError **error);
  void (*teardown) (gpointer state);
  /* The same computation in plaintext, timed in the same run as a baseline (may be NULL). */
  void (*baseline) (size_t n);
  /* Run once untimed before the timed run (warm caches and scratch memory). */
  gboolean warmup;
} JcBenchOp;

extern const JcBenchOp jc_bench_proto_ops[];
extern const JcBenchOp jc_bench_sql_ops[];     /* jc-bench-sql.c: groupby, join, SQLite */
