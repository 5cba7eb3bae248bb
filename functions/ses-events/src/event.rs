//! One SES event as it reaches the queue, read into what Liaison acts on; no I/O.
//!
//! The body is either SNS's envelope (`{"Type":"Notification","Message":"<the event as a JSON
//! string>",...}`), or the event itself when the subscription has raw message delivery: both
//! are accepted, so turning raw delivery on or off never loses feedback. The event is SES's
//! event publishing format (`eventType`), or the older notification format
//! (`notificationType`, bounces, complaints and deliveries only) of an identity's own
//! notifications.
//!
//! Only the fields acted on are read. The rest (headers, `destination`, `source`, diagnostic
//! codes) holds addresses and is never kept.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Deserialize;
use shared::relaunch::engagement::Engagement;
use shared::relaunch::EMAIL_TAG;
use shared::Error;

/// What one queue message says happened.
#[derive(Debug, Clone, PartialEq)]
pub struct SesEvent {
    /// SNS's id of the notification, when it came in SNS's envelope.
    pub notification_id: Option<String>,
    /// SES's id of the email (`mail.messageId`).
    pub ses_message_id: Option<String>,
    /// Liaison's id of the email, from its [`EMAIL_TAG`] message tag: set on relaunch
    /// emails only.
    pub email_id: Option<String>,
    pub what: What,
}

#[derive(Debug, Clone, PartialEq)]
pub enum What {
    Bounce {
        bounce_type: BounceType,
        /// As SES reports them: not normalised, maybe not even addresses.
        recipients: Vec<String>,
        at: Option<DateTime<Utc>>,
    },
    Complaint {
        recipients: Vec<String>,
        at: Option<DateTime<Utc>>,
    },
    Delivery {
        at: Option<DateTime<Utc>>,
    },
    Open {
        at: Option<DateTime<Utc>>,
    },
    Click {
        /// The link clicked (it may carry a token: never logged).
        link: Option<String>,
        at: Option<DateTime<Utc>>,
    },
    /// Send, Reject, Rendering Failure, DeliveryDelay, Subscription, and any type SES adds:
    /// nothing Liaison acts on.
    Other {
        event_type: String,
    },
}

/// SES's `bounce.bounceType`. Only a permanent bounce says the address will never work; SES
/// itself keeps retrying a transient one, and an undetermined one may be either.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BounceType {
    Permanent,
    Transient,
    Undetermined,
}

/// Why an address went on the suppression list (`reason` in `SuppressionTable`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    Bounce,
    Complaint,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Bounce => shared::contracts::suppression::BOUNCE,
            Reason::Complaint => shared::contracts::suppression::COMPLAINT,
        }
    }
}

/// Liaison's own unsubscribe link (`shared::relaunch::links`): SES's click tracking reports
/// a click on it too, but leaving is not engagement (`tracking` counts the unsubscription).
const UNSUBSCRIBE_PATH: &str = "/t/u/";

impl What {
    /// The event type, for logs.
    pub fn name(&self) -> &str {
        match self {
            What::Bounce { .. } => "Bounce",
            What::Complaint { .. } => "Complaint",
            What::Delivery { .. } => "Delivery",
            What::Open { .. } => "Open",
            What::Click { .. } => "Click",
            What::Other { event_type } => event_type,
        }
    }

    /// When it happened, by SES's account, if it said.
    pub fn at(&self) -> Option<DateTime<Utc>> {
        match self {
            What::Bounce { at, .. }
            | What::Complaint { at, .. }
            | What::Delivery { at }
            | What::Open { at }
            | What::Click { at, .. } => *at,
            What::Other { .. } => None,
        }
    }

    /// The addresses never to write to again, and why: a permanent bounce's and a
    /// complaint's recipients.
    pub fn suppression(&self) -> Option<(Reason, &[String])> {
        match self {
            What::Bounce {
                bounce_type: BounceType::Permanent,
                recipients,
                ..
            } => Some((Reason::Bounce, recipients)),
            What::Complaint { recipients, .. } => Some((Reason::Complaint, recipients)),
            _ => None,
        }
    }

