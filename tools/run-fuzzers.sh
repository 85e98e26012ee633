#!/usr/bin/env bash
# Runs every libFuzzer target of a fuzzing build for a bounded time, starting from the
# seed corpus in libjoconde/fuzz/corpus/<target>/ (new inputs go to a scratch copy).
set -euo pipefail
build=$1 seconds=$2
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
status=0 count=0
results="$build/meson-logs/fuzz-results.json"
mkdir -p "$build/meson-logs" && : > "$results"
for f in $(find "$build" -type f -name 'fuzz-*' -perm -u+x | sort); do
  name=$(basename "$f")
  work=$(mktemp -d)
  [ -d "$top/libjoconde/fuzz/corpus/$name" ] && cp -r "$top/libjoconde/fuzz/corpus/$name/." "$work/"
  echo "fuzzing $name for ${seconds}s"
  if ! "$f" -max_total_time="$seconds" -rss_limit_mb=2048 -print_final_stats=1 "$work" \
        > "$build/$name.log" 2>&1; then
    echo "FAIL: $name found a crash; see $build/$name.log"; tail -40 "$build/$name.log"; status=1
    echo "{\"name\": \"$name\", \"result\": \"FAIL\"}" >> "$results"
  else
    echo "{\"name\": \"$name\", \"result\": \"OK\"}" >> "$results"
    grep -E 'stat::number_of_executed_units' "$build/$name.log" | sed "s/^/  $name: /" || true
  fi
  rm -rf "$work"; count=$((count + 1))
done
echo "fuzz targets run: $count"
exit $status
