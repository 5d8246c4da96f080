# shortlink — run `make help` for the targets.
SHELL := /bin/bash
export PATH := $(CURDIR)/bin:/usr/local/go/bin:$(HOME)/go/bin:$(PATH)

GOLANGCI_LINT_VERSION := v2.15.0
GOTESTSUM_VERSION     := v1.13.0
SPECTRAL_VERSION      := 6.16.3
SPECTRAL              := bin/npm/node_modules/.bin/spectral
AXE_VERSION           := 4.11.0
AXE                   := bin/npm/node_modules/axe-core/axe.min.js
TEST_FLAGS            ?= -count=1
FUZZTIME              ?= 20s
TARGET                ?= http://localhost:8080
# WITH_SERVERS runs a command with private Postgres and Redis servers for
# the tests, unless TEST_* already name servers or a Docker engine answers.
WITH_SERVERS          := bin/withservers --

.DEFAULT_GOAL := help
.PHONY: help
help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z0-9_-]+:.*## / {printf "  \033[36m%-20s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

##@ Run
.PHONY: run services upgradelocal revisionlocal fill serve build
# The api replaces the recipe's shell (exec), so Ctrl-C and make's SIGTERM
# reach it and it drains and exits 0; setpriv --pdeathsig stops it should
# make itself be killed.
run: ## Serve the full API on :8000 with no server at all (embedded store in DATA_DIR, default ./data)
	go build -o bin/api ./cmd/api
	exec $$(setpriv --pdeathsig TERM true 2>/dev/null && echo setpriv --pdeathsig TERM) bin/api -embedded

services: ## Start this machine's Postgres, both Redis and nginx if not running, for make serve (installs missing Debian packages; root)
	./test/services.sh

upgradelocal: ## Apply migrations to DATABASE_URL (creating the database) and create partitions --ahead 2
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
.PHONY: test unittest integrationtest e2etest fuzz testpackages bin/withservers
test: bin/gotestsum testpackages bin/withservers ## All tests: unit, integration, end-to-end, on private servers started once for the run
	$(WITH_SERVERS) $(MAKE) --no-print-directory unittest integrationtest e2etest

# The allocation budget (test/bench TestAllocsPerRedirect) runs again
# without -race, which changes what allocates.
unittest: bin/gotestsum ## Unit tests and fuzz seed corpora (no servers needed), then the redirect path's allocation budget without -race
	gotestsum --format pkgname -- $(TEST_FLAGS) -race ./...
	gotestsum --format pkgname -- $(TEST_FLAGS) -run '^TestAllocs' ./test/bench

integrationtest: bin/gotestsum testpackages bin/withservers ## Integration tests against real Postgres and Redis (private servers unless TEST_* or Docker)
	$(WITH_SERVERS) gotestsum --format pkgname -- $(TEST_FLAGS) -race -tags integration -p 2 ./adapters/... ./test/integration/...

e2etest: bin/gotestsum testpackages bin/withservers $(AXE) ## End-to-end tests: real binaries behind a real nginx, the page in chromium, the examples of README.md and docs/ (private servers unless TEST_* or Docker)
	$(WITH_SERVERS) gotestsum --format pkgname -- $(TEST_FLAGS) -tags e2e -timeout 15m ./test/e2e/...

testpackages: ## Install the Debian packages the tests run (Postgres, Redis, nginx, chromium, zbar-tools, jq) when missing; root
	@./test/services.sh install

bin/withservers:
	go build -o bin/withservers ./test/testenv/withservers

