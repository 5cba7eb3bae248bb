//! Meta webhooks: Facebook Page `feed` and Instagram `comments` and `mentions`, through one
//! Meta app.
//!
//! Handshake: `GET ?hub.mode=subscribe&hub.verify_token=..&hub.challenge=..`, answered 200
//! with the challenge as text/plain when the token is the source's `verify_token`, else 403.
//! Signature: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret, body)>`, on the
//! bytes as sent (Meta escapes non-ASCII as `\uXXXX`: never re-serialise). One POST batches
//! many `entry[].changes[]`: each becomes its own event with its own dedupe key. The page's
//! or account's own activity (`from.id` = the entry's id) is ignored.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::value::RawValue;
use shared::contracts::events::{
    Audience, Author, Contribution, ContributionAction, ContributionKind, Event, ModerationState,
};
use shared::contracts::sources::Source;
use shared::kit::http::{self, Response};
use shared::kit::json::from_slice;
use shared::Error;

use super::Connector;
use crate::fields::{self, non_empty};
use crate::request::{HookRequest, Parsed};
use crate::signature::{token_matches, Algorithm, BodyHmac, Encoding};

pub struct Meta;

const SIGNATURE: BodyHmac = BodyHmac {
    header: "x-hub-signature-256",
    prefix: "sha256=",
    encoding: Encoding::Hex,
    algorithm: Algorithm::Sha256,
};

impl Connector for Meta {
    fn handshake(&self, req: &HookRequest<'_>, source: &Source) -> Option<Result<Response, Error>> {
        if req.method != "GET" {
            return None;
        }
        let mode = req.query("hub.mode")?;
        let token = req.query("hub.verify_token").unwrap_or_default();
        let challenge = req.query("hub.challenge").unwrap_or_default();
        let expected = source.credentials.get("verify_token");
        let ok = mode == "subscribe"
            && !challenge.is_empty()
            && expected.is_some_and(|t| token_matches(token, [t]));
        Some(if ok {
            Ok(http::text(200, "text/plain", challenge))
        } else {
            Err(Error::Forbidden(
                "hub.verify_token does not match this source's verify token".into(),
            ))
        })
    }

    fn verify(&self, req: &HookRequest<'_>, source: &Source) -> Result<(), Error> {
        SIGNATURE.verify(req, source)
    }

    fn parse(&self, req: &HookRequest<'_>, _source: &Source) -> Result<Parsed, Error> {
        let body: Body = from_slice(req.body, "")?;
        let mut parsed = Parsed::default();
        for (e, entry) in body.entry.iter().enumerate() {
            if entry.changes.is_empty() {
                parsed.ignore(
                    "unsupported_event",
                    format!("{}: entry without changes", body.object),
                );
            }
            for (c, change) in entry.changes.iter().enumerate() {
                let path = format!("entry[{e}].changes[{c}].value");
                let outcome = match (body.object.as_str(), change.field.as_str()) {
                    ("page", "feed") => page_feed(entry, &change.value, &path),
                    ("instagram", "comments") => instagram_comment(entry, &change.value, &path),
                    ("instagram", "mentions") => instagram_mention(entry, &change.value, &path),
                    (object, field) => {
                        Err(Skip::new("unsupported_event", format!("{object}.{field}")))
                    }
                };
                match outcome {
                    Ok((key, contribution)) => parsed.push(key, Event::Contribution(contribution)),
                    Err(skip) => parsed.ignore(skip.reason, skip.detail),
                }
            }
        }
        Ok(parsed)
    }
}

#[derive(Deserialize)]
struct Body {
    object: String,
    #[serde(default)]
    entry: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    #[serde(deserialize_with = "fields::id")]
    id: String,
    /// Unix seconds of the change.
    #[serde(default)]
    time: i64,
    #[serde(default)]
    changes: Vec<Change>,
}

#[derive(Deserialize)]
struct Change {
    field: String,
    value: Box<RawValue>,
}

struct Skip {
    reason: &'static str,
    detail: String,
}

impl Skip {
    fn new(reason: &'static str, detail: impl Into<String>) -> Self {
        Skip {
            reason,
            detail: detail.into(),
        }
    }
}

