#!/usr/bin/env bash
# Measures each function's init time (process start to first Runtime API poll) with the
# release profile, on this machine (x86_64 build of the same code the arm64 bootstrap runs).
# Every function gets exactly the variables template.yaml gives it, resolved as the local
# runner resolves them but against placeholder resources (`liaison-local env BINARY`). Init
# builds clients and calls nothing, but for the functions with secrets: their one SSM
# GetParameters call is made, to a moto server on loopback holding infra/local-secrets.json
# (a loopback call: what it costs in AWS is a TLS handshake more, see the closing notes).
set -euo pipefail
cd "$(dirname "$0")/.."
bash infra/deps.sh >/dev/null
bins=$(sed -n 's/^ *Binary: *//p' template.yaml | sort -u)
args=()
for b in $bins; do args+=(--bin "$b"); done
cargo build --release "${args[@]}"
cargo build -q -p liaison-local

python=.local/moto/bin/python
port=$("$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
.local/moto/bin/moto_server -p "$port" >/dev/null 2>&1 &
moto=$!
trap 'kill "$moto" 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  sleep 0.1
done

for bin in $bins; do
  mapfile -t vars < <(target/debug/liaison-local env "$bin")
  "$python" bench/init_time.py --ssm "http://127.0.0.1:$port" --secrets infra/local-secrets.json \
    "target/release/$bin" "${RUNS:-30}" "${vars[@]}"
done
