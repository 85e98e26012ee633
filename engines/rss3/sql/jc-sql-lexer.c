#define G_LOG_DOMAIN "joconde-rss3"
#include "config.h"

#include "jc-sql-lexer.h"

#include <glib/gi18n-lib.h>
#include <stdarg.h>
#include <stdio.h>

/* Longest algorithm accepted: far above any real one, low enough to bound memory. */
#define JC_SQL_MAX_TEXT (1u << 20)

void
jc_sql_error_set (JcSqlError *err, guint line, guint column, const char *format, ...)
{
  if (err == NULL)
    return;
  va_list ap;
  va_start (ap, format);
  err->line = line;
  err->column = column;
  vsnprintf (err->message, sizeof err->message, format, ap);
  va_end (ap);
}

static void
token_clear (gpointer p)
{
  g_free (((JcSqlToken *) p)->text);
}

gboolean
jc_sql_token_is_keyword (const JcSqlToken *tok, const char *keyword)
{
  return tok->kind == JC_TOK_IDENT && g_ascii_strcasecmp (tok->text, keyword) == 0;
}

GArray *
jc_sql_lex (const char *text, gsize len, JcSqlError *err)
{
  if (len > JC_SQL_MAX_TEXT)
    {
      jc_sql_error_set (err, 0, 0, _("The algorithm is longer than %u bytes."), JC_SQL_MAX_TEXT);
      return NULL;
    }
  g_autoptr(GArray) toks = g_array_new (FALSE, TRUE, sizeof (JcSqlToken));
  g_array_set_clear_func (toks, token_clear);
  guint line = 1, col = 1;
  gsize i = 0;

#define ADVANCE() do { if (text[i] == '\n') { line++; col = 1; } else if ((text[i] & 0xC0) != 0x80) col++; i++; } while (0)

  while (i < len)
    {
      char c = text[i];
      if (c == '\0')
        {
          jc_sql_error_set (err, line, col, _("The algorithm contains a NUL byte."));
          return NULL;
        }
      if (g_ascii_isspace (c))
        {
          ADVANCE ();
          continue;
        }
      if (c == '-' && i + 1 < len && text[i + 1] == '-')
        {
          while (i < len && text[i] != '\n')
            ADVANCE ();
          continue;
        }
      if (c == '/' && i + 1 < len && text[i + 1] == '*')
        {
          guint l0 = line, c0 = col;
          ADVANCE (); ADVANCE ();
          while (i < len && !(text[i] == '*' && i + 1 < len && text[i + 1] == '/'))
            ADVANCE ();
          if (i >= len)
            {
              jc_sql_error_set (err, l0, c0, _("This comment is never closed with */."));
              return NULL;
            }
          ADVANCE (); ADVANCE ();
          continue;
        }

      JcSqlToken tok = { .line = line, .column = col };
      if (g_ascii_isalpha (c) || c == '_')
        {
          gsize s = i;
          while (i < len && (g_ascii_isalnum (text[i]) || text[i] == '_'))
            ADVANCE ();
          tok.kind = JC_TOK_IDENT;
          tok.text = g_strndup (text + s, i - s);
          if (i - s > JC_ENGINE_NAME_MAX_LEN)
            {
              jc_sql_error_set (err, tok.line, tok.column,
                                _("The name “%.20s…” is longer than %u characters."), tok.text,
                                JC_ENGINE_NAME_MAX_LEN);
              g_free (tok.text);
              return NULL;
            }
        }
      else if (g_ascii_isdigit (c))
        {
          gsize s = i;
          while (i < len && g_ascii_isdigit (text[i]))
            ADVANCE ();
          if (i + 1 < len && text[i] == '.' && g_ascii_isdigit (text[i + 1]))
            {
              ADVANCE ();
              while (i < len && g_ascii_isdigit (text[i]))
                ADVANCE ();
            }
          if (i < len && (g_ascii_isalpha (text[i]) || text[i] == '_'))
            {
              jc_sql_error_set (err, line, col, _("A number must not be followed by a letter."));
              return NULL;
            }
          tok.kind = JC_TOK_NUMBER;
          tok.text = g_strndup (text + s, i - s);
        }
      else if (c == '\'')
        {
          GString *s = g_string_new (NULL);
          ADVANCE ();
          for (;;)
            {
              if (i >= len)
                {
                  jc_sql_error_set (err, tok.line, tok.column,
                                    _("This text in quotes is never closed with '."));
                  g_string_free (s, TRUE);
                  return NULL;
                }
              if (text[i] == '\'')
                {
                  if (i + 1 < len && text[i + 1] == '\'')
                    {
                      g_string_append_c (s, '\'');
                      ADVANCE (); ADVANCE ();
                      continue;
                    }
                  ADVANCE ();
                  break;
                }
              g_string_append_c (s, text[i]);
              ADVANCE ();
            }
          tok.kind = JC_TOK_STRING;
          tok.text = g_string_free (s, FALSE);
        }
      else
        {
          char n = i + 1 < len ? text[i + 1] : '\0';
          int width = 1;
          switch (c)
            {
            case '(': tok.kind = JC_TOK_LPAREN; break;
            case ')': tok.kind = JC_TOK_RPAREN; break;
            case ',': tok.kind = JC_TOK_COMMA; break;
            case ';': tok.kind = JC_TOK_SEMI; break;
            case '.': tok.kind = JC_TOK_DOT; break;
            case '*': tok.kind = JC_TOK_STAR; break;
            case '+': tok.kind = JC_TOK_PLUS; break;
            case '-': tok.kind = JC_TOK_MINUS; break;
            case '/': tok.kind = JC_TOK_SLASH; break;
            case '=': tok.kind = JC_TOK_EQ; break;
            case '!':
              if (n != '=')
                goto bad;
              tok.kind = JC_TOK_NE; width = 2; break;
            case '<':
              if (n == '=') { tok.kind = JC_TOK_LE; width = 2; }
              else if (n == '>') { tok.kind = JC_TOK_NE; width = 2; }
              else tok.kind = JC_TOK_LT;
              break;
            case '>':
              if (n == '=') { tok.kind = JC_TOK_GE; width = 2; }
              else tok.kind = JC_TOK_GT;
              break;
            default:
            bad:
              if ((guchar) c < 0x80 && g_ascii_isprint (c))
                jc_sql_error_set (err, line, col, _("The character “%c” has no meaning here."), c);
              else
                jc_sql_error_set (err, line, col,
                                  _("Only ASCII letters, digits and SQL symbols may appear "
                                    "outside quotes."));
              return NULL;
            }
          while (width-- > 0)
            ADVANCE ();
        }
      g_array_append_val (toks, tok);
    }
#undef ADVANCE
  JcSqlToken eof = { .kind = JC_TOK_EOF, .line = line, .column = col };
  g_array_append_val (toks, eof);
  return g_steal_pointer (&toks);
}
