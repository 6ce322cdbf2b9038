#!/usr/bin/env bash
# Makes one small GeoPackage with the indmap binary given, as a user of
# that release would have: init from a few Chongqing districts and
# Shandong cities, then planner writes through the HTTP API (two PUTs,
# one that breaks a rule, a restore), so that the file holds several revisions
# of two plans. The API's answers about those revisions are kept beside
# it (NAME.revisions.json) for TestMigrateReleasedSchemas to compare
# after migrating.
#
#   make.sh BINARY NAME     e.g. make.sh /tmp/indmap-9e4eb40 v4-9e4eb40
#
# Build BINARY from the commit that wrote the schema (git worktree add
# --detach /tmp/old COMMIT; copy static/vendor and tiles/glyphs/fonts
# from a built checkout; go build -o BINARY ./cmd/indmap).
set -euo pipefail
bin=$1 name=$2
here=$(cd "$(dirname "$0")" && pwd)
shared=${INDMAP_SHARED_DATA:-$here/../../../../shared/data}
work=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir "$work/b"
python3 - "$shared" "$work/b" <<'PY'
import json, sys
shared, out = sys.argv[1], sys.argv[2]
for src, dst, keep in [
    ("chongqing-districts.gcj02.geojson", "cq-core.gcj02.geojson",
     {"500103", "500105", "500106", "500107", "500108", "500109", "500112", "500120"}),
    ("shandong-cities.gcj02.geojson", "sd-jiaodong.gcj02.geojson", {"370200", "370600", "370700"}),
]:
    d = json.load(open(f"{shared}/boundaries/{src}"))
    d["features"] = [f for f in d["features"] if str(f["properties"]["adcode"]) in keep]
    json.dump(d, open(f"{out}/{dst}", "w"), ensure_ascii=False)
PY
db="$work/$name.gpkg"
"$bin" init --db "$db" --boundaries "$work/b" >/dev/null
token=migration-test-token-0123456789
port=$((20000 + RANDOM % 20000))
INDMAP_TOKENS=$token "$bin" serve --db "$db" --addr 127.0.0.1:$port >"$work/serve.log" 2>&1 &
pid=$!
base=http://127.0.0.1:$port/api/v1
for _ in $(seq 50); do curl -fs "${base%/api/v1}/readyz" >/dev/null && break; sleep 0.2; done
auth=(-H "Authorization: Bearer $token")
put() { # plan, body file, If-Match, extra query
  curl -fsS -X PUT "${auth[@]}" -H "If-Match: \"r$3\"" -H 'Content-Type: text/csv' \
    --data-binary @"$2" "$base/plans/$1/assignments?$4" >/dev/null
}
# Chongqing: one more pick for 渝中区 (forced: the plan names units this
# small file lacks), then a third main pick for 璧山区,
# stored anyway, then a restore of the first revision.
curl -fsS "$base/plans/chongqing-2023/assignments?format=csv" >"$work/cq1.csv"
{ cat "$work/cq1.csv"; echo '500103,渝中区,special,软件信息服务,软件和信息服务,https://example.org/migration-test'; } >"$work/cq2.csv"
put chongqing-2023 "$work/cq2.csv" 1 "force=true"
{ cat "$work/cq2.csv"; echo '500120,璧山区,main,先进材料,,https://example.org/migration-test'; } >"$work/cq3.csv"
put chongqing-2023 "$work/cq3.csv" 2 "force=true"
curl -fsS -X POST "${auth[@]}" -H 'If-Match: "r3"' "$base/plans/chongqing-2023/revisions/1/restore" >/dev/null
# Shandong: one cluster fewer (forced too).
curl -fsS "$base/plans/shandong-clusters/assignments?format=csv" | sed '$d' >"$work/sd2.csv"
put shandong-clusters "$work/sd2.csv" 1 "force=true"
# What the release says of its revisions, to compare after migrating.
{
  echo '{'
  for p in chongqing-2023 shandong-clusters; do
    echo "\"$p\": {\"revisions\": $(curl -fsS "$base/plans/$p/revisions"),"
    echo "\"diffs\": {"
    first=1
    for n in $(curl -fsS "$base/plans/$p/revisions" | python3 -c 'import json,sys; print(" ".join(str(r["n"]) for r in json.load(sys.stdin)["revisions"]))'); do
      [ $first = 1 ] || echo ','
      first=0
      echo "\"$n\": $(curl -fsS "$base/plans/$p/revisions/$n/diff")"
    done
    echo '}},'
  done
  echo "\"schema\": \"$name\"}"
} | python3 -c 'import json,sys; json.dump(json.load(sys.stdin), sys.stdout, ensure_ascii=False, indent=1, sort_keys=True)' >"$here/$name.revisions.json"
kill $pid
wait $pid 2>/dev/null || true
cp "$db" "$here/$name.gpkg"
echo "wrote $here/$name.gpkg ($(stat -c %s "$here/$name.gpkg") bytes) and $name.revisions.json"
