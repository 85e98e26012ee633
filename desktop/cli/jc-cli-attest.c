#define G_LOG_DOMAIN "jocondectl"
#include "config.h"

#include <glib/gi18n.h>
#include <gnutls/x509.h>
#include <stdio.h>
#include <string.h>

#include "jc-cli.h"
#include "jc-encoding.h"
#include "jc-error.h"
#include "jc-snp.h"
#include "jc-tdx.h"
#include "jc-tee.h"
#include "jc-tee-sim.h"
#include "jc-time.h"

/* `jocondectl attest`: offline checks of TEE evidence, the tool an auditor uses. */

#define INPUT_MAX (4 * 1024 * 1024)

typedef enum {
  FILE_UNKNOWN,
  FILE_CONTAINER,     /* a tee-evidence JSON document */
  FILE_SNP_REPORT,
  FILE_SIM_REPORT,
  FILE_TDX_QUOTE,
  FILE_TCB_INFO,      /* TDX collateral: PCS TCB Info JSON */
  FILE_QE_IDENTITY,   /* TDX collateral: PCS QE Identity JSON */
  FILE_PCK_CRL,       /* TDX collateral: CRL of a PCK CA */
  FILE_ROOT_CRL,      /* TDX collateral: CRL of the Intel SGX Root CA */
  FILE_CERTIFICATE,   /* PEM (one or more) or DER */
} FileKind;

/* What the files on the command line add up to. */
typedef struct {
  JcTeeEvidence *evidence;
  const char    *evidence_path;
  GPtrArray     *certificates;  /* GBytes, as read (PEM lists or DER) */
  GBytes        *tcb_info;      /* TDX collateral, as read */
  GBytes        *qe_identity;
  GBytes        *pck_crl;
  GBytes        *root_crl;
} Inputs;

static gboolean
looks_like_der_certificate (GBytes *data)
{
  gnutls_x509_crt_t crt;
  gnutls_datum_t d;
  gsize len;
  int rc;

  d.data = (unsigned char *) g_bytes_get_data (data, &len);
  if (len < 2 || d.data[0] != 0x30)
    return FALSE;
  d.size = (unsigned int) len;
  if (gnutls_x509_crt_init (&crt) < 0)
    return FALSE;
  rc = gnutls_x509_crt_import (crt, &d, GNUTLS_X509_FMT_DER);
  gnutls_x509_crt_deinit (crt);
  return rc >= 0;
}

static gboolean
starts_with_text (GBytes *data, const char *prefix)
{
  gsize len, i = 0;
  const char *p = g_bytes_get_data (data, &len);

  while (i < len && g_ascii_isspace (p[i]))
    i++;
  return len - i >= strlen (prefix) && memcmp (p + i, prefix, strlen (prefix)) == 0;
}

/* A CRL, PEM or DER; ROOT tells whether the Intel SGX Root CA issued it. */
static gboolean
looks_like_crl (GBytes *data, gboolean *root)
{
  gnutls_x509_crl_t crl;
  gnutls_datum_t d;
  char cn[256];
  size_t size = sizeof cn;
  gsize len;
  int rc;

  d.data = (unsigned char *) g_bytes_get_data (data, &len);
  d.size = (unsigned int) len;
  if (gnutls_x509_crl_init (&crl) < 0)
    return FALSE;
  rc = gnutls_x509_crl_import (crl, &d, starts_with_text (data, "-----BEGIN X509 CRL-----")
                                          ? GNUTLS_X509_FMT_PEM : GNUTLS_X509_FMT_DER);
  *root = rc >= 0 &&
          gnutls_x509_crl_get_issuer_dn_by_oid (crl, GNUTLS_OID_X520_COMMON_NAME, 0, 0, cn, &size) >= 0 &&
          strstr (cn, "Root CA") != NULL;
  gnutls_x509_crl_deinit (crl);
  return rc >= 0;
}

/* Tells the kind of a file from its contents (never from its name), and gives the
 * evidence it holds when it holds some. */
