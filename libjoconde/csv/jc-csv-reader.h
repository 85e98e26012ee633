#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A streaming reader of RFC 4180 CSV: fields separated by ",", records ended by CRLF, LF
 * or CR, fields optionally quoted with '"' (a quote inside a quoted field is written
 * twice; a quoted field may hold separators and line breaks). A UTF-8 byte order mark at
 * the start is skipped; empty lines are skipped. Memory stays bounded: one read buffer and
 * one record, refused beyond the limits below. Bytes are passed through as they are: the
 * checker (jc-csv-check.h) decides whether a value is UTF-8.
 *
 * Structural errors (a quote that is never closed, a quote inside an unquoted field,
 * text after a closing quote, a record over the limits) stop the reading: after one, the
 * rest of the file cannot be split into fields reliably. */

#define JC_CSV_MAX_FIELD_LEN  65536u
#define JC_CSV_MAX_FIELDS     4096u

typedef struct _JcCsvReader JcCsvReader;

JcCsvReader *jc_csv_reader_new        (GInputStream *stream);
void         jc_csv_reader_free       (JcCsvReader *reader);
/* For tests: the size of the read buffer (default 64 KiB), at least 1. */
void         jc_csv_reader_set_buffer_size (JcCsvReader *reader, gsize size);

/* Reads the next record. Returns TRUE with a record; FALSE at the end of the stream (no
 * error set) or on an error (JC_ERROR_INVALID or JC_ERROR_TOO_LARGE naming the line, or
 * the stream's error). */
gboolean     jc_csv_reader_next       (JcCsvReader *reader, GCancellable *cancellable,
                                       GError **error);
guint        jc_csv_reader_n_fields   (const JcCsvReader *reader);
/* The field's bytes, NUL-terminated (a field may itself hold a NUL: use the length). */
const char  *jc_csv_reader_field      (const JcCsvReader *reader, guint i);
gsize        jc_csv_reader_field_len  (const JcCsvReader *reader, guint i);
/* The line (from 1) on which the current record starts. */
guint64      jc_csv_reader_line       (const JcCsvReader *reader);
/* Bytes consumed from the stream so far (for progress). */
guint64      jc_csv_reader_bytes_read (const JcCsvReader *reader);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JcCsvReader, jc_csv_reader_free)

G_END_DECLS
