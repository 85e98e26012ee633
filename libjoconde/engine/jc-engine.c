#define G_LOG_DOMAIN "joconde-engine"
#include "config.h"

#include "jc-engine.h"

#include <gmodule.h>
#include <glib/gi18n-lib.h>

#include "jc-error.h"

struct _JcEngine {
  GObject parent_instance;
  GModule *module;
  char *path;
  const JcEngineInfo *info;
};

G_DEFINE_FINAL_TYPE (JcEngine, jc_engine, G_TYPE_OBJECT)

static void
jc_engine_finalize (GObject *object)
{
  JcEngine *self = JC_ENGINE (object);

  if (self->module != NULL)
    g_module_close (self->module);
  g_free (self->path);
  G_OBJECT_CLASS (jc_engine_parent_class)->finalize (object);
}

static void
jc_engine_class_init (JcEngineClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = jc_engine_finalize;
}

static void
jc_engine_init (JcEngine *self)
{
}

/* Checks the fields a host relies on, so a broken module fails here and not mid-task. */
static gboolean
jc_engine_info_check (const JcEngineInfo *info, const char *path, GError **error)
{
  if (info->struct_size < sizeof (JcEngineInfo))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_UNSUPPORTED,
                   _("The engine module “%s” is built with an incomplete engine interface "
                     "(%u bytes instead of %zu)."),
                   path, info->struct_size, sizeof (JcEngineInfo));
      return FALSE;
    }
  if (info->id == NULL || info->id[0] == '\0' || info->n_parties < 2
      || info->compile == NULL || info->program_free == NULL || info->sharer_new == NULL
      || info->sharer_add_rows == NULL || info->sharer_finish == NULL
      || info->sharer_free == NULL || info->reconstructor_new == NULL
      || info->reconstructor_feed == NULL || info->reconstructor_finish == NULL
      || info->reconstructor_free == NULL || info->run == NULL)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("The engine module “%s” does not provide every function of the engine "
                     "interface."), path);
      return FALSE;
    }
  return TRUE;
}

JcEngine *
jc_engine_load (const char *path, GError **error)
{
  g_return_val_if_fail (path != NULL, NULL);

  GModule *module = g_module_open (path, G_MODULE_BIND_LAZY | G_MODULE_BIND_LOCAL);
  if (module == NULL)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_NOT_FOUND,
                   _("Cannot load the engine module “%s”: %s"), path, g_module_error ());
      return NULL;
    }

  gpointer symbol = NULL;
  if (!g_module_symbol (module, JC_ENGINE_ENTRY_SYMBOL, &symbol) || symbol == NULL)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("The file “%s” is not a JOCONDE engine module: it has no entry point "
                     "“%s”."), path, JC_ENGINE_ENTRY_SYMBOL);
      g_module_close (module);
      return NULL;
    }

  const JcEngineInfo *info = ((JcEngineEntryFunc) symbol) ();
  if (info == NULL)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("The engine module “%s” returned no description of itself."), path);
      g_module_close (module);
      return NULL;
    }
  /* Only abi_version is read before the check: the rest may have another layout. */
  if (info->abi_version != JC_ENGINE_ABI_VERSION)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_UNSUPPORTED,
                   _("The engine module “%s” implements engine interface version %u, but this "
                     "program needs version %u. Install the engine built for this version of "
                     "JOCONDE."), path, info->abi_version, JC_ENGINE_ABI_VERSION);
      g_module_close (module);
      return NULL;
    }
  if (!jc_engine_info_check (info, path, error))
    {
      g_module_close (module);
      return NULL;
    }

  JcEngine *self = g_object_new (JC_TYPE_ENGINE, NULL);
  self->module = module;
  self->path = g_strdup (path);
  self->info = info;
  return self;
}

static int
jc_engine_name_compare (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(char *const *) a, *(char *const *) b);
}

