#define G_LOG_DOMAIN "joconde-attest"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "jc-encoding.h"
#include "jc-error.h"
#include "jc-tdx-private.h"

/* QE Identity collateral (Intel PCS API v4 "Get TDX QE Identity", enclaveIdentity version 2,
 * id TD_QE): which Quoting Enclave may sign TDX quotes. Applied as Intel's Quote
 * Verification Library does: MISCSELECT and ATTRIBUTES of the QE report under their masks,
 * MRSIGNER and ISVPRODID equal, and the first TCB level whose ISVSVN is not above the QE's. */

/* Offsets in the QE report (SGX REPORT_BODY). */
#define QE_MISCSELECT 16
#define QE_ATTRIBUTES 48
#define QE_MRSIGNER   128
#define QE_ISVPRODID  256
#define QE_ISVSVN     258

static gboolean
hex_bytes (JsonObject *o, const char *member, guint8 *out, gsize n)
{
  const char *hex = json_object_get_string_member_with_default (o, member, NULL);
  if (!hex || strlen (hex) != 2 * n)
    return FALSE;
  g_autofree char *lower = g_ascii_strdown (hex, -1);
  return jc_hex_decode_into (lower, out, n, NULL);
}

static gboolean
identity_error (GError **error, const char *what)
{
  g_set_error (error, JC_ERROR, JC_ERROR_UNTRUSTED,
               _("The TDX quote's Quoting Enclave is not the one Intel's QE Identity names "
                 "(%s differs)"), what);
  return FALSE;
}

gboolean
jc_tdx_qe_identity_check (const JcTdxCollateral *collateral, const JcTdxQuote *quote,
                          gint64 at, char **status, GError **error)
{
  g_autoptr (JsonParser) parser = NULL;
  JsonObject *id;
  const guint8 *qe = quote->qe_report;
  guint8 misc[4], misc_mask[4], attr[16], attr_mask[16], mrsigner[32];

  *status = NULL;
  if (!jc_tdx_pcs_document_load (collateral->qe_identity, collateral->qe_identity_chain,
                                 "enclaveIdentity", "QE Identity", at, &parser, &id, error))
    return FALSE;
  if (g_strcmp0 (json_object_get_string_member_with_default (id, "id", NULL), "TD_QE") != 0
      || json_object_get_int_member_with_default (id, "version", 0) != 2
      || !hex_bytes (id, "miscselect", misc, 4) || !hex_bytes (id, "miscselectMask", misc_mask, 4)
      || !hex_bytes (id, "attributes", attr, 16) || !hex_bytes (id, "attributesMask", attr_mask, 16)
      || !hex_bytes (id, "mrsigner", mrsigner, 32))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("The TDX QE Identity collateral is malformed: not a TD_QE identity, version 2"));
      return FALSE;
    }
  if (!jc_tdx_pcs_document_current (id, "QE Identity", at, error))
    return FALSE;

  /* MISCSELECT is a little-endian 32-bit field in the report and big-endian hex in the JSON. */
  guint32 m = (guint32) qe[QE_MISCSELECT] | (guint32) qe[QE_MISCSELECT + 1] << 8
              | (guint32) qe[QE_MISCSELECT + 2] << 16 | (guint32) qe[QE_MISCSELECT + 3] << 24;
  guint32 want = (guint32) misc[0] << 24 | misc[1] << 16 | misc[2] << 8 | misc[3];
  guint32 mask = (guint32) misc_mask[0] << 24 | misc_mask[1] << 16 | misc_mask[2] << 8 | misc_mask[3];
  if ((m & mask) != want)
    return identity_error (error, "MISCSELECT");
  for (guint i = 0; i < 16; i++)
    if ((qe[QE_ATTRIBUTES + i] & attr_mask[i]) != attr[i])
      return identity_error (error, "ATTRIBUTES");
  if (memcmp (qe + QE_MRSIGNER, mrsigner, 32) != 0)
    return identity_error (error, "MRSIGNER");
  guint prodid = qe[QE_ISVPRODID] | qe[QE_ISVPRODID + 1] << 8;
  if (prodid != json_object_get_int_member_with_default (id, "isvprodid", -1))
    return identity_error (error, "ISVPRODID");

  guint isvsvn = qe[QE_ISVSVN] | qe[QE_ISVSVN + 1] << 8;
  JsonArray *levels = json_object_has_member (id, "tcbLevels")
                      ? json_object_get_array_member (id, "tcbLevels") : NULL;
  for (guint i = 0; levels && i < json_array_get_length (levels); i++)
    {
      JsonObject *level = json_array_get_object_element (levels, i);
      JsonObject *tcb = level && json_object_has_member (level, "tcb")
                        ? json_object_get_object_member (level, "tcb") : NULL;
      if (!tcb || json_object_get_int_member_with_default (tcb, "isvsvn", G_MAXINT) > (gint64) isvsvn)
        continue;
      const char *s = json_object_get_string_member_with_default (level, "tcbStatus", NULL);
      if (!s || g_str_equal (s, "Revoked"))
        {
          g_set_error (error, JC_ERROR, JC_ERROR_REVOKED,
                       _("The TDX Quoting Enclave (ISVSVN %u) is revoked by Intel"), isvsvn);
          return FALSE;
        }
      *status = g_strdup (s);
      return TRUE;
    }
  g_set_error (error, JC_ERROR, JC_ERROR_UNTRUSTED,
               _("The TDX Quoting Enclave (ISVSVN %u) is older than every level Intel's QE "
                 "Identity lists"), isvsvn);
  return FALSE;
}
