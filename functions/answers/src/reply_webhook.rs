//! Answers to a Standard Webhooks source, delivered to its `reply_url` setting as a Standard
//! Webhooks request signed with its `moderation_callback_secret` (the secret Liaison already
//! signs that source's moderation callbacks with), so any platform can take Liaison's answers
//! the way it sends contributions.
//!
//! The request:
//! - `webhook-id` is the answer's id: every retry carries the same, so the receiver publishes
//!   an answer once; `webhook-timestamp` is this attempt's time (receivers refuse old ones);
//!   `webhook-signature` is `shared::contracts::signed_webhook::sign`'s.
//! - The body is the same on every attempt:
//!   `{"type":"answer.created","timestamp":<the answer's created_at>,"data":{"answer_id",
//!   "contribution_id","channel","text","tags":[visible only],"in_reply_to":{"external_id",
//!   "thread_id","author_id"},"author":<the staff member>,"created_at"}}`. Hidden tags never
//!   leave Liaison.
//!
//! What the receiver's answer means: a 2xx is published, under the `id` of its JSON body when
//! it gives one (a string or a number), else the answer's id, and at its `permalink` or `url`
//! if given; otherwise `call::from_status`'s rules (410 Gone and other 4xx: refused, 401 and
//! 403: the secret refused, 408, 429 and 503: retried after `Retry-After`, other 5xx and a
//! connection cut after sending: unknown).

use serde_json::{json, Value};
use shared::contracts::answers::{Answer, Published, REPLY_URL_SETTING};
use shared::contracts::moderation::CALLBACK_SECRET_CREDENTIAL;
use shared::contracts::signed_webhook;
use shared::contracts::sources::Source;

use crate::call::{self, Call};
use crate::Deps;

/// The event type of a delivered answer.
pub const EVENT_TYPE: &str = "answer.created";

/// Delivers `answer` to the source's reply URL.
pub async fn answer(deps: &Deps, source: &Source, answer: &Answer) -> Call<Published> {
    let (Some(url), Some(secret)) = (
        source.setting(REPLY_URL_SETTING),
        source.credentials.get(CALLBACK_SECRET_CREDENTIAL),
    ) else {
        return Call::refused(format!(
            "the source needs its {REPLY_URL_SETTING} and {CALLBACK_SECRET_CREDENTIAL} to take answers"
        ));
    };
    let url = match crate::staff_url(deps, REPLY_URL_SETTING, url) {
        Ok(url) => url,
        Err(why) => return Call::refused(why),
    };
    let body = match serde_json::to_vec(&payload(answer)) {
        Ok(body) => body,
        Err(e) => return Call::refused(format!("the answer could not be encoded: {e}")),
    };
    let now = deps.clock.now();
    let timestamp = now.timestamp();
    let request =
        match signed_webhook::post(&deps.http, url, &[secret], &answer.id, timestamp, body) {
            Ok(request) => request,
            Err(e) => {
                return Call::refused(format!("the source's signing secret is unusable: {e}"))
            }
        };
    send(request).await.and_then(|receipt| {
        Call::Done(Published {
            platform_id: receipt.id.unwrap_or_else(|| answer.id.clone()),
            permalink: receipt.permalink,
            at: now,
        })
    })
}

/// The body of the request: the same bytes on every attempt.
pub fn payload(answer: &Answer) -> Value {
    let target = &answer.target;
    json!({
        "type": EVENT_TYPE,
        "timestamp": answer.created_at,
        "data": {
            "answer_id": answer.id,
            "contribution_id": answer.contribution_id,
            "channel": answer.channel.as_str(),
            "text": answer.text,
            "tags": answer.tags.visible,
            "in_reply_to": {
                "external_id": target.external_id,
                "thread_id": target.thread_id,
                "author_id": target.author_id,
            },
            "author": answer.author,
            "created_at": answer.created_at,
        }
    })
}

