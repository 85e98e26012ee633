#!/usr/bin/env python3
"""Writes the example documents of data/ (used by the model tests, the jocondectl tests and
docs/model.md). Hashes are computed here with an independent RFC 8785 implementation, so
the C tests that accept these files also cross-check the C canonicaliser. The certificate
and signature bytes are stand-ins: the model does not verify them (the keys/pki areas do).

Run: python3 make-examples.py   (rewrites data/*.json and the examples of docs/model.md)"""
import base64, hashlib, json, os, re

def b64(b): return base64.urlsafe_b64encode(b).rstrip(b"=").decode()
def jcs(v):
    if isinstance(v, dict):
        return "{" + ",".join(json.dumps(k, ensure_ascii=False) + ":" + jcs(v[k])
                             for k in sorted(v, key=lambda k: k.encode("utf-16-be"))) + "}"
    if isinstance(v, list): return "[" + ",".join(jcs(x) for x in v) + "]"
    return json.dumps(v, ensure_ascii=False)
def h(doc): return hashlib.sha256(jcs(doc).encode()).hexdigest()
def der(label):
    body = ("JOCONDE example certificate: " + label).encode()
    return b"\x30" + bytes([len(body)]) + body
def chain_of(name):
    return [der(name), der("root")] if name != "so" else [der("root")]
def chain_fingerprint(name):
    # pki/jc-chain-fingerprint.h: SHA-256 of the DER of the chain, leaf first, concatenated.
    return hashlib.sha256(b"".join(chain_of(name))).hexdigest()
def party(name):
    return {"name": name, "chain": [b64(c) for c in chain_of(name)],
            "fingerprint": chain_fingerprint(name)}
def signer(name):
    return {"name": name, "fingerprint": chain_fingerprint(name)}
def fake(label, n):
    out = b""
    i = 0
    while len(out) < n:
        out += hashlib.sha256(f"{label}/{i}".encode()).digest(); i += 1
    return out[:n]
def sig(label): return b64(fake(label, 64))  # r || s of ECDSA P-256

task = "3f8a2c71-5d2e-4b9a-9c3e-7a1d2f4b6c80"
ctsc = {
  "type": "ctsc", "version": 1,
  "title": "Mobile subscription rates by region and age band",
  "description": "Joins the operator's subscriber table with the population register on the\n"
                 "person ID and counts subscriptions per region and age band.\n"
                 "Cells with fewer than 10 persons are suppressed.",
  "engine": "rss3-sh-z64",
  "tee": {"platform": "sim", "measurements": [fake("measurement", 48).hex()]},
  "deadlines": {"approval": "2026-12-01T12:00:00Z", "input": "2026-12-08T12:00:00Z",
                "execution": "2026-12-09T12:00:00Z", "output": "2026-12-15T12:00:00Z"},
  "computing_parties": [party("cp1"), party("cp2"), party("cp3")],
  "peers": [party("nsi"), party("mno")],
  "inputs": [
    {"key": "population", "peer": "nsi", "schema": [
      {"name": "person_id", "type": "ID"},
      {"name": "region", "type": "CATEGORY", "codes": ["north", "south", "east", "west"]},
      {"name": "birth_date", "type": "DATE"}],
     "quality": "SELECT COUNT(*) FROM population WHERE birth_date > DATE '2026-12-01'"},
    {"key": "subscribers", "peer": 1, "schema": [
      {"name": "person_id", "type": "ID"},
      {"name": "active", "type": "BOOL"},
      {"name": "monthly_fee", "type": "DECIMAL(8,2)"}]},
  ],
  "outputs": [
    {"key": "rates", "peers": [0, "mno"], "schema": [
      {"name": "region", "type": "CATEGORY", "codes": ["north", "south", "east", "west"]},
      {"name": "age_band", "type": "INT"},
      {"name": "persons", "type": "INT"},
      {"name": "subscribers", "type": "INT"}]},
  ],
  "algorithm": "OUTPUT rates AS\n"
               "  SELECT p.region, (2026 - YEAR(p.birth_date)) / 10 AS age_band,\n"
               "         COUNT(*) AS persons, SUM(s.active) AS subscribers\n"
               "  FROM population p JOIN subscribers s ON p.person_id = s.person_id\n"
               "  GROUP BY p.region, age_band\n"
               "  HAVING COUNT(*) >= 10;",
  "attachments": [
    {"title": "Legal basis", "description": "Agreement between the NSI and the MNO.",
     "media_type": "text/plain", "content": b64(b"Article 1. The parties agree ...\n")},
  ],
}
ctsc_hash = h(ctsc)
pak = lambda label: b64(fake("pak " + label, 32))
ctsa_nsi = {
  "type": "ctsa", "version": 1, "ctsc_hash": ctsc_hash, "peer": 0,
  "signatories": [{"name": "Jane Doe, Director General",
                   "identification": {"name": "jane-doe.pdf", "media_type": "application/pdf",
                                      "content": b64(b"%PDF-1.4 example identification\n")}}],
  "custodians": [{"pak": pak("nsi custodian"), "inputs": ["population"]}],
  "analysts": [{"pak": pak("nsi analyst"), "outputs": ["rates"]}],
}
ctsa_mno = {
  "type": "ctsa", "version": 1, "ctsc_hash": ctsc_hash, "peer": 1,
  "signatories": [{"name": "John Smith, Chief Data Officer"}],
  "custodians": [{"pak": pak("mno custodian"), "inputs": ["subscribers"]},
                 {"pak": pak("mno custodian 2"), "inputs": ["subscribers"]}],
  "analysts": [{"pak": pak("mno analyst"), "outputs": ["rates"]}],
}
def node_sig(who, doc_hash):
    return {"type": "node-signature", "version": 1, "algorithm": "ecdsa-p256-sha256",
            "signer": signer(who), "document_hash": doc_hash, "signature": sig(who + doc_hash)}
