#define G_LOG_DOMAIN "joconde-attest"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <sodium.h>
#include <string.h>

#include "jc-encoding.h"
#include "jc-error.h"
#include "jc-tee.h"
#include <errno.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "jc-snp.h"
#include "jc-tdx.h"
#include "jc-tee-sim.h"

#define EVIDENCE_TYPE "tee-evidence"
#define EVIDENCE_VERSION 1

/* The optional collateral members of the container, in their written order. */
static const struct {
  const char *name;
  gsize       offset;
} collateral_members[] = {
  { "tcb_info",          G_STRUCT_OFFSET (JcTeeEvidence, tcb_info) },
  { "tcb_info_chain",    G_STRUCT_OFFSET (JcTeeEvidence, tcb_info_chain) },
  { "qe_identity",       G_STRUCT_OFFSET (JcTeeEvidence, qe_identity) },
  { "qe_identity_chain", G_STRUCT_OFFSET (JcTeeEvidence, qe_identity_chain) },
  { "pck_crl",           G_STRUCT_OFFSET (JcTeeEvidence, pck_crl) },
  { "root_crl",          G_STRUCT_OFFSET (JcTeeEvidence, root_crl) },
};

static GBytes **
evidence_member (const JcTeeEvidence *evidence, guint i)
{
  return G_STRUCT_MEMBER_P (evidence, collateral_members[i].offset);
}

/* ---- The hardware platforms (jc-snp.h, jc-tdx.h) ---- */

static gboolean
platform_unsupported (JcTeePlatform platform, GError **error)
{
  g_set_error (error, JC_ERROR, JC_ERROR_UNSUPPORTED,
               _("This build of JOCONDE cannot handle %s evidence yet"),
               jc_tee_platform_to_string (platform));
  return FALSE;
}

/* The platform verifiers apply the whole policy themselves (signatures, chain, TCB, debug,
 * measurement allow-list, report data); see jc-snp.h and jc-tdx.h. */
static gboolean
platform_verify (const JcTeeEvidence *evidence, const JcTeePolicy *policy,
                 JcTeeVerdict *verdict, GError **error)
{
  switch (evidence->platform)
    {
    case JC_TEE_PLATFORM_SEV_SNP:
      return jc_snp_verify (evidence->report, evidence->certificates, policy, verdict, error);
    case JC_TEE_PLATFORM_TDX:
      {
        JcTdxCollateral collateral = {
          .tcb_info = evidence->tcb_info, .tcb_info_chain = evidence->tcb_info_chain,
          .qe_identity = evidence->qe_identity, .qe_identity_chain = evidence->qe_identity_chain,
          .pck_crl = evidence->pck_crl, .root_crl = evidence->root_crl,
        };
        gboolean any = FALSE;

        for (guint i = 0; i < G_N_ELEMENTS (collateral_members); i++)
          any |= *evidence_member (evidence, i) != NULL;
        return jc_tdx_verify (evidence->report, any ? &collateral : NULL, policy, verdict, error);
      }
    default:
      return platform_unsupported (evidence->platform, error);
    }
}

#define SNP_TSM_DIR "/sys/kernel/config/tsm/report"
#define SNP_GUEST_DEVICE "/dev/sev-guest"
#define TDX_GUEST_DEVICE "/dev/tdx_guest"

/* A TDX quote through configfs-tsm (Linux >= 6.7; the host must run a quote generation
 * service). The request itself is the same as SNP's; see jc_snp_tsm_request(). Not
 * exercised by the test suite: it needs a TDX guest. */
static JcTeeEvidence *
tdx_guest_quote (const guint8 *report_data, GError **error)
{
  g_autofree char *name = g_strdup_printf ("joconde-%d-%08x", (int) getpid (), g_random_int ());
  g_autofree char *entry = g_build_filename (SNP_TSM_DIR, name, NULL);
  g_autoptr(GBytes) quote = NULL, aux = NULL;
  gboolean ok;

  if (g_mkdir (entry, 0700) != 0)
    {
      int e = errno;
      g_set_error (error, JC_ERROR, JC_ERROR_IO, _("Cannot create the TEE report entry %s: %s"),
                   entry, g_strerror (e));
      return NULL;
    }
  ok = jc_snp_tsm_request (entry, report_data, &quote, &aux, error);
  g_rmdir (entry);
  return ok ? jc_tee_evidence_new (JC_TEE_PLATFORM_TDX, quote) : NULL;
}

