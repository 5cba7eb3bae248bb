#!/usr/bin/env bash
# Measures each function's init time (process start to first Runtime API poll) with the
# release profile, on this machine (x86_64 build of the same code the arm64 bootstrap runs).
# Every function gets exactly the variables template.yaml gives it, resolved as the local
# runner resolves them but against placeholder resources (`liaison-local env BINARY`): init
# reads configuration and builds clients, it calls nothing. A function that adds a variable
# is measured with it, without this script knowing.
set -euo pipefail
cd "$(dirname "$0")/.."
bins=$(sed -n 's/^ *Binary: *//p' template.yaml | sort -u)
args=()
for b in $bins; do args+=(-p "$b"); done
cargo build --release "${args[@]}"
cargo build -q -p liaison-local
for bin in $bins; do
  mapfile -t vars < <(target/debug/liaison-local env "$bin")
  python3 bench/init_time.py "target/release/$bin" "${RUNS:-30}" "${vars[@]}"
done
