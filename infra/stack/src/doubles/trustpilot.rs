//! A double of Trustpilot's business API (written from developers.trustpilot.com's
//! reference and its Bruno collection):
//! - `POST /v1/private/reviews/{reviewId}/reply` with a business user's Bearer token and
//!   `{"authorBusinessUserId","message"}` → 201 (a review has one company reply: a new one
//!   replaces it);
//! - `POST /v1/oauth/oauth-business-users-for-applications/refresh` with the application's
//!   API key and secret as Basic, and `grant_type=refresh_token&refresh_token=..` → a new
//!   access token, `expires_in` as a string (as Trustpilot writes it).
//!
//! Its gateway answers an unknown or expired token with a 401 fault
//! (`{"fault":{"faultstring","detail":{"errorcode"}}}`); API errors carry `message`.

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex};

use axum::extract::{Path, State as Shared};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Value};

use super::oauth::{basic, Tokens};
use super::{error, serve, Recorder};

pub struct State {
    pub tokens: Tokens,
    pub api_key: String,
    pub api_secret: String,
    /// The business users who may sign a reply.
    pub business_users: HashSet<String>,
    reviews: Mutex<HashSet<String>>,
    /// The company reply on each review.
    replies: Mutex<BTreeMap<String, String>>,
}

impl State {
    /// A review of the business, to answer.
    pub fn review(&self, id: &str) {
        self.reviews
            .lock()
            .expect("reviews lock")
            .insert(id.to_string());
    }

    /// The company reply on each review.
    pub fn replies(&self) -> BTreeMap<String, String> {
        self.replies.lock().expect("replies lock").clone()
    }
}

/// The Trustpilot double, listening.
pub struct Trustpilot {
    /// `TRUSTPILOT_API_BASE`.
    pub url: String,
    pub recorder: Arc<Recorder>,
    pub state: Arc<State>,
}

pub async fn start(
    api_key: &str,
    api_secret: &str,
    business_user: &str,
) -> std::io::Result<Trustpilot> {
    let state = Arc::new(State {
        tokens: Tokens::new("tp", false),
        api_key: api_key.to_string(),
        api_secret: api_secret.to_string(),
        business_users: [business_user.to_string()].into(),
        reviews: Mutex::default(),
        replies: Mutex::default(),
    });
    let router = Router::new()
        .route("/v1/private/reviews/{review_id}/reply", post(reply))
        .route(
            "/v1/oauth/oauth-business-users-for-applications/refresh",
            post(refresh),
        )
        .with_state(state.clone());
    let served = serve(router).await?;
    Ok(Trustpilot {
        url: served.url,
        recorder: served.recorder,
        state,
    })
}

fn fault(status: u16, faultstring: &str, errorcode: &str) -> Response {
    error(
        status,
        json!({"fault": {"faultstring": faultstring, "detail": {"errorcode": errorcode}}}),
    )
}

async fn reply(
    Shared(state): Shared<Arc<State>>,
    Path(review_id): Path<String>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    if !state.tokens.accepts(&headers) {
        return fault(401, "Invalid access token", "oauth.v2.InvalidAccessToken");
    }
    let author = body.get("authorBusinessUserId").and_then(Value::as_str);
    let message = body.get("message").and_then(Value::as_str);
    let (Some(author), Some(message)) = (author, message.filter(|m| !m.trim().is_empty())) else {
        return error(
            400,
            json!({"message": "authorBusinessUserId and message are required"}),
        );
    };
    if !state.business_users.contains(author) {
        return error(
            403,
            json!({"message": "The business user may not reply for this business unit"}),
        );
    }
    if !state
        .reviews
        .lock()
        .expect("reviews lock")
        .contains(&review_id)
    {
        return error(404, json!({"message": "Review not found"}));
    }
    state
        .replies
        .lock()
        .expect("replies lock")
        .insert(review_id, message.to_string());
    StatusCode::CREATED.into_response()
}

async fn refresh(Shared(state): Shared<Arc<State>>, headers: HeaderMap, body: String) -> Response {
    let client = basic(&headers);
    if client != Some((state.api_key.clone(), state.api_secret.clone())) {
        return fault(401, "Invalid ApiKey", "oauth.v2.InvalidApiKey");
    }
    let form: BTreeMap<String, String> = url::form_urlencoded::parse(body.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if form.get("grant_type").map(String::as_str) != Some("refresh_token") {
        return error(
            400,
            json!({"error": "unsupported_grant_type", "error_description": "Invalid grant_type"}),
        );
    }
    let refresh_token = form.get("refresh_token").cloned().unwrap_or_default();
    match state.tokens.exchange(&refresh_token) {
        Some((access, _)) => Json(json!({
            "access_token": access,
            "refresh_token": refresh_token,
            "expires_in": "359999",
            "refresh_token_expires_in": "2591999",
            "token_type": "BearerToken",
            "issued_at": chrono::Utc::now().timestamp_millis().to_string()
        }))
        .into_response(),
        None => error(
            400,
            json!({"error": "invalid_grant", "error_description": "Invalid Refresh Token"}),
        ),
    }
}
