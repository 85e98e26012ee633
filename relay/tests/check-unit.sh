#!/bin/sh
# TAP: the relay's systemd unit passes systemd-analyze verify, and its exposure score
# stays low (systemd-analyze security, offline).
unit=$1
echo "1..2"
if ! command -v systemd-analyze >/dev/null 2>&1; then
  echo "ok 1 # SKIP systemd-analyze is not installed"
  echo "ok 2 # SKIP systemd-analyze is not installed"
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# verify wants the unit under its real name.
cp "$unit" "$tmp/joconde-relay.service"
if systemd-analyze verify "$tmp/joconde-relay.service" >"$tmp/out" 2>&1 && ! [ -s "$tmp/out" ]; then
  echo "ok 1 systemd-analyze verify"
else
  sed 's/^/# /' "$tmp/out"
  echo "not ok 1 systemd-analyze verify"
fi
if systemd-analyze security --offline=true --threshold=20 "$tmp/joconde-relay.service" \
     >"$tmp/sec" 2>&1; then
  echo "ok 2 systemd-analyze security: $(grep 'Overall exposure' "$tmp/sec" | sed 's/.*: //')"
else
  tail -n 5 "$tmp/sec" | sed 's/^/# /'
  echo "not ok 2 systemd-analyze security"
fi
