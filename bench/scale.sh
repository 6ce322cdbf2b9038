#!/usr/bin/env bash
# How cost grows with the work: the synthetic nationwide set (2,900
# cells) at 1×, 4× and 16× its vertices (bench/synthgen -scale), each
# imported with indmap init and swept z0–8 with indmap export pmtiles
# (every tile built, single archive, deduplicated). Prints seconds, peak
# RSS and tiles/s per scale.
#
#   bench/scale.sh            # 1 4 16
#   SCALES="1 4" bench/scale.sh
set -euo pipefail
cd "$(dirname "$0")/.."
SCALES=${SCALES:-1 4 16}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
go build -o "$WORK/indmap" ./cmd/indmap
printf "%-6s %-12s %-26s %-26s %s\n" scale vertices "import (s, peak RSS)" "sweep z0-8 (s, peak RSS)" "tiles, tiles/s"
for s in $SCALES; do
  dir="$WORK/s$s"
  verts=$(go run ./bench/synthgen -scale "$s" -out "$dir" | awk '{print $3}')
  /usr/bin/time -f "%e %M" -o "$WORK/t" "$WORK/indmap" init --db "$dir/db.gpkg" --boundaries "$dir/boundaries" --max-bytes 4000000000 >"$WORK/init.txt" 2>&1 || { tail -3 "$WORK/init.txt"; exit 1; }
  read -r it im < "$WORK/t"
  "$WORK/indmap" import definition "$dir/synthetic.plan.json" --db "$dir/db.gpkg" >/dev/null
  "$WORK/indmap" import plan --plan synthetic "$dir/picks.csv" --db "$dir/db.gpkg" --force >/dev/null
  /usr/bin/time -f "%e %M" -o "$WORK/t" "$WORK/indmap" export pmtiles --db "$dir/db.gpkg" --plan synthetic --maxzoom 8 "$dir/s.pmtiles" > "$WORK/export.txt" 2>&1
  read -r st sm < "$WORK/t"
  tiles=$(grep -oE '[0-9]+ tiles' "$WORK/export.txt" | head -1 | awk '{print $1}')
  printf "%-6s %-12s %-26s %-26s %s\n" "${s}x" "$verts" "$it s, $((im / 1024)) MB" "$st s, $((sm / 1024)) MB" "$tiles, $(python3 -c "print(round(${tiles:-0} / $st))")"
  rm -rf "$dir"
done
