#define G_LOG_DOMAIN "joconde-test"
#include "config.h"

#include <string.h>

#include "jc-encoding.h"
#include "jc-error.h"
#include "jc-init.h"
#include "jc-model.h"
#include "../test-docs.h"

/* The expected document hashes of data/ as computed by make-examples.py, an independent
 * RFC 8785 implementation in Python. */
static const struct { const char *file; const char *hash; } examples[] = {
  { "ctsc", "b93b749b5bad08901dd1ffb5f3d4d811c29be1f61a961295defb540792c7207a" },
  { "ctsa", "ce208317b2eccafe9fe652e8040695413e8b04bbd973ed803d34496f4b9d96df" },
  { "ctsa-mno", "f87aa969580aa2ebbcd04b9e807bf10385ca997c097d5fa54955960e02089cb4" },
  { "cta", "57a0f49af28b42a917d34c9908e3208f51e1f4870b2db5b3569f1abd8e88af43" },
  { "node-signature", "e92b7a7a9f514b28386d6da6e1d16427f49692677492e9e64b4feae126887016" },
  { "signatory-signature", "0d9aefc88ba96fa27fafbb603834bebf142f253442058caa61c2693138a2f72f" },
  { "pak-registration", "0acc03b1bbb9b94b5492eadeb433943acb83fe125f53364327d42c503bf9c6f1" },
  { "telemetry-event", "9ad5d680c583f5cc02ca888a8deedf74de4a5693c76ea9be04280cb8c2b8c663" },
  { "telemetry-state", "7fcb7d629142f237a3e6480b7d07b98e80cda84c3d28dac1ec1c329322784c48" },
  { "control-message", "b8412301b447bfcbc63760fb21b073953f4e55715245f57abe842d45394224c4" },
};

static char *
data_path (const char *name)
{
  const char *root = g_getenv ("JC_SOURCE_ROOT");
  g_autofree char *file = g_strdup_printf ("%s.json", name);

  return g_build_filename (root ? root : JC_SOURCE_ROOT, "libjoconde", "tests", "model", "data", file, NULL);
}

static JsonNode *
load (const char *name)
{
  g_autofree char *path = data_path (name);
  g_autofree char *text = NULL;
  gsize len;
  g_autoptr(GError) error = NULL;
  JsonNode *node;

  g_file_get_contents (path, &text, &len, &error);
  g_assert_no_error (error);
  node = jc_doc_parse (text, len, NULL, &error);
  g_assert_no_error (error);
  return node;
}

static JsonNode *parse (const char *text);
static char *canonical (JsonNode *node);

/* json_node_copy shares objects and arrays: copy through the text instead. */
static JsonNode *
deep_copy (JsonNode *node)
{
  g_autofree char *text = canonical (node);
  return parse (text);
}

static JsonNode *
parse (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = jc_doc_parse (text, strlen (text), NULL, &error);

  g_assert_no_error (error);
  return node;
}

static char *
canonical (JsonNode *node)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = jc_doc_canonicalize (node, &error);

  g_assert_no_error (error);
  return g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
}

