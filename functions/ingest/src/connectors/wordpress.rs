//! WordPress comments, pushed by the WP Webhooks plugin (`create_comment`,
//! `update_comment`) and reconciled by `poll` through the REST API.
//!
//! Signature: `X-WP-Webhook-Signature` = base64 HMAC-SHA256(secret, body). The plugin signs
//! only when a secret is set, so Liaison always requires one. (WP Webhooks *Pro* signs a
//! fixed JSON of the webhook's name and date instead of the body: that authenticates
//! nothing and fails here, by design; docs/connectors.md says so.) The trigger is named in
//! `X-WP-Webhook-Name`. The dedupe key is the
//! comment's state (`comment:{id}:{status}:{digest of the content}`), not the delivery:
//! the plugin does not retry, the poller finds the same comments, and a comment approved or
//! edited later is a new state, hence a new event, while the same state seen twice (pushed
//! and polled) is queued once.
//!
//! A comment's email is what the commenter typed: the author is not verified. The website
//! they typed, when it is a blog ([`super::blog`]), is their audience. Held comments
//! (`comment_approved` "0") carry `moderation: pending`; spam carries `spam`; trashed
//! comments are deletions.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use sha2::{Digest, Sha256};
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

pub struct WordPress;

const SIGNATURE: BodyHmac = BodyHmac {
    header: "x-wp-webhook-signature",
    prefix: "",
    encoding: Encoding::Base64,
    algorithm: Algorithm::Sha256,
};

impl Connector for WordPress {
    /// The plugin names its trigger in `X-WP-Webhook-Name` (`create_comment`, ...).
    fn event_name<'a>(&self, req: &'a HookRequest<'_>) -> Option<&'a str> {
        req.header("x-wp-webhook-name")
    }

    fn verify(&self, req: &HookRequest<'_>, source: &Source) -> Result<(), Error> {
        SIGNATURE.verify(req, source)
    }

    fn parse(&self, req: &HookRequest<'_>, source: &Source) -> Result<Parsed, Error> {
        let body: Body = from_slice(req.body, "")?;
        let Some(comment) = body.comment_data else {
            return Ok(Parsed::ignored("unsupported_event", "no comment_data"));
        };
        let action = match req.header("x-wp-webhook-name") {
            Some("update_comment") => ContributionAction::Updated,
            _ => ContributionAction::Created,
        };
        Ok(
            match normalise(comment, action, source.setting("site_url")) {
                Ok((key, contribution)) => Parsed::one(key, Event::Contribution(contribution)),
                Err((reason, detail)) => Parsed::ignored(reason, detail),
            },
        )
    }
}

#[derive(Deserialize)]
struct Body {
    #[serde(default)]
    comment_data: Option<WpComment>,
}

/// A comment as `WP_Comment` fields (the plugin's `comment_data`).
#[derive(Debug, Deserialize)]
pub struct WpComment {
    #[serde(rename = "comment_ID", deserialize_with = "fields::id")]
    pub id: String,
    #[serde(
        rename = "comment_post_ID",
        default,
        deserialize_with = "fields::opt_id"
    )]
    pub post_id: Option<String>,
    #[serde(default)]
    pub comment_author: Option<String>,
    #[serde(default)]
    pub comment_author_email: Option<String>,
    #[serde(default)]
    pub comment_author_url: Option<String>,
    #[serde(default)]
    pub comment_content: String,
    #[serde(default)]
    pub comment_date_gmt: Option<String>,
    /// "1" approved, "0" held, "spam", "trash".
    #[serde(default, deserialize_with = "approved")]
    pub comment_approved: String,
    #[serde(default, deserialize_with = "fields::opt_id")]
    pub comment_parent: Option<String>,
    #[serde(default, deserialize_with = "fields::opt_id")]
    pub user_id: Option<String>,
    #[serde(default)]
    pub comment_type: Option<String>,
}

/// `comment_approved` is a string in `WP_Comment`, a number in some serialisations.
fn approved<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    fields::id(d)
}

/// The comment's state in a form both the webhook and the REST poller produce.
pub struct CommentState<'a> {
    pub id: &'a str,
    pub status: ModerationOrTrash,
    pub content: &'a str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModerationOrTrash {
    Moderation(ModerationState),
    Trash,
}

impl ModerationOrTrash {
    /// From `comment_approved` ("1", "0", "spam", "trash") or the REST `status`
    /// ("approved", "hold", "spam", "trash").
    pub fn parse(status: &str) -> Option<Self> {
        Some(match status {
            "1" | "approved" => ModerationOrTrash::Moderation(ModerationState::Published),
            "0" | "hold" | "unapproved" => ModerationOrTrash::Moderation(ModerationState::Pending),
            "spam" => ModerationOrTrash::Moderation(ModerationState::Spam),
            "trash" | "post-trashed" => ModerationOrTrash::Trash,
            _ => return None,
        })
    }

    fn code(self) -> &'static str {
        match self {
            ModerationOrTrash::Moderation(ModerationState::Published) => "approved",
            ModerationOrTrash::Moderation(ModerationState::Pending) => "hold",
            ModerationOrTrash::Moderation(ModerationState::Spam) => "spam",
            ModerationOrTrash::Trash => "trash",
        }
    }
}

/// `comment:{id}:{status}:{first 8 bytes of SHA-256(content), hex}`.
pub fn dedupe_key(state: &CommentState<'_>) -> String {
    let digest = Sha256::digest(state.content.as_bytes());
    format!(
        "comment:{}:{}:{}",
        state.id,
        state.status.code(),
        hex::encode(&digest[..8])
    )
}