JcEngine *
jc_engine_load_by_id (const char *dir, const char *id, GError **error)
{
  g_return_val_if_fail (id != NULL, NULL);

  if (dir == NULL)
    dir = g_getenv ("JC_ENGINE_DIR");
  if (dir == NULL)
    dir = JC_ENGINE_DIR;

  g_autoptr(GError) local_error = NULL;
  g_autoptr(GDir) d = g_dir_open (dir, 0, &local_error);
  if (d == NULL)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_NOT_FOUND,
                   _("Cannot read the engine directory “%s”: %s"), dir, local_error->message);
      return NULL;
    }

  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;
  while ((name = g_dir_read_name (d)) != NULL)
    if (g_str_has_suffix (name, "." G_MODULE_SUFFIX))
      g_ptr_array_add (names, g_strdup (name));
  /* Sorted, so the same directory always gives the same answer. */
  g_ptr_array_sort (names, jc_engine_name_compare);

  g_autoptr(GString) refused = g_string_new (NULL);
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_build_filename (dir, names->pdata[i], NULL);
      g_autoptr(GError) load_error = NULL;
      g_autoptr(JcEngine) engine = jc_engine_load (path, &load_error);
      if (engine == NULL)
        {
          /* A module of another ABI version with the wanted id is worth telling about. */
          g_string_append_printf (refused, "\n%s", load_error->message);
          continue;
        }
      if (g_strcmp0 (engine->info->id, id) == 0)
        return g_steal_pointer (&engine);
    }

  g_set_error (error, JC_ERROR, JC_ERROR_NOT_FOUND,
               _("No engine “%s” is installed in “%s”.%s"), id, dir, refused->str);
  return NULL;
}

const JcEngineInfo *
jc_engine_get_info (JcEngine *self)
{
  g_return_val_if_fail (JC_IS_ENGINE (self), NULL);
  return self->info;
}

const char *
jc_engine_get_id (JcEngine *self)
{
  g_return_val_if_fail (JC_IS_ENGINE (self), NULL);
  return self->info->id;
}

const char *
jc_engine_get_path (JcEngine *self)
{
  g_return_val_if_fail (JC_IS_ENGINE (self), NULL);
  return self->path;
}

guint
jc_engine_get_n_parties (JcEngine *self)
{
  g_return_val_if_fail (JC_IS_ENGINE (self), 0);
  return self->info->n_parties;
}

gboolean
jc_engine_supports_type (JcEngine *self, JcEngineType type)
{
  g_return_val_if_fail (JC_IS_ENGINE (self), FALSE);
  for (gsize i = 0; i < self->info->n_types; i++)
    if (self->info->types[i] == type)
      return TRUE;
  return FALSE;
}

void
jc_engine_set_error (GError **error, const JcEngineError *err)
{
  static const int codes[] = {
    [JC_ENGINE_OK] = JC_ERROR_FAILED,
    [JC_ENGINE_ERR_INVALID] = JC_ERROR_INVALID,
    [JC_ENGINE_ERR_COMPILE] = JC_ERROR_INVALID,
    [JC_ENGINE_ERR_UNSUPPORTED] = JC_ERROR_UNSUPPORTED,
    [JC_ENGINE_ERR_IO] = JC_ERROR_IO,
    [JC_ENGINE_ERR_PROTOCOL] = JC_ERROR_FAILED,
    [JC_ENGINE_ERR_CANCELLED] = JC_ERROR_CANCELLED,
    [JC_ENGINE_ERR_INTERNAL] = JC_ERROR_FAILED,
  };
  int code = (err->status >= 0 && (gsize) err->status < G_N_ELEMENTS (codes))
               ? codes[err->status] : JC_ERROR_FAILED;
  /* The engine's buffer may lack a terminator if it is buggy. */
  g_autofree char *msg = g_strndup (err->message, sizeof err->message);
  if (msg[0] == '\0')
    {
      g_free (msg);
      msg = g_strdup (_("The engine failed without saying why."));
    }
  if (err->line > 0)
    g_set_error (error, JC_ERROR, code, _("line %u, column %u: %s"), err->line, err->column,
                 msg);
  else
    g_set_error_literal (error, JC_ERROR, code, msg);
}

JcEngineProgram *
jc_engine_compile (JcEngine *self, const char *algorithm,
                   const JcEngineSchema *inputs, gsize n_inputs,
                   const JcEngineSchema *outputs, gsize n_outputs, guint flags,
                   guint *out_line, guint *out_column, GError **error)
{
  g_return_val_if_fail (JC_IS_ENGINE (self), NULL);
  g_return_val_if_fail (algorithm != NULL, NULL);

  JcEngineError err = { 0 };
  JcEngineProgram *program = self->info->compile (algorithm, strlen (algorithm), inputs,
                                                  n_inputs, outputs, n_outputs, flags, &err);
  if (out_line != NULL)
    *out_line = program == NULL ? err.line : 0;
  if (out_column != NULL)
    *out_column = program == NULL ? err.column : 0;
  if (program == NULL)
    {
      if (err.status == JC_ENGINE_OK)
        err.status = JC_ENGINE_ERR_COMPILE;
      jc_engine_set_error (error, &err);
    }
  return program;
}

