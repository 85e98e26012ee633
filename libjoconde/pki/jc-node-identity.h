#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* What a node certificate says about its node (spec §4.4.2.1): company (subject O),
 * department (subject OU, optional), a non-personal contact e-mail (subjectAltName
 * rfc822Name) and the node's name (subject CN). */
typedef struct {
  char *company;
  char *department; /* may be NULL */
  char *email;
  char *name;
} JcNodeIdentity;

JcNodeIdentity *jc_node_identity_new      (const char *company,
                                           const char *department,
                                           const char *email,
                                           const char *name);
JcNodeIdentity *jc_node_identity_copy     (const JcNodeIdentity *id);
void            jc_node_identity_free     (JcNodeIdentity *id);
gboolean        jc_node_identity_equal    (const JcNodeIdentity *a,
                                           const JcNodeIdentity *b);
/* Each text 1–64 characters of UTF-8 without control characters; the e-mail an ASCII
 * "local@domain" of at most 128 characters. The message names the field refused. */
gboolean        jc_node_identity_validate (const JcNodeIdentity *id,
                                           GError              **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JcNodeIdentity, jc_node_identity_free)

G_END_DECLS
