//! A double of the YouTube Data API v3 and Google's OAuth 2.0 token endpoint (written from
//! developers.google.com's reference), as the channel's owner:
//! - `comments.insert`: `POST /youtube/v3/comments?part=snippet` with `snippet.parentId` (a
//!   top-level comment it knows) and `snippet.textOriginal` → 200 with the comment resource;
//! - `comments.setModerationStatus`: `POST /youtube/v3/comments/setModerationStatus?id=..&
//!   moderationStatus=published|heldForReview|rejected` → 204;
//! - `comments.list`: `GET /youtube/v3/comments?part=snippet&parentId=..` (`maxResults` 1 to
//!   100, 20 by default; `pageToken`; `textFormat`) → a `youtube#commentListResponse` of the
//!   replies under that top-level comment, oldest first, with `nextPageToken` when more are
//!   left; an unknown parent is 404 `commentNotFound`;
//! - `POST /token` (`grant_type=refresh_token`, `refresh_token`, `client_id`,
//!   `client_secret`) → a new access token (Google keeps the refresh token), or
//!   `invalid_grant`.
//!
//! And as anyone reading public data with the project's API key (`key=`, [`API_KEY`]; an
//! OAuth token is taken too), what the poller reads:
//! - `commentThreads.list`: `GET /youtube/v3/commentThreads?part=snippet,replies&
//!   allThreadsRelatedToChannelId=..` (`order=time`, `maxResults` 1 to 100, 20 by default;
//!   `pageToken`; `textFormat`) → a `youtube#commentThreadListResponse` of the channel's
//!   threads ([`State::add_thread`]), newest first, each with `totalReplyCount` and its
//!   replies; `part` without `snippet` or without the filter is 400;
//! - `channels.list`: `GET /youtube/v3/channels?part=statistics,snippet&id=a,b,..` →
//!   a `youtube#channelListResponse` with each known channel's `statistics` (`subscriberCount`
//!   as a string, as the API writes an unsigned long; left out when `hiddenSubscriberCount`)
//!   and `snippet` (title, description) when those parts are asked,
//!   unknown ids left out; no filter or two is 400 `invalidCriteria`. The API takes up to 50
//!   ids (`maxResults` 0 to 50); the double refuses more, to hold Liaison's batching to it.
//!   Every call is recorded, so a test counts the calls and the units spent.
//!
//! Errors are Google's `{"error":{"code","message","errors":[{"message","domain","reason"}]}}`;
//! a wrong key is 400 `keyInvalid`, none at all 403 `forbidden`.
//! [`State::exceed_quota`] makes calls answer `quotaExceeded` until lifted, as the daily
//! quota does until midnight Pacific time.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::{Query, State as Shared};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

use super::oauth::Tokens;
use super::{error, serve, Recorder};

/// The longest comment YouTube takes.
pub const MAX_COMMENT_CHARS: usize = 10_000;
/// The channel the double's tokens act as.
pub const CHANNEL: &str = "UCbrand";
/// The Google Cloud project's API key the double takes for public reads.
pub const API_KEY: &str = "AIzaSyD-liaison-double-0123456789abc";
/// Ids `channels.list` takes in one call.
pub const MAX_CHANNEL_IDS: usize = 50;

/// A top-level comment written on one of the channel's videos, as a test seeds it.
#[derive(Debug, Clone, PartialEq)]
pub struct Thread {
    pub id: String,
    pub video_id: String,
    pub author_channel_id: String,
    pub author_name: String,
    pub text: String,
    pub published_at: chrono::DateTime<chrono::Utc>,
}

/// A channel as `channels.list` tells it: its statistics, and its snippet's description.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ChannelStats {
    pub subscribers: u64,
    /// The owner hides the count: `subscriberCount` is left out.
    pub hidden: bool,
    /// The channel's description (`snippet.description`; empty when the owner wrote none).
    pub description: &'static str,
}

