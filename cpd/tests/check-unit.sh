#!/bin/sh
# TAP: the cpd's systemd unit passes systemd-analyze verify and its exposure score is
# "OK" or better (systemd-analyze security, offline: at most 4.9 of 10). systemd is a
# requirement of the build, so a missing systemd-analyze fails instead of skipping.
unit=$1
sysusers=$2
echo "1..3"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ! command -v systemd-analyze >/dev/null 2>&1; then
  echo "not ok 1 systemd-analyze is not installed"
  echo "not ok 2 systemd-analyze is not installed"
  echo "not ok 3 systemd-analyze is not installed"
  exit 0
fi
cp "$unit" "$tmp/joconde-cpd.service"
if systemd-analyze verify "$tmp/joconde-cpd.service" >"$tmp/out" 2>&1 && ! [ -s "$tmp/out" ]; then
  echo "ok 1 systemd-analyze verify"
else
  sed 's/^/# /' "$tmp/out"
  echo "not ok 1 systemd-analyze verify"
fi
systemd-analyze security --offline=true "$tmp/joconde-cpd.service" >"$tmp/sec" 2>&1
score=$(sed -n 's/.*Overall exposure level for joconde-cpd.service: \([0-9.]*\) .*/\1/p' "$tmp/sec")
if [ -n "$score" ] && awk -v s="$score" 'BEGIN { exit !(s < 5.0) }'; then
  echo "ok 2 systemd-analyze security: exposure $score (OK or better)"
else
  tail -n 5 "$tmp/sec" | sed 's/^/# /'
  echo "not ok 2 systemd-analyze security: exposure '${score}'"
fi
if grep -q '^u joconde-cpd ' "$sysusers" && grep -q '^m joconde-cpd libvirt' "$sysusers"; then
  echo "ok 3 sysusers.d: fixed user joconde-cpd in group libvirt"
else
  echo "not ok 3 sysusers.d file"
fi
