#!/usr/bin/env bash
# Builds every function of the workspace for AWS Lambda (arm64, provided.al2023) with
# cargo-lambda (PyPI, which brings zig), into target/lambda/<binary>/bootstrap, and prints
# each bootstrap's size.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
CARGO_LAMBDA_VERSION=1.9.2
venv="$root/.local/lambda"
if [ "$(cat "$root/.local/lambda.stamp" 2>/dev/null)" != "$CARGO_LAMBDA_VERSION" ]; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check "cargo-lambda==$CARGO_LAMBDA_VERSION"
  printf '%s' "$CARGO_LAMBDA_VERSION" >"$root/.local/lambda.stamp"
fi
export PATH="$venv/bin:$PATH"
rustup target list --installed | grep -q aarch64-unknown-linux-gnu || rustup target add aarch64-unknown-linux-gnu
bins=$(sed -n 's/^ *Binary: *//p' template.yaml | sort -u)
args=()
for b in $bins; do args+=(--bin "$b"); done
cargo lambda build --release --arm64 "${args[@]}"
for b in $bins; do
  f="target/lambda/$b/bootstrap"
  printf '%-12s %8d bytes  %s\n' "$b" "$(stat -c %s "$f")" "$f"
done
