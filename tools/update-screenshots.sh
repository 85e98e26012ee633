#!/bin/sh
# Copies the screenshots the desktop suite wrote (meson test -C BUILD --suite desktop) into
# docs/screenshots/, where the user guide and the metainfo find them. Only files the guide
# already names are copied, so a stray test image does not enter the docs.
set -eu
build=${1:-build}
src="$build/desktop/tests/screenshots"
dst="$(dirname "$0")/../docs/screenshots"
[ -d "$src" ] || { echo "no screenshots in $src: run 'meson test -C $build --suite desktop' first" >&2; exit 1; }
n=0
for f in "$dst"/*.png; do
  name=$(basename "$f")
  if [ -f "$src/$name" ]; then cp "$src/$name" "$f"; n=$((n + 1)); else echo "not produced by the tests: $name" >&2; fi
done
for f in "$src"/*.png; do
  [ -f "$dst/$(basename "$f")" ] || echo "new, not in docs (add it to docs/user-guide.md to keep it): $(basename "$f")" >&2
done
echo "$n screenshots copied to docs/screenshots"
