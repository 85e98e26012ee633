/* engine.h — the C ABI between JOCONDE and an MPC engine module.
 *
 * An engine is a shared module that exports ONE symbol, JC_ENGINE_ENTRY_SYMBOL, a function
 * returning a pointer to a constant JcEngineInfo. The host reads abi_version first and
 * refuses any other version before touching another field. Everything here is plain C17 with
 * <stddef.h>/<stdint.h>: an engine from another vendor needs neither GLib nor libjoconde.
 *
 * The three interfaces of the spec (§4.3.3.1):
 *   capabilities  — the fields of JcEngineInfo, validate/compile;
 *   data transfer — sharer (client: typed rows → one byte stream per party) and
 *                   reconstructor (client: the parties' output streams → typed rows);
 *   activation    — run (server: one party executes a compiled program, talking to its
 *                   counterparts and to its slots only through JcEngineHost callbacks).
 *
 * Rules for every function: no global state, thread-safe for distinct objects, no output
 * on stdout/stderr (use the host's log), errors reported in a JcEngineError. docs/engine-abi.md
 * is the prose description. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped on any incompatible change of a struct or function below. */
#define JC_ENGINE_ABI_VERSION 1u

/* The exported entry point: `const JcEngineInfo *jc_engine_entry (void);` */
#define JC_ENGINE_ENTRY_SYMBOL "jc_engine_entry"

#if defined(__GNUC__)
#define JC_ENGINE_EXPORT __attribute__ ((visibility ("default")))
#else
#define JC_ENGINE_EXPORT
#endif

/* ---------------------------------------------------------------- schemas and values */

typedef enum {
  JC_ENGINE_TYPE_INT = 1,      /* signed 64-bit integer */
  JC_ENGINE_TYPE_DECIMAL = 2,  /* DECIMAL(precision, scale), carried as value·10^scale */
  JC_ENGINE_TYPE_BOOL = 3,     /* 0 or 1 */
  JC_ENGINE_TYPE_DATE = 4,     /* days since 1970-01-01 */
  JC_ENGINE_TYPE_CATEGORY = 5, /* index into the declared list of codes */
  JC_ENGINE_TYPE_ID = 6,       /* join key: text up to 64 bytes, encoded by the engine */
} JcEngineType;

#define JC_ENGINE_ID_MAX_LEN 64u
#define JC_ENGINE_NAME_MAX_LEN 64u

typedef struct {
  const char *name;          /* [A-Za-z_][A-Za-z0-9_]*, at most JC_ENGINE_NAME_MAX_LEN bytes */
  JcEngineType type;
  unsigned precision;        /* DECIMAL only: total digits, 1..18 */
  unsigned scale;            /* DECIMAL only: digits after the point, 0..precision */
  const char *const *codes;  /* CATEGORY only: the declared codes, in order */
  size_t n_codes;            /* CATEGORY only: at least 1 */
} JcEngineColumn;

/* One input table or one output: the key is the slot's / output specification's name. */
typedef struct {
  const char *key;
  const JcEngineColumn *columns;
  size_t n_columns;
} JcEngineSchema;

/* One cell. `i` carries INT, DECIMAL (scaled), BOOL, DATE and CATEGORY (index). An ID is
 * given as text (text/text_len, not NUL-terminated) when sharing; a reconstructed ID carries
 * the engine's 64-bit encoding in `i` and text == NULL. */
typedef struct {
  int64_t i;
  const char *text;
  size_t text_len;
} JcEngineValue;

/* ---------------------------------------------------------------- errors */

typedef enum {
  JC_ENGINE_OK = 0,
  JC_ENGINE_ERR_INVALID = 1,     /* bad argument, schema or input data */
  JC_ENGINE_ERR_COMPILE = 2,     /* the algorithm does not compile; line/column are set */
  JC_ENGINE_ERR_UNSUPPORTED = 3, /* a type or feature this engine does not have */
  JC_ENGINE_ERR_IO = 4,          /* a host callback (send, recv, slot) failed */
  JC_ENGINE_ERR_PROTOCOL = 5,    /* a counterpart sent something inconsistent */
  JC_ENGINE_ERR_CANCELLED = 6,   /* the host asked to stop */
  JC_ENGINE_ERR_INTERNAL = 7,
} JcEngineStatus;

/* Filled by the engine on failure. line/column are 1-based positions in the algorithm text
 * (0 when the error is not about a position). The message is UTF-8 for the end user. */
typedef struct {
  JcEngineStatus status;
  unsigned line;
  unsigned column;
  char message[512];
} JcEngineError;

/* ---------------------------------------------------------------- capabilities */

typedef enum {
  JC_ENGINE_SECURITY_PASSIVE = 1, /* semi-honest parties */
  JC_ENGINE_SECURITY_ACTIVE = 2,  /* malicious parties are detected */
} JcEngineAdversary;

typedef enum {
  JC_ENGINE_CORRUPTION_HONEST_MAJORITY = 1,
  JC_ENGINE_CORRUPTION_DISHONEST_MAJORITY = 2,
} JcEngineCorruption;

/* compile() flags. DATA_QUALITY: the algorithm is a data-quality check of one input table
 * (spec §4.4.1.2); the engine refuses any output that reveals more than counts. */
#define JC_ENGINE_COMPILE_DATA_QUALITY 0x1u

