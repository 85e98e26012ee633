#define G_LOG_DOMAIN "joconde-model"
#include "config.h"

#include <glib/gi18n-lib.h>

#include "jc-encoding.h"
#include "jc-model-read-private.h"
#include "jc-model-render-private.h"
#include "jc-task-messages.h"

static const char *const roles[] = { "custodian", "analyst", NULL };

const char *
jc_pak_role_to_string (JcPakRole role)
{
  g_return_val_if_fail ((guint) role < 2, NULL);
  return roles[role];
}

JcPakRegistration *
jc_pak_registration_new (void)
{
  return g_new0 (JcPakRegistration, 1);
}

void
jc_pak_registration_free (JcPakRegistration *reg)
{
  if (reg == NULL)
    return;
  g_clear_pointer (&reg->pak, g_bytes_unref);
  g_free (reg);
}

JcPakRegistration *
jc_pak_registration_read (JsonNode *node, const char *path, JcProblems *problems)
{
  g_autoptr(JcPakRegistration) reg = jc_pak_registration_new ();
  guint before = jc_problems_count (problems);
  g_autofree char *task = NULL;
  JcObjReader r;
  int role;

  if (!jc_obj_reader_init (&r, node, path, problems))
    {
      jc_obj_reader_finish (&r);
      return NULL;
    }
  jc_obj_header (&r, "pak-registration");
  if ((task = jc_obj_uuid (&r, "task_id")) != NULL)
    g_strlcpy (reg->task_id, task, sizeof reg->task_id);
  role = jc_obj_enum (&r, "role", roles);
  reg->role = role >= 0 ? (JcPakRole) role : JC_PAK_ROLE_CUSTODIAN;
  reg->pak = jc_obj_base64url (&r, "pak", JC_PAK_PUBLIC_SIZE, 0, TRUE);
  jc_obj_reader_finish (&r);
  if (jc_problems_count (problems) != before)
    return NULL;
  return g_steal_pointer (&reg);
}

JcPakRegistration *
jc_pak_registration_from_json (JsonNode *node, GError **error)
{
  g_autoptr(JcProblems) problems = jc_problems_new ();
  JcPakRegistration *reg = jc_pak_registration_read (node, "", problems);

  if (!jc_problems_check (problems, _("The PAK registration"), error))
    {
      jc_pak_registration_free (reg);
      return NULL;
    }
  return reg;
}

JsonNode *
jc_pak_registration_to_json (const JcPakRegistration *reg)
{
  JsonObject *o = json_object_new ();

  jc_add_header (o, "pak-registration");
  jc_add_string (o, "task_id", reg->task_id);
  jc_add_string (o, "role", jc_pak_role_to_string (reg->role));
  jc_add_base64url (o, "pak", reg->pak);
  return jc_node_from_object (o);
}

char *
jc_pak_registration_render (const JcPakRegistration *reg)
{
  GString *out = g_string_new (NULL);
  g_autoptr(JsonNode) node = jc_pak_registration_to_json (reg);
  guint8 hash[JC_DOC_HASH_SIZE];
  gsize len;
  const guint8 *pak = g_bytes_get_data (reg->pak, &len);
  g_autofree char *text = jc_base64url_encode (pak, len);

  jc_doc_hash (node, hash, NULL);
  jc_render_header (out, "PAK registration", hash);
  jc_render_field (out, 0, "Task", reg->task_id);
  jc_render_field (out, 0, "Role", reg->role == JC_PAK_ROLE_CUSTODIAN ? "data custodian" : "data analyst");
  jc_render_field (out, 0, "PAK (Ed25519)", text);
  return g_string_free (out, FALSE);
}
