//! YouTube push notifications (WebSub / PubSubHubbub) for a channel's videos.
//!
//! Handshake: the hub verifies a (un)subscription with `GET ?hub.mode&hub.topic&
//! hub.challenge&hub.lease_seconds`. Liaison echoes the challenge (200, text/plain) only
//! for a subscription to this source's channel feed that `poll` asked for in the last
//! [`WEBSUB_VERIFY_WINDOW_MINUTES`] (it marks the source before it asks), and answers 404
//! otherwise: a subscription someone else requested with our callback, and any
//! unsubscription, are not confirmed. `poll` renews the subscription before its lease ends. Signature: `X-Hub-Signature: sha1=<hex HMAC-SHA1(hub.secret, body)>`; the
//! secret is the source's, given to the hub when subscribing.
//!
//! Notifications are Atom: an `entry` for a new or updated video, an `at:deleted-entry` for
//! a deletion. The XML reader refuses any DTD (so no entity can be declared, let alone
//! fetched) and knows only the five predefined entities. Comments are not pushed: `poll`
//! reads them through the Data API.

use chrono::{DateTime, Duration, Utc};
use quick_xml::events::Event as Xml;
use quick_xml::Reader;
use shared::contracts::events::{
    Author, Contribution, ContributionAction, ContributionKind, Event, ModerationState,
};
use shared::contracts::sources::{Source, WEBSUB_VERIFY_WINDOW_MINUTES};
use shared::kit::http::{self, Response};
use shared::Error;

use super::Connector;
use crate::fields;
use crate::request::{HookRequest, Parsed};
use crate::signature::{Algorithm, BodyHmac, Encoding};

pub struct YouTube;

const SIGNATURE: BodyHmac = BodyHmac {
    header: "x-hub-signature",
    prefix: "sha1=",
    encoding: Encoding::Hex,
    algorithm: Algorithm::Sha1,
};

/// A video updated this long after its publication is an update, not a new video.
const NEW_VIDEO_WINDOW_MINUTES: i64 = 15;

/// The feed the hub publishes for a channel: the `hub.topic` Liaison subscribes to.
pub fn channel_topic(channel_id: &str) -> String {
    format!("https://www.youtube.com/xml/feeds/videos.xml?channel_id={channel_id}")
}

impl Connector for YouTube {
    fn handshake(&self, req: &HookRequest<'_>, source: &Source) -> Option<Result<Response, Error>> {
        if req.method != "GET" {
            return None;
        }
        let mode = req.query("hub.mode")?;
        let topic = req.query("hub.topic").unwrap_or_default();
        let challenge = req.query("hub.challenge").unwrap_or_default();
        let ours = source
            .setting("channel_id")
            .is_some_and(|channel| topic == channel_topic(channel));
        let asked = source.websub_requested_at.is_some_and(|at| {
            at <= req.now + Duration::minutes(1)
                && req.now - at <= Duration::minutes(WEBSUB_VERIFY_WINDOW_MINUTES)
        });
        Some(
            if mode == "subscribe" && ours && asked && !challenge.is_empty() {
                Ok(http::text(200, "text/plain", challenge))
            } else {
                Err(Error::NotFound(
                    "not a subscription this source asked for".into(),
                ))
            },
        )
    }

    fn verify(&self, req: &HookRequest<'_>, source: &Source) -> Result<(), Error> {
        SIGNATURE.verify(req, source)
    }

