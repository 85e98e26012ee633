#define G_LOG_DOMAIN "jocondectl"
#include "config.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>

#include "jc-cli.h"
#include "jc-cli-sandbox.h"
#include "jc-client-peers.h"
#include "jc-error.h"
#include "jc-libvirt-session.h"
#include "jc-pid.h"
#include "jc-roles.h"
#include "jc-user-ns.h"

/* `jocondectl sandbox up | down | demo`: a whole JOCONDE System on this machine, on
 * loopback, with a fresh PKI: the root relay (the SO) with the approver node so, three
 * computing parties, and two organisations each with a relay and four client nodes. */

typedef struct {
  const char *name;
  const char *parent;  /* relay name */
  const char *roles;
  const char *organisation;
} NodeSpec;

static const NodeSpec client_nodes[] = {
  { "so",            "root",      "approver",  NULL },
  { "nsi",           "nsi-relay", "organiser", "nsi" },
  { "nsi-signatory", "nsi-relay", "signatory", "nsi" },
  { "nsi-custodian", "nsi-relay", "custodian", "nsi" },
  { "nsi-analyst",   "nsi-relay", "analyst",   "nsi" },
  { "mno",           "mno-relay", "organiser", "mno" },
  { "mno-signatory", "mno-relay", "signatory", "mno" },
  { "mno-custodian", "mno-relay", "custodian", "mno" },
  { "mno-analyst",   "mno-relay", "analyst",   "mno" },
};
static const char *const org_relays[] = { "nsi-relay", "mno-relay" };
static const char *const cps[] = { "cp1", "cp2", "cp3" };

typedef struct {
  char       *dir;
  char       *backend;
  JsonObject *state;   /* what goes to sandbox.json */
  GHashTable *urls;    /* relay name -> https URL */
  GPtrArray  *pids;    /* GPid as pointers, in start order */
} Sandbox;

static void
sandbox_clear (Sandbox *s)
{
  g_free (s->dir);
  g_free (s->backend);
  g_clear_pointer (&s->state, json_object_unref);
  g_clear_pointer (&s->urls, g_hash_table_unref);
  g_clear_pointer (&s->pids, g_ptr_array_unref);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Sandbox, sandbox_clear)

/* --- helpers ------------------------------------------------------------------------ */

/* A program of this build: $JC_<NAME>_BIN, the build tree next to jocondectl, or PATH. */
char *
jc_cli_sandbox_find_program (const char *name, const char *env, const char *build_subdir)
{
  const char *e = g_getenv (env);
  if (e && *e)
    return g_strdup (e);
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  if (self)
    {
      g_autofree char *cli = g_path_get_dirname (self);
      g_autofree char *p = g_build_filename (cli, "..", "..", build_subdir, name, NULL);
      if (g_file_test (p, G_FILE_TEST_IS_EXECUTABLE))
        return g_canonicalize_filename (p, NULL);
    }
  return g_find_program_in_path (name);
}

static guint
free_port (void)
{
  int fd = socket (AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  socklen_t len = sizeof a;
  guint port = 0;
  if (fd < 0)
    return 0;
  if (bind (fd, (struct sockaddr *) &a, sizeof a) == 0 && getsockname (fd, (struct sockaddr *) &a, &len) == 0)
    port = ntohs (a.sin_port);
  close (fd);
  return port;
}

static gboolean
port_open (guint port)
{
  int fd = socket (AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons (port),
                           .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  gboolean ok = fd >= 0 && connect (fd, (struct sockaddr *) &a, sizeof a) == 0;
  if (fd >= 0)
    close (fd);
  return ok;
}

static gboolean
run_tool (char **out, GError **error, const char *first, ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  va_list ap;
  va_start (ap, first);
  for (const char *a = first; a; a = va_arg (ap, const char *))
    g_ptr_array_add (argv, (gpointer) a);
  va_end (ap);
  g_ptr_array_add (argv, NULL);
  g_autofree char *std_out = NULL, *std_err = NULL;
  int status = 0;
  if (!g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &std_out,
                     &std_err, &status, error))
    return FALSE;
  if (!g_spawn_check_wait_status (status, NULL))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_FAILED, _("%s %s failed: %s"), (char *) argv->pdata[0],
                   argv->len > 4 ? (char *) argv->pdata[3] : "", std_err ? g_strstrip (std_err) : "");
      return FALSE;
    }
  if (out)
    *out = g_steal_pointer (&std_out);
  return TRUE;
}

static gboolean
write_text (const char *path, const char *text, GError **error)
{
  return g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
}

