#pragma once

#include <glib.h>

#include "jc-cta.h"

G_BEGIN_DECLS

/* The Task Policy Engine (spec §4.3.2.3): an immutable view of the CTA that answers every
 * authorisation question of the orchestrator. Built once from the verified CTA. */

typedef struct _JcGuestPolicy JcGuestPolicy;

JcGuestPolicy *jc_guest_policy_new  (const JcCta *cta);
void           jc_guest_policy_free (JcGuestPolicy *policy);

/* Whether PAK appears in the agreement at all (as custodian or analyst). */
gboolean jc_guest_policy_knows_pak (const JcGuestPolicy *policy, const guint8 pak[32],
                                    GError **error);
/* Whether PAK may upload input INPUT_KEY. */
gboolean jc_guest_policy_may_upload (const JcGuestPolicy *policy, const guint8 pak[32],
                                     const char *input_key, GError **error);
/* Whether PAK may download OUTPUT_KEY, and for which peer (index in the CTSC). */
gboolean jc_guest_policy_may_download (const JcGuestPolicy *policy, const guint8 pak[32],
                                       const char *output_key, gint64 *peer, GError **error);
/* "custodian of nsi" / "analyst of mno": for logs. */
char    *jc_guest_policy_describe_pak (const JcGuestPolicy *policy, const guint8 pak[32]);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JcGuestPolicy, jc_guest_policy_free)

G_END_DECLS
