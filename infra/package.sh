#!/usr/bin/env bash
# `make package`: builds every function of template.yaml for Lambda (arm64, provided.al2023)
# with `sam build` (rust-cargolambda) from infra/samconfig.toml, into .aws-sam/build: the
# artifact that infra/deploy.sh (and CI) deploys to every environment.
#
#   infra/package.sh [ENVIRONMENT]     default: staging (the build settings are the same in all)
#
# Cargo builds into .aws-sam/cargo-target (CARGO_TARGET_DIR): SAM's build cache (cached = true)
# hashes every file under CodeUri (the repository) except .aws-sam/, so a target/ of several GB
# inside the tree would be hashed once per function and would change the hash on every build.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
environment=${1:-staging}
# shellcheck source=infra/cargo-lambda.sh
. "$root/infra/cargo-lambda.sh"
export CARGO_TARGET_DIR="$root/.aws-sam/cargo-target"
export SAM_CLI_TELEMETRY=0
"$root/.local/tools/bin/sam" build --config-file infra/samconfig.toml --config-env "$environment"
for f in .aws-sam/build/*/bootstrap; do
  printf '%-40s %9d bytes\n' "$f" "$(stat -c %s "$f")"
done
