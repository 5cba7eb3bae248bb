//! YouTube comments through the Data API v3: `commentThreads.list` with
//! `allThreadsRelatedToChannelId`, newest first (`order=time`), until a thread older than
//! the cursor; `comments.list?parentId=` when a thread has more replies than it carries.
//! Each call costs 1 quota unit (10,000 a day per Google Cloud project by default).
//!
//! Limits: a reply posted today under a thread older than the cursor is not found (the
//! API orders threads, not replies). When a limit (pages, quota, the deadline) stops a run
//! before the cursor is reached, the cursor does not move, and the run leaves a catch-up
//! (`state::CatchUp`): the next page's token and the newest time seen. The next run goes on
//! from that page until it meets the cursor, which then jumps to that newest time; what was
//! posted meanwhile is above it, for the run after. A token the API no longer accepts (400)
//! drops the catch-up: that run starts from the newest again.
//!
//! The authors' audience: once a run has its comments, `channels.list?part=statistics,snippet`
//! with up to 50 of their channel ids a call (1 unit each, within the same budget) gives each
//! channel's subscribers (none when the channel hides them) and its description, the
//! author's bio (read for their type by `identify::types`). A refusal (the quota spent,
//! 403; a bad request, 400; a 5xx) or a spent budget only leaves the authors' reach unknown:
//! the comments go on as they are.

use crate::request::Normalised;
use crate::text::html_to_text;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use shared::contracts::events::{
    bio, Author, Contribution, ContributionAction, ContributionKind, Event, ModerationState,
};