# Targets are found with grep, so no package's tests are compiled to list them.
fuzz: ## Run every fuzz target for FUZZTIME each (default 20s)
	@set -e; for file in $$(grep -rl --include='*_test.go' --exclude-dir=bin --exclude-dir=node_modules '^func Fuzz' .); do \
	  for target in $$(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' $$file); do \
	    echo "== ./$$(dirname $${file#./}) $$target"; \
	    go test -run '^$$' -fuzz "^$$target$$" -fuzztime $(FUZZTIME) ./$$(dirname $${file#./}); \
	  done; \
	done

##@ Code
.PHONY: generate checkgenerate lint lintformat lintopenapi tools
generate: ## Regenerate mocks, and the command line's API client from adapters/httpapi/openapi.yaml (through its OpenAPI 3.0 copy)
	go generate ./...

checkgenerate: generate ## Fail when generated code is stale
	@git diff --exit-code -- '*/mocks/*' 'adapters/httpclient/oapi/*' || { echo "generated code is stale: run make generate and commit"; exit 1; }

lint: bin/golangci-lint ## golangci-lint (the build tags come from .golangci.yml)
	golangci-lint run ./...

lintopenapi: $(SPECTRAL) ## Lint adapters/httpapi/openapi.yaml with Spectral (oas ruleset, .spectral.yaml): no error, no warning
	$(SPECTRAL) lint --quiet --ruleset .spectral.yaml --fail-severity warn adapters/httpapi/openapi.yaml

lintformat: tools bin/tflint ## Format check, go mod tidy check, vet, lint, Spectral, terraform fmt (when terraform is installed), tflint
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	@go mod tidy -diff || { echo "go.mod or go.sum is not tidy: run go mod tidy and commit"; exit 1; }
	go vet ./...
	go vet -tags integration ./...
	go vet -tags e2e ./...
	@$(MAKE) --no-print-directory lintopenapi
	golangci-lint run --build-tags integration,e2e ./...
	@if command -v terraform >/dev/null; then terraform fmt -check -recursive infra; else echo "terraform not installed: skipping terraform fmt"; fi
	bin/tflint --chdir=infra/setup --config=$(CURDIR)/.tflint.hcl
	bin/tflint --chdir=infra/deploy --config=$(CURDIR)/.tflint.hcl

tools: bin/golangci-lint bin/gotestsum $(SPECTRAL) ## Install pinned dev tools into ./bin (Spectral from npm into ./bin/npm)

bin/golangci-lint:
	GOBIN=$(CURDIR)/bin go install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION)

bin/gotestsum:
	GOBIN=$(CURDIR)/bin go install gotest.tools/gotestsum@$(GOTESTSUM_VERSION)

# axe-core, the browser test's accessibility check, injected into the page.
$(AXE):
	@command -v npm >/dev/null || { echo "the browser test's accessibility check needs npm (apt-get install npm)"; exit 1; }
	npm install --silent --no-audit --no-fund --prefix bin/npm axe-core@$(AXE_VERSION)

$(SPECTRAL):
	@command -v npm >/dev/null || { echo "lintopenapi needs npm (apt-get install npm)"; exit 1; }
	npm install --silent --no-audit --no-fund --prefix bin/npm @stoplight/spectral-cli@$(SPECTRAL_VERSION)

##@ Benchmark
.PHONY: bench bench-quick bench-dims
bench: ## Loopback benchmark vs bare net/http and pgbench, 5 rounds of a realistic request mix, engine allocations (installs wrk; uses this machine's PostgreSQL), ~17 min → test/bench/results/latest.md
	@./test/services.sh bench
	go run ./test/bench/cmd/bench $(BENCH_FLAGS)

bench-quick: ## Before/after a change: cached redirect vs bare, creates vs pgbench INSERT, misses vs pgbench lookup, engine allocations; 5 rounds, ~5 min → test/bench/results/quick.md
	@./test/services.sh bench
	go run ./test/bench/cmd/bench -quick $(BENCH_FLAGS)

bench-dims: ## What the visit dimensions cost: steps 1, 2 and 2V only (server CPU 2V/2, RSS), 5 interleaved rounds, ~2 min → test/bench/results/dims.md
	@./test/services.sh bench
	go run ./test/bench/cmd/bench -dims $(BENCH_FLAGS)

.PHONY: pgo
pgo: ## Refresh cmd/api/default.pgo, the profile go build uses to optimise the api: the server side of cached redirects with visit counting under the realistic mix (wrk over loopback, 20 s)
	@./test/services.sh bench
	BENCH_WRK_DURATION=20s go test ./test/bench -run '^$$' -bench 'RedirectWrk/api\+visits' -benchtime 1x -o /tmp/shortlink-pgo.test -cpuprofile $(CURDIR)/cmd/api/default.pgo

