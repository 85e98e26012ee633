/* Tokens of the rss3 SQL dialect. */
#pragma once

#include <glib.h>

#include "jc-sql.h"

typedef enum {
  JC_TOK_EOF,
  JC_TOK_IDENT,      /* also keywords: compare with jc_sql_token_is_keyword */
  JC_TOK_NUMBER,     /* digits with an optional fraction */
  JC_TOK_STRING,     /* '…' with '' for a quote; text holds the unquoted value */
  JC_TOK_LPAREN, JC_TOK_RPAREN, JC_TOK_COMMA, JC_TOK_SEMI, JC_TOK_DOT, JC_TOK_STAR,
  JC_TOK_PLUS, JC_TOK_MINUS, JC_TOK_SLASH,
  JC_TOK_EQ, JC_TOK_NE, JC_TOK_LT, JC_TOK_LE, JC_TOK_GT, JC_TOK_GE,
} JcSqlTokenKind;

typedef struct {
  JcSqlTokenKind kind;
  guint line, column;
  char *text;        /* IDENT, NUMBER, STRING (owned by the token array) */
} JcSqlToken;

/* Splits text into tokens ending with JC_TOK_EOF; NULL and err on a bad character,
 * an unterminated string or comment. Free with g_array_unref (texts are freed too). */
GArray  *jc_sql_lex (const char *text, gsize len, JcSqlError *err);
gboolean jc_sql_token_is_keyword (const JcSqlToken *tok, const char *keyword);
