//! Meta's Graph API, as the brand's Page (the source's `page_access_token`, its `page_id`),
//! for a Page's comments and its Instagram account's:
//! - a public reply is `POST /{comment-id}/comments` on Facebook, `POST /{ig-comment-id}/replies`
//!   on Instagram, with `message`;
//! - a private message is a Private Reply, `POST /{page-id}/messages` with
//!   `recipient.comment_id`: Meta allows one per comment, within 7 days of it. The staff API
//!   and the once-only `private#` item keep Liaison from asking twice; the 7 days are checked
//!   here again before calling (the answer may have waited in the queue), and Meta's own
//!   refusal is kept as the reason when it disagrees;
//! - moderation hides (hold, spam) or shows (approve) the comment: `is_hidden` on Facebook,
//!   `hide` on Instagram. The Graph API has no "spam" or "held" state for a comment; hiding
//!   keeps it from everyone but its author and their friends, which is what the brand wants.
//!   Staff's deletion is `DELETE /{comment-id}`.
//!
//! The Graph API answers its errors with HTTP 400 whatever they are; its `code` says which:
//! 190 (expired token) and 10/200 (a permission) are the brand's credentials, 4/17/32/613 and
//! 80001-80014 are rate limits (retried after the time Meta estimates in
//! `X-Business-Use-Case-Usage`), the rest refuse what was asked.

use serde_json::{json, Value};
use shared::contracts::answers::{
    meta_network, private_reply_closed, Answer, Channel, MetaNetwork, Published,
};
use shared::contracts::moderation::Decision;
use shared::contracts::sources::Source;

use crate::call::{self, Call};
use crate::Deps;

/// The Page and the token that acts as it.
pub struct Page<'a> {
    id: &'a str,
    token: &'a str,
}

impl<'a> Page<'a> {
    pub fn of(source: &'a Source) -> Result<Page<'a>, &'static str> {
        match (
            source.setting("page_id"),
            source.credentials.get("page_access_token"),
        ) {
            (Some(id), Some(token)) => Ok(Page { id, token }),
            _ => Err("the source needs its page_id and page_access_token to answer on Meta"),
        }
    }
}

/// Publishes `answer` on Facebook or Instagram.
pub async fn answer(deps: &Deps, source: &Source, answer: &Answer) -> Call<Published> {
    let page = match Page::of(source) {
        Ok(page) => page,
        Err(why) => return Call::refused(why),
    };
    let comment = answer.target.external_id.as_str();
    let network = meta_network(comment);
    let now = deps.clock.now();
    let (path, body) = match answer.channel {
        Channel::PublicReply => {
            let edge = match network {
                MetaNetwork::Facebook => "comments",
                MetaNetwork::Instagram => "replies",
            };
            (
                format!("{comment}/{edge}"),
                json!({ "message": answer.text }),
            )
        }
        Channel::PrivateMessage => {
            if let Some(closed) = private_reply_closed(&answer.target, now) {
                return Call::refused(closed);
            }
            (
                format!("{}/messages", page.id),
                json!({ "recipient": { "comment_id": comment }, "message": { "text": answer.text } }),
            )
        }
        Channel::Email => return Call::refused("an email is not sent through Meta"),
    };
    graph_post(deps, &page, &path, &body)
        .await
        .and_then(|said| published(&said, answer.channel, network, now))
}

/// What Meta said it published: a reply's `id`, a message's `message_id`.
fn published(
    said: &Value,
    channel: Channel,
    network: MetaNetwork,
    at: chrono::DateTime<chrono::Utc>,
) -> Call<Published> {
    let field = if channel == Channel::PrivateMessage {
        "message_id"
    } else {
        "id"
    };
    match said.get(field).and_then(Value::as_str) {
        Some(id) => Call::Done(Published {
            platform_id: id.to_string(),
            // A Facebook comment shows under its post; Instagram has no comment URL.
            permalink: (channel == Channel::PublicReply && network == MetaNetwork::Facebook)
                .then(|| format!("https://www.facebook.com/{id}")),
            at,
        }),
        None => Call::Unknown {
            reason: format!("Meta answered without the {field} of what it published"),
        },
    }
}

/// Hides or shows comment `id` as `decision` says.
pub async fn moderate(deps: &Deps, source: &Source, id: &str, decision: Decision) -> Call<()> {
    let page = match Page::of(source) {
        Ok(page) => page,
        Err(why) => return Call::refused(why),
    };
    if decision == Decision::Delete {
        return delete(deps, &page, id).await;
    }
    let hidden = decision != Decision::Approve;
    let body = match meta_network(id) {
        MetaNetwork::Facebook => json!({ "is_hidden": hidden }),
        MetaNetwork::Instagram => json!({ "hide": hidden }),
    };
    graph_post(deps, &page, id, &body).await.and_then(|said| {
        match said.get("success").and_then(Value::as_bool) {
            Some(true) => Call::Done(()),
            _ => Call::Unknown {
                reason: "Meta did not say the comment's visibility was set".into(),
            },
        }
    })
}

