//! A double of X's API v2 (written from docs.x.com's reference), as the brand's account:
//! - `POST /2/tweets` (`text`, `reply.in_reply_to_tweet_id`) → 201 `{"data":{"id","text"}}`;
//! - `POST /2/dm_conversations/with/{participant_id}/messages` (`text`) → 201
//!   `{"data":{"dm_conversation_id","dm_event_id"}}`, or 403 for a person who does not take
//!   messages from the account;
//! - `POST /2/oauth2/token` (`grant_type=refresh_token`, `refresh_token`, `client_id`, Basic
//!   for a confidential client) → a new access token and a new refresh token: X rotates them,
//!   the old refresh token is spent.
//!
//! Errors are X's problems (`{"title","detail","type","status"}`); a bearer token the double
//! did not issue gets X's 401. Every response carries the `x-rate-limit-*` headers, and
//! [`State::limit_next`] makes the next call a 429 whose `x-rate-limit-reset` says when the
//! window reopens.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::{Path, State as Shared};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Value};

use super::oauth::{basic, Tokens};
use super::{error, serve, Recorder};

/// The longest post text X takes.
pub const MAX_POST_CHARS: usize = 280;
/// The longest direct message X takes.
pub const MAX_MESSAGE_CHARS: usize = 10_000;

/// A post the double published.
#[derive(Debug, Clone, PartialEq)]
pub struct Post {
    pub id: String,
    pub text: String,
    pub in_reply_to: String,
}

/// A direct message the double delivered.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub event_id: String,
    pub participant: String,
    pub text: String,
}

/// What the double holds.
pub struct State {
    pub tokens: Tokens,
    /// The app's OAuth 2.0 client id (and secret, for a confidential client).
    pub client_id: String,
    pub client_secret: Option<String>,
    /// The brand's own user id (one side of every conversation id).
    pub account_id: String,
    posts: Mutex<Vec<Post>>,
    messages: Mutex<Vec<Message>>,
    /// People whose settings refuse messages from the account.
    closed: Mutex<HashSet<String>>,
    /// The Unix time the next call's window reopens, for a 429.
    limited_until: Mutex<Option<i64>>,
    next_id: AtomicU64,
}

impl State {
    pub fn posts(&self) -> Vec<Post> {
        self.posts.lock().expect("posts lock").clone()
    }

    pub fn messages(&self) -> Vec<Message> {
        self.messages.lock().expect("messages lock").clone()
    }

    /// `user` does not take messages from the account.
    pub fn refuse_messages_from_strangers(&self, user: &str) {
        self.closed
            .lock()
            .expect("closed lock")
            .insert(user.to_string());
    }

    /// The next call answers 429, its window reopening at Unix time `reset`.
    pub fn limit_next(&self, reset: i64) {
        *self.limited_until.lock().expect("limit lock") = Some(reset);
    }

    fn id(&self) -> String {
        // Snowflake-looking ids: large decimals.
        (1_860_000_000_000_000_000 + self.next_id.fetch_add(1, Ordering::SeqCst)).to_string()
    }
}

/// The X double, listening.
pub struct X {
    /// `X_API_BASE`.
    pub url: String,
    pub recorder: Arc<Recorder>,
    pub state: Arc<State>,
}

/// Serves the double for an app with `client_id` (and `client_secret` when confidential).
pub async fn start(client_id: &str, client_secret: Option<&str>) -> std::io::Result<X> {
    let state = Arc::new(State {
        tokens: Tokens::new("x", true),
        client_id: client_id.to_string(),
        client_secret: client_secret.map(str::to_string),
        account_id: "1000000001".into(),
        posts: Mutex::default(),
        messages: Mutex::default(),
        closed: Mutex::default(),
        limited_until: Mutex::default(),
        next_id: AtomicU64::new(1),
    });
    let router = Router::new()
        .route("/2/tweets", post(create_post))
        .route(
            "/2/dm_conversations/with/{participant_id}/messages",
            post(send_message),
        )
        .route("/2/oauth2/token", post(token))
        .with_state(state.clone());
    let served = serve(router).await?;
    Ok(X {
        url: served.url,
        recorder: served.recorder,
        state,
    })
}

fn problem(status: u16, title: &str, detail: &str, kind: &str) -> Response {
    error(
        status,
        json!({"title": title, "detail": detail, "type": kind, "status": status}),
    )
}

fn invalid(detail: &str) -> Response {
    error(
        400,
        json!({"errors": [{"parameters": {}, "message": detail}], "title": "Invalid Request", "detail": "One or more parameters to your request was invalid.", "type": "https://api.x.com/2/problems/invalid-request"}),
    )
}