fn value<T: serde::de::DeserializeOwned>(raw: &RawValue, path: &str) -> Result<T, Skip> {
    from_slice(raw.get().as_bytes(), path).map_err(|e| Skip::new("unparseable", e.to_string()))
}

#[derive(Deserialize)]
struct From {
    #[serde(deserialize_with = "fields::id")]
    id: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    username: Option<String>,
    /// The Graph API's IG User `followers_count`, when Meta puts it in what it sends (its
    /// webhooks give `id` and `username` only today: the poller reads it by business
    /// discovery instead, `poll::instagram`, out of the webhook's path).
    #[serde(default)]
    followers_count: Option<u64>,
}

impl From {
    fn author(self) -> Author {
        Author {
            name: non_empty(self.name),
            handle: non_empty(self.username),
            platform_user_id: Some(self.id),
            audience: Audience {
                followers: self.followers_count,
                ..Audience::default()
            },
            // The platform authenticated this account.
            verified: true,
            ..Author::default()
        }
    }
}

#[derive(Deserialize)]
struct FeedValue {
    item: String,
    verb: String,
    #[serde(default)]
    from: Option<From>,
    #[serde(default, deserialize_with = "fields::opt_id")]
    comment_id: Option<String>,
    #[serde(default, deserialize_with = "fields::opt_id")]
    post_id: Option<String>,
    #[serde(default, deserialize_with = "fields::opt_id")]
    parent_id: Option<String>,
    #[serde(default, deserialize_with = "fields::opt_id")]
    created_time: Option<String>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    post: Option<PostRef>,
}

#[derive(Deserialize)]
struct PostRef {
    #[serde(default)]
    permalink_url: Option<String>,
}

fn action(verb: &str) -> Result<ContributionAction, Skip> {
    match verb {
        "add" => Ok(ContributionAction::Created),
        "edited" => Ok(ContributionAction::Updated),
        "remove" => Ok(ContributionAction::Deleted),
        other => Err(Skip::new("unsupported_verb", other)),
    }
}

/// Meta sends `created_time` as Unix seconds (a number, sometimes a string) or ISO 8601.
fn created_time(raw: Option<&str>, fallback: i64) -> DateTime<Utc> {
    raw.and_then(|t| {
        t.parse::<i64>()
            .ok()
            .and_then(fields::unix_seconds)
            .or_else(|| fields::rfc3339(t))
            .or_else(|| {
                DateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S%z")
                    .ok()
                    .map(|d| d.with_timezone(&Utc))
            })
    })
    .or_else(|| fields::unix_seconds(fallback))
    .unwrap_or_default()
}

/// The dedupe key: an addition happens once per object; edits and removals once per
/// change time.
fn key(prefix: &str, id: &str, verb: &str, entry_time: i64) -> String {
    if verb == "add" {
        format!("{prefix}:{id}:add")
    } else {
        format!("{prefix}:{id}:{verb}:{entry_time}")
    }
}

fn page_feed(entry: &Entry, raw: &RawValue, path: &str) -> Result<(String, Contribution), Skip> {
    let v: FeedValue = value(raw, path)?;
    let act = action(&v.verb)?;
    let (kind, external_id) = match v.item.as_str() {
        "comment" => {
            let id = v
                .comment_id
                .clone()
                .ok_or_else(|| Skip::new("unparseable", format!("{path}.comment_id: missing")))?;
            let is_reply = v.parent_id.is_some() && v.parent_id != v.post_id;
            (
                if is_reply {
                    ContributionKind::Reply
                } else {
                    ContributionKind::Comment
                },
                id,
            )
        }
        "post" | "status" | "photo" | "video" | "share" => {
            let id = v
                .post_id
                .clone()
                .ok_or_else(|| Skip::new("unparseable", format!("{path}.post_id: missing")))?;
            (ContributionKind::Post, id)
        }
        other => return Err(Skip::new("unsupported_item", other)),
    };
    let from = v
        .from
        .ok_or_else(|| Skip::new("unparseable", format!("{path}.from: missing")))?;
    if from.id == entry.id {
        return Err(Skip::new("own_post", "the page's own activity"));
    }
    let contribution = Contribution {
        action: act,
        kind,
        permalink: v.post.and_then(|p| p.permalink_url).or_else(|| {
            v.post_id
                .as_ref()
                .map(|p| format!("https://www.facebook.com/{p}"))
        }),
        thread_id: v.post_id.clone(),
        thread_title: None,
        parent_id: if kind == ContributionKind::Post {
            None
        } else {
            v.parent_id
        },
        external_id: external_id.clone(),
        author: from.author(),
        text: v.message.unwrap_or_default(),
        language: None,
        created_at: created_time(v.created_time.as_deref(), entry.time),
        updated_at: (act != ContributionAction::Created).then(|| created_time(None, entry.time)),
        moderation: ModerationState::Published,
        rating: None,
    };
    Ok((
        key("page:feed", &external_id, &v.verb, entry.time),
        contribution,
    ))
}

