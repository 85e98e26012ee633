#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The roles a node certificate grants (docs/pki.md, "Roles"). In a certificate each role
 * is a subjectAltName URI "urn:joconde:role:<name>", so `openssl x509 -text` and
 * `certtool -i` show them. Unknown role URIs are ignored (they grant nothing). */

#define JC_ROLE_URI_PREFIX "urn:joconde:role:"

typedef enum {
  JC_ROLE_NONE      = 0,
  JC_ROLE_RELAY     = 1 << 0, /* runs a relay: may have children and forward artefacts */
  JC_ROLE_ORGANISER = 1 << 1, /* may submit CTSCs and CTSAs (Task Organiser) */
  JC_ROLE_SIGNATORY = 1 << 2, /* may attach signatory signatures */
  JC_ROLE_CUSTODIAN = 1 << 3, /* Data Custodian's node */
  JC_ROLE_ANALYST   = 1 << 4, /* Data Analyst's node */
  JC_ROLE_APPROVER  = 1 << 5, /* SO node that may approve or reject CTSAs */
  JC_ROLE_CP        = 1 << 6, /* Computing Party daemon */
} JcRoles;

#define JC_ROLES_ALL ((JcRoles) 0x7f)

/* The name of one role ("relay", …), NULL if @role is not exactly one known role. */
const char *jc_role_get_name    (JcRoles      role);
/* One known role by name, JC_ROLE_NONE if unknown. */
JcRoles     jc_role_from_name   (const char  *name);
/* Parses a comma-separated list "relay,organiser" (spaces allowed, empty list allowed). */
gboolean    jc_roles_parse      (const char  *text,
                                 JcRoles     *out,
                                 GError     **error);
/* Comma-separated names in a fixed order, "" for none. */
char       *jc_roles_to_string  (JcRoles      roles);

G_END_DECLS