static gboolean
platform_guest_probe (JcTeePlatform platform, GError **error)
{
  switch (platform)
    {
    case JC_TEE_PLATFORM_SEV_SNP:
      if (g_file_test (SNP_TSM_DIR, G_FILE_TEST_IS_DIR) || g_file_test (SNP_GUEST_DEVICE, G_FILE_TEST_EXISTS))
        return TRUE;
      g_set_error (error, JC_ERROR, JC_ERROR_UNSUPPORTED,
                   _("This machine is not an SEV-SNP guest (neither %s nor %s exists)"),
                   SNP_TSM_DIR, SNP_GUEST_DEVICE);
      return FALSE;
    case JC_TEE_PLATFORM_TDX:
      if (g_file_test (SNP_TSM_DIR, G_FILE_TEST_IS_DIR) && g_file_test (TDX_GUEST_DEVICE, G_FILE_TEST_EXISTS))
        return TRUE;
      g_set_error (error, JC_ERROR, JC_ERROR_UNSUPPORTED,
                   _("This machine is not a TDX guest with configfs-tsm (%s and %s are needed)"),
                   TDX_GUEST_DEVICE, SNP_TSM_DIR);
      return FALSE;
    default:
      return platform_unsupported (platform, error);
    }
}

static JcTeeEvidence *
platform_guest_evidence (JcTeePlatform platform, const guint8 *report_data,
                         GCancellable *cancellable, GError **error)
{
  switch (platform)
    {
    case JC_TEE_PLATFORM_SEV_SNP:
      {
        g_autoptr(GBytes) report = NULL;
        g_autoptr(GPtrArray) certs = NULL;
        JcTeeEvidence *evidence;

        if (!jc_snp_guest_get_report (report_data, &report, &certs, error))
          return NULL;
        evidence = jc_tee_evidence_new (platform, report);
        for (guint i = 0; certs && i < certs->len; i++)
          jc_tee_evidence_add_certificate (evidence, certs->pdata[i]);
        return evidence;
      }
    case JC_TEE_PLATFORM_TDX:
      return tdx_guest_quote (report_data, error);
    default:
      platform_unsupported (platform, error);
      return NULL;
    }
}

/* ---- Evidence container ---- */

JcTeeEvidence *
jc_tee_evidence_new (JcTeePlatform platform, GBytes *report)
{
  JcTeeEvidence *e = g_new0 (JcTeeEvidence, 1);

  e->platform = platform;
  e->report = g_bytes_ref (report);
  e->certificates = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  return e;
}

void
jc_tee_evidence_add_certificate (JcTeeEvidence *evidence, GBytes *der)
{
  g_ptr_array_add (evidence->certificates, g_bytes_ref (der));
}

void
jc_tee_evidence_free (JcTeeEvidence *evidence)
{
  if (evidence == NULL)
    return;
  g_clear_pointer (&evidence->report, g_bytes_unref);
  g_clear_pointer (&evidence->certificates, g_ptr_array_unref);
  for (guint i = 0; i < G_N_ELEMENTS (collateral_members); i++)
    g_clear_pointer (evidence_member (evidence, i), g_bytes_unref);
  g_free (evidence);
}

static char *
bytes_to_b64 (GBytes *bytes)
{
  gsize len;
  const guint8 *p = g_bytes_get_data (bytes, &len);

  return jc_base64url_encode (p, len);
}