use super::fetch::{FetchError, Fetcher};
use super::state::CatchUp;
use super::wp_rest::Window;
use super::{Batch, Failure};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ThreadList {
    #[serde(default)]
    next_page_token: Option<String>,
    #[serde(default)]
    items: Vec<Thread>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Thread {
    snippet: ThreadSnippet,
    #[serde(default)]
    replies: Option<Replies>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ThreadSnippet {
    video_id: Option<String>,
    top_level_comment: Comment,
    #[serde(default)]
    total_reply_count: u32,
}

#[derive(Deserialize)]
struct Replies {
    #[serde(default)]
    comments: Vec<Comment>,
}

#[derive(Deserialize)]
struct CommentList {
    #[serde(default)]
    items: Vec<Comment>,
}

#[derive(Deserialize)]
struct Comment {
    id: String,
    snippet: CommentSnippet,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CommentSnippet {
    #[serde(default)]
    video_id: Option<String>,
    #[serde(default)]
    parent_id: Option<String>,
    #[serde(default)]
    text_original: Option<String>,
    #[serde(default)]
    text_display: Option<String>,
    #[serde(default)]
    author_display_name: Option<String>,
    #[serde(default)]
    author_channel_url: Option<String>,
    #[serde(default)]
    author_channel_id: Option<ChannelId>,
    #[serde(default)]
    moderation_status: Option<String>,
    published_at: DateTime<Utc>,
    #[serde(default)]
    updated_at: Option<DateTime<Utc>>,
}

#[derive(Deserialize)]
struct ChannelId {
    value: String,
}

pub struct Params<'a> {
    pub api_base: &'a str,
    pub api_key: &'a str,
    pub channel_id: &'a str,
    pub window: Window,
    /// Where an unfinished catch-up stopped, if one did.
    pub resume: Option<&'a CatchUp>,
}

pub async fn poll(fetcher: &Fetcher, p: &Params<'_>) -> Result<Batch, Failure> {
    let mut batch = Batch::default();
    let mut newest = p
        .resume
        .map_or(p.window.cursor, |c| c.newest.max(p.window.cursor));
    let mut page_token: Option<String> = p.resume.map(|c| c.page_token.clone());
    let mut reached_cursor = false;
    let fail = |error: FetchError, units: u32| Failure { error, units };
    for page in 1.. {
        if !p.window.may_fetch(batch.units, page) {
            break;
        }
        let mut request = fetcher
            .get(&format!("{}/commentThreads", p.api_base))
            .query(&[
                ("part", "snippet,replies"),
                ("allThreadsRelatedToChannelId", p.channel_id),
                ("order", "time"),
                ("maxResults", "100"),
                ("textFormat", "plainText"),
                ("key", p.api_key),
            ]);
        if let Some(token) = &page_token {
            request = request.query(&[("pageToken", token)]);
        }
        batch.units += 1;
        let page: ThreadList = fetcher
            .json(request)
            .await
            .map_err(|e| fail(e, batch.units))?
            .body;
        for thread in page.items {
            let top = thread.snippet.top_level_comment;
            if top.snippet.published_at <= p.window.cursor {
                reached_cursor = true;
                break;
            }
            let video = thread.snippet.video_id.clone();
            let mut replies = thread.replies.map(|r| r.comments).unwrap_or_default();
            if (replies.len() as u32) < thread.snippet.total_reply_count
                && batch.units < p.window.units_left
            {
                let request = fetcher.get(&format!("{}/comments", p.api_base)).query(&[
                    ("part", "snippet"),
                    ("parentId", top.id.as_str()),
                    ("maxResults", "100"),
                    ("textFormat", "plainText"),
                    ("key", p.api_key),
                ]);
                batch.units += 1;
                replies = fetcher
                    .json::<CommentList>(request)
                    .await
                    .map_err(|e| fail(e, batch.units))?
                    .body
                    .items;
            }
            let thread_id = top.id.clone();
            for comment in std::iter::once(top).chain(replies) {
                newest = newest.max(comment.snippet.published_at);
                let author = comment.snippet.author_channel_id.as_ref();
                if author.is_some_and(|a| a.value == p.channel_id) {
                    // The channel answering its own audience is not a contribution.
                    batch.skipped.push(format!("own_post: {}", comment.id));
                    continue;
                }
                batch
                    .events
                    .push(normalise(comment, video.clone(), &thread_id));
            }
        }
        page_token = page.next_page_token;
        if reached_cursor || page_token.is_none() {
            reached_cursor = true;
            break;
        }
    }
    batch.new_cursor = reached_cursor.then_some(newest);
    batch.catch_up = match page_token {
        Some(page_token) if !reached_cursor => Some(CatchUp { page_token, newest }),
        _ => None,
    };
    measure_audiences(fetcher, p, &mut batch).await;
    Ok(batch)
}

/// Channel ids `channels.list` takes in one call.
pub const CHANNELS_PER_CALL: usize = 50;

#[derive(Deserialize)]
struct ChannelList {
    #[serde(default)]
    items: Vec<Channel>,
}

#[derive(Deserialize)]
struct Channel {
    id: String,
    #[serde(default)]
    statistics: Option<Statistics>,
    #[serde(default)]
    snippet: Option<ChannelSnippet>,
}

/// What the channel says of itself: its description is the author's bio.
#[derive(Deserialize)]
struct ChannelSnippet {
    #[serde(default)]
    description: Option<String>,
}

/// What `channels.list` tells of an author's channel.
#[derive(Default)]
struct Measured {
    subscribers: Option<u64>,
    bio: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Statistics {
    #[serde(default)]
    subscriber_count: Option<Count>,
    #[serde(default)]
    hidden_subscriber_count: bool,
}

/// An unsigned long, which the API writes as a string (a number is read too).
#[derive(Deserialize)]
#[serde(untagged)]
enum Count {
    Number(u64),
    Text(String),
}

impl Statistics {
    fn subscribers(&self) -> Option<u64> {
        if self.hidden_subscriber_count {
            return None;
        }
        match self.subscriber_count.as_ref()? {
            Count::Number(n) => Some(*n),
            Count::Text(text) => text.trim().parse().ok(),
        }
    }
}

/// The subscribers of the channels behind the batch's comments, on each comment's author.
async fn measure_audiences(fetcher: &Fetcher, p: &Params<'_>, batch: &mut Batch) {
    let mut channels: Vec<String> = Vec::new();
    for author in authors(batch) {
        if let Some(id) = &author.platform_user_id {
            if !channels.contains(id) {
                channels.push(id.clone());
            }
        }
    }
    let mut measured: std::collections::HashMap<String, Measured> = Default::default();
    for ids in channels.chunks(CHANNELS_PER_CALL) {
        if batch.units >= p.window.units_left || std::time::Instant::now() >= p.window.deadline {
            tracing::info!(
                channels = channels.len(),
                "budget spent; audiences left unmeasured"
            );
            break;
        }
        let joined = ids.join(",");
        let request = fetcher.get(&format!("{}/channels", p.api_base)).query(&[
            // Both parts cost the call's one unit.
            ("part", "statistics,snippet"),
            ("id", joined.as_str()),
            ("maxResults", "50"),
            ("key", p.api_key),
        ]);
        batch.units += 1;
        match fetcher.json::<ChannelList>(request).await {
            Ok(page) => measured.extend(page.body.items.into_iter().map(|c| {
                let found = Measured {
                    subscribers: c.statistics.as_ref().and_then(Statistics::subscribers),
                    bio: bio(c.snippet.and_then(|s| s.description)),
                };
                (c.id, found)
            })),
            Err(error) => {
                // The comments matter more than their authors' audience: keep them as they
                // are, and ask nothing more of a quota that may be spent.
                tracing::warn!(error = %error, "channels.list failed; audiences left unmeasured");
                break;
            }
        }
    }
    for author in authors(batch) {
        let Some(found) = author
            .platform_user_id
            .as_ref()
            .and_then(|id| measured.get(id))
        else {
            continue;
        };
        if found.subscribers.is_some() {
            author.audience.subscribers = found.subscribers;
        }
        if found.bio.is_some() {
            author.bio = found.bio.clone();
        }
    }
}

/// The authors of the batch's contributions.
fn authors(batch: &mut Batch) -> impl Iterator<Item = &mut Author> {
    batch.events.iter_mut().filter_map(|n| match &mut n.event {
        Event::Contribution(c) => Some(&mut c.author),
        _ => None,
    })
}

fn normalise(comment: Comment, video_id: Option<String>, thread_id: &str) -> Normalised {
    let s = comment.snippet;
    let updated = s.updated_at.unwrap_or(s.published_at);
    let is_reply = s.parent_id.is_some();
    let video = s.video_id.or(video_id);
    let text = match s.text_original {
        Some(text) => text,
        None => html_to_text(s.text_display.as_deref().unwrap_or_default()),
    };
    let moderation = match s.moderation_status.as_deref() {
        Some("heldForReview") => ModerationState::Pending,
        Some("likelySpam") | Some("rejected") => ModerationState::Spam,
        _ => ModerationState::Published,
    };
    let contribution = Contribution {
        action: if s.updated_at.is_some_and(|u| u > s.published_at) {
            ContributionAction::Updated
        } else {
            ContributionAction::Created
        },
        kind: if is_reply {
            ContributionKind::Reply
        } else {
            ContributionKind::Comment
        },
        permalink: video
            .as_ref()
            .map(|v| format!("https://www.youtube.com/watch?v={v}&lc={}", comment.id)),
        thread_id: video,
        thread_title: None,
        parent_id: if is_reply {
            Some(thread_id.to_string())
        } else {
            None
        },
        external_id: comment.id.clone(),
        author: Author {
            name: s.author_display_name,
            url: s.author_channel_url,
            platform_user_id: s.author_channel_id.map(|c| c.value),
            // A signed-in Google account wrote it.
            verified: true,
            ..Author::default()
        },
        text,
        language: None,
        created_at: s.published_at,
        updated_at: s.updated_at.filter(|u| *u > s.published_at),
        moderation,
        rating: None,
    };
    Normalised {
        dedupe_key: format!("comment:{}:{}", comment.id, updated.timestamp()),
        event: Event::Contribution(contribution),
    }
}

/// Subscribes (or renews) the channel's WebSub feed: the hub then verifies with a GET to
/// our webhook URL, which `ingest` answers.
pub async fn subscribe(
    fetcher: &Fetcher,
    hub: &str,
    callback: &str,
    channel_id: &str,
    secret: &str,
    lease_seconds: i64,
) -> Result<(), FetchError> {
    let topic = crate::connectors::youtube::channel_topic(channel_id);
    let lease = lease_seconds.to_string();
    let request = fetcher.post(hub).form(&[
        ("hub.callback", callback),
        ("hub.topic", topic.as_str()),
        ("hub.mode", "subscribe"),
        ("hub.verify", "async"),
        ("hub.secret", secret),
        ("hub.lease_seconds", lease.as_str()),
    ]);
    fetcher.send(request).await.map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;
    use liaison_stack::doubles::youtube::{self, ChannelStats, Thread, API_KEY, CHANNEL};
    use liaison_stack::doubles::Fault;

    fn window() -> Window {
        Window {
            cursor: Utc::now() - Duration::days(1),
            units_left: 100,
            max_pages: 10,
            deadline: std::time::Instant::now() + std::time::Duration::from_secs(30),
        }
    }

    /// A comment by channel `author` on the brand's video, `minutes` ago.
    fn thread(double: &youtube::YouTube, n: usize, author: &str, minutes: i64) {
        double.state.add_thread(Thread {
            id: format!("Ugz{n}comment"),
            video_id: "q3VdTk8xP2A".into(),
            author_channel_id: author.into(),
            author_name: format!("@viewer{n}"),
            text: "My lamp flickers since Monday".into(),
            published_at: Utc::now() - Duration::minutes(minutes),
        });
    }

    fn subscribers(batch: &Batch) -> Vec<(String, Option<u64>)> {
        batch
            .events
            .iter()
            .filter_map(|n| match &n.event {
                Event::Contribution(c) => Some((
                    c.author.platform_user_id.clone().unwrap_or_default(),
                    c.author.audience.subscribers,
                )),
                _ => None,
            })
            .collect()
    }

    async fn run(double: &youtube::YouTube) -> Batch {
        let fetcher = Fetcher::new(std::time::Duration::from_secs(5), true).unwrap();
        let api = double.api();
        let params = Params {
            api_base: &api,
            api_key: API_KEY,
            channel_id: CHANNEL,
            window: window(),
            resume: None,
        };
        match poll(&fetcher, &params).await {
            Ok(batch) => batch,
            Err(failure) => panic!("{}", failure.error),
        }
    }

    #[tokio::test]
    async fn authors_should_bring_their_channels_subscribers_unless_hidden_and_their_bio() {
        let double = youtube::start("client", "secret").await.unwrap();
        double.state.channel(
            "UCwide",
            ChannelStats {
                subscribers: 120_000,
                hidden: false,
                description: "  Blogueuse déco : une vidéo chaque mardi.  ",
            },
        );
        double.state.channel(
            "UChidden",
            ChannelStats {
                subscribers: 5_000,
                hidden: true,
                ..ChannelStats::default()
            },
        );
        thread(&double, 1, "UCwide", 3);
        thread(&double, 2, "UChidden", 2);
        thread(&double, 3, "UCunknown", 1);
        let batch = run(&double).await;
        let mut found = subscribers(&batch);
        found.sort();
        assert_eq!(
            found,
            [
                ("UChidden".to_string(), None),
                ("UCunknown".to_string(), None),
                ("UCwide".to_string(), Some(120_000)),
            ]
        );
        // One page of threads, one channels.list for the three authors: two units.
        assert_eq!(batch.units, 2);
        let asked = double
            .recorder
            .requests_to(reqwest::Method::GET, "/youtube/v3/channels");
        let query = asked[0].query_pairs();
        assert!(
            query.contains(&("part".into(), "statistics,snippet".into())),
            "{query:?}"
        );
        assert!(query.contains(&("key".into(), API_KEY.into())));
        // The channel's description is its author's bio, trimmed; none where none is said.
        let bios: Vec<(String, Option<String>)> = batch
            .events
            .iter()
            .filter_map(|n| match &n.event {
                Event::Contribution(c) => Some((
                    c.author.platform_user_id.clone().unwrap_or_default(),
                    c.author.bio.clone(),
                )),
                _ => None,
            })
            .filter(|(_, bio)| bio.is_some())
            .collect();
        assert_eq!(
            bios,
            [(
                "UCwide".to_string(),
                Some("Blogueuse déco : une vidéo chaque mardi.".to_string())
            )]
        );
    }

    #[tokio::test]
    async fn many_authors_should_be_asked_fifty_channels_a_call() {
        let double = youtube::start("client", "secret").await.unwrap();
        for n in 0..(CHANNELS_PER_CALL + 3) {
            let id = format!("UCauthor{n}");
            double.state.channel(
                &id,
                ChannelStats {
                    subscribers: n as u64,
                    hidden: false,
                    ..ChannelStats::default()
                },
            );
            thread(&double, n, &id, n as i64 + 1);
        }
        let batch = run(&double).await;
        let calls = double
            .recorder
            .requests_to(reqwest::Method::GET, "/youtube/v3/channels");
        assert_eq!(calls.len(), 2);
        assert!(subscribers(&batch).iter().all(|(_, s)| s.is_some()));
    }

    #[tokio::test]
    async fn a_refused_channels_list_should_keep_every_comment_without_its_reach() {
        for (status, reason) in [
            (403, "quotaExceeded"),
            (400, "keyInvalid"),
            (503, "backendError"),
        ] {
            let double = youtube::start("client", "secret").await.unwrap();
            double.state.channel(
                "UCwide",
                ChannelStats {
                    subscribers: 120_000,
                    hidden: false,
                    ..ChannelStats::default()
                },
            );
            thread(&double, 1, "UCwide", 3);
            thread(&double, 2, "UCother", 2);
            let body = serde_json::json!({"error": {"code": status, "message": reason,
                "errors": [{"message": reason, "domain": "youtube.quota", "reason": reason}]}});
            double.recorder.fail_next_to(
                reqwest::Method::GET,
                "/youtube/v3/channels",
                Fault::Status {
                    status,
                    body,
                    retry_after: None,
                },
            );
            let batch = run(&double).await;
            let found = subscribers(&batch);
            assert_eq!(found.len(), 2, "{status}: the comments are all there");
            assert!(found.iter().all(|(_, s)| s.is_none()), "{status}");
            assert!(batch.new_cursor.is_some(), "{status}: the cursor moves on");
        }
    }

    #[tokio::test]
    async fn a_spent_budget_should_leave_the_audience_unmeasured() {
        let double = youtube::start("client", "secret").await.unwrap();
        double.state.channel(
            "UCwide",
            ChannelStats {
                subscribers: 120_000,
                hidden: false,
                ..ChannelStats::default()
            },
        );
        thread(&double, 1, "UCwide", 3);
        let fetcher = Fetcher::new(std::time::Duration::from_secs(5), true).unwrap();
        let api = double.api();
        let params = Params {
            api_base: &api,
            api_key: API_KEY,
            channel_id: CHANNEL,
            window: Window {
                units_left: 1,
                ..window()
            },
            resume: None,
        };
        let Ok(batch) = poll(&fetcher, &params).await else {
            panic!("the threads page fits the budget")
        };
        assert_eq!(subscribers(&batch), [("UCwide".to_string(), None)]);
        assert_eq!(batch.units, 1);
        assert!(double
            .recorder
            .requests_to(reqwest::Method::GET, "/youtube/v3/channels")
            .is_empty());
    }
}
