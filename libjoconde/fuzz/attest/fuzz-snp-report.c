#define G_LOG_DOMAIN "joconde-fuzz"
#include "config.h"

#include <stdint.h>

#include "jc-snp.h"

/* The SEV-SNP report parser, the hex/binary loader and the certificate table parser, on
 * arbitrary bytes: none may crash, leak or read out of bounds. */
int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  JcSnpReport report;
  JcSnpCertTable table;
  g_autoptr (GError) e1 = NULL, e2 = NULL, e3 = NULL;

  if (jc_snp_report_parse (data, size, &report, &e1))
    {
      JcSnpTcb tcb;
      jc_snp_tcb_decode (report.reported_tcb, jc_snp_report_product (&report), &tcb);
      g_free (jc_snp_tcb_format (&tcb, JC_SNP_PRODUCT_TURIN));
    }
  GBytes *loaded = jc_snp_report_from_data (data, size, &e2);
  if (loaded)
    g_bytes_unref (loaded);
  if (jc_snp_cert_table_parse (data, size, &table, &e3))
    {
      g_ptr_array_unref (jc_snp_cert_table_to_list (&table));
      jc_snp_cert_table_clear (&table);
    }
  return 0;
}