JsonNode *
jc_tee_evidence_to_node (const JcTeeEvidence *evidence)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *report = bytes_to_b64 (evidence->report);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, EVIDENCE_TYPE);
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, EVIDENCE_VERSION);
  json_builder_set_member_name (b, "platform");
  json_builder_add_string_value (b, jc_tee_platform_to_string (evidence->platform));
  json_builder_set_member_name (b, "report");
  json_builder_add_string_value (b, report);
  json_builder_set_member_name (b, "certificates");
  json_builder_begin_array (b);
  for (guint i = 0; i < evidence->certificates->len; i++)
    {
      g_autofree char *c = bytes_to_b64 (evidence->certificates->pdata[i]);
      json_builder_add_string_value (b, c);
    }
  json_builder_end_array (b);
  for (guint i = 0; i < G_N_ELEMENTS (collateral_members); i++)
    if (*evidence_member (evidence, i))
      {
        g_autofree char *t = bytes_to_b64 (*evidence_member (evidence, i));
        json_builder_set_member_name (b, collateral_members[i].name);
        json_builder_add_string_value (b, t);
      }
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

char *
jc_tee_evidence_to_json (const JcTeeEvidence *evidence, gsize *length)
{
  g_autoptr(JsonNode) node = jc_tee_evidence_to_node (evidence);

  char *text = json_to_string (node, FALSE);

  if (length)
    *length = strlen (text);
  return text;
}

/* The first member of O whose name is not among KNOWN (N_KNOWN names), or NULL. */
static char *
unknown_member (JsonObject *o, const char *const *known, guint n_known)
{
  g_autoptr(GList) members = json_object_get_members (o);

  for (GList *it = members; it; it = it->next)
    {
      gboolean ok = FALSE;
      for (guint i = 0; i < n_known; i++)
        ok |= g_str_equal (it->data, known[i]);
      if (!ok)
        return g_strdup (it->data);
    }
  return NULL;
}

static gboolean
evidence_refuse (GError **error, const char *why)
{
  g_set_error (error, JC_ERROR, JC_ERROR_INVALID, _("The TEE evidence is malformed: %s"), why);
  return FALSE;
}

static GBytes *
member_b64 (JsonNode *node, GError **error)
{
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    {
      evidence_refuse (error, _("a report or certificate is not a base64url string"));
      return NULL;
    }
  return jc_base64url_decode (json_node_get_string (node), error);
}

JcTeeEvidence *
jc_tee_evidence_from_node (JsonNode *node, GError **error)
{
  JsonObject *o;
  JsonNode *m;
  JsonArray *certs = NULL;
  JcTeePlatform platform;
  g_autoptr(GBytes) report = NULL;
  g_autoptr(JcTeeEvidence) e = NULL;
  const char *known[] = { "type", "version", "platform", "report", "certificates",
                          "tcb_info", "tcb_info_chain", "qe_identity", "qe_identity_chain",
                          "pck_crl", "root_crl" };
  g_autofree char *unknown = NULL;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return evidence_refuse (error, _("not a JSON object")), NULL;
  o = json_node_get_object (node);
  if ((unknown = unknown_member (o, known, G_N_ELEMENTS (known))) != NULL)
    {
      g_autofree char *why = g_strdup_printf (_("unknown member “%s”"), unknown);
      return evidence_refuse (error, why), NULL;
    }
  m = json_object_get_member (o, "type");
  if (m == NULL || !JSON_NODE_HOLDS_VALUE (m) || json_node_get_value_type (m) != G_TYPE_STRING ||
      !g_str_equal (json_node_get_string (m), EVIDENCE_TYPE))
    return evidence_refuse (error, _("its type is not “tee-evidence”")), NULL;
  m = json_object_get_member (o, "version");
  if (m == NULL || !JSON_NODE_HOLDS_VALUE (m) || json_node_get_value_type (m) != G_TYPE_INT64)
    return evidence_refuse (error, _("it has no version number")), NULL;
  if (json_node_get_int (m) != EVIDENCE_VERSION)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_UNSUPPORTED,
                   _("The TEE evidence has version %" PRId64 "; this build knows version %d"),
                   (int64_t) json_node_get_int (m), EVIDENCE_VERSION);
      return NULL;
    }
  m = json_object_get_member (o, "platform");
  if (m == NULL || !JSON_NODE_HOLDS_VALUE (m) || json_node_get_value_type (m) != G_TYPE_STRING)
    return evidence_refuse (error, _("it names no platform")), NULL;
  if (!jc_tee_platform_from_string (json_node_get_string (m), &platform, error))
    return NULL;
  report = member_b64 (json_object_get_member (o, "report"), error);
  if (report == NULL)
    return NULL;
  e = jc_tee_evidence_new (platform, report);
  m = json_object_get_member (o, "certificates");
  if (m != NULL)
    {
      if (!JSON_NODE_HOLDS_ARRAY (m))
        return evidence_refuse (error, _("its certificates are not a list")), NULL;
      certs = json_node_get_array (m);
      if (json_array_get_length (certs) > JC_TEE_EVIDENCE_MAX_CERTS)
        return evidence_refuse (error, _("it carries too many certificates")), NULL;
      for (guint i = 0; i < json_array_get_length (certs); i++)
        {
          g_autoptr(GBytes) der = member_b64 (json_array_get_element (certs, i), error);
          if (der == NULL)
            return NULL;
          jc_tee_evidence_add_certificate (e, der);
        }
    }
  for (guint i = 0; i < G_N_ELEMENTS (collateral_members); i++)
    if (json_object_has_member (o, collateral_members[i].name) &&
        (*evidence_member (e, i) = member_b64 (json_object_get_member (o, collateral_members[i].name),
                                              error)) == NULL)
      return NULL;
  return g_steal_pointer (&e);
}

