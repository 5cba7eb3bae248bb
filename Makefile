# Liaison: the two commands that matter are `make dev` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help
export SAM_CLI_TELEMETRY := 0
export AWS_DEFAULT_REGION ?= eu-west-1
TOOLS := .local/tools/bin
LINT := .local/lint/bin
OPS_SCRIPTS := infra/console-deploy.sh infra/cargo-lambda.sh infra/lambda-build.sh infra/package.sh infra/deploy.sh infra/smoke-test.sh infra/replay-dlq.sh bench/load.sh bench/init-time.sh

.PHONY: help deps dev test console console-check token site-token lint-template lint-workflows fmt bench load lambda-build package deploy fuzz classification-report

help:
	@echo "make dev      - the whole system locally on http://127.0.0.1:\$${LIAISON_PORT:-3000}, the console at /console/"
	@echo "make test     - everything CI checks (fmt, clippy, cfn-lint, sam validate, actionlint, the console's checks, cargo test)"
	@echo "make console  - the console's packages (from its lockfile) and its build, console/dist"
	@echo "make token    - a development staff token (GROUP=liaison-marketer for another group)"
	@echo "make site-token - a development token of the brand's site, for /api/referrals"
	@echo "make bench    - init time of the ingest bootstrap and criterion benches"
	@echo "make classification-report - the classifier's precision, recall and confusion matrices in-sample, cross-validated and held out (TUNE=1: the cross-validated search of its constants)"
	@echo "make fuzz     - every webhook parser under cargo-fuzz, 60 s each (SECONDS_PER_TARGET=600 for longer)"
	@echo "make load     - thousands of signed deliveries, each twice, through the local stack, the runner killed halfway: exactly once?"
	@echo "make package  - sam build of every function for Lambda into .aws-sam/build (infra/samconfig.toml)"
	@echo "make deploy ENV=staging - sam deploy of .aws-sam/build to an environment (docs/operations.md)"

## Installs the emulators and template tools into .local/ (pinned, idempotent).
deps:
	@bash infra/deps.sh

## DynamoDB Local + moto + every function of template.yaml and the console, until Ctrl-C.
dev: deps console
	cargo run -p liaison-local -- dev

## The console: its packages exactly as locked, then its build (console/dist, served at /console/).
console:
	cd console && npm ci --no-audit --no-fund --loglevel=error && npm run build

## The console's own checks (strict types, unit tests) and its build, which the browser tests use.
console-check: console
	cd console && npm test

## A development staff token accepted by the local runner.
token:
	@cargo run -q -p liaison-local -- token --group $${GROUP:-liaison-admin}

## A development token of the brand's site (scope liaison/referrals) for /api/referrals.
site-token:
	@cargo run -q -p liaison-local -- token --site

## The SAM template, then what the SAM transform makes of it (what CloudFormation deploys):
## refused `Authorizer: NONE` routes and circular dependencies only show there.
lint-template: deps
	$(TOOLS)/cfn-lint template.yaml
	$(TOOLS)/sam validate --lint --template-file template.yaml
	$(TOOLS)/python infra/sam-translate.py template.yaml .aws-sam/lint/template.json
	$(TOOLS)/cfn-lint --ignore-checks W2001 -- .aws-sam/lint/template.json
	$(TOOLS)/cfn-lint infra/github-oidc-role.yaml
	for env in default staging production; do \
	  $(TOOLS)/sam validate --config-file infra/samconfig.toml --config-env $$env >/dev/null || exit 1; \
	done

## The GitHub workflows (actionlint, which runs shellcheck on their run: steps), the deployment
## scripts (bash -n, shellcheck) and the smoke test's signing against the spec's vectors.
lint-workflows: deps
	PATH="$(CURDIR)/$(LINT):$$PATH" $(LINT)/actionlint
	for f in $(OPS_SCRIPTS); do bash -n $$f || exit 1; done
	$(LINT)/shellcheck -x $(OPS_SCRIPTS)
	bash infra/smoke-test.sh --self-test

## Everything CI runs; integration tests start their own emulators on free ports.
test: deps
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -- -D warnings
	$(MAKE) --no-print-directory lint-template
	$(MAKE) --no-print-directory lint-workflows
	$(MAKE) --no-print-directory console-check
	cargo test --workspace

fmt:
	cargo fmt --all

## Builds every function for Lambda (arm64) with cargo-lambda.
lambda-build:
	bash infra/lambda-build.sh

## `sam build` (rust-cargolambda, arm64) from infra/samconfig.toml: the artifact CI deploys.
package: deps
	bash infra/package.sh $(or $(ENV),staging)

## `sam deploy` of what `make package` built, after the stack's secrets are ready in SSM.
deploy:
	bash infra/deploy.sh $(or $(ENV),$(error ENV=staging|production|default is required))

bench:
	bash bench/init-time.sh
	cargo bench -p ingest

fuzz:
	bash bench/fuzz.sh $(or $(SECONDS_PER_TARGET),60)

## Load and a fault through the local stack (bench/load.sh): EVENTS, CONCURRENCY, FAULT=0.
load: deps
	bash bench/load.sh $(or $(EVENTS),2000) $(or $(CONCURRENCY),32)

## Precision, recall and confusion matrices on tests/data (SET=path MISSES=1 for one set and its misses).
classification-report:
	@cargo run -q -p identify --example classification_report -- $(SET) $(if $(MISSES),--misses,) $(if $(TUNE),--tune,)