#[derive(Deserialize)]
struct InstagramComment {
    #[serde(deserialize_with = "fields::id")]
    id: String,
    #[serde(default)]
    from: Option<From>,
    #[serde(default)]
    media: Option<Media>,
    #[serde(default, deserialize_with = "fields::opt_id")]
    parent_id: Option<String>,
    #[serde(default)]
    text: Option<String>,
}

#[derive(Deserialize)]
struct Media {
    #[serde(deserialize_with = "fields::id")]
    id: String,
}

fn instagram_comment(
    entry: &Entry,
    raw: &RawValue,
    path: &str,
) -> Result<(String, Contribution), Skip> {
    let v: InstagramComment = value(raw, path)?;
    let author = match v.from {
        Some(from) if from.id == entry.id => {
            return Err(Skip::new("own_post", "the account's own comment"))
        }
        Some(from) => from.author(),
        None => Author::default(),
    };
    let contribution = Contribution {
        action: ContributionAction::Created,
        kind: if v.parent_id.is_some() {
            ContributionKind::Reply
        } else {
            ContributionKind::Comment
        },
        thread_id: v.media.map(|m| m.id),
        thread_title: None,
        parent_id: v.parent_id,
        permalink: None,
        external_id: v.id.clone(),
        author,
        text: v.text.unwrap_or_default(),
        language: None,
        created_at: created_time(None, entry.time),
        updated_at: None,
        moderation: ModerationState::Published,
        rating: None,
    };
    Ok((format!("instagram:comments:{}", v.id), contribution))
}

#[derive(Deserialize)]
struct InstagramMention {
    #[serde(default, deserialize_with = "fields::opt_id")]
    comment_id: Option<String>,
    #[serde(deserialize_with = "fields::id")]
    media_id: String,
}