JcTeeEvidence *
jc_tee_evidence_from_json (const char *text, gsize length, GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) local = NULL;

  if (length > JC_TEE_EVIDENCE_MAX_SIZE)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_TOO_LARGE,
                   _("The TEE evidence is larger than the limit of %u bytes"),
                   (guint) JC_TEE_EVIDENCE_MAX_SIZE);
      return NULL;
    }
  if (!json_parser_load_from_data (parser, text, length, &local))
    {
      evidence_refuse (error, local->message);
      return NULL;
    }
  return jc_tee_evidence_from_node (json_parser_get_root (parser), error);
}

/* ---- Verification ---- */

gboolean
jc_tee_policy_check_verdict (const JcTeePolicy *policy, const JcTeeVerdict *verdict,
                             GError **error)
{
  if (verdict->debug && !policy->allow_debug)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_UNTRUSTED,
                   _("The TEE runs in debug mode, so its memory is readable by the host; the "
                     "policy forbids debug"));
      return FALSE;
    }
  if (!jc_tee_allow_list_holds (policy->measurements, verdict->measurement,
                                JC_TEE_MEASUREMENT_SIZE))
    {
      g_autofree char *hex = jc_hex_encode (verdict->measurement, JC_TEE_MEASUREMENT_SIZE);
      g_set_error (error, JC_ERROR, JC_ERROR_UNTRUSTED,
                   _("The launch measurement %s is not among the task’s TEE measurements"), hex);
      return FALSE;
    }
  if (policy->check_report_data &&
      sodium_memcmp (policy->report_data, verdict->report_data, JC_TEE_REPORT_DATA_SIZE) != 0)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_UNTRUSTED,
                   _("The evidence’s report data does not match this channel, key and "
                     "agreement: it was made for another connection or another task"));
      return FALSE;
    }
  return TRUE;
}

