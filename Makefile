# regress — see README.md. `make help` lists the targets.
GO       ?= go
TARGET   ?= demo
TAGS     ?=
BASE_URL ?=
ARGS     ?=
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
BIN      := bin/regress

.PHONY: help build regress test lint chromium clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'
	@echo "  variables: TARGET=$(TARGET) TAGS='@smoke' BASE_URL=https://... ARGS='extra regress run flags'"

build: ## build the binary at bin/regress
	$(GO) build -ldflags "-X regress/runner.Version=$(VERSION)" -o $(BIN) ./cmd/regress

regress: build chromium ## run the suite against TARGET (default: the embedded demo); TAGS, BASE_URL, ARGS optional
	./$(BIN) run --target $(TARGET) $(if $(TAGS),--tags '$(TAGS)') $(if $(BASE_URL),--base-url '$(BASE_URL)') $(ARGS)

test: chromium lint ## gofmt, go vet, every test with the race detector (the demo detection matrix too), then each fuzz target briefly
	$(GO) test -race -count=1 ./...
	GO=$(GO) ./scripts/fuzz-smoke.sh

lint: ## gofmt and go vet
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); if [ -n "$$out" ]; then echo "gofmt needed: $$out"; exit 1; fi
	$(GO) vet ./...

chromium: ## make sure a Chromium is available (installs Debian's package as root when missing)
	@./scripts/ensure-chromium.sh >/dev/null

clean: ## remove build output and reports
	rm -rf bin reports-out
