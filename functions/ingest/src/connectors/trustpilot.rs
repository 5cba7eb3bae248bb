//! Trustpilot service review webhooks (`service-review-created`).
//!
//! Trustpilot documents no signature. The webhook URL carries an unguessable per-source
//! token (`?token=`, 256 random bits, compared in constant time, rotatable with a grace
//! period like any secret); a request without the right token is refused before its body
//! is read. One POST may carry several events; each review is deduplicated on its id and
//! the event name.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::value::RawValue;
use shared::contracts::events::{
    Audience, Author, Contribution, ContributionAction, ContributionKind, Event, ModerationState,
};
use shared::contracts::sources::Source;
use shared::kit::json::from_slice;
use shared::Error;

use super::Connector;
use crate::fields::{self, non_empty};
use crate::request::{HookRequest, Parsed};
use crate::signature::token_matches;

pub struct Trustpilot;

impl Connector for Trustpilot {
    fn verify(&self, req: &HookRequest<'_>, source: &Source) -> Result<(), Error> {
        let token = req
            .query("token")
            .ok_or_else(|| Error::Unauthorized("missing token in the webhook URL".into()))?;
        if token_matches(token, source.active_secrets(req.now)) {
            Ok(())
        } else {
            Err(Error::Unauthorized("token does not match".into()))
        }
    }

    fn parse(&self, req: &HookRequest<'_>, _source: &Source) -> Result<Parsed, Error> {
        let body: Body = from_slice(req.body, "")?;
        let mut parsed = Parsed::default();
        for (i, event) in body.events.into_iter().enumerate() {
            if event.event_name != "service-review-created" {
                parsed.ignore("unsupported_event", event.event_name);
                continue;
            }
            let path = format!("events[{i}].eventData");
            match from_slice::<Review>(event.event_data.get().as_bytes(), &path) {
                Ok(review) => {
                    let key = format!("{}:{}", event.event_name, review.id);
                    parsed.push(key, Event::Contribution(contribution(review)));
                }
                Err(err) => parsed.ignore("unparseable", err.to_string()),
            }
        }
        if parsed.events.is_empty() && parsed.ignored.is_empty() {
            parsed.ignore("unsupported_event", "no events");
        }
        Ok(parsed)
    }
}

#[derive(Deserialize)]
struct Body {
    #[serde(default)]
    events: Vec<TrustpilotEvent>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TrustpilotEvent {
    event_name: String,
    event_data: Box<RawValue>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Review {
    #[serde(deserialize_with = "fields::id")]
    id: String,
    created_at: DateTime<Utc>,
    #[serde(default)]
    language: Option<String>,
    stars: u8,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    consumer: Option<Consumer>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Consumer {
    #[serde(default, deserialize_with = "fields::opt_id")]
    id: Option<String>,
    #[serde(default)]
    name: Option<String>,
    /// Reviews the consumer wrote, all businesses: the Consumer API's field, which the review
    /// payload carries when Trustpilot includes the consumer's profile.
    #[serde(default)]
    number_of_reviews: Option<u64>,
}

fn contribution(review: Review) -> Contribution {
    let text = [non_empty(review.title), non_empty(review.text)]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join("\n");
    let consumer = review.consumer;
    Contribution {
        action: ContributionAction::Created,
        kind: ContributionKind::Review,
        permalink: Some(format!("https://www.trustpilot.com/reviews/{}", review.id)),
        external_id: review.id,
        thread_id: None,
        thread_title: None,
        parent_id: None,
        author: Author {
            name: consumer.as_ref().and_then(|c| non_empty(c.name.clone())),
            audience: Audience {
                reviews_written: consumer.as_ref().and_then(|c| c.number_of_reviews),
                ..Audience::default()
            },
            platform_user_id: consumer.and_then(|c| c.id),
            // A Trustpilot account wrote it.
            verified: true,
            ..Author::default()
        },
        text,
        language: non_empty(review.language),
        created_at: review.created_at,
        updated_at: None,
        moderation: ModerationState::Published,
        rating: Some(review.stars.clamp(1, 5)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connectors::testing::*;
    use shared::contracts::sources::Platform;

    const TOKEN: &str = "Tq0m1n2b3v4c5x6z7l8k9j0h1g2f3d4s5a6p7o8i9u0";

    #[test]
    fn a_review_should_carry_its_rating_and_language() {
        let req = Req::new("POST", fixture("trustpilot/service-review-created.json"))
            .query(&[("token", TOKEN)]);
        let parsed = req.run(&source(Platform::Trustpilot, TOKEN)).unwrap();
        let [c] = contributions(&parsed)[..] else {
            panic!("{parsed:?}")
        };
        assert_eq!(c.kind, ContributionKind::Review);
        assert_eq!(c.rating, Some(4));
        assert_eq!(c.language.as_deref(), Some("fr"));
        assert!(c.text.starts_with("Une lampe superbe"));
        assert_eq!(
            keys(&parsed),
            ["service-review-created:6741a9c3e5b27d0d8f4c1a92"]
        );
    }

    #[test]
    fn a_reviewer_should_bring_how_many_reviews_they_wrote_when_the_payload_says() {
        let run = |body: Vec<u8>| {
            let parsed = Req::new("POST", body)
                .query(&[("token", TOKEN)])
                .run(&source(Platform::Trustpilot, TOKEN))
                .unwrap();
            contributions(&parsed)[0].author.audience.reviews_written
        };
        let sent = fixture("trustpilot/service-review-created.json");
        assert_eq!(run(sent.clone()), None);
        let with_count = String::from_utf8(sent).unwrap().replacen(
            r#""name": "Jean Dupont","#,
            r#""name": "Jean Dupont", "numberOfReviews": 37,"#,
            1,
        );
        assert_eq!(run(with_count.into_bytes()), Some(37));
    }

    #[test]
    fn a_missing_or_wrong_token_should_be_refused() {
        let body = fixture("trustpilot/service-review-created.json");
        let none = Req::new("POST", body.clone());
        assert_eq!(
            none.run(&source(Platform::Trustpilot, TOKEN))
                .unwrap_err()
                .status(),
            401
        );
        let wrong = Req::new("POST", body).query(&[("token", "guess")]);
        assert_eq!(
            wrong
                .run(&source(Platform::Trustpilot, TOKEN))
                .unwrap_err()
                .status(),
            401
        );
    }
}
