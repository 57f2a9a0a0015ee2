# softdelete-proxy — the README's commands.
GO        ?= go
PKGS      := ./...
BENCHTIME ?= 1s

.PHONY: all build test lint unit race fuzz bench bench-proxy difftest run docker clean

all: build

build:
	$(GO) build -o bin/softdelete-proxy ./cmd/softdelete-proxy

## test: what CI runs — formatting, vet, and every test with the race detector
## against a real PostgreSQL (SOFTDELETE_TEST_DATABASE_URL, or a throwaway cluster).
test: lint race

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)

race:
	$(GO) test -race -count=1 -timeout 20m $(PKGS)

unit:
	$(GO) test -count=1 $(PKGS)

## fuzz: run each fuzz target for FUZZTIME (default 30s).
FUZZTIME ?= 30s
fuzz:
	$(GO) test ./proxy/ -run '^$$' -fuzz FuzzReadStartupPacket -fuzztime $(FUZZTIME)
	$(GO) test ./proxy/ -run '^$$' -fuzz FuzzClientStream -fuzztime $(FUZZTIME)

## bench: Go micro-benchmarks.
bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) ./...

## bench-proxy: pgbench straight to PostgreSQL vs through the proxy (and PgBouncer when installed).
bench-proxy: build
	./bench/proxy.sh

run: build
	./bin/softdelete-proxy serve --config policy/example.yaml --log-format console

docker:
	docker build -t softdelete-proxy .

clean:
	rm -rf bin
