#define G_LOG_DOMAIN "joconde-rss3"
#include "config.h"

#include "jc-sql.h"

/* ID encoding (docs/sql.md): the first 8 bytes, big-endian, of SHA-256 of the ID's bytes
 * exactly as written. Every custodian computes the same word for the same ID, so keys of
 * different tables meet in a join without anyone seeing them. SHA-256: FIPS 180-4. */
uint64_t
jc_sql_encode_id (const char *text, gsize len)
{
  guint8 digest[32];
  gsize dlen = sizeof digest;
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_checksum_update (sum, (const guchar *) text, len);
  g_checksum_get_digest (sum, digest, &dlen);
  uint64_t v = 0;
  for (int i = 0; i < 8; i++)
    v = (v << 8) | digest[i];
  /* Clear the top bit: IDs stay in the 63-bit range the comparisons of rss3 need. */
  return v & G_GUINT64_CONSTANT (0x7fffffffffffffff);
}
