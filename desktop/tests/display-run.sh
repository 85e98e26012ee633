#!/bin/sh
# Runs a display test (its command line in "$@") in a private D-Bus session with its own
# X server (Xvfb, 1280×800) and its own runtime folder: without XDG_RUNTIME_DIR the
# accessibility bus's socket is ~/.cache/at-spi/bus, the same path for every session of the
# user, and another session ending removes it. Only the test writes to stdout, which meson
# reads as TAP: the session's daemons (the accessibility registry announces itself on
# stdout) write to stderr.
runtime=$(mktemp -d "${TMPDIR:-/tmp}/jc-xdg-runtime-XXXXXX") || exit 1
# The document portal's mount in it goes a moment after the session: a few tries.
cleanup() {
  for try in 1 2 3 4 5 6 7 8 9 10; do
    rm -rf "$runtime" 2>/dev/null
    [ -e "$runtime" ] || return 0
    sleep 0.2
  done
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT
export XDG_RUNTIME_DIR="$runtime"
exec 3>&1 1>&2
dbus-run-session -- xvfb-run -a -s '-screen 0 1280x800x24' sh -c 'exec "$@" >&3 3>&-' sh "$@"