/// A reply under a top-level comment: the channel's (published through the double), or
/// another's (seeded by a test).
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub id: String,
    pub parent_id: String,
    pub text: String,
    /// The channel that wrote it.
    pub author_channel_id: String,
}

pub struct State {
    pub tokens: Tokens,
    pub client_id: String,
    pub client_secret: String,
    /// The channel's top-level comments, with their video.
    comments: Mutex<BTreeMap<String, String>>,
    replies: Mutex<Vec<Reply>>,
    /// Moderation status set per comment id, in order.
    statuses: Mutex<Vec<(String, String)>>,
    quota_exceeded: AtomicBool,
    next_id: AtomicU64,
    threads: Mutex<Vec<Thread>>,
    channels: Mutex<BTreeMap<String, ChannelStats>>,
}

impl State {
    /// A top-level comment by `thread.author_channel_id` on the channel's video: listed by
    /// `commentThreads.list`, and answerable like any [`State::comment`].
    pub fn add_thread(&self, thread: Thread) {
        self.comment(&thread.id, &thread.video_id);
        self.threads.lock().expect("threads lock").push(thread);
    }

    /// What `channels.list` says of channel `id`.
    pub fn channel(&self, id: &str, stats: ChannelStats) {
        self.channels
            .lock()
            .expect("channels lock")
            .insert(id.to_string(), stats);
    }

    /// A top-level comment on `video`, to answer and moderate.
    pub fn comment(&self, id: &str, video: &str) {
        self.comments
            .lock()
            .expect("comments lock")
            .insert(id.to_string(), video.to_string());
    }

    /// A reply by `channel` under top-level comment `parent`, as if written on YouTube; its id.
    pub fn add_reply(&self, parent: &str, channel: &str, text: &str) -> String {
        let id = format!(
            "{parent}.ZZyy{}",
            self.next_id.fetch_add(1, Ordering::SeqCst)
        );
        self.replies.lock().expect("replies lock").push(Reply {
            id: id.clone(),
            parent_id: parent.to_string(),
            text: text.to_string(),
            author_channel_id: channel.to_string(),
        });
        id
    }

    pub fn replies(&self) -> Vec<Reply> {
        self.replies.lock().expect("replies lock").clone()
    }

    /// Every `(comment id, moderationStatus)` set, in order.
    pub fn statuses(&self) -> Vec<(String, String)> {
        self.statuses.lock().expect("statuses lock").clone()
    }

    /// The project's daily quota is spent (`true`) or reset (`false`).
    pub fn exceed_quota(&self, exceeded: bool) {
        self.quota_exceeded.store(exceeded, Ordering::SeqCst);
    }

    fn knows(&self, id: &str) -> bool {
        let comments = self.comments.lock().expect("comments lock");
        let replies = self.replies.lock().expect("replies lock");
        comments.contains_key(id) || replies.iter().any(|r| r.id == id)
    }
}

/// The Google double, listening.
pub struct YouTube {
    /// `GOOGLE_OAUTH_BASE`.
    pub url: String,
    pub recorder: Arc<Recorder>,
    pub state: Arc<State>,
}

impl YouTube {
    /// `YOUTUBE_API_BASE`.
    pub fn api(&self) -> String {
        format!("{}/youtube/v3", self.url)
    }
}

pub async fn start(client_id: &str, client_secret: &str) -> std::io::Result<YouTube> {
    let state = Arc::new(State {
        tokens: Tokens::new("ya29", false),
        client_id: client_id.to_string(),
        client_secret: client_secret.to_string(),
        comments: Mutex::default(),
        replies: Mutex::default(),
        statuses: Mutex::default(),
        quota_exceeded: AtomicBool::new(false),
        next_id: AtomicU64::new(1),
        threads: Mutex::default(),
        channels: Mutex::default(),
    });
    let router = Router::new()
        .route("/youtube/v3/comments", post(insert).get(list))
        .route("/youtube/v3/commentThreads", get(threads))
        .route("/youtube/v3/channels", get(channels))
        .route(
            "/youtube/v3/comments/setModerationStatus",
            post(set_moderation_status),
        )
        .route("/token", post(token))
        .with_state(state.clone());
    let served = serve(router).await?;
    Ok(YouTube {
        url: served.url,
        recorder: served.recorder,
        state,
    })
}

