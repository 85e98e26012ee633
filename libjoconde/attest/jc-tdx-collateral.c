#define G_LOG_DOMAIN "joconde-attest"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "jc-attest-x509.h"
#include "jc-encoding.h"
#include "jc-error.h"
#include "jc-intel-roots.h"
#include "jc-tdx-private.h"
#include "jc-time.h"

/* TDX TCB Info collateral (Intel PCS API v4 "Get TDX TCB Info", tcbInfo version 3): the JSON
 * value of "tcbInfo" exactly as sent is signed (ECDSA P-256, SHA-256, r‖s in hex) by the
 * Intel SGX TCB Signing certificate, which chains to the Intel SGX Root CA. The TCB level
 * rules follow Intel's Quote Verification Library: the first level (levels are sorted from
 * newest) whose SGX components and PCESVN are not above the PCK certificate's and whose TDX
 * components are not above the TD report's TEE_TCB_SVN. */

static gboolean
document_error (GError **error, const char *what, const char *why)
{
  g_set_error (error, JC_ERROR, JC_ERROR_INVALID, _("The TDX %s collateral is malformed: %s"),
               what, why);
  return FALSE;
}

/* The raw text of the object value of a top-level member: the bytes the signature covers. */
static gboolean
raw_member (const char *text, gsize len, const char *member, const char **start, gsize *out_len)
{
  g_autofree char *key = g_strdup_printf ("\"%s\"", member);
  const char *end = text + len;
  const char *p = g_strstr_len (text, len, key);
  if (!p)
    return FALSE;
  p += strlen (key);
  while (p < end && g_ascii_isspace (*p))
    p++;
  if (p >= end || *p++ != ':')
    return FALSE;
  while (p < end && g_ascii_isspace (*p))
    p++;
  if (p >= end || *p != '{')
    return FALSE;
  const char *s = p;
  int depth = 0;
  gboolean in_string = FALSE;
  for (; p < end; p++)
    {
      if (in_string)
        {
          if (*p == '\\')
            p++;
          else if (*p == '"')
            in_string = FALSE;
        }
      else if (*p == '"')
        in_string = TRUE;
      else if (*p == '{')
        depth++;
      else if (*p == '}' && --depth == 0)
        {
          *start = s;
          *out_len = p + 1 - s;
          return TRUE;
        }
    }
  return FALSE;
}

static gboolean
check_signing_chain (GBytes *chain_pem, const char *what, gint64 at, JcX509List *chain,
                     GError **error)
{
  JcX509List root = { 0 };
  g_autofree char *cn = NULL;
  gboolean ok = FALSE;
  if (!chain_pem)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_NOT_FOUND,
                   _("The TDX %s collateral comes without its signing certificate chain"), what);
      return FALSE;
    }
  if (!jc_x509_list_add_pem (&root, jc_intel_roots_sgx_root_ca_pem (), "Intel SGX Root CA", error)
      || !jc_x509_list_add_data (chain, g_bytes_get_data (chain_pem, NULL),
                                 g_bytes_get_size (chain_pem), _("TCB signing chain"), error))
    goto out;
  gnutls_x509_crt_t signer = chain->crts[0];
  for (guint i = 1; i < chain->n; i++)
    if (!jc_x509_equal (chain->crts[i], root.crts[0]))
      {
        g_set_error (error, JC_ERROR, JC_ERROR_UNTRUSTED,
                     _("The TCB signing chain ends in a root that is not the Intel SGX Root CA"));
        goto out;
      }
  cn = jc_x509_common_name (signer);
  if (!jc_x509_check_signed_by (signer, root.crts[0], cn, "Intel SGX Root CA", error)
      || !jc_x509_check_time (signer, at, cn, error))
    goto out;
  ok = TRUE;
out:
  jc_x509_list_clear (&root);
  return ok;
}

