//! The step every accepted event goes through, pushed (`ingest`) or polled (`poll`): claim
//! its dedupe key with a conditional write, enqueue it, mark the claim done. Because both
//! paths use it with the same keys, an event seen both ways is queued once.
//!
//! An event whose enqueue fails gives its claim back, so the platform's retry (or the next
//! poll) gets it through; a crash between enqueue and "done" leaves a claim whose lease runs
//! out, after which a retry enqueues again with the same event id (consumers are
//! idempotent on it).
//!
//! A `social.connected` event is several messages ([`social::split`]), each with its own
//! deterministic id (the event id and the part). They are sent with SendMessageBatch; if
//! any is not queued, the request fails and the claim is given back, so the platform's
//! retry sends them all again under the same ids: parts queued by the failed attempt arrive
//! twice, and the consumer applies each message id once. At least once, never half.

use std::collections::HashMap;

use crate::idempotency::{Claim, Idempotency};
use aws_sdk_sqs::types::{MessageAttributeValue, SendMessageBatchRequestEntry};
use chrono::Duration;
use shared::contracts::events::{Destination, Message, VERSION};
use shared::contracts::sources::Source;
use shared::kit::clock::Clock;
use shared::kit::config::{self, Env};
use shared::Error;

use crate::request::Normalised;
use crate::social;

pub struct Queues {
    pub contributions: String,
    pub commerce: String,
    /// Only ingest sends social events; poll, which shares this intake, may go without.
    pub referrals: Option<String>,
}

pub struct Intake {
    pub idempotency: Idempotency,
    pub sqs: aws_sdk_sqs::Client,
    pub queues: Queues,
    pub clock: Clock,
    /// How long a dedupe key is remembered (the replay window).
    pub retention: Duration,
    /// How long a claim protects an event being enqueued.
    pub lease: Duration,
}

/// The outcome for one event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub id: String,
    pub duplicate: bool,
    /// Queue messages sent for it by this call (0 for a duplicate).
    pub messages: usize,
}

/// SQS's limit on a message, and on the sum of a SendMessageBatch call's messages.
pub const MAX_SQS_BYTES: usize = 256 * 1024;
/// SQS's limit on the entries of a SendMessageBatch call.
const MAX_BATCH_ENTRIES: usize = 10;
/// Sends of the entries SQS reports failed in a batch that otherwise went through (the
/// SDK retries failed calls, not failed entries).
const BATCH_ATTEMPTS: usize = 3;

/// The event id: the same for every delivery of the same event from the same source.
pub fn event_id(source_id: &str, dedupe_key: &str) -> String {
    shared::kit::ids::derived("evt", source_id, dedupe_key)
}

impl Intake {
    /// From the variables template.yaml sets for every function that enqueues events:
    /// `IDEMPOTENCY_TABLE`, `CONTRIBUTIONS_QUEUE_URL`, `COMMERCE_QUEUE_URL`,
    /// `REFERRALS_QUEUE_URL` (and the optional `DEDUPE_RETENTION_HOURS`,
    /// `DEDUPE_LEASE_SECONDS`).
    pub fn from_env(
        env: &dyn Env,
        sdk: &shared::kit::aws::SdkConfig,
        dynamodb: aws_sdk_dynamodb::Client,
        clock: Clock,
    ) -> Result<Self, Error> {
        Ok(Intake {
            idempotency: Idempotency::new(dynamodb, config::required(env, "IDEMPOTENCY_TABLE")?),
            sqs: shared::kit::aws::sqs(sdk, env),
            queues: Queues {
                contributions: config::required(env, "CONTRIBUTIONS_QUEUE_URL")?,
                commerce: config::required(env, "COMMERCE_QUEUE_URL")?,
                referrals: env.var("REFERRALS_QUEUE_URL"),
            },
            clock,
            retention: Duration::hours(config::parsed_or(env, "DEDUPE_RETENTION_HOURS", 7 * 24)?),
            lease: Duration::seconds(config::parsed_or(env, "DEDUPE_LEASE_SECONDS", 30)?),
        })
    }

