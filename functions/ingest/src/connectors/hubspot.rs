//! HubSpot's webhooks (an app's subscriptions): what the CRM says about the deals Liaison
//! created for its opportunities (`deliveries` creates them).
//!
//! Signature v3 (developers.hubspot.com/docs/api/webhooks/validating-requests):
//! `X-HubSpot-Signature-v3` = base64 HMAC-SHA256(the app's client secret, method + URI +
//! raw body + `X-HubSpot-Request-Timestamp`), where the URI is the one HubSpot called with
//! the characters HubSpot lists URL-decoded; refused when the timestamp (milliseconds) is more
//! than 5 minutes old. The body is an array of events; `deal.propertyChange` of `dealstage`
//! or `amount` is kept, every other event ignored. `portalId:eventId` is the deduplication
//! key (a retry keeps its `eventId`).

use chrono::{DateTime, Utc};
use serde::Deserialize;
use shared::contracts::events::{DealChange, DealProperty, Event, Handoff};
use shared::contracts::sources::Source;
use shared::kit::json::from_slice;
use shared::Error;

use super::standard_webhooks::TOLERANCE_SECONDS;
use super::Connector;
use crate::fields;
use crate::request::{HookRequest, Parsed};
use crate::signature::{decode_base64, signed_by_a_secret};

pub struct HubSpot;

const SIGNATURE: &str = "x-hubspot-signature-v3";
const TIMESTAMP: &str = "x-hubspot-request-timestamp";

/// The escapes HubSpot decodes in the URI before signing it.
const DECODED: [(&str, &str); 12] = [
    ("%3A", ":"),
    ("%2F", "/"),
    ("%3F", "?"),
    ("%40", "@"),
    ("%21", "!"),
    ("%24", "$"),
    ("%27", "'"),
    ("%28", "("),
    ("%29", ")"),
    ("%2A", "*"),
    ("%2C", ","),
    ("%3B", ";"),
];

impl Connector for HubSpot {
    fn verify(&self, req: &HookRequest<'_>, source: &Source) -> Result<(), Error> {
        let unauthorized = |m: &str| Error::Unauthorized(m.to_string());
        let timestamp = req
            .header(TIMESTAMP)
            .ok_or_else(|| unauthorized("missing x-hubspot-request-timestamp header"))?;
        let given = req
            .header(SIGNATURE)
            .and_then(|v| decode_base64(v.trim()))
            .ok_or_else(|| unauthorized("missing or non-base64 x-hubspot-signature-v3"))?;
        let sent_ms: i64 = timestamp
            .trim()
            .parse()
            .map_err(|_| unauthorized("the request timestamp is not milliseconds"))?;
        if req.now.timestamp_millis() - sent_ms > TOLERANCE_SECONDS * 1000 {
            return Err(unauthorized(
                "the request timestamp is more than 5 minutes old",
            ));
        }
        let uri = decoded(req.url);
        let signed: [&[u8]; 4] = [
            req.method.as_bytes(),
            uri.as_bytes(),
            req.body,
            timestamp.as_bytes(),
        ];
        signed_by_a_secret(source, req.now, &signed, &given)
    }

    fn parse(&self, req: &HookRequest<'_>, _source: &Source) -> Result<Parsed, Error> {
        let events: Vec<HubSpotEvent> = from_slice(req.body, "")?;
        let mut parsed = Parsed::default();
        for event in events {
            let property = match (
                event.subscription_type.as_str(),
                event.property_name.as_deref(),
            ) {
                ("deal.propertyChange", Some("dealstage")) => DealProperty::Stage,
                ("deal.propertyChange", Some("amount")) => DealProperty::Amount,
                (kind, property) => {
                    parsed.ignore(
                        "unsupported_event",
                        format!("{kind} {}", property.unwrap_or_default()),
                    );
                    continue;
                }
            };
            let Some(at) = DateTime::<Utc>::from_timestamp_millis(event.occurred_at) else {
                parsed.ignore("unparseable", "occurredAt is out of range");
                continue;
            };
            parsed.push(
                format!("{}:{}", event.portal_id, event.event_id),
                Event::Handoff(Handoff::DealChange(DealChange {
                    system: "hubspot".into(),
                    account: event.portal_id,
                    deal_id: event.object_id,
                    property,
                    value: event.property_value.unwrap_or_default(),
                    at,
                })),
            );
        }
        if parsed.events.is_empty() && parsed.ignored.is_empty() {
            parsed.ignore("unsupported_event", "no events");
        }
        Ok(parsed)
    }