static gboolean
check_signature (const char *signed_text, gsize signed_len, const char *sig_hex,
                 gnutls_x509_crt_t signer, const char *what, GError **error)
{
  guint8 sig[64];
  gboolean ok = FALSE;
  if (!sig_hex || strlen (sig_hex) != 128)
    return document_error (error, what, _("no 64-byte signature"));
  g_autofree char *lower = g_ascii_strdown (sig_hex, -1);
  if (!jc_hex_decode_into (lower, sig, 64, NULL))
    return document_error (error, what, _("the signature is not hex"));
  gnutls_pubkey_t key;
  gnutls_pubkey_init (&key);
  if (gnutls_pubkey_import_x509 (key, signer, 0) >= 0
      && jc_x509_ecdsa_verify (key, GNUTLS_SIGN_ECDSA_SHA256, (const guint8 *) signed_text,
                               signed_len, sig, sig + 32, 32))
    ok = TRUE;
  else
    g_set_error (error, JC_ERROR, JC_ERROR_BAD_SIGNATURE,
                 _("The TDX %s collateral is not signed by the Intel TCB signing key"), what);
  gnutls_pubkey_deinit (key);
  return ok;
}

static gboolean
hex_field_equals (JsonObject *o, const char *member, const guint8 *want, gsize n)
{
  const char *hex = json_object_get_string_member_with_default (o, member, NULL);
  guint8 buf[64];
  if (!hex || n > sizeof buf || strlen (hex) != 2 * n)
    return FALSE;
  g_autofree char *lower = g_ascii_strdown (hex, -1);
  return jc_hex_decode_into (lower, buf, n, NULL) && memcmp (buf, want, n) == 0;
}

/* mrsigner equal and (attributes & mask) == expected, for a TDX module identity. */
static gboolean
module_matches (JsonObject *m, const JcTdxTdReport *td)
{
  guint8 mask[8], attr[8];
  const char *mask_hex = json_object_get_string_member_with_default (m, "attributesMask", NULL);
  const char *attr_hex = json_object_get_string_member_with_default (m, "attributes", NULL);
  if (!mask_hex || !attr_hex || strlen (mask_hex) != 16 || strlen (attr_hex) != 16)
    return FALSE;
  g_autofree char *ml = g_ascii_strdown (mask_hex, -1);
  g_autofree char *al = g_ascii_strdown (attr_hex, -1);
  if (!jc_hex_decode_into (ml, mask, 8, NULL) || !jc_hex_decode_into (al, attr, 8, NULL))
    return FALSE;
  for (guint i = 0; i < 8; i++)
    if ((td->seam_attributes[i] & mask[i]) != attr[i])
      return FALSE;
  return hex_field_equals (m, "mrsigner", td->mrsignerseam, 48);
}

static gboolean
svns_not_above (JsonArray *comps, const guint8 *have, guint from)
{
  if (!comps || json_array_get_length (comps) != 16)
    return FALSE;
  for (guint i = from; i < 16; i++)
    {
      JsonObject *c = json_array_get_object_element (comps, i);
      if (!c || json_object_get_int_member_with_default (c, "svn", 256) > have[i])
        return FALSE;
    }
  return TRUE;
}

static const char *
platform_level (JsonArray *levels, const JcTdxPckInfo *pck, const JcTdxTdReport *td)
{
  /* TDX 1.5 and later (TEE_TCB_SVN[1] > 0): bytes 0–1 are the module's and are judged by the
   * module identity instead. */
  guint from = td->tee_tcb_svn[1] > 0 ? 2 : 0;
  for (guint i = 0; levels && i < json_array_get_length (levels); i++)
    {
      JsonObject *level = json_array_get_object_element (levels, i);
      JsonObject *tcb = level ? json_object_get_object_member (level, "tcb") : NULL;
      if (!tcb)
        continue;
      if (svns_not_above (json_object_get_array_member (tcb, "sgxtcbcomponents"), pck->sgx_tcb, 0)
          && json_object_get_int_member_with_default (tcb, "pcesvn", G_MAXINT) <= pck->pce_svn
          && svns_not_above (json_object_get_array_member (tcb, "tdxtcbcomponents"),
                             td->tee_tcb_svn, from))
        return json_object_get_string_member_with_default (level, "tcbStatus", NULL);
    }
  return NULL;
}

