#!/usr/bin/env bash
# Sets up a Debian 12 machine for JOCONDE and runs one of the two main jobs:
#
#   ./setup.sh demo   install what is needed, build, run the local demo
#   ./setup.sh test   install what is needed, build, run the whole test suite
#                     (a normal build, then an AddressSanitizer+UBSan build, then
#                     bounded libFuzzer runs of every fuzz target)
#
# Environment: JC_TEST_STAGES (default "release sanitize fuzz") picks test stages;
# JC_FUZZ_SECONDS (default 30) bounds each fuzz target.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$top"
mode=${1:-}

die() { echo "setup.sh: $*" >&2; exit 1; }

install_packages() {
  local wanted missing=()
  wanted=$(sed -e 's/#.*//' -e '/^\s*$/d' tools/debian-packages.txt)
  for p in $wanted; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -eq 0 ]; then
    echo "setup.sh: installing ${#missing[@]} Debian packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  else
    die "these Debian packages are missing; install them with:
  sudo apt-get update && sudo apt-get install -y ${missing[*]}
then run ./setup.sh $mode again."
  fi
}

# The guest image's build fetches Debian's kernel package with apt-get download, which
# needs current package lists: refresh them when they are missing or a day old.
refresh_package_lists() {
  [ "$(id -u)" -eq 0 ] || return 0
  if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages*' -mmin -1440 2>/dev/null | head -n1)" ]; then
    echo "setup.sh: refreshing Debian's package lists"
    apt-get update -qq
  fi
}

configure() { # dir [meson options…]
  local dir=$1; shift
  if [ -f "$dir/build.ninja" ]; then
    meson setup --reconfigure "$dir" "$@" >/dev/null
  else
    meson setup "$dir" "$@" >/dev/null
  fi
}

summary_line() { # prints "N passed, N failed" from meson's test logs
  python3 - "$@" <<'PY'
import json, sys
passed = failed = skipped = 0
for path in sys.argv[1:]:
    try:
        lines = open(path).read().splitlines()
    except OSError:
        continue
    for line in lines:
        r = json.loads(line).get("result")
        if r in ("OK", "EXPECTEDFAIL"): passed += 1
        elif r == "SKIP": skipped += 1
        else: failed += 1
print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
PY
}

run_tests() {
  local stages=${JC_TEST_STAGES:-release sanitize fuzz} status=0 logs=()
  for stage in $stages; do
    case $stage in
      release)
        configure build
        ninja -C build
        meson test -C build --print-errorlogs || status=1
        logs+=(build/meson-logs/testlog.json) ;;
      sanitize)
        configure build-sanitize -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug
        ninja -C build-sanitize
        ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1 \
        LSAN_OPTIONS="suppressions=$PWD/tools/lsan.supp" \
        UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
          meson test -C build-sanitize --print-errorlogs --timeout-multiplier 3 || status=1
        logs+=(build-sanitize/meson-logs/testlog.json) ;;
      fuzz)
        CC=clang configure build-fuzz -Dfuzzing=true -Ddesktop=disabled -Dcpd=disabled -Dguest=disabled -Dengines=disabled -Drelay=disabled \
          -Db_sanitize=address,undefined -Db_lundef=false
        ninja -C build-fuzz
        tools/run-fuzzers.sh build-fuzz "${JC_FUZZ_SECONDS:-30}" || status=1
        logs+=(build-fuzz/meson-logs/fuzz-results.json) ;;
      *) die "unknown test stage '$stage'" ;;
    esac
  done
  summary_line "${logs[@]}"
  return $status
}

case $mode in
  demo)
    install_packages
    configure build
    ninja -C build
    # A whole System on this machine (fresh PKI, loopback), then the example task from
    # draft to result table, then everything is stopped again. JC_DEMO_DIR chooses where;
    # to keep a sandbox running, use "jocondectl sandbox up --dir DIR" instead.
    dir=${JC_DEMO_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/joconde-demo-XXXXXX")}
    ./build/desktop/cli/jocondectl sandbox demo --stop --dir "$dir" ;;
  test)
    install_packages
    refresh_package_lists
    run_tests ;;
  *)
    sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
    exit 2 ;;
esac