.PHONY: bench-scale
bench-scale: ## 10M links seeded in SQL vs an empty table and 1M: creates, redirects, misses, stats reads, the list page, 5 rounds; then the listing matrix (each filter at 1/10/50 %), ~25 min → test/bench/results/scale.md
	@./test/services.sh bench
	go run ./test/bench/cmd/bench -scale $(BENCH_FLAGS)

.PHONY: bench-export
bench-export: ## 1M links seeded in SQL exported through one api as CSV and NDJSON: the api's RSS growth (≤ 32 MiB) and the time → test/bench/results/export.md
	@./test/services.sh bench
	go run ./test/bench/cmd/bench -export 1000000 $(BENCH_FLAGS)

.PHONY: bench-scale-spread
bench-scale-spread: ## 10M permanent links created over 36 months vs the same in one month: cache-miss redirects, 5 rounds → test/bench/results/spread.md
	@./test/services.sh bench
	go run ./test/bench/cmd/bench -scale -spread 36 $(BENCH_FLAGS)

##@ Local stack (Docker Compose)
COMPOSE := docker compose -f compose/docker-compose.yml --env-file .env
.PHONY: startlocal stoplocal
# COMPOSE_CHECK says in one line what is missing, before anything is created.
COMPOSE_CHECK = docker compose version >/dev/null 2>&1 || { echo "$@ needs Docker Compose: 'docker compose' is not available (install Docker Engine and its compose plugin)" >&2; exit 1; }; \
	docker info >/dev/null 2>&1 || { echo "$@ needs a running Docker engine: 'docker info' gets no answer (start Docker, or check your access to its socket)" >&2; exit 1; }
startlocal: ## Build and start Postgres, both Redis, api, batch and nginx (:8080), then migrate
	@$(COMPOSE_CHECK)
	@test -f .env || { echo "cp compose/env.example .env"; cp compose/env.example .env; }
	$(COMPOSE) up -d --build
	@for i in $$(seq 60); do $(COMPOSE) exec -T postgres pg_isready -q -U postgres && exit 0; sleep 1; done; echo "postgres not ready" >&2; exit 1
	set -a && . ./.env && set +a && go run ./cmd/migrate up && go run ./cmd/partitions --ahead 2

stoplocal: ## Stop the local stack (volumes are kept)
	@$(COMPOSE_CHECK)
	$(COMPOSE) down

##@ Load
.PHONY: loadtestcreate loadtestredirect stresstestcreate stresstestredirect soak
soak: ## Mixed load (80% redirects) for DURATION (default 5m) against TARGET; PID=<api pid> reports its memory
	go run ./test/load -scenario mixed -mode soak -target $(TARGET) $(if $(DURATION),-duration $(DURATION)) $(if $(PID),-pid $(PID))

loadtestcreate: ## Create load: 20 users, 30 s, against TARGET (default http://localhost:8080)
	go run ./test/load -scenario create -mode load -target $(TARGET)

loadtestredirect: ## Redirect load: 100 seeded links, 300 users, 60 s
	go run ./test/load -scenario redirect -mode load -target $(TARGET)

stresstestcreate: ## Create stress: 100 users
	go run ./test/load -scenario create -mode stress -target $(TARGET)

stresstestredirect: ## Redirect stress: 1000 users
	go run ./test/load -scenario redirect -mode stress -target $(TARGET)

##@ Terraform (runs in Docker; TF_WORKSPACE defaults to staging)
TF_STATE_BUCKET ?= shortlink-tfstate
TF_STATE_REGION ?= us-east-1
TF_LOCK_TABLE   ?= shortlink-tfstate-lock
IMAGE_TAG       ?= $(shell git rev-parse --short HEAD)
TF         = docker compose -f infra/docker-compose.yml run --rm
TF_BACKEND = -backend-config=bucket=$(TF_STATE_BUCKET) -backend-config=region=$(TF_STATE_REGION) \
             -backend-config=dynamodb_table=$(TF_LOCK_TABLE) -backend-config=encrypt=true
