/* The share stream format of rss3 (docs/engine-abi.md, "rss3 streams"): what a custodian
 * uploads to each party and what each party writes for an output. */
#pragma once

#include <glib.h>

#include "engine.h"

G_BEGIN_DECLS

#define JC_RSS3_STREAM_MAGIC "JCR3"
#define JC_RSS3_STREAM_VERSION 1
#define JC_RSS3_CHUNK_ROWS 4096u       /* the most rows a chunk may hold */
#define JC_RSS3_CHUNK_CELLS 65536u     /* writers keep rows × columns of a chunk below this */

/* Rows per chunk a writer uses for a table of n_columns: memory stays about 1 MB. */
guint jc_rss3_chunk_rows (gsize n_columns);
#define JC_RSS3_HEADER_LEN 32u

/* Encodes one cell of `col` into Z_2^64, checking it against the column's declaration. */
gboolean jc_rss3_value_encode (const JcEngineColumn *col, const JcEngineValue *v,
                               guint64 *out, JcEngineError *err);
/* The schema's fingerprint carried in every stream header. */
guint64  jc_rss3_schema_hash (const JcEngineSchema *schema);

JcEngineSharer *jc_rss3_sharer_new (const JcEngineSchema *schema, JcEngineWriteFunc write,
                                    void *user, JcEngineError *err);
int  jc_rss3_sharer_add_rows (JcEngineSharer *s, const JcEngineValue *rows, size_t n_rows,
                              JcEngineError *err);
int  jc_rss3_sharer_finish (JcEngineSharer *s, JcEngineError *err);
void jc_rss3_sharer_free (JcEngineSharer *s);

JcEngineReconstructor *jc_rss3_reconstructor_new (const JcEngineSchema *schema,
                                                  JcEngineRowFunc emit, void *user,
                                                  JcEngineError *err);
int  jc_rss3_reconstructor_feed (JcEngineReconstructor *r, unsigned party, const void *buf,
                                 size_t len, JcEngineError *err);
int  jc_rss3_reconstructor_finish (JcEngineReconstructor *r, JcEngineError *err);
void jc_rss3_reconstructor_free (JcEngineReconstructor *r);

/* Server side. A table of this party's shares: columns[c] holds n pairs (s0, s1). */
typedef struct {
  gsize n_rows;
  guint n_columns;
  guint8 stream_id[16];
  GArray **s0;   /* guint64 each */
  GArray **s1;
} JcRss3ShareTable;

void jc_rss3_share_table_free (JcRss3ShareTable *t);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (JcRss3ShareTable, jc_rss3_share_table_free)

/* Reads this party's whole stream of an input slot. */
JcRss3ShareTable *jc_rss3_stream_read (const JcEngineSchema *schema, unsigned party,
                                       const JcEngineHost *host, JcEngineError *err);
/* Writes this party's stream of an output from its shares (columns of n elements). */
gboolean jc_rss3_stream_write (const JcEngineSchema *schema, unsigned party, gsize n,
                               const guint64 *const *s0, const guint64 *const *s1,
                               const guint8 stream_id[16], const JcEngineHost *host,
                               JcEngineError *err);

void jc_rss3_error (JcEngineError *err, JcEngineStatus status, const char *format, ...)
  G_GNUC_PRINTF (3, 4);

G_END_DECLS
