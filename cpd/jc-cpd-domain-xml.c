#define G_LOG_DOMAIN "joconde-cpd"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdarg.h>

#include "jc-cpd-domain-xml.h"
#include "jc-encoding.h"
#include "jc-error.h"

/* The fw_cfg file the image's init passes to joconde-guest --cta (guest/image/init). */
#define CTA_FW_CFG_NAME "opt/org.joconde/cta"
#define ROOT_FW_CFG_NAME "opt/org.joconde/root"
#define APPROVER_FW_CFG_NAME "opt/org.joconde/approver"
#define PARTY_FW_CFG_NAME "opt/org.joconde/party"
#define SIM_KEY_FW_CFG_NAME "opt/org.joconde/sim-key"

static void G_GNUC_PRINTF (3, 4)
line (GString *out, guint indent, const char *format, ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_markup_vprintf_escaped (format, args);
  va_end (args);
  for (guint i = 0; i < indent; i++)
    g_string_append (out, "  ");
  g_string_append (out, text);
  g_string_append_c (out, '\n');
}

static void
qemu_arg (GString *out, const char *value)
{
  line (out, 2, "<qemu:arg value='%s'/>", value);
}

static char *
version_string (gulong v)
{
  return g_strdup_printf ("%lu.%lu.%lu", v / 1000000, (v / 1000) % 1000, v % 1000);
}

/* The user-mode NIC, through qemu:commandline on every libvirt: slirp's hostfwd is the one
 * port-forwarding form libvirt 9.0 can express without passt, and it matches the image's
 * static 10.0.2.15 address. libvirt does not know this device, so it sits at a fixed slot
 * of the root bus far above those libvirt hands out (from slot 1 up; the domain has no
 * other PCI device but the ones libvirt adds). Confidential guests need the virtio device
 * to use the platform's DMA API (bounce buffers in shared memory). */
static void
append_nic_args (GString *out, const JcCpdVmSpec *spec)
{
  g_autofree char *netdev = g_strdup_printf ("user,id=jcnet0,restrict=off,hostfwd=tcp:%s:%u-:%u",
                                             spec->host_address, spec->host_port, spec->guest_port);
  const char *device = spec->tee == JC_CPD_TEE_NONE
    ? "virtio-net-pci,netdev=jcnet0,bus=pcie.0,addr=0x10,romfile="
    : "virtio-net-pci,netdev=jcnet0,bus=pcie.0,addr=0x10,romfile=,iommu_platform=on,disable-legacy=on";

  qemu_arg (out, "-netdev");
  qemu_arg (out, netdev);
  qemu_arg (out, "-device");
  qemu_arg (out, device);
}

static gboolean
check_version (const JcCpdVmSpec *spec, gulong libvirt_version, GError **error)
{
  if (spec->tee == JC_CPD_TEE_TDX && libvirt_version < JC_CPD_LIBVIRT_TDX_NATIVE)
    {
      g_autofree char *have = version_string (libvirt_version);
      g_set_error (error, JC_ERROR, JC_ERROR_UNSUPPORTED,
                   _("The VM %s needs Intel TDX, which needs libvirt 11.6 or later on the host; it has libvirt %s"),
                   spec->name, have);
      return FALSE;
    }
  return TRUE;
}