/// What a receiver said of a delivered answer, when it said anything.
#[derive(Debug, Default, PartialEq)]
pub struct Receipt {
    pub id: Option<String>,
    pub permalink: Option<String>,
}

/// Sends the request: a 2xx with any body (or none) is delivered.
async fn send(request: reqwest::RequestBuilder) -> Call<Receipt> {
    let response = match request.send().await {
        Ok(response) => response,
        // The reply URL may carry a token: never in a reason or a log.
        Err(e) => return call::from_transport(e.is_connect(), e.without_url().to_string()),
    };
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    match (status, response.bytes().await) {
        (200..=299, Ok(body)) => Call::Done(receipt(&body)),
        (200..=299, Err(e)) => Call::Unknown {
            reason: format!("{status}, then the answer was lost: {}", e.without_url()),
        },
        (_, body) => {
            let message = body.map(|b| call::platform_message(&b)).unwrap_or_default();
            call::from_status(status, retry_after.as_deref(), message)
        }
    }
}

/// The receiver's id and link of what it published, from its JSON answer if it gave one.
pub fn receipt(body: &[u8]) -> Receipt {
    let Ok(value) = serde_json::from_slice::<Value>(body) else {
        return Receipt::default();
    };
    let id = value.get("id").and_then(|id| match id {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    });
    let permalink = ["permalink", "url"]
        .iter()
        .find_map(|k| value.get(*k).and_then(Value::as_str))
        .map(str::to_string);
    Receipt { id, permalink }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::contracts::answers::{Channel, State, Tags, Target};
    use shared::contracts::sources::Platform;

    fn answer() -> Answer {
        let at = "2026-12-06T10:00:00Z".parse().unwrap();
        let target = Target {
            source_id: "src_1".into(),
            platform: Platform::StandardWebhooks,
            external_id: "c-9".into(),
            thread_id: Some("t-1".into()),
            author_id: Some("u-7".into()),
            written_at: at,
        };
        Answer {
            text: "On it.".into(),
            tags: Tags {
                visible: vec!["delivery".into()],
                hidden: vec!["courier-x".into()],
            },
            author: "agent-1".into(),
            state: State::Sending,
            attempts: 1,
            ..Answer::queued(
                "ans_1".into(),
                "evt_1".into(),
                Channel::PublicReply,
                target,
                at,
            )
        }
    }

    #[test]
    fn the_payload_should_carry_the_answer_and_its_visible_tags_only() {
        let body = payload(&answer());
        assert_eq!(body["type"], "answer.created");
        assert_eq!(body["timestamp"], "2026-12-06T10:00:00Z");
        assert_eq!(body["data"]["answer_id"], "ans_1");
        assert_eq!(body["data"]["channel"], "public_reply");
        assert_eq!(body["data"]["tags"], json!(["delivery"]));
        assert_eq!(
            body["data"]["in_reply_to"],
            json!({"external_id": "c-9", "thread_id": "t-1", "author_id": "u-7"})
        );
        assert!(!body.to_string().contains("courier-x"));
    }

    #[test]
    fn the_payload_should_be_the_same_on_every_attempt() {
        let mut retried = answer();
        retried.attempts = 3;
        retried.updated_at = "2026-12-06T11:00:00Z".parse().unwrap();
        assert_eq!(payload(&answer()), payload(&retried));
    }

    #[test]
    fn the_receivers_id_and_link_should_be_read_when_given() {
        assert_eq!(
            receipt(br#"{"id": 981, "url": "https://forum.example/r/981"}"#),
            Receipt {
                id: Some("981".into()),
                permalink: Some("https://forum.example/r/981".into())
            }
        );
        assert_eq!(receipt(br#"{"id": "r_1"}"#).id.as_deref(), Some("r_1"));
        assert_eq!(receipt(b""), Receipt::default());
        assert_eq!(receipt(b"accepted"), Receipt::default());
    }
}
