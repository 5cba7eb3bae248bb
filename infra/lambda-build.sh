#!/usr/bin/env bash
# Builds every function of the workspace for AWS Lambda (arm64, provided.al2023) with
# cargo-lambda (PyPI, which brings zig), into target/lambda/<binary>/bootstrap, and prints
# each bootstrap's size.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
# shellcheck source=infra/cargo-lambda.sh
. "$root/infra/cargo-lambda.sh"
bins=$(sed -n 's/^ *Binary: *//p' template.yaml | sort -u)
args=()
for b in $bins; do args+=(--bin "$b"); done
cargo lambda build --release --arm64 "${args[@]}"
for b in $bins; do
  f="target/lambda/$b/bootstrap"
  printf '%-12s %8d bytes  %s\n' "$b" "$(stat -c %s "$f")" "$f"
done
