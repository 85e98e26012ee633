#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Private: what a node signs in a request of the pki area (rotation, revocation).
 *
 * SHA-256( TAG || SHA-256(PARTS[0]) || … || SHA-256(PARTS[N_PARTS-1]) ) into @out: the
 * tag names the kind of request, so that a signature for one kind never serves another. */
void jc_pki_request_digest (const char    *tag,
                            GBytes *const *parts,
                            guint          n_parts,
                            guint8         out[32]);

G_END_DECLS