static FileKind
classify (const char *path, GBytes *data, GBytes **evidence_bytes, JcTeeEvidence **container,
          GError **error)
{
  gsize len;
  const guint8 *p = g_bytes_get_data (data, &len);
  JcSnpReport parsed;

  if (starts_with_text (data, "{"))
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonNode *root;

      if (json_parser_load_from_data (parser, (const char *) p, len, NULL) &&
          (root = json_parser_get_root (parser)) != NULL && JSON_NODE_HOLDS_OBJECT (root))
        {
          if (json_object_has_member (json_node_get_object (root), "tcbInfo"))
            return FILE_TCB_INFO;
          if (json_object_has_member (json_node_get_object (root), "enclaveIdentity"))
            return FILE_QE_IDENTITY;
        }
      *container = jc_tee_evidence_from_json ((const char *) p, len, error);
      if (*container == NULL)
        {
          g_prefix_error (error, "%s: ", path);
          return FILE_UNKNOWN;
        }
      return FILE_CONTAINER;
    }
  if (starts_with_text (data, "-----BEGIN CERTIFICATE-----"))
    return FILE_CERTIFICATE;
  if (jc_tee_sim_report_detect (data))
    {
      *evidence_bytes = g_bytes_ref (data);
      return FILE_SIM_REPORT;
    }
  if (looks_like_der_certificate (data))
    return FILE_CERTIFICATE;
  {
    gboolean root = FALSE;
    if (looks_like_crl (data, &root))
      return root ? FILE_ROOT_CRL : FILE_PCK_CRL;
  }
  {
    JcTdxQuote quote;
    if (jc_tdx_quote_parse (p, len, &quote, NULL))
      {
        *evidence_bytes = g_bytes_ref (data);
        return FILE_TDX_QUOTE;
      }
  }
  {
    g_autoptr(GBytes) report = jc_snp_report_from_data (p, len, NULL);
    if (report != NULL &&
        jc_snp_report_parse (g_bytes_get_data (report, NULL), g_bytes_get_size (report), &parsed, NULL))
      {
        *evidence_bytes = g_steal_pointer (&report);
        return FILE_SNP_REPORT;
      }
  }
  g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
               _("%s: not an evidence container, SEV-SNP report (binary or hex), TDX quote, "
                 "simulator report, certificate, CRL, TCB Info or QE Identity"), path);
  return FILE_UNKNOWN;
}

static gboolean
set_evidence (Inputs *in, const char *path, JcTeeEvidence *evidence, GError **error)
{
  if (in->evidence != NULL)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("%s and %s both hold evidence; check one report or quote at a time"),
                   in->evidence_path, path);
      jc_tee_evidence_free (evidence);
      return FALSE;
    }
  in->evidence = evidence;
  in->evidence_path = path;
  return TRUE;
}

/* The DER certificates of a file (PEM list or one DER). */
static gboolean
import_certificates (GBytes *data, gnutls_x509_crt_t **crts, unsigned int *n)
{
  gnutls_datum_t d;
  gsize len;

  d.data = (unsigned char *) g_bytes_get_data (data, &len);
  d.size = (unsigned int) len;
  return gnutls_x509_crt_list_import2 (crts, n, &d,
                                       starts_with_text (data, "-----BEGIN") ? GNUTLS_X509_FMT_PEM
                                                                            : GNUTLS_X509_FMT_DER,
                                       0) >= 0;
}

static char *
certificate_cn (gnutls_x509_crt_t crt)
{
  char cn[256];
  size_t size = sizeof cn;

  if (gnutls_x509_crt_get_dn_by_oid (crt, GNUTLS_OID_X520_COMMON_NAME, 0, 0, cn, &size) < 0)
    return g_strdup ("?");
  return g_strndup (cn, size);
}

static void
append_pem (GString *pem, gnutls_x509_crt_t crt)
{
  gnutls_datum_t out = { NULL, 0 };

  if (gnutls_x509_crt_export2 (crt, GNUTLS_X509_FMT_PEM, &out) >= 0)
    g_string_append_len (pem, (const char *) out.data, out.size);
  gnutls_free (out.data);
}

/* A TDX quote carries its own PCK chain. Certificate files given with it can only be the
 * issuer chain of the TCB Info and QE Identity (Intel SGX TCB Signing, then the Intel SGX
 * Root CA), which the TDX verifier takes as PEM; other certificates are not needed, and
 * the user is told so. */
