/* libFuzzer target: the X.509 readers of the pki area (CSRs, certificates, CRLs) as a
 * relay meets them from children. The first byte picks the reader. */
#include "config.h"

#include <stdint.h>

#include "jc-cert.h"
#include "jc-chain.h"
#include "jc-crl.h"
#include "jc-csr.h"
#include "jc-init.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
poke_cert (JcCert *c)
{
  g_autoptr(GPtrArray) chain = g_ptr_array_new ();

  g_free (jc_cert_describe (c));
  jc_node_identity_free (jc_cert_get_identity (c));

  /* Verifying a certificate against itself walks every check of the chain code. */
  g_ptr_array_add (chain, c);
  jc_chain_verify (chain, c, jc_cert_get_not_before (c), NULL, JC_ROLES_ALL, NULL);
  jc_cert_is_self_signed (c);
  jc_cert_is_active_at (c, 0);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static gboolean ready = FALSE;
  g_autoptr(GBytes) body = NULL;

  if (!ready)
    ready = jc_init (NULL);
  if (size < 1)
    return 0;
  body = g_bytes_new (data + 1, size - 1);
  switch (data[0] % 5)
    {
    case 0:
      {
        g_autoptr(JcCsr) csr = jc_csr_new_from_der (body, NULL);
        if (csr != NULL)
          g_free (jc_csr_to_pem (csr));
        break;
      }
    case 1:
      {
        g_autoptr(JcCsr) csr = jc_csr_new_from_pem ((const char *) data + 1, (gssize) size - 1, NULL);
        (void) csr;
        break;
      }
    case 2:
      {
        g_autoptr(JcCert) c = jc_cert_new_from_der (body, NULL);
        if (c != NULL)
          poke_cert (c);
        break;
      }
    case 3:
      {
        g_autoptr(GPtrArray) list = jc_cert_list_new_from_pem ((const char *) data + 1,
                                                               (gssize) size - 1, NULL);
        for (guint i = 0; list != NULL && i < list->len; i++)
          poke_cert (g_ptr_array_index (list, i));
        break;
      }
    default:
      {
        g_autoptr(JcCrl) crl = jc_crl_new_from_der (body, NULL);
        if (crl != NULL)
          jc_crl_lookup (crl, "01", NULL);
        break;
      }
    }
  return 0;
}
