#!/usr/bin/env bash
# Sourced by infra/lambda-build.sh and infra/package.sh: installs cargo-lambda (PyPI, which
# brings zig) into .local/lambda at a pinned version, puts it on PATH, and makes sure the
# arm64 Rust target is there. `sam build` (rust-cargolambda) and `cargo lambda build` both
# need cargo-lambda and zig on PATH.
# Expects $root (the repository) to be set by the caller.
# shellcheck disable=SC2154 # $root comes from the script that sources this one
CARGO_LAMBDA_VERSION=1.9.2
cargo_lambda_venv="$root/.local/lambda"
mkdir -p "$root/.local"
if [ "$(cat "$root/.local/lambda.stamp" 2>/dev/null)" != "$CARGO_LAMBDA_VERSION" ]; then
  rm -rf "$cargo_lambda_venv"
  python3 -m venv "$cargo_lambda_venv"
  "$cargo_lambda_venv/bin/pip" install -q --disable-pip-version-check "cargo-lambda==$CARGO_LAMBDA_VERSION"
  printf '%s' "$CARGO_LAMBDA_VERSION" >"$root/.local/lambda.stamp"
fi
export PATH="$cargo_lambda_venv/bin:$PATH"
rustup target list --installed | grep -q aarch64-unknown-linux-gnu || rustup target add aarch64-unknown-linux-gnu
