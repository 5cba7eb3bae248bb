//! Zendesk Support's event webhooks: what the helpdesk says about the tickets Liaison opened
//! for its cases (`deliveries` opens them with the case id as `external_id`).
//!
//! Signature: `X-Zendesk-Webhook-Signature` = base64 HMAC-SHA256(signing secret,
//! `X-Zendesk-Webhook-Signature-Timestamp` + raw body), no separator; the timestamp (ISO
//! 8601) must be within ±5 minutes. The body is an event
//! (developer.zendesk.com/api-reference/webhooks/event-types/ticket-events):
//! `zen:event-type:ticket.status_changed` is kept when the ticket is one of Liaison's (its
//! `external_id` names a case); every other event type is ignored. The event's `id` is the
//! deduplication key.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use shared::contracts::events::{Event, Handoff, TicketStatus};
use shared::contracts::sources::Source;
use shared::kit::json::from_slice;
use shared::Error;

use super::standard_webhooks::TOLERANCE_SECONDS;
use super::Connector;
use crate::fields;
use crate::request::{HookRequest, Parsed};
use crate::signature::{decode_base64, signed_by_a_secret};

pub struct Zendesk;

const SIGNATURE: &str = "x-zendesk-webhook-signature";
const TIMESTAMP: &str = "x-zendesk-webhook-signature-timestamp";
const STATUS_CHANGED: &str = "zen:event-type:ticket.status_changed";

impl Connector for Zendesk {
    fn verify(&self, req: &HookRequest<'_>, source: &Source) -> Result<(), Error> {
        let unauthorized = |m: &str| Error::Unauthorized(m.to_string());
        let timestamp = req
            .header(TIMESTAMP)
            .ok_or_else(|| unauthorized("missing x-zendesk-webhook-signature-timestamp header"))?;
        let given = req
            .header(SIGNATURE)
            .and_then(|v| decode_base64(v.trim()))
            .ok_or_else(|| unauthorized("missing or non-base64 x-zendesk-webhook-signature"))?;
        let sent_at = DateTime::parse_from_rfc3339(timestamp.trim())
            .map_err(|_| unauthorized("the signature timestamp is not an ISO 8601 time"))?;
        if (req.now.timestamp() - sent_at.timestamp()).abs() > TOLERANCE_SECONDS {
            return Err(unauthorized(
                "the signature timestamp is outside the 5-minute tolerance",
            ));
        }
        signed_by_a_secret(source, req.now, &[timestamp.as_bytes(), req.body], &given)
    }

    fn parse(&self, req: &HookRequest<'_>, _source: &Source) -> Result<Parsed, Error> {
        let body: Body = from_slice(req.body, "")?;
        if body.kind != STATUS_CHANGED {
            return Ok(Parsed::ignored("unsupported_event", body.kind));
        }
        let Some(case_id) = body.detail.external_id.filter(|id| is_case_id(id)) else {
            return Ok(Parsed::ignored(
                "not_ours",
                "the ticket was not opened by Liaison (no case in its external_id)",
            ));
        };
        let status = body
            .event
            .current
            .or(body.detail.status)
            .ok_or_else(|| Error::validation("event.current", "the new status is missing"))?;
        Ok(Parsed::one(
            body.id,
            Event::Handoff(Handoff::TicketStatus(TicketStatus {
                system: "zendesk".into(),
                ticket_id: body.detail.id,
                case_id,
                status: status.to_ascii_lowercase(),
                at: body.time,
            })),
        ))
    }

    fn event_name<'a>(&self, _req: &'a HookRequest<'_>) -> Option<&'a str> {
        Some("zendesk event")
    }
}

/// Liaison's case ids (`case_` and 32 lower-case hex digits, `shared::kit::ids::derived`):
/// a ticket of anyone else's is not applied.
fn is_case_id(id: &str) -> bool {
    id.strip_prefix("case_").is_some_and(|rest| {
        rest.len() == 32 && rest.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    })
}

#[derive(Deserialize)]
struct Body {
    #[serde(rename = "type")]
    kind: String,
    #[serde(deserialize_with = "fields::id")]
    id: String,
    time: DateTime<Utc>,
    #[serde(default)]
    detail: Detail,
    #[serde(default)]
    event: Change,
}

