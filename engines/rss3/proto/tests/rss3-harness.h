/* Three rss3 parties as threads of one process, connected by socketpairs. */
#pragma once

#include "rss3.h"

typedef void (*Rss3PartyFunc) (JcRss3Ctx *ctx, gpointer data);

/* Runs fn in three threads (party 0, 1, 2) with keys from `seed`; when logs is not NULL,
 * logs[i] collects every byte party i received. Returns after all three finished. */
void rss3_test_run (guint64 seed, Rss3PartyFunc fn, gpointer data, GByteArray *logs[3]);
/* As rss3_test_run, but fn makes the context itself: fn (NULL, data) in each party thread,
 * which may use rss3_test_keys_net to get the keys and channels. */
void rss3_test_run_raw (guint64 seed, Rss3PartyFunc fn, gpointer data);
/* A context on the calling party thread's channels and keys (for rss3_test_run_raw). */
JcRss3Ctx *rss3_test_ctx_new (GError **error);
unsigned rss3_test_party (void);
/* Shuts the calling party thread's links down, as if the party crashed. */
void rss3_test_disconnect (void);
/* Deterministic test vector of n values with the edge values first. */
guint64 *rss3_test_values (guint64 seed, size_t n);
/* Shares values (known to the test) from party 0 into a new vector. */
JcRss3AVec *rss3_test_input (JcRss3Ctx *ctx, const guint64 *values, size_t n);
/* Reveals a to every party and returns the plaintext (g_free). */
guint64 *rss3_test_open (JcRss3Ctx *ctx, const JcRss3AVec *a);
guint64 *rss3_test_bopen (JcRss3Ctx *ctx, const JcRss3BVec *a);
