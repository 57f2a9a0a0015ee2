# softdelete-proxy — the README's commands.
GO        ?= go
PKGS      := ./...
BENCHTIME ?= 1s

.PHONY: all build test lint unit race fuzz bench bench-proxy difftest soak demo run docker clean

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
	$(GO) test ./rewrite/ -run '^$$' -fuzz FuzzRewrite -fuzztime $(FUZZTIME)
	$(GO) test ./policy/ -run '^$$' -fuzz FuzzParse -fuzztime $(FUZZTIME) -fuzzminimizetime 2s
	$(GO) test ./purger/ -run '^$$' -fuzz FuzzCheckWhere -fuzztime $(FUZZTIME)
	$(GO) test ./policy/schema/ -run '^$$' -fuzz FuzzFindRefs -fuzztime $(FUZZTIME)
	$(GO) test ./policy/schema/ -run '^$$' -fuzz FuzzGuardStatus -fuzztime $(FUZZTIME)

## difftest: the long randomized differential test (real deletes directly vs soft
## deletes through the proxy). Replay one seed with SOFTDELETE_DIFFTEST_SEED=n.
## Its foreign-key mode (docs/foreign-keys.md) runs DIFFTEST_FK_SEEDS seeds of DIFFTEST_FK_STEPS.
DIFFTEST_SEEDS ?= 200
DIFFTEST_STEPS ?= 2000
DIFFTEST_FK_SEEDS ?= 50
DIFFTEST_FK_STEPS ?= 1000
difftest:
	SOFTDELETE_DIFFTEST_SEEDS=$(DIFFTEST_SEEDS) SOFTDELETE_DIFFTEST_STEPS=$(DIFFTEST_STEPS) \
		$(GO) test ./proxy/ -run 'TestSoftDeleteDifferential$$' -count=1 -timeout 90m -v
	SOFTDELETE_DIFFTEST_SEEDS=$(DIFFTEST_FK_SEEDS) SOFTDELETE_DIFFTEST_STEPS=$(DIFFTEST_FK_STEPS) \
		$(GO) test ./proxy/ -run 'TestSoftDeleteDifferentialFK$$' -count=1 -timeout 90m -v

## soak: the proxy's load test for SOAK (default 5m) instead of a few seconds: hundreds of
## sessions, policy reloads, client kills and cluster restarts, then no goroutine, descriptor or
## backend left behind and no row of the managed table removed.
SOAK ?= 5m
soak:
	SOFTDELETE_SOAK=$(SOAK) $(GO) test ./proxy/ -run '^TestSoak$$' -count=1 -timeout 3h -v

## bench: Go micro-benchmarks.
bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) ./...

## bench-proxy: pgbench straight to PostgreSQL vs through the proxy (and PgBouncer when installed).
bench-proxy: build
	./bench/proxy.sh

## demo: a sample database under a policy, the guard installed, and the proxy in front of it on
## 127.0.0.1:6433, with a psql session to follow (see the README). run is the same.
demo: build
	./bin/softdelete-proxy demo

run: demo

docker:
	docker build -t softdelete-proxy .

clean:
	rm -rf bin
