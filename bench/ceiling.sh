#!/usr/bin/env bash
# make bench-ceiling: indmap's cached tiles against the ceiling, a bare
# net/http server answering the same bytes and headers from a map
# (bench/ceiling). Both on loopback, the list of bench/tiles.sh, the cache
# warmed first; wrk -t2 at 16 and at 256 connections, DURATION each,
# indmap and the ceiling alternating, 3 rounds. Ends with
#   ceiling-ratio c16 RATIO
#   ceiling-ratio c256 RATIO
# (indmap req/s / ceiling req/s, median of the rounds).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "wrk missing: apt-get install wrk" >&2; exit 2; }
DURATION=${DURATION:-20s}
ROUNDS=${ROUNDS:-3}
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"' EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

go build -o "$WORK/indmap" ./cmd/indmap
go build -o "$WORK/ceiling" ./bench/ceiling
DB=${DB:-$WORK/bench.gpkg}
[ -f "$DB" ] || "$WORK/indmap" init --db "$DB" --boundaries "${INDMAP_BOUNDARIES:-../shared/data/boundaries}" >/dev/null 2>&1
go run ./bench/tilelist > "$WORK/tiles.txt"
IP=$(port); CP=$(port)
"$WORK/indmap" serve --db "$DB" --addr "127.0.0.1:$IP" ${SERVE_ARGS:-} 2>"$WORK/indmap.log" &
for _ in $(seq 300); do curl -sf "http://127.0.0.1:$IP/readyz" >/dev/null && break; sleep 0.1; done
# Warm indmap's cache, then copy its answers into the ceiling.
TILES="$WORK/tiles.txt" wrk -t1 -c4 -d10s -s bench/tiles.lua "http://127.0.0.1:$IP" >/dev/null
"$WORK/ceiling" --from "http://127.0.0.1:$IP" --tiles "$WORK/tiles.txt" --addr "127.0.0.1:$CP" 2>"$WORK/ceiling.log" &
for _ in $(seq 600); do curl -s -o /dev/null "http://127.0.0.1:$CP/" && break; sleep 0.1; done
echo "tiles: $(sort -u "$WORK/tiles.txt" | wc -l) distinct paths, $(wc -l < "$WORK/tiles.txt") in the list"

rate() { # connections url → req/s
  TILES="$WORK/tiles.txt" wrk -t2 -c"$1" -d"$DURATION" -s bench/tiles.lua "$2" | awk '/Requests\/sec/ {print $2}'
}
for c in 16 256; do : > "$WORK/ratios-$c"; done
for r in $(seq "$ROUNDS"); do
  for c in 16 256; do
    a=$(rate "$c" "http://127.0.0.1:$IP")
    b=$(rate "$c" "http://127.0.0.1:$CP")
    ratio=$(python3 -c "print(f'{$a / $b:.3f}')")
    echo "round $r c$c: indmap $a req/s, ceiling $b req/s, ratio $ratio"
    echo "$ratio" >> "$WORK/ratios-$c"
  done
done
for c in 16 256; do
  echo "ceiling-ratio c$c $(sort -n "$WORK/ratios-$c" | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}')"
done
