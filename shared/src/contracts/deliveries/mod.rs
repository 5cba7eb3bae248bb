//! What Liaison tells the brand's other systems, and `DeliveriesTable`'s home.
//!
//! A function that decides something (identify opens a case, staff close it, a person
//! unsubscribes) publishes an [`Event`] on the `events` queue, a FIFO queue whose message
//! group is the contact the event is about: the deliveries function reads a contact's events
//! in the order they were published and numbers them (`sequence`), so a receiver can order
//! them too. It then writes one delivery per subscribed endpoint and delivers each as a
//! Standard Webhooks request, retried for three days.
//!
//! - [`Event`], [`EventType`] and [`EventQueue`]: the `events` queue's message and its sender.
//! - [`LaneJob`] and [`LaneQueue`]: the `deliveries` queue's message, a lane to work on.
//! - [`endpoints`]: the receivers staff register, each with its own secrets.
//! - [`store`]: the events as numbered and sent, the lanes of pending deliveries, the log.
//! - [`schedule`]: when a failed delivery is tried again, and when it is given up.

pub mod endpoints;
pub mod links;
pub mod schedule;
pub mod store;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::Error;

/// The `events` queue's message version.
pub const EVENT_VERSION: u32 = 1;

/// What happened, as receivers subscribe to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
pub enum EventType {
    #[serde(rename = "case.opened")]
    CaseOpened,
    #[serde(rename = "case.updated")]
    CaseUpdated,
    #[serde(rename = "case.closed")]
    CaseClosed,
    /// A case still open past its SLA (`due_at`): told once.
    #[serde(rename = "case.overdue")]
    CaseOverdue,
    #[serde(rename = "opportunity.opened")]
    OpportunityOpened,
    #[serde(rename = "opportunity.closed")]
    OpportunityClosed,
    #[serde(rename = "question.opened")]
    QuestionOpened,
    #[serde(rename = "question.closed")]
    QuestionClosed,
    /// A question still open past its SLA: told once, like a case.
    #[serde(rename = "question.overdue")]
    QuestionOverdue,
    #[serde(rename = "callback.requested")]
    CallbackRequested,
    #[serde(rename = "contribution.classified")]
    ContributionClassified,
    #[serde(rename = "answer.published")]
    AnswerPublished,
    #[serde(rename = "contact.created")]
    ContactCreated,
    #[serde(rename = "contact.merged")]
    ContactMerged,
    #[serde(rename = "contact.erased")]
    ContactErased,
    #[serde(rename = "consent.changed")]
    ConsentChanged,
    #[serde(rename = "referral.converted")]
    ReferralConverted,
    /// What an endpoint's test button sends: to that endpoint only, whatever it subscribes to.
    #[serde(rename = "webhook.test")]
    WebhookTest,
}

impl EventType {
    /// Every type an endpoint may subscribe to.
    pub const SUBSCRIBABLE: [EventType; 17] = [
        EventType::CaseOpened,
        EventType::CaseUpdated,
        EventType::CaseClosed,
        EventType::CaseOverdue,
        EventType::OpportunityOpened,
        EventType::OpportunityClosed,
        EventType::QuestionOpened,
        EventType::QuestionClosed,
        EventType::QuestionOverdue,
        EventType::CallbackRequested,
        EventType::ContributionClassified,
        EventType::AnswerPublished,
        EventType::ContactCreated,
        EventType::ContactMerged,
        EventType::ContactErased,
        EventType::ConsentChanged,
        EventType::ReferralConverted,
    ];

    /// The name receivers see in `type`.
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::CaseOpened => "case.opened",
            EventType::CaseUpdated => "case.updated",
            EventType::CaseClosed => "case.closed",
            EventType::CaseOverdue => "case.overdue",
            EventType::OpportunityOpened => "opportunity.opened",
            EventType::OpportunityClosed => "opportunity.closed",
            EventType::QuestionOpened => "question.opened",
            EventType::QuestionClosed => "question.closed",
            EventType::QuestionOverdue => "question.overdue",
            EventType::CallbackRequested => "callback.requested",
            EventType::ContributionClassified => "contribution.classified",
            EventType::AnswerPublished => "answer.published",
            EventType::ContactCreated => "contact.created",
            EventType::ContactMerged => "contact.merged",
            EventType::ContactErased => "contact.erased",
            EventType::ConsentChanged => "consent.changed",
            EventType::ReferralConverted => "referral.converted",
            EventType::WebhookTest => "webhook.test",
        }
    }

    /// The subscribable type named `name`.
    pub fn parse(name: &str) -> Option<EventType> {
        Self::SUBSCRIBABLE.into_iter().find(|t| t.as_str() == name)
    }
}

/// One thing Liaison decided, as published on the `events` queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub v: u32,
    /// `evt_…`: what receivers get as `webhook-id`, the same on every retry and replay.
    pub id: String,
    #[serde(rename = "type")]
    pub kind: EventType,
    pub occurred_at: DateTime<Utc>,
    /// The contact it is about: its events are numbered and delivered in order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_id: Option<String>,
    /// Set on a test only: the one endpoint it goes to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint_id: Option<String>,
    pub data: Value,
}

