#!/usr/bin/env bash
# Mixed load test, loopback only and bounded in time: 80 % tiles over a
# seeded tile list, 15 % GeoJSON pages and lookups, 5 % validations, at 64
# and then 256 connections (split 80/15/5 between three wrk processes, so
# each class reports its own latency). Then checks: no 5xx or socket
# errors, server peak RSS under 300 MB, data version and integrity_check
# unchanged. Prints one table.
#
#   bench/load.sh                  # 60 s per level
#   DURATION=20s bench/load.sh
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "wrk missing: apt-get install wrk" >&2; exit 2; }
DURATION=${DURATION:-60s}
PORT=${PORT:-18081}
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT

go build -o "$WORK/indmap" ./cmd/indmap
DB=$WORK/load.gpkg
"$WORK/indmap" init --db "$DB" --boundaries "${INDMAP_BOUNDARIES:-../shared/data/boundaries}" >/dev/null
go run ./bench/tilelist > "$WORK/tiles.txt"
"$WORK/indmap" serve --db "$DB" --addr "127.0.0.1:$PORT" 2>"$WORK/server.log" &
PID=$!
URL="http://127.0.0.1:$PORT"
for _ in $(seq 100); do curl -sf "$URL/healthz" >/dev/null && break; sleep 0.1; done
version() { curl -sf "$URL/healthz" | sed 's/.*"data_version":\([0-9]*\).*/\1/'; }
integrity() { python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('PRAGMA integrity_check').fetchone()[0])" "$DB"; }
V0=$(version)

run() { # connections
  local c=$1 ct=$(( $1 * 80 / 100 )) ca=$(( $1 * 15 / 100 )) cv
  cv=$(( c - ct - ca ))
  TILES="$WORK/tiles.txt" wrk -t1 -c"$ct" -d"$DURATION" --latency -s bench/tiles.lua "$URL" > "$WORK/tiles-$c.txt" &
  wrk -t1 -c"$ca" -d"$DURATION" --latency -s bench/api.lua "$URL" > "$WORK/api-$c.txt" &
  wrk -t1 -c"$cv" -d"$DURATION" --latency -s bench/validate.lua "$URL" > "$WORK/validate-$c.txt" &
  wait %2 %3 %4 2>/dev/null || wait
}
field() { # file pattern → value
  { grep -E "$2" "$1" || true; } | head -1 | awk '{print $2}'
}
row() { # connections class
  local f="$WORK/$2-$1.txt"
  local rps p50 p99 non2xx sock
  rps=$({ grep "Requests/sec" "$f" || true; } | awk '{print $2}')
  p50=$(field "$f" "^ +50%")
  p99=$(field "$f" "^ +99%")
  non2xx=$({ grep -E "Non-2xx" "$f" || true; } | awk '{print $NF}')
  sock=$({ grep -E "Socket errors" "$f" || true; } | sed 's/.*Socket errors: //')
  printf "%-6s %-9s %10s %9s %9s %8s  %s\n" "$1" "$2" "$rps" "$p50" "$p99" "${non2xx:-0}" "${sock:-none}"
}

# Warm the tile cache as clients would after a deploy.
TILES="$WORK/tiles.txt" wrk -t1 -c8 -d10s -s bench/tiles.lua "$URL" >/dev/null
for c in 64 256; do run "$c"; done
RSS=$(awk '/VmHWM/ {print $2}' /proc/$PID/status)
V1=$(version)
ERRS=$(grep -c 'status=5' "$WORK/server.log" || true)

printf "\n%-6s %-9s %10s %9s %9s %8s  %s\n" conns class "req/s" p50 p99 "non-2xx" "socket errors"
for c in 64 256; do for k in tiles api validate; do row "$c" "$k"; done; done
echo
echo "server peak RSS: $((RSS / 1024)) MB (limit 300)"
echo "data version: $V0 before, $V1 after; integrity_check: $(integrity); 5xx in the server log: $ERRS"
fail=0
[ "$((RSS / 1024))" -lt 300 ] || { echo "FAIL: RSS"; fail=1; }
[ "$V0" = "$V1" ] || { echo "FAIL: data version moved"; fail=1; }
[ "$(integrity)" = ok ] || { echo "FAIL: integrity"; fail=1; }
[ "$ERRS" = 0 ] || { echo "FAIL: 5xx answers"; fail=1; }
for f in "$WORK"/*-64.txt "$WORK"/*-256.txt; do
  if grep -qE "Non-2xx|Socket errors" "$f"; then echo "FAIL: $(basename "$f"): $(grep -E 'Non-2xx|Socket errors' "$f" | tr '\n' ' ')"; fail=1; fi
done
exit $fail
