#!/usr/bin/env bash
# Deploys what `make package` built (.aws-sam/build) to one environment of
# infra/samconfig.toml with `sam deploy`, adding what the file must not hold:
#
#   infra/deploy.sh ENVIRONMENT [more sam deploy options]    e.g. infra/deploy.sh staging
#   infra/deploy.sh --target ENVIRONMENT                     prints "STACK_NAME REGION"
#
# Parameters: the environment's parameter_overrides in infra/samconfig.toml, then any
# LIAISON_PARAM_<Name> variable (as the local runner reads them; in CI, GitHub environment
# variables). No parameter is a secret: the secrets live in SSM under /<stack>/ and the
# functions read them at init; infra/stack_secrets.py creates them before the first deploy.
# A value still containing REPLACE_ME stops the deploy before anything is sent.
#
# Artifacts: SAM_ARTIFACTS_BUCKET (the bucket of infra/github-oidc-role.yaml) if set, else the
# bucket SAM manages itself (resolve_s3 in samconfig.toml).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
config=infra/samconfig.toml
die() { printf 'deploy: %s\n' "$*" >&2; exit 1; }

# name=value lines of one environment's settings, from samconfig.toml.
settings() {
  python3 - "$config" "$1" <<'PY'
import sys, tomllib
with open(sys.argv[1], "rb") as f:
    config = tomllib.load(f)
env = config.get(sys.argv[2])
if env is None or "deploy" not in env:
    sys.exit(f"no [{sys.argv[2]}.deploy.parameters] in {sys.argv[1]}")
deploy = env["deploy"]["parameters"]
region = env.get("global", {}).get("parameters", {}).get("region") or deploy.get("region", "")
print(f"stack_name={deploy['stack_name']}")
print(f"region={region}")
overrides = deploy.get("parameter_overrides", [])
if isinstance(overrides, str):
    overrides = overrides.split()
for pair in overrides:
    print(f"param:{pair}")
PY
}

[ $# -ge 1 ] || die "usage: infra/deploy.sh ENVIRONMENT [sam deploy options] | --target ENVIRONMENT"
if [ "$1" = "--target" ]; then
  [ $# -eq 2 ] || die "usage: infra/deploy.sh --target ENVIRONMENT"
  out=$(settings "$2") || exit 1
  stack=$(sed -n 's/^stack_name=//p' <<<"$out")
  region=$(sed -n 's/^region=//p' <<<"$out")
  printf '%s %s\n' "$stack" "$region"
  exit 0
fi
environment=$1
shift
out=$(settings "$environment") || exit 1
stack=$(sed -n 's/^stack_name=//p' <<<"$out")
region=$(sed -n 's/^region=//p' <<<"$out")

[ -f .aws-sam/build/template.yaml ] ||
  die "no .aws-sam/build/template.yaml: run 'make package' first (deploying the source template would upload the whole repository as code)"

# Parameters: samconfig.toml, then LIAISON_PARAM_<Name>.
declare -A params=()
order=()
while IFS= read -r pair; do
  name=${pair%%=*}
  [ -n "${params[$name]+x}" ] || order+=("$name")
  params[$name]=${pair#*=}
done < <(sed -n 's/^param://p' <<<"$out")
# An empty one is ignored: in CI an unset GitHub variable arrives as an empty string.
while IFS='=' read -r var value; do
  name=${var#LIAISON_PARAM_}
  [ -n "$name" ] && [ -n "$value" ] || continue
  [ -n "${params[$name]+x}" ] || order+=("$name")
  params[$name]=$value
done < <(env | grep '^LIAISON_PARAM_[A-Za-z0-9]*=' || true)

overrides=()
for name in "${order[@]}"; do
  value=${params[$name]}
  case $value in *REPLACE_ME*) die "parameter $name of [$environment] is still a placeholder ($value): set it in $config or as LIAISON_PARAM_$name" ;; esac
  case $value in *[[:space:]\"\']*) die "parameter $name has a space or a quote, which sam deploy cannot take" ;; esac
  overrides+=("$name=$value")
done

# The secrets: SSM SecureStrings under /$stack/ that the functions read at init
# (CloudFormation cannot create a SecureString; sam never sees them). Created when missing;
# an existing stack's lookup key comes from IDENTITY_HASH_KEY or the parameter older
# deploys read (infra/stack_secrets.py, docs/operations.md).
python=${SECRETS_PYTHON:-$root/.local/tools/bin/python}
"$python" infra/stack_secrets.py ensure --stack "$stack" --region "$region" --environment "$environment" ||
  die "the stack's secrets could not be made ready in SSM"

s3=()
if [ -n "${SAM_ARTIFACTS_BUCKET:-}" ]; then
  s3=(--no-resolve-s3 --s3-bucket "$SAM_ARTIFACTS_BUCKET")
fi

printf 'deploy: %s -> stack %s in %s (%d parameters; secrets in SSM under /%s/)\n' "$environment" "$stack" "$region" \
  "${#overrides[@]}" "$stack" >&2
export SAM_CLI_TELEMETRY=0
sam=${SAM:-$root/.local/tools/bin/sam}
exec "$sam" deploy --config-file "$config" --config-env "$environment" \
  --parameter-overrides "${overrides[*]}" "${s3[@]}" "$@"
