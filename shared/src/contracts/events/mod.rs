//! The versioned event types carried by Liaison's queues.
//!
//! Every message body is a [`Message`]: `{"v": 1, "id", "source_id", "platform", ...,
//! "event": {"type": "contribution" | "commerce" | "social" | "handoff" |
//! "audience_measured", ...}}`. A consumer decodes it with
//! [`Message::decode`], which tells an unknown version apart from a malformed body so
//! that either can be rejected to the dead-letter queue with a clear reason.

mod commerce;
mod contribution;
mod handoff;
mod social;

pub use commerce::{
    Address, BuyerSignals, CartSnapshot, CartStage, CommerceEvent, Customer, CustomerAccount, Line,
    Order, OrderStatus, OrderUpdate, Tracking, MAX_AMOUNT,
};
pub use contribution::{
    bio, Audience, AudienceMeasured, Author, Contribution, ContributionAction, ContributionKind,
    ModerationState, BIO_LIMIT,
};
pub use handoff::{DealChange, DealProperty, Handoff, TicketStatus};
pub use social::{
    Chunk, Connected, Connection, Disconnected, Relation, SiteCustomer, SocialAccount, SocialEvent,
    CONNECTIONS_PER_MESSAGE,
};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::contracts::sources::Platform;

/// The version this build writes and reads.
pub const VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    pub v: u32,
    /// Deterministic for a given (source, dedupe key): a redelivered or replayed event keeps
    /// its id, so consumers can be idempotent on it.
    pub id: String,
    pub source_id: String,
    pub platform: Platform,
    /// The platform's own deduplication key (e.g. `webhook-id`), kept for tracing.
    pub dedupe_key: String,
    pub received_at: DateTime<Utc>,
    pub correlation_id: String,
    pub event: Event,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    Contribution(Contribution),
    Commerce(CommerceEvent),
    /// A customer's social connections, for referral suggestions.
    Social(SocialEvent),
    /// A helpdesk's or a CRM's news of what it was handed (identify applies it).
    Handoff(Handoff),
    /// A platform's measure of an author's audience (identify keeps it on their profile).
    AudienceMeasured(AudienceMeasured),
}

/// Which queue an event goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Destination {
    Contributions,
    Commerce,
    Referrals,
}

impl Event {
    pub fn destination(&self) -> Destination {
        match self {
            Event::Contribution(_) => Destination::Contributions,
            Event::Commerce(_) => Destination::Commerce,
            Event::Social(_) => Destination::Referrals,
            // Identify opens cases and opportunities: it works what comes back about them.
            Event::Handoff(_) => Destination::Contributions,
            // Identify keeps contacts' scores.
            Event::AudienceMeasured(_) => Destination::Contributions,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    #[error("unknown event version {0} (this build reads version {VERSION})")]
    UnknownVersion(u64),
    #[error("message has no numeric \"v\" field")]
    MissingVersion,
    #[error("message does not match version {VERSION}: {0}")]
    Invalid(#[from] serde_json::Error),
}

/// A message that does not decode can never succeed: to the dead-letter queue at once.
impl From<DecodeError> for crate::kit::batch::RecordError {
    fn from(err: DecodeError) -> Self {
        crate::kit::batch::RecordError::unreadable("an event", err)
    }
}

#[derive(Deserialize)]
struct VersionOnly {
    v: Option<serde_json::Value>,
}

impl Message {
    pub fn decode(body: &str) -> Result<Self, DecodeError> {
        let probe: VersionOnly = serde_json::from_str(body)?;
        match probe.v.as_ref().and_then(serde_json::Value::as_u64) {
            None => Err(DecodeError::MissingVersion),
            Some(v) if v != u64::from(VERSION) => Err(DecodeError::UnknownVersion(v)),
            Some(_) => Ok(serde_json::from_str(body)?),
        }
    }

    pub fn encode(&self) -> String {
        // A struct of strings, numbers and dates always serialises.
        serde_json::to_string(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Message {
        Message {
            v: VERSION,
            id: "evt_1".into(),
            source_id: "src_1".into(),
            platform: Platform::StandardWebhooks,
            dedupe_key: "msg_1".into(),
            received_at: "2026-11-23T10:00:00Z".parse().unwrap(),
            correlation_id: "req-1".into(),
            event: Event::Contribution(Contribution {
                action: ContributionAction::Created,
                kind: ContributionKind::Comment,
                external_id: "c1".into(),
                thread_id: Some("post-9".into()),
                thread_title: None,
                parent_id: None,
                permalink: Some("https://blog.example/p/9#c1".into()),
                author: Author {
                    name: Some("Ada".into()),
                    email: Some("ada@example.com".into()),
                    ..Author::default()
                },
                text: "Great".into(),
                language: Some("en".into()),
                created_at: "2026-11-23T09:59:00Z".parse().unwrap(),
                updated_at: None,
                moderation: ModerationState::Published,
                rating: None,
            }),
        }
    }

    #[test]
    fn a_message_should_round_trip() {
        let msg = sample();
        assert_eq!(Message::decode(&msg.encode()).unwrap(), msg);
    }

    #[test]
    fn when_version_is_unknown_should_say_so() {
        let mut value: serde_json::Value = serde_json::from_str(&sample().encode()).unwrap();
        value["v"] = 2.into();
        let err = Message::decode(&value.to_string()).unwrap_err();
        assert!(matches!(err, DecodeError::UnknownVersion(2)), "{err}");
        value.as_object_mut().unwrap().remove("v");
        assert!(matches!(
            Message::decode(&value.to_string()).unwrap_err(),
            DecodeError::MissingVersion
        ));
    }

    #[test]
    fn when_body_is_not_an_event_should_be_invalid() {
        assert!(matches!(
            Message::decode(r#"{"v":1,"id":"x"}"#).unwrap_err(),
            DecodeError::Invalid(_)
        ));
        assert!(Message::decode("not json").is_err());
    }
}
