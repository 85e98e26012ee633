#define G_LOG_DOMAIN "joconde-app"
#include "config.h"

#include <cairo-pdf.h>
#include <glib/gi18n.h>
#include <pango/pangocairo.h>

#include "jc-encoding.h"
#include "jc-error.h"
#include "jc-signing-sheet.h"

#define PAGE_W 595.0   /* A4 in points */
#define PAGE_H 842.0
#define MARGIN 56.0

typedef struct {
  cairo_t *cr;
  double   y;
} Sheet;

static void
text (Sheet *s, const char *markup, const char *font, double gap)
{
  PangoLayout *layout = pango_cairo_create_layout (s->cr);
  PangoFontDescription *desc = pango_font_description_from_string (font);
  int w, h;

  pango_layout_set_font_description (layout, desc);
  pango_layout_set_width (layout, (int) ((PAGE_W - 2 * MARGIN) * PANGO_SCALE));
  pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
  pango_layout_set_markup (layout, markup, -1);
  if (s->y > PAGE_H - MARGIN - 40)
    {
      cairo_show_page (s->cr);
      s->y = MARGIN;
    }
  cairo_move_to (s->cr, MARGIN, s->y);
  pango_cairo_show_layout (s->cr, layout);
  pango_layout_get_size (layout, &w, &h);
  s->y += (double) h / PANGO_SCALE + gap;
  pango_font_description_free (desc);
  g_object_unref (layout);
}

static void
textf (Sheet *s, const char *font, double gap, const char *format, ...) G_GNUC_PRINTF (4, 5);

static void
textf (Sheet *s, const char *font, double gap, const char *format, ...)
{
  va_list args;
  g_autofree char *markup = NULL;

  va_start (args, format);
  markup = g_markup_vprintf_escaped (format, args);
  va_end (args);
  text (s, markup, font, gap);
}

/* "01234 56789 …" from hex: the hash as digit groups, as jocondectl and the app show it. */
static char *
hash_digits (const char *hex)
{
  guint8 raw[JC_DOC_HASH_SIZE];
  if (!jc_hex_decode_into (hex, raw, sizeof raw, NULL))
    return g_strdup (hex);
  return jc_digits_fingerprint (raw, sizeof raw);
}

gboolean
jc_signing_sheet_write (JcTaskInfo *task, const char *path, GError **error)
{
  const JcCtsc *ctsc = jc_task_info_get_ctsc (task);
  cairo_surface_t *surface = cairo_pdf_surface_create (path, PAGE_W, PAGE_H);
  g_autofree char *digits = hash_digits (jc_task_info_get_hash (task));
  cairo_status_t status;
  Sheet s = { NULL, MARGIN };

  if (cairo_surface_status (surface) != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_IO, _("Cannot write the signing sheet to %s: %s"),
                   path, cairo_status_to_string (cairo_surface_status (surface)));
      cairo_surface_destroy (surface);
      return FALSE;
    }
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_TITLE, ctsc->title);
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATOR, "JOCONDE " PACKAGE_VERSION);
  s.cr = cairo_create (surface);
  cairo_set_source_rgb (s.cr, 0, 0, 0);

  textf (&s, "Sans Bold 18", 6, "%s", _("Signing sheet"));
  textf (&s, "Sans 13", 12, "%s", ctsc->title);
  textf (&s, "Sans 10", 4, _("Task: %s"), jc_task_info_get_id (task));
  textf (&s, "Sans 10", 12, _("Engine: %s · TEE: %s"), ctsc->engine,
         jc_tee_platform_to_string (ctsc->platform));
  textf (&s, "Sans Bold 11", 4, "%s", _("Hash of the task specification (CTSC)"));
  textf (&s, "Monospace 10", 2, "%s", jc_task_info_get_hash (task));
  textf (&s, "Monospace 10", 14, "%s", digits);
  textf (&s, "Sans 9", 14, "%s",
         _("By signing, I confirm that I reviewed the task specification whose hash is printed "
           "above, as shown by the JOCONDE app, and that my organisation agrees to take part."));

  textf (&s, "Sans Bold 11", 6, "%s", _("Peers"));
  for (guint i = 0; i < ctsc->peers->len; i++)
    {
      const JcParty *p = g_ptr_array_index (ctsc->peers, i);
      g_autofree char *fp = jc_party_fingerprint_digits (p);
      textf (&s, "Sans 10", 1, "%s", p->name);
      textf (&s, "Monospace 8", 6, "%s", fp);
    }
  textf (&s, "Sans Bold 11", 6, "%s", _("Computing parties"));
  for (guint i = 0; i < ctsc->computing_parties->len; i++)
    {
      const JcParty *p = g_ptr_array_index (ctsc->computing_parties, i);
      g_autofree char *fp = jc_party_fingerprint_digits (p);
      textf (&s, "Sans 10", 1, "%s", p->name);
      textf (&s, "Monospace 8", 6, "%s", fp);
    }

  s.y += 10;
  for (guint i = 0; i < 2; i++)
    {
      if (s.y > PAGE_H - MARGIN - 110)
        {
          cairo_show_page (s.cr);
          s.y = MARGIN;
        }
      cairo_rectangle (s.cr, MARGIN, s.y, PAGE_W - 2 * MARGIN, 96);
      cairo_set_line_width (s.cr, 0.8);
      cairo_stroke (s.cr);
      s.y += 6;
      cairo_save (s.cr);
      cairo_translate (s.cr, 6, 0);
      textf (&s, "Sans 9", 18, "%s", _("Name and organisation of the signatory:"));
      textf (&s, "Sans 9", 18, "%s", _("Date and place:"));
      textf (&s, "Sans 9", 30, "%s", _("Signature:"));
      cairo_restore (s.cr);
      s.y += 14;
    }

  cairo_show_page (s.cr);
  cairo_destroy (s.cr);
  cairo_surface_finish (surface);
  status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_IO, _("Cannot write the signing sheet to %s: %s"),
                   path, cairo_status_to_string (status));
      return FALSE;
    }
  return TRUE;
}
