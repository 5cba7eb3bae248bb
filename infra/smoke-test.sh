#!/usr/bin/env bash
# Smoke test of a deployed Liaison stack: what CI runs after `sam deploy` to staging, before
# production may start. Exits non-zero, saying why, on the first failure.
#
#   infra/smoke-test.sh STACK_NAME [REGION]     e.g. infra/smoke-test.sh liaison-staging eu-west-1
#   infra/smoke-test.sh --self-test             the signing code against the Standard Webhooks
#                                               spec's published vectors (offline; make test)
#
# It checks, against the ApiUrl output of the stack (aws cloudformation describe-stacks):
#   1. a correctly signed Standard Webhooks request to POST /hooks/{source_id} of the smoke
#      source answers 2xx (202 accepted, or 200 duplicate);
#   2. the same body with a wrong signature answers 401 (the signature is enforced);
#   3. GET /admin/sources without a token answers 401 (the JWT authorizer is on);
#   4. GET /admin/sources with a staff token answers 200 with a "sources" list.
#
# Environment (GitHub environment secrets in CI; docs/operations.md, "Smoke test"):
#   LIAISON_SMOKE_SOURCE_ID       id of a standard-webhooks source registered once for the smoke test
#   LIAISON_SMOKE_SOURCE_SECRET   its whsec_ secret
#   LIAISON_SMOKE_TOKEN           a staff bearer token (group liaison-admin), or else the three below,
#                                 with which the script asks Cognito for one (USER_PASSWORD_AUTH):
#   LIAISON_SMOKE_COGNITO_CLIENT_ID (default: the stack's ConsoleClientId output, whose pool
#   allows password sign-in where StaffPasswordSignIn=true), LIAISON_SMOKE_USERNAME,
#   LIAISON_SMOKE_PASSWORD
#   LIAISON_SMOKE_API_URL         optional: test this base URL instead of the stack's output
#                                 (e.g. http://127.0.0.1:3000 with `make dev`)
#
# What it leaves behind: the event is `social.disconnected` of a fixed smoke account, with a
# new webhook-id each run. Liaison answers 202, queues it, and the referrals function resolves
# the fixed smoke customer (one contact, the same on every run: account identity
# standard-webhooks:liaison-smoke) and forgets connections it never had. No email is sent,
# nothing is classified, no case, cart or suggestion is made.
#
# Only bash, curl, openssl and python3 (and the aws CLI for the stack outputs and Cognito).
set -euo pipefail

die() { printf 'smoke-test: FAIL: %s\n' "$*" >&2; exit 1; }
say() { printf 'smoke-test: %s\n' "$*" >&2; }

# --- Standard Webhooks signing ------------------------------------------------------------

# The key of a whsec_ secret, as hex: the base64 after the prefix, decoded.
secret_key_hex() {
  python3 - "$1" <<'PY'
import base64, binascii, sys
s = sys.argv[1]
s = s[len("whsec_"):] if s.startswith("whsec_") else s
try:
    key = base64.b64decode(s, validate=True)
except (binascii.Error, ValueError):
    sys.exit("the secret is not whsec_ followed by base64")
if not key:
    sys.exit("the secret is empty")
print(key.hex())
PY
}

# v1 signature of (id, timestamp, body) with a whsec_ secret: base64 HMAC-SHA256 over
# "id.timestamp.body". The body is read from a file so that its exact bytes are signed.
sign() {
  local secret=$1 id=$2 ts=$3 body_file=$4 key
  key=$(secret_key_hex "$secret") || return 1
  { printf '%s.%s.' "$id" "$ts"; cat "$body_file"; } |
    openssl dgst -sha256 -mac HMAC -macopt "hexkey:$key" -binary | openssl base64 -A
}

# Scratch files of a run, removed on exit.
work=""
trap '[ -z "$work" ] || rm -rf "$work"' EXIT

