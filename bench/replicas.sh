#!/usr/bin/env bash
# Measures indmap on PostgreSQL, on this machine (loopback; the database,
# the servers, nginx and wrk all share its cores):
#   1. import of the synthetic nationwide set (bench/synthgen) into
#      PostgreSQL with indmap init: seconds and indmap's peak RSS;
#   2. a replica's snapshot load on that database;
#   3. wrk on tiles and on /api/v1/units/{code} against one replica, then
#      against two behind nginx (default data: the three provinces).
# It starts a throwaway PostgreSQL cluster (Debian's postgresql-15 with
# postgis-3; as the postgres user when run as root) and removes it after.
#
#   bench/replicas.sh                # 30 s per wrk run
#   DURATION=10s bench/replicas.sh
set -euo pipefail
cd "$(dirname "$0")/.."
for c in wrk nginx; do command -v $c >/dev/null || { echo "$c missing" >&2; exit 2; }; done
DURATION=${DURATION:-30s}
BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
WORK=$(mktemp -d)
chmod 755 "$WORK"
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  kill $(jobs -p) 2>/dev/null || true
  [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true
  as_pg "$BIN/pg_ctl" -D "$WORK/pg/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

mkdir "$WORK/pg"
[ "$(id -u)" = 0 ] && chown postgres "$WORK/pg"
as_pg "$BIN/initdb" -D "$WORK/pg/data" -U postgres -A trust -E UTF8 >/dev/null
PGPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
as_pg "$BIN/pg_ctl" -D "$WORK/pg/data" -o "-c listen_addresses=127.0.0.1 -p $PGPORT -k $WORK/pg" -l "$WORK/pg/log" -w start >/dev/null
psql() { "$BIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -qAt "$@"; }
for db in nation provinces; do
  psql -d postgres -c "CREATE DATABASE $db"
  psql -d $db -c "CREATE EXTENSION postgis"
done
url() { echo "postgres://postgres@127.0.0.1:$PGPORT/$1?sslmode=disable"; }

go build -o "$WORK/indmap" ./cmd/indmap
go run ./bench/synthgen -out "$WORK/synth" >/dev/null

echo "== 1. import of the synthetic nationwide set into PostgreSQL"
/usr/bin/time -f "%e s, peak RSS %M KB" -o "$WORK/time.txt" \
  "$WORK/indmap" init --db "$(url nation)" --boundaries "$WORK/synth/boundaries"
cat "$WORK/time.txt"
"$WORK/indmap" import definition "$WORK/synth/synthetic.plan.json" --db "$(url nation)" >/dev/null
/usr/bin/time -f "%e s, peak RSS %M KB" -o "$WORK/time.txt" \
  "$WORK/indmap" import plan --plan synthetic "$WORK/synth/picks.csv" --db "$(url nation)" --force >/dev/null
echo "plan of every cell: $(cat "$WORK/time.txt")"
echo "units: $(psql -d nation -c 'SELECT count(*) FROM units')"

serve() { # db port [args] → waits until ready; prints the load line
  "$WORK/indmap" serve --db "$(url "$1")" --addr "127.0.0.1:$2" "${@:3}" 2>"$WORK/serve-$2.log" &
  for _ in $(seq 600); do curl -sf "http://127.0.0.1:$2/readyz" >/dev/null && break; sleep 0.1; done
  curl -sf "http://127.0.0.1:$2/readyz" >/dev/null || { cat "$WORK/serve-$2.log"; exit 1; }
}

echo "== 2. snapshot load of a replica on the nationwide database"
start=$(date +%s.%N)
serve nation 18091
ready=$(date +%s.%N)
grep -E 'data loaded|tile index prepared' "$WORK/serve-18091.log" | sed 's/^time=[^ ]* //'
printf 'start to /readyz 200: %.1f s; RSS at ready: %s MB\n' "$(echo "$ready - $start" | bc)" \
  "$(( $(awk '/VmRSS/ {print $2}' /proc/$(pgrep -f 'addr 127.0.0.1:18091')/status) / 1024 ))"
kill %% 2>/dev/null || true
wait 2>/dev/null || true

echo "== 3. wrk: one replica, then two behind nginx (the three provinces)"
"$WORK/indmap" init --db "$(url provinces)" --boundaries "${INDMAP_BOUNDARIES:-../shared/data/boundaries}" >/dev/null
go run ./bench/tilelist > "$WORK/tiles.txt"
cat > "$WORK/units.lua" <<'EOF'
local codes = {}
for line in io.lines(os.getenv("CODES")) do codes[#codes + 1] = line end
local n = 0
function request()
  n = n + 1
  return wrk.format("GET", "/api/v1/units/" .. codes[(n % #codes) + 1], { ["Accept-Encoding"] = "gzip" })
end
EOF
psql -d provinces -c "SELECT code FROM units WHERE geom IS NOT NULL ORDER BY code" > "$WORK/codes.txt"
serve provinces 18092 --tile-cache-mb 256
serve provinces 18093 --tile-cache-mb 256
cat > "$WORK/nginx.conf" <<EOF
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx-body;
  proxy_temp_path $WORK/nginx-proxy;
  upstream two { server 127.0.0.1:18092; server 127.0.0.1:18093; keepalive 32; }
  upstream one { server 127.0.0.1:18092; keepalive 32; }
  server {
    listen 127.0.0.1:18090;
    location / { proxy_pass http://two; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
  server {
    listen 127.0.0.1:18089;
    location / { proxy_pass http://one; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
EOF
nginx -c "$WORK/nginx.conf"
bench() { # label url
  TILES="$WORK/tiles.txt" wrk -t2 -c64 -d5s -s bench/tiles.lua "$2" >/dev/null # warm the caches
  TILES="$WORK/tiles.txt" wrk -t2 -c64 -d"$DURATION" --latency -s bench/tiles.lua "$2" > "$WORK/t.txt"
  CODES="$WORK/codes.txt" wrk -t2 -c64 -d"$DURATION" --latency -s "$WORK/units.lua" "$2" > "$WORK/u.txt"
  for k in t u; do
    printf '%-34s %-6s %10s req/s  p50 %8s  p99 %8s  %s\n' "$1" "$([ $k = t ] && echo tiles || echo units)" \
      "$(awk '/Requests\/sec/ {print $2}' "$WORK/$k.txt")" "$(awk '$1=="50%" {print $2}' "$WORK/$k.txt")" \
      "$(awk '$1=="99%" {print $2}' "$WORK/$k.txt")" "$(grep -E 'Non-2xx|Socket' "$WORK/$k.txt" | tr '\n' ' ')"
  done
}
bench "one replica" http://127.0.0.1:18092
bench "two replicas behind nginx" http://127.0.0.1:18090
bench "one replica behind nginx" http://127.0.0.1:18089
