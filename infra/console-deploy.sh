#!/usr/bin/env bash
# Uploads the console's build (console/dist, `make console`) to a deployed stack, with the
# config.json that points it at that stack: the API, Cognito's managed login and the
# console's client, read from the stack's outputs. Then invalidates the distribution's copy
# of what changes in place (index.html, config.json). Run by the deploy workflow after
# `sam deploy`; by hand: infra/console-deploy.sh STACK_NAME [REGION].
#
#   infra/console-deploy.sh --config OUTPUTS.json   prints the config.json the outputs make
#                                                   (describe-stacks' Outputs list; offline)
#
# The hashed assets (console/dist/assets/*) are cached a year; index.html and config.json
# are revalidated on every load, so a new build reaches staff at their next page load.
set -euo pipefail

die() { printf 'console-deploy: %s\n' "$*" >&2; exit 1; }

# config.json from a describe-stacks Outputs list on stdin.
config_from_outputs() {
  python3 -c '
import json, sys
outputs = {o["OutputKey"]: o["OutputValue"] for o in json.load(sys.stdin)}
def need(key):
    if not outputs.get(key):
        sys.exit(f"console-deploy: the stack has no output {key}")
    return outputs[key].rstrip("/")
sign_in = need("StaffSignInUrl")
print(json.dumps({
    "apiBaseUrl": need("ApiUrl"),
    "authorizeUrl": sign_in + "/oauth2/authorize",
    "tokenUrl": sign_in + "/oauth2/token",
    "logoutUrl": sign_in + "/logout",
    "clientId": need("ConsoleClientId"),
    "scope": "openid email profile",
}, indent=2))
'
}

if [ "${1:-}" = "--config" ]; then
  [ -f "${2:-}" ] || die "--config takes a file of stack outputs"
  config_from_outputs <"$2"
  exit 0
fi

stack=${1:?usage: infra/console-deploy.sh STACK_NAME [REGION]}
region=${2:-${AWS_REGION:-eu-west-1}}
root=$(cd "$(dirname "$0")/.." && pwd)
dist="$root/console/dist"
[ -f "$dist/index.html" ] || die "no build in console/dist: run make console"

outputs=$(aws cloudformation describe-stacks --stack-name "$stack" --region "$region" \
  --query "Stacks[0].Outputs" --output json) || die "cannot read the outputs of $stack"
output() { python3 -c 'import json,sys; print(next((o["OutputValue"] for o in json.load(sys.stdin) if o["OutputKey"] == sys.argv[1]), ""))' "$1" <<<"$outputs"; }
bucket=$(output ConsoleBucketName)
distribution=$(output ConsoleDistributionId)
[ -n "$bucket" ] && [ -n "$distribution" ] || die "$stack has no console outputs (an older template?)"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
config_from_outputs <<<"$outputs" >"$work/config.json"

# Assets first, so that the new index.html never names a file not yet there.
aws s3 sync "$dist/assets" "s3://$bucket/console/assets" --region "$region" \
  --cache-control "public, max-age=31536000, immutable" --only-show-errors
aws s3 sync "$dist" "s3://$bucket/console" --region "$region" --exclude "assets/*" \
  --cache-control "no-cache" --only-show-errors
aws s3 cp "$work/config.json" "s3://$bucket/console/config.json" --region "$region" \
  --cache-control "no-cache" --content-type application/json --only-show-errors
# Files of older builds go last, once nothing new refers to them.
aws s3 sync "$dist" "s3://$bucket/console" --region "$region" --exclude "config.json" \
  --delete --size-only --only-show-errors
aws cloudfront create-invalidation --distribution-id "$distribution" \
  --paths "/console/index.html" "/console/config.json" "/console/" >/dev/null
printf 'console-deploy: %s uploaded to s3://%s/console (distribution %s)\n' \
  "$(find "$dist" -type f | wc -l) files" "$bucket" "$distribution" >&2