self_test() {
  local failures=0 tmp
  work=$(mktemp -d)
  tmp=$work
  # The two vectors the Standard Webhooks spec publishes, also used by
  # functions/ingest/src/connectors/standard_webhooks.rs.
  check() {
    local name=$1 secret=$2 id=$3 ts=$4 body=$5 want=$6 got
    printf '%s' "$body" >"$tmp/body"
    got="v1,$(sign "$secret" "$id" "$ts" "$tmp/body")"
    if [ "$got" = "$want" ]; then
      printf 'ok   %s\n' "$name"
    else
      printf 'FAIL %s: got %s, want %s\n' "$name" "$got" "$want"
      failures=$((failures + 1))
    fi
  }
  check "published vector 1" "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" "msg_p5jXN8AQM9LWM0D4loKWxJek" \
    1614265330 '{"test": 2432232314}' "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
  check "published vector 2" "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD" "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk" \
    1649367553 '{"email":"test@example.com","username":"test_user"}' "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw="
  # One byte more in the body must change the signature.
  printf '%s' '{"test": 2432232315}' >"$tmp/body"
  if [ "v1,$(sign "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" "msg_p5jXN8AQM9LWM0D4loKWxJek" 1614265330 "$tmp/body")" \
    != "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=" ]; then
    printf 'ok   %s\n' "a changed body changes the signature"
  else
    printf 'FAIL %s\n' "a changed body changes the signature"
    failures=$((failures + 1))
  fi
  # A secret that is not base64 is refused, not signed with garbage.
  if sign "whsec_not*base64" id 1 "$tmp/body" >/dev/null 2>&1; then
    printf 'FAIL %s\n' "a malformed secret is refused"
    failures=$((failures + 1))
  else
    printf 'ok   %s\n' "a malformed secret is refused"
  fi
  printf '%d passed, %d failed\n' $((4 - failures)) "$failures"
  [ "$failures" -eq 0 ]
}

# --- HTTP ---------------------------------------------------------------------------------

# request METHOD URL OUT_FILE [curl args...] -> prints the status code.
request() {
  local method=$1 url=$2 out=$3
  shift 3
  curl -sS -o "$out" -w '%{http_code}' --max-time 20 -X "$method" "$url" "$@" ||
    die "$method $url: no answer (curl exit $?)"
}

stack_output() {
  local stack=$1 region=$2 key=$3 value
  value=$(aws cloudformation describe-stacks --stack-name "$stack" --region "$region" \
    --query "Stacks[0].Outputs[?OutputKey=='$key'].OutputValue" --output text) ||
    die "cannot read the outputs of stack $stack in $region"
  [ -n "$value" ] && [ "$value" != "None" ] || die "stack $stack has no output $key"
  printf '%s' "$value"
}

staff_token() {
  if [ -n "${LIAISON_SMOKE_TOKEN:-}" ]; then
    printf '%s' "$LIAISON_SMOKE_TOKEN"
    return
  fi
  local stack=$1 region=$2 client=${LIAISON_SMOKE_COGNITO_CLIENT_ID:-} user=${LIAISON_SMOKE_USERNAME:-}
  if [ -z "$client" ] && [ -n "$user" ]; then
    client=$(stack_output "$stack" "$region" ConsoleClientId)
  fi
  [ -n "$client" ] && [ -n "$user" ] && [ -n "${LIAISON_SMOKE_PASSWORD:-}" ] ||
    die "set LIAISON_SMOKE_TOKEN, or LIAISON_SMOKE_COGNITO_CLIENT_ID, LIAISON_SMOKE_USERNAME and LIAISON_SMOKE_PASSWORD"
  # The password goes through a private file, not the command line.
  local input token
  input=$(mktemp)
  chmod 600 "$input"
  python3 - "$client" "$user" >"$input" <<'PY'
import json, os, sys
print(json.dumps({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": sys.argv[1],
                  "AuthParameters": {"USERNAME": sys.argv[2], "PASSWORD": os.environ["LIAISON_SMOKE_PASSWORD"]}}))
PY
  # The ID token: its aud is the app client id, which the StaffJwt authorizer checks (JwtAudience).
  token=$(aws cognito-idp initiate-auth --region "$region" --cli-input-json "file://$input" \
    --query AuthenticationResult.IdToken --output text) || { rm -f "$input"; die "Cognito refused the smoke user's sign-in"; }
  rm -f "$input"
  [ -n "$token" ] && [ "$token" != "None" ] || die "Cognito returned no ID token (a challenge such as a new password is pending?)"
  printf '%s' "$token"
}

