#!/usr/bin/env bash
# Moves the messages of a queue's dead-letter queue back into the queue (an SQS message move
# task), once the cause is fixed. Consumers are idempotent on the event id, so a message that
# had in fact been handled has no second effect. docs/operations.md, "Replay a DLQ".
#
#   infra/replay-dlq.sh STACK QUEUE [--rate N] [--dry-run]   start the move (N messages/s, default: SQS's pace)
#   infra/replay-dlq.sh STACK QUEUE --status                 the queue's move tasks and DLQ depth
#   infra/replay-dlq.sh STACK QUEUE --peek                   up to 10 DLQ messages, with their attributes
#
# QUEUE is the main queue's logical id in template.yaml or its short name: contributions,
# commerce, referrals, sends, ses-events, moderation-callbacks, answers, events, deliveries.
# (A delivery given up after three days is not in a DLQ: staff replay it from its endpoint,
# POST /admin/endpoints/{id}/replay.)
# Uses the caller's AWS credentials and region (AWS_REGION / AWS_DEFAULT_REGION / profile).
set -euo pipefail
die() { printf 'replay-dlq: %s\n' "$*" >&2; exit 1; }

[ $# -ge 2 ] || die "usage: infra/replay-dlq.sh STACK QUEUE [--rate N] [--dry-run | --status | --peek]"
stack=$1 queue=$2
shift 2
case $queue in
  contributions) queue=ContributionsQueue ;;
  commerce) queue=CommerceQueue ;;
  referrals) queue=ReferralsQueue ;;
  sends) queue=SendsQueue ;;
  ses-events) queue=SesEventsQueue ;;
  moderation-callbacks) queue=ModerationCallbacksQueue ;;
  answers) queue=AnswersQueue ;;
  events) queue=EventsQueue ;;
  deliveries) queue=DeliveriesQueue ;;
esac
mode=start rate="" dry=""
while [ $# -gt 0 ]; do
  case $1 in
    --rate) [ $# -ge 2 ] || die "--rate needs a number"; rate=$2; shift 2 ;;
    --dry-run) dry=1; shift ;;
    --status) mode=status; shift ;;
    --peek) mode=peek; shift ;;
    *) die "unknown option $1" ;;
  esac
done
[ -z "$rate" ] || [[ $rate =~ ^[1-9][0-9]*$ ]] || die "--rate takes a whole number of messages per second"

# The queue's URL (its physical id in the stack), its ARN, and its dead-letter queue's ARN and URL.
queue_url=$(aws cloudformation describe-stack-resource --stack-name "$stack" --logical-resource-id "$queue" \
  --query StackResourceDetail.PhysicalResourceId --output text) ||
  die "no resource $queue in stack $stack"
attributes=$(aws sqs get-queue-attributes --queue-url "$queue_url" --attribute-names QueueArn RedrivePolicy --output json) ||
  die "cannot read the attributes of $queue_url"
read -r queue_arn dlq_arn < <(python3 -c '
import json, sys
a = json.load(sys.stdin).get("Attributes", {})
redrive = json.loads(a.get("RedrivePolicy", "{}"))
print(a.get("QueueArn", ""), redrive.get("deadLetterTargetArn", ""))' <<<"$attributes")
[ -n "$dlq_arn" ] || die "$queue has no dead-letter queue (no RedrivePolicy): is it a dead-letter queue itself?"
dlq_url=$(aws sqs get-queue-url --queue-name "${dlq_arn##*:}" --query QueueUrl --output text)
depth=$(aws sqs get-queue-attributes --queue-url "$dlq_url" --attribute-names ApproximateNumberOfMessages \
  --query Attributes.ApproximateNumberOfMessages --output text)
printf 'queue %s\n  arn %s\ndead-letter queue %s\n  arn %s\n  about %s messages\n' "$queue" "$queue_arn" "$dlq_url" "$dlq_arn" "$depth" >&2

case $mode in
  status)
    aws sqs list-message-move-tasks --source-arn "$dlq_arn" --output table
    ;;
  peek)
    # Visibility 0: the messages stay where they are, visible to the next reader.
    aws sqs receive-message --queue-url "$dlq_url" --max-number-of-messages 10 --visibility-timeout 0 \
      --attribute-names All --message-attribute-names All --output json
    ;;
  start)
    command=(aws sqs start-message-move-task --source-arn "$dlq_arn" --destination-arn "$queue_arn")
    [ -z "$rate" ] || command+=(--max-number-of-messages-per-second "$rate")
    if [ -n "$dry" ]; then
      printf '%q ' "${command[@]}"
      printf '\n'
    else
      "${command[@]}"
      printf 'started; follow it with: infra/replay-dlq.sh %s %s --status\n' "$stack" "$queue" >&2
    fi
    ;;
esac
