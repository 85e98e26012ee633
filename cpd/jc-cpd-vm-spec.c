#define G_LOG_DOMAIN "joconde-cpd"
#include "config.h"

#include <glib/gi18n-lib.h>

#include "jc-cpd-vm-spec.h"
#include "jc-error.h"

G_DEFINE_BOXED_TYPE (JcCpdVmSpec, jc_cpd_vm_spec, jc_cpd_vm_spec_copy, jc_cpd_vm_spec_free)

const char *
jc_cpd_tee_to_string (JcCpdTee tee)
{
  switch (tee)
    {
    case JC_CPD_TEE_NONE:    return "none";
    case JC_CPD_TEE_SEV_SNP: return "sev-snp";
    case JC_CPD_TEE_TDX:     return "tdx";
    default:                 return "unknown";
    }
}

JcCpdVmSpec *
jc_cpd_vm_spec_new (const char *name)
{
  JcCpdVmSpec *spec = g_new0 (JcCpdVmSpec, 1);

  spec->name = g_strdup (name);
  spec->memory_mib = 512;
  spec->vcpus = 1;
  spec->tee = JC_CPD_TEE_NONE;
  spec->host_address = g_strdup ("127.0.0.1");
  spec->guest_port = 8443;
  /* Bit 17 must be set, bit 16 allows SMT, bit 19 (debug) stays clear. */
  spec->snp_policy = 0x30000;
  spec->snp_cbitpos = 51;
  spec->snp_reduced_phys_bits = 1;
  /* Bit 28 (SEPT_VE_DISABLE) is what Linux guests expect; bit 0 (debug) stays clear. */
  spec->tdx_policy = 0x10000000;
  spec->party = -1;
  return spec;
}

JcCpdVmSpec *
jc_cpd_vm_spec_copy (const JcCpdVmSpec *spec)
{
  JcCpdVmSpec *c = g_memdup2 (spec, sizeof *spec);

  c->name = g_strdup (spec->name);
  c->kernel = g_strdup (spec->kernel);
  c->initrd = g_strdup (spec->initrd);
  c->cmdline = g_strdup (spec->cmdline);
  c->firmware = g_strdup (spec->firmware);
  c->cta_path = g_strdup (spec->cta_path);
  c->host_address = g_strdup (spec->host_address);
  c->tdx_qgs_socket = g_strdup (spec->tdx_qgs_socket);
  c->root_path = g_strdup (spec->root_path);
  c->approver_path = g_strdup (spec->approver_path);
  c->sim_key_path = g_strdup (spec->sim_key_path);
  c->engine_dir = g_strdup (spec->engine_dir);
  return c;
}

void
jc_cpd_vm_spec_free (JcCpdVmSpec *spec)
{
  if (spec == NULL)
    return;
  g_free (spec->name);
  g_free (spec->kernel);
  g_free (spec->initrd);
  g_free (spec->cmdline);
  g_free (spec->firmware);
  g_free (spec->cta_path);
  g_free (spec->host_address);
  g_free (spec->tdx_qgs_socket);
  g_free (spec->root_path);
  g_free (spec->approver_path);
  g_free (spec->sim_key_path);
  g_free (spec->engine_dir);
  g_free (spec);
}

static gboolean
name_is_safe (const char *name)
{
  if (name == NULL || name[0] == '\0' || name[0] == '.' || strlen (name) > 64)
    return FALSE;
  for (const char *p = name; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_' && *p != '.')
      return FALSE;
  return TRUE;
}

static gboolean
check_path (const char *what, const char *path, gboolean required, GError **error)
{
  if (path == NULL && !required)
    return TRUE;
  if (path == NULL || !g_path_is_absolute (path))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("The VM's %s must be given as an absolute path"), what);
      return FALSE;
    }
  return TRUE;
}

gboolean
jc_cpd_vm_name_is_valid (const char *name)
{
  return name_is_safe (name);
}

gboolean
jc_cpd_vm_spec_validate (const JcCpdVmSpec *spec, GError **error)
{
  if (!name_is_safe (spec->name))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("The VM name “%s” is refused: use up to 64 letters, digits, “-”, “_” or “.”"),
                   spec->name ? spec->name : "");
      return FALSE;
    }
  if (!check_path (_("kernel"), spec->kernel, TRUE, error) ||
      !check_path (_("initrd"), spec->initrd, TRUE, error) ||
      !check_path (_("firmware"), spec->firmware, FALSE, error) ||
      !check_path (_("task agreement"), spec->cta_path, FALSE, error))
    return FALSE;
  if (spec->memory_mib < 64 || spec->vcpus < 1 || spec->vcpus > 512)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("The VM %s needs at least 64 MiB of memory and 1 to 512 vCPUs"), spec->name);
      return FALSE;
    }
  if (spec->host_port == 0 || spec->guest_port == 0 || spec->host_address == NULL)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("The VM %s has no published address and port for its IO endpoint"), spec->name);
      return FALSE;
    }
  if (spec->tee != JC_CPD_TEE_NONE && (!spec->kvm || spec->firmware == NULL))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("The VM %s asks for %s, which needs KVM and a TEE-capable firmware (OVMF)"),
                   spec->name, jc_cpd_tee_to_string (spec->tee));
      return FALSE;
    }
  if (spec->tee == JC_CPD_TEE_SEV_SNP && (spec->snp_policy & (G_GUINT64_CONSTANT (1) << 19)))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_DENIED,
                   _("The VM %s asks for an SEV-SNP policy that allows debugging, which would expose the task's data"),
                   spec->name);
      return FALSE;
    }
  if (spec->tee == JC_CPD_TEE_TDX && (spec->tdx_policy & 1))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_DENIED,
                   _("The VM %s asks for a TDX policy that allows debugging, which would expose the task's data"),
                   spec->name);
      return FALSE;
    }
  return TRUE;
}