/// The permalink WordPress itself redirects to, when the site's URL is known.
pub fn permalink(
    site_url: Option<&str>,
    post_id: Option<&str>,
    comment_id: &str,
) -> Option<String> {
    let site = site_url?.trim_end_matches('/');
    let post = post_id?;
    Some(format!("{site}/?p={post}#comment-{comment_id}"))
}

type Mapped = Result<(String, Contribution), (&'static str, String)>;

pub fn normalise(c: WpComment, action: ContributionAction, site_url: Option<&str>) -> Mapped {
    if c.comment_type
        .as_deref()
        .is_some_and(|t| matches!(t, "pingback" | "trackback"))
    {
        return Err(("unsupported_item", c.comment_type.unwrap_or_default()));
    }
    let status = ModerationOrTrash::parse(&c.comment_approved).ok_or_else(|| {
        (
            "unparseable",
            format!("comment_approved: {:?}", c.comment_approved),
        )
    })?;
    let created_at: DateTime<Utc> = c
        .comment_date_gmt
        .as_deref()
        .and_then(fields::gmt)
        .ok_or_else(|| {
            (
                "unparseable",
                format!("comment_date_gmt: {:?}", c.comment_date_gmt),
            )
        })?;
    let key = dedupe_key(&CommentState {
        id: &c.id,
        status,
        content: &c.comment_content,
    });
    let (action, moderation) = match status {
        ModerationOrTrash::Trash => (ContributionAction::Deleted, ModerationState::Pending),
        ModerationOrTrash::Moderation(m) => (action, m),
    };
    Ok((
        key,
        Contribution {
            action,
            kind: if c.comment_parent.is_some() {
                ContributionKind::Reply
            } else {
                ContributionKind::Comment
            },
            permalink: permalink(site_url, c.post_id.as_deref(), &c.id),
            external_id: c.id,
            thread_id: c.post_id,
            thread_title: None,
            parent_id: c.comment_parent,
            author: Author {
                name: non_empty(c.comment_author),
                email: non_empty(c.comment_author_email),
                audience: Audience {
                    blog_url: c
                        .comment_author_url
                        .as_deref()
                        .and_then(|typed| super::blog::blog_url(typed, site_url)),
                    ..Audience::default()
                },
                url: non_empty(c.comment_author_url),
                bio: None,
                platform_user_id: c.user_id,
                handle: None,
                // Anyone can type any email under a comment.
                verified: false,
            },
            text: html_to_text(&c.comment_content),
            language: None,
            created_at,
            updated_at: None,
            moderation,
            rating: None,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connectors::testing::*;
    use shared::contracts::sources::Platform;

    const SECRET: &str = "wp-secret-8c7d6e5f4a3b";

    fn delivery(trigger: &str, fixture_path: &str) -> Req {
        let body = fixture(fixture_path);
        let sig = b64(&hmac256(SECRET, &body));
        Req::new("POST", body)
            .header("x-wp-webhook-name", trigger)
            .header("x-wp-webhook-signature", &sig)
    }

    #[test]
    fn a_new_comment_should_carry_its_unverified_email_and_plain_text() {
        let mut src = source(Platform::WordPress, SECRET);
        src.settings
            .insert("site_url".into(), "https://maison-lumiere.fr".into());
        let parsed = delivery("create_comment", "wordpress/create-comment.json")
            .run(&src)
            .unwrap();
        let [c] = contributions(&parsed)[..] else {
            panic!("{parsed:?}")
        };
        assert_eq!(c.action, ContributionAction::Created);
        assert!(c.author.email.is_some());
        assert!(!c.author.verified);
        // The website Ada typed is a blog: her audience.
        assert_eq!(
            c.author.audience.blog_url.as_deref(),
            Some("https://ada.example.com")
        );
        assert!(
            !c.text.contains('<') || !c.text.contains("href"),
            "{}",
            c.text
        );
        assert!(c
            .permalink
            .as_deref()
            .unwrap()
            .starts_with("https://maison-lumiere.fr/?p="));
        assert!(keys(&parsed)[0].starts_with(&format!("comment:{}:", c.external_id)));
    }

    #[test]
    fn a_held_comment_should_be_pending_moderation() {
        let parsed = delivery("update_comment", "wordpress/update-comment-held.json")
            .run(&source(Platform::WordPress, SECRET))
            .unwrap();
        let [c] = contributions(&parsed)[..] else {
            panic!("{parsed:?}")
        };
        assert_eq!(c.moderation, ModerationState::Pending);
        assert_eq!(c.action, ContributionAction::Updated);
        // No website typed, no blog.
        assert_eq!(c.author.audience.blog_url, None);
        assert!(keys(&parsed)[0].contains(":hold:"));
    }

    #[test]
    fn a_wrong_signature_should_be_refused() {
        let req = delivery("create_comment", "wordpress/create-comment.json");
        assert_eq!(
            req.run(&source(Platform::WordPress, "other-secret"))
                .unwrap_err()
                .status(),
            401
        );
    }

    #[test]
    fn the_same_state_should_have_the_same_key_and_a_new_state_a_new_one() {
        let state = |status, content| {
            dedupe_key(&CommentState {
                id: "7",
                status,
                content,
            })
        };
        let held = ModerationOrTrash::parse("0").unwrap();
        assert_eq!(held, ModerationOrTrash::parse("hold").unwrap());
        assert_eq!(state(held, "a"), state(held, "a"));
        assert_ne!(
            state(held, "a"),
            state(ModerationOrTrash::parse("1").unwrap(), "a")
        );
        assert_ne!(state(held, "a"), state(held, "b"));
    }
}