char *
jc_cpd_domain_xml_build (const JcCpdVmSpec *spec, gulong libvirt_version, GError **error)
{
  g_autoptr(GString) out = g_string_new (NULL);
  g_autofree char *cta_hex = NULL;
  g_autofree char *host_data = NULL;
  gboolean snp_native = spec->tee == JC_CPD_TEE_SEV_SNP && libvirt_version >= JC_CPD_LIBVIRT_SEV_SNP_NATIVE;
  gboolean snp_qemu = spec->tee == JC_CPD_TEE_SEV_SNP && !snp_native;

  g_return_val_if_fail (spec != NULL, NULL);
  if (!check_version (spec, libvirt_version, error))
    return NULL;

  cta_hex = jc_hex_encode (spec->cta_sha256, sizeof spec->cta_sha256);

  line (out, 0, "<domain type='%s' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>",
        spec->kvm ? "kvm" : "qemu");
  line (out, 1, "<name>%s</name>", spec->name);
  line (out, 1, "<title>JOCONDE computation task VM</title>");
  line (out, 1, "<metadata>");
  line (out, 2, "<jc:vm xmlns:jc='" JC_CPD_METADATA_NS "' tee='%s' host-address='%s' host-port='%u' guest-port='%u' cta-sha256='%s'/>",
        jc_cpd_tee_to_string (spec->tee), spec->host_address, spec->host_port,
        spec->guest_port, cta_hex);
  line (out, 1, "</metadata>");
  line (out, 1, "<memory unit='MiB'>%u</memory>", spec->memory_mib);
  line (out, 1, "<vcpu>%u</vcpu>", spec->vcpus);
  if (spec->tee == JC_CPD_TEE_SEV_SNP)
    {
      /* SEV-SNP guests run from memfd-backed memory that QEMU can share page by page. */
      line (out, 1, "<memoryBacking>");
      line (out, 2, "<source type='memfd'/>");
      line (out, 2, "<access mode='shared'/>");
      line (out, 1, "</memoryBacking>");
    }
  line (out, 1, "<os>");
  line (out, 2, "<type arch='x86_64' machine='q35'>hvm</type>");
  if (spec->firmware != NULL)
    line (out, 2, "<loader type='rom' readonly='yes'>%s</loader>", spec->firmware);
  line (out, 2, "<kernel>%s</kernel>", spec->kernel);
  line (out, 2, "<initrd>%s</initrd>", spec->initrd);
  line (out, 2, "<cmdline>%s</cmdline>", spec->cmdline ? spec->cmdline : "");
  line (out, 1, "</os>");
  if (spec->cta_path != NULL)
    {
      line (out, 1, "<sysinfo type='fwcfg'>");
      line (out, 2, "<entry name='" CTA_FW_CFG_NAME "' file='%s'/>", spec->cta_path);
      /* What the orchestrator needs to run the task beside the CTA (docs/guest.md): the
       * image's init hands these to joconde-guest as --root, --approver, --party. */
      if (spec->root_path != NULL)
        line (out, 2, "<entry name='" ROOT_FW_CFG_NAME "' file='%s'/>", spec->root_path);
      if (spec->approver_path != NULL)
        line (out, 2, "<entry name='" APPROVER_FW_CFG_NAME "' file='%s'/>", spec->approver_path);
      if (spec->party >= 0)
        /* The image's init passes it as --party, which counts from 1 (docs/guest.md). */
        line (out, 2, "<entry name='" PARTY_FW_CFG_NAME "'>%d</entry>", spec->party + 1);
      if (spec->sim_key_path != NULL)
        line (out, 2, "<entry name='" SIM_KEY_FW_CFG_NAME "' file='%s'/>", spec->sim_key_path);
      line (out, 1, "</sysinfo>");
    }
  line (out, 1, "<features>");
  line (out, 2, "<acpi/>");
  if (spec->tee == JC_CPD_TEE_TDX)
    line (out, 2, "<ioapic driver='qemu'/>");
  line (out, 1, "</features>");
  if (spec->kvm)
    line (out, 1, "<cpu mode='host-passthrough'/>");
  /* A task VM never restarts: whatever ends it ends the task. */
  line (out, 1, "<on_poweroff>destroy</on_poweroff>");
  line (out, 1, "<on_reboot>destroy</on_reboot>");
  line (out, 1, "<on_crash>destroy</on_crash>");
  line (out, 1, "<devices>");
  line (out, 2, "<serial type='pty'/>");
  /* No USB, no balloon: nothing a task needs, nothing a TEE should expose. */
  line (out, 2, "<controller type='usb' model='none'/>");
  line (out, 2, "<memballoon model='none'/>");
  line (out, 1, "</devices>");

  if (snp_native)
    {
      host_data = g_base64_encode (spec->cta_sha256, sizeof spec->cta_sha256);
      line (out, 1, "<launchSecurity type='sev-snp' kernelHashes='yes'>");
      line (out, 2, "<cbitpos>%u</cbitpos>", spec->snp_cbitpos);
      line (out, 2, "<reducedPhysBits>%u</reducedPhysBits>", spec->snp_reduced_phys_bits);
      line (out, 2, "<policy>0x%" G_GINT64_MODIFIER "x</policy>", spec->snp_policy);
      line (out, 2, "<hostData>%s</hostData>", host_data);
      line (out, 1, "</launchSecurity>");
    }
  else if (spec->tee == JC_CPD_TEE_TDX)
    {
      guint8 config_id[48] = { 0 };
      g_autofree char *mr_config_id = NULL;

      memcpy (config_id, spec->cta_sha256, sizeof spec->cta_sha256);
      mr_config_id = g_base64_encode (config_id, sizeof config_id);
      line (out, 1, "<launchSecurity type='tdx'>");
      line (out, 2, "<policy>0x%" G_GINT64_MODIFIER "x</policy>", spec->tdx_policy);
      line (out, 2, "<mrConfigId>%s</mrConfigId>", mr_config_id);
      if (spec->tdx_qgs_socket != NULL)
        line (out, 2, "<quoteGenerationService path='%s'/>", spec->tdx_qgs_socket);
      else
        line (out, 2, "<quoteGenerationService/>");
      line (out, 1, "</launchSecurity>");
    }

  line (out, 1, "<qemu:commandline>");
  if (snp_qemu)
    {
      /* What libvirt >= 10.5 generates from <launchSecurity type='sev-snp'>, for older
       * libvirt (Debian 12 has 9.0) on hosts whose QEMU (>= 9.1) knows sev-snp-guest. */
      g_autofree char *object = NULL;

      host_data = g_base64_encode (spec->cta_sha256, sizeof spec->cta_sha256);
      object = g_strdup_printf ("sev-snp-guest,id=jcsev0,cbitpos=%u,reduced-phys-bits=%u,"
                                "policy=0x%" G_GINT64_MODIFIER "x,kernel-hashes=on,host-data=%s",
                                spec->snp_cbitpos, spec->snp_reduced_phys_bits,
                                spec->snp_policy, host_data);
      qemu_arg (out, "-object");
      qemu_arg (out, object);
      qemu_arg (out, "-machine");
      qemu_arg (out, "confidential-guest-support=jcsev0");
    }
  append_nic_args (out, spec);
  line (out, 1, "</qemu:commandline>");
  line (out, 0, "</domain>");
  return g_string_free (g_steal_pointer (&out), FALSE);
}