    fn event_name<'a>(&self, _req: &'a HookRequest<'_>) -> Option<&'a str> {
        Some("hubspot events")
    }
}

/// `uri` with the escapes HubSpot decodes before signing decoded.
fn decoded(uri: &str) -> String {
    let mut uri = uri.to_string();
    for (escape, character) in DECODED {
        if uri.contains(escape) || uri.contains(&escape.to_lowercase()) {
            uri = uri
                .replace(escape, character)
                .replace(&escape.to_lowercase(), character);
        }
    }
    uri
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct HubSpotEvent {
    #[serde(deserialize_with = "fields::id")]
    event_id: String,
    #[serde(deserialize_with = "fields::id")]
    portal_id: String,
    occurred_at: i64,
    subscription_type: String,
    #[serde(deserialize_with = "fields::id")]
    object_id: String,
    #[serde(default)]
    property_name: Option<String>,
    #[serde(default)]
    property_value: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connectors::testing::{b64, fixture, hmac256, source, Req};
    use shared::contracts::sources::Platform;

    const SECRET: &str = "7b6c1f0e-2a4d-4c8e-9f3b-5d2e1a0c9b8f";
    const URL: &str = "https://liaison.example/hooks/src_test";

    fn signed(body: Vec<u8>, at: DateTime<Utc>, secret: &str, uri: &str) -> Req {
        let timestamp = at.timestamp_millis().to_string();
        let mut data = format!("POST{uri}").into_bytes();
        data.extend_from_slice(&body);
        data.extend_from_slice(timestamp.as_bytes());
        let signature = b64(&hmac256(secret, &data));
        let mut req = Req::new("POST", body)
            .header(TIMESTAMP, &timestamp)
            .header(SIGNATURE, &signature);
        req.now = at;
        req
    }

    #[test]
    fn a_deals_stage_and_amount_should_become_deal_changes_and_the_rest_be_ignored() {
        let parsed = signed(
            fixture("hubspot/deal-property-change.json"),
            Utc::now(),
            SECRET,
            URL,
        )
        .run(&source(Platform::HubSpot, SECRET))
        .unwrap();
        assert_eq!(parsed.events.len(), 2);
        assert_eq!(parsed.events[0].dedupe_key, "62515:3816279340");
        let Event::Handoff(Handoff::DealChange(stage)) = &parsed.events[0].event else {
            panic!("{:?}", parsed.events[0].event);
        };
        assert_eq!(
            (
                stage.property,
                stage.value.as_str(),
                stage.deal_id.as_str(),
                stage.account.as_str()
            ),
            (DealProperty::Stage, "closedwon", "51042", "62515")
        );
        let Event::Handoff(Handoff::DealChange(amount)) = &parsed.events[1].event else {
            panic!();
        };
        assert_eq!(
            (amount.property, amount.value.as_str()),
            (DealProperty::Amount, "1250.50")
        );
        assert_eq!(parsed.ignored.len(), 1);
        assert_eq!(parsed.ignored[0].reason, "unsupported_event");
    }

    #[test]
    fn when_signature_is_wrong_stale_or_for_another_url_should_reject() {
        let hubspot = source(Platform::HubSpot, SECRET);
        let body = || fixture("hubspot/deal-property-change.json");
        let wrong = signed(body(), Utc::now(), "another-secret", URL).run(&hubspot);
        assert!(matches!(wrong, Err(Error::Unauthorized(_))));
        let other_url = signed(
            body(),
            Utc::now(),
            SECRET,
            "https://evil.example/hooks/src_test",
        );
        assert!(matches!(
            other_url.run(&hubspot),
            Err(Error::Unauthorized(_))
        ));
        let mut stale = signed(
            body(),
            Utc::now() - chrono::Duration::minutes(6),
            SECRET,
            URL,
        );
        stale.now = Utc::now();
        assert!(matches!(stale.run(&hubspot), Err(Error::Unauthorized(_))));
        let unsigned = Req::new("POST", body()).run(&hubspot);
        assert!(matches!(unsigned, Err(Error::Unauthorized(_))));
    }

    #[test]
    fn the_uri_should_be_signed_with_hubspots_escapes_decoded() {
        assert_eq!(
            decoded("https://a.example/hooks/src_1?x=a%3Ab%2Cc%2fd"),
            "https://a.example/hooks/src_1?x=a:b,c/d"
        );
    }
}
