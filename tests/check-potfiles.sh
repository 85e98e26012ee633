#!/bin/sh
# Fails when a C source file that marks strings for translation (_(…) or N_(…)) is not
# listed in po/POTFILES.in, or when POTFILES.in names a file that does not exist.
set -eu
top="$1"
cd "$top"
status=0
listed=$(grep -v '^#' po/POTFILES.in | sed '/^$/d' | sort)
for f in $listed; do
  if [ ! -f "$f" ]; then echo "po/POTFILES.in names a missing file: $f"; status=1; fi
done
for f in $(git ls-files '*.c' 2>/dev/null || find . -name '*.c' | sed 's|^\./||'); do
  case "$f" in */tests/*|tests/*|*/fuzz/*) continue ;; esac
  if grep -qE '(^|[^A-Za-z0-9_])N?_ ?\("' "$f"; then
    if ! printf '%s\n' "$listed" | grep -qx "$f"; then
      echo "translatable strings in $f, which po/POTFILES.in does not list"; status=1
    fi
  fi
done
[ $status -eq 0 ] && echo "po/POTFILES.in is complete"
exit $status
