//! Discourse webhooks: `post_created`, `post_edited`, and the `ping` sent from the admin
//! page.
//!
//! Signature: `X-Discourse-Event-Signature: sha256=<hex HMAC-SHA256(secret, body)>`. The
//! `X-Discourse-Event-Id` header changes on every retry, so the dedupe key is the event,
//! the post id and its `updated_at`. Discourse gives no email: authors are forum users
//! (handle, id, trust level). Text is `raw` (what the author typed, Markdown), not the
//! rendered `cooked` HTML. Private messages are not public conversation: they are ignored.
//!
//! The author's trust level (0 to 4) is their audience as the webhook tells it: a reach at
//! once, with no call made here. Likes received and post count need Discourse's user API:
//! the poller reads them ([`crate::poll::discourse`]), so a delivery is never slowed or lost
//! by a forum that answers slowly.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use shared::contracts::events::{
    Audience, Author, Contribution, ContributionAction, ContributionKind, Event, ModerationState,
};
use shared::contracts::sources::Source;
use shared::kit::json::from_slice;
use shared::Error;

use super::Connector;
use crate::fields::{self, non_empty};
use crate::request::{HookRequest, Parsed};
use crate::signature::{Algorithm, BodyHmac, Encoding};
use crate::text::html_to_text;

pub struct Discourse;

const SIGNATURE: BodyHmac = BodyHmac {
    header: "x-discourse-event-signature",
    prefix: "sha256=",
    encoding: Encoding::Hex,
    algorithm: Algorithm::Sha256,
};

#[derive(Deserialize)]
struct Body {
    post: Post,
}

#[derive(Deserialize)]
struct Post {
    #[serde(deserialize_with = "fields::id")]
    id: String,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    raw: Option<String>,
    #[serde(default)]
    cooked: Option<String>,
    #[serde(deserialize_with = "fields::id")]
    topic_id: String,
    #[serde(default)]
    topic_title: Option<String>,
    #[serde(default)]
    post_number: u64,
    #[serde(default)]
    reply_to_post_number: Option<u64>,
    #[serde(default)]
    post_url: Option<String>,
    created_at: DateTime<Utc>,
    #[serde(default)]
    updated_at: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "fields::opt_id")]
    user_id: Option<String>,
    #[serde(default)]
    topic_archetype: Option<String>,
    #[serde(default)]
    hidden: bool,
    /// Kept wide: a level Discourse never gives (above 255) is dropped, not the post.
    #[serde(default)]
    trust_level: Option<u64>,
}

impl Connector for Discourse {
    fn event_name<'a>(&self, req: &'a HookRequest<'_>) -> Option<&'a str> {
        req.header("x-discourse-event")
    }

    fn verify(&self, req: &HookRequest<'_>, source: &Source) -> Result<(), Error> {
        SIGNATURE.verify(req, source)
    }

