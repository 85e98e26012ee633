/* A minimal engine module for the loader tests: it implements the ABI with trivial
 * behaviour. Built twice: with the current ABI version and with TINY_ABI_VERSION set to
 * another one, which the host must refuse. */
#include <stdlib.h>
#include <string.h>

#include "engine.h"

#ifndef TINY_ABI_VERSION
#define TINY_ABI_VERSION JC_ENGINE_ABI_VERSION
#endif
#ifndef TINY_ID
#define TINY_ID "tiny-test"
#endif

struct JcEngineProgram { int dummy; };

static JcEngineProgram *
tiny_compile (const char *algorithm, size_t len, const JcEngineSchema *inputs, size_t n_inputs,
              const JcEngineSchema *outputs, size_t n_outputs, unsigned flags,
              JcEngineError *err)
{
  if (len == 2 && memcmp (algorithm, "ok", 2) == 0)
    return calloc (1, sizeof (JcEngineProgram));
  err->status = JC_ENGINE_ERR_COMPILE;
  err->line = 1;
  err->column = 1;
  strcpy (err->message, "only “ok” compiles");
  return NULL;
}

static void tiny_program_free (JcEngineProgram *p) { free (p); }
static JcEngineSharer *tiny_sharer_new (const JcEngineSchema *s, JcEngineWriteFunc w, void *u,
                                        JcEngineError *e) { e->status = JC_ENGINE_ERR_UNSUPPORTED; return NULL; }
static int tiny_sharer_add (JcEngineSharer *s, const JcEngineValue *r, size_t n, JcEngineError *e) { return 1; }
static int tiny_sharer_finish (JcEngineSharer *s, JcEngineError *e) { return 1; }
static void tiny_sharer_free (JcEngineSharer *s) { }
static JcEngineReconstructor *tiny_rec_new (const JcEngineSchema *s, JcEngineRowFunc f, void *u,
                                            JcEngineError *e) { e->status = JC_ENGINE_ERR_UNSUPPORTED; return NULL; }
static int tiny_rec_feed (JcEngineReconstructor *r, unsigned p, const void *b, size_t l,
                          JcEngineError *e) { return 1; }
static int tiny_rec_finish (JcEngineReconstructor *r, JcEngineError *e) { return 1; }
static void tiny_rec_free (JcEngineReconstructor *r) { }
static int tiny_run (const JcEngineProgram *p, unsigned party, const JcEngineKeys *k,
                     const JcEngineHost *h, JcEngineError *e) { return 1; }

static const JcEngineType tiny_types[] = { JC_ENGINE_TYPE_INT };

static const JcEngineInfo tiny_info = {
  .abi_version = TINY_ABI_VERSION,
  .struct_size = sizeof (JcEngineInfo),
  .id = TINY_ID,
  .description = "loader test module",
  .version = "0",
  .n_parties = 3,
  .adversary = JC_ENGINE_SECURITY_PASSIVE,
  .corruption = JC_ENGINE_CORRUPTION_HONEST_MAJORITY,
  .language = "none",
  .types = tiny_types,
  .n_types = 1,
  .compile = tiny_compile,
  .program_free = tiny_program_free,
  .sharer_new = tiny_sharer_new,
  .sharer_add_rows = tiny_sharer_add,
  .sharer_finish = tiny_sharer_finish,
  .sharer_free = tiny_sharer_free,
  .reconstructor_new = tiny_rec_new,
  .reconstructor_feed = tiny_rec_feed,
  .reconstructor_finish = tiny_rec_finish,
  .reconstructor_free = tiny_rec_free,
  .run = tiny_run,
};

JC_ENGINE_EXPORT const JcEngineInfo *jc_engine_entry (void);

const JcEngineInfo *
jc_engine_entry (void)
{
  return &tiny_info;
}