impl Event {
    /// The event `kind` about `subject` (a case id, a contact id and a change's time...):
    /// its id derives from both, so a producer that publishes it again after a crash
    /// publishes the same event, which the queue and the deliveries function drop.
    pub fn new(
        kind: EventType,
        subject: &str,
        occurred_at: DateTime<Utc>,
        contact_id: Option<&str>,
        data: Value,
    ) -> Event {
        Event {
            v: EVENT_VERSION,
            id: crate::kit::ids::derived("evt", kind.as_str(), subject),
            kind,
            occurred_at,
            contact_id: contact_id.map(str::to_string),
            endpoint_id: None,
            data,
        }
    }

    /// The message group on the FIFO queue: events about one contact keep their order;
    /// others need none.
    pub fn group(&self) -> &str {
        self.contact_id.as_deref().unwrap_or(&self.id)
    }

    /// The body receivers get: `type`, `timestamp`, the contact and its `sequence` number
    /// when it is about one, and `data` (Standard Webhooks' recommended shape).
    pub fn payload(&self, sequence: Option<u64>) -> Result<String, Error> {
        let mut body = serde_json::json!({
            "type": self.kind.as_str(),
            "timestamp": self.occurred_at.to_rfc3339_opts(SecondsFormat::Millis, true),
            "data": self.data,
        });
        if let (Some(contact), Some(object)) = (&self.contact_id, body.as_object_mut()) {
            object.insert("contact_id".into(), Value::String(contact.clone()));
            if let Some(n) = sequence {
                object.insert("sequence".into(), Value::from(n));
            }
        }
        serde_json::to_string(&body).map_err(|e| Error::caused("encode an event", e))
    }
}

/// The `events` queue, as producers see it.
#[derive(Debug, Clone)]
pub struct EventQueue {
    pub sqs: aws_sdk_sqs::Client,
    pub queue_url: String,
}

impl EventQueue {
    /// Publishes `event`: in its contact's message group, deduplicated by its id (SQS drops
    /// the same id sent again within five minutes; the deliveries function drops it later).
    pub async fn publish(&self, event: &Event) -> Result<(), Error> {
        let body = serde_json::to_string(event).map_err(|e| Error::caused("encode an event", e))?;
        self.sqs
            .send_message()
            .queue_url(&self.queue_url)
            .message_body(body)
            .message_group_id(event.group())
            .message_deduplication_id(&event.id)
            .send()
            .await
            .map_err(|e| Error::from_sdk("SendMessage events", e).transient())?;
        Ok(())
    }

    /// Publishes each of `events`, in order.
    pub async fn publish_all(&self, events: &[Event]) -> Result<(), Error> {
        for event in events {
            self.publish(event).await?;
        }
        Ok(())
    }
}

/// The `deliveries` queue's message: lane `lane` (see [`store`]) may have a delivery to try.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LaneJob {
    pub v: u32,
    /// Always `lane`: what tells it from an [`Event`] in the function that reads both.
    pub job: String,
    pub lane: String,
}

/// The `deliveries` queue, as the functions that start lanes see it.
#[derive(Debug, Clone)]
pub struct LaneQueue {
    pub sqs: aws_sdk_sqs::Client,
    pub queue_url: String,
}

impl LaneQueue {
    /// A job for each of `lanes`, ten to a call.
    pub async fn start(&self, lanes: &[String]) -> Result<(), Error> {
        for chunk in lanes.chunks(10) {
            let jobs: Vec<LaneJob> = chunk
                .iter()
                .map(|lane| LaneJob {
                    v: EVENT_VERSION,
                    job: "lane".into(),
                    lane: lane.clone(),
                })
                .collect();
            let accepted =
                crate::kit::batch::send_json_batch(&self.sqs, &self.queue_url, &jobs).await?;
            if accepted.contains(&false) {
                return Err(Error::Transient(
                    "SQS refused a job of the deliveries queue".into(),
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_subscribable_type_should_parse_back_from_its_name() {
        for t in EventType::SUBSCRIBABLE {
            assert_eq!(EventType::parse(t.as_str()), Some(t));
            assert_eq!(
                serde_json::to_value(t).unwrap(),
                Value::String(t.as_str().into())
            );
        }
        assert_eq!(EventType::parse("webhook.test"), None);
        assert_eq!(EventType::parse("case.opend"), None);
    }

    #[test]
    fn the_same_subject_should_make_the_same_event_id() {
        let at = "2026-12-07T10:00:00Z".parse().unwrap();
        let a = Event::new(EventType::CaseOpened, "case_1", at, None, Value::Null);
        let b = Event::new(EventType::CaseOpened, "case_1", at, None, Value::Null);
        let c = Event::new(EventType::CaseClosed, "case_1", at, None, Value::Null);
        assert_eq!(a.id, b.id);
        assert_ne!(a.id, c.id);
        assert_eq!(a.group(), a.id);
    }

    #[test]
    fn the_payload_should_carry_the_contact_and_its_sequence() {
        let at = "2026-12-07T10:00:00Z".parse().unwrap();
        let event = Event::new(
            EventType::CaseOpened,
            "case_1",
            at,
            Some("ct_1"),
            serde_json::json!({"case": {"id": "case_1"}}),
        );
        let body: Value = serde_json::from_str(&event.payload(Some(7)).unwrap()).unwrap();
        assert_eq!(body["type"], "case.opened");
        assert_eq!(body["timestamp"], "2026-12-07T10:00:00.000Z");
        assert_eq!(body["contact_id"], "ct_1");
        assert_eq!(body["sequence"], 7);
        assert_eq!(body["data"]["case"]["id"], "case_1");
        assert_eq!(event.group(), "ct_1");
    }
}