    fn parse(&self, req: &HookRequest<'_>, source: &Source) -> Result<Parsed, Error> {
        let event = req.header("x-discourse-event").unwrap_or_default();
        let action = match event {
            "ping" => return Ok(Parsed::ping()),
            "post_created" => ContributionAction::Created,
            "post_edited" => ContributionAction::Updated,
            other => return Ok(Parsed::ignored("unsupported_event", other)),
        };
        let Body { post } = from_slice(req.body, "")?;
        if post.topic_archetype.as_deref() == Some("private_message") {
            return Ok(Parsed::ignored(crate::request::PRIVATE_MESSAGE, event));
        }
        // The instance URL the owner registered wins over the header.
        let instance = source
            .setting("instance_url")
            .or_else(|| req.header("x-discourse-instance"))
            .unwrap_or_default()
            .trim_end_matches('/');
        let permalink = post
            .post_url
            .as_deref()
            .filter(|url| url.starts_with('/') && !instance.is_empty())
            .map(|url| format!("{instance}{url}"));
        let updated = post.updated_at.unwrap_or(post.created_at);
        let key = format!("{event}:{}:{}", post.id, updated.timestamp_millis());
        let kind = match (post.post_number, post.reply_to_post_number) {
            (1, _) => ContributionKind::Post,
            (_, Some(_)) => ContributionKind::Reply,
            _ => ContributionKind::Comment,
        };
        let text = match non_empty(post.raw) {
            Some(raw) => raw,
            None => html_to_text(post.cooked.as_deref().unwrap_or_default()),
        };
        let contribution = Contribution {
            action,
            kind,
            parent_id: post
                .reply_to_post_number
                .map(|n| format!("{}/{n}", post.topic_id)),
            external_id: post.id,
            thread_id: Some(post.topic_id),
            thread_title: non_empty(post.topic_title),
            permalink,
            author: Author {
                name: non_empty(post.name),
                handle: non_empty(post.username),
                platform_user_id: post.user_id,
                url: None,
                // The post carries no bio (`/u/{username}.json` has it: not fetched).
                bio: None,
                email: None,
                audience: Audience {
                    trust_level: post.trust_level.and_then(|l| u8::try_from(l).ok()),
                    ..Audience::default()
                },
                // A logged-in forum account.
                verified: true,
            },
            text,
            language: None,
            created_at: post.created_at,
            updated_at: post.updated_at,
            moderation: if post.hidden {
                ModerationState::Pending
            } else {
                ModerationState::Published
            },
            rating: None,
        };
        Ok(Parsed::one(key, Event::Contribution(contribution)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connectors::testing::*;
    use shared::contracts::sources::Platform;

    const SECRET: &str = "discourse-secret-0a9b8c";

    fn delivery(event: &str, fixture_path: &str) -> Req {
        let body = fixture(fixture_path);
        let sig = format!("sha256={}", hex::encode(hmac256(SECRET, &body)));
        Req::new("POST", body)
            .header("x-discourse-event", event)
            .header("x-discourse-event-type", "post")
            .header("x-discourse-event-id", "77")
            .header(
                "x-discourse-instance",
                "https://communaute.maison-lumiere.fr",
            )
            .header("x-discourse-event-signature", &sig)
    }

    #[test]
    fn a_reply_should_carry_its_topic_parent_and_permalink() {
        let parsed = delivery("post_created", "discourse/post-created.json")
            .run(&source(Platform::Discourse, SECRET))
            .unwrap();
        let [c] = contributions(&parsed)[..] else {
            panic!("{parsed:?}")
        };
        assert_eq!(c.kind, ContributionKind::Reply);
        assert_eq!(c.external_id, "18342");
        assert_eq!(c.thread_id.as_deref(), Some("1204"));
        assert_eq!(c.parent_id.as_deref(), Some("1204/2"));
        assert_eq!(c.author.handle.as_deref(), Some("jdupont"));
        assert!(c.author.email.is_none());
        // The trust level is the author's audience as the webhook tells it.
        assert_eq!(c.author.audience.trust_level, Some(1));
        assert!(c
            .permalink
            .as_deref()
            .unwrap()
            .starts_with("https://communaute.maison-lumiere.fr/t/"));
        assert!(keys(&parsed)[0].starts_with("post_created:18342:"));
    }

    #[test]
    fn an_edit_should_be_an_update_with_its_own_key() {
        let src = source(Platform::Discourse, SECRET);
        let created = delivery("post_created", "discourse/post-created.json")
            .run(&src)
            .unwrap();
        let edited = delivery("post_edited", "discourse/post-edited.json")
            .run(&src)
            .unwrap();
        assert_eq!(
            contributions(&edited)[0].action,
            ContributionAction::Updated
        );
        assert_ne!(keys(&created), keys(&edited));
    }

    #[test]
    fn a_ping_should_be_accepted_with_nothing_queued() {
        let parsed = delivery("ping", "discourse/ping.json")
            .run(&source(Platform::Discourse, SECRET))
            .unwrap();
        assert_eq!(parsed, Parsed::ping());
    }

    #[test]
    fn a_wrong_or_hex_less_signature_should_be_refused() {
        let req = delivery("post_created", "discourse/post-created.json");
        assert_eq!(
            req.run(&source(Platform::Discourse, "nope-nope"))
                .unwrap_err()
                .status(),
            401
        );
        let body = fixture("discourse/post-created.json");
        let base64_instead = format!("sha256={}", b64(&hmac256(SECRET, &body)));
        let req = delivery("post_created", "discourse/post-created.json")
            .header("x-discourse-event-signature", &base64_instead);
        assert_eq!(
            req.run(&source(Platform::Discourse, SECRET))
                .unwrap_err()
                .status(),
            401
        );
    }
}
