#!/usr/bin/env bash
# Load and faults through the local stack, with IAM enforced as in `make dev`:
#
#   bash bench/load.sh [events] [concurrency]        (defaults 2000 and 32)
#   FAULT=0 bash bench/load.sh ...                    (the same without the runner's death)
#
# 1. Starts the emulators on their own (`liaison-local emulators`), then the runner
#    (`liaison-local dev` with LIAISON_EMULATORS=external) on free loopback ports.
# 2. bench/load.py sends `events` distinct signed deliveries over four platforms, each twice
#    with the redelivery racing the first, retrying failures as platforms do.
# 3. Fault: once half the requests are done, the runner is killed (SIGKILL: mid-request,
#    mid-batch, queue messages in flight) and started again on the same emulators.
# 4. load.py waits for the queues to drain and checks, from the tables and queues, that
#    every event was processed exactly once; it prints the report (requests per second,
#    p50/p99 latency, statuses, what it found) and exits 1 otherwise.
#
# Loopback only, bounded in count and in time (load.py's --deadline). The stage throttle of
# POST /hooks is raised for the run (LIAISON_PARAM_Hooks*): this measures the system, not
# API Gateway's limit (which answers 429 beyond it; platforms retry).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
events=${1:-2000}
concurrency=${2:-32}
bash infra/deps.sh >/dev/null
cargo build -q -p liaison-local
BIN=$ROOT/target/debug/liaison-local
work=$(mktemp -d)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
LIAISON_DYNAMODB_PORT=$(free_port)
LIAISON_MOTO_PORT=$(free_port)
LIAISON_PORT=$(free_port)
export LIAISON_DYNAMODB_PORT LIAISON_MOTO_PORT LIAISON_PORT
export LIAISON_EMULATORS=external LIAISON_STACK_NAME=liaison
export LIAISON_PARAM_HooksBurstLimit=100000 LIAISON_PARAM_HooksRateLimit=100000
export RUST_LOG=warn
pids=()
# shellcheck disable=SC2329 # called by the EXIT trap
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

"$BIN" emulators >"$work/emulators.log" 2>&1 &
pids+=($!)
start_runner() {
  "$BIN" dev >>"$work/runner.log" 2>&1 &
  runner=$!
  pids+=("$runner")
  for _ in $(seq 1 600); do
    curl -sf "http://127.0.0.1:$LIAISON_PORT/health" >/dev/null && return 0
    sleep 0.1
  done
  echo "the runner did not start; its log:" >&2
  tail -20 "$work/runner.log" >&2
  exit 1
}
for port in "$LIAISON_DYNAMODB_PORT" "$LIAISON_MOTO_PORT"; do
  for _ in $(seq 1 600); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.1
  done
done
start_runner
token=$("$BIN" token)

.local/moto/bin/python bench/load.py \
  --base "http://127.0.0.1:$LIAISON_PORT" --token "$token" \
  --dynamodb "http://127.0.0.1:$LIAISON_DYNAMODB_PORT" --moto "http://127.0.0.1:$LIAISON_MOTO_PORT" \
  --events "$events" --concurrency "$concurrency" --deadline 900 \
  --ready-file "$work/half" >"$work/report.json" &
load=$!

# The fault: kill the runner once half the requests are answered, start it again.
for _ in $(seq 1 9000); do
  [ -e "$work/half" ] && break
  kill -0 "$load" 2>/dev/null || break
  sleep 0.1
done
if [ "${FAULT:-1}" = 1 ] && [ -e "$work/half" ]; then
  kill -KILL "$runner"
  echo "runner killed (SIGKILL) at half the requests; restarting" >&2
  sleep 1
  start_runner
fi
status=0
wait "$load" || status=$?
cat "$work/report.json"
exit "$status"