/* A daemon outlives jocondectl in a session of its own. A cp of the libvirt sandbox also
 * enters a user namespace when root (jc-user-ns.h), for a per-user libvirt daemon. */
static void
detach (gpointer data)
{
  const JcUserNsMaps *maps = data;
  setsid ();
  if (maps)
    jc_user_ns_enter (maps);
}

static gboolean start_daemon_in (Sandbox *s, const char *name, const char *const *argv,
                                 const JcLibvirtSession *libvirt, GError **error);

/* Starts a daemon that outlives jocondectl; its output goes to DIR/logs/NAME.log. */
static gboolean
start_daemon (Sandbox *s, const char *name, const char *const *argv, GError **error)
{
  return start_daemon_in (s, name, argv, NULL, error);
}

/* The same, as the client of the private libvirt daemon LIBVIRT when not NULL. */
static gboolean
start_daemon_in (Sandbox *s, const char *name, const char *const *argv,
                 const JcLibvirtSession *libvirt, GError **error)
{
  g_autofree char *logs = g_build_filename (s->dir, "logs", NULL);
  g_mkdir_with_parents (logs, 0700);
  g_autofree char *file = g_strdup_printf ("%s.log", name);
  g_autofree char *log = g_build_filename (logs, file, NULL);
  g_autoptr(GSubprocessLauncher) l = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_INHERIT);
  g_subprocess_launcher_set_stdout_file_path (l, log);
  g_subprocess_launcher_set_stderr_file_path (l, log);
  JcUserNsMaps *maps = NULL;
  if (libvirt)
    jc_libvirt_session_set_launcher_env (libvirt, l);
  if (libvirt && getuid () == 0)
    {
      maps = g_new0 (JcUserNsMaps, 1);
      jc_user_ns_maps_init (maps);
    }
  g_subprocess_launcher_set_child_setup (l, detach, maps, g_free);
  g_autoptr(GSubprocess) p = g_subprocess_launcher_spawnv (l, argv, error);
  if (!p)
    return FALSE;
  GPid pid = (GPid) g_ascii_strtoll (g_subprocess_get_identifier (p), NULL, 10);
  g_ptr_array_add (s->pids, GINT_TO_POINTER (pid));
  JsonArray *pids = json_object_get_array_member (s->state, "pids");
  json_array_add_int_element (pids, pid);
  /* Write the state now: `sandbox down` must find everything started so far. */
  g_autoptr(JsonNode) root = json_node_init_object (json_node_alloc (), s->state);
  g_autofree char *text = json_to_string (root, TRUE);
  g_autofree char *path = g_build_filename (s->dir, "sandbox.json", NULL);
  return write_text (path, text, error);
}

static gboolean
wait_port (guint port, const char *what, GError **error)
{
  for (int i = 0; i < 300; i++)
    {
      if (port_open (port))
        return TRUE;
      g_usleep (50 * 1000);
    }
  g_set_error (error, JC_ERROR, JC_ERROR_FAILED, _("%s did not start listening on port %u"), what, port);
  return FALSE;
}

static gboolean
wait_file_line (const char *path, const char *line, const char *what, GError **error)
{
  for (int i = 0; i < 400; i++)
    {
      g_autofree char *text = NULL;
      if (g_file_get_contents (path, &text, NULL, NULL) && strstr (text, line))
        return TRUE;
      g_usleep (50 * 1000);
    }
  g_set_error (error, JC_ERROR, JC_ERROR_FAILED, _("%s did not become ready (see %s)"), what, path);
  return FALSE;
}

/* --- the parts -------------------------------------------------------------------------- */

static char *
relay_dir (Sandbox *s, const char *name)
{
  return g_build_filename (s->dir, "relays", name, NULL);
}

static gboolean
relay_configure (Sandbox *s, const char *name, const char *parent_url, guint port, GError **error)
{
  g_autofree char *dir = relay_dir (s, name);
  g_autofree char *state = g_build_filename (dir, "state", NULL);
  g_autofree char *conf = g_build_filename (dir, "relay.conf", NULL);
  g_mkdir_with_parents (dir, 0700);
  g_autofree char *text = g_strdup_printf (
    "[node]\ncertificate=node.pem\nkey=node.key\nroot-ca=root-ca.pem\nstate-dir=%s\n"
    "[listen]\naddress=127.0.0.1\nport=%u\n[parent]\nurl=%s\n"
    "[link]\nreconnect-min-ms=100\nreconnect-max-ms=2000\nkeepalive-seconds=10\n"
    "[log]\ntarget=file\n[tasks]\ndeadline-check-seconds=2\n%s",
    state, port, parent_url ? parent_url : "", parent_url ? "" : "approvers=so\n");
  return write_text (conf, text, error);
}