static gboolean
tdx_issuer_chain (Inputs *in, GString *pem, GError **error)
{
  g_autoptr(GString) signing = g_string_new (NULL), root = g_string_new (NULL);

  for (guint i = 0; i < in->certificates->len; i++)
    {
      gnutls_x509_crt_t *crts = NULL;
      unsigned int n = 0;

      if (!import_certificates (in->certificates->pdata[i], &crts, &n))
        {
          g_set_error (error, JC_ERROR, JC_ERROR_INVALID, _("A certificate file cannot be read"));
          return FALSE;
        }
      for (unsigned int k = 0; k < n; k++)
        {
          g_autofree char *cn = certificate_cn (crts[k]);
          GString *into = strstr (cn, "TCB Signing") ? signing
                          : g_str_equal (cn, "Intel SGX Root CA") ? root : NULL;
          if (into == NULL)
            fprintf (stderr, _("jocondectl: note: certificate “%s” is not used: a TDX quote "
                               "carries its own PCK chain\n"), cn);
          else if (into->len == 0)
            append_pem (into, crts[k]);
          gnutls_x509_crt_deinit (crts[k]);
        }
      gnutls_free (crts);
    }
  g_string_append_len (pem, signing->str, signing->len);
  g_string_append_len (pem, root->str, root->len);
  return TRUE;
}

static gboolean
add_tdx_collateral (Inputs *in, GError **error)
{
  g_autoptr(GString) chain = g_string_new (NULL);
  JcTeeEvidence *e = in->evidence;

  if (!tdx_issuer_chain (in, chain, error))
    return FALSE;
  if ((in->tcb_info || in->qe_identity) && chain->len == 0)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("The TCB Info and QE Identity need their issuer chain (Intel SGX TCB "
                     "Signing and Root CA, PEM)"));
      return FALSE;
    }
  if (in->tcb_info)
    {
      g_clear_pointer (&e->tcb_info, g_bytes_unref);
      g_clear_pointer (&e->tcb_info_chain, g_bytes_unref);
      e->tcb_info = g_bytes_ref (in->tcb_info);
      e->tcb_info_chain = g_bytes_new (chain->str, chain->len);
    }
  if (in->qe_identity)
    {
      g_clear_pointer (&e->qe_identity, g_bytes_unref);
      g_clear_pointer (&e->qe_identity_chain, g_bytes_unref);
      e->qe_identity = g_bytes_ref (in->qe_identity);
      e->qe_identity_chain = g_bytes_new (chain->str, chain->len);
    }
  if (in->pck_crl)
    {
      g_clear_pointer (&e->pck_crl, g_bytes_unref);
      e->pck_crl = g_bytes_ref (in->pck_crl);
    }
  if (in->root_crl)
    {
      g_clear_pointer (&e->root_crl, g_bytes_unref);
      e->root_crl = g_bytes_ref (in->root_crl);
    }
  return TRUE;
}

static gboolean
set_once (GBytes **slot, GBytes *data, const char *path, const char *what, GError **error)
{
  if (*slot)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID, _("%s: a second %s"), path, what);
      return FALSE;
    }
  *slot = g_bytes_ref (data);
  return TRUE;
}

