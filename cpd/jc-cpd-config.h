#pragma once

#include <glib.h>

#include "jc-log.h"

G_BEGIN_DECLS

/* joconde-cpd's configuration (cpd/joconde-cpd.conf documents every option). Relative file
 * names are looked up in $CREDENTIALS_DIRECTORY when it is set (systemd LoadCredential=),
 * else next to the configuration file. */
typedef struct {
  char        *path;
  /* [node] */
  char        *certificate;     /* this cpd's certificate, then its issuers (PEM) */
  char        *key;
  char        *root_ca;         /* the pinned root CA of the tree */
  char        *approver;        /* the SO approver's certificate chain, leaf first (PEM) */
  char        *crl_file;        /* optional CRLs (PEM) */
  char        *state_dir;
  /* [parent] */
  char        *parent_url;
  guint        reconnect_min_ms;
  guint        reconnect_max_ms;
  /* [images] */
  char        *image_dir;
  /* [backend] */
  char        *backend;         /* "process" or "libvirt" */
  char       **libvirt_uris;
  char        *guest_binary;
  char        *engine_dir;      /* process backend: the orchestrator's engine modules, or NULL */
  gboolean     kvm;
  guint        memory_mib;
  guint        vcpus;
  char        *firmware;        /* OVMF for TEE VMs */
  char        *snp_vcpu_type;
  /* [vm] */
  char        *listen_address;  /* where VM IO endpoints are published */
  char        *public_host;     /* the host name peers and clients reach them at */
  guint        port_min;
  guint        port_max;
  guint        poll_ms;
  /* [log] */
  JcLogTarget  log_target;
  char        *log_file;
} JcCpdConfig;

/* Reads PATH; every option has a default except the parent URL. */
JcCpdConfig *jc_cpd_config_load (const char *path, GError **error);
void         jc_cpd_config_free (JcCpdConfig *config);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JcCpdConfig, jc_cpd_config_free)

G_END_DECLS