static gboolean
relay_start (Sandbox *s, const char *relay_bin, const char *name, guint port, GError **error)
{
  g_autofree char *dir = relay_dir (s, name);
  g_autofree char *conf = g_build_filename (dir, "relay.conf", NULL);
  const char *argv[] = { relay_bin, "-c", conf, "run", NULL };
  if (!start_daemon (s, name, argv, error) || !wait_port (port, name, error))
    return FALSE;
  g_autofree char *url = g_strdup_printf ("https://127.0.0.1:%u", port);
  g_hash_table_insert (s->urls, g_strdup (name), g_strdup (url));
  JsonObject *o = json_object_new ();
  json_object_set_string_member (o, "url", url);
  json_object_set_string_member (o, "config", conf);
  json_object_set_object_member (json_object_get_object_member (s->state, "relays"), name, o);
  return TRUE;
}

/* The parent relay's administrator approves a request: csr add, then csr approve. */
static gboolean
approve_csr (Sandbox *s, const char *relay_bin, const char *parent, const char *csr_path,
             const char *roles, const char *out, GError **error)
{
  g_autofree char *pdir = relay_dir (s, parent);
  g_autofree char *conf = g_build_filename (pdir, "relay.conf", NULL);
  g_autofree char *added = NULL;
  if (!run_tool (&added, error, relay_bin, "-c", conf, "csr", "add", csr_path, NULL))
    return FALSE;
  const char *p = strstr (added, "Request ");
  if (!p)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_FAILED, _("Unexpected answer of csr add: %s"), added);
      return FALSE;
    }
  g_autofree char *number = g_strdup_printf ("%" G_GINT64_FORMAT, g_ascii_strtoll (p + 8, NULL, 10));
  return run_tool (NULL, error, relay_bin, "-c", conf, "csr", "approve", number, "--role", roles,
                   "--out", out, NULL);
}

static gboolean
copy_file (const char *from, const char *to, GError **error)
{
  g_autofree char *text = NULL;
  return g_file_get_contents (from, &text, NULL, error) && write_text (to, text, error);
}

static gboolean
enrol_relay (Sandbox *s, const char *relay_bin, const char *name, GError **error)
{
  g_autofree char *dir = relay_dir (s, name);
  g_autofree char *conf = g_build_filename (dir, "relay.conf", NULL);
  g_autofree char *csr = g_build_filename (dir, "node.csr", NULL);
  g_autofree char *pem = g_build_filename (dir, "node.pem", NULL);
  g_autofree char *ca = g_build_filename (dir, "root-ca.pem", NULL);
  g_autofree char *root_dir = relay_dir (s, "root");
  g_autofree char *root_ca = g_build_filename (root_dir, "root-ca.pem", NULL);
  g_autofree char *company = g_ascii_strup (name, 3);
  return run_tool (NULL, error, relay_bin, "-c", conf, "init-node", "--company", company,
                   "--department", "IT", "--email", "joconde@sandbox.invalid", "--name", name,
                   "--role", "relay", NULL)
         && approve_csr (s, relay_bin, "root", csr, "relay", pem, error)
         && copy_file (root_ca, ca, error);
}

