#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The largest Computation Task Agreement the orchestrator accepts, so a hostile file cannot
 * exhaust the VM's memory. */
#define JC_GUEST_CTA_MAX_SIZE (16 * 1024 * 1024)

/* Reads the CTA once, at start: the orchestrator's policy is write-once, so the bytes read
 * here are the only ones it ever acts on. Returns the raw bytes (checked later by the policy
 * engine) or NULL with a JC_ERROR when the file is missing, empty or too large. */
GBytes *jc_guest_cta_load (const char *path, GError **error);

/* The SHA-256 of the CTA bytes as lower-case hex: the value the cpd sets as the TEE's host
 * data, so the VM and its clients can check they talk about the same agreement. */
char *jc_guest_cta_hash (GBytes *cta);

G_END_DECLS
