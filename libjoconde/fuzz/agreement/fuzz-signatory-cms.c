/* libFuzzer target: the CMS verifier of signatory signatures (agreement/jc-signatory-cms.h),
 * which the root runs on every file a node sends as a signatory signature. */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "jc-doc.h"
#include "jc-init.h"
#include "jc-signatory-cms.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static gboolean ready = FALSE;
  static JsonNode *ctsa = NULL;
  static const char text[] = "{\"type\":\"ctsa\",\"version\":1}";

  if (!ready)
    {
      ready = jc_init (NULL);
      ctsa = jc_doc_parse (text, strlen (text), NULL, NULL);
    }
  g_autoptr(GBytes) cms = g_bytes_new (data, size);
  g_autoptr(JcFile) file = jc_file_new ("signature.p7s", "application/octet-stream", cms);
  jc_signatory_cms_file_is_cms (file);
  gint64 when = 0;
  g_autoptr(JcSignerCert) signer = jc_signatory_cms_verify (cms, ctsa, &when, NULL);
  if (signer)
    g_free (jc_signer_cert_describe (signer));
  return 0;
}