    pub async fn accept(
        &self,
        source: &Source,
        normalised: Normalised,
        correlation_id: &str,
    ) -> Result<Outcome, Error> {
        let deps = self;
        let id = event_id(&source.id, &normalised.dedupe_key);
        let key = format!("ingest#{}#{}", source.id, normalised.dedupe_key);
        let now = deps.clock.now();
        let retention = deps.retention;
        match deps
            .idempotency
            .claim(&key, now, deps.lease, retention)
            .await?
        {
            Claim::Done { result } => {
                return Ok(Outcome {
                    id: result.unwrap_or(id),
                    duplicate: true,
                    messages: 0,
                })
            }
            Claim::InProgress => {
                return Err(Error::Conflict(
                    "this event is being processed by another delivery; retry later".to_string(),
                ))
            }
            Claim::Acquired => {}
        }
        let message = Message {
            v: VERSION,
            id: id.clone(),
            source_id: source.id.clone(),
            platform: source.platform,
            dedupe_key: normalised.dedupe_key,
            received_at: now,
            correlation_id: correlation_id.to_string(),
            event: normalised.event,
        };
        let messages = social::split(message);
        if let Err(err) = enqueue(self, &messages).await {
            // Give the claim back so the platform's retry is not told "duplicate".
            if let Err(release_err) = deps.idempotency.release(&key).await {
                tracing::error!(event_id = %id, error = %release_err, "could not release the claim; it expires with its lease");
            }
            return Err(err);
        }
        deps.idempotency
            .complete(&key, &id, deps.clock.now(), retention)
            .await?;
        shared::kit::metrics::count(
            "EventsAccepted",
            1,
            &[("Platform", source.platform.as_str())],
            now,
        );
        Ok(Outcome {
            id,
            duplicate: false,
            messages: messages.len(),
        })
    }
}

/// Sends the messages of one event (all to the same queue): one SendMessage for one, else
/// SendMessageBatch calls. Nothing is sent unless every message fits in SQS.
async fn enqueue(deps: &Intake, messages: &[Message]) -> Result<(), Error> {
    let Some(first) = messages.first() else {
        return Ok(());
    };
    let (queue_url, event_type) = match first.event.destination() {
        Destination::Contributions => (
            &deps.queues.contributions,
            match first.event {
                shared::contracts::events::Event::Handoff(_) => "handoff",
                shared::contracts::events::Event::AudienceMeasured(_) => "audience",
                _ => "contribution",
            },
        ),
        Destination::Commerce => (&deps.queues.commerce, "commerce"),
        Destination::Referrals => (
            deps.queues.referrals.as_ref().ok_or_else(|| {
                Error::Internal("REFERRALS_QUEUE_URL is not set for this function".to_string())
            })?,
            "social",
        ),
    };
    let bodies: Vec<String> = messages.iter().map(Message::encode).collect();
    if bodies.iter().any(|b| b.len() > MAX_SQS_BYTES) {
        return Err(Error::PayloadTooLarge(
            "the normalised event exceeds 256 KiB".to_string(),
        ));
    }
    let attribute = |value: &str| {
        MessageAttributeValue::builder()
            .data_type("String")
            .string_value(value)
            .build()
            .map_err(|e| Error::Internal(e.to_string()))
    };
    let attributes: HashMap<String, MessageAttributeValue> = [
        ("event_type", event_type.to_string()),
        ("platform", first.platform.as_str().to_string()),
        ("event_version", first.v.to_string()),
    ]
    .into_iter()
    .map(|(name, value)| Ok((name.to_string(), attribute(&value)?)))
    .collect::<Result<_, Error>>()?;

    if let [body] = bodies.as_slice() {
        deps.sqs
            .send_message()
            .queue_url(queue_url)
            .message_body(body)
            .set_message_attributes(Some(attributes))
            .send()
            .await
            .map_err(|e| Error::from_sdk("SendMessage", e).transient())?;
        return Ok(());
    }
    let attributes_size: usize = attributes
        .iter()
        .map(|(name, value)| {
            name.len() + value.data_type().len() + value.string_value().map_or(0, str::len)
        })
        .sum();
    let sizes: Vec<usize> = bodies.iter().map(|b| b.len() + attributes_size).collect();
    for batch in batches(&sizes, MAX_BATCH_ENTRIES, MAX_SQS_BYTES) {
        send_batch(deps, queue_url, &bodies, batch, &attributes).await?;
    }
    Ok(())
}