static gboolean
enrol_client (Sandbox *s, const char *relay_bin, const NodeSpec *spec, GError **error)
{
  g_autofree char *dir = g_build_filename (s->dir, "nodes", spec->name, NULL);
  g_autofree char *root_dir = relay_dir (s, "root");
  g_autofree char *root_ca = g_build_filename (root_dir, "root-ca.pem", NULL);
  JcRoles roles = JC_ROLE_NONE;
  if (!jc_roles_parse (spec->roles, &roles, error))
    return FALSE;
  g_autofree char *company = spec->organisation ? g_ascii_strup (spec->organisation, -1)
                                                : g_strdup ("System Operator");
  JcClientProfileSetup setup = { .name = spec->name, .company = company, .department = "Sandbox",
                                 .email = "joconde@sandbox.invalid", .roles = roles,
                                 .parent_url = g_hash_table_lookup (s->urls, spec->parent),
                                 .root_ca_file = root_ca, .organisation = spec->organisation };
  g_autoptr(JcClientProfile) profile = jc_client_profile_create (dir, &setup, error);
  if (!profile)
    return FALSE;
  g_autofree char *csr = jc_client_profile_path (profile, "node.csr");
  g_autofree char *issued = jc_client_profile_path (profile, "issued.pem");
  g_autofree char *pem = NULL;
  if (!approve_csr (s, relay_bin, spec->parent, csr, spec->roles, issued, error)
      || !g_file_get_contents (issued, &pem, NULL, error)
      || !jc_client_profile_install_chain (profile, pem, error))
    return FALSE;
  g_unlink (issued);
  /* The SO's approver certificate, which every node pins to check the agreements. */
  g_autofree char *root_pem = g_build_filename (root_dir, "node.pem", NULL);
  g_autofree char *approver = jc_client_profile_path (profile, "approver.pem");
  if (!copy_file (root_pem, approver, error))
    return FALSE;
  JsonObject *o = json_object_new ();
  json_object_set_string_member (o, "profile", dir);
  json_object_set_string_member (o, "parent", spec->parent);
  json_object_set_string_member (o, "roles", spec->roles);
  json_object_set_object_member (json_object_get_object_member (s->state, "nodes"), spec->name, o);
  return TRUE;
}

/* A computing party: joconde-cpd with its own key, under the root. */
static gboolean
start_cp (Sandbox *s, const char *relay_bin, const char *cpd_bin, const char *guest_bin,
          const char *name, GError **error)
{
  g_autofree char *dir = g_build_filename (s->dir, "cps", name, NULL);
  g_autofree char *root_dir = relay_dir (s, "root");
  g_autofree char *root_ca = g_build_filename (root_dir, "root-ca.pem", NULL);
  g_autofree char *root_pem = g_build_filename (root_dir, "node.pem", NULL);
  g_autofree char *csr = g_build_filename (dir, "node.csr", NULL);
  g_autofree char *pem = g_build_filename (dir, "node.pem", NULL);
  g_autofree char *ca = g_build_filename (dir, "root-ca.pem", NULL);
  g_autofree char *approver = g_build_filename (dir, "approver.pem", NULL);
  g_autofree char *conf = g_build_filename (dir, "cpd.conf", NULL);
  g_autofree char *state = g_build_filename (dir, "state", NULL);
  g_autofree char *images = g_build_filename (s->dir, "images", NULL);
  g_mkdir_with_parents (dir, 0700);
  if (!run_tool (NULL, error, cpd_bin, "enrol", "--name", name, "--company", "Computing Party",
                 "--email", "joconde@sandbox.invalid", "-o", dir, NULL)
      || !approve_csr (s, relay_bin, "root", csr, "cp", pem, error)
      || !copy_file (root_ca, ca, error)
      || !copy_file (root_pem, approver, error))
    return FALSE;
  guint port_min = free_port ();
  g_autofree char *text = g_strdup_printf (
    "[node]\ncertificate=node.pem\nkey=node.key\nroot-ca=root-ca.pem\napprover=approver.pem\n"
    "state-dir=%s\n[parent]\nurl=%s\nreconnect-min-ms=100\nreconnect-max-ms=2000\n"
    "[images]\ndirectory=%s\n"
    "[backend]\ntype=%s\nguest-binary=%s\nkvm=false\n%s"
    "[vm]\nlisten-address=127.0.0.1\npublic-host=127.0.0.1\nport-min=%u\nport-max=%u\npoll-ms=200\n"
    "[log]\ntarget=stderr\n",
    state, (char *) g_hash_table_lookup (s->urls, "root"), images, s->backend,
    guest_bin ? guest_bin : "",
    g_str_equal (s->backend, "libvirt") ? "libvirt-uris=qemu:///session\nmemory-mib=512\nvcpus=1\n" : "",
    port_min, MIN (port_min + 40, 65535));
  if (!write_text (conf, text, error))
    return FALSE;
  const char *argv[] = { cpd_bin, "-c", conf, "run", NULL };
  /* libvirt: each cp has its own per-user libvirt daemon. Its sockets (QEMU's monitor in the
   * config directory too) must have paths of at most 107 bytes: its directories are in a
   * short one of their own under /tmp, removed by `sandbox down`. */
  g_autoptr(JcLibvirtSession) libvirt = NULL;
  if (g_str_equal (s->backend, "libvirt"))
    {
      g_autofree char *home = g_dir_make_tmp ("jc-lv-XXXXXX", error);
      if (!home || !(libvirt = jc_libvirt_session_new (home, error)))
        return FALSE;
    }
  JsonObject *o = json_object_new ();
  if (libvirt)
    {
      json_object_set_string_member (o, "libvirt_home", libvirt->home);
      json_object_set_string_member (o, "libvirt_runtime_dir", libvirt->runtime_dir);
    }
  json_object_set_object_member (json_object_get_object_member (s->state, "computing_parties"), name, o);
  if (!start_daemon_in (s, name, argv, libvirt, error))
    return FALSE;
  json_object_set_string_member (o, "dir", dir);
  json_object_set_string_member (o, "config", conf);
  return TRUE;
}