typedef struct JcEngineProgram JcEngineProgram;
typedef struct JcEngineSharer JcEngineSharer;
typedef struct JcEngineReconstructor JcEngineReconstructor;

/* Receives bytes of one party's share stream (sharer) — return 0 on success. */
typedef int (*JcEngineWriteFunc) (void *user, unsigned party, const void *buf, size_t len);
/* Receives one reconstructed row of n_columns values — return 0 on success. */
typedef int (*JcEngineRowFunc) (void *user, const JcEngineValue *row, size_t n_columns);

/* Pairwise key material for correlated randomness, set up by the host through an
 * authenticated key exchange. keys[j] is the 32-byte secret this party shares with party j
 * (keys[self] is ignored). Fresh for every run. */
#define JC_ENGINE_KEY_LEN 32u
typedef struct {
  unsigned n_parties;
  const uint8_t (*keys)[JC_ENGINE_KEY_LEN];
} JcEngineKeys;

/* What a party's run may do with the world. Every callback returns 0 on success and
 * non-zero on failure (the run then fails with JC_ENGINE_ERR_IO). */
typedef struct {
  void *user;
  /* Reliable ordered byte channels to the counterparts; recv blocks until exactly len
   * bytes arrived. */
  int (*send) (void *user, unsigned to_party, const void *buf, size_t len);
  int (*recv) (void *user, unsigned from_party, void *buf, size_t len);
  /* This party's share stream of an input slot, read in order; *n_read = 0 at the end. */
  int (*slot_read) (void *user, const char *input_key, void *buf, size_t len, size_t *n_read);
  /* This party's share stream of an output, appended in order. */
  int (*slot_write) (void *user, const char *output_key, const void *buf, size_t len);
  /* level: 0 debug, 1 info, 2 warning. Never carries a secret. May be NULL. */
  void (*log) (void *user, int level, const char *message);
  /* Text the algorithm prints for its users. May be NULL. */
  void (*print) (void *user, const char *text);
  /* Non-zero when the run must stop (deadline, cancel). Polled between steps. May be NULL. */
  int (*cancelled) (void *user);
  /* fraction in [0,1], stage names the step. May be NULL. */
  void (*progress) (void *user, double fraction, const char *stage);
} JcEngineHost;

typedef struct {
  /* Must be the first field, equal to JC_ENGINE_ABI_VERSION. */
  uint32_t abi_version;
  uint32_t struct_size;             /* sizeof (JcEngineInfo) as built by the engine */

  const char *id;                   /* e.g. "rss3-sh-z64": one id = one fixed feature set */
  const char *description;
  const char *version;
  unsigned n_parties;
  JcEngineAdversary adversary;
  JcEngineCorruption corruption;
  const char *language;             /* e.g. "joconde-sql-1" */
  const JcEngineType *types;        /* supported column types */
  size_t n_types;
  const char *const *functions;     /* supported functions/aggregates, upper-case */
  size_t n_functions;

  /* ---- capabilities: validate and compile */

  /* Compiles `algorithm` against the task's input and output schemas. Returns a program to
   * free with program_free, or NULL with err set (status COMPILE, line and column).
   * flags: JC_ENGINE_COMPILE_* below. */
  JcEngineProgram *(*compile) (const char *algorithm, size_t algorithm_len,
                               const JcEngineSchema *inputs, size_t n_inputs,
                               const JcEngineSchema *outputs, size_t n_outputs,
                               unsigned flags, JcEngineError *err);
  void (*program_free) (JcEngineProgram *program);

  /* ---- data transfer, client side */

  /* Shares rows of `schema` into n_parties byte streams handed to `write` in chunks;
   * memory stays bounded whatever the number of rows. */
  JcEngineSharer *(*sharer_new) (const JcEngineSchema *schema, JcEngineWriteFunc write,
                                 void *user, JcEngineError *err);
  /* rows: n_rows × schema->n_columns values, row-major. */
  int (*sharer_add_rows) (JcEngineSharer *sharer, const JcEngineValue *rows, size_t n_rows,
                          JcEngineError *err);
  /* Flushes and writes the stream trailers. Call once. */
  int (*sharer_finish) (JcEngineSharer *sharer, JcEngineError *err);
  void (*sharer_free) (JcEngineSharer *sharer);

  /* Rebuilds rows of an output from the parties' streams of it, fed in any interleaving. */
  JcEngineReconstructor *(*reconstructor_new) (const JcEngineSchema *schema,
                                               JcEngineRowFunc emit, void *user,
                                               JcEngineError *err);
  int (*reconstructor_feed) (JcEngineReconstructor *rec, unsigned party, const void *buf,
                             size_t len, JcEngineError *err);
  /* Fails if a stream is truncated or the parties' shares disagree. */
  int (*reconstructor_finish) (JcEngineReconstructor *rec, JcEngineError *err);
  void (*reconstructor_free) (JcEngineReconstructor *rec);

  /* ---- activation, server side */

  /* Party `party` (0-based) runs `program`: reads every input slot, computes with its
   * counterparts, writes every output. Stateless: nothing survives between runs. */
  int (*run) (const JcEngineProgram *program, unsigned party, const JcEngineKeys *keys,
              const JcEngineHost *host, JcEngineError *err);
} JcEngineInfo;

typedef const JcEngineInfo *(*JcEngineEntryFunc) (void);

#ifdef __cplusplus
}
#endif