/// `DELETE /{comment-id}` (Facebook and Instagram alike). A comment already gone is what a
/// deletion wants: Meta's "does not exist" (code 100, subcode 33) is done, so a repeated or
/// unknown deletion is safe to make again.
async fn delete(deps: &Deps, page: &Page<'_>, id: &str) -> Call<()> {
    let request = deps.http.delete(format!("{}/{id}", deps.apis.graph));
    match graph(page, request).await {
        Call::Done(said) if said.get("success").and_then(Value::as_bool) == Some(true) => {
            Call::Done(())
        }
        Call::Done(_) => Call::Unknown {
            reason: "Meta did not say the comment was deleted".into(),
        },
        Call::Refused { reason, .. } if reason.contains("does not exist") => Call::Done(()),
        other => other.and_then(|_| Call::Done(())),
    }
}

/// The Page's reply under the answered comment whose text is `answer`'s, if Meta shows one
/// (an `unknown` answer read back): `GET /{comment-id}/comments` on Facebook (the Page's
/// own, by `from.id`), `GET /{ig-comment-id}/replies` on Instagram (whose replies name no
/// Page: the text alone tells, and an answer's full text from someone else under the same
/// comment within the minute is not a case worth guarding).
pub async fn find(deps: &Deps, source: &Source, answer: &Answer) -> Call<Option<Published>> {
    let page = match Page::of(source) {
        Ok(page) => page,
        Err(why) => return Call::refused(why),
    };
    let comment = answer.target.external_id.as_str();
    let network = meta_network(comment);
    let (edge, text_field) = match network {
        MetaNetwork::Facebook => ("comments", "message"),
        MetaNetwork::Instagram => ("replies", "text"),
    };
    let url = format!("{}/{comment}/{edge}", deps.apis.graph);
    let request = deps.http.get(url).query(&[
        ("fields", format!("id,{text_field},from")),
        ("limit", "100".into()),
    ]);
    let now = deps.clock.now();
    graph(&page, request).await.and_then(|listed| {
        let ours = |reply: &&Value| {
            let text = reply.get(text_field).and_then(Value::as_str);
            let from = reply.pointer("/from/id").and_then(Value::as_str);
            text == Some(answer.text.as_str())
                && (network == MetaNetwork::Instagram || from == Some(page.id))
        };
        let found = listed
            .get("data")
            .and_then(Value::as_array)
            .and_then(|replies| replies.iter().find(ours))
            .and_then(|reply| reply.get("id").and_then(Value::as_str));
        Call::Done(
            found.map(|id| Published {
                platform_id: id.to_string(),
                permalink: (network == MetaNetwork::Facebook)
                    .then(|| format!("https://www.facebook.com/{id}")),
                at: now,
            }),
        )
    })
}

/// `POST {graph}/{path}` with `body`, as the Page; Meta's error codes read.
async fn graph_post(deps: &Deps, page: &Page<'_>, path: &str, body: &Value) -> Call<Value> {
    let request = deps
        .http
        .post(format!("{}/{path}", deps.apis.graph))
        .json(body);
    graph(page, request).await
}

/// `request` to the Graph API, as the Page; Meta's error codes read.
async fn graph(page: &Page<'_>, request: reqwest::RequestBuilder) -> Call<Value> {
    let request = request.bearer_auth(page.token);
    let response = match request.send().await {
        Ok(response) => response,
        Err(e) => return call::from_transport(e.is_connect(), e.without_url().to_string()),
    };
    let status = response.status().as_u16();
    let regain = response
        .headers()
        .get("x-business-use-case-usage")
        .and_then(|v| v.to_str().ok())
        .and_then(regain_minutes);
    let body = match response.bytes().await {
        Ok(body) => body,
        Err(e) if status < 300 => {
            return Call::Unknown {
                reason: format!("{status}, then the answer was lost: {}", e.without_url()),
            }
        }
        Err(e) => return call::from_transport(false, e.without_url().to_string()),
    };
    if (200..300).contains(&status) {
        return match serde_json::from_slice(&body) {
            Ok(value) => Call::Done(value),
            Err(_) => Call::Unknown {
                reason: format!("{status} with an answer that is not JSON"),
            },
        };
    }
    let error: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    from_graph_error(status, &error, regain)
}

