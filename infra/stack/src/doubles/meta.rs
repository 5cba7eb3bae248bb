//! A double of Meta's Graph API for what Liaison writes on a Page and its Instagram account,
//! from the Graph API reference:
//! - `POST /{comment-id}/comments` (`message`): a Page comment's reply → `{"id"}`;
//! - `POST /{ig-comment-id}/replies` (`message`): an Instagram comment's reply → `{"id"}`;
//! - `POST /{page-id}/messages` with `recipient.comment_id` and `message.text`: a Private
//!   Reply → `{"recipient_id","message_id"}`. One per comment (`(#10900) Activity already
//!   replied to`), within 7 days of it (code 10, subcode 2018278, "outside of allowed
//!   window"); with `recipient.id` (a PSID) it is a message to someone who wrote to the Page;
//! - `POST /{comment-id}` with `is_hidden` (Page) or `POST /{ig-comment-id}` with `hide`
//!   (Instagram) → `{"success": true}`;
//! - `GET /{comment-id}/comments` and `GET /{ig-comment-id}/replies` → `{"data": [...]}`,
//!   the replies published under a comment;
//! - `DELETE /{comment-id}` → `{"success": true}`;
//! - for the poller's Instagram audience: `GET /{ig-user-id}/media` (the account's posts,
//!   newest first, `limit`, with `comments_count`), `GET /{ig-media-id}/comments` (newest
//!   first, `limit`, with `username`, `timestamp`, `from`), and `GET /{ig-user-id}?fields=
//!   business_discovery.username(NAME){followers_count,media_count}`: a business or creator
//!   account's counts, or code 110 ("Invalid user id", subcode 2207013) for anyone else.
//!
//! Every call needs the Page access token (`Authorization: Bearer`); another token gets
//! code 190 ("Error validating access token: Session has expired"). Errors are
//! `{"error":{"message","type","code","error_subcode","fbtrace_id"}}` with HTTP 400 (403 for
//! permissions), as the Graph API answers them.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};

use super::{bearer, error, serve, Served};

/// A comment the double knows, as the Page or Instagram account has it.
#[derive(Debug, Clone)]
pub struct Comment {
    pub created_at: DateTime<Utc>,
    pub hidden: bool,
    /// The replies published under it, in order: `(id, text)`.
    pub replies: Vec<(String, String)>,
    /// The Private Reply it got, if any.
    pub private_reply: Option<String>,
    /// Its author's page-scoped id (who a Private Reply reaches).
    pub author_psid: String,
}

/// The brand's Instagram professional account in the double.
pub const INSTAGRAM_ACCOUNT: &str = "17841400000000001";

/// A post of the Instagram account, and the comments under it.
#[derive(Debug, Clone)]
pub struct Post {
    pub id: String,
    pub timestamp: DateTime<Utc>,
    pub comments: Vec<PostComment>,
}

/// A comment under an Instagram post, by `username` (Instagram-scoped id `from_id`).
#[derive(Debug, Clone)]
pub struct PostComment {
    pub id: String,
    pub username: String,
    pub from_id: String,
    pub timestamp: DateTime<Utc>,
}

/// What the double holds: the Page, its token, its comments, the messages it sent, and the
/// Instagram account's posts and the business accounts discovery shows.
pub struct Graph {
    pub page_id: String,
    pub token: String,
    pub comments: Mutex<HashMap<String, Comment>>,
    /// The Instagram account's posts, in any order.
    pub posts: Mutex<Vec<Post>>,
    /// Business and creator accounts: username → followers.
    pub businesses: Mutex<HashMap<String, u64>>,
    /// `(recipient, text)` of every message sent to a person (not Private Replies).
    pub messages: Mutex<Vec<(String, String)>>,
    next_id: Mutex<u64>,
}

impl Graph {
    /// Adds a comment written `age` ago by `psid`.
    pub fn add_comment(&self, id: &str, age: Duration, psid: &str) {
        self.comments.lock().expect("graph lock").insert(
            id.to_string(),
            Comment {
                created_at: Utc::now() - age,
                hidden: false,
                replies: vec![],
                private_reply: None,
                author_psid: psid.to_string(),
            },
        );
    }

    pub fn comment(&self, id: &str) -> Option<Comment> {
        self.comments.lock().expect("graph lock").get(id).cloned()
    }

    fn next(&self) -> u64 {
        let mut next = self.next_id.lock().expect("graph lock");
        *next += 1;
        *next
    }
}

/// Starts the double for Page `page_id` whose Page access token is `token`.
pub async fn start(page_id: &str, token: &str) -> std::io::Result<(Served, Arc<Graph>)> {
    let graph = Arc::new(Graph {
        page_id: page_id.to_string(),
        token: token.to_string(),
        comments: Mutex::new(HashMap::new()),
        posts: Mutex::new(Vec::new()),
        businesses: Mutex::new(HashMap::new()),
        messages: Mutex::new(Vec::new()),
        next_id: Mutex::new(1000),
    });
    let router = Router::new()
        .route("/v21.0/{object}", post(object).delete(remove).get(read))
        .route("/v21.0/{object}/{edge}", post(edge).get(listed))
        .with_state(graph.clone());
    Ok((serve(router).await?, graph))
}