.PHONY: tfsetupinit tfsetupvalidate tfsetupapply tfdeployinit tfdeployvalidate tfdeployapply

tfsetupinit: ## terraform init of infra/setup (state bucket, ECR, VPC)
	$(TF) setup init $(TF_BACKEND) -backend-config=key=shortlink/setup.tfstate $(TF_ARGS)

tfsetupvalidate: ## terraform fmt -check and validate of infra/setup
	$(TF) setup fmt -check -recursive
	$(TF) setup validate

tfsetupapply: ## terraform apply of infra/setup
	$(TF) setup apply -var tf_state_bucket=$(TF_STATE_BUCKET) -var tf_state_lock_table=$(TF_LOCK_TABLE) $(TF_ARGS)

# init in "default": init can fail when TF_WORKSPACE names a workspace not created yet
tfdeployinit: ## terraform init of infra/deploy (the app)
	$(TF) -e TF_WORKSPACE=default deploy init $(TF_BACKEND) -backend-config=key=shortlink/deploy.tfstate $(TF_ARGS)

tfdeployvalidate: ## terraform fmt -check and validate of infra/deploy
	$(TF) deploy fmt -check -recursive
	$(TF) deploy validate

tfdeployapply: ## terraform apply of infra/deploy with IMAGE_TAG (default: HEAD's short hash)
	$(TF) deploy apply -var tf_state_bucket=$(TF_STATE_BUCKET) -var tf_state_region=$(TF_STATE_REGION) -var image_tag=$(IMAGE_TAG) $(TF_ARGS)

# tflint's bundled terraform ruleset (.tflint.hcl) needs no plugin download.
TFLINT_VERSION := v0.64.0

bin/tflint:
	GOBIN=$(CURDIR)/bin go install github.com/terraform-linters/tflint@$(TFLINT_VERSION)

# Offline validation (not in CI): the AWS provider built from the source the Go
# module proxy serves (its version/VERSION says 6.47.1), wired in through a CLI
# config's dev_overrides, so `terraform validate` needs no `init` and no registry.
TF_AWS_PROVIDER         := github.com/hashicorp/terraform-provider-aws
TF_AWS_PROVIDER_VERSION := v1.60.1-0.20260602190131-5f2286d6d836
TF_OFFLINE_DIR          := $(CURDIR)/bin/tfoffline
.PHONY: tfvalidate-offline

tfvalidate-offline: $(TF_OFFLINE_DIR)/terraform-provider-aws ## terraform validate of both modules against the AWS provider built from source (first run builds for 17+ min, needs ~8 GB of memory; not in CI)
	@printf 'provider_installation {\n  dev_overrides {\n    "hashicorp/aws" = "%s"\n  }\n  direct {}\n}\n' '$(TF_OFFLINE_DIR)' > $(TF_OFFLINE_DIR)/terraformrc
	@TF_CLI_CONFIG_FILE=$(TF_OFFLINE_DIR)/terraformrc terraform version
	@echo "hashicorp/aws: $(TF_AWS_PROVIDER)@$(TF_AWS_PROVIDER_VERSION), built in $(TF_OFFLINE_DIR) (dev_overrides)"
	@for m in setup deploy; do echo "== infra/$$m"; TF_CLI_CONFIG_FILE=$(TF_OFFLINE_DIR)/terraformrc terraform -chdir=infra/$$m validate -no-color || exit 1; done

# Reused once built: delete bin/tfoffline to rebuild.
$(TF_OFFLINE_DIR)/terraform-provider-aws:
	mkdir -p $(TF_OFFLINE_DIR)
	go mod download $(TF_AWS_PROVIDER)@$(TF_AWS_PROVIDER_VERSION)
	cd "$$(go mod download -json $(TF_AWS_PROVIDER)@$(TF_AWS_PROVIDER_VERSION) | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$$/\1/p')" && \
	  echo "building terraform-provider-aws $$(cat version/VERSION) ($(TF_AWS_PROVIDER_VERSION))" && \
	  GOWORK=off go build -gcflags='all=-N -l' -ldflags='-s -w' -o $@ .
