/* Runs the engine module rss3 end to end in one process: a custodian shares tables with the
 * module's sharer, three parties run the program in threads connected by socketpairs, an
 * analyst reconstructs the outputs. Also parses small schema strings for tests. */
#pragma once

#include <glib.h>

#include "engine.h"

/* A schema from "key: name TYPE, name DECIMAL(p,s), name CATEGORY(a|b|c)". */
typedef struct {
  JcEngineSchema schema;
  GPtrArray *arena;
} TestSchema;

TestSchema *test_schema_parse (const char *text);
void test_schema_free (TestSchema *s);

/* Rows of a table: n_rows × n_columns values; ID cells use `text`. */
typedef struct {
  const JcEngineSchema *schema;
  gsize n_rows;
  JcEngineValue *cells;
  GPtrArray *texts;
} TestTable;

void test_table_free (TestTable *t);

/* The loaded module (path from $JC_RSS3_MODULE). */
const JcEngineInfo *test_engine (void);

/* Compiles and runs; returns the reconstructed outputs (GArray of int64 cells, row-major, one
 * per output spec) or NULL with *err set. views[i], if given, collects every byte party i
 * received from the others and every byte of its output streams. */
GPtrArray *test_run (const char *algorithm, TestTable **inputs, gsize n_inputs,
                     const JcEngineSchema *outputs, gsize n_outputs, unsigned flags,
                     GByteArray *views[3], JcEngineError *err);

/* If set, called on the three streams of every input after sharing (to corrupt them). */
extern void (*test_tamper) (GByteArray *streams[3]);

/* When TRUE, every party's host reports the run as cancelled. */
extern gboolean test_cancel_runs;

/* Shares a table into three streams with the module's sharer. */
void test_share (TestTable *t, GByteArray *streams[3]);
