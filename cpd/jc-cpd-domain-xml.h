#pragma once

#include <glib.h>

#include "jc-cpd-vm-spec.h"

G_BEGIN_DECLS

/* libvirt versions as virConnectGetLibVersion() reports them: major * 1000000 +
 * minor * 1000 + micro. */
#define JC_CPD_LIBVIRT_VERSION(major, minor, micro) ((major) * 1000000UL + (minor) * 1000UL + (micro))
/* <launchSecurity type='sev-snp'> exists from libvirt 10.5.0, type='tdx' from 11.6.0. */
#define JC_CPD_LIBVIRT_SEV_SNP_NATIVE JC_CPD_LIBVIRT_VERSION (10, 5, 0)
#define JC_CPD_LIBVIRT_TDX_NATIVE     JC_CPD_LIBVIRT_VERSION (11, 6, 0)

/* The XML namespace of the cpd's <metadata> element in a task VM's domain. */
#define JC_CPD_METADATA_NS "urn:joconde:cpd:1"
/* The host as a task VM sees it behind the user-mode NIC (QEMU's slirp default network,
 * matching the image's static 10.0.2.15): connections to it reach the host's loopback. */
#define JC_CPD_SLIRP_HOST_ADDRESS "10.0.2.2"

/* The libvirt domain XML of a task VM: direct kernel boot of the image's kernel, initrd and
 * command line; the CTA handed over through QEMU's firmware configuration
 * (opt/org.joconde/cta); a user-mode NIC whose host_address:host_port is forwarded to the
 * orchestrator's guest_port; and the TEE launch security:
 *   - none: no launchSecurity (TCG or KVM), for tests and development;
 *   - SEV-SNP: native <launchSecurity type='sev-snp' kernelHashes='yes'> with hostData =
 *     SHA-256 of the CTA on libvirt >= 10.5, otherwise the same QEMU objects through
 *     <qemu:commandline> (QEMU >= 9.1 is still needed on such hosts);
 *   - TDX: native <launchSecurity type='tdx'> with mrConfigId = SHA-256 of the CTA padded to
 *     48 bytes with zeros, on libvirt >= 11.6; refused with JC_ERROR_UNSUPPORTED before.
 * libvirt_version selects the form. The spec must have been validated. */
char *jc_cpd_domain_xml_build (const JcCpdVmSpec *spec, gulong libvirt_version, GError **error);

G_END_DECLS