static gboolean
write_image_file (const char *dir, const char *name, const char *text, char **sha256, GError **error)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  if (!write_text (path, text, error))
    return FALSE;
  *sha256 = g_compute_checksum_for_string (G_CHECKSUM_SHA256, text, -1);
  return TRUE;
}

/* The guest image built by this build (ninja -C build guest-image): $JC_GUEST_IMAGE_DIR or
 * the build tree next to jocondectl. */
static char *
guest_image_dir (void)
{
  const char *e = g_getenv ("JC_GUEST_IMAGE_DIR");
  if (e && *e)
    return g_strdup (e);
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  if (!self)
    return NULL;
  g_autofree char *cli = g_path_get_dirname (self);
  g_autofree char *p = g_build_filename (cli, "..", "..", "guest", "image", NULL);
  return g_canonicalize_filename (p, NULL);
}

/* The image repository of the cps. With the process backend the orchestrator runs as a
 * process and the image's kernel is never booted, but the cpd checks the files against
 * the manifest all the same; with libvirt the real guest image of this build is used. */
static gboolean
write_images (Sandbox *s, GError **error)
{
  g_autofree char *images = g_build_filename (s->dir, "images", NULL);
  g_autofree char *dir = g_build_filename (images, "rss3", NULL);
  g_mkdir_with_parents (dir, 0700);
  if (g_str_equal (s->backend, "libvirt"))
    {
      g_autofree char *src = guest_image_dir ();
      g_autofree char *built = src ? g_build_filename (src, "manifest.json", NULL) : NULL;
      if (!built || !g_file_test (built, G_FILE_TEST_EXISTS))
        {
          g_set_error (error, JC_ERROR, JC_ERROR_NOT_FOUND,
                       _("The libvirt backend needs the guest image of this build (ninja -C build "
                         "guest-image, docs/guest-image.md)"));
          return FALSE;
        }
      const char *files[] = { "manifest.json", "vmlinuz", "initrd.img", NULL };
      for (guint i = 0; files[i]; i++)
        {
          g_autofree char *from = g_build_filename (src, files[i], NULL);
          g_autofree char *to = g_build_filename (dir, files[i], NULL);
          g_autoptr(GFile) f = g_file_new_for_path (from), t = g_file_new_for_path (to);
          if (!g_file_copy (f, t, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, error))
            return FALSE;
        }
      return TRUE;
    }
  g_autofree char *ks = NULL, *is = NULL;
  if (!write_image_file (dir, "vmlinuz", "process backend: no kernel is booted\n", &ks, error)
      || !write_image_file (dir, "initrd.img", "process backend: no initrd is loaded\n", &is, error))
    return FALSE;
  g_autofree char *manifest = g_strdup_printf (
    "{\"format\": \"joconde-guest-image/1\", \"engines\": [\"rss3-sh-z64\"], \"guest_port\": 8443,"
    " \"kernel\": {\"file\": \"vmlinuz\", \"sha256\": \"%s\"},"
    " \"initrd\": {\"file\": \"initrd.img\", \"sha256\": \"%s\"},"
    " \"cmdline\": \"console=ttyS0\", \"expected_snp_measurement\": null, \"expected_tdx_mrtd\": null}\n",
    ks, is);
  g_autofree char *path = g_build_filename (dir, "manifest.json", NULL);
  return write_text (path, manifest, error);
}

/* Every client node knows every other client node and the cps (unverified, as after an
 * import: the sandbox's users have nobody to phone). */
