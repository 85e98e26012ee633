#pragma once

#include <adwaita.h>

#include "jc-client.h"
#include "jc-engine.h"

G_BEGIN_DECLS

#define JC_TYPE_APPLICATION (jc_application_get_type ())
G_DECLARE_FINAL_TYPE (JcApplication, jc_application, JC, APPLICATION, AdwApplication)

/* `joconde --node PROFILE_DIR`; without --node the profile is
 * $XDG_DATA_HOME/joconde/node. */
JcApplication *jc_application_new        (void);
/* Before the application starts (what --node does). */
void           jc_application_set_profile_dir (JcApplication *self, const char *dir);
JcClient      *jc_application_get_client (JcApplication *self);
/* The installed engines (JcEngine*), loaded once from $JC_ENGINE_DIR or the engine folder. */
GPtrArray     *jc_application_get_engines (JcApplication *self);
JcEngine      *jc_application_find_engine (JcApplication *self, const char *id);

G_END_DECLS