static gboolean
read_inputs (char *const *files, Inputs *in, GError **error)
{
  in->certificates = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  for (char *const *f = files; f && *f; f++)
    {
      g_autoptr(GBytes) data = jc_cli_read_input (*f, INPUT_MAX, error);
      g_autoptr(GBytes) report = NULL;
      JcTeeEvidence *container = NULL;
      FileKind kind;

      if (data == NULL)
        return FALSE;
      kind = classify (*f, data, &report, &container, error);
      switch (kind)
        {
        case FILE_UNKNOWN:
          return FALSE;
        case FILE_CERTIFICATE:
          g_ptr_array_add (in->certificates, g_bytes_ref (data));
          break;
        case FILE_CONTAINER:
          if (!set_evidence (in, *f, container, error))
            return FALSE;
          break;
        case FILE_SNP_REPORT:
          if (!set_evidence (in, *f, jc_tee_evidence_new (JC_TEE_PLATFORM_SEV_SNP, report), error))
            return FALSE;
          break;
        case FILE_TDX_QUOTE:
          if (!set_evidence (in, *f, jc_tee_evidence_new (JC_TEE_PLATFORM_TDX, report), error))
            return FALSE;
          break;
        case FILE_TCB_INFO:
          if (!set_once (&in->tcb_info, data, *f, _("TCB Info"), error))
            return FALSE;
          break;
        case FILE_QE_IDENTITY:
          if (!set_once (&in->qe_identity, data, *f, _("QE Identity"), error))
            return FALSE;
          break;
        case FILE_PCK_CRL:
          if (!set_once (&in->pck_crl, data, *f, _("PCK CRL"), error))
            return FALSE;
          break;
        case FILE_ROOT_CRL:
          if (!set_once (&in->root_crl, data, *f, _("root CRL"), error))
            return FALSE;
          break;
        case FILE_SIM_REPORT:
          if (!set_evidence (in, *f, jc_tee_evidence_new (JC_TEE_PLATFORM_SIM, report), error))
            return FALSE;
          break;
        }
    }
  if (in->evidence == NULL)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("No evidence among the files: give an SEV-SNP report, a TDX quote, a "
                     "simulator report or an evidence container"));
      return FALSE;
    }
  if (in->evidence->platform == JC_TEE_PLATFORM_TDX)
    return add_tdx_collateral (in, error);
  if (in->tcb_info || in->qe_identity || in->pck_crl || in->root_crl)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("TDX collateral (TCB Info, QE Identity, CRL) was given, but the evidence "
                     "is not a TDX quote"));
      return FALSE;
    }
  /* Certificate files join those the container carries. */
  for (guint i = 0; i < in->certificates->len; i++)
    jc_tee_evidence_add_certificate (in->evidence, in->certificates->pdata[i]);
  return TRUE;
}

static void
inputs_clear (Inputs *in)
{
  g_clear_pointer (&in->evidence, jc_tee_evidence_free);
  g_clear_pointer (&in->certificates, g_ptr_array_unref);
  g_clear_pointer (&in->tcb_info, g_bytes_unref);
  g_clear_pointer (&in->qe_identity, g_bytes_unref);
  g_clear_pointer (&in->pck_crl, g_bytes_unref);
  g_clear_pointer (&in->root_crl, g_bytes_unref);
}

typedef struct {
  char    *at;
  gboolean allow_debug;
  char   **measurements;
  char    *platform;
  char   **sim_keys;
  char    *report_data;
  int      max_vmpl;
  char   **files;
} VerifyOptions;

static gboolean
build_policy (const VerifyOptions *o, JcTeePlatform detected, JcTeePolicy *policy, GError **error)
{
  JcTeePlatform platform = detected;

  if (o->platform && !jc_tee_platform_from_string (o->platform, &platform, error))
    return FALSE;
  jc_tee_policy_init (policy, platform);
  if (o->at && !jc_time_parse (o->at, &policy->at, error))
    return FALSE;
  policy->allow_debug = o->allow_debug;
  if (o->max_vmpl < 0 || o->max_vmpl > 3)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID, _("--max-vmpl must be 0 to 3"));
      return FALSE;
    }
  policy->max_vmpl = (guint) o->max_vmpl;
  for (char **m = o->measurements; m && *m; m++)
    {
      g_autoptr(GBytes) bytes = jc_hex_decode (*m, NULL);
      gsize n = bytes ? g_bytes_get_size (bytes) : 0;

      /* 48 bytes: SNP MEASUREMENT, TDX MRTD, sim; 240 bytes: TDX MRTD ‖ RTMR0–3. */
      if (n != JC_TEE_MEASUREMENT_SIZE && n != 5 * JC_TEE_MEASUREMENT_SIZE)
        {
          g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                       _("--measurement %s is not 96 (or, for TDX, 480) lower-case hex digits"), *m);
          return FALSE;
        }
      if (policy->measurements == NULL)
        policy->measurements = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
      g_ptr_array_add (policy->measurements, g_steal_pointer (&bytes));
    }
  for (char **k = o->sim_keys; k && *k; k++)
    {
      g_autoptr(GBytes) key = jc_base64url_decode (*k, NULL);
      if (key == NULL || g_bytes_get_size (key) != JC_TEE_SIM_PUBLIC_KEY_SIZE)
        {
          g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                       _("--sim-key %s is not a base64url Ed25519 public key"), *k);
          return FALSE;
        }
      jc_tee_policy_add_sim_key (policy, g_bytes_get_data (key, NULL));
    }
  if (o->report_data)
    {
      if (!jc_hex_decode_into (o->report_data, policy->report_data, JC_TEE_REPORT_DATA_SIZE, NULL))
        {
          g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                       _("--report-data is not 128 lower-case hex digits"));
          return FALSE;
        }
      policy->check_report_data = TRUE;
    }
  return TRUE;
}

