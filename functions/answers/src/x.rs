//! X's API v2, as the brand's account with its OAuth 2.0 user token (scopes `tweet.read`,
//! `tweet.write`, `users.read`, `dm.read`, `dm.write`, `offline.access`):
//! - a public reply is `POST /2/tweets` with `text` (the answer with its visible tags as
//!   hashtags) and `reply.in_reply_to_tweet_id` → 201 `{"data":{"id","text"}}`;
//! - a private message is `POST /2/dm_conversations/with/{participant_id}/messages` with
//!   `text`, to the author → 201 `{"data":{"dm_conversation_id","dm_event_id"}}`.
//!
//! Errors are problems (`{"title","detail","type","status"}`, RFC 7807). A 403 carries two
//! different things: X refusing what was asked (a person who does not take messages from
//! the brand, a conversation the brand may not reply in, a duplicate), which fails this
//! answer alone, and X refusing the app or the token (`client-forbidden`, a scope missing),
//! which is the brand's login to fix. A 429 says when its window reopens in
//! `x-rate-limit-reset` (read by `call::send`).

use serde_json::{json, Value};
use shared::contracts::answers::{outgoing_text, Answer, Channel, Published};
use shared::contracts::sources::Source;

use crate::call::{self, Call, Response};
use crate::oauth::{self, Attempt, Provider};
use crate::Deps;

/// Where a published post shows, whatever the account's handle.
pub fn permalink(id: &str) -> String {
    format!("https://x.com/i/web/status/{id}")
}

/// Publishes `answer`: a reply under the post, or a direct message to its author.
pub async fn answer(deps: &Deps, source: &Source, answer: &Answer) -> Call<Published> {
    let text = outgoing_text(&answer.target, answer.channel, &answer.text, &answer.tags);
    let (url, body, read): (String, Value, Reader) = match answer.channel {
        Channel::PublicReply => (
            format!("{}/2/tweets", deps.apis.x),
            json!({"text": text, "reply": {"in_reply_to_tweet_id": answer.target.external_id}}),
            post,
        ),
        Channel::PrivateMessage => {
            let Some(participant) = answer.target.author_id.as_deref() else {
                return Call::refused("the post's author is not known: no one to message");
            };
            if !is_id(participant) {
                return Call::refused("the post's author id is not an X user id");
            }
            (
                format!(
                    "{}/2/dm_conversations/with/{participant}/messages",
                    deps.apis.x
                ),
                json!({ "text": text }),
                message,
            )
        }
        Channel::Email => return Call::refused("an email answer is not sent through X"),
    };
    let now = deps.clock.now();
    let call = oauth::authorised(deps, source, Provider::X, |token| {
        let request = deps.http.post(&url).bearer_auth(token).json(&body);
        async move {
            match call::send(request).await {
                Ok(response) => read_response(response),
                Err(call) => Attempt::Finished(call),
            }
        }
    })
    .await;
    call.and_then(|said| read(&said))
        .and_then(|(platform_id, permalink)| {
            Call::Done(Published {
                platform_id,
                permalink,
                at: now,
            })
        })
}

/// X's ids are decimal numbers (snowflakes): anything else is not put in a path.
fn is_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 20 && id.bytes().all(|b| b.is_ascii_digit())
}

/// What one answer from X means.
pub fn read_response(response: Response) -> Attempt<Value> {
    match response.status {
        401 => Attempt::Unauthorised(reason(&response)),
        403 => Attempt::Finished(Call::Refused {
            reason: reason(&response),
            credentials: refuses_the_login(&response.json()),
        }),
        _ => Attempt::Finished(response.outcome()),
    }
}

fn reason(response: &Response) -> String {
    format!(
        "{}: {}",
        response.status,
        call::platform_message(&response.body)
    )
}

/// Whether a 403 refuses the brand's app or token rather than what was asked: X's
/// `client-forbidden` and `unsupported-authentication` problems, a bare "Forbidden" (what
/// X says when a scope is missing), and the v1.1-style codes of bad or suspended logins.
pub fn refuses_the_login(body: &Value) -> bool {
    if let Some(code) = body.pointer("/errors/0/code").and_then(Value::as_u64) {
        return matches!(code, 32 | 64 | 89 | 220 | 326);
    }
    let kind = body.get("type").and_then(Value::as_str).unwrap_or_default();
    if kind.ends_with("/client-forbidden") || kind.ends_with("/unsupported-authentication") {
        return true;
    }
    let title = body.get("title").and_then(Value::as_str);
    match body.get("detail").and_then(Value::as_str) {
        None => true,
        Some(detail) => detail.trim().eq_ignore_ascii_case("forbidden") || Some(detail) == title,
    }
}