/// What a Graph API error means, from its `code` and `error_subcode`.
pub fn from_graph_error(status: u16, body: &Value, regain_minutes: Option<u64>) -> Call<Value> {
    let code = body.pointer("/error/code").and_then(Value::as_u64);
    let subcode = body.pointer("/error/error_subcode").and_then(Value::as_u64);
    let message = call::platform_message(body.to_string().as_bytes());
    let reason = format!("{status}: {message}");
    match (code, subcode) {
        // Outside the Private Reply window: what was asked, not the login.
        (Some(10), Some(2018278)) | (Some(10900), _) => Call::Refused {
            reason,
            credentials: false,
        },
        (Some(190 | 102 | 10 | 200..=299), _) => Call::Refused {
            reason,
            credentials: true,
        },
        (Some(4 | 17 | 32 | 613 | 80001..=80014), _) => Call::Retry {
            after: regain_minutes.map(|m| std::time::Duration::from_secs(m.max(1) * 60)),
            reason,
        },
        (Some(_), _) if status < 500 => Call::Refused {
            reason,
            credentials: false,
        },
        _ => call::from_status(status, None, message),
    }
}

/// The longest `estimated_time_to_regain_access` (minutes) in `X-Business-Use-Case-Usage`:
/// `{"{business-id}":[{"type":"pages","call_count":100,...,"estimated_time_to_regain_access":12}]}`.
fn regain_minutes(header: &str) -> Option<u64> {
    let usage: Value = serde_json::from_str(header).ok()?;
    usage
        .as_object()?
        .values()
        .filter_map(Value::as_array)
        .flatten()
        .filter_map(|u| u.get("estimated_time_to_regain_access")?.as_u64())
        .max()
        .filter(|m| *m > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(code: u32, subcode: Option<u32>, message: &str) -> Value {
        let mut error = json!({"message": message, "type": "OAuthException", "code": code});
        if let Some(s) = subcode {
            error["error_subcode"] = json!(s);
        }
        json!({ "error": error })
    }

    #[test]
    fn meta_error_codes_should_say_what_failed() {
        let expired = from_graph_error(400, &graph(190, Some(463), "Session has expired"), None);
        assert!(matches!(
            expired,
            Call::Refused {
                credentials: true,
                ..
            }
        ));
        let window = from_graph_error(
            400,
            &graph(
                10,
                Some(2018278),
                "(#10) This message is sent outside of allowed window.",
            ),
            None,
        );
        assert_eq!(
            window,
            Call::Refused {
                reason: "400: (#10) This message is sent outside of allowed window.".into(),
                credentials: false
            }
        );
        let twice = from_graph_error(
            400,
            &graph(10900, None, "(#10900) Activity already replied to"),
            None,
        );
        assert!(matches!(
            twice,
            Call::Refused {
                credentials: false,
                ..
            }
        ));
        let limited = from_graph_error(400, &graph(80001, None, "too many calls"), Some(12));
        assert!(matches!(
            limited,
            Call::Retry { after: Some(d), .. } if d.as_secs() == 720
        ));
        assert!(matches!(
            from_graph_error(500, &graph(2, None, "temporary"), None),
            Call::Unknown { .. }
        ));
    }

    #[test]
    fn the_wait_meta_estimates_should_be_read_from_its_usage_header() {
        let header = r#"{"1234":[{"type":"pages","call_count":100,"total_cputime":10,"total_time":10,"estimated_time_to_regain_access":7},{"type":"messenger","estimated_time_to_regain_access":3}]}"#;
        assert_eq!(regain_minutes(header), Some(7));
        assert_eq!(
            regain_minutes(r#"{"1234":[{"estimated_time_to_regain_access":0}]}"#),
            None
        );
        assert_eq!(regain_minutes("not json"), None);
    }

    #[test]
    fn a_private_reply_should_be_read_by_its_message_id_and_a_reply_by_its_id() {
        let at = chrono::Utc::now();
        let Call::Done(p) = published(
            &json!({"recipient_id": "psid", "message_id": "m_1"}),
            Channel::PrivateMessage,
            MetaNetwork::Facebook,
            at,
        ) else {
            panic!("not done")
        };
        assert_eq!((p.platform_id.as_str(), p.permalink), ("m_1", None));
        let Call::Done(p) = published(
            &json!({"id": "111_222"}),
            Channel::PublicReply,
            MetaNetwork::Facebook,
            at,
        ) else {
            panic!("not done")
        };
        assert_eq!(
            p.permalink.as_deref(),
            Some("https://www.facebook.com/111_222")
        );
        assert!(matches!(
            published(&json!({}), Channel::PublicReply, MetaNetwork::Instagram, at),
            Call::Unknown { .. }
        ));
    }
}