/// Consecutive groups of at most `max_entries` messages whose sizes add up to at most
/// `max_bytes` (a message is never larger: [`enqueue`] checks it).
pub fn batches(
    sizes: &[usize],
    max_entries: usize,
    max_bytes: usize,
) -> Vec<std::ops::Range<usize>> {
    let mut groups = Vec::new();
    let (mut start, mut bytes) = (0, 0);
    for (i, size) in sizes.iter().enumerate() {
        if i > start && (i - start == max_entries || bytes + size > max_bytes) {
            groups.push(start..i);
            (start, bytes) = (i, 0);
        }
        bytes += size;
    }
    if start < sizes.len() {
        groups.push(start..sizes.len());
    }
    groups
}

/// One SendMessageBatch call for `bodies[range]` (entry ids `p{index}`), then again for
/// the entries SQS reports failed through no fault of ours, up to [`BATCH_ATTEMPTS`] sends.
async fn send_batch(
    deps: &Intake,
    queue_url: &str,
    bodies: &[String],
    range: std::ops::Range<usize>,
    attributes: &HashMap<String, MessageAttributeValue>,
) -> Result<(), Error> {
    let mut pending: Vec<usize> = range.collect();
    for attempt in 1..=BATCH_ATTEMPTS {
        let entries = pending
            .iter()
            .map(|&i| {
                SendMessageBatchRequestEntry::builder()
                    .id(format!("p{i}"))
                    .message_body(&bodies[i])
                    .set_message_attributes(Some(attributes.clone()))
                    .build()
                    .map_err(|e| Error::Internal(e.to_string()))
            })
            .collect::<Result<Vec<_>, Error>>()?;
        let out = deps
            .sqs
            .send_message_batch()
            .queue_url(queue_url)
            .set_entries(Some(entries))
            .send()
            .await
            .map_err(|e| Error::from_sdk("SendMessageBatch", e).transient())?;
        let failed = out.failed();
        if failed.is_empty() {
            return Ok(());
        }
        if let Some(ours) = failed.iter().find(|f| f.sender_fault()) {
            return Err(Error::Internal(format!(
                "SendMessageBatch refused message {}: {}",
                ours.id(),
                ours.code()
            )));
        }
        let codes: Vec<&str> = failed.iter().map(|f| f.code()).collect();
        tracing::warn!(attempt, failed = failed.len(), codes = ?codes, "SendMessageBatch entries not queued");
        pending.retain(|i| failed.iter().any(|f| f.id() == format!("p{i}")));
        if attempt == BATCH_ATTEMPTS {
            return Err(Error::Transient(format!(
                "SendMessageBatch: {} messages not queued ({})",
                pending.len(),
                codes.join(", ")
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_ids_should_be_stable_per_source_and_key() {
        assert_eq!(event_id("src_a", "msg_1"), event_id("src_a", "msg_1"));
        assert_ne!(event_id("src_a", "msg_1"), event_id("src_b", "msg_1"));
        assert_ne!(event_id("src_a", "msg_1"), event_id("src_a", "msg_2"));
        // No ambiguity from concatenation.
        assert_ne!(event_id("src_a", "bmsg"), event_id("src_ab", "msg"));
    }

    #[test]
    fn batches_should_respect_the_entry_and_byte_limits() {
        assert_eq!(batches(&[], 10, 100), Vec::<std::ops::Range<usize>>::new());
        assert_eq!(batches(&[1; 25], 10, 100), [0..10, 10..20, 20..25]);
        assert_eq!(batches(&[40, 40, 40, 40, 100], 10, 100), [0..2, 2..4, 4..5]);
        // 13 parts of 400 small connections (5,000 connections): two calls.
        assert_eq!(batches(&[24_000; 13], 10, MAX_SQS_BYTES), [0..10, 10..13]);
    }
}