/// A list's page: `maxResults` (1 to 100, 20 by default) and where `pageToken` starts it,
/// or Google's 400 for either.
fn page_window(query: &BTreeMap<String, String>) -> Result<(usize, usize), Box<Response>> {
    let size = match query.get("maxResults").map(|m| m.parse::<usize>()) {
        None => 20,
        Some(Ok(size @ 1..=100)) => size,
        Some(_) => {
            return Err(Box::new(google_error(
                400,
                "invalidValue",
                "youtube.parameter",
                "Invalid value for parameter maxResults.",
            )))
        }
    };
    let from = match query.get("pageToken").map(|t| t.parse::<usize>()) {
        None => 0,
        Some(Ok(from)) => from,
        Some(Err(_)) => {
            return Err(Box::new(google_error(
                400,
                "invalidPageToken",
                "youtube.parameter",
                "The request specifies an invalid page token.",
            )))
        }
    };
    Ok((size, from))
}

/// Google's error body.
pub fn google_error(status: u16, reason: &str, domain: &str, message: &str) -> Response {
    error(
        status,
        json!({"error": {"code": status, "message": message, "errors": [{"message": message, "domain": domain, "reason": reason}]}}),
    )
}

/// What every call checks first, and its refusal if any: the token, then the quota.
fn refusal(state: &State, headers: &HeaderMap) -> Option<Response> {
    if !state.tokens.accepts(headers) {
        return Some(google_error(
            401,
            "authError",
            "global",
            "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.",
        ));
    }
    quota_refusal(state)
}

/// The quota's refusal, once the day's units are spent.
fn quota_refusal(state: &State) -> Option<Response> {
    state.quota_exceeded.load(Ordering::SeqCst).then(|| {
        google_error(
            403,
            "quotaExceeded",
            "youtube.quota",
            "The request cannot be completed because you have exceeded your quota.",
        )
    })
}

/// What a public read checks first: the API key (or a token), then the quota.
fn read_refusal(
    state: &State,
    headers: &HeaderMap,
    query: &BTreeMap<String, String>,
) -> Option<Response> {
    match query.get("key") {
        Some(key) if key == API_KEY => {}
        Some(_) => {
            return Some(google_error(
                400,
                "keyInvalid",
                "usageLimits",
                "API key not valid. Please pass a valid API key.",
            ))
        }
        None if headers.contains_key("authorization") => return refusal(state, headers),
        None => {
            return Some(google_error(
                403,
                "forbidden",
                "global",
                "The request is missing a valid API key.",
            ))
        }
    }
    quota_refusal(state)
}

fn parts(query: &BTreeMap<String, String>) -> Vec<&str> {
    query
        .get("part")
        .map(|p| p.split(',').map(str::trim).collect())
        .unwrap_or_default()
}

