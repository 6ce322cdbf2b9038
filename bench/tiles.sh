#!/usr/bin/env bash
# Load test of the tile endpoint, on loopback only and bounded in time.
# Starts indmap on a database (made from the shared data if missing),
# builds a tile list (all tiles z5–9 over Chongqing plus a seeded sample
# at z10–12), warms the cache (or disables it with CACHE_MB=0), and
# drives it with wrk at 16 connections. Prints wrk's requests/s, latency
# percentiles and errors.
#
#   bench/tiles.sh                 # warm cache
#   CACHE_MB=0 bench/tiles.sh      # no cache: every request renders
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "wrk missing: apt-get install wrk" >&2; exit 2; }

DURATION=${DURATION:-20s}
CONNECTIONS=${CONNECTIONS:-16}
THREADS=${THREADS:-1}
CACHE_MB=${CACHE_MB:-256}
PORT=${PORT:-18080}
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT

go build -o "$WORK/indmap" ./cmd/indmap
DB=${DB:-$WORK/bench.gpkg}
if [ ! -f "$DB" ]; then
  "$WORK/indmap" init --db "$DB" --boundaries "${INDMAP_BOUNDARIES:-../shared/data/boundaries}" >/dev/null
fi
go run ./bench/tilelist > "$WORK/tiles.txt"
echo "tiles in the list: $(wc -l < "$WORK/tiles.txt"), cache ${CACHE_MB} MiB"

"$WORK/indmap" serve --db "$DB" --addr "127.0.0.1:$PORT" --tile-cache-mb "$CACHE_MB" 2>"$WORK/server.log" &
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done

if [ "$CACHE_MB" != 0 ]; then
  # Warm the cache with one pass over the list.
  TILES="$WORK/tiles.txt" wrk -t1 -c4 -d10s -s bench/tiles.lua "http://127.0.0.1:$PORT" >/dev/null
fi
TILES="$WORK/tiles.txt" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s bench/tiles.lua "http://127.0.0.1:$PORT"