/// Meta's application rate limit (code 4) as a fault for the recorder: HTTP 400, as the
/// Graph API answers every error.
pub fn rate_limited() -> super::Fault {
    super::Fault::Status {
        status: 400,
        body: json!({"error": {"message": "(#4) Application request limit reached",
                               "type": "OAuthException", "code": 4, "is_transient": true,
                               "fbtrace_id": "AbCdEfGh123"}}),
        retry_after: None,
    }
}

fn graph_error(status: u16, code: u32, subcode: Option<u32>, message: &str) -> Response {
    let mut body = json!({"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "AbCdEfGh123"});
    if let Some(subcode) = subcode {
        body["error_subcode"] = json!(subcode);
    }
    error(status, json!({ "error": body }))
}

fn no_object(id: &str) -> Response {
    graph_error(
        400,
        100,
        Some(33),
        &format!("Unsupported post request. Object with ID '{id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation."),
    )
}

/// The token check every call starts with: Meta's refusal, if any.
fn refusal(graph: &Graph, headers: &HeaderMap) -> Option<Response> {
    if bearer(headers) == Some(graph.token.as_str()) {
        None
    } else {
        Some(graph_error(
            400,
            190,
            Some(463),
            "Error validating access token: Session has expired on Sunday, 06-Dec-26 10:00:00 PST.",
        ))
    }
}

fn text_field(body: &Value, pointer: &str) -> Option<String> {
    body.pointer(pointer)
        .and_then(Value::as_str)
        .filter(|t| !t.trim().is_empty())
        .map(str::to_string)
}

/// `POST /{comment-id}` (`is_hidden`) or `POST /{ig-comment-id}` (`hide`).
async fn object(
    State(graph): State<Arc<Graph>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: String,
) -> Response {
    if let Some(refused) = refusal(&graph, &headers) {
        return refused;
    }
    let body: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
    let field = if id.contains('_') {
        "is_hidden"
    } else {
        "hide"
    };
    let Some(hidden) = body.get(field).and_then(Value::as_bool) else {
        return graph_error(
            400,
            100,
            None,
            &format!("(#100) The parameter {field} is required"),
        );
    };
    let mut comments = graph.comments.lock().expect("graph lock");
    let Some(comment) = comments.get_mut(&id) else {
        return no_object(&id);
    };
    comment.hidden = hidden;
    axum::Json(json!({"success": true})).into_response()
}

/// `DELETE /{comment-id}` (Facebook and Instagram): the comment is gone.
async fn remove(
    State(graph): State<Arc<Graph>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Some(refused) = refusal(&graph, &headers) {
        return refused;
    }
    match graph.comments.lock().expect("graph lock").remove(&id) {
        Some(_) => axum::Json(json!({"success": true})).into_response(),
        None => no_object(&id),
    }
}

/// `POST /{comment-id}/comments`, `POST /{ig-comment-id}/replies`, `POST /{page-id}/messages`.
async fn edge(
    State(graph): State<Arc<Graph>>,
    Path((id, edge)): Path<(String, String)>,
    headers: HeaderMap,
    body: String,
) -> Response {
    if let Some(refused) = refusal(&graph, &headers) {
        return refused;
    }
    let body: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
    match edge.as_str() {
        "comments" if id.contains('_') => reply(&graph, &id, &body),
        "replies" if !id.contains('_') => reply(&graph, &id, &body),
        "messages" if id == graph.page_id => message(&graph, &body),
        _ => no_object(&id),
    }
}

/// `GET /{comment-id}/comments` (Facebook: `message`, `from` the Page) or
/// `GET /{ig-comment-id}/replies` (Instagram: `text`, `from` the account): the replies.
async fn listed(
    State(graph): State<Arc<Graph>>,
    Path((id, edge)): Path<(String, String)>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    if let Some(refused) = refusal(&graph, &headers) {
        return refused;
    }
    let limit = query
        .get("limit")
        .and_then(|l| l.parse::<usize>().ok())
        .unwrap_or(25);
    if edge == "media" && id == INSTAGRAM_ACCOUNT {
        return instagram_media(&graph, limit);
    }
    if edge == "comments"
        && graph
            .posts
            .lock()
            .expect("graph lock")
            .iter()
            .any(|p| p.id == id)
    {
        return instagram_comments(&graph, &id, limit);
    }
    let facebook = id.contains('_');
    if (edge == "comments") != facebook || !matches!(edge.as_str(), "comments" | "replies") {
        return no_object(&id);
    }
    let comments = graph.comments.lock().expect("graph lock");
    let Some(comment) = comments.get(&id) else {
        return no_object(&id);
    };
    let data: Vec<Value> = comment
        .replies
        .iter()
        .map(|(reply_id, text)| match facebook {
            true => json!({"id": reply_id, "message": text, "from": {"id": graph.page_id, "name": "Brand"}}),
            false => json!({"id": reply_id, "text": text, "from": {"id": "17841400000000001", "username": "brand"}}),
        })
        .collect();
    page(data)
}

fn page(data: Vec<Value>) -> Response {
    axum::Json(json!({ "data": data, "paging": {"cursors": {"before": "QVFI", "after": "QVFI"}} }))
        .into_response()
}

/// `GET /{ig-user-id}/media`: the account's posts, newest first.
fn instagram_media(graph: &Graph, limit: usize) -> Response {
    let mut posts = graph.posts.lock().expect("graph lock").clone();
    posts.sort_by_key(|p| std::cmp::Reverse(p.timestamp));
    page(
        posts
            .iter()
            .take(limit)
            .map(|p| json!({"id": p.id, "timestamp": p.timestamp.to_rfc3339(), "comments_count": p.comments.len()}))
            .collect(),
    )
}

/// `GET /{ig-media-id}/comments`: the post's comments, newest first.
fn instagram_comments(graph: &Graph, id: &str, limit: usize) -> Response {
    let posts = graph.posts.lock().expect("graph lock");
    let mut comments = posts
        .iter()
        .find(|p| p.id == id)
        .map(|p| p.comments.clone())
        .unwrap_or_default();
    comments.sort_by_key(|c| std::cmp::Reverse(c.timestamp));
    page(
        comments
            .iter()
            .take(limit)
            .map(|c| {
                json!({"id": c.id, "username": c.username, "timestamp": c.timestamp.to_rfc3339(),
                       "from": {"id": c.from_id, "username": c.username}})
            })
            .collect(),
    )
}

/// `GET /{ig-user-id}?fields=business_discovery.username(NAME){...}`.
async fn read(
    State(graph): State<Arc<Graph>>,
    Path(id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    if let Some(refused) = refusal(&graph, &headers) {
        return refused;
    }
    if id != INSTAGRAM_ACCOUNT {
        return no_object(&id);
    }
    let fields = query.get("fields").map(String::as_str).unwrap_or_default();
    let Some(username) = fields
        .strip_prefix("business_discovery.username(")
        .and_then(|rest| rest.split_once(')'))
        .map(|(name, _)| name.to_string())
    else {
        return axum::Json(json!({"id": id})).into_response();
    };
    match graph.businesses.lock().expect("graph lock").get(&username) {
        Some(followers) => axum::Json(json!({
            "business_discovery": {"followers_count": followers, "media_count": 120, "id": "17841405309211844"},
            "id": id
        }))
        .into_response(),
        None => graph_error(400, 110, Some(2_207_013), "Invalid user id"),
    }
}

fn reply(graph: &Graph, id: &str, body: &Value) -> Response {
    let Some(message) = text_field(body, "/message") else {
        return graph_error(400, 100, None, "(#100) The parameter message is required");
    };
    let reply_id = if id.contains('_') {
        let post = id.split('_').next().unwrap_or_default();
        format!("{post}_{}", graph.next())
    } else {
        format!("1790{}", graph.next())
    };
    let mut comments = graph.comments.lock().expect("graph lock");
    let Some(comment) = comments.get_mut(id) else {
        return no_object(id);
    };
    comment.replies.push((reply_id.clone(), message));
    axum::Json(json!({ "id": reply_id })).into_response()
}

fn message(graph: &Graph, body: &Value) -> Response {
    let Some(text) = text_field(body, "/message/text") else {
        return graph_error(400, 100, None, "(#100) param message must be non-empty.");
    };
    let message_id = format!("m_{}", graph.next());
    if let Some(psid) = body.pointer("/recipient/id").and_then(Value::as_str) {
        graph
            .messages
            .lock()
            .expect("graph lock")
            .push((psid.to_string(), text));
        return axum::Json(json!({"recipient_id": psid, "message_id": message_id})).into_response();
    }
    let Some(comment_id) = body
        .pointer("/recipient/comment_id")
        .and_then(Value::as_str)
    else {
        return graph_error(400, 100, None, "(#100) param recipient must be non-empty.");
    };
    let mut comments = graph.comments.lock().expect("graph lock");
    let Some(comment) = comments.get_mut(comment_id) else {
        return no_object(comment_id);
    };
    if comment.private_reply.is_some() {
        return graph_error(400, 10900, None, "(#10900) Activity already replied to");
    }
    if Utc::now() - comment.created_at > Duration::days(7) {
        return graph_error(
            400,
            10,
            Some(2018278),
            "(#10) This message is sent outside of allowed window.",
        );
    }
    comment.private_reply = Some(text);
    axum::Json(json!({"recipient_id": comment.author_psid, "message_id": message_id}))
        .into_response()
}
