#!/usr/bin/env bash
# Measures each function's init time (process start to first Runtime API poll) with the
# release profile, on this machine (x86_64 build of the same code the arm64 bootstrap runs).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p ingest -p admin -p poll
for bin in ingest admin poll; do
  python3 bench/init_time.py "target/release/$bin" "${RUNS:-30}" \
    SOURCES_TABLE=bench-sources IDEMPOTENCY_TABLE=bench-idempotency \
    IGNORED_TABLE=bench-ignored POLL_STATE_TABLE=bench-poll-state \
    CONTRIBUTIONS_QUEUE_URL=https://sqs.eu-west-1.amazonaws.com/123456789012/c \
    COMMERCE_QUEUE_URL=https://sqs.eu-west-1.amazonaws.com/123456789012/k
done