    /// What to record on a relaunch email and count in its step's stats.
    pub fn engagement(&self) -> Option<Engagement> {
        match self {
            What::Delivery { .. } => Some(Engagement::Delivered),
            What::Open { .. } => Some(Engagement::Opened),
            What::Click { link, .. } => {
                let unsubscribing = link
                    .as_deref()
                    .is_some_and(|l| l.contains(UNSUBSCRIBE_PATH));
                (!unsubscribing).then_some(Engagement::Clicked)
            }
            What::Bounce {
                bounce_type: BounceType::Permanent,
                ..
            } => Some(Engagement::Bounced),
            What::Complaint { .. } => Some(Engagement::Complained),
            _ => None,
        }
    }
}

/// Reads a queue message's body. An error is a body that can never be acted on (not JSON,
/// not an SES event, an SNS message that is not a notification): for the dead-letter queue.
pub fn parse(body: &str) -> Result<SesEvent, Error> {
    let envelope: SnsEnvelope =
        serde_json::from_str(body).map_err(|e| unreadable("body", "not a JSON object", &e))?;
    let Some(sns_type) = envelope.sns_type else {
        // Raw message delivery: the body is the event.
        return read_event(body, None);
    };
    if sns_type != "Notification" {
        // A SubscriptionConfirmation, say: kept in the dead-letter queue, where its
        // SubscribeURL waits for whoever meant to subscribe this queue.
        return Err(Error::validation(
            "Type",
            format!("SNS {} is not a notification", shorten(&sns_type)),
        ));
    }
    let message = envelope
        .message
        .ok_or_else(|| Error::validation("Message", "SNS notification without its Message"))?;
    read_event(&message, envelope.message_id)
}

fn read_event(json: &str, notification_id: Option<String>) -> Result<SesEvent, Error> {
    let wire: WireEvent =
        serde_json::from_str(json).map_err(|e| unreadable("Message", "not an SES event", &e))?;
    let event_type = wire
        .event_type
        .or(wire.notification_type)
        .ok_or_else(|| Error::validation("eventType", "neither eventType nor notificationType"))?;
    let mail = wire
        .mail
        .ok_or_else(|| Error::validation("mail", "an SES event without its mail"))?;
    let missing = |part: &str| {
        Error::validation(
            part,
            format!("a {} event without its {part}", shorten(&event_type)),
        )
    };
    let what = match event_type.as_str() {
        "Bounce" => {
            let bounce = wire.bounce.ok_or_else(|| missing("bounce"))?;
            What::Bounce {
                bounce_type: match bounce.bounce_type.as_deref() {
                    Some("Permanent") => BounceType::Permanent,
                    Some("Transient") => BounceType::Transient,
                    _ => BounceType::Undetermined,
                },
                recipients: addresses(bounce.bounced_recipients),
                at: time(bounce.timestamp.as_deref()),
            }
        }
        "Complaint" => {
            let complaint = wire.complaint.ok_or_else(|| missing("complaint"))?;
            What::Complaint {
                recipients: addresses(complaint.complained_recipients),
                at: time(complaint.timestamp.as_deref()),
            }
        }
        "Delivery" => What::Delivery {
            at: time(
                wire.delivery
                    .ok_or_else(|| missing("delivery"))?
                    .timestamp
                    .as_deref(),
            ),
        },
        "Open" => What::Open {
            at: time(
                wire.open
                    .ok_or_else(|| missing("open"))?
                    .timestamp
                    .as_deref(),
            ),
        },
        "Click" => {
            let click = wire.click.ok_or_else(|| missing("click"))?;
            What::Click {
                link: click.link,
                at: time(click.timestamp.as_deref()),
            }
        }
        other => What::Other {
            event_type: shorten(other),
        },
    };
    Ok(SesEvent {
        notification_id,
        ses_message_id: mail.message_id,
        email_id: mail
            .tags
            .get(EMAIL_TAG)
            .and_then(|values| values.first())
            .map(|id| id.trim().to_string())
            .filter(|id| !id.is_empty()),
        what,
    })
}

