//! X (Twitter) Account Activity API.
//!
//! Handshake: the CRC check, `GET ?crc_token=..`, answered within 3 s with
//! `{"response_token": "sha256=<base64 HMAC-SHA256(consumer secret, crc_token)>"}`; X repeats
//! it periodically. Signature: `x-twitter-webhooks-signature: sha256=<base64
//! HMAC-SHA256(consumer secret, body)>`. `for_user_id` is the subscribed account: its own
//! tweets and the messages it sends are ignored; mentions, replies and the messages it
//! receives are kept. Ids are `id_str` strings (they exceed 2^53).

use std::collections::HashMap;

use base64::Engine;
use serde::Deserialize;
use serde_json::json;
use shared::contracts::events::{
    bio, Audience, Author, Contribution, ContributionAction, ContributionKind, Event,
    ModerationState,
};
use shared::contracts::sources::Source;
use shared::kit::http::{self, Response};
use shared::kit::json::from_slice;
use shared::Error;

use super::Connector;
use crate::fields::{self, non_empty};
use crate::request::{HookRequest, Parsed};
use crate::signature::{hmac_sha256, Algorithm, BodyHmac, Encoding};

pub struct X;

const SIGNATURE: BodyHmac = BodyHmac {
    header: "x-twitter-webhooks-signature",
    prefix: "sha256=",
    encoding: Encoding::Base64,
    algorithm: Algorithm::Sha256,
};

const MAX_CRC_TOKEN: usize = 256;

impl Connector for X {
    fn handshake(&self, req: &HookRequest<'_>, source: &Source) -> Option<Result<Response, Error>> {
        if req.method != "GET" {
            return None;
        }
        let token = req.query("crc_token")?;
        if !is_crc_token(token) {
            return Some(Err(Error::validation(
                "crc_token",
                format!("must be 1 to {MAX_CRC_TOKEN} characters of base64 or base64url"),
            )));
        }
        // The newest secret: X checks the answer against the consumer secret it holds now.
        let Some(secret) = source.active_secrets(req.now).next() else {
            return Some(Err(Error::Forbidden(
                "this source has no valid consumer secret".into(),
            )));
        };
        Some(Ok(http::json(
            200,
            &json!({ "response_token": crc_response(secret, token) }),
        )))
    }

    fn verify(&self, req: &HookRequest<'_>, source: &Source) -> Result<(), Error> {
        SIGNATURE.verify(req, source)
    }

    fn parse(&self, req: &HookRequest<'_>, _source: &Source) -> Result<Parsed, Error> {
        let body: Body = from_slice(req.body, "")?;
        let mut parsed = Parsed::default();
        for tweet in body.tweet_create_events {
            match tweet_contribution(tweet, &body.for_user_id) {
                Ok((key, c)) => parsed.push(key, Event::Contribution(c)),
                Err((reason, detail)) => parsed.ignore(reason, detail),
            }
        }
        for dm in body.direct_message_events {
            match message_contribution(dm, &body.for_user_id, &body.users) {
                Ok((key, c)) => parsed.push(key, Event::Contribution(c)),
                Err((reason, detail)) => parsed.ignore(reason, detail),
            }
        }
        for other in body.other.keys().filter(|k| k.ends_with("_events")) {
            parsed.ignore("unsupported_event", other.clone());
        }
        Ok(parsed)
    }
}

/// X's challenges are random tokens in the base64 (or base64url) alphabet. Anything else is
/// not X asking: answering it would make this endpoint an oracle that signs any string with
/// the consumer secret.
fn is_crc_token(token: &str) -> bool {
    (1..=MAX_CRC_TOKEN).contains(&token.len())
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'+' | b'/' | b'='))
}

/// `sha256=<base64 HMAC-SHA256(consumer secret, crc_token)>`.
pub fn crc_response(consumer_secret: &str, crc_token: &str) -> String {
    let mac = hmac_sha256(consumer_secret.as_bytes(), &[crc_token.as_bytes()]);
    format!(
        "sha256={}",
        base64::engine::general_purpose::STANDARD.encode(mac)
    )
}

#[derive(Deserialize)]
struct Body {
    #[serde(deserialize_with = "fields::id")]
    for_user_id: String,
    #[serde(default)]
    tweet_create_events: Vec<Tweet>,
    #[serde(default)]
    direct_message_events: Vec<DirectMessage>,
    /// Profiles of the accounts in `direct_message_events`, keyed by id.
    #[serde(default)]
    users: HashMap<String, Profile>,
    /// The other event arrays (favorites, follows...), only to say they were ignored.
    #[serde(flatten)]
    other: HashMap<String, serde::de::IgnoredAny>,
}