gboolean
jc_tee_verify (const JcTeeEvidence *evidence, const JcTeePolicy *policy,
               JcTeeVerdict *verdict, GError **error)
{
  memset (verdict, 0, sizeof *verdict);
  if (evidence->platform != policy->platform)
    {
      if (evidence->platform == JC_TEE_PLATFORM_SIM)
        g_set_error (error, JC_ERROR, JC_ERROR_UNTRUSTED,
                     _("The evidence comes from a %s, but the task requires the %s platform"),
                     jc_tee_sim_label (), jc_tee_platform_to_string (policy->platform));
      else
        g_set_error (error, JC_ERROR, JC_ERROR_UNTRUSTED,
                     _("The evidence comes from the %s platform, but the task requires %s"),
                     jc_tee_platform_to_string (evidence->platform),
                     jc_tee_platform_to_string (policy->platform));
      return FALSE;
    }
  switch (evidence->platform)
    {
    case JC_TEE_PLATFORM_SIM:
      return jc_tee_sim_verify (evidence->report, policy, verdict, error);
    case JC_TEE_PLATFORM_SEV_SNP:
    case JC_TEE_PLATFORM_TDX:
      if (!platform_verify (evidence, policy, verdict, error))
        return FALSE;
      break;
    case JC_TEE_PLATFORM_NONE:
    default:
      g_set_error (error, JC_ERROR, JC_ERROR_UNSUPPORTED, _("The evidence names no TEE platform"));
      return FALSE;
    }
  /* A hardware verdict is never marked simulated, whatever a verifier does. */
  if (verdict->platform != evidence->platform || verdict->simulated)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_UNTRUSTED,
                   _("The %s verifier returned a verdict for another platform"),
                   jc_tee_platform_to_string (evidence->platform));
      jc_tee_verdict_clear (verdict);
      return FALSE;
    }
  return TRUE;
}

/* ---- Policy ---- */

void
jc_tee_policy_copy (JcTeePolicy *dest, const JcTeePolicy *src)
{
  *dest = *src;
  if (src->measurements)
    dest->measurements = g_ptr_array_ref (src->measurements);
  if (src->sim_keys)
    dest->sim_keys = g_ptr_array_ref (src->sim_keys);
}

static void
add_bytes (GPtrArray **array, const guint8 *data, gsize len)
{
  if (*array == NULL)
    *array = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_ptr_array_add (*array, g_bytes_new (data, len));
}

void
jc_tee_policy_add_measurement (JcTeePolicy *policy, const guint8 measurement[JC_TEE_MEASUREMENT_SIZE])
{
  add_bytes (&policy->measurements, measurement, JC_TEE_MEASUREMENT_SIZE);
}

void
jc_tee_policy_add_sim_key (JcTeePolicy *policy, const guint8 public_key[32])
{
  add_bytes (&policy->sim_keys, public_key, 32);
}

static gboolean
policy_refuse (GError **error, const char *why)
{
  g_set_error (error, JC_ERROR, JC_ERROR_INVALID, _("The task’s TEE policy is malformed: %s"), why);
  return FALSE;
}

static gboolean
policy_uint (JsonObject *o, const char *name, guint max, guint *out, GError **error)
{
  JsonNode *m = json_object_get_member (o, name);
  gint64 v;

  if (m == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (m) || json_node_get_value_type (m) != G_TYPE_INT64 ||
      (v = json_node_get_int (m)) < 0 || v > max)
    {
      g_autofree char *why = g_strdup_printf (_("“%s” is not a whole number from 0 to %u"), name, max);
      return policy_refuse (error, why);
    }
  *out = (guint) v;
  return TRUE;
}

static gboolean
policy_strings (JsonObject *o, const char *name, JsonArray **out, GError **error)
{
  JsonNode *m = json_object_get_member (o, name);

  *out = NULL;
  if (m == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (m))
    {
      g_autofree char *why = g_strdup_printf (_("“%s” is not a list"), name);
      return policy_refuse (error, why);
    }
  *out = json_node_get_array (m);
  for (guint i = 0; i < json_array_get_length (*out); i++)
    {
      JsonNode *e = json_array_get_element (*out, i);
      if (!JSON_NODE_HOLDS_VALUE (e) || json_node_get_value_type (e) != G_TYPE_STRING)
        {
          g_autofree char *why = g_strdup_printf (_("“%s” holds something other than text"), name);
          return policy_refuse (error, why);
        }
    }
  return TRUE;
}

static gboolean
policy_min_tcb (JsonObject *tee, JcTeePolicy *policy, GError **error)
{
  JsonNode *m = json_object_get_member (tee, "min_tcb");
  JsonObject *o;
  guint v[5] = { 0 };
  const char *names[] = { "bootloader", "tee", "snp", "microcode", "fmc" };

  if (m == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (m))
    return policy_refuse (error, _("“min_tcb” is not an object"));
  o = json_node_get_object (m);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (!policy_uint (o, names[i], 255, &v[i], error))
      return FALSE;
  policy->check_min_tcb = TRUE;
  policy->min_tcb = (JcSnpTcb) { v[0], v[1], v[2], v[3], v[4] };
  return TRUE;
}

