#!/usr/bin/env bash
# `make package`: builds every function of template.yaml for Lambda (arm64, provided.al2023)
# with `sam build` (rust-cargolambda) from infra/samconfig.toml, into .aws-sam/build: the
# artifact that infra/deploy.sh (and CI) deploys to every environment.
#
#   infra/package.sh [ENVIRONMENT]     default: staging (the build settings are the same in all)
#
# SAM builds from a copy of the source (.aws-sam/src: the files git tracks, and the new ones it
# does not ignore), not from the working tree: its build cache (cached = true) hashes every file
# under CodeUri, and the working tree holds target/ (gigabytes, changing while a developer
# builds: a file vanishing mid-hash fails the build) and .local/. Cargo builds into
# .aws-sam/cargo-target (CARGO_TARGET_DIR), kept between runs.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
environment=${1:-staging}
# shellcheck source=infra/cargo-lambda.sh
. "$root/infra/cargo-lambda.sh"
export CARGO_TARGET_DIR="$root/.aws-sam/cargo-target"
export SAM_CLI_TELEMETRY=0
src="$root/.aws-sam/src"
rm -rf "$src"
mkdir -p "$src"
git ls-files -z --cached --others --exclude-standard |
  while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
  tar --null -T - -cf - | tar -xf - -C "$src"
(
  cd "$src"
  "$root/.local/tools/bin/sam" build --config-file infra/samconfig.toml --config-env "$environment" \
    --template-file template.yaml --build-dir "$root/.aws-sam/build" --cache-dir "$root/.aws-sam/cache"
)
for f in .aws-sam/build/*/bootstrap; do
  printf '%-40s %9d bytes\n' "$f" "$(stat -c %s "$f")"
done