/// What every call checks first, and its refusal if any: the rate limit, then the token.
fn refusal(state: &State, headers: &HeaderMap) -> Option<Response> {
    if let Some(reset) = state.limited_until.lock().expect("limit lock").take() {
        let mut limited = problem(429, "Too Many Requests", "Too Many Requests", "about:blank");
        let headers = limited.headers_mut();
        for (name, value) in [
            ("x-rate-limit-limit", "100".to_string()),
            ("x-rate-limit-remaining", "0".to_string()),
            ("x-rate-limit-reset", reset.to_string()),
        ] {
            if let Ok(value) = value.parse() {
                headers.insert(name, value);
            }
        }
        return Some(limited);
    }
    (!state.tokens.accepts(headers))
        .then(|| problem(401, "Unauthorized", "Unauthorized", "about:blank"))
}

fn created(body: Value) -> Response {
    let mut response = (StatusCode::CREATED, Json(body)).into_response();
    let headers = response.headers_mut();
    for (name, value) in [
        ("x-rate-limit-limit", "100"),
        ("x-rate-limit-remaining", "99"),
    ] {
        headers.insert(name, axum::http::HeaderValue::from_static(value));
    }
    response
}

/// The `text` of a request, or why X refuses it.
fn text_of(body: &Value, max: usize) -> Result<String, String> {
    match body.get("text").and_then(Value::as_str) {
        Some(text) if !text.trim().is_empty() && text.chars().count() <= max => {
            Ok(text.to_string())
        }
        Some(text) if !text.trim().is_empty() => Err(format!(
            "The text of your request is too long ({} characters; at most {max}).",
            text.chars().count()
        )),
        _ => Err("The `text` field is required.".into()),
    }
}

async fn create_post(
    Shared(state): Shared<Arc<State>>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    if let Some(refused) = refusal(&state, &headers) {
        return refused;
    }
    let text = match text_of(&body, MAX_POST_CHARS) {
        Ok(text) => text,
        Err(why) => return invalid(&why),
    };
    let Some(parent) = body
        .pointer("/reply/in_reply_to_tweet_id")
        .and_then(Value::as_str)
        .filter(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()))
    else {
        return invalid("The `reply.in_reply_to_tweet_id` field is not a post id.");
    };
    let id = state.id();
    state.posts.lock().expect("posts lock").push(Post {
        id: id.clone(),
        text: text.clone(),
        in_reply_to: parent.to_string(),
    });
    created(json!({"data": {"id": id, "text": text, "edit_history_tweet_ids": [id]}}))
}

async fn send_message(
    Shared(state): Shared<Arc<State>>,
    Path(participant): Path<String>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    if let Some(refused) = refusal(&state, &headers) {
        return refused;
    }
    let text = match text_of(&body, MAX_MESSAGE_CHARS) {
        Ok(text) => text,
        Err(why) => return invalid(&why),
    };
    if state
        .closed
        .lock()
        .expect("closed lock")
        .contains(&participant)
    {
        return problem(
            403,
            "Forbidden",
            "You cannot send messages to this user.",
            "about:blank",
        );
    }
    let event_id = state.id();
    let mut pair = [state.account_id.clone(), participant.clone()];
    pair.sort_by_key(|id| id.parse::<u128>().unwrap_or(u128::MAX));
    state.messages.lock().expect("messages lock").push(Message {
        event_id: event_id.clone(),
        participant,
        text,
    });
    created(json!({"data": {"dm_conversation_id": pair.join("-"), "dm_event_id": event_id}}))
}

async fn token(Shared(state): Shared<Arc<State>>, headers: HeaderMap, body: String) -> Response {
    let form: Vec<(String, String)> = url::form_urlencoded::parse(body.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let field = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let oauth_error = |status, error_kind: &str, description: &str| {
        error(
            status,
            json!({"error": error_kind, "error_description": description}),
        )
    };
    // A confidential client authenticates with Basic; a public one names itself.
    let client_ok = match (&state.client_secret, basic(&headers)) {
        (Some(secret), Some((id, given))) => id == state.client_id && &given == secret,
        (Some(_), None) => false,
        (None, _) => field("client_id") == Some(state.client_id.as_str()),
    };
    if !client_ok {
        return oauth_error(
            401,
            "unauthorized_client",
            "Missing valid authorization header",
        );
    }
    if field("grant_type") != Some("refresh_token") {
        return oauth_error(
            400,
            "invalid_request",
            "Missing required parameter [grant_type].",
        );
    }
    let exchanged = field("refresh_token").and_then(|r| state.tokens.exchange(r));
    match exchanged {
        Some((access, refresh)) => Json(json!({
            "token_type": "bearer",
            "expires_in": 7200,
            "access_token": access,
            "scope": "tweet.write users.read tweet.read offline.access dm.read dm.write",
            "refresh_token": refresh,
        }))
        .into_response(),
        None => oauth_error(
            400,
            "invalid_request",
            "Value passed for the token was invalid.",
        ),
    }
}
