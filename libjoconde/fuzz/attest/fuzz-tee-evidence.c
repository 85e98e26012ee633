#define G_LOG_DOMAIN "joconde-fuzz"
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "jc-tee.h"
#include "jc-tee-sim.h"

/* The evidence container reader, the simulator report verifier and the CTSC "tee" policy
 * reader, on arbitrary bytes: none may crash, leak or read out of bounds. */
int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(GError) e1 = NULL, e2 = NULL, e3 = NULL;
  g_autoptr(JcTeeEvidence) evidence = jc_tee_evidence_from_json ((const char *) data, size, &e1);
  g_autoptr(GBytes) raw = g_bytes_new (data, size);
  g_autoptr(JsonParser) parser = json_parser_new ();
  JcTeePolicy policy;
  JcTeeVerdict verdict;

  jc_tee_policy_init (&policy, JC_TEE_PLATFORM_SIM);
  if (evidence && evidence->platform == JC_TEE_PLATFORM_SIM &&
      jc_tee_verify (evidence, &policy, &verdict, &e2))
    jc_tee_verdict_clear (&verdict);
  if (jc_tee_sim_verify (raw, &policy, &verdict, NULL))
    jc_tee_verdict_clear (&verdict);
  jc_tee_policy_clear (&policy);

  if (json_parser_load_from_data (parser, (const char *) data, size, NULL) &&
      JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      jc_tee_policy_from_json (json_node_get_object (json_parser_get_root (parser)), &policy, &e3);
      jc_tee_policy_clear (&policy);
    }
  return 0;
}