/// What X published: its id, and where it shows.
type Where = (String, Option<String>);

/// Reads what X published from its answer.
type Reader = fn(&Value) -> Call<Where>;

/// A created post: `{"data":{"id","text"}}`.
fn post(said: &Value) -> Call<Where> {
    match said.pointer("/data/id").and_then(Value::as_str) {
        Some(id) => Call::Done((id.to_string(), Some(permalink(id)))),
        None => Call::Unknown {
            reason: "X answered without the post's id".into(),
        },
    }
}

/// A sent message: `{"data":{"dm_conversation_id","dm_event_id"}}` (a message has no page).
fn message(said: &Value) -> Call<Where> {
    match said.pointer("/data/dm_event_id").and_then(Value::as_str) {
        Some(id) => Call::Done((id.to_string(), None)),
        None => Call::Unknown {
            reason: "X answered without the message's dm_event_id".into(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn response(status: u16, body: Value) -> Response {
        Response {
            status,
            after: None,
            body: body.to_string().into_bytes(),
        }
    }

    #[test]
    fn a_person_who_cannot_receive_a_message_should_fail_the_answer_not_the_login() {
        let refused = json!({"title": "Forbidden", "type": "about:blank", "status": 403, "detail": "You cannot send messages to this user."});
        assert_eq!(
            read_response(response(403, refused)),
            Attempt::Finished(Call::Refused {
                reason: "403: You cannot send messages to this user.".into(),
                credentials: false
            })
        );
        let legacy =
            json!({"errors": [{"code": 349, "message": "You cannot send messages to this user."}]});
        assert!(!refuses_the_login(&legacy));
    }

    #[test]
    fn a_refused_app_or_scope_should_be_the_logins_problem() {
        for body in [
            json!({"title": "Forbidden", "type": "about:blank", "status": 403, "detail": "Forbidden"}),
            json!({"client_id": "1", "required_enrollment": "Appropriate Level of API Access", "registration_url": "https://developer.x.com", "title": "Client Forbidden", "detail": "This request must be made using an approved developer account that is enrolled in the requested endpoint.", "reason": "client-not-enrolled", "type": "https://api.x.com/2/problems/client-forbidden"}),
            json!({"errors": [{"code": 89, "message": "Invalid or expired token."}]}),
        ] {
            assert!(refuses_the_login(&body), "{body}");
        }
    }

    #[test]
    fn a_401_should_ask_for_a_refresh_and_a_rate_limit_wait_for_its_reset() {
        let expired = json!({"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"});
        assert_eq!(
            read_response(response(401, expired)),
            Attempt::Unauthorised("401: Unauthorized".into())
        );
        let limited = Response {
            status: 429,
            after: Some(Duration::from_secs(300)),
            body: br#"{"title":"Too Many Requests","detail":"Too Many Requests","type":"about:blank","status":429}"#.to_vec(),
        };
        assert_eq!(
            read_response(limited),
            Attempt::Finished(Call::Retry {
                after: Some(Duration::from_secs(300)),
                reason: "429: Too Many Requests".into()
            })
        );
    }

    #[test]
    fn a_created_post_or_message_should_give_its_id() {
        assert_eq!(
            post(&json!({"data": {"id": "1860012345678901249", "text": "On it."}})),
            Call::Done((
                "1860012345678901249".to_string(),
                Some("https://x.com/i/web/status/1860012345678901249".to_string())
            ))
        );
        assert_eq!(
            message(
                &json!({"data": {"dm_conversation_id": "123-456", "dm_event_id": "1582838499983564806"}})
            ),
            Call::Done(("1582838499983564806".to_string(), None))
        );
        assert!(matches!(post(&json!({"data": {}})), Call::Unknown { .. }));
        assert!(matches!(message(&Value::Null), Call::Unknown { .. }));
    }

    #[test]
    fn only_numeric_user_ids_should_go_in_a_path() {
        assert!(is_id("944480690"));
        assert!(!is_id("../2/tweets"));
        assert!(!is_id(""));
    }
}