/* TDX 1.5 module identities: "TDX_%02X" of the module major version, whose levels are
 * judged on the module SVN (TEE_TCB_SVN[0]). NULL status with *error set on refusal. */
static gboolean
module_identity_status (JsonObject *info, const JcTdxTdReport *td, const char **status,
                        GError **error)
{
  *status = NULL;
  if (td->tee_tcb_svn[1] == 0 || !json_object_has_member (info, "tdxModuleIdentities"))
    return TRUE;
  g_autofree char *id = g_strdup_printf ("TDX_%02X", td->tee_tcb_svn[1]);
  JsonArray *ids = json_object_get_array_member (info, "tdxModuleIdentities");
  for (guint i = 0; ids && i < json_array_get_length (ids); i++)
    {
      JsonObject *m = json_array_get_object_element (ids, i);
      if (!m || g_strcmp0 (json_object_get_string_member_with_default (m, "id", NULL), id) != 0)
        continue;
      if (!module_matches (m, td))
        break;
      JsonArray *levels = json_object_get_array_member (m, "tcbLevels");
      for (guint k = 0; levels && k < json_array_get_length (levels); k++)
        {
          JsonObject *level = json_array_get_object_element (levels, k);
          JsonObject *tcb = level ? json_object_get_object_member (level, "tcb") : NULL;
          if (tcb && json_object_get_int_member_with_default (tcb, "isvsvn", 256) <= td->tee_tcb_svn[0])
            {
              *status = json_object_get_string_member_with_default (level, "tcbStatus", NULL);
              return TRUE;
            }
        }
      break;
    }
  g_set_error (error, JC_ERROR, JC_ERROR_UNTRUSTED,
               _("The TDX module (%s, SVN %u) is not one the TCB Info collateral knows"), id,
               td->tee_tcb_svn[0]);
  return FALSE;
}

static gboolean
check_platform_ids (JsonObject *info, const JcTdxPckInfo *pck, GError **error)
{
  if (!hex_field_equals (info, "fmspc", pck->fmspc, 6))
    {
      g_autofree char *f = jc_hex_encode (pck->fmspc, 6);
      g_set_error (error, JC_ERROR, JC_ERROR_UNTRUSTED,
                   _("The TDX TCB Info collateral is for another platform type (FMSPC %s expected)"), f);
      return FALSE;
    }
  if (!hex_field_equals (info, "pceId", pck->pce_id, 2))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_UNTRUSTED,
                   _("The TDX TCB Info collateral is for another PCE-ID"));
      return FALSE;
    }
  return TRUE;
}

gboolean
jc_tdx_tcb_info_evaluate (JsonObject *info, const JcTdxQuote *quote, const JcTdxPckInfo *pck,
                          char **status, GError **error)
{
  *status = NULL;
  if (!check_platform_ids (info, pck, error))
    return FALSE;
  JsonObject *module = json_object_has_member (info, "tdxModule")
                       ? json_object_get_object_member (info, "tdxModule") : NULL;
  if (!module || !module_matches (module, &quote->td))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_UNTRUSTED,
                   _("The TDX module's signer or attributes (MRSIGNERSEAM, SEAMATTRIBUTES) are "
                     "not those the TCB Info collateral expects"));
      return FALSE;
    }
  const char *module_status;
  if (!module_identity_status (info, &quote->td, &module_status, error))
    return FALSE;
  const char *platform_status = platform_level (json_object_get_array_member (info, "tcbLevels"),
                                                pck, &quote->td);
  if (!platform_status)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_UNTRUSTED,
                   _("The TDX platform's TCB is older than every level the TCB Info collateral "
                     "lists"));
      return FALSE;
    }
  const char *final = platform_status;
  if (module_status && !g_str_equal (module_status, "UpToDate")
      && (g_str_equal (platform_status, "UpToDate") || g_str_equal (module_status, "Revoked")))
    final = module_status;
  if (g_str_equal (final, "Revoked"))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_REVOKED,
                   _("The TDX platform's TCB level is revoked by Intel"));
      return FALSE;
    }
  *status = g_strdup (final);
  return TRUE;
}