    fn parse(&self, req: &HookRequest<'_>, source: &Source) -> Result<Parsed, Error> {
        let feed = read_feed(req.body).map_err(|e| Error::validation("body", e.to_string()))?;
        let channel = source.setting("channel_id");
        let mut parsed = Parsed::default();
        for video in feed.videos {
            if channel.is_some_and(|c| video.channel_id.as_deref() != Some(c)) {
                parsed.ignore("other_channel", video.video_id);
                continue;
            }
            let (Some(published), Some(updated)) = (video.published, video.updated) else {
                parsed.ignore(
                    "unparseable",
                    format!("video {}: published or updated missing", video.video_id),
                );
                continue;
            };
            let action = if updated - published > Duration::minutes(NEW_VIDEO_WINDOW_MINUTES) {
                ContributionAction::Updated
            } else {
                ContributionAction::Created
            };
            parsed.push(
                format!("video:{}:{}", video.video_id, updated.timestamp()),
                Event::Contribution(Contribution {
                    action,
                    kind: ContributionKind::Post,
                    thread_id: Some(video.video_id.clone()),
                    external_id: video.video_id,
                    thread_title: None,
                    parent_id: None,
                    permalink: video.link,
                    author: Author {
                        name: video.author_name,
                        url: video.author_uri,
                        platform_user_id: video.channel_id,
                        verified: true,
                        ..Author::default()
                    },
                    text: video.title,
                    language: None,
                    created_at: published,
                    updated_at: (action == ContributionAction::Updated).then_some(updated),
                    moderation: ModerationState::Published,
                    rating: None,
                }),
            );
        }
        for deleted in feed.deleted {
            let Some(video_id) = deleted.reference.strip_prefix("yt:video:") else {
                parsed.ignore("unsupported_item", deleted.reference);
                continue;
            };
            let when = deleted.when.unwrap_or(req.now);
            parsed.push(
                format!("deleted:{video_id}:{}", when.timestamp()),
                Event::Contribution(Contribution {
                    action: ContributionAction::Deleted,
                    kind: ContributionKind::Post,
                    external_id: video_id.to_string(),
                    thread_id: Some(video_id.to_string()),
                    thread_title: None,
                    parent_id: None,
                    permalink: None,
                    author: Author {
                        name: deleted.by_name,
                        url: deleted.by_uri,
                        ..Author::default()
                    },
                    text: String::new(),
                    language: None,
                    created_at: when,
                    updated_at: Some(when),
                    moderation: ModerationState::Published,
                    rating: None,
                }),
            );
        }
        if parsed.events.is_empty() && parsed.ignored.is_empty() {
            parsed.ignore("unsupported_event", "a feed without entries");
        }
        Ok(parsed)
    }
}

#[derive(Debug, Default, PartialEq)]
pub struct Feed {
    pub videos: Vec<Video>,
    pub deleted: Vec<Deleted>,
}

#[derive(Debug, Default, PartialEq)]
pub struct Video {
    pub video_id: String,
    pub channel_id: Option<String>,
    pub title: String,
    pub link: Option<String>,
    pub author_name: Option<String>,
    pub author_uri: Option<String>,
    pub published: Option<DateTime<Utc>>,
    pub updated: Option<DateTime<Utc>>,
}

#[derive(Debug, Default, PartialEq)]
pub struct Deleted {
    pub reference: String,
    pub when: Option<DateTime<Utc>>,
    pub by_name: Option<String>,
    pub by_uri: Option<String>,
}

const MAX_DEPTH: usize = 16;