static gboolean
share_views (Sandbox *s, GError **error)
{
  g_autoptr(GPtrArray) chains = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < G_N_ELEMENTS (client_nodes); i++)
    g_ptr_array_add (chains, g_build_filename (s->dir, "nodes", client_nodes[i].name, "node.pem", NULL));
  for (guint i = 0; i < G_N_ELEMENTS (cps); i++)
    g_ptr_array_add (chains, g_build_filename (s->dir, "cps", cps[i], "node.pem", NULL));
  for (guint n = 0; n < G_N_ELEMENTS (client_nodes); n++)
    {
      g_autofree char *dir = g_build_filename (s->dir, "nodes", client_nodes[n].name, NULL);
      g_autoptr(JcClientProfile) p = jc_client_profile_open (dir, error);
      g_autoptr(JcCert) ca = p ? jc_client_profile_get_root_ca (p, error) : NULL;
      if (!ca)
        return FALSE;
      for (guint i = 0; i < chains->len; i++)
        {
          g_autofree char *pem = NULL;
          if (!g_file_get_contents (chains->pdata[i], &pem, NULL, error))
            return FALSE;
          g_autofree char *name = jc_client_peers_import (jc_client_profile_get_store (p), ca, pem, error);
          if (!name)
            return FALSE;
        }
    }
  return TRUE;
}

/* Connects every client node once, so that the relays route to all of them. */
static gboolean
connect_all (Sandbox *s, GError **error)
{
  g_autoptr(GPtrArray) nodes = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint n = 0; n < G_N_ELEMENTS (client_nodes); n++)
    {
      g_autofree char *dir = g_build_filename (s->dir, "nodes", client_nodes[n].name, NULL);
      JcClientNode *node = jc_client_node_open (dir, error);
      if (!node)
        return FALSE;
      g_ptr_array_add (nodes, node);
      if (!jc_client_node_connect (node, error))
        return FALSE;
    }
  for (guint n = 0; n < nodes->len; n++)
    if (!jc_client_node_sync (nodes->pdata[n], 100, 30000, error))
      {
        g_prefix_error (error, "%s: ", jc_client_node_get_name (nodes->pdata[n]));
        return FALSE;
      }
  return TRUE;
}

/* --- up, down --------------------------------------------------------------------------- */

static gboolean sandbox_up (const char *dir, const char *backend, GError **error);

/* Starts the sandbox; on failure stops whatever it had started. */
gboolean
jc_cli_sandbox_up (const char *dir, const char *backend, GError **error)
{
  g_autofree char *json = g_build_filename (dir, "sandbox.json", NULL);
  gboolean existed = g_file_test (json, G_FILE_TEST_EXISTS);
  if (sandbox_up (dir, backend, error))
    return TRUE;
  if (!existed && g_file_test (json, G_FILE_TEST_EXISTS))
    jc_cli_sandbox_down (dir, NULL);
  return FALSE;
}

