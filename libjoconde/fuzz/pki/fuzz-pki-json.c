/* libFuzzer target: the JSON files of the pki area (rotation requests and revocation
 * requests from children, the revoked-key list). The first byte picks the reader. */
#include "config.h"

#include <stdint.h>

#include "jc-init.h"
#include "jc-revocation-request.h"
#include "jc-revocations.h"
#include "jc-rotation.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static gboolean ready = FALSE;
  const char *text = (const char *) data + 1;
  gssize len = (gssize) size - 1;

  if (!ready)
    ready = jc_init (NULL);
  if (size < 1)
    return 0;
  switch (data[0] % 3)
    {
    case 0:
      {
        g_autoptr(JcRotationRequest) r = jc_rotation_request_new_from_json (text, len, NULL);
        if (r != NULL)
          jc_rotation_request_verify (r, jc_rotation_request_get_previous (r), 0, NULL);
        break;
      }
    case 1:
      {
        g_autoptr(JcRevocationRequest) r = jc_revocation_request_new_from_json (text, len, NULL);
        if (r != NULL)
          jc_revocation_request_verify (r, NULL);
        break;
      }
    default:
      {
        g_autoptr(JcRevocations) r = jc_revocations_new_from_json (text, len, NULL);
        if (r != NULL)
          g_free (jc_revocations_keys_to_json (r));
        break;
      }
    }
  return 0;
}