run() {
  local stack=$1 region=$2 api tmp
  local source_id=${LIAISON_SMOKE_SOURCE_ID:-} secret=${LIAISON_SMOKE_SOURCE_SECRET:-}
  [ -n "$source_id" ] || die "LIAISON_SMOKE_SOURCE_ID is not set"
  [ -n "$secret" ] || die "LIAISON_SMOKE_SOURCE_SECRET is not set"
  if [ -n "${LIAISON_SMOKE_API_URL:-}" ]; then
    api=$LIAISON_SMOKE_API_URL
  else
    api=$(stack_output "$stack" "$region" ApiUrl)
  fi
  api=${api%/}
  say "API $api (stack $stack, $region)"
  work=$(mktemp -d)
  tmp=$work

  # 1. A signed webhook.
  local id ts sig status now
  now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  ts=$(date +%s)
  id="msg_smoke_${ts}_${RANDOM}${RANDOM}"
  printf '{"type":"social.disconnected","timestamp":"%s","data":{"platform":"mastodon","account":{"id":"liaison-smoke"},"customer":{"id":"liaison-smoke"}}}' \
    "$now" >"$tmp/body"
  sig=$(sign "$secret" "$id" "$ts" "$tmp/body") || die "cannot sign with LIAISON_SMOKE_SOURCE_SECRET"
  status=$(request POST "$api/hooks/$source_id" "$tmp/out" -H 'content-type: application/json' \
    -H "webhook-id: $id" -H "webhook-timestamp: $ts" -H "webhook-signature: v1,$sig" \
    --data-binary "@$tmp/body")
  case $status in
    2??) say "ok: signed webhook -> $status $(head -c 300 "$tmp/out")" ;;
    *) die "signed webhook to /hooks/$source_id -> $status $(head -c 500 "$tmp/out")" ;;
  esac

  # 2. The same body, wrongly signed.
  status=$(request POST "$api/hooks/$source_id" "$tmp/out" -H 'content-type: application/json' \
    -H "webhook-id: ${id}_forged" -H "webhook-timestamp: $ts" \
    -H "webhook-signature: v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=" --data-binary "@$tmp/body")
  [ "$status" = 401 ] || die "a forged signature -> $status, expected 401: $(head -c 500 "$tmp/out")"
  say "ok: forged signature -> 401"

  # 3. The staff API without a token.
  status=$(request GET "$api/admin/sources" "$tmp/out")
  [ "$status" = 401 ] || die "GET /admin/sources without a token -> $status, expected 401"
  say "ok: admin without a token -> 401"

  # 4. The staff API with a token.
  local token
  token=$(staff_token "$stack" "$region")
  status=$(request GET "$api/admin/sources" "$tmp/out" -H "authorization: Bearer $token")
  [ "$status" = 200 ] || die "GET /admin/sources with the staff token -> $status $(head -c 500 "$tmp/out")"
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert isinstance(d.get("sources"), list)' "$tmp/out" ||
    die "GET /admin/sources answered 200 without a \"sources\" list: $(head -c 500 "$tmp/out")"
  say "ok: admin with a token -> 200"
  say "PASS"
}

case ${1:-} in
  --self-test) self_test ;;
  -h | --help | "") sed -n '2,30p' "$0"; [ -n "${1:-}" ] ;;
  *) run "$1" "${2:-${AWS_REGION:-${AWS_DEFAULT_REGION:-eu-west-1}}}" ;;
esac