/// Why an Atom notification was refused (the "ignored" record says it).
#[derive(Debug, thiserror::Error)]
pub enum FeedError {
    #[error("a DTD is not allowed")]
    Dtd,
    #[error("elements nest too deep")]
    TooDeep,
    #[error("unknown entity &{0};")]
    UnknownEntity(String),
    /// The XML itself: malformed, or a bad attribute, text, reference or entity name.
    #[error("{what}: {source}")]
    Xml {
        what: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

/// `what` went wrong in the XML, because of `source`.
fn bad<E: std::error::Error + Send + Sync + 'static>(
    what: impl Into<String>,
) -> impl FnOnce(E) -> FeedError {
    let what = what.into();
    move |source| FeedError::Xml {
        what,
        source: Box::new(source),
    }
}

/// Reads an Atom notification. Errors (for the "ignored" record) on a DTD, an unknown
/// entity, malformed XML or nesting deeper than a feed has.
pub fn read_feed(xml: &[u8]) -> Result<Feed, FeedError> {
    // Text is trimmed per element at its end, not per chunk: entities split the chunks.
    let mut reader = Reader::from_reader(xml);
    let mut feed = Feed::default();
    // Local names of the open elements, outermost first.
    let mut path: Vec<String> = Vec::new();
    let mut text = String::new();
    let mut video: Option<Video> = None;
    let mut deleted: Option<Deleted> = None;
    loop {
        let event = reader.read_event().map_err(bad(format!(
            "XML error at byte {}",
            reader.buffer_position()
        )))?;
        match event {
            Xml::DocType(_) => return Err(FeedError::Dtd),
            Xml::Eof => break,
            Xml::Start(e) | Xml::Empty(e) if path.len() >= MAX_DEPTH => {
                let _ = e;
                return Err(FeedError::TooDeep);
            }
            Xml::Start(ref e) | Xml::Empty(ref e) => {
                text.clear();
                let empty = matches!(event, Xml::Empty(_));
                let name = local(e.name().as_ref());
                let attr = |wanted: &str| -> Result<Option<String>, FeedError> {
                    for a in e.attributes() {
                        let a = a.map_err(bad("bad attribute"))?;
                        if local(a.key.as_ref()) == wanted {
                            let v = a.unescape_value().map_err(bad("bad attribute value"))?;
                            return Ok(Some(v.into_owned()));
                        }
                    }
                    Ok(None)
                };
                match (path.last().map(String::as_str), name.as_str()) {
                    (Some("feed"), "entry") => video = Some(Video::default()),
                    (Some("feed"), "deleted-entry") => {
                        deleted = Some(Deleted {
                            reference: attr("ref")?.unwrap_or_default(),
                            when: attr("when")?.as_deref().and_then(fields::rfc3339),
                            ..Deleted::default()
                        })
                    }
                    (Some("entry"), "link") => {
                        if let Some(v) = video.as_mut() {
                            if attr("rel")?.as_deref().is_none_or(|r| r == "alternate") {
                                v.link = attr("href")?;
                            }
                        }
                    }
                    _ => {}
                }
                if empty {
                    if name == "deleted-entry" {
                        feed.deleted.extend(deleted.take());
                    }
                } else {
                    path.push(name);
                    text.clear();
                }
            }
            Xml::Text(t) => text.push_str(&t.xml10_content().map_err(bad("bad text"))?),
            Xml::CData(t) => text.push_str(&t.xml10_content().map_err(bad("bad text"))?),
            Xml::GeneralRef(r) => {
                if r.is_char_ref() {
                    let c = r
                        .resolve_char_ref()
                        .map_err(bad("bad character reference"))?;
                    text.extend(c);
                } else {
                    let name = r.decode().map_err(bad("bad entity"))?;
                    let value = quick_xml::escape::resolve_predefined_entity(&name)
                        .ok_or_else(|| FeedError::UnknownEntity(name.to_string()))?;
                    text.push_str(value);
                }
            }
            Xml::End(_) => {
                let name = path.pop().unwrap_or_default();
                let parent = path.last().map(String::as_str);
                let value = std::mem::take(&mut text).trim().to_string();
                match (parent, name.as_str()) {
                    (Some("feed"), "entry") => {
                        if let Some(v) = video.take().filter(|v| !v.video_id.is_empty()) {
                            feed.videos.push(v);
                        }
                    }
                    (Some("feed"), "deleted-entry") => feed.deleted.extend(deleted.take()),
                    (Some("entry"), field) => {
                        if let Some(v) = video.as_mut() {
                            match field {
                                "videoId" => v.video_id = value,
                                "channelId" => v.channel_id = Some(value),
                                "title" => v.title = value,
                                "published" => v.published = fields::rfc3339(&value),
                                "updated" => v.updated = fields::rfc3339(&value),
                                _ => {}
                            }
                        }
                    }
                    (Some("author"), field) => {
                        if let Some(v) = video.as_mut() {
                            match field {
                                "name" => v.author_name = Some(value),
                                "uri" => v.author_uri = Some(value),
                                _ => {}
                            }
                        }
                    }
                    (Some("by"), field) => {
                        if let Some(d) = deleted.as_mut() {
                            match field {
                                "name" => d.by_name = Some(value),
                                "uri" => d.by_uri = Some(value),
                                _ => {}
                            }
                        }
                    }
                    _ => {}
                }
            }
            Xml::Decl(_) | Xml::PI(_) | Xml::Comment(_) => {}
        }
    }
    Ok(feed)
}

/// The local part of a qualified name (`yt:videoId` → `videoId`).
fn local(name: &[u8]) -> String {
    let name = String::from_utf8_lossy(name);
    name.rsplit(':').next().unwrap_or_default().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dtd_should_be_refused_before_any_entity_is_seen() {
        let xxe = br#"<?xml version="1.0"?><!DOCTYPE feed [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><feed><entry><title>&xxe;</title></entry></feed>"#;
        assert_eq!(
            read_feed(xxe).unwrap_err().to_string(),
            "a DTD is not allowed"
        );
    }

    #[test]
    fn an_undeclared_entity_should_be_refused() {
        let err = read_feed(b"<feed><entry><title>&lol;</title></entry></feed>").unwrap_err();
        assert!(err.to_string().contains("unknown entity"), "{err}");
    }

    #[test]
    fn predefined_and_numeric_entities_should_decode() {
        let xml = b"<feed xmlns:yt='http://www.youtube.com/xml/schemas/2015'><entry><yt:videoId>v1</yt:videoId><title>Caf&#233; &amp; lampes</title></entry></feed>";
        let feed = read_feed(xml).unwrap();
        assert_eq!(feed.videos[0].title, "Café & lampes");
    }

    #[test]
    fn deep_nesting_should_be_refused() {
        let xml = "<a>".repeat(100);
        assert!(read_feed(xml.as_bytes()).is_err());
    }
}

#[cfg(test)]
mod tests_connector {
    use super::*;
    use crate::connectors::testing::*;
    use shared::contracts::sources::Platform;