gboolean
jc_tdx_pcs_document_load (GBytes *document, GBytes *chain_pem, const char *member,
                          const char *what, gint64 at, JsonParser **parser, JsonObject **object,
                          GError **error)
{
  gsize len;
  const char *text = g_bytes_get_data (document, &len);
  const char *signed_text;
  gsize signed_len;
  JcX509List chain = { 0 };
  g_autoptr (JsonParser) whole = json_parser_new ();
  g_autoptr (JsonParser) inner = json_parser_new ();
  gboolean ok = FALSE;

  if (len > 1024 * 1024 || !json_parser_load_from_data (whole, text, len, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (whole)))
    return document_error (error, what, _("not a JSON object"));
  if (!raw_member (text, len, member, &signed_text, &signed_len)
      || !json_parser_load_from_data (inner, signed_text, signed_len, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (inner)))
    return document_error (error, what, _("its signed object is missing"));
  JsonObject *top = json_node_get_object (json_parser_get_root (whole));
  if (!check_signing_chain (chain_pem, what, at, &chain, error)
      || !check_signature (signed_text, signed_len,
                           json_object_get_string_member_with_default (top, "signature", NULL),
                           chain.crts[0], what, error))
    goto out;
  /* Everything the caller uses comes from the signed bytes. */
  *object = json_node_get_object (json_parser_get_root (inner));
  *parser = g_steal_pointer (&inner);
  ok = TRUE;
out:
  jc_x509_list_clear (&chain);
  return ok;
}

gboolean
jc_tdx_pcs_document_current (JsonObject *object, const char *what, gint64 at, GError **error)
{
  gint64 issued, next;
  if (!jc_time_parse (json_object_get_string_member_with_default (object, "issueDate", ""), &issued, NULL)
      || !jc_time_parse (json_object_get_string_member_with_default (object, "nextUpdate", ""), &next, NULL))
    return document_error (error, what, _("bad issueDate or nextUpdate"));
  if (at < issued || at > next)
    {
      g_autofree char *i = jc_time_format (issued);
      g_autofree char *n = jc_time_format (next);
      g_autofree char *a = jc_time_format (at);
      g_set_error (error, JC_ERROR, JC_ERROR_EXPIRED,
                   _("The TDX %s collateral is valid from %s to %s, not at %s: fetch a current "
                     "one"), what, i, n, a);
      return FALSE;
    }
  return TRUE;
}

gboolean
jc_tdx_collateral_check (const JcTdxCollateral *collateral, const JcTdxQuote *quote,
                         const JcTdxPckInfo *pck, gint64 at, char **status, GError **error)
{
  g_autoptr (JsonParser) parser = NULL;
  JsonObject *info;

  *status = NULL;
  if (!jc_tdx_pcs_document_load (collateral->tcb_info, collateral->tcb_info_chain, "tcbInfo",
                                 "TCB Info", at, &parser, &info, error))
    return FALSE;
  if (g_strcmp0 (json_object_get_string_member_with_default (info, "id", NULL), "TDX") != 0
      || json_object_get_int_member_with_default (info, "version", 0) != 3)
    return document_error (error, "TCB Info", _("not TDX TCB Info version 3"));
  /* The platform type first: collateral for another one is the more useful reason. */
  return check_platform_ids (info, pck, error)
         && jc_tdx_pcs_document_current (info, "TCB Info", at, error)
         && jc_tdx_tcb_info_evaluate (info, quote, pck, status, error);
}
