#!/usr/bin/env bash
# Times what a planner and an operator feel on the synthetic nationwide
# set (go run ./bench/synthgen -out DIR first): the server's load, a
# planner's PUT and the reload it causes, the first tile of each zoom
# after that reload, and a PUT sent while `indmap import boundaries`
# rewrites every unit.
#
#   bench/writes.sh BIN DIR      (DIR holds base.gpkg made as synthgen says)
#
# PUT_AFTER (seconds, default 10) is when the PUT goes out after the import
# starts: past reading and repairing the file, while the units are written.
set -euo pipefail
bin=$1 dir=$2
work=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT
cp "$dir/base.gpkg" "$work/db.gpkg"
token=bench-token-0123456789abcdef
port=$((20000 + RANDOM % 20000))
base=http://127.0.0.1:$port
INDMAP_TOKENS=$token "$bin" serve --db "$work/db.gpkg" --addr 127.0.0.1:$port --tile-cache-mb 0 >"$work/log" 2>&1 &
pid=$!
start=$(date +%s.%N)
until curl -fs "$base/readyz" >/dev/null; do sleep 0.05; done
echo "ready after $(echo "$(date +%s.%N) - $start" | bc) s"
etag() { curl -fsS "$base/api/v1/plans/synthetic/revisions" | python3 -c 'import json,sys; print(json.load(sys.stdin)["revisions"][0]["etag"])'; }
put() {
  curl -sS -o /dev/null -w '%{http_code} %{time_total}' -X PUT -H "Authorization: Bearer $token" \
    -H "If-Match: $(etag)" -H 'Content-Type: text/csv' --data-binary @"$dir/picks.csv" \
    "$base/api/v1/plans/synthetic/assignments"
}
echo "PUT (answered once the new data is live): $(put) s"
grep -o '"msg":"data loaded"[^}]*' "$work/log" | tail -1 || grep 'data loaded' "$work/log" | tail -1
# The first geometry tile of each zoom after the reload: a tile near
# the middle of the set (110.5 E, 31 N).
for z in 0 1 2 3 4 5 6 7 8 9 10; do
  read -r x y < <(python3 -c "import math; z=$z; lon,lat=110.5,31.0; n=2**z; x=int((lon+180)/360*n); y=int((1-math.log(math.tan(math.radians(lat))+1/math.cos(math.radians(lat)))/math.pi)/2*n); print(x,y)")
  echo "z$z first tile: $(curl -sS -o /dev/null -w '%{http_code} %{time_total}' "$base/tiles/synthetic/$z/$x/$y.mvt") s"
done
# A PUT while an import rewrites the units.
"$bin" import boundaries "$dir/boundaries/synth.geojson" --db "$work/db.gpkg" >"$work/import.log" 2>&1 &
imp=$!
sleep "${PUT_AFTER:-10}"
echo "PUT during import: $(put) s"
t0=$(date +%s.%N)
wait $imp
echo "import finished $(echo "$(date +%s.%N) - $t0" | bc) s after that PUT was answered"
