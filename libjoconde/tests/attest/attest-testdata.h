/* The shared real attestation test data, $JC_TESTDATA_DIR/attestation (see its README.md
 * and expected.json), for the SEV-SNP, TDX and SNP measurement tests. */
#pragma once

#include <json-glib/json-glib.h>

/* Stops the test program with a clear message unless $JC_TESTDATA_DIR holds the
 * attestation folder: the tests never skip. @what names the tests that need it. */
void        attest_testdata_require  (const char *what);
/* The file @rel under $JC_TESTDATA_DIR/attestation; the program stops if it is unreadable. */
GBytes     *attest_testdata_load     (const char *rel);
/* expected.json, parsed (asserted to be JSON). */
JsonParser *attest_testdata_expected (void);
