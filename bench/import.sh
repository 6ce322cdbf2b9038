#!/usr/bin/env bash
# indmap init on real and synthetic nationwide data side by side (issue
# 22's goal: under 10 s and 300 MB on a 2-core machine): the real county
# file named by $INDMAP_NATION (a DataV-derived nationwide county GeoJSON,
# kept out of the repository; skipped when unset) and the synthetic set
# (bench/synthgen: 2,900 cells, borders drawn twice 15 m apart, the
# worst case for the import's partition). RUNS runs each; prints wall
# seconds and peak RSS per run.
#
#   INDMAP_NATION=/path/china_counties.json bench/import.sh
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
go build -o "$WORK/indmap" ./cmd/indmap
go run ./bench/synthgen -out "$WORK/synth" >/dev/null
sets=("synthetic $WORK/synth/boundaries")
if [ -n "${INDMAP_NATION:-}" ]; then
  mkdir -p "$WORK/real"
  ln -s "$(realpath "$INDMAP_NATION")" "$WORK/real/"
  sets=("real $WORK/real" "${sets[@]}")
fi
printf "%-10s %-4s %-8s %s\n" set run seconds "peak RSS"
for r in $(seq "$RUNS"); do
  for set in "${sets[@]}"; do
    read -r name dir <<<"$set"
    rm -f "$WORK/db.gpkg"
    /usr/bin/time -f "%e %M" -o "$WORK/t" "$WORK/indmap" init --db "$WORK/db.gpkg" --boundaries "$dir" --max-bytes 4000000000 >"$WORK/init.txt" 2>&1 || { tail -3 "$WORK/init.txt"; exit 1; }
    read -r secs kb <"$WORK/t"
    printf "%-10s %-4s %-8s %s MB\n" "$name" "$r" "$secs" "$((kb / 1024))"
  done
done