#[derive(Deserialize, Default)]
struct Detail {
    #[serde(default, deserialize_with = "fields::id")]
    id: String,
    #[serde(default)]
    external_id: Option<String>,
    #[serde(default)]
    status: Option<String>,
}

#[derive(Deserialize, Default)]
struct Change {
    #[serde(default)]
    current: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connectors::testing::{b64, fixture, hmac256, source, Req};
    use shared::contracts::sources::Platform;

    const SECRET: &str = "dGhpc2lzYXNpZ25pbmdzZWNyZXRmb3J6ZW5kZXNr";

    fn signed(body: Vec<u8>, at: DateTime<Utc>, secret: &str) -> Req {
        let timestamp = at.format("%Y-%m-%dT%H:%M:%SZ").to_string();
        let mut data = timestamp.clone().into_bytes();
        data.extend_from_slice(&body);
        let signature = b64(&hmac256(secret, &data));
        let mut req = Req::new("POST", body)
            .header(TIMESTAMP, &timestamp)
            .header(SIGNATURE, &signature);
        req.now = at;
        req
    }

    fn status_changed() -> Vec<u8> {
        fixture("zendesk/ticket-status-changed.json")
    }

    #[test]
    fn a_solved_ticket_of_liaisons_should_become_a_ticket_status_handoff() {
        let parsed = signed(status_changed(), Utc::now(), SECRET)
            .run(&source(Platform::Zendesk, SECRET))
            .unwrap();
        assert_eq!(parsed.events.len(), 1);
        assert_eq!(parsed.events[0].dedupe_key, "01JBQ8Q3V3ZK4K1M8WJ2M4XQ7A");
        let Event::Handoff(Handoff::TicketStatus(status)) = &parsed.events[0].event else {
            panic!("{:?}", parsed.events[0].event);
        };
        assert_eq!(status.case_id, "case_5f0c3a9e1b7d42c68e0a9f3b2d1c4e7a");
        assert_eq!(status.ticket_id, "35436");
        assert_eq!(status.status, "solved");
        assert!(status.resolves());
    }

    #[test]
    fn when_signature_is_wrong_or_stale_should_reject() {
        let zendesk = source(Platform::Zendesk, SECRET);
        let wrong = signed(status_changed(), Utc::now(), "another-secret").run(&zendesk);
        assert!(matches!(wrong, Err(Error::Unauthorized(_))));
        let mut stale = signed(
            status_changed(),
            Utc::now() - chrono::Duration::minutes(6),
            SECRET,
        );
        stale.now = Utc::now();
        assert!(matches!(stale.run(&zendesk), Err(Error::Unauthorized(_))));
        let mut tampered = signed(status_changed(), Utc::now(), SECRET);
        tampered.body.extend_from_slice(b" ");
        assert!(matches!(
            tampered.run(&zendesk),
            Err(Error::Unauthorized(_))
        ));
        let unsigned = Req::new("POST", status_changed()).run(&zendesk);
        assert!(matches!(unsigned, Err(Error::Unauthorized(_))));
    }

    #[test]
    fn other_events_and_other_tickets_should_be_ignored() {
        let zendesk = source(Platform::Zendesk, SECRET);
        let mut other: serde_json::Value = serde_json::from_slice(&status_changed()).unwrap();
        other["type"] = "zen:event-type:ticket.priority_changed".into();
        let parsed = signed(other.to_string().into_bytes(), Utc::now(), SECRET)
            .run(&zendesk)
            .unwrap();
        assert!(parsed.events.is_empty());
        assert_eq!(parsed.ignored[0].reason, "unsupported_event");
        let mut theirs: serde_json::Value = serde_json::from_slice(&status_changed()).unwrap();
        theirs["detail"]["external_id"] = "CRM-1234".into();
        let parsed = signed(theirs.to_string().into_bytes(), Utc::now(), SECRET)
            .run(&zendesk)
            .unwrap();
        assert!(parsed.events.is_empty());
        assert_eq!(parsed.ignored[0].reason, "not_ours");
    }
}
