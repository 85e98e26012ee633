#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* What a node certificate says about its node (spec §4.4.2.1): company (subject O),
 * department (subject OU, optional), a non-personal contact e-mail (subjectAltName
 * rfc822Name) and the node's name (subject CN). A relay, which children reach over TLS,
 * also lists the host names and IP addresses it serves on (subjectAltName dNSName and
 * iPAddress), so ordinary TLS host name checks pass. */
#define JC_NODE_IDENTITY_MAX_HOSTS 16

typedef struct {
  char  *company;
  char  *department; /* may be NULL */
  char  *email;
  char  *name;
  char **hosts;      /* NULL-terminated, may be NULL: lowercase DNS names or IP addresses */
} JcNodeIdentity;

JcNodeIdentity *jc_node_identity_new      (const char *company,
                                           const char *department,
                                           const char *email,
                                           const char *name);
/* Replaces the host list with a copy of @hosts (NULL or empty for none). */
void            jc_node_identity_set_hosts (JcNodeIdentity      *id,
                                            const char *const   *hosts);
JcNodeIdentity *jc_node_identity_copy     (const JcNodeIdentity *id);
void            jc_node_identity_free     (JcNodeIdentity *id);
gboolean        jc_node_identity_equal    (const JcNodeIdentity *a,
                                           const JcNodeIdentity *b);
/* Each text 1–64 characters of UTF-8 without control characters; the e-mail an ASCII
 * "local@domain" of at most 128 characters; each host a lowercase DNS name or an IP
 * address in its usual written form, at most JC_NODE_IDENTITY_MAX_HOSTS of them, no
 * repeats. The message names the field refused. */
gboolean        jc_node_identity_validate (const JcNodeIdentity *id,
                                           GError              **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JcNodeIdentity, jc_node_identity_free)

G_END_DECLS