static void
test_examples_valid_and_round_trip (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (examples); i++)
    {
      g_autoptr(JsonNode) node = load (examples[i].file);
      g_autoptr(JcProblems) problems = jc_problems_new ();
      g_autofree char *hash = NULL, *text = NULL, *again = NULL;
      g_autofree char *canon1 = NULL, *canon2 = NULL;
      g_autoptr(JsonNode) back = NULL;
      g_autoptr(GError) error = NULL;
      JcDocumentType type = jc_model_document_type (node);

      g_test_message ("example %s", examples[i].file);
      g_assert_cmpint (type, !=, JC_DOCUMENT_UNKNOWN);
      if (!jc_model_check (node, problems))
        {
          g_autofree char *all = jc_problems_to_string (problems);
          g_error ("example %s has problems:\n%s", examples[i].file, all);
        }
      hash = jc_doc_hash_hex (node, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (hash, ==, examples[i].hash);

      back = jc_model_rewrite (node, &error);
      g_assert_no_error (error);
      canon1 = canonical (node);
      canon2 = canonical (back);
      g_assert_cmpstr (canon1, ==, canon2);

      /* Rendering is deterministic and shows the document hash. */
      text = jc_model_render (node, &error);
      g_assert_no_error (error);
      again = jc_model_render (back, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (text, ==, again);
      g_assert_nonnull (strstr (text, examples[i].hash));
    }
}

static void
test_ctsc_fields (void)
{
  g_autoptr(JsonNode) node = load ("ctsc");
  g_autoptr(GError) error = NULL;
  g_autoptr(JcCtsc) c = jc_ctsc_from_json (node, &error);
  const JcInputSpec *in;
  const JcOutputSpec *out;
  const JcColumn *col;

  g_assert_no_error (error);
  g_assert_cmpstr (c->engine, ==, "rss3-sh-z64");
  g_assert_cmpint (c->platform, ==, JC_TEE_PLATFORM_SIM);
  g_assert_cmpuint (c->measurements->len, ==, 1);
  g_assert_cmpint (c->approval_deadline, <, c->input_deadline);
  g_assert_cmpuint (c->computing_parties->len, ==, 3);
  g_assert_cmpuint (c->peers->len, ==, 2);
  /* Peer references resolve to indices whichever way they are written. */
  in = jc_ctsc_find_input (c, "population");
  g_assert_nonnull (in);
  g_assert_cmpstr (in->peer.name, ==, "nsi");
  g_assert_cmpint (in->peer.index, ==, 0);
  g_assert_nonnull (in->quality);
  in = jc_ctsc_find_input (c, "subscribers");
  g_assert_null (in->peer.name);
  g_assert_cmpint (in->peer.index, ==, 1);
  col = jc_schema_find (in->schema, "monthly_fee");
  g_assert_cmpint (col->type, ==, JC_COLUMN_DECIMAL);
  g_assert_cmpuint (col->precision, ==, 8);
  g_assert_cmpuint (col->scale, ==, 2);
  out = jc_ctsc_find_output (c, "rates");
  g_assert_cmpuint (out->peers->len, ==, 2);
  g_assert_cmpint (g_array_index (out->peers, JcPeerRef, 1).index, ==, 1);
  col = jc_schema_find (out->schema, "region");
  g_assert_cmpint (col->type, ==, JC_COLUMN_CATEGORY);
  g_assert_cmpuint (col->codes->len, ==, 4);
  g_assert_null (jc_ctsc_find_input (c, "rates"));
  g_assert_cmpint (jc_ctsc_find_peer (c, "mno"), ==, 1);
  g_assert_cmpint (jc_ctsc_find_peer (c, "cp1"), ==, -1);
}

/* Replaces the member at the dotted PATH ("inputs.1.schema.0.type") of NODE with the JSON
 * VALUE, or removes it when VALUE is NULL. */
static void
edit (JsonNode *node, const char *path, const char *value)
{
  g_auto(GStrv) parts = g_strsplit (path, ".", -1);
  guint n = g_strv_length (parts);
  JsonNode *cur = node;

  for (guint i = 0; i + 1 < n; i++)
    {
      if (JSON_NODE_HOLDS_ARRAY (cur))
        cur = json_array_get_element (json_node_get_array (cur), (guint) atoi (parts[i]));
      else
        cur = json_object_get_member (json_node_get_object (cur), parts[i]);
      g_assert_nonnull (cur);
    }
  if (JSON_NODE_HOLDS_ARRAY (cur))
    {
      JsonArray *a = json_node_get_array (cur);
      guint idx = (guint) atoi (parts[n - 1]);
      g_assert_nonnull (value);
      if (idx == json_array_get_length (a))
        json_array_add_element (a, parse (value));
      else
        {
          /* json-glib has no "replace element": rebuild the array. */
          JsonArray *copy = json_array_new ();
          for (guint k = 0; k < json_array_get_length (a); k++)
            json_array_add_element (copy, k == idx ? parse (value)
                                                   : json_node_copy (json_array_get_element (a, k)));
          json_node_take_array (cur, copy);
        }
      return;
    }
  if (value == NULL)
    json_object_remove_member (json_node_get_object (cur), parts[n - 1]);
  else
    json_object_set_member (json_node_get_object (cur), parts[n - 1], parse (value));
}

/* One change to a document: the member at PATH set to the JSON VALUE, or removed (NULL). */
typedef struct {
  const char *path;
  const char *value;
} Edit;

/* Applies EDITS, up to the one whose path is NULL. */
static void
apply_edits (JsonNode *node, const Edit *edits)
{
  for (; edits->path; edits++)
    edit (node, edits->path, edits->value);
}

/* NODE must have exactly the EXPECTED problems (NULL-terminated), each a whole line of the
 * list; with PARTIAL, each only somewhere in the list (a line whose end is not known). */
static void
assert_problems_as (JsonNode *node, const char *const *expected, gboolean partial)
{
  g_autoptr(JcProblems) problems = jc_problems_new ();
  g_autofree char *all = NULL;
  guint n = 0;

  g_assert_false (jc_model_check (node, problems));
  all = jc_problems_to_string (problems);
  g_test_message ("problems:\n%s", all);
  for (; expected[n]; n++)
    {
      g_autofree char *line = g_strdup_printf ("%s%s", expected[n], partial ? "" : "\n");
      if (strstr (all, line) == NULL)
        g_error ("expected problem “%s” not among:\n%s", expected[n], all);
    }
  g_assert_cmpuint (jc_problems_count (problems), ==, n);
}

static void
assert_problems (JsonNode *node, const char *const *expected)
{
  assert_problems_as (node, expected, FALSE);
}

/* A document of data/ with a few edits, and the problems validation must then find. */
typedef struct {
  const char *test;          /* the test's path */
  const char *file;
  Edit        edits[8];      /* ended by one with a NULL path */
  const char *expected[10];  /* ended by NULL */
  gboolean    partial;       /* see assert_problems_as */
} ProblemCase;

static const ProblemCase problem_cases[] = {
  /* The issue's own example, alone: the path and the message exactly. */
  { "/model/ctsc/unknown-type", "ctsc",
    { { "inputs.1.schema.0.type", "\"flaot\"" } },
    { "inputs[1].schema[0].type: unknown type \"flaot\" (expected INT, DECIMAL(p,s), BOOL, DATE, CATEGORY or ID)" } },
  /* The TEE: measurements are never an empty list, and only "sim" may leave them out. */
  { "/model/ctsc/tee-empty-measurements", "ctsc",
    { { "tee", "{\"platform\": \"sim\", \"measurements\": []}" } },
    { "tee.measurements: must not be empty" } },
  { "/model/ctsc/tee-missing-measurements", "ctsc",
    { { "tee", "{\"platform\": \"tdx\"}" } },
    { "tee.measurements: is missing" } },
  /* An entry that is not an object does not shift the paths of the others. */
  { "/model/ctsc/paths-aligned", "ctsc",
    { { "inputs.0", "5" },
      { "inputs.1.peer", "9" },
      { "outputs.0", "null" },
      { "outputs.1", "{\"key\": \"subscribers\", \"peers\": [\"nobody\"], \"schema\": [{\"name\": \"n\", \"type\": \"INT\"}]}" } },
    { "inputs[0]: must be an object, not an integer",
      "inputs[1].peer: peer index 9 is out of range (there are 2 peers)",
      "outputs[0]: must be an object, not null",
      "outputs[1].key: the key \"subscribers\" is used twice",
      "outputs[1].peers[0]: no peer is named \"nobody\"",
      "peers[0]: this peer has no input and no output",
      "peers[1]: this peer has no input and no output" } },
  { "/model/ctsa/problems", "ctsa",
    { { "ctsc_hash", "\"ABCD\"" },
      { "peer", "-1" },
      { "signatories", "[]" },
      { "custodians.0.pak", "\"AAAA\"" },
      { "custodians.0.inputs.1", "\"population\"" },
      { "analysts.0.outputs", "[]" } },
    { "ctsc_hash: \"ABCD\" is not 64 lowercase hexadecimal digits",
      "peer: -1 is below the smallest allowed value 0",
      "signatories: must not be empty",
      "custodians[0].pak: holds 3 bytes where 32 are expected",
      "custodians[0].inputs[1]: the key \"population\" is listed twice",
      "analysts[0].outputs: must not be empty" } },
  /* A part that cannot be read does not hide the problems of the others. */
  { "/model/cta/partial", "cta",
    { { "ctsas.1.peer", "\"mno\"" },
      { "ctsas.0.custodians.0.inputs.0", "\"population2\"" } },
    { "ctsas[1].peer: must be an integer, not a string",
      "ctsas[0].custodians[0].inputs[0]: the CTSC has no input \"population2\"",
      "ctsas[0].custodians: no data custodian may upload the input \"population\"" } },
  /* The approval's hash (of the edited CTA) ends the line: partial. */
  { "/model/cta/signatory-out-of-range", "cta",
    { { "signatory_signatures.0.signatory", "5" } },
    { "signatory_signatures[0].signatory: signatory index 5 is out of range (ctsas[0] has 1 signatories)",
      "ctsas[0]: has no signature of any of its signatories",
      "approval.document_hash: does not match the CTA without its approval (whose hash is " },
    TRUE },
  { "/model/cta/wrong-signer", "cta",
    { { "node_signatures.1.signer.fingerprint", "\"1111111111111111111111111111111111111111111111111111111111111111\"" } },
    { "node_signatures[1].signer: ctsas[0] must be signed by its peer \"nsi\" (name and certificate fingerprint as in the CTSC)",
      "ctsas[0]: has no node signature of its peer",
      "approval.document_hash: does not match the CTA without its approval (whose hash is " },
    TRUE },
  { "/model/small-documents/pak-registration", "pak-registration",
    { { "task_id", "\"3F8A2C71-5D2E-4B9A-9C3E-7A1D2F4B6C80\"" },
      { "role", "\"organiser\"" },
      { "pak", "\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"" } },
    { "task_id: \"3F8A2C71-5D2E-4B9A-9C3E-7A1D2F4B6C80\" is not a version-4 UUID in lowercase (xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx)",
      "role: unknown value \"organiser\" (expected one of \"custodian\", \"analyst\")",
      "pak: holds 33 bytes where 32 are expected" } },
  { "/model/small-documents/telemetry-state", "telemetry-state",
    { { "task_id", "\"3f8a2c71-5d2e-1b9a-9c3e-7a1d2f4b6c80\"" },
      { "payload.state", "\"emerging\"" },
      { "time", "\"yesterday\"" } },
    { "task_id: \"3f8a2c71-5d2e-1b9a-9c3e-7a1d2f4b6c80\" is not a version-4 UUID in lowercase (xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx)",
      "payload.state: unknown state \"emerging\" (expected \"initialisation\", \"input\", \"calculation\", \"output\", \"finished\" or \"cancelled\")",
      "time: “yesterday” is not an RFC 3339 date and time such as 2026-11-21T19:43:00Z" } },
  { "/model/small-documents/telemetry-event", "telemetry-event",
    { { "payload.passed", "\"no\"" },
      { "payload.violations", "-3" },
      { "payload.extra", "1" } },
    { "payload.passed: must be true or false, not a string",
      "payload.violations: -3 is below the smallest allowed value 0",
      "payload.extra: unknown field" } },
  { "/model/small-documents/control-message", "control-message",
    { { "action", "\"pause\"" },
      { "reason", "\"\"" },
      { "signer.fingerprint", NULL } },
    { "action: unknown value \"pause\" (expected one of \"cancel\", \"terminate\")",
      "reason: must not be empty",
      "signer.fingerprint: is missing" } },
  { "/model/small-documents/node-signature", "node-signature",
    { { "algorithm", "\"rsa\"" },
      { "signature", "\"\"" },
      { "signer.name", "\"a name of more than sixty-four characters, which is the limit for node names\"" } },
    { "algorithm: unknown value \"rsa\" (expected one of \"ecdsa-p256-sha256\")",
      "signature: holds 0 bytes where 64 are expected",
      "signer.name: \"a name of more than sixty-four characters, which is the limit for node names\" is not a node name (1 to 64 characters)" } },
};

static void
test_problem_case (gconstpointer data)
{
  const ProblemCase *c = data;
  g_autoptr(JsonNode) node = load (c->file);

  apply_edits (node, c->edits);
  assert_problems_as (node, c->expected, c->partial);
}

/* Many problems at once: validation reports all of them, each with its path. */
static void
test_ctsc_all_problems (void)
{
  static const Edit edits[] = {
    { "version", "2" },
    { "title", "\"Two\\nlines\"" },
    { "engine", "\"RSS3\"" },
    { "tee.platform", "\"sgx\"" },
    { "tee.measurements.0", "\"abc\"" },
    { "deadlines.execution", "\"2026-12-07T12:00:00Z\"" },
    { "deadlines.output", "\"2026-12-15T13:00:00+01:00\"" },
    { "computing_parties.1.fingerprint", "\"0000000000000000000000000000000000000000000000000000000000000000\"" },
    { "computing_parties.2.chain.0", "\"not base64!\"" },
    { "inputs.0.schema.0.type", "\"DECIMAL\"" },
    { "inputs.0.schema.1.codes.2", "\"north\"" },
    { "inputs.0.schema.2", "{\"name\": \"income\", \"type\": \"DECIMAL(19,2)\"}" },
    { "inputs.0.schema.3", "{\"name\": \"share\", \"type\": \"DECIMAL(5,6)\"}" },
    { "inputs.0.schema.4", "{\"name\": \"sex\", \"type\": \"CATEGORY\"}" },
    { "inputs.0.schema.5", "{\"name\": \"age\", \"type\": \"INT\", \"codes\": [\"1\"]}" },
    { "inputs.0.schema.6", "{\"name\": \"region\", \"type\": \"BOOL\"}" },
    { "inputs.0.colour", "\"blue\"" },
    { "inputs.1.peer", "7" },
    { "inputs.1.schema.0.type", "\"flaot\"" },
    { "outputs.0.key", "\"population\"" },
    { "outputs.0.peers", "[]" },
    { "outputs.0.schema.0.codes", "[]" },
    { "attachments.0.media_type", "\"Text/Plain\"" },
    { "algorithm", NULL },
    { NULL, NULL },
  };
  g_autoptr(JsonNode) node = load ("ctsc");
  const char *expected[] = {
    "version: version 2 is not supported (this build reads version 1)",
    "title: contains the control character U+000A (one line of text is expected)",
    "engine: \"RSS3\" is not an engine id (lowercase letters, digits and “-”, such as \"rss3-sh-z64\")",
    "tee.platform: unknown value \"sgx\" (expected one of \"sim\", \"sev-snp\", \"tdx\")",
    "tee.measurements[0]: \"abc\" is not 96 lowercase hexadecimal digits",
    "deadlines.execution: must be later than the input deadline",
    "deadlines.output: “2026-12-15T13:00:00+01:00” is not in the canonical form 2026-12-15T12:00:00Z (UTC, whole seconds, “Z”)",
    "computing_parties[1].fingerprint: (set below)",
    "computing_parties[2].chain[0]: Text is not valid unpadded base64url (RFC 4648 §5)",
    "inputs[0].schema[0].type: DECIMAL needs a precision and a scale, such as \"DECIMAL(10,2)\"",
    "inputs[0].schema[1].codes[2]: the code \"north\" is listed twice",
    "inputs[0].schema[2].type: \"DECIMAL(19,2)\": the precision must be 1 to 18 digits",
    "inputs[0].schema[3].type: \"DECIMAL(5,6)\": the scale (digits after the point) must be 0 to the precision 5",
    "inputs[0].schema[4].codes: is missing (a CATEGORY column lists its codes)",
    "inputs[0].schema[5].codes: only a CATEGORY column has codes",
    "inputs[0].schema[6].name: the column name \"region\" is used twice",
    "inputs[0].colour: unknown field",
    "inputs[1].peer: peer index 7 is out of range (there are 2 peers)",
    "inputs[1].schema[0].type: unknown type \"flaot\" (expected INT, DECIMAL(p,s), BOOL, DATE, CATEGORY or ID)",
    "outputs[0].key: the key \"population\" is used twice",
    "outputs[0].peers: must not be empty",
    "outputs[0].schema[0].codes: must not be empty",
    "peers[1]: this peer has no input and no output",
    "attachments[0].media_type: \"Text/Plain\" is not a media type in lowercase such as \"application/pdf\"",
    "algorithm: is missing",
    NULL,
  };

  apply_edits (node, edits);
  /* The real chain fingerprint of cp2 is in the message: SHA-256 of its certificates'
   * DER concatenated, computed here with GLib to compare. */
  {
    JsonObject *cp2 = json_array_get_object_element (
      json_object_get_array_member (json_node_get_object (node), "computing_parties"), 1);
    JsonArray *chain = json_object_get_array_member (cp2, "chain");
    g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
    g_autofree char *line = NULL;

    for (guint k = 0; k < json_array_get_length (chain); k++)
      {
        g_autoptr(GBytes) der = jc_base64url_decode (json_array_get_string_element (chain, k), NULL);
        g_checksum_update (sum, g_bytes_get_data (der, NULL), g_bytes_get_size (der));
      }
    line = g_strdup_printf ("computing_parties[1].fingerprint: does not match the certificate chain (its fingerprint is %s)",
                            g_checksum_get_string (sum));
    expected[7] = line;
    assert_problems (node, expected);
  }
}

static void
test_ctsc_more_problems (void)
{
  static const Edit edits[] = {
    { "tee", "{\"platform\": \"sev-snp\", \"measurements\": []}" },
    { "computing_parties", "[]" },
    { "inputs.0.peer", "\"Statistics Office\"" },
    { "inputs.0.key", "\"2x\"" },
    { "outputs.0.peers", "[1, \"mno\"]" },
    { "description", "\"\"" },
    { NULL, NULL },
  };
  g_autoptr(JsonNode) node = load ("ctsc");
  const char *expected[] = {
    "tee.measurements: must not be empty",
    "computing_parties: must have at least 2 entries",
    "peers[0].name: the node name \"cp1\" is used twice",
    "inputs[0].peer: no peer is named \"Statistics Office\"",
    "peers[0].fingerprint: the same certificate names two nodes",
    "inputs[0].key: \"2x\" is not a name of letters, digits and “_” that starts with a letter or “_” (at most 64)",
    "outputs[0].peers[1]: this peer is listed twice",
    "peers[0]: this peer has no input and no output",
    "description: must not be empty",
    NULL,
  };

  /* The edits touch neither list, so the CP below is copied from the peer as loaded. */
  apply_edits (node, edits);
  /* Re-add one CP named like the first peer: names are unique across both lists. */
  {
    JsonArray *cps = json_object_get_array_member (json_node_get_object (node), "computing_parties");
    JsonArray *peers = json_object_get_array_member (json_node_get_object (node), "peers");
    JsonNode *copy = deep_copy (json_array_get_element (peers, 0));
    json_object_set_string_member (json_node_get_object (copy), "name", "cp1");
    json_array_add_element (cps, copy);
    json_object_set_string_member (json_array_get_object_element (peers, 0), "name", "cp1");
  }
  assert_problems (node, expected);
}

/* The TEE: measurements may be left out for "sim" (the refusals are in problem_cases), and
 * are never listed twice. */
static void
test_ctsc_tee (void)
{
  {
    g_autoptr(JsonNode) node = load ("ctsc");
    g_autoptr(GError) error = NULL;
    g_autoptr(JcCtsc) c = NULL;
    g_autoptr(JsonNode) back = NULL;
    g_autofree char *c1 = NULL, *c2 = NULL;

    edit (node, "tee", "{\"platform\": \"sim\"}");
    c = jc_ctsc_from_json (node, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (c->measurements->len, ==, 0);
    back = jc_ctsc_to_json (c);
    c1 = canonical (node);
    c2 = canonical (back);
    g_assert_cmpstr (c1, ==, c2);
  }
  {
    g_autoptr(JsonNode) node = load ("ctsc");
    g_autoptr(JcCtsc) c = NULL;
    JsonArray *ms;
    edit (node, "tee.platform", "\"sev-snp\"");
    c = jc_ctsc_from_json (node, NULL);
    g_assert_nonnull (c);
    g_assert_cmpint (c->platform, ==, JC_TEE_PLATFORM_SEV_SNP);
    ms = json_object_get_array_member (json_object_get_object_member (json_node_get_object (node), "tee"),
                                       "measurements");
    json_array_add_element (ms, json_node_copy (json_array_get_element (ms, 0)));
    {
      const char *expected[] = { "tee.measurements[1]: this measurement is listed twice", NULL };
      assert_problems (node, expected);
    }
  }
}

static void
test_ctsa_against_ctsc (void)
{
  g_autoptr(JsonNode) cnode = load ("ctsc");
  g_autoptr(JsonNode) anode = load ("ctsa");
  g_autoptr(JcCtsc) c = jc_ctsc_from_json (cnode, NULL);
  g_autoptr(JcCtsa) a = NULL;
  g_autoptr(JcProblems) problems = jc_problems_new ();
  g_autofree char *all = NULL;
  guint8 hash[JC_DOC_HASH_SIZE];

  g_assert_nonnull (c);
  g_assert_true (jc_ctsc_hash (c, hash));
  a = jc_ctsa_from_json (anode, NULL);
  g_assert_nonnull (a);
  g_assert_true (jc_ctsa_check_against (a, c, hash, "", problems));

  /* Another CTSC, another peer's input, an output not for this peer. */
  hash[0] ^= 1;
  g_ptr_array_add (((JcPakGrant *) g_ptr_array_index (a->custodians, 0))->keys, g_strdup ("subscribers"));
  g_ptr_array_add (((JcPakGrant *) g_ptr_array_index (a->custodians, 0))->keys, g_strdup ("nothing"));
  {
    JcOutputSpec *out = g_ptr_array_index (c->outputs, 0);
    g_array_remove_index (out->peers, 0);
  }
  g_assert_false (jc_ctsa_check_against (a, c, hash, "ctsas[0]", problems));
  all = jc_problems_to_string (problems);
  g_test_message ("%s", all);
  g_assert_cmpuint (jc_problems_count (problems), ==, 4);
  g_assert_true (g_str_has_prefix (all, "ctsas[0].ctsc_hash: does not match the CTSC"));
  g_assert_nonnull (strstr (all, "ctsas[0].custodians[0].inputs[1]: the input \"subscribers\" is supplied by another peer\n"));
  g_assert_nonnull (strstr (all, "ctsas[0].custodians[0].inputs[2]: the CTSC has no input \"nothing\"\n"));
  g_assert_nonnull (strstr (all, "ctsas[0].analysts[0].outputs[0]: the output \"rates\" is not for this peer\n"));
}

/* A PAK listed as custodian and as analyst is refused: one PAK serves one role. */
static void
test_ctsa_pak_in_two_roles (void)
{
  g_autoptr(JsonNode) node = load ("ctsa");
  JsonObject *o = json_node_get_object (node);
  const char *pak = json_object_get_string_member (json_array_get_object_element (
                      json_object_get_array_member (o, "custodians"), 0), "pak");
  g_autofree char *quoted = g_strdup_printf ("\"%s\"", pak);
  const char *expected[] = {
    "analysts[0].pak: this PAK is listed twice (a PAK serves one custodian or one analyst)",
    NULL,
  };

  edit (node, "analysts.0.pak", quoted);
  assert_problems (node, expected);
}

/* Changing a CTSA changes its hash, so every signature over the old one matches nothing. */
static void
test_cta_cross_checks (void)
{
  static const Edit edits[] = {
    { "ctsas.1.ctsc_hash", "\"0000000000000000000000000000000000000000000000000000000000000000\"" },
    { "ctsas.0.custodians.0.inputs.0", "\"population2\"" },
    { NULL, NULL },
  };
  g_autoptr(JsonNode) node = load ("cta");
  const char *expected[] = {
    "ctsas[0].custodians[0].inputs[0]: the CTSC has no input \"population2\"",
    "ctsas[1].ctsc_hash: does not match the CTSC (whose hash is b93b749b5bad08901dd1ffb5f3d4d811c29be1f61a961295defb540792c7207a)",
    "node_signatures[1].document_hash: matches neither the CTSC nor any CTSA of this CTA",
    "node_signatures[2].document_hash: matches neither the CTSC nor any CTSA of this CTA",
    "signatory_signatures[0].ctsa_hash: matches no CTSA of this CTA",
    "signatory_signatures[1].ctsa_hash: matches no CTSA of this CTA",
    "ctsas[0]: has no node signature of its peer",
    "ctsas[0]: has no signature of any of its signatories",
    "ctsas[1]: has no node signature of its peer",
    "ctsas[1]: has no signature of any of its signatories",
    "ctsas[0].custodians: no data custodian may upload the input \"population\"",
    NULL, NULL,
  };
  g_autoptr(JcCta) cta = NULL;
  g_autofree char *approval = NULL;

  apply_edits (node, edits);
  /* The expected body hash is that of the edited document without its approval. */
  {
    g_autoptr(JsonNode) copy = deep_copy (node);
    g_autofree char *hex = NULL;
    json_object_remove_member (json_node_get_object (copy), "approval");
    hex = jc_doc_hash_hex (copy, NULL);
    approval = g_strdup_printf ("approval.document_hash: does not match the CTA without its approval (whose hash is %s)", hex);
    expected[11] = approval;
  }
  assert_problems (node, expected);
  cta = jc_cta_from_json (node, NULL);
  g_assert_null (cta);
}

static void
test_cta_body_hash (void)
{
  g_autoptr(JsonNode) node = load ("cta");
  g_autoptr(JcCta) cta = jc_cta_from_json (node, NULL);
  g_autoptr(JsonNode) body = deep_copy (node);
  guint8 h1[JC_DOC_HASH_SIZE], h2[JC_DOC_HASH_SIZE];

  g_assert_nonnull (cta);
  g_assert_cmpstr (cta->task_id, ==, "3f8a2c71-5d2e-4b9a-9c3e-7a1d2f4b6c80");
  g_assert_nonnull (jc_cta_find_ctsa (cta, 1));
  g_assert_null (jc_cta_find_ctsa (cta, 2));
  json_object_remove_member (json_node_get_object (body), "approval");
  g_assert_true (jc_cta_body_hash (cta, h1));
  g_assert_true (jc_doc_hash (body, h2, NULL));
  g_assert_cmpmem (h1, sizeof h1, h2, sizeof h2);
  g_assert_cmpmem (h1, sizeof h1, cta->approval->document_hash, sizeof h1);
}

static void
test_document_type_problems (void)
{
  const struct { const char *json; const char *problem; } cases[] = {
    { "[]", "document: must be a JSON object with \"type\" and \"version\"" },
    { "{}", "type: is missing" },
    { "{\"type\": 3}", "type: must be a string" },
    { "{\"type\": \"ctsd\", \"version\": 1}",
      "type: unknown document type \"ctsd\" (expected \"ctsc\", \"ctsa\", \"cta\", \"node-signature\", \"signatory-signature\", \"pak-registration\", \"telemetry-event\" or \"control-message\")" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonNode) node = parse (cases[i].json);
      const char *expected[] = { cases[i].problem, NULL };
      assert_problems (node, expected);
    }
  {
    g_autoptr(JsonNode) node = parse ("{\"type\": \"pak-registration\"}");
    const char *expected[] = {
      "version: is missing", "task_id: is missing", "role: is missing", "pak: is missing", NULL,
    };
    assert_problems (node, expected);
  }
}

static void
test_from_json_error_lists_all (void)
{
  g_autoptr(JsonNode) node = load ("ctsc");
  g_autoptr(GError) error = NULL;
  g_autoptr(JcCtsc) c = NULL;

  edit (node, "inputs.1.schema.0.type", "\"flaot\"");
  edit (node, "title", "\"\"");
  c = jc_ctsc_from_json (node, &error);
  g_assert_null (c);
  g_assert_error (error, JC_ERROR, JC_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==,
                   "The CTSC is not valid: title: must not be empty; "
                   "inputs[1].schema[0].type: unknown type \"flaot\" (expected INT, DECIMAL(p,s), BOOL, DATE, CATEGORY or ID)");
  /* Rewriting it through the model is refused the same way. */
  g_clear_error (&error);
  g_assert_null (jc_model_rewrite (node, &error));
  g_assert_error (error, JC_ERROR, JC_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "title: must not be empty"));
}

/* No text in a document can fake a line or reorder what a reviewer reads. */
static void
test_render_escapes (void)
{
  g_autoptr(JsonNode) node = load ("ctsc");
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;

  edit (node, "description", "\"Line one\\nFake: \\u202eevil\\u202c back\\\\slash\\ttab\"");
  edit (node, "attachments.0.title", "\"Title \\u2066x\\u2069\"");
  text = jc_model_render (node, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (text, "Description:\n  | Line one\n  | Fake: \\u{202E}evil\\u{202C} "));
  g_assert_null (strstr (text, "\xe2\x80\xae"));
  g_assert_nonnull (strstr (text, "back\\\\slash\ttab\n"));
  g_assert_nonnull (strstr (text, "Title \\u{2066}x\\u{2069}\n"));
}

static void
test_render_ctsc_layout (void)
{
  g_autoptr(JsonNode) node = load ("ctsc");
  g_autofree char *text = jc_model_render (node, NULL);

  g_assert_true (g_str_has_prefix (text,
    "Computation Task Specification Core (CTSC), version 1\n"
    "Document hash (SHA-256): b93b749b5bad08901dd1ffb5f3d4d811c29be1f61a961295defb540792c7207a\n"
    "Title: Mobile subscription rates by region and age band\n"));
  g_assert_nonnull (strstr (text, "TEE platform: sim (SIMULATED: NOT CONFIDENTIAL)\n"));
  g_assert_nonnull (strstr (text, "  [0]: population\n    supplied by peer: [0] nsi\n"
                                  "    column: person_id ID\n"
                                  "    column: region CATEGORY {\"north\", \"south\", \"east\", \"west\"}\n"));
  g_assert_nonnull (strstr (text, "    column: monthly_fee DECIMAL(8,2)\n"));
  g_assert_nonnull (strstr (text, "    retrieved by peer: [1] mno\n"));
  g_assert_nonnull (strstr (text, "Deadlines (UTC):\n  approval: 2026-12-01T12:00:00Z\n"));
}

static void
test_schema_round_trip_types (void)
{
  const char *json =
    "[{\"name\":\"a\",\"type\":\"INT\"},{\"name\":\"b\",\"type\":\"DECIMAL(18,18)\"},"
    "{\"name\":\"c\",\"type\":\"DECIMAL(1,0)\"},{\"name\":\"d\",\"type\":\"BOOL\"},"
    "{\"name\":\"e\",\"type\":\"DATE\"},{\"name\":\"f\",\"type\":\"ID\"},"
    "{\"name\":\"g\",\"type\":\"CATEGORY\",\"codes\":[\"x\",\"y\"]}]";
  const char *bad[] = { "DECIMAL(0,0)", "DECIMAL(10, 2)", "DECIMAL(010,2)", "DECIMAL(10,2", "decimal(10,2)",
                        "DECIMAL(100,2)", "DECIMAL(-1,2)", "int", "" };
  g_autoptr(JsonNode) node = parse (json);
  g_autoptr(JcProblems) problems = jc_problems_new ();
  g_autoptr(GPtrArray) schema = jc_schema_read (node, "schema", problems);
  g_autoptr(JsonNode) back = jc_schema_to_json (schema);
  g_autofree char *c1 = canonical (node), *c2 = canonical (back);

  g_assert_cmpuint (jc_problems_count (problems), ==, 0);
  g_assert_cmpstr (c1, ==, c2);
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *col = g_strdup_printf ("[{\"name\":\"a\",\"type\":\"%s\"}]", bad[i]);
      g_autoptr(JsonNode) n = parse (col);
      g_autoptr(JcProblems) p = jc_problems_new ();
      g_autoptr(GPtrArray) s = jc_schema_read (n, "schema", p);
      g_test_message ("%s", bad[i]);
      g_assert_cmpuint (s->len, ==, 1);
      g_assert_cmpuint (jc_problems_count (p), ==, 1);
      g_assert_cmpstr (jc_problems_path (p, 0), ==, "schema[0].type");
    }
}

/* The constructors of DECIMAL and CATEGORY columns give what a document would. */
static void
test_column_constructors (void)
{
  static const char *const codes[] = { "x", "y", NULL };
  g_autoptr(JcColumn) d = jc_column_new_decimal ("d", 10, 2);
  g_autoptr(JcColumn) c = jc_column_new_category ("c", codes);
  g_autofree char *dname = jc_column_type_name (d);
  g_autofree char *cname = jc_column_type_name (c);

  g_assert_cmpstr (dname, ==, "DECIMAL(10,2)");
  g_assert_cmpstr (cname, ==, "CATEGORY");
  g_assert_cmpuint (c->codes->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (c->codes, 1), ==, "y");
  g_assert_null (d->codes);
}

static JcParty *
make_party (const char *name)
{
  JcParty *party = jc_party_new ();
  g_autofree char *der = g_strdup_printf ("0 certificate of %s", name);

  party->name = g_strdup (name);
  g_ptr_array_add (party->chain, g_bytes_new (der, strlen (der)));
  jc_party_compute_fingerprint (party);
  return party;
}

/* Documents built in memory with the constructors validate and hash like read ones. */
static void
test_build_in_memory (void)
{
  g_autoptr(JcCtsc) c = jc_ctsc_new ();
  g_autoptr(JcCtsa) a = jc_ctsa_new ();
  g_autoptr(JsonNode) cnode = NULL, anode = NULL, reread = NULL;
  g_autoptr(JcProblems) problems = jc_problems_new ();
  g_autoptr(GBytes) pak = g_bytes_new_static ("0123456789abcdef0123456789abcdef", 32);
  g_autoptr(GBytes) canon = NULL;
  g_autoptr(JcCtsc) back = NULL;
  JcInputSpec *in;
  JcOutputSpec *out;
  JcPakGrant *grant;
  g_autofree char *all = NULL;

  c->title = g_strdup ("Built");
  c->description = g_strdup ("Made by a test.");
  c->engine = g_strdup ("rss3-sh-z64");
  c->platform = JC_TEE_PLATFORM_SIM;
  c->approval_deadline = 1000000000;
  c->input_deadline = 1000000100;
  c->execution_deadline = 1000000200;
  c->output_deadline = 1000000300;
  for (int i = 1; i <= 3; i++)
    {
      g_autofree char *name = g_strdup_printf ("cp%d", i);
      g_ptr_array_add (c->computing_parties, make_party (name));
    }
  g_ptr_array_add (c->peers, make_party ("Statistics Office"));
  in = jc_input_spec_new ("people");
  in->peer.index = 0;
  g_ptr_array_add (in->schema, jc_column_new ("age", JC_COLUMN_INT));
  g_ptr_array_add (c->inputs, in);
  out = jc_output_spec_new ("total");
  jc_output_spec_add_peer (out, 0, "Statistics Office");
  g_ptr_array_add (out->schema, jc_column_new ("n", JC_COLUMN_INT));
  g_ptr_array_add (c->outputs, out);
  c->algorithm = g_strdup ("OUTPUT total AS SELECT COUNT(*) AS n FROM people;");
  g_ptr_array_add (c->attachments, jc_attachment_new ("Note", "", "text/plain", pak));

  cnode = jc_ctsc_to_json (c);
  if (!jc_model_check (cnode, problems))
    {
      all = jc_problems_to_string (problems);
      g_error ("built CTSC has problems:\n%s", all);
    }
  canon = jc_doc_canonicalize (cnode, NULL);
  reread = jc_doc_parse_bytes (canon, NULL, NULL);
  back = jc_ctsc_from_json (reread, NULL);
  g_assert_nonnull (back);
  g_assert_cmpint (g_array_index (((JcOutputSpec *) g_ptr_array_index (back->outputs, 0))->peers, JcPeerRef, 0).index, ==, 0);

  g_assert_true (jc_ctsc_hash (c, a->ctsc_hash));
  a->peer = 0;
  g_ptr_array_add (a->signatories, jc_signatory_new ("A. Person", NULL));
  grant = jc_pak_grant_new (pak);
  g_ptr_array_add (grant->keys, g_strdup ("people"));
  g_ptr_array_add (a->custodians, grant);
  anode = jc_ctsa_to_json (a);
  g_assert_true (jc_model_check (anode, problems));
  g_assert_true (jc_ctsa_check_against (a, back, a->ctsc_hash, "", problems));
}

/* A document built with parts missing is written with nulls and reported, not a crash. */
static void
test_build_incomplete (void)
{
  g_autoptr(JcNodeSignature) sig = jc_node_signature_new ();
  g_autoptr(JcCta) cta = jc_cta_new ();
  g_autoptr(JsonNode) snode = jc_node_signature_to_json (sig);
  g_autoptr(JsonNode) cnode = jc_cta_to_json (cta);
  const char *expected_sig[] = {
    "signer.name: must be a string, not null",
    "signature: must be a string, not null",
    NULL,
  };
  g_autoptr(JcProblems) problems = jc_problems_new ();

  assert_problems (snode, expected_sig);
  g_assert_false (jc_model_check (cnode, problems));
  g_assert_cmpuint (jc_problems_count (problems), >=, 5);
}

/* A hostile document cannot make the problem list grow without bound. */
static void
test_problems_capped (void)
{
  g_autoptr(JsonNode) node = load ("pak-registration");
  g_autoptr(JcProblems) problems = jc_problems_new ();
  JsonObject *o = json_node_get_object (node);
  g_autofree char *last = NULL;

  for (int i = 0; i < 3000; i++)
    {
      g_autofree char *key = g_strdup_printf ("x%04d", i);
      json_object_set_int_member (o, key, i);
    }
  g_assert_false (jc_model_check (node, problems));
  g_assert_cmpuint (jc_problems_count (problems), ==, JC_PROBLEMS_MAX + 1);
  g_assert_cmpstr (jc_problems_path (problems, 0), ==, "x0000");
  last = jc_problems_format (problems, JC_PROBLEMS_MAX);
  g_assert_cmpstr (last, ==, "document: more problems were found; only the first 1000 are listed");
}

static void
test_task_states (void)
{
  JcTaskState s;

  for (guint i = 0; i < JC_TASK_STATE_COUNT; i++)
    {
      g_assert_true (jc_task_state_from_string (jc_task_state_to_string (i), &s));
      g_assert_cmpint (s, ==, i);
    }
  g_assert_false (jc_task_state_from_string ("running", &s));
  g_assert_true (jc_task_state_is_vm_state (JC_TASK_CALCULATION));
  g_assert_false (jc_task_state_is_vm_state (JC_TASK_EMERGING));
  g_assert_false (jc_task_state_is_vm_state (JC_TASK_ERASED));
}

/* Every ```json block of docs/model.md is a valid document. */
static void
test_model_md_examples (void)
{
  g_autofree char *text = test_docs_read ("model.md");
  const char *cursor = text;
  char *block;
  guint n = 0;

  while ((block = test_docs_next_block (&cursor, "json")) != NULL)
    {
      g_autofree char *json = block;
      g_autoptr(JsonNode) node = parse (json);
      g_autoptr(JcProblems) problems = jc_problems_new ();

      if (!jc_model_check (node, problems))
        {
          g_autofree char *all = jc_problems_to_string (problems);
          g_error ("docs/model.md example %u has problems:\n%s", n, all);
        }
      n++;
    }
  g_test_message ("%u examples in docs/model.md", n);
  g_assert_cmpuint (n, >=, 8);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_assert_true (jc_init (NULL));
  g_test_add_func ("/model/examples", test_examples_valid_and_round_trip);
  g_test_add_func ("/model/ctsc/fields", test_ctsc_fields);
  g_test_add_func ("/model/ctsc/all-problems", test_ctsc_all_problems);
  g_test_add_func ("/model/ctsc/more-problems", test_ctsc_more_problems);
  g_test_add_func ("/model/ctsc/tee", test_ctsc_tee);
  g_test_add_func ("/model/ctsc/from-json-error", test_from_json_error_lists_all);
  g_test_add_func ("/model/ctsa/against-ctsc", test_ctsa_against_ctsc);
  g_test_add_func ("/model/ctsa/pak-in-two-roles", test_ctsa_pak_in_two_roles);
  g_test_add_func ("/model/cta/cross-checks", test_cta_cross_checks);
  g_test_add_func ("/model/cta/body-hash", test_cta_body_hash);
  for (gsize i = 0; i < G_N_ELEMENTS (problem_cases); i++)
    g_test_add_data_func (problem_cases[i].test, &problem_cases[i], test_problem_case);
  g_test_add_func ("/model/document-type", test_document_type_problems);
  g_test_add_func ("/model/render/escapes", test_render_escapes);
  g_test_add_func ("/model/render/ctsc-layout", test_render_ctsc_layout);
  g_test_add_func ("/model/schema/types", test_schema_round_trip_types);
  g_test_add_func ("/model/schema/column-constructors", test_column_constructors);
  g_test_add_func ("/model/task-states", test_task_states);
  g_test_add_func ("/model/problems-capped", test_problems_capped);
  g_test_add_func ("/model/build/in-memory", test_build_in_memory);
  g_test_add_func ("/model/build/incomplete", test_build_incomplete);
  g_test_add_func ("/model/model-md-examples", test_model_md_examples);
  return g_test_run ();
}