void
jc_engine_program_free (JcEngine *self, JcEngineProgram *program)
{
  g_return_if_fail (JC_IS_ENGINE (self));
  if (program != NULL)
    self->info->program_free (program);
}

/* The engine may leave status unset on failure; make the error say something. */
static void
fail_with (GError **error, JcEngineError *err)
{
  if (err->status == JC_ENGINE_OK)
    err->status = JC_ENGINE_ERR_INTERNAL;
  jc_engine_set_error (error, err);
}

JcEngineSharer *
jc_engine_sharer_new (JcEngine *self, const JcEngineSchema *schema, JcEngineWriteFunc write,
                      gpointer user, GError **error)
{
  g_return_val_if_fail (JC_IS_ENGINE (self), NULL);
  JcEngineError err = { 0 };
  JcEngineSharer *s = self->info->sharer_new (schema, write, user, &err);
  if (s == NULL)
    fail_with (error, &err);
  return s;
}

gboolean
jc_engine_sharer_add_rows (JcEngine *self, JcEngineSharer *sharer, const JcEngineValue *rows,
                           gsize n_rows, GError **error)
{
  g_return_val_if_fail (JC_IS_ENGINE (self), FALSE);
  JcEngineError err = { 0 };
  if (self->info->sharer_add_rows (sharer, rows, n_rows, &err) != 0)
    {
      fail_with (error, &err);
      return FALSE;
    }
  return TRUE;
}

gboolean
jc_engine_sharer_finish (JcEngine *self, JcEngineSharer *sharer, GError **error)
{
  g_return_val_if_fail (JC_IS_ENGINE (self), FALSE);
  JcEngineError err = { 0 };
  if (self->info->sharer_finish (sharer, &err) != 0)
    {
      fail_with (error, &err);
      return FALSE;
    }
  return TRUE;
}

void
jc_engine_sharer_free (JcEngine *self, JcEngineSharer *sharer)
{
  g_return_if_fail (JC_IS_ENGINE (self));
  if (sharer != NULL)
    self->info->sharer_free (sharer);
}

JcEngineReconstructor *
jc_engine_reconstructor_new (JcEngine *self, const JcEngineSchema *schema, JcEngineRowFunc emit,
                             gpointer user, GError **error)
{
  g_return_val_if_fail (JC_IS_ENGINE (self), NULL);
  JcEngineError err = { 0 };
  JcEngineReconstructor *r = self->info->reconstructor_new (schema, emit, user, &err);
  if (r == NULL)
    fail_with (error, &err);
  return r;
}

gboolean
jc_engine_reconstructor_feed (JcEngine *self, JcEngineReconstructor *rec, guint party,
                              gconstpointer buf, gsize len, GError **error)
{
  g_return_val_if_fail (JC_IS_ENGINE (self), FALSE);
  JcEngineError err = { 0 };
  if (self->info->reconstructor_feed (rec, party, buf, len, &err) != 0)
    {
      fail_with (error, &err);
      return FALSE;
    }
  return TRUE;
}

gboolean
jc_engine_reconstructor_finish (JcEngine *self, JcEngineReconstructor *rec, GError **error)
{
  g_return_val_if_fail (JC_IS_ENGINE (self), FALSE);
  JcEngineError err = { 0 };
  if (self->info->reconstructor_finish (rec, &err) != 0)
    {
      fail_with (error, &err);
      return FALSE;
    }
  return TRUE;
}

void
jc_engine_reconstructor_free (JcEngine *self, JcEngineReconstructor *rec)
{
  g_return_if_fail (JC_IS_ENGINE (self));
  if (rec != NULL)
    self->info->reconstructor_free (rec);
}

gboolean
jc_engine_run (JcEngine *self, const JcEngineProgram *program, guint party,
               const JcEngineKeys *keys, const JcEngineHost *host, GError **error)
{
  g_return_val_if_fail (JC_IS_ENGINE (self), FALSE);
  if (party >= self->info->n_parties)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID,
                   _("The engine “%s” has parties 1 to %u; there is no party %u."),
                   self->info->id, self->info->n_parties, party + 1);
      return FALSE;
    }
  JcEngineError err = { 0 };
  if (self->info->run (program, party, keys, host, &err) != 0)
    {
      fail_with (error, &err);
      return FALSE;
    }
  return TRUE;
}