def signatory_sig(ctsa, label):
    return {"type": "signatory-signature", "version": 1, "ctsa_hash": h(ctsa), "signatory": 0,
            "file": {"name": "signing-sheet-" + label + ".pdf", "media_type": "application/pdf",
                     "content": b64(b"%PDF-1.4 scanned signing sheet " + label.encode())}}
cta = {
  "type": "cta", "version": 1, "task_id": task, "ctsc": ctsc, "ctsas": [ctsa_nsi, ctsa_mno],
  "node_signatures": [node_sig("nsi", ctsc_hash), node_sig("nsi", h(ctsa_nsi)),
                      node_sig("mno", h(ctsa_mno))],
  "signatory_signatures": [signatory_sig(ctsa_nsi, "nsi"), signatory_sig(ctsa_mno, "mno")],
}
cta["approval"] = node_sig("so", h(cta))
pak_registration = {"type": "pak-registration", "version": 1, "task_id": task,
                    "role": "custodian", "pak": pak("nsi custodian")}
telemetry = {"type": "telemetry-event", "version": 1, "task_id": task, "cp": 0,
             "time": "2026-12-08T09:30:00Z", "kind": "data-quality",
             "payload": {"input": "population", "passed": False, "violations": 3,
                         "message": "3 birth dates lie after the reference date"}}
telemetry_state = {"type": "telemetry-event", "version": 1, "task_id": task, "cp": 2,
                   "time": "2026-12-08T12:00:05Z", "kind": "state-change",
                   "payload": {"state": "calculation"}}
control = {"type": "control-message", "version": 1, "task_id": task, "action": "terminate",
           "reason": "The population register extract was the wrong year.",
           "signer": signer("nsi"), "time": "2026-12-08T10:00:00Z"}

here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
for name, doc in [("ctsc", ctsc), ("ctsa", ctsa_nsi), ("ctsa-mno", ctsa_mno), ("cta", cta),
                  ("node-signature", cta["node_signatures"][1]),
                  ("signatory-signature", cta["signatory_signatures"][0]),
                  ("pak-registration", pak_registration), ("telemetry-event", telemetry),
                  ("telemetry-state", telemetry_state), ("control-message", control)]:
    with open(os.path.join(here, name + ".json"), "w") as f:
        json.dump(doc, f, indent=2, ensure_ascii=False)
        f.write("\n")
    print(name, h(doc))

# docs/model.md shows the same files: each ```json block after "<!-- example: NAME -->".
doc_path = os.path.join(here, "..", "..", "..", "..", "docs", "model.md")
with open(doc_path) as f:
    text = f.read()
def replace(m):
    with open(os.path.join(here, m.group(1) + ".json")) as f:
        return "<!-- example: %s -->\n```json\n%s```\n" % (m.group(1), f.read())
text = re.sub(r"<!-- example: ([a-z-]+) -->\n```json\n.*?\n```\n", replace, text, flags=re.S)
with open(doc_path, "w") as f:
    f.write(text)
