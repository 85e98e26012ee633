#pragma once

#include <gio/gio.h>

#include "jc-cpd-vm-spec.h"
#include "../../tests/common/jc-test-daemon.h"

/* The spec the tests share: a task VM of the rss3 image with SHA-256("abc") as CTA hash
 * (FIPS 180-2 appendix B.1), so the expected documents can be checked by hand. */
static inline JcCpdVmSpec *
cpd_test_spec (const char *name)
{
  static const guint8 abc_sha256[32] = {
    0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
    0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad,
  };
  JcCpdVmSpec *spec = jc_cpd_vm_spec_new (name);

  spec->kernel = g_strdup ("/var/lib/joconde/images/rss3/vmlinuz");
  spec->initrd = g_strdup ("/var/lib/joconde/images/rss3/initrd.img");
  spec->cmdline = g_strdup ("console=ttyS0 panic=-1 quiet");
  spec->cta_path = g_strdup ("/var/lib/joconde/tasks/0001/cta.json");
  memcpy (spec->cta_sha256, abc_sha256, sizeof abc_sha256);
  spec->host_address = (g_free (spec->host_address), g_strdup ("0.0.0.0"));
  spec->host_port = 20001;
  return spec;
}

