#!/usr/bin/env bash
# Measures each function's init time (process start to first Runtime API poll) with the
# release profile, on this machine (x86_64 build of the same code the arm64 bootstrap runs).
# Every function gets the variables template.yaml gives it (placeholder values: init reads
# configuration and builds clients, it calls nothing).
set -euo pipefail
cd "$(dirname "$0")/.."
bins=$(sed -n 's/^ *Binary: *//p' template.yaml | sort -u)
args=()
for b in $bins; do args+=(-p "$b"); done
cargo build --release "${args[@]}"
q=https://sqs.eu-west-1.amazonaws.com/123456789012
for bin in $bins; do
  python3 bench/init_time.py "target/release/$bin" "${RUNS:-30}" \
    SOURCES_TABLE=bench-sources IDEMPOTENCY_TABLE=bench-idempotency \
    IGNORED_TABLE=bench-ignored POLL_STATE_TABLE=bench-poll-state \
    CONTACTS_TABLE=bench-contacts CONTRIBUTIONS_TABLE=bench-contributions \
    CASES_TABLE=bench-cases OPPORTUNITIES_TABLE=bench-opportunities \
    SUPPRESSION_TABLE=bench-suppression REPORTS_TABLE=bench-reports SETTINGS_TABLE=bench-settings \
    CONTRIBUTIONS_QUEUE_URL=$q/c COMMERCE_QUEUE_URL=$q/k CONTRIBUTIONS_DLQ_URL=$q/cd \
    SUPPORT_QUEUE_URL=$q/s MODERATION_CALLBACKS_QUEUE_URL=$q/cb MODERATION_CALLBACKS_DLQ_URL=$q/cbd \
    IDENTITY_HASH_KEY=bench-identity-hash-key-of-32-characters-at-least \
    SENDER_EMAIL=noreply@example.com SUPPORT_ALERT_EMAIL=support@example.com \
    CARTS_TABLE=bench-carts STATS_TABLE=bench-stats CAMPAIGNS_TABLE=bench-campaigns EMAILS_TABLE=bench-emails SENDS_TABLE=bench-sends CALLBACKS_TABLE=bench-callbacks COMMERCE_DLQ_URL=$q/kd SENDS_QUEUE_URL=$q/sn SENDS_DLQ_URL=$q/snd SES_EVENTS_DLQ_URL=$q/sed SES_CONFIGURATION_SET=bench-relaunch \
    REFERRALS_QUEUE_URL=$q/r REFERRALS_DLQ_URL=$q/rd CONNECTIONS_TABLE=bench-connections SUGGESTIONS_TABLE=bench-suggestions \
    API_BASE_URL=https://api.example.com PUBLIC_BASE_URL=https://api.example.com
done
