#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* Shows a node's chain fingerprint as groups of digits (jc_party_fingerprint_digits), to be read aloud and
 * compared with its owner out of band (ADR-5). Emits "compared" (gboolean matches) when
 * the user answers; closing the dialog answers nothing. */
#define JC_TYPE_COMPARE_DIALOG (jc_compare_dialog_get_type ())
G_DECLARE_FINAL_TYPE (JcCompareDialog, jc_compare_dialog, JC, COMPARE_DIALOG, AdwMessageDialog)

JcCompareDialog *jc_compare_dialog_new             (GtkWindow *parent, const char *peer,
                                                    const char *fingerprint_hex,
                                                    const char *digits);
const char      *jc_compare_dialog_get_fingerprint (JcCompareDialog *self);

G_END_DECLS