static const char verify_description[] = N_(
  "Checks TEE attestation evidence offline and prints what it proves: the platform, the\n"
  "launch measurement, the report data, the TCB and the key that signed it. Nothing is\n"
  "fetched from the network.\n"
  "\n"
  "FILE… holds exactly one piece of evidence and any number of certificates, in any\n"
  "order; each file's kind is told from its contents:\n"
  "  • an AMD SEV-SNP attestation report, binary (1184 bytes) or hex text;\n"
  "  • an Intel TDX quote (version 4 or 5; trailing padding is ignored);\n"
  "  • a report of the simulated TEE (“sim”), which is never confidential;\n"
  "  • an evidence container: the JSON document {\"type\": \"tee-evidence\", …} that\n"
  "    JOCONDE's attested channels exchange (docs/attestation.md);\n"
  "  • certificates, PEM (one or several) or DER: for SEV-SNP the VCEK or VLEK, the ASK\n"
  "    or ASVK and the ARK (the AMD roots of Milan, Genoa and Turin are built in and are\n"
  "    the only trust anchors; a VCEK alone suffices, a VLEK needs its ASVK);\n"
  "  • for TDX, optionally the PCS collateral: TCB Info and QE Identity (JSON) with\n"
  "    their issuer chain (Intel SGX TCB Signing and Root CA, PEM), and the PCK and root\n"
  "    CRLs (PEM or DER).\n"
  "\n"
  "The policy is strict unless relaxed: debug guests are refused, VMPL must be 0, and\n"
  "certificates must be valid now (or at --at). With --measurement the launch\n"
  "measurement (SNP MEASUREMENT, TDX MRTD, or MRTD followed by RTMR0–3) must be one of\n"
  "those given; with --report-data the report data must be exactly that.\n"
  "\n"
  "Exit status: 0 when the evidence verifies; 1 when it is refused, with the precise\n"
  "reason on standard error; 2 on a usage error.\n"
  "\n"
  "Examples:\n"
  "  jocondectl attest verify report.bin vcek.der ask_ark_milan.pem\n"
  "  jocondectl attest verify --at 2025-01-01T00:00:00Z --platform tdx quote.dat\n"
  "  jocondectl attest verify --measurement 803f6910… evidence.json");

static void
verify_options_clear (VerifyOptions *o)
{
  g_clear_pointer (&o->at, g_free);
  g_clear_pointer (&o->measurements, g_strfreev);
  g_clear_pointer (&o->platform, g_free);
  g_clear_pointer (&o->sim_keys, g_strfreev);
  g_clear_pointer (&o->report_data, g_free);
  g_clear_pointer (&o->files, g_strfreev);
}

static int
verify_files (const VerifyOptions *o)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  Inputs in = { 0 };
  JcTeePolicy policy;
  JcTeeVerdict verdict;
  gboolean ok;

  if (!read_inputs (o->files, &in, &error) ||
      !build_policy (o, in.evidence->platform, &policy, &error))
    {
      inputs_clear (&in);
      return jc_cli_fail (g_steal_pointer (&error));
    }
  ok = jc_tee_verify (in.evidence, &policy, &verdict, &error);
  jc_tee_policy_clear (&policy);
  inputs_clear (&in);
  if (!ok)
    {
      g_prefix_error (&error, _("REFUSED: "));
      return jc_cli_fail (g_steal_pointer (&error));
    }
  text = jc_tee_verdict_describe (&verdict);
  printf ("%s\n%s", verdict.simulated ? _("VALID (simulated TEE — not confidential)") : _("VALID"), text);
  jc_tee_verdict_clear (&verdict);
  return 0;
}

