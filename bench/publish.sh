#!/usr/bin/env bash
# Measures indmap publish into a real S3-compatible server (SeaweedFS'
# weed, built by make weed) on loopback: the default data (Chongqing,
# Shandong, Henan: each plan's archive size is printed) and the synthetic
# nationwide set (bench/synthgen), each published once into an empty
# prefix and again with nothing changed.
#
#   bench/publish.sh              # z0-14 (publish's default); about 5 minutes
#   MAXZOOM=10 NATION_MAXZOOM=12 bench/publish.sh
set -euo pipefail
cd "$(dirname "$0")/.."
WEED=${INDMAP_WEED:-$(make -s -f - <<<'include Makefile
print: ; @echo $(WEED)' print)}
[ -x "$WEED" ] || { echo "no weed at $WEED: run make weed" >&2; exit 2; }
MAXZOOM=${MAXZOOM:-14}
NATION_MAXZOOM=${NATION_MAXZOOM:-$MAXZOOM}
WORK=$(mktemp -d)
cleanup() { kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
free() { python3 -c 'import socket,random
while True:
    p = random.randint(20000, 29999)
    try:
        for q in (p, p + 10000):
            s = socket.socket(); s.bind(("127.0.0.1", q)); s.close()
        print(p); break
    except OSError: pass'; }
M=$(free); V=$(free); F=$(free); S=$(free)
mkdir "$WORK/weed"
"$WEED" server -ip=127.0.0.1 -ip.bind=127.0.0.1 -dir="$WORK/weed" -master.port=$M -volume.port=$V \
  -filer -filer.port=$F -s3 -s3.port=$S -s3.port.iceberg=0 -s3.port.lance=0 >"$WORK/weed.log" 2>&1 &
start=$(date +%s.%N)
for _ in $(seq 600); do curl -sf "http://127.0.0.1:$S/" >/dev/null && break; sleep 0.1; done
for _ in $(seq 100); do [ "$(curl -s -o /dev/null -w '%{http_code}' -X PUT "http://127.0.0.1:$S/bench")" = 200 ] && break; sleep 0.2; done
echo "weed ready and bucket made in $(python3 -c "print(round($(date +%s.%N) - $start, 1))") s"
export AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench-secret
go build -o "$WORK/indmap" ./cmd/indmap

publish() { # db prefix maxzoom
  for run in first again; do
    /usr/bin/time -f "%e s, peak RSS %M KB" -o "$WORK/time.txt" \
      "$WORK/indmap" publish --db "$1" --to "s3://bench/$2" --endpoint "http://127.0.0.1:$S" --region us-east-1 \
      --maxzoom "$3" 2>"$WORK/publish.err" || { tail -5 "$WORK/publish.err"; exit 1; }
    echo "  ($run: $(cat "$WORK/time.txt"))"
  done
  curl -s --compressed "http://127.0.0.1:$S/bench/$2/version.json" | python3 -c '
import json, sys, urllib.request
v = json.load(sys.stdin)
for plan, f in sorted(v["files"].items()):
    sizes = {}
    for k in ("tiles", "theme", "units", "sites", "search"):
        r = urllib.request.Request(sys.argv[1] + "/" + f[k], method="HEAD", headers={"Accept-Encoding": "gzip"})
        sizes[k] = int(urllib.request.urlopen(r).headers["Content-Length"])
    print("  %-18s archive %9d B; theme %7d, units %7d, sites %7d, search %7d B (as stored)" % (plan, sizes["tiles"], sizes["theme"], sizes["units"], sizes["sites"], sizes["search"]))
' "http://127.0.0.1:$S/bench/$2"
}

echo "== default data (Chongqing, Shandong, Henan), z0-$MAXZOOM"
"$WORK/indmap" init --db "$WORK/provinces.gpkg" --boundaries ../shared/data/boundaries >/dev/null 2>&1
publish "$WORK/provinces.gpkg" provinces "$MAXZOOM"

echo "== synthetic nationwide set, z0-$NATION_MAXZOOM"
go run ./bench/synthgen -out "$WORK/synth" >/dev/null
"$WORK/indmap" init --db "$WORK/nation.gpkg" --boundaries "$WORK/synth/boundaries" >/dev/null 2>&1
"$WORK/indmap" import definition "$WORK/synth/synthetic.plan.json" --db "$WORK/nation.gpkg" >/dev/null
"$WORK/indmap" import plan --plan synthetic "$WORK/synth/picks.csv" --db "$WORK/nation.gpkg" --force >/dev/null
publish "$WORK/nation.gpkg" nation "$NATION_MAXZOOM"
