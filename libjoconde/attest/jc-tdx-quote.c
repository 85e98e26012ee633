#define G_LOG_DOMAIN "joconde-attest"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "jc-error.h"
#include "jc-tdx.h"

#define CERT_DATA_PCK_CHAIN 5
#define CERT_DATA_QE_REPORT 6

static guint16
le16 (const guint8 *p)
{
  return (guint16) (p[0] | p[1] << 8);
}

static guint32
le32 (const guint8 *p)
{
  return (guint32) p[0] | (guint32) p[1] << 8 | (guint32) p[2] << 16 | (guint32) p[3] << 24;
}

static gboolean
truncated (GError **error, const char *what)
{
  g_set_error (error, JC_ERROR, JC_ERROR_INVALID, _("The TDX quote is cut short in its %s"), what);
  return FALSE;
}

/* A cursor over the quote that never reads past its end. */
typedef struct {
  const guint8 *p, *end;
} Cur;

static gboolean
take (Cur *c, gsize n, const guint8 **out)
{
  if ((gsize) (c->end - c->p) < n)
    return FALSE;
  *out = c->p;
  c->p += n;
  return TRUE;
}

static void
parse_td_report (const guint8 *b, guint16 body_type, JcTdxTdReport *td)
{
  gsize o = 0;
#define FIELD(f) do { memcpy (td->f, b + o, sizeof td->f); o += sizeof td->f; } while (0)
  FIELD (tee_tcb_svn);
  FIELD (mrseam);
  FIELD (mrsignerseam);
  FIELD (seam_attributes);
  FIELD (td_attributes);
  FIELD (xfam);
  FIELD (mrtd);
  FIELD (mrconfigid);
  FIELD (mrowner);
  FIELD (mrownerconfig);
  FIELD (rtmr);
  FIELD (report_data);
  if (body_type == 3)
    {
      FIELD (tee_tcb_svn2);
      FIELD (mrservicetd);
    }
#undef FIELD
}

gboolean
jc_tdx_quote_parse (const guint8 *data, gsize len, JcTdxQuote *out, GError **error)
{
  Cur c = { data, data + len };
  const guint8 *h, *b, *d, *sig_data;
  gsize body_size;

  memset (out, 0, sizeof *out);
  if (!take (&c, JC_TDX_HEADER_SIZE, &h))
    return truncated (error, _("header"));
  out->version = le16 (h);
  out->att_key_type = le16 (h + 2);
  out->tee_type = le32 (h + 4);
  memcpy (out->qe_vendor_id, h + 12, 16);
  memcpy (out->user_data, h + 28, 20);
  if (out->version != 4 && out->version != 5)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_UNSUPPORTED,
                   _("TDX quote version %u is not supported (versions 4 and 5 are)"),
                   out->version);
      return FALSE;
    }
  if (out->tee_type != 0x81)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_UNSUPPORTED,
                   _("The quote is not from a TDX trust domain (TEE type 0x%x)"), out->tee_type);
      return FALSE;
    }
  if (out->att_key_type != 2)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_UNSUPPORTED,
                   _("The TDX quote uses attestation key type %u; only 2 (ECDSA P-256) is known"),
                   out->att_key_type);
      return FALSE;
    }

  if (out->version == 4)
    {
      out->body_type = 2;
      body_size = JC_TDX_BODY_10_SIZE;
    }
  else
    {
      if (!take (&c, 6, &d))
        return truncated (error, _("body descriptor"));
      out->body_type = le16 (d);
      body_size = le32 (d + 2);
      gsize want = out->body_type == 2 ? JC_TDX_BODY_10_SIZE
                 : out->body_type == 3 ? JC_TDX_BODY_15_SIZE : 0;
      if (want == 0 || body_size != want)
        {
          g_set_error (error, JC_ERROR, JC_ERROR_UNSUPPORTED,
                       _("The TDX quote body has type %u and size %zu; known are TDX 1.0 "
                         "(type 2, 584 bytes) and TDX 1.5 (type 3, 648 bytes)"),
                       out->body_type, body_size);
          return FALSE;
        }
    }
  if (!take (&c, body_size, &b))
    return truncated (error, _("TD report"));
  parse_td_report (b, out->body_type, &out->td);
  out->signed_len = c.p - data;

  /* Signature data: its length, then signature, attestation key, certification data. */
  if (!take (&c, 4, &d))
    return truncated (error, _("signature data length"));
  gsize sig_len = le32 (d);
  if (!take (&c, sig_len, &sig_data))
    return truncated (error, _("signature data"));
  out->quote_len = c.p - data;

  Cur s = { sig_data, sig_data + sig_len };
  const guint8 *cd_hdr, *qe, *auth_len, *inner;
  if (!take (&s, 64, &out->signature) || !take (&s, 64, &out->attestation_key)
      || !take (&s, 6, &cd_hdr))
    return truncated (error, _("signature data"));
  if (le16 (cd_hdr) != CERT_DATA_QE_REPORT)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_UNSUPPORTED,
                   _("The TDX quote carries certification data type %u; type 6 (QE report with "
                     "PCK chain) is needed"), le16 (cd_hdr));
      return FALSE;
    }
  gsize cd_len = le32 (cd_hdr + 2);
  if ((gsize) (s.end - s.p) < cd_len)
    return truncated (error, _("certification data"));
  Cur q = { s.p, s.p + cd_len };
  if (!take (&q, JC_TDX_QE_REPORT_SIZE, &qe) || !take (&q, 64, &out->qe_report_signature)
      || !take (&q, 2, &auth_len))
    return truncated (error, _("QE report"));
  out->qe_report = qe;
  out->qe_auth_data_len = le16 (auth_len);
  if (!take (&q, out->qe_auth_data_len, &out->qe_auth_data) || !take (&q, 6, &inner))
    return truncated (error, _("QE authentication data"));
  if (le16 (inner) != CERT_DATA_PCK_CHAIN)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_UNSUPPORTED,
                   _("The TDX quote's QE certification data has type %u; type 5 (PEM PCK "
                     "certificate chain) is needed"), le16 (inner));
      return FALSE;
    }
  out->pck_chain_pem_len = le32 (inner + 2);
  if (!take (&q, out->pck_chain_pem_len, &out->pck_chain_pem))
    return truncated (error, _("PCK certificate chain"));
  return TRUE;
}
