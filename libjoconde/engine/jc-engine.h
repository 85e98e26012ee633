#pragma once

#include <glib-object.h>

#include "engine.h"

G_BEGIN_DECLS

/* A loaded MPC engine module (engines/engine.h). The module stays mapped while the object
 * lives; free every program, sharer and reconstructor made by it before the last unref. */
#define JC_TYPE_ENGINE (jc_engine_get_type ())
G_DECLARE_FINAL_TYPE (JcEngine, jc_engine, JC, ENGINE, GObject)

/* Loads the module at `path` and checks its ABI version and entry point. */
JcEngine   *jc_engine_load        (const char *path, GError **error);
/* Loads the module of engine `id` from `dir` (NULL: the installed engine directory, or
 * $JC_ENGINE_DIR when set). */
JcEngine   *jc_engine_load_by_id  (const char *dir, const char *id, GError **error);

const JcEngineInfo *jc_engine_get_info (JcEngine *self);
const char *jc_engine_get_id        (JcEngine *self);
const char *jc_engine_get_path      (JcEngine *self);
guint       jc_engine_get_n_parties (JcEngine *self);
gboolean    jc_engine_supports_type (JcEngine *self, JcEngineType type);

/* Compiles an algorithm; on failure the GError message starts with "line L, column C:" and
 * out_line/out_column (may be NULL) receive the position (0 when none). */
JcEngineProgram *jc_engine_compile  (JcEngine *self, const char *algorithm,
                                     const JcEngineSchema *inputs, gsize n_inputs,
                                     const JcEngineSchema *outputs, gsize n_outputs,
                                     guint flags, guint *out_line, guint *out_column, GError **error);
void        jc_engine_program_free  (JcEngine *self, JcEngineProgram *program);

/* Data transfer and activation with GErrors; see engines/engine.h for the semantics. */
JcEngineSharer *jc_engine_sharer_new (JcEngine *self, const JcEngineSchema *schema,
                                      JcEngineWriteFunc write, gpointer user, GError **error);
gboolean    jc_engine_sharer_add_rows (JcEngine *self, JcEngineSharer *sharer,
                                       const JcEngineValue *rows, gsize n_rows, GError **error);
gboolean    jc_engine_sharer_finish (JcEngine *self, JcEngineSharer *sharer, GError **error);
void        jc_engine_sharer_free   (JcEngine *self, JcEngineSharer *sharer);

JcEngineReconstructor *jc_engine_reconstructor_new (JcEngine *self, const JcEngineSchema *schema,
                                                    JcEngineRowFunc emit, gpointer user,
                                                    GError **error);
gboolean    jc_engine_reconstructor_feed (JcEngine *self, JcEngineReconstructor *rec,
                                          guint party, gconstpointer buf, gsize len,
                                          GError **error);
gboolean    jc_engine_reconstructor_finish (JcEngine *self, JcEngineReconstructor *rec,
                                            GError **error);
void        jc_engine_reconstructor_free (JcEngine *self, JcEngineReconstructor *rec);

gboolean    jc_engine_run (JcEngine *self, const JcEngineProgram *program, guint party,
                           const JcEngineKeys *keys, const JcEngineHost *host, GError **error);

/* Turns an engine's error report into a JC_ERROR GError. */
void        jc_engine_set_error     (GError **error, const JcEngineError *err);

G_END_DECLS
