# indmap: `make run` serves the default data on :8080, `make test` runs every test.

GO      ?= go
BIN     := bin/indmap
DB      ?= $(or $(INDMAP_DB),indmap.gpkg)
ADDR    ?= :8080
# Boundary files: $INDMAP_BOUNDARIES, else the shared data beside the
# checkout, else downloaded from DataV by `indmap fetch boundaries`.
SHARED_BOUNDARIES := ../shared/data/boundaries

.PHONY: all build run test vet bench clean

all: build

build:
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

vet:
	$(GO) vet ./...
	@out="$$(gofmt -l .)"; if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

test: vet
	$(GO) test ./...

bench:
	$(GO) test -run '^$$' -bench . -benchtime 10x ./...

clean:
	rm -rf bin