#[derive(Deserialize)]
struct Tweet {
    id_str: String,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    full_text: Option<String>,
    #[serde(default)]
    extended_tweet: Option<Extended>,
    created_at: String,
    #[serde(default)]
    in_reply_to_status_id_str: Option<String>,
    #[serde(default)]
    retweeted_status: Option<serde::de::IgnoredAny>,
    #[serde(default)]
    lang: Option<String>,
    user: User,
}

#[derive(Deserialize)]
struct Extended {
    full_text: String,
}

#[derive(Deserialize)]
struct User {
    id_str: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    screen_name: Option<String>,
    #[serde(default)]
    followers_count: Option<u64>,
    /// The profile's bio (v1.1 user object; `null` when empty).
    #[serde(default)]
    description: Option<String>,
}

#[derive(Deserialize)]
struct Profile {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    screen_name: Option<String>,
    #[serde(default)]
    followers_count: Option<u64>,
    /// The profile's bio (v1.1 user object; `null` when empty).
    #[serde(default)]
    description: Option<String>,
}

fn author(
    id: String,
    name: Option<String>,
    screen_name: Option<String>,
    followers: Option<u64>,
    description: Option<String>,
) -> Author {
    Author {
        url: screen_name.as_ref().map(|s| format!("https://x.com/{s}")),
        name: non_empty(name),
        handle: non_empty(screen_name),
        platform_user_id: Some(id),
        audience: Audience {
            followers,
            ..Audience::default()
        },
        email: None,
        bio: bio(description),
        // X authenticated the account.
        verified: true,
    }
}

