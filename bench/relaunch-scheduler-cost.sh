#!/usr/bin/env bash
# What one relaunch-scheduler run costs, in DynamoDB and SQS calls, for N due carts
# (default 10,000) on the local stack (DynamoDB Local, moto's SQS): counts, plus the time
# it took here, which says little of AWS. Numbers reported in docs/relaunch.md.
set -euo pipefail
cd "$(dirname "$0")/.."
RELAUNCH_COST_CARTS="${1:-10000}" cargo test -p relaunch-scheduler --test scheduler cost -- --nocapture 2>&1 |
  grep -E "relaunch scheduler,|test result"