static int
attest_verify (int argc, char **argv)
{
  VerifyOptions o = { .max_vmpl = 0 };
  const GOptionEntry entries[] = {
    { "at", 0, 0, G_OPTION_ARG_STRING, &o.at,
      N_("Check certificate validity at this time (RFC 3339) instead of now"), N_("TIME") },
    { "allow-debug", 0, 0, G_OPTION_ARG_NONE, &o.allow_debug,
      N_("Accept a guest in debug mode (its memory is readable by the host)"), NULL },
    { "measurement", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.measurements,
      N_("An allowed launch measurement, in hex (repeatable)"), N_("HEX") },
    { "platform", 0, 0, G_OPTION_ARG_STRING, &o.platform,
      N_("Require this platform: sev-snp, tdx or sim"), N_("PLATFORM") },
    { "sim-key", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.sim_keys,
      N_("A trusted simulator public key, base64url (repeatable; sim only)"), N_("KEY") },
    { "report-data", 0, 0, G_OPTION_ARG_STRING, &o.report_data,
      N_("Require this report data (128 hex digits)"), N_("HEX") },
    { "max-vmpl", 0, 0, G_OPTION_ARG_INT, &o.max_vmpl,
      N_("Highest SEV-SNP VMPL accepted (default 0)"), N_("N") },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &o.files, NULL, N_("FILE…") },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new (_("FILE…"));
  int status = 0;

  g_option_context_set_summary (ctx, _("Verify TEE attestation evidence offline."));
  g_option_context_set_description (ctx, _(verify_description));
  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  g_option_context_set_translation_domain (ctx, GETTEXT_PACKAGE);
  if (jc_cli_parse (ctx, &argc, &argv, &status))
    status = (o.files == NULL || o.files[0] == NULL)
             ? jc_cli_usage ("attest verify", _("no FILE given"))
             : verify_files (&o);
  verify_options_clear (&o);
  return status;
}

static int
attest_sim_key (int argc, char **argv)
{
  g_autoptr(GOptionContext) ctx = g_option_context_new (_("KEY-FILE"));
  g_autoptr(GError) error = NULL;
  g_autoptr(JcSecret) key = NULL;
  g_autofree char *text = NULL;
  guint8 pk[JC_TEE_SIM_PUBLIC_KEY_SIZE];
  int status = 0;

  g_option_context_set_summary (ctx, _("Print the public key of this host's simulated TEE."));
  g_option_context_set_description (ctx, _(
    "Loads the simulator key at KEY-FILE, creating it (mode 0600) if it does not exist, and\n"
    "prints its public key in base64url. A task whose CTSC names the “sim” platform may list\n"
    "this key in \"sim_keys\" so that only this host's simulated VMs are accepted.\n"
    "The simulated TEE is not confidential: use it for development, tests and demos only.\n"
    "\n"
    "Exit status: 0 on success, 1 when the key file cannot be read or made, 2 on a usage error."));
  g_option_context_set_translation_domain (ctx, GETTEXT_PACKAGE);
  if (!jc_cli_parse (ctx, &argc, &argv, &status))
    return status;
  if (argc != 2)
    return jc_cli_usage ("attest sim-key", _("give exactly one KEY-FILE"));
  key = jc_tee_sim_key_load_or_create (argv[1], &error);
  if (key == NULL)
    return jc_cli_fail (g_steal_pointer (&error));
  jc_tee_sim_key_get_public (key, pk);
  text = jc_base64url_encode (pk, sizeof pk);
  printf ("%s\n", text);
  return 0;
}

int
jc_cli_attest (int argc, char **argv)
{
  static const JcCliCommand subcommands[] = {
    { "verify",  N_("Verify SEV-SNP, TDX or simulated TEE evidence offline"), attest_verify },
    { "sim-key", N_("Print (and create) this host's simulated-TEE key"),      attest_sim_key },
    { NULL, NULL, NULL }
  };

  return jc_cli_dispatch ("attest", _("Check the evidence that a computation VM runs the agreed "
                                      "code in a real TEE."), subcommands, argc, argv);
}
