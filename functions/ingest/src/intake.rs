//! The step every accepted event goes through, pushed (`ingest`) or polled (`poll`): claim
//! its dedupe key with a conditional write, enqueue it, mark the claim done. Because both
//! paths use it with the same keys, an event seen both ways is queued once.
//!
//! An event whose enqueue fails gives its claim back, so the platform's retry (or the next
//! poll) gets it through; a crash between enqueue and "done" leaves a claim whose lease runs
//! out, after which a retry enqueues again with the same event id (consumers are
//! idempotent on it).

use aws_sdk_sqs::types::MessageAttributeValue;
use chrono::Duration;
use sha2::{Digest, Sha256};
use shared::clock::Clock;
use shared::config::{self, Env};
use shared::events::{Destination, Message, VERSION};
use shared::idempotency::{Claim, Idempotency};
use shared::source::Source;
use shared::Error;

use crate::connectors::Normalised;

pub struct Queues {
    pub contributions: String,
    pub commerce: String,
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
}

/// The event id: the same for every delivery of the same event from the same source.
pub fn event_id(source_id: &str, dedupe_key: &str) -> String {
    let digest = Sha256::new()
        .chain_update(source_id.as_bytes())
        .chain_update([0u8])
        .chain_update(dedupe_key.as_bytes())
        .finalize();
    format!("evt_{}", hex::encode(&digest[..16]))
}

impl Intake {
    /// From the variables template.yaml sets for every function that enqueues events:
    /// `IDEMPOTENCY_TABLE`, `CONTRIBUTIONS_QUEUE_URL`, `COMMERCE_QUEUE_URL` (and the optional
    /// `DEDUPE_RETENTION_HOURS`, `DEDUPE_LEASE_SECONDS`).
    pub fn from_env(
        env: &dyn Env,
        sdk: &shared::aws::SdkConfig,
        dynamodb: aws_sdk_dynamodb::Client,
        clock: Clock,
    ) -> Result<Self, Error> {
        Ok(Intake {
            idempotency: Idempotency::new(dynamodb, config::required(env, "IDEMPOTENCY_TABLE")?),
            sqs: shared::aws::sqs(sdk, env),
            queues: Queues {
                contributions: config::required(env, "CONTRIBUTIONS_QUEUE_URL")?,
                commerce: config::required(env, "COMMERCE_QUEUE_URL")?,
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
        if let Err(err) = enqueue(self, &message).await {
            // Give the claim back so the platform's retry is not told "duplicate".
            if let Err(release_err) = deps.idempotency.release(&key).await {
                tracing::error!(event_id = %id, error = %release_err, "could not release the claim; it expires with its lease");
            }
            return Err(err);
        }
        deps.idempotency
            .complete(&key, &id, deps.clock.now(), retention)
            .await?;
        Ok(Outcome {
            id,
            duplicate: false,
        })
    }
}

async fn enqueue(deps: &Intake, message: &Message) -> Result<(), Error> {
    let (queue_url, event_type) = match message.event.destination() {
        Destination::Contributions => (&deps.queues.contributions, "contribution"),
        Destination::Commerce => (&deps.queues.commerce, "commerce"),
    };
    let body = message.encode();
    if body.len() > 256 * 1024 {
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
    deps.sqs
        .send_message()
        .queue_url(queue_url)
        .message_body(body)
        .message_attributes("event_type", attribute(event_type)?)
        .message_attributes("platform", attribute(message.platform.as_str())?)
        .message_attributes("event_version", attribute(&message.v.to_string())?)
        .send()
        .await
        .map_err(|e| Error::Transient(format!("SendMessage failed: {}", e.into_service_error())))?;
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
}
