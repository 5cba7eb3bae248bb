"""The stack's secrets in SSM Parameter Store: created before a deploy, rotated by an operator.

    stack_secrets.py ensure  --stack NAME --region R [--environment ENV]
    stack_secrets.py rotate  --stack NAME --region R      a new link key signs from now on
    stack_secrets.py retire  --stack NAME --region R --key-id ID

Three SecureStrings under /{stack}/, which the functions read at init (shared::contracts::secrets):
- lookup-key: the key of the keyed hashes that index emails and handles. Never rotated (a new
  one would orphan every lookup). `ensure` creates it from IDENTITY_HASH_KEY, else from the
  parameter older deploys read (/liaison/{environment}/identity-hash-key), else at random,
  which it refuses for a stack that already exists (its lookups would be orphaned).
- link-keys: {"current": id, id: key, ...}, the keys that sign links in emails. `ensure`
  creates it with a random k1 (and, when migrating, the old key as k0, so that links sent
  before key ids keep working). `rotate` adds the next id and makes it current; the others
  keep verifying the links they signed. `retire` removes a key once its links have expired
  (the longest, unsubscribe, lasts 365 days).
- credentials-key: the key that seals sources' credentials in SourcesTable
  (shared::contracts::sealed). Created at random; never rotated (a new one would leave the
  sealed credentials unreadable: staff would have to give them again). Credentials stored
  before it existed are read as they are and sealed the next time they are written.

Values never reach the command line, the output or a log. boto3 comes with the tools
virtualenv (aws-sam-cli depends on it); AWS_ENDPOINT_URL_SSM points it at moto in tests.
"""

import argparse
import base64
import json
import os
import re

import sys

import boto3
from botocore.exceptions import ClientError

LEGACY_KEY_ID = "k0"
MIN_KEY_BYTES = 32


def new_key():
    return base64.b64encode(os.urandom(48)).decode()


def read(ssm, name):
    try:
        return ssm.get_parameter(Name=name, WithDecryption=True)["Parameter"]["Value"]
    except ClientError as e:
        if e.response["Error"]["Code"] == "ParameterNotFound":
            return None
        raise


def write(ssm, name, value, overwrite):
    ssm.put_parameter(Name=name, Value=value, Type="SecureString", Overwrite=overwrite)


def stack_exists(region, stack):
    try:
        boto3.client("cloudformation", region_name=region).describe_stacks(StackName=stack)
        return True
    except ClientError as e:
        if "does not exist" in str(e):
            return False
        raise


def ensure(ssm, args):
    lookup_name, links_name = f"/{args.stack}/lookup-key", f"/{args.stack}/link-keys"
    legacy = os.environ.get("IDENTITY_HASH_KEY") or (
        read(ssm, f"/liaison/{args.environment}/identity-hash-key") if args.environment else None
    )
    if legacy is not None and len(legacy) < MIN_KEY_BYTES:
        sys.exit("secrets: the old identity hash key is shorter than 32 bytes")
    lookup = read(ssm, lookup_name)
    if lookup is None:
        if legacy is None and stack_exists(args.region, args.stack):
            sys.exit(
                f"secrets: stack {args.stack} exists but {lookup_name} does not: set "
                "IDENTITY_HASH_KEY to the key its lookups were made with (docs/operations.md)"
            )
        write(ssm, lookup_name, legacy or new_key(), overwrite=False)
        print(f"secrets: created {lookup_name}" + (" from the old identity hash key" if legacy else ""))
    credentials_name = f"/{args.stack}/credentials-key"
    if read(ssm, credentials_name) is None:
        write(ssm, credentials_name, new_key(), overwrite=False)
        print(f"secrets: created {credentials_name}")
    if read(ssm, links_name) is None:
        ring = {"current": "k1", "k1": new_key()}
        if legacy:
            ring[LEGACY_KEY_ID] = legacy
        write(ssm, links_name, json.dumps(ring), overwrite=False)
        print(f"secrets: created {links_name} (current k1)")


def load_ring(ssm, name):
    text = read(ssm, name)
    if text is None:
        sys.exit(f"secrets: {name} does not exist: run `stack_secrets.py ensure` (or a deploy) first")
    return json.loads(text)


def next_id(ring):
    numbers = [int(m.group(1)) for k in ring if (m := re.fullmatch(r"k(\d+)", k))]
    return f"k{max(numbers, default=0) + 1}"


def rotate(ssm, args):
    name = f"/{args.stack}/link-keys"
    ring = load_ring(ssm, name)
    key_id = next_id(ring)
    ring[key_id] = new_key()
    ring["current"] = key_id
    write(ssm, name, json.dumps(ring), overwrite=True)
    print(f"secrets: {name} now signs with {key_id}; functions take it at their next cold start")


def retire(ssm, args):
    name = f"/{args.stack}/link-keys"
    ring = load_ring(ssm, name)
    if args.key_id == "current" or args.key_id not in ring:
        sys.exit(f"secrets: {name} has no key {args.key_id}")
    if ring["current"] == args.key_id:
        sys.exit(f"secrets: {args.key_id} signs new links: rotate first")
    del ring[args.key_id]
    write(ssm, name, json.dumps(ring), overwrite=True)
    print(f"secrets: {args.key_id} retired from {name}; the links it signed no longer work")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=["ensure", "rotate", "retire"])
    parser.add_argument("--stack", required=True)
    parser.add_argument("--region", required=True)
    parser.add_argument("--environment", help="where older deploys kept the identity hash key")
    parser.add_argument("--key-id", help="retire: the key id to remove")
    args = parser.parse_args()
    ssm = boto3.client("ssm", region_name=args.region)
    {"ensure": ensure, "rotate": rotate, "retire": retire}[args.command](ssm, args)


if __name__ == "__main__":
    main()