static gboolean
sandbox_up (const char *dir, const char *backend, GError **error)
{
  g_auto(Sandbox) s = { 0 };
  s.dir = g_canonicalize_filename (dir, NULL);
  s.backend = g_strdup (backend);
  s.urls = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  s.pids = g_ptr_array_new ();
  s.state = json_object_new ();
  json_object_set_string_member (s.state, "dir", s.dir);
  json_object_set_string_member (s.state, "backend", backend);
  json_object_set_array_member (s.state, "pids", json_array_new ());
  json_object_set_object_member (s.state, "relays", json_object_new ());
  json_object_set_object_member (s.state, "computing_parties", json_object_new ());
  json_object_set_object_member (s.state, "nodes", json_object_new ());

  g_autofree char *json_path = g_build_filename (s.dir, "sandbox.json", NULL);
  if (g_file_test (json_path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_EXISTS,
                   _("%s holds a sandbox already: stop it with “jocondectl sandbox down --dir %s” "
                     "and use a new directory"), s.dir, dir);
      return FALSE;
    }
  g_autofree char *relay_bin = jc_cli_sandbox_find_program ("joconde-relay", "JC_RELAY_BIN", "relay");
  g_autofree char *cpd_bin = jc_cli_sandbox_find_program ("joconde-cpd", "JC_CPD_BIN", "cpd");
  g_autofree char *guest_bin = jc_cli_sandbox_find_program ("joconde-guest", "JC_GUEST_BINARY", "guest");
  if (!relay_bin || !cpd_bin || (!guest_bin && g_str_equal (backend, "process")))
    {
      g_set_error (error, JC_ERROR, JC_ERROR_NOT_FOUND,
                   _("Cannot find %s (build the whole project, or set JC_RELAY_BIN, JC_CPD_BIN, "
                     "JC_GUEST_BINARY)"),
                   !relay_bin ? "joconde-relay" : !cpd_bin ? "joconde-cpd" : "joconde-guest");
      return FALSE;
    }
  if (g_mkdir_with_parents (s.dir, 0700) != 0)
    {
      int e = errno;
      g_set_error (error, JC_ERROR, JC_ERROR_IO, _("Cannot create %s: %s"), s.dir, g_strerror (e));
      return FALSE;
    }

  /* The root: a new System (root CA, root relay with the approver role). */
  guint root_port = free_port ();
  g_autofree char *root_dir = relay_dir (&s, "root");
  g_autofree char *root_conf = g_build_filename (root_dir, "relay.conf", NULL);
  if (!relay_configure (&s, "root", NULL, root_port, error)
      || !run_tool (NULL, error, relay_bin, "-c", root_conf, "init-root", "--company",
                    "System Operator", "--department", "Sandbox", "--email",
                    "joconde@sandbox.invalid", "--name", "root", NULL)
      || !relay_start (&s, relay_bin, "root", root_port, error))
    return FALSE;
  g_autofree char *root_url = g_strdup (g_hash_table_lookup (s.urls, "root"));

  for (guint i = 0; i < G_N_ELEMENTS (org_relays); i++)
    {
      guint port = free_port ();
      if (!relay_configure (&s, org_relays[i], root_url, port, error)
          || !enrol_relay (&s, relay_bin, org_relays[i], error)
          || !relay_start (&s, relay_bin, org_relays[i], port, error))
        return FALSE;
    }
  if (!write_images (&s, error))
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (cps); i++)
    if (!start_cp (&s, relay_bin, cpd_bin, guest_bin, cps[i], error))
      return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (client_nodes); i++)
    if (!enrol_client (&s, relay_bin, &client_nodes[i], error))
      return FALSE;
  if (!share_views (&s, error) || !connect_all (&s, error))
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (cps); i++)
    {
      g_autofree char *file = g_strdup_printf ("%s.log", cps[i]);
      g_autofree char *log = g_build_filename (s.dir, "logs", file, NULL);
      if (!wait_file_line (log, "ready", cps[i], error))
        return FALSE;
    }

  g_autofree char *root_ca = g_build_filename (root_dir, "root-ca.pem", NULL);
  json_object_set_string_member (s.state, "root_ca", root_ca);
  g_autoptr(JsonNode) root = json_node_init_object (json_node_alloc (), s.state);
  g_autofree char *text = json_to_string (root, TRUE);
  return write_text (json_path, text, error);
}

/* What the sandbox's state file lists: its own daemons, nothing else by a reused pid. */
static const char *const daemon_names[] = { "joconde-", NULL };

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) d = g_dir_open (path, 0, NULL);
  for (const char *n = d ? g_dir_read_name (d) : NULL; n; n = g_dir_read_name (d))
    {
      g_autofree char *p = g_build_filename (path, n, NULL);
      if (g_file_test (p, G_FILE_TEST_IS_DIR) && !g_file_test (p, G_FILE_TEST_IS_SYMLINK))
        remove_tree (p);
      else
        g_unlink (p);
    }
  g_rmdir (path);
}

/* A libvirt cp's task VMs (domains outlive the cpd by design) and then its per-user libvirt
 * daemons, found through their pid files in the cp's private runtime directory. */
static void
stop_libvirt (const char *home, const char *runtime)
{
  jc_libvirt_session_stop (runtime);
  /* Only a directory this sandbox made (jc-lv-XXXXXX under the temporary directory). */
  g_autofree char *base = home ? g_path_get_basename (home) : NULL;
  if (base && g_str_has_prefix (base, "jc-lv-"))
    remove_tree (home);
}

gboolean
jc_cli_sandbox_down (const char *dir, GError **error)
{
  g_autofree char *path = g_build_filename (dir, "sandbox.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  if (!json_parser_load_from_file (parser, path, error))
    {
      g_prefix_error (error, _("No sandbox in %s: "), dir);
      return FALSE;
    }
  JsonNode *root = json_parser_get_root (parser);
  JsonObject *state = JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  JsonArray *pids = state ? json_object_get_array_member (state, "pids") : NULL;
  if (!pids)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_INVALID, _("%s lists no processes"), path);
      return FALSE;
    }
  /* Children first (the cps and client relays), the root last. */
  for (gint i = (gint) json_array_get_length (pids) - 1; i >= 0; i--)
    jc_pid_stop ((GPid) json_array_get_int_element (pids, i), daemon_names);
  /* With the cpds gone nothing starts a VM or a libvirt daemon any more. */
  JsonObject *cps_o = json_object_has_member (state, "computing_parties")
                      ? json_object_get_object_member (state, "computing_parties") : NULL;
  g_autoptr(GList) members = cps_o ? json_object_get_members (cps_o) : NULL;
  for (GList *m = members; m; m = m->next)
    {
      JsonNode *n = json_object_get_member (cps_o, m->data);
      const char *runtime = JSON_NODE_HOLDS_OBJECT (n)
        ? json_object_get_string_member_with_default (json_node_get_object (n), "libvirt_runtime_dir", NULL)
        : NULL;
      if (runtime)
        stop_libvirt (json_object_get_string_member_with_default (json_node_get_object (n),
                                                                  "libvirt_home", NULL), runtime);
    }
  g_autofree char *stopped = g_build_filename (dir, "sandbox.stopped.json", NULL);
  if (g_rename (path, stopped) != 0)
    {
      g_set_error (error, JC_ERROR, JC_ERROR_IO, _("Cannot rename %s"), path);
      return FALSE;
    }
  return TRUE;
}