    const SECRET: &str = "yt-hub-secret-5d4c3b2a";

    fn yt_source(xml: &[u8]) -> Source {
        let feed = read_feed(xml).unwrap();
        let channel = feed
            .videos
            .first()
            .and_then(|v| v.channel_id.clone())
            .unwrap_or_else(|| "UCm4a1s0nLum13r3Lamp3s00".into());
        let mut src = source(Platform::YouTube, SECRET);
        src.settings.insert("channel_id".into(), channel.into());
        // The poller has just asked the hub.
        src.websub_requested_at = Some(Utc::now() - Duration::minutes(1));
        src
    }

    fn delivery(fixture_path: &str) -> Req {
        let body = fixture(fixture_path);
        let mut mac =
            <hmac::Hmac<sha1::Sha1> as hmac::Mac>::new_from_slice(SECRET.as_bytes()).unwrap();
        hmac::Mac::update(&mut mac, &body);
        let sig = format!(
            "sha1={}",
            hex::encode(hmac::Mac::finalize(mac).into_bytes())
        );
        Req::new("POST", body)
            .header("x-hub-signature", &sig)
            .header("content-type", "application/atom+xml")
    }

    #[test]
    fn the_hub_verification_should_echo_only_our_channel_topic() {
        let src = yt_source(&fixture("youtube/video-published.xml"));
        let topic = channel_topic(src.setting("channel_id").unwrap());
        let ok = Req::new("GET", vec![]).query(&[
            ("hub.mode", "subscribe"),
            ("hub.topic", &topic),
            ("hub.challenge", "4242"),
            ("hub.lease_seconds", "432000"),
        ]);
        assert_eq!(
            YouTube
                .handshake(&ok.hook(), &src)
                .unwrap()
                .unwrap()
                .status_code,
            200
        );
        let other = Req::new("GET", vec![]).query(&[
            ("hub.mode", "subscribe"),
            ("hub.topic", &channel_topic("UCsomeoneelse0000000000a")),
            ("hub.challenge", "4242"),
        ]);
        assert_eq!(
            YouTube
                .handshake(&other.hook(), &src)
                .unwrap()
                .unwrap_err()
                .status(),
            404
        );
        // The same verification long after Liaison asked, or when it never asked: not ours.
        for asked in [Some(Utc::now() - Duration::hours(2)), None] {
            let mut stale = src.clone();
            stale.websub_requested_at = asked;
            assert_eq!(
                YouTube
                    .handshake(&ok.hook(), &stale)
                    .unwrap()
                    .unwrap_err()
                    .status(),
                404
            );
        }
        let unsubscribe = Req::new("GET", vec![]).query(&[
            ("hub.mode", "unsubscribe"),
            ("hub.topic", &topic),
            ("hub.challenge", "4242"),
        ]);
        assert_eq!(
            YouTube
                .handshake(&unsubscribe.hook(), &src)
                .unwrap()
                .unwrap_err()
                .status(),
            404
        );
    }

    #[test]
    fn a_new_video_and_a_deletion_should_map() {
        let req = delivery("youtube/video-published.xml");
        let src = yt_source(&req.body);
        let parsed = req.run(&src).unwrap();
        let [video] = contributions(&parsed)[..] else {
            panic!("{parsed:?}")
        };
        assert_eq!(video.kind, ContributionKind::Post);
        assert!(!video.text.is_empty());
        assert!(video.permalink.as_deref().unwrap().contains("watch?v="));
        let gone = delivery("youtube/video-deleted.xml").run(&src).unwrap();
        let [deleted] = contributions(&gone)[..] else {
            panic!("{gone:?}")
        };
        assert_eq!(deleted.action, ContributionAction::Deleted);
        assert_eq!(deleted.external_id, video.external_id);
    }

    #[test]
    fn a_wrong_signature_should_be_refused() {
        let req = delivery("youtube/video-published.xml");
        let mut src = yt_source(&req.body);
        src.secrets[0].value = "another".into();
        assert_eq!(req.run(&src).unwrap_err().status(), 401);
    }
}