fn stamp(at: chrono::DateTime<chrono::Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A viewer's top-level comment as a `youtube#comment` resource.
fn thread_comment_json(thread: &Thread, plain: bool) -> Value {
    let reply = Reply {
        id: thread.id.clone(),
        parent_id: String::new(),
        text: thread.text.clone(),
        author_channel_id: thread.author_channel_id.clone(),
    };
    let mut comment = comment_json(&reply, &thread.video_id, plain);
    let snippet = &mut comment["snippet"];
    if let Some(fields) = snippet.as_object_mut() {
        fields.remove("parentId");
    }
    snippet["authorDisplayName"] = json!(thread.author_name);
    snippet["publishedAt"] = json!(stamp(thread.published_at));
    snippet["updatedAt"] = json!(stamp(thread.published_at));
    comment
}

/// `commentThreads.list` with `allThreadsRelatedToChannelId`.
async fn threads(
    Shared(state): Shared<Arc<State>>,
    Query(query): Query<BTreeMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    if let Some(refused) = read_refusal(&state, &headers, &query) {
        return refused;
    }
    let parts = parts(&query);
    if !parts.contains(&"snippet") {
        return google_error(400, "required", "global", "Required parameter: part");
    }
    let Some(related) = query.get("allThreadsRelatedToChannelId") else {
        return google_error(
            400,
            "missingRequiredParameter",
            "youtube.parameter",
            "No filter selected. Expected one of: allThreadsRelatedToChannelId, id, videoId.",
        );
    };
    let (size, from) = match page_window(&query) {
        Ok(window) => window,
        Err(refused) => return *refused,
    };
    let plain = query.get("textFormat").map(String::as_str) == Some("plainText");
    // The double's videos are all the brand channel's: another channel has no threads here.
    let mut all = match related.as_str() {
        CHANNEL => state.threads.lock().expect("threads lock").clone(),
        _ => Vec::new(),
    };
    all.sort_by_key(|t| std::cmp::Reverse(t.published_at));
    let replies = state.replies();
    let items: Vec<Value> = all
        .iter()
        .skip(from)
        .take(size)
        .map(|t| {
            let under: Vec<&Reply> = replies.iter().filter(|r| r.parent_id == t.id).collect();
            let mut item = json!({
                "kind": "youtube#commentThread",
                "etag": format!("etag-thread-{}", t.id),
                "id": t.id,
                "snippet": {
                    "channelId": CHANNEL,
                    "videoId": t.video_id,
                    "topLevelComment": thread_comment_json(t, plain),
                    "canReply": true,
                    "totalReplyCount": under.len(),
                    "isPublic": true
                }
            });
            // `replies` carries a few of them (the API: up to five); `comments.list` the rest.
            if parts.contains(&"replies") && !under.is_empty() {
                let shown: Vec<Value> = under
                    .iter()
                    .take(5)
                    .map(|r| comment_json(r, &t.video_id, plain))
                    .collect();
                item["replies"] = json!({"comments": shown});
            }
            item
        })
        .collect();
    listed(
        "youtube#commentThreadListResponse",
        format!("etag-threads-{from}"),
        items,
        (from, size, all.len()),
    )
}

/// A list answer's envelope: its kind, etag, page info and items, and `nextPageToken` (the
/// next window's start) while `window` (from, size, of how many) leaves some unlisted.
fn listed(kind: &str, etag: String, items: Vec<Value>, window: (usize, usize, usize)) -> Response {
    let (from, size, total) = window;
    let mut listed = json!({
        "kind": kind,
        "etag": etag,
        "pageInfo": {"totalResults": items.len(), "resultsPerPage": size},
        "items": items,
    });
    if from + size < total {
        listed["nextPageToken"] = json!((from + size).to_string());
    }
    Json(listed).into_response()
}

/// `channels.list` by `id`.
async fn channels(
    Shared(state): Shared<Arc<State>>,
    Query(query): Query<BTreeMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    if let Some(refused) = read_refusal(&state, &headers, &query) {
        return refused;
    }
    let parts = parts(&query);
    if parts.is_empty() {
        return google_error(400, "required", "global", "Required parameter: part");
    }
    let filters = [
        "id",
        "forHandle",
        "forUsername",
        "mine",
        "managedByMe",
        "categoryId",
    ];
    let given = filters.iter().filter(|f| query.contains_key(**f)).count();
    let Some(ids) = query.get("id").filter(|_| given == 1) else {
        return google_error(
            400,
            "invalidCriteria",
            "youtube.channel",
            "A maximum of one of the following filters may be specified:id, categoryId, forHandle, forUsername, mine, managedByMe",
        );
    };
    let ids: Vec<&str> = ids
        .split(',')
        .map(str::trim)
        .filter(|i| !i.is_empty())
        .collect();
    if ids.len() > MAX_CHANNEL_IDS {
        return google_error(
            400,
            "invalidValue",
            "youtube.parameter",
            "Invalid value for parameter id: at most 50 ids.",
        );
    }
    let known = state.channels.lock().expect("channels lock").clone();
    let items: Vec<Value> = ids
        .iter()
        .filter_map(|id| Some((id, known.get(*id)?)))
        .map(|(id, stats)| {
            let mut item =
                json!({"kind": "youtube#channel", "etag": format!("etag-{id}"), "id": id});
            if parts.contains(&"statistics") {
                let mut statistics = json!({
                    "viewCount": (stats.subscribers * 40).to_string(),
                    "hiddenSubscriberCount": stats.hidden,
                    "videoCount": "42"
                });
                if !stats.hidden {
                    statistics["subscriberCount"] = json!(stats.subscribers.to_string());
                }
                item["statistics"] = statistics;
            }
            if parts.contains(&"snippet") {
                item["snippet"] = json!({
                    "title": format!("Channel {id}"),
                    "description": stats.description,
                    "publishedAt": "2019-03-02T10:00:00Z"
                });
            }
            item
        })
        .collect();
    Json(json!({
        "kind": "youtube#channelListResponse",
        "etag": "etag-channels",
        "pageInfo": {"totalResults": items.len(), "resultsPerPage": items.len()},
        "items": items,
    }))
    .into_response()
}

async fn insert(
    Shared(state): Shared<Arc<State>>,
    Query(query): Query<BTreeMap<String, String>>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    if let Some(refused) = refusal(&state, &headers) {
        return refused;
    }
    if query.get("part").map(String::as_str) != Some("snippet") {
        return google_error(400, "required", "global", "Required parameter: part");
    }
    let text = body
        .pointer("/snippet/textOriginal")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if text.trim().is_empty() {
        return google_error(
            400,
            "commentTextRequired",
            "youtube.comment",
            "The comment must contain text.",
        );
    }
    if text.chars().count() > MAX_COMMENT_CHARS {
        return google_error(
            400,
            "commentTextTooLong",
            "youtube.comment",
            "The comment text is too long.",
        );
    }
    let parent = body
        .pointer("/snippet/parentId")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let Some(video) = state
        .comments
        .lock()
        .expect("comments lock")
        .get(parent)
        .cloned()
    else {
        return google_error(
            404,
            "parentCommentNotFound",
            "youtube.comment",
            "The specified parent comment could not be found.",
        );
    };
    let id = format!(
        "{parent}.AAbb{}",
        state.next_id.fetch_add(1, Ordering::SeqCst)
    );
    let reply = Reply {
        id,
        parent_id: parent.to_string(),
        text: text.to_string(),
        author_channel_id: CHANNEL.to_string(),
    };
    state
        .replies
        .lock()
        .expect("replies lock")
        .push(reply.clone());
    Json(comment_json(&reply, &video, true)).into_response()
}

/// A reply as a `youtube#comment` resource; `plain`: `textDisplay` as plain text, not HTML.
fn comment_json(reply: &Reply, video: &str, plain: bool) -> Value {
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let display = if plain {
        reply.text.clone()
    } else {
        reply
            .text
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('\n', "<br>")
    };
    let author = if reply.author_channel_id == CHANNEL {
        "Brand"
    } else {
        "A viewer"
    };
    json!({
        "kind": "youtube#comment",
        "etag": format!("etag-{}", reply.id),
        "id": reply.id,
        "snippet": {
            "channelId": CHANNEL,
            "videoId": video,
            "textDisplay": display,
            "textOriginal": reply.text,
            "parentId": reply.parent_id,
            "authorDisplayName": author,
            "authorChannelUrl": format!("http://www.youtube.com/channel/{}", reply.author_channel_id),
            "authorChannelId": {"value": reply.author_channel_id},
            "canRate": true,
            "viewerRating": "none",
            "likeCount": 0,
            "publishedAt": now,
            "updatedAt": now
        }
    })
}

/// `comments.list` of the replies under `parentId`.
async fn list(
    Shared(state): Shared<Arc<State>>,
    Query(query): Query<BTreeMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    if let Some(refused) = refusal(&state, &headers) {
        return refused;
    }
    if query.get("part").map(String::as_str) != Some("snippet") {
        return google_error(400, "required", "global", "Required parameter: part");
    }
    let Some(parent) = query.get("parentId") else {
        return google_error(
            400,
            "missingRequiredParameter",
            "youtube.parameter",
            "No filter selected. Expected one of: id, parentId.",
        );
    };
    let (size, from) = match page_window(&query) {
        Ok(window) => window,
        Err(refused) => return *refused,
    };
    let plain = query.get("textFormat").map(String::as_str) == Some("plainText");
    let Some(video) = state
        .comments
        .lock()
        .expect("comments lock")
        .get(parent)
        .cloned()
    else {
        return google_error(
            404,
            "commentNotFound",
            "youtube.comment",
            "The comment identified by the parentId parameter could not be found.",
        );
    };
    let under: Vec<Reply> = state
        .replies()
        .into_iter()
        .filter(|r| &r.parent_id == parent)
        .collect();
    let items: Vec<Value> = under
        .iter()
        .skip(from)
        .take(size)
        .map(|r| comment_json(r, &video, plain))
        .collect();
    listed(
        "youtube#commentListResponse",
        format!("etag-list-{parent}-{from}"),
        items,
        (from, size, under.len()),
    )
}

async fn set_moderation_status(
    Shared(state): Shared<Arc<State>>,
    Query(query): Query<BTreeMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    if let Some(refused) = refusal(&state, &headers) {
        return refused;
    }
    // Google refuses a POST without a length.
    if headers.get("content-length").is_none() && headers.get("transfer-encoding").is_none() {
        return (StatusCode::LENGTH_REQUIRED, "411. That's an error.").into_response();
    }
    let status = query.get("moderationStatus").map(String::as_str);
    let Some(status @ ("published" | "heldForReview" | "rejected")) = status else {
        return google_error(
            400,
            "invalidModerationStatus",
            "youtube.comment",
            "The moderationStatus parameter value is invalid.",
        );
    };
    let Some(id) = query.get("id") else {
        return google_error(400, "required", "global", "Required parameter: id");
    };
    if !state.knows(id) {
        return google_error(
            404,
            "commentNotFound",
            "youtube.comment",
            "One or more comments identified by the id parameter could not be found.",
        );
    }
    state
        .statuses
        .lock()
        .expect("statuses lock")
        .push((id.clone(), status.to_string()));
    StatusCode::NO_CONTENT.into_response()
}

async fn token(Shared(state): Shared<Arc<State>>, body: String) -> Response {
    let form: BTreeMap<String, String> = url::form_urlencoded::parse(body.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let field = |name: &str| form.get(name).map(String::as_str);
    let oauth_error = |status, kind: &str, description: &str| {
        error(
            status,
            json!({"error": kind, "error_description": description}),
        )
    };
    if field("client_id") != Some(state.client_id.as_str())
        || field("client_secret") != Some(state.client_secret.as_str())
    {
        return oauth_error(401, "invalid_client", "The OAuth client was not found.");
    }
    if field("grant_type") != Some("refresh_token") {
        return oauth_error(400, "unsupported_grant_type", "Invalid grant_type: ");
    }
    match field("refresh_token").and_then(|r| state.tokens.exchange(r)) {
        Some((access, _)) => Json(json!({
            "access_token": access,
            "expires_in": 3599,
            "scope": "https://www.googleapis.com/auth/youtube.force-ssl",
            "token_type": "Bearer"
        }))
        .into_response(),
        None => oauth_error(400, "invalid_grant", "Token has been expired or revoked."),
    }
}