gboolean
jc_tee_policy_from_json (JsonObject *tee, JcTeePolicy *policy, GError **error)
{
  JsonNode *m = json_object_get_member (tee, "platform");
  JcTeePlatform platform;
  JsonArray *list;
  const char *known[] = { "platform", "measurements", "min_tcb", "max_vmpl", "sim_keys" };
  g_autofree char *unknown = NULL;

  jc_tee_policy_init (policy, JC_TEE_PLATFORM_NONE);
  if ((unknown = unknown_member (tee, known, G_N_ELEMENTS (known))) != NULL)
    {
      g_autofree char *why = g_strdup_printf (_("unknown member “%s”"), unknown);
      return policy_refuse (error, why);
    }
  if (m == NULL || !JSON_NODE_HOLDS_VALUE (m) || json_node_get_value_type (m) != G_TYPE_STRING)
    return policy_refuse (error, _("it names no platform"));
  if (!jc_tee_platform_from_string (json_node_get_string (m), &platform, error))
    return FALSE;
  policy->platform = platform;

  if (!policy_strings (tee, "measurements", &list, error))
    return FALSE;
  for (guint i = 0; list && i < json_array_get_length (list); i++)
    {
      g_autoptr(GBytes) mm = jc_hex_decode (json_array_get_string_element (list, i), NULL);
      gsize n = mm ? g_bytes_get_size (mm) : 0;

      /* TDX may also pin the runtime registers: MRTD ‖ RTMR0 ‖ … ‖ RTMR3 (jc-tdx.h). */
      if (n != JC_TEE_MEASUREMENT_SIZE &&
          !(platform == JC_TEE_PLATFORM_TDX && n == 5 * JC_TEE_MEASUREMENT_SIZE))
        {
          g_autofree char *why = g_strdup_printf (_("measurement %u is not 96 lower-case hex "
                                                    "digits (or 480 for TDX with its RTMRs)"), i + 1);
          return policy_refuse (error, why);
        }
      add_bytes (&policy->measurements, g_bytes_get_data (mm, NULL), n);
    }
  if (platform != JC_TEE_PLATFORM_SIM && (policy->measurements == NULL || policy->measurements->len == 0))
    return policy_refuse (error, _("a real TEE platform needs at least one measurement"));

  if (!policy_strings (tee, "sim_keys", &list, error))
    return FALSE;
  if (list && platform != JC_TEE_PLATFORM_SIM)
    return policy_refuse (error, _("“sim_keys” is only for the sim platform"));
  for (guint i = 0; list && i < json_array_get_length (list); i++)
    {
      g_autoptr(GBytes) k = jc_base64url_decode (json_array_get_string_element (list, i), NULL);
      if (k == NULL || g_bytes_get_size (k) != 32)
        {
          g_autofree char *why = g_strdup_printf (_("simulator key %u is not a base64url "
                                                    "Ed25519 public key"), i + 1);
          return policy_refuse (error, why);
        }
      jc_tee_policy_add_sim_key (policy, g_bytes_get_data (k, NULL));
    }
  if (!policy_uint (tee, "max_vmpl", 3, &policy->max_vmpl, error))
    return FALSE;
  return policy_min_tcb (tee, policy, error);
}

char *
jc_tee_verdict_describe (const JcTeeVerdict *v)
{
  GString *s = g_string_new (NULL);
  g_autofree char *m = jc_hex_encode (v->measurement, JC_TEE_MEASUREMENT_SIZE);
  g_autofree char *rd = jc_hex_encode (v->report_data, JC_TEE_REPORT_DATA_SIZE);

  g_string_append_printf (s, _("platform:     %s"), jc_tee_platform_to_string (v->platform));
  if (v->simulated)
    g_string_append_printf (s, " (%s)", jc_tee_sim_label ());
  g_string_append_c (s, '\n');
  g_string_append_printf (s, _("measurement:  %s\n"), m);
  g_string_append_printf (s, _("report data:  %s\n"), rd);
  g_string_append_printf (s, _("TCB:          %s\n"), v->tcb ? v->tcb : "-");
  g_string_append_printf (s, _("signer:       %s\n"), v->signer ? v->signer : "-");
  g_string_append_printf (s, _("debug:        %s\n"), v->debug ? _("yes") : _("no"));
  return g_string_free (s, FALSE);
}

