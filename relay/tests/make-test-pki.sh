#!/bin/sh
# Makes the certificates of a test tree with certtool (gnutls-bin), at test time:
#   ca (offline root CA) -> root (root relay node) -> org (organisation relay) -> a, b
#                                                                             -> dept -> d
#                                                  -> c, x (leaves directly under root)
#                                                  -> expired, revoked (+ root.crl)
#   other-ca -> other (a certificate of another System)
# Roles (urn:joconde:role:… URIs): root relay+approver, org relay, a organiser,
# b custodian, c organiser+signatory, x none, so approver, cp1..cp3 cp (under root).
# For each node N: N.key, N.pem (its certificate) and N.chain (N.pem + issuers, no CA).
set -eu
dir=$1
mkdir -p "$dir"
cd "$dir"

key () { certtool --generate-privkey --key-type=ecdsa --curve=secp256r1 --outfile "$1.key" 2>/dev/null; }

tmpl () { # name ca? [expired]
  {
    echo "cn = $1"
    echo "organization = Test Org $1"
    echo "unit = Statistics"
    echo "email = joconde@$1.example"
    echo "serial = $(od -An -N4 -tu4 /dev/urandom | tr -d ' \n')"
    # Relays (CAs) serve TLS too: they get no extended key usage at all (any purpose),
    # since certtool leaves the e-mail out of certificates marked for TLS servers.
    if [ "$2" = ca ]; then
      echo "ca"; echo "cert_signing_key"; echo "crl_signing_key"; echo "ip_address = 127.0.0.1"
    else
      echo "tls_www_client"
    fi
    echo "signing_key"
    for r in ${ROLES:-}; do echo "uri = urn:joconde:role:$r"; done
    if [ "${3:-}" = expired ]; then
      echo 'activation_date = "2020-01-01 00:00:00 UTC"'
      echo 'expiration_date = "2021-01-01 00:00:00 UTC"'
    else
      echo "expiration_days = 30"
    fi
  } > "$1.tmpl"
}

selfsigned () { key "$1"; tmpl "$1" ca
  certtool --generate-self-signed --load-privkey "$1.key" --template "$1.tmpl" \
    --outfile "$1.pem" 2>/dev/null; }

issue () { # name issuer ca? [expired]
  key "$1"; tmpl "$1" "$3" "${4:-}"
  certtool --generate-certificate --load-privkey "$1.key" --load-ca-certificate "$2.pem" \
    --load-ca-privkey "$2.key" --template "$1.tmpl" --outfile "$1.pem" 2>/dev/null
  if [ -f "$2.chain" ]; then cat "$1.pem" "$2.chain" > "$1.chain"; else cp "$1.pem" "$1.chain"; fi
}

selfsigned ca
ROLES="relay approver" issue root ca ca
ROLES="relay" issue org root ca
ROLES="organiser" issue a org leaf
ROLES="custodian" issue b org leaf
ROLES="organiser signatory" issue c root leaf
ROLES="approver" issue so root leaf
ROLES="cp" issue cp1 root leaf
ROLES="cp" issue cp2 root leaf
ROLES="cp" issue cp3 root leaf
ROLES="relay" issue dept org ca
ROLES="analyst" issue d dept leaf
ROLES="" issue x root leaf
issue expired root leaf expired
issue revoked root leaf
selfsigned other-ca
issue other other-ca leaf
cp other.pem other.chain

echo "expiration_days = 30" > crl.tmpl
certtool --generate-crl --load-ca-privkey root.key --load-ca-certificate root.pem \
  --load-certificate revoked.pem --template crl.tmpl --outfile root.crl 2>/dev/null