/* --- the command ------------------------------------------------------------------------ */

int
jc_cli_sandbox (int argc, char **argv)
{
  g_autofree char *dir = NULL, *backend = NULL;
  gint rows = 100000;
  gboolean stop = FALSE;
  const GOptionEntry entries[] = {
    { "stop", 0, 0, G_OPTION_ARG_NONE, &stop,
      N_("demo: stop the sandbox once the result is shown"), NULL },
    { "rows", 'r', 0, G_OPTION_ARG_INT, &rows,
      N_("demo: persons in the example's generated data (default 100000)"), N_("N") },
    { "dir", 'd', 0, G_OPTION_ARG_FILENAME, &dir, N_("The sandbox's directory"), N_("DIR") },
    { "backend", 'b', 0, G_OPTION_ARG_STRING, &backend,
      N_("How the cps run task VMs: process (default) or libvirt (real VMs under TCG)"), N_("BACKEND") },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) ctx = jc_cli_context_new ("sandbox", _("up|down|demo"),
    _("A whole JOCONDE System on this machine, for trying it out and for tests."),
    _("  up    starts, in DIR, a root relay (the System Operator) with the SO's approver node\n"
      "        so; three computing parties cp1, cp2, cp3 (joconde-cpd); the relays nsi-relay\n"
      "        and mno-relay of two organisations, each with the client nodes <org> (the\n"
      "        organiser's node), <org>-signatory, <org>-custodian and <org>-analyst. A fresh\n"
      "        PKI, loopback only, free ports. Returns when everything runs and is enrolled;\n"
      "        writes DIR/sandbox.json (addresses, profile paths, processes). The client\n"
      "        nodes' profiles are DIR/nodes/NAME: use them with --node.\n"
      "  down  stops every process of the sandbox in DIR.\n"
      "  demo  starts a sandbox if DIR has none, runs the example task of examples/\n"
      "        (subscription rates per region and age band) from draft to downloaded\n"
      "        result, prints the result table, and leaves the sandbox running.\n\n"
      "Logs are in DIR/logs. Example:\n  jocondectl sandbox up --dir /tmp/joconde\n"
      "  jocondectl status --node /tmp/joconde/nodes/nsi --task …\n"
      "  jocondectl sandbox down --dir /tmp/joconde"));
  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  int status = 0;
  if (!jc_cli_parse (ctx, &argc, &argv, &status))
    return status;
  if (argc != 2 || !dir)
    return jc_cli_usage ("sandbox", _("give up, down or demo, and --dir DIR"));
  if (backend && !g_str_equal (backend, "process") && !g_str_equal (backend, "libvirt"))
    return jc_cli_usage ("sandbox", _("--backend is process or libvirt"));
  GError *error = NULL;
  if (g_str_equal (argv[1], "up"))
    {
      if (!jc_cli_sandbox_up (dir, backend ? backend : "process", &error))
        return jc_cli_fail (error);
      printf (_("Sandbox running in %s (see sandbox.json); stop it with “jocondectl sandbox down --dir %s”.\n"),
              dir, dir);
      return 0;
    }
  if (g_str_equal (argv[1], "down"))
    {
      if (!jc_cli_sandbox_down (dir, &error))
        return jc_cli_fail (error);
      printf (_("Sandbox in %s stopped.\n"), dir);
      return 0;
    }
  if (g_str_equal (argv[1], "demo"))
    {
      if (rows < 1)
        return jc_cli_usage ("sandbox", _("--rows is a positive number"));
      return jc_cli_sandbox_demo (dir, backend ? backend : "process", (guint) rows, stop);
    }
  return jc_cli_usage ("sandbox", _("give up, down or demo"));
}