/// Mentions carry ids only. Liaison holds no Graph API token to fetch the text: the mention
/// is queued with its ids, so staff can open it on Instagram.
fn instagram_mention(
    entry: &Entry,
    raw: &RawValue,
    path: &str,
) -> Result<(String, Contribution), Skip> {
    let v: InstagramMention = value(raw, path)?;
    let external_id = v.comment_id.unwrap_or_else(|| v.media_id.clone());
    let contribution = Contribution {
        action: ContributionAction::Created,
        kind: ContributionKind::Mention,
        external_id: external_id.clone(),
        thread_id: Some(v.media_id),
        thread_title: None,
        parent_id: None,
        permalink: None,
        author: Author::default(),
        text: String::new(),
        language: None,
        created_at: created_time(None, entry.time),
        updated_at: None,
        moderation: ModerationState::Published,
        rating: None,
    };
    Ok((format!("instagram:mentions:{external_id}"), contribution))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connectors::testing::*;
    use shared::contracts::sources::Platform;

    const SECRET: &str = "0123456789abcdef0123456789abcdef";

    fn delivery(fixture_path: &str) -> Req {
        let body = fixture(fixture_path);
        let sig = format!("sha256={}", hex::encode(hmac256(SECRET, &body)));
        Req::new("POST", body).header("x-hub-signature-256", &sig)
    }

    fn meta_source() -> Source {
        let mut src = source(Platform::Meta, SECRET);
        src.credentials
            .0
            .insert("verify_token".into(), "tok-123456".into());
        src
    }

    #[test]
    fn the_verification_get_should_echo_the_challenge_only_for_our_token() {
        let ok = Req::new("GET", vec![]).query(&[
            ("hub.mode", "subscribe"),
            ("hub.verify_token", "tok-123456"),
            ("hub.challenge", "1158201444"),
        ]);
        let answer = Meta.handshake(&ok.hook(), &meta_source()).unwrap().unwrap();
        assert_eq!(answer.status_code, 200);
        assert_eq!(
            answer.body.unwrap(),
            aws_lambda_events::encodings::Body::Text("1158201444".into())
        );
        let wrong = Req::new("GET", vec![]).query(&[
            ("hub.mode", "subscribe"),
            ("hub.verify_token", "tok-654321"),
            ("hub.challenge", "1158201444"),
        ]);
        let err = Meta
            .handshake(&wrong.hook(), &meta_source())
            .unwrap()
            .unwrap_err();
        assert_eq!(err.status(), 403);
    }

    #[test]
    fn a_batch_should_give_one_event_per_change_and_ignore_reactions() {
        let parsed = delivery("meta/page-feed-batch.json")
            .run(&meta_source())
            .unwrap();
        let found = contributions(&parsed);
        assert!(found.len() >= 5, "{parsed:?}");
        let kinds: Vec<_> = found.iter().map(|c| (c.kind, c.action)).collect();
        assert!(kinds.contains(&(ContributionKind::Comment, ContributionAction::Created)));
        assert!(kinds.contains(&(ContributionKind::Reply, ContributionAction::Created)));
        assert!(kinds.contains(&(ContributionKind::Post, ContributionAction::Created)));
        assert!(kinds.iter().any(|(_, a)| *a == ContributionAction::Updated));
        assert!(kinds.iter().any(|(_, a)| *a == ContributionAction::Deleted));
        assert!(parsed
            .ignored
            .iter()
            .any(|i| i.reason == "unsupported_item"));
        // Every change has its own key.
        let mut k = keys(&parsed);
        k.sort();
        k.dedup();
        assert_eq!(k.len(), parsed.events.len());
        // \u00e9 in the body is é in the text.
        assert!(found.iter().any(|c| c.text.contains("livrée")), "{found:?}");
    }

    #[test]
    fn instagram_comments_and_mentions_should_map() {
        let comments = delivery("meta/instagram-comments.json")
            .run(&meta_source())
            .unwrap();
        let c = contributions(&comments);
        assert!(
            !c.is_empty() && c[0].author.handle.is_some(),
            "{comments:?}"
        );
        let mentions = delivery("meta/instagram-mentions.json")
            .run(&meta_source())
            .unwrap();
        assert!(contributions(&mentions)
            .iter()
            .all(|c| c.kind == ContributionKind::Mention));
        assert!(!mentions.events.is_empty());
    }

    #[test]
    fn an_instagram_author_should_bring_followers_only_when_meta_sends_them() {
        let sent = fixture("meta/instagram-comments.json");
        let plain = contributions(
            &delivery("meta/instagram-comments.json")
                .run(&meta_source())
                .unwrap(),
        )[0]
        .author
        .clone();
        assert_eq!(plain.audience, Audience::default());
        let counted = String::from_utf8(sent).unwrap().replacen(
            r#""username":"helene.lumiere"}"#,
            r#""username":"helene.lumiere","followers_count":3200}"#,
            1,
        );
        let sig = format!(
            "sha256={}",
            hex::encode(hmac256(SECRET, counted.as_bytes()))
        );
        let parsed = Req::new("POST", counted.into_bytes())
            .header("x-hub-signature-256", &sig)
            .run(&meta_source())
            .unwrap();
        assert_eq!(
            contributions(&parsed)[0].author.audience.followers,
            Some(3200)
        );
    }

    #[test]
    fn a_wrong_signature_should_be_refused() {
        let req = delivery("meta/page-feed-batch.json");
        assert_eq!(
            req.run(&source(Platform::Meta, "fedcba9876543210"))
                .unwrap_err()
                .status(),
            401
        );
    }
}