fn addresses(recipients: Vec<WireRecipient>) -> Vec<String> {
    recipients
        .into_iter()
        .filter_map(|r| r.email_address)
        .collect()
}

/// SES's times are RFC 3339; one that is not is as if absent (the clock stands in).
fn time(raw: Option<&str>) -> Option<DateTime<Utc>> {
    raw.and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.with_timezone(&Utc))
}

/// serde's own message may quote the offending value (an address, say): only the kind of
/// error and where it is go into the reason, which is logged.
fn unreadable(field: &str, what: &str, e: &serde_json::Error) -> Error {
    Error::validation(
        field,
        format!(
            "{what} ({:?} error at line {}, column {})",
            e.classify(),
            e.line(),
            e.column()
        ),
    )
}

/// Text from the body that goes into a log line or a rejection reason, kept short.
fn shorten(text: &str) -> String {
    text.chars().take(64).collect()
}

/// SNS's envelope; in a raw event none of these keys exists.
#[derive(Deserialize)]
struct SnsEnvelope {
    #[serde(rename = "Type")]
    sns_type: Option<String>,
    #[serde(rename = "MessageId")]
    message_id: Option<String>,
    #[serde(rename = "Message")]
    message: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireEvent {
    event_type: Option<String>,
    notification_type: Option<String>,
    mail: Option<WireMail>,
    bounce: Option<WireBounce>,
    complaint: Option<WireComplaint>,
    delivery: Option<WireTimed>,
    open: Option<WireTimed>,
    click: Option<WireClick>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireMail {
    message_id: Option<String>,
    /// Tag name to values (the notification format has none).
    #[serde(default)]
    tags: HashMap<String, Vec<String>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireBounce {
    bounce_type: Option<String>,
    #[serde(default)]
    bounced_recipients: Vec<WireRecipient>,
    timestamp: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireComplaint {
    #[serde(default)]
    complained_recipients: Vec<WireRecipient>,
    timestamp: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireRecipient {
    email_address: Option<String>,
}

#[derive(Deserialize)]
struct WireTimed {
    timestamp: Option<String>,
}

#[derive(Deserialize)]
struct WireClick {
    link: Option<String>,
    timestamp: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    const EMAIL_ID: &str = "eml_rl_5f1d3c0a9b8e7d6c5b4a3f2e";

    fn fixture(name: &str) -> String {
        let path = format!("{}/events/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    /// The event as SNS wraps it when raw message delivery is off.
    fn in_envelope(event: &str) -> String {
        serde_json::json!({
            "Type": "Notification",
            "MessageId": "sns-1",
            "TopicArn": "arn:aws:sns:eu-west-1:123456789012:ses-events",
            "Message": event,
            "Timestamp": "2026-11-23T10:00:05.000Z",
        })
        .to_string()
    }

    fn at(text: &str) -> Option<DateTime<Utc>> {
        Some(text.parse().unwrap())
    }

    fn field_of(body: &str) -> String {
        match parse(body).unwrap_err() {
            Error::Validation { field, .. } => field.unwrap_or_default(),
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn a_permanent_bounce_in_sns_envelope_should_suppress_and_count() {
        let event = parse(&fixture("sns-bounce-permanent.json")).unwrap();
        assert_eq!(
            event.notification_id.as_deref(),
            Some("8a1b2c3d-4e5f-5a6b-8c7d-9e0f1a2b3c4d")
        );
        assert_eq!(
            event.ses_message_id.as_deref(),
            Some("0102019a3b4c5d6e-7f8a9b0c-1d2e-3f4a-5b6c-7d8e9f0a1b2c-000000")
        );
        assert_eq!(event.email_id.as_deref(), Some(EMAIL_ID));
        let recipients = vec!["Ada.Lovelace@Example.com".to_string()];
        assert_eq!(
            event.what,
            What::Bounce {
                bounce_type: BounceType::Permanent,
                recipients: recipients.clone(),
                at: at("2026-11-23T10:00:03.669Z"),
            }
        );
        assert_eq!(
            event.what.suppression(),
            Some((Reason::Bounce, recipients.as_slice()))
        );
        assert_eq!(event.what.engagement(), Some(Engagement::Bounced));
    }

    #[test]
    fn raw_and_enveloped_bodies_should_read_the_same() {
        for name in [
            "bounce-permanent.json",
            "bounce-transient.json",
            "complaint.json",
            "delivery.json",
            "open.json",
            "click.json",
            "send.json",
            "notification-bounce.json",
            "notification-complaint.json",
        ] {
            let raw = parse(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
            let wrapped = parse(&in_envelope(&fixture(name))).unwrap();
            assert_eq!(raw.notification_id, None, "{name}");
            assert_eq!(wrapped.notification_id.as_deref(), Some("sns-1"), "{name}");
            assert_eq!(raw.what, wrapped.what, "{name}");
            assert_eq!(raw.email_id, wrapped.email_id, "{name}");
        }
        assert_eq!(
            parse(&fixture("sns-bounce-permanent.json")).unwrap().what,
            parse(&fixture("bounce-permanent.json")).unwrap().what
        );
    }

    #[test]
    fn event_publishing_types_should_map_to_their_effects() {
        let cases = [
            (
                "delivery.json",
                Some(Engagement::Delivered),
                "2026-11-23T10:00:02.133Z",
            ),
            (
                "open.json",
                Some(Engagement::Opened),
                "2026-11-23T12:30:19.652Z",
            ),
            (
                "click.json",
                Some(Engagement::Clicked),
                "2026-11-23T12:31:25.570Z",
            ),
            (
                "complaint.json",
                Some(Engagement::Complained),
                "2026-11-24T08:15:00Z",
            ),
        ];
        for (name, engagement, time) in cases {
            let event = parse(&fixture(name)).unwrap();
            assert_eq!(event.email_id.as_deref(), Some(EMAIL_ID), "{name}");
            assert_eq!(event.what.engagement(), engagement, "{name}");
            assert_eq!(event.what.at(), at(time), "{name}");
        }
        let complaint = parse(&fixture("complaint.json")).unwrap();
        assert_eq!(
            complaint.what.suppression(),
            Some((
                Reason::Complaint,
                ["ada.lovelace@example.com".to_string()].as_slice()
            ))
        );
        for name in ["delivery.json", "open.json", "click.json"] {
            assert_eq!(parse(&fixture(name)).unwrap().what.suppression(), None);
        }
    }

    #[test]
    fn a_transient_or_undetermined_bounce_should_have_no_effect() {
        let transient = parse(&fixture("bounce-transient.json")).unwrap();
        assert!(matches!(
            transient.what,
            What::Bounce {
                bounce_type: BounceType::Transient,
                ..
            }
        ));
        assert_eq!(transient.what.suppression(), None);
        assert_eq!(transient.what.engagement(), None);

        let mut undetermined: serde_json::Value =
            serde_json::from_str(&fixture("bounce-permanent.json")).unwrap();
        undetermined["bounce"]["bounceType"] = "Undetermined".into();
        let undetermined = parse(&undetermined.to_string()).unwrap();
        assert_eq!(undetermined.what.suppression(), None);
        assert_eq!(undetermined.what.engagement(), None);
    }

    #[test]
    fn the_notification_format_should_read_like_event_publishing() {
        let bounce = parse(&fixture("notification-bounce.json")).unwrap();
        assert_eq!(bounce.email_id, None, "no tags in this format");
        assert_eq!(
            bounce.what,
            What::Bounce {
                bounce_type: BounceType::Permanent,
                recipients: vec!["jane@example.com".into(), "not an address".into()],
                at: at("2016-01-27T14:59:38.237Z"),
            }
        );
        let complaint = parse(&fixture("notification-complaint.json")).unwrap();
        assert_eq!(
            complaint.what.suppression(),
            Some((
                Reason::Complaint,
                ["richard@example.com".to_string()].as_slice()
            ))
        );
        let delivery = parse(
            r#"{"notificationType":"Delivery","mail":{"messageId":"m-1"},
                "delivery":{"timestamp":"2016-01-27T14:59:38.237Z","recipients":["a@example.com"]}}"#,
        )
        .unwrap();
        assert_eq!(delivery.what.engagement(), Some(Engagement::Delivered));
        assert_eq!(delivery.ses_message_id.as_deref(), Some("m-1"));
    }

    #[test]
    fn types_liaison_does_not_act_on_should_be_read_as_other() {
        for (name, event_type) in [
            ("send.json", "Send"),
            ("delivery-delay.json", "DeliveryDelay"),
        ] {
            let event = parse(&fixture(name)).unwrap();
            assert_eq!(
                event.what,
                What::Other {
                    event_type: event_type.into()
                }
            );
            assert_eq!(event.what.engagement(), None);
            assert_eq!(event.what.suppression(), None);
        }
        let rendering =
            parse(r#"{"eventType":"Rendering Failure","mail":{},"failure":{"templateName":"t"}}"#)
                .unwrap();
        assert_eq!(rendering.what.name(), "Rendering Failure");
    }

    #[test]
    fn a_click_on_the_unsubscribe_link_should_not_count_as_a_click() {
        let mut click: serde_json::Value = serde_json::from_str(&fixture("click.json")).unwrap();
        click["click"]["link"] = "https://liaison.example/t/u/eyJlIjoiZW1sIn0.sig".into();
        let event = parse(&click.to_string()).unwrap();
        assert_eq!(event.what.engagement(), None);
    }

    #[test]
    fn a_missing_or_unreadable_timestamp_should_leave_the_time_to_the_clock() {
        let event = parse(
            r#"{"eventType":"Open","mail":{"tags":{"email_id":["e1"]}},"open":{"timestamp":"yesterday"}}"#,
        )
        .unwrap();
        assert_eq!(event.what, What::Open { at: None });
        assert_eq!(event.email_id.as_deref(), Some("e1"));
    }

    #[test]
    fn bodies_that_are_not_ses_events_should_be_refused_with_the_culprit() {
        assert_eq!(field_of("not json"), "body");
        assert_eq!(field_of("[1, 2]"), "body");
        assert_eq!(field_of(""), "body");
        assert_eq!(field_of(r#"{"hello":"world"}"#), "eventType");
        assert_eq!(field_of(r#"{"eventType":"Open","open":{}}"#), "mail");
        assert_eq!(field_of(r#"{"eventType":"Bounce","mail":{}}"#), "bounce");
        assert_eq!(field_of(r#"{"eventType":"Click","mail":{}}"#), "click");
        assert_eq!(field_of(&in_envelope("not json")), "Message");
        assert_eq!(field_of(&in_envelope(r#"{"v":1}"#)), "eventType");
        assert_eq!(
            field_of(r#"{"Type":"Notification","MessageId":"x"}"#),
            "Message"
        );
        assert_eq!(
            field_of(&fixture("sns-subscription-confirmation.json")),
            "Type"
        );
        // The SNS type is named in the reason, the rest of the body is not.
        let reason = parse(&fixture("sns-subscription-confirmation.json"))
            .unwrap_err()
            .to_string();
        assert!(reason.contains("SubscriptionConfirmation"), "{reason}");
        assert!(!reason.contains("Token"), "{reason}");
    }

    #[test]
    fn refusals_should_not_quote_addresses() {
        // A bounce whose recipients are not the expected shape: the reason names the type
        // mismatch, not the value.
        let body =
            r#"{"eventType":"Bounce","mail":{},"bounce":{"bouncedRecipients":"ada@example.com"}}"#;
        let reason = parse(body).unwrap_err().to_string();
        assert!(!reason.contains("ada@example.com"), "{reason}");
    }
}