type Mapped = Result<(String, Contribution), (&'static str, String)>;

fn tweet_contribution(tweet: Tweet, account: &str) -> Mapped {
    if tweet.user.id_str == account {
        return Err(("own_post", "the account's own tweet".into()));
    }
    if tweet.retweeted_status.is_some() {
        return Err(("retweet", tweet.id_str));
    }
    let created_at = fields::twitter_date(&tweet.created_at)
        .ok_or_else(|| ("unparseable", format!("created_at: {:?}", tweet.created_at)))?;
    let text = tweet
        .extended_tweet
        .map(|e| e.full_text)
        .or(tweet.full_text)
        .or(tweet.text)
        .unwrap_or_default();
    let permalink = tweet
        .user
        .screen_name
        .as_ref()
        .map(|s| format!("https://x.com/{s}/status/{}", tweet.id_str));
    let key = format!("tweet:{}", tweet.id_str);
    Ok((
        key,
        Contribution {
            action: ContributionAction::Created,
            kind: if tweet.in_reply_to_status_id_str.is_some() {
                ContributionKind::Reply
            } else {
                ContributionKind::Mention
            },
            external_id: tweet.id_str,
            thread_id: tweet.in_reply_to_status_id_str.clone(),
            thread_title: None,
            parent_id: tweet.in_reply_to_status_id_str,
            permalink,
            author: author(
                tweet.user.id_str,
                tweet.user.name,
                tweet.user.screen_name,
                tweet.user.followers_count,
                tweet.user.description,
            ),
            text,
            language: tweet.lang.filter(|l| l != "und"),
            created_at,
            updated_at: None,
            moderation: ModerationState::Published,
            rating: None,
        },
    ))
}

#[derive(Deserialize)]
struct DirectMessage {
    #[serde(rename = "type")]
    kind: String,
    id: String,
    created_timestamp: String,
    #[serde(default)]
    message_create: Option<MessageCreate>,
}

#[derive(Deserialize)]
struct MessageCreate {
    sender_id: String,
    #[serde(default)]
    message_data: MessageData,
}

#[derive(Deserialize, Default)]
struct MessageData {
    #[serde(default)]
    text: String,
}

fn message_contribution(
    dm: DirectMessage,
    account: &str,
    users: &HashMap<String, Profile>,
) -> Mapped {
    let create = match (dm.kind.as_str(), dm.message_create) {
        ("message_create", Some(create)) => create,
        (kind, _) => return Err(("unsupported_event", kind.to_string())),
    };
    if create.sender_id == account {
        return Err(("own_post", "a message the account sent".into()));
    }
    let created_at = dm
        .created_timestamp
        .parse::<i64>()
        .ok()
        .and_then(fields::unix_millis)
        .ok_or_else(|| {
            (
                "unparseable",
                format!("created_timestamp: {:?}", dm.created_timestamp),
            )
        })?;
    let profile = users.get(&create.sender_id);
    let author = author(
        create.sender_id.clone(),
        profile.and_then(|p| p.name.clone()),
        profile.and_then(|p| p.screen_name.clone()),
        profile.and_then(|p| p.followers_count),
        profile.and_then(|p| p.description.clone()),
    );
    Ok((
        format!("dm:{}", dm.id),
        Contribution {
            action: ContributionAction::Created,
            kind: ContributionKind::DirectMessage,
            external_id: dm.id,
            // A conversation is the pair of accounts: the sender identifies it for us.
            thread_id: Some(format!("dm:{}", create.sender_id)),
            thread_title: None,
            parent_id: None,
            permalink: None,
            author,
            text: create.message_data.text,
            language: None,
            created_at,
            updated_at: None,
            moderation: ModerationState::Published,
            rating: None,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connectors::testing::*;
    use shared::contracts::sources::Platform;

    const SECRET: &str = "x-consumer-secret-Zx81";

    fn delivery(fixture_path: &str) -> Req {
        let body = fixture(fixture_path);
        let sig = format!("sha256={}", b64(&hmac256(SECRET, &body)));
        Req::new("POST", body).header("x-twitter-webhooks-signature", &sig)
    }

    #[test]
    fn the_crc_answer_should_be_the_base64_hmac_of_the_token() {
        let req = Req::new("GET", vec![]).query(&[("crc_token", "challenge-xyz")]);
        let answer = X
            .handshake(&req.hook(), &source(Platform::X, SECRET))
            .unwrap()
            .unwrap();
        assert_eq!(answer.status_code, 200);
        let expected = format!("sha256={}", b64(&hmac256(SECRET, b"challenge-xyz")));
        let aws_lambda_events::encodings::Body::Text(text) = answer.body.unwrap() else {
            panic!()
        };
        let body: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(body["response_token"], expected.as_str());
    }

    #[test]
    fn a_crc_token_outside_xs_alphabet_should_be_refused_unsigned() {
        for token in [
            "{\"a\":1}",
            "a b",
            "",
            "x.y",
            &"a".repeat(MAX_CRC_TOKEN + 1),
        ] {
            let req = Req::new("GET", vec![]).query(&[("crc_token", token)]);
            let answer = X.handshake(&req.hook(), &source(Platform::X, SECRET));
            assert!(
                matches!(answer, Some(Err(Error::Validation { .. }))),
                "{token}"
            );
        }
        let req = Req::new("GET", vec![]).query(&[("crc_token", "qWR-b_3+/Zz9=")]);
        assert!(matches!(
            X.handshake(&req.hook(), &source(Platform::X, SECRET)),
            Some(Ok(_))
        ));
    }

    #[test]
    fn mentions_and_replies_should_be_kept_and_own_tweets_ignored() {
        let parsed = delivery("x/tweet-create-events.json")
            .run(&source(Platform::X, SECRET))
            .unwrap();
        let found = contributions(&parsed);
        assert_eq!(found.len(), 2, "{parsed:?}");
        assert_eq!(found[0].kind, ContributionKind::Mention);
        assert_eq!(found[0].external_id, "1860012345678901249");
        assert!(found[0].author.audience.followers.is_some());
        assert_eq!(
            found[0].author.bio.as_deref(),
            Some("Archi d'intérieur. Café, lumière, bois.")
        );
        assert_eq!(found[1].kind, ContributionKind::Reply);
        assert!(
            found[1].text.chars().count() > 140,
            "the full text: {}",
            found[1].text
        );
        assert!(parsed.ignored.iter().any(|i| i.reason == "own_post"));
    }

    #[test]
    fn only_messages_received_should_be_kept() {
        let parsed = delivery("x/direct-message-events.json")
            .run(&source(Platform::X, SECRET))
            .unwrap();
        let found = contributions(&parsed);
        assert_eq!(found.len(), 1, "{parsed:?}");
        assert_eq!(found[0].kind, ContributionKind::DirectMessage);
        assert!(found[0].author.handle.is_some());
        // The sender's bio, from the delivery's `users`.
        assert_eq!(
            found[0].author.bio.as_deref(),
            Some("Archi d'intérieur. Café, lumière, bois.")
        );
        assert!(parsed.ignored.iter().any(|i| i.reason == "own_post"));
    }

    #[test]
    fn a_wrong_signature_should_be_refused() {
        let req = delivery("x/tweet-create-events.json");
        assert_eq!(
            req.run(&source(Platform::X, "not-it"))
                .unwrap_err()
                .status(),
            401
        );
    }
}