/* ---- Guest side ---- */

struct _JcTeeProvider {
  GObject        parent_instance;
  JcTeePlatform  platform;
  /* sim */
  JcSecret      *sim_key;
  guint8         measurement[JC_TEE_MEASUREMENT_SIZE];
};

G_DEFINE_FINAL_TYPE (JcTeeProvider, jc_tee_provider, G_TYPE_OBJECT)

static void
jc_tee_provider_finalize (GObject *object)
{
  JcTeeProvider *self = JC_TEE_PROVIDER (object);

  g_clear_pointer (&self->sim_key, jc_secret_free);
  G_OBJECT_CLASS (jc_tee_provider_parent_class)->finalize (object);
}

static void
jc_tee_provider_class_init (JcTeeProviderClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = jc_tee_provider_finalize;
}

static void
jc_tee_provider_init (JcTeeProvider *self)
{
}

JcTeeProvider *
jc_tee_provider_new_sim (const JcSecret *sim_key, const guint8 measurement[JC_TEE_MEASUREMENT_SIZE])
{
  JcTeeProvider *self = g_object_new (JC_TYPE_TEE_PROVIDER, NULL);

  self->platform = JC_TEE_PLATFORM_SIM;
  self->sim_key = jc_secret_copy (sim_key->data, sim_key->len);
  memcpy (self->measurement, measurement, JC_TEE_MEASUREMENT_SIZE);
  return self;
}

JcTeeProvider *
jc_tee_provider_new_sim_from_files (const char *key_path, const char *measured_path,
                                    GError **error)
{
  g_autoptr(JcSecret) key = NULL;
  guint8 measurement[JC_TEE_MEASUREMENT_SIZE];

  key = jc_tee_sim_key_load_or_create (key_path, error);
  if (key == NULL || !jc_tee_sim_measure_file (measured_path, measurement, error))
    return NULL;
  return jc_tee_provider_new_sim (key, measurement);
}

JcTeeProvider *
jc_tee_provider_new (JcTeePlatform platform, GError **error)
{
  JcTeeProvider *self;

  if (platform != JC_TEE_PLATFORM_SEV_SNP && platform != JC_TEE_PLATFORM_TDX)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_UNSUPPORTED,
                   _("%s is not a hardware TEE platform; the simulator needs a key and a "
                     "measurement"), jc_tee_platform_to_string (platform));
      return NULL;
    }
  if (!platform_guest_probe (platform, error))
    return NULL;
  self = g_object_new (JC_TYPE_TEE_PROVIDER, NULL);
  self->platform = platform;
  return self;
}

JcTeePlatform
jc_tee_provider_get_platform (JcTeeProvider *self)
{
  g_return_val_if_fail (JC_IS_TEE_PROVIDER (self), JC_TEE_PLATFORM_NONE);
  return self->platform;
}

JcTeeEvidence *
jc_tee_provider_get_evidence (JcTeeProvider *self, const guint8 report_data[JC_TEE_REPORT_DATA_SIZE],
                              GCancellable *cancellable, GError **error)
{
  g_return_val_if_fail (JC_IS_TEE_PROVIDER (self), NULL);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  if (self->platform == JC_TEE_PLATFORM_SIM)
    {
      g_autoptr(GBytes) report = jc_tee_sim_report_new (self->sim_key, self->measurement,
                                                        report_data, FALSE);
      return jc_tee_evidence_new (JC_TEE_PLATFORM_SIM, report);
    }
  return platform_guest_evidence (self->platform, report_data, cancellable, error);
}
