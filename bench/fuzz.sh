#!/usr/bin/env bash
# Fuzzes every webhook parser of `ingest` (targets in fuzz/fuzz_targets/) for a bounded
# time each, with cargo-fuzz on the stable toolchain, and prints one line per target.
#
#   bash bench/fuzz.sh [seconds-per-target]     (default 60; `make fuzz`)
#   FUZZ_TARGETS="handshake_x envelope" bash bench/fuzz.sh 600    (only those targets)
#
# Exits non-zero when a target crashed (panic, abort, timeout, out of memory); the input
# is kept in fuzz/artifacts/<target>/ and the log in fuzz/target/fuzz-logs/<target>.log.
# Seed corpora are copied from functions/ingest/events/ at each run into fuzz/corpus/
# (git-ignored, like fuzz/artifacts/: a crashing input never goes into the repo).
#
# Works on stable: `--sanitizer none` is all it takes (AddressSanitizer needs nightly's
# -Zsanitizer, and safe Rust hardly needs it). RUSTC_BOOTSTRAP is not set: it is not
# needed, and it would make dependencies' build scripts that probe for nightly features
# turn them on. `-a` turns debug assertions and overflow checks on, as in `cargo test`.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

per_target=${1:-60}
if ! [[ $per_target =~ ^[0-9]+$ ]] || ((per_target < 1)); then
  echo "usage: bash bench/fuzz.sh [seconds-per-target]" >&2
  exit 2
fi

CARGO_FUZZ_VERSION=0.13.2
CARGO_FUZZ_ROOT=$ROOT/.local/cargo-fuzz
export PATH=$CARGO_FUZZ_ROOT/bin:$PATH
# Its own target dir: no lock contention with the main workspace's target/.
export CARGO_TARGET_DIR=$ROOT/fuzz/target
# 2 cores, shared with other builds.
export CARGO_BUILD_JOBS=${CARGO_BUILD_JOBS:-1}
FUZZ_FLAGS=(--sanitizer none -a --fuzz-dir "$ROOT/fuzz" --target-dir "$CARGO_TARGET_DIR")
LOGS=$CARGO_TARGET_DIR/fuzz-logs
EVENTS=$ROOT/functions/ingest/events

if ! cargo-fuzz --version 2>/dev/null | grep -qx "cargo-fuzz $CARGO_FUZZ_VERSION"; then
  echo "== installing cargo-fuzz $CARGO_FUZZ_VERSION into .local/cargo-fuzz"
  cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked --root "$CARGO_FUZZ_ROOT"
fi
echo "== $(rustc --version), $(cargo-fuzz --version)"

echo "== building the fuzz targets (-j$CARGO_BUILD_JOBS)"
build_start=$(date +%s)
cargo fuzz build "${FUZZ_FLAGS[@]}"
echo "== built in $(($(date +%s) - build_start)) s"

# The fixtures that seed each target (event folders, or literal seeds for the handshakes).
seed() {
  local target=$1 corpus=$ROOT/fuzz/corpus/$1
  mkdir -p "$corpus"
  case $target in
    parse_standard_webhooks | envelope) dirs=(standard-webhooks) ;;
    parse_*) dirs=("${target#parse_}") ;;
    read_feed) dirs=(youtube) ;;
    html_to_text) dirs=(discourse wordpress) ;;
    handshake_woocommerce) dirs=(woocommerce) ;;
    handshake_meta)
      dirs=()
      printf 'subscribe\nfuzz-verify-token\n1158201444' >"$corpus/seed-subscribe"
      ;;
    handshake_youtube)
      dirs=()
      printf 'subscribe\nhttps://www.youtube.com/xml/feeds/videos.xml?channel_id=UCm7LqH3fQv9Xk2Zp8Rb4sTw\n14921604' \
        >"$corpus/seed-subscribe"
      printf 'unsubscribe\nhttps://www.youtube.com/xml/feeds/videos.xml?channel_id=UCm7LqH3fQv9Xk2Zp8Rb4sTw\n14921604' \
        >"$corpus/seed-unsubscribe"
      ;;
    handshake_x)
      dirs=()
      printf 'challenge-xyz' >"$corpus/seed-crc"
      ;;
    *) dirs=() ;;
  esac
  for dir in "${dirs[@]}"; do
    dir=${dir//_/-}
    [[ -d $EVENTS/$dir ]] || continue
    find "$EVENTS/$dir" -maxdepth 1 -type f ! -name 'README*' -exec cp -t "$corpus" {} +
  done
}

mkdir -p "$LOGS"
mapfile -t targets < <(cargo fuzz list --fuzz-dir "$ROOT/fuzz")
if [[ -n ${FUZZ_TARGETS:-} ]]; then
  read -r -a targets <<<"$FUZZ_TARGETS"
fi
failed=0
results=()
for target in "${targets[@]}"; do
  seed "$target"
  log=$LOGS/$target.log
  echo "== $target: ${per_target}s"
  start=$(date +%s)
  if cargo fuzz run "${FUZZ_FLAGS[@]}" "$target" "fuzz/corpus/$target" -- \
    -max_total_time="$per_target" -rss_limit_mb=2048 -timeout=30 -print_final_stats=1 \
    >"$log" 2>&1; then
    rc=0
  else
    rc=$?
  fi
  wall=$(($(date +%s) - start))
  ran=$(sed -nE 's/^Done [0-9]+ runs in ([0-9]+) second.*/\1/p' "$log" | tail -1)
  execs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+).*/\1/p' "$log" | tail -1)
  [[ -n $execs ]] || execs=$(sed -nE 's/^#([0-9]+).*/\1/p' "$log" | tail -1)
  artifact=$(sed -nE 's/.*(Test unit written to|artifact written to) ([^ ]+).*/\2/p' "$log" | tail -1)
  if ((rc == 0)); then
    outcome="no crash"
  else
    failed=1
    outcome="CRASH (exit $rc): ${artifact:-no artifact, see $log}"
    tail -n 40 "$log" >&2
  fi
  results+=("$(printf '%-24s %5ss %12s execs  %s' "$target" "${ran:-$wall}" "${execs:-?}" "$outcome")")
done

echo "== results (${per_target}s per target; logs in ${LOGS#"$ROOT"/})"
printf '%s\n' "${results[@]}"
exit "$failed"
