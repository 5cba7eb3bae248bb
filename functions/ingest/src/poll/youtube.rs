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

use crate::request::Normalised;
use crate::text::html_to_text;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use shared::contracts::events::{
    Author, Contribution, ContributionAction, ContributionKind, Event, ModerationState,
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
    Ok(batch)
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
