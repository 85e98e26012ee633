#define G_LOG_DOMAIN "joconde-fuzz"
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "jc-tdx.h"
#include "jc-tdx-private.h"

/* The TDX quote parser and, for inputs that parse, the whole verifier (PEM chain, PCK
 * extensions, signatures); the TCB Info JSON reader on the same bytes. Nothing may crash. */
int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  JcTdxQuote quote;
  g_autoptr (GError) e1 = NULL;

  if (jc_tdx_quote_parse (data, size, &quote, &e1))
    {
      g_autoptr (GBytes) bytes = g_bytes_new_static (data, size);
      g_autoptr (GError) e2 = NULL;
      JcTeePolicy policy;
      JcTeeVerdict verdict;
      jc_tee_policy_init (&policy, JC_TEE_PLATFORM_TDX);
      policy.at = 1700000000;
      policy.allow_debug = TRUE;
      if (jc_tdx_verify (bytes, NULL, &policy, &verdict, &e2))
        jc_tee_verdict_clear (&verdict);
    }

  /* The collateral reader stops at the missing signing chain, after parsing the JSON. */
  JcTdxCollateral col = { g_bytes_new_static (data, size), NULL };
  JcTdxPckInfo pck = { 0 };
  char *status = NULL;
  g_autoptr (GError) e3 = NULL;
  memset (&quote, 0, sizeof quote);
  if (jc_tdx_collateral_check (&col, &quote, &pck, 1700000000, &status, &e3))
    g_free (status);
  g_bytes_unref (col.tcb_info);
  return 0;
}
