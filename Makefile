# shortlink — run `make help` for the targets.
SHELL := /bin/bash
export PATH := $(CURDIR)/bin:/usr/local/go/bin:$(HOME)/go/bin:$(PATH)

GOLANGCI_LINT_VERSION := v2.15.0
GOTESTSUM_VERSION     := v1.13.0
TEST_FLAGS            ?= -count=1
FUZZTIME              ?= 20s
TARGET                ?= http://localhost:8080

.DEFAULT_GOAL := help
.PHONY: help
help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z0-9_-]+:.*## / {printf "  \033[36m%-20s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

##@ Run
.PHONY: services upgradelocal revisionlocal fill serve build
services: ## Start local Postgres, both Redis and nginx if they are not running (installs missing Debian packages; root)
	./test/services.sh

upgradelocal: ## Apply migrations to $$DATABASE_URL (creating the database) and create partitions --ahead 2
	go run ./cmd/migrate up
	go run ./cmd/partitions --ahead 2

revisionlocal: ## New migration file: make revisionlocal m="describe change"
	@test -n "$(m)" || { echo 'usage: make revisionlocal m="describe change"'; exit 2; }
	go run ./cmd/migrate new "$(m)"

fill: ## Fill the code pool once (batch --once)
	go run ./cmd/batch --once

serve: upgradelocal fill ## Run the api against Postgres and both Redis (make services first)
	go run ./cmd/api

build: ## Build every binary into ./bin
	CGO_ENABLED=0 go build -trimpath -o bin/ ./cmd/...

##@ Test
.PHONY: test unittest integrationtest e2etest fuzz
test: unittest integrationtest e2etest ## All tests: unit, integration, end-to-end

unittest: tools ## Unit tests and fuzz seed corpora (no servers needed)
	gotestsum --format pkgname -- $(TEST_FLAGS) -race ./...

integrationtest: tools ## Integration tests against real Postgres and Redis (see README: servers)
	gotestsum --format pkgname -- $(TEST_FLAGS) -race -tags integration -p 2 ./adapters/... ./test/integration/...

e2etest: tools ## End-to-end tests: real binaries behind a real nginx
	gotestsum --format pkgname -- $(TEST_FLAGS) -tags e2e -timeout 15m ./test/e2e/...

fuzz: ## Run every fuzz target for FUZZTIME each (default 20s)
	@for pkg in $$(go list ./...); do \
	  for target in $$(go test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "== $$pkg $$target"; go test -run '^$$' -fuzz "^$$target$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

##@ Code
.PHONY: generate checkgenerate lint lintformat tools
generate: ## Regenerate mocks
	go generate ./...

checkgenerate: generate ## Fail when generated code is stale
	@git diff --exit-code -- '*/mocks/*' || { echo "generated code is stale: run make generate and commit"; exit 1; }

lint: tools ## golangci-lint
	golangci-lint run ./...

lintformat: tools ## Format check, vet, lint, terraform fmt (when terraform is installed)
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	go vet ./...
	go vet -tags integration ./...
	go vet -tags e2e ./...
	golangci-lint run ./...
	golangci-lint run --build-tags integration,e2e ./...
	@if command -v terraform >/dev/null; then terraform fmt -check -recursive infra; else echo "terraform not installed: skipping terraform fmt"; fi

tools: bin/golangci-lint bin/gotestsum ## Install pinned dev tools into ./bin

bin/golangci-lint:
	GOBIN=$(CURDIR)/bin go install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION)

bin/gotestsum:
	GOBIN=$(CURDIR)/bin go install gotest.tools/gotestsum@$(GOTESTSUM_VERSION)
