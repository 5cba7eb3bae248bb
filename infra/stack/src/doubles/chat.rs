//! A double of the two chat "incoming webhook" APIs a brand points Liaison at to be notified
//! in its team chat: Slack's incoming webhooks and Microsoft Teams' (the Workflows app's
//! "Post to a channel when a webhook request is received" flow, which replaced the Office 365
//! connectors). Both are a secret URL that takes a JSON `POST`; the double hands out such URLs
//! ([`Chat::slack_hook`], [`Chat::teams_hook`]) and answers anything else as the platform does.
//!
//! Slack (<https://docs.slack.dev/messaging/sending-messages-using-incoming-webhooks>):
//! - `POST /services/{team}/{channel}/{secret}`, the path of an incoming-webhook URL
//!   (`https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX`), with a
//!   JSON message (`Content-type: application/json`, or the legacy form body
//!   `payload={json}`): `text`, `blocks` (Block Kit) and/or `attachments`. "In most cases
//!   you'll receive a "HTTP 200" response with a plain text `ok`" → 200 `ok`; the message is
//!   recorded ([`Chat::slack_messages`]).
//! - Errors are short plain strings, with the statuses of
//!   <https://api.slack.com/changelog/2016-05-17-changes-to-errors-for-incoming-webhooks>
//!   ("the simple strings we'll return to you in the response body"), sent as Slack sends
//!   them, `Content-Type: text/html`:
//!   - a webhook the workspace does not have (never created, or removed:
//!     [`Chat::remove_slack`]) → 404 `no_service` ("the incoming webhook is either disabled,
//!     removed, or invalid"); a known webhook with the wrong secret → 403 `invalid_token`
//!     ("the token used was expired, invalid, or missing");
//!   - a body that is not a JSON object (nor a form with a JSON `payload`), or whose `text`,
//!     `blocks` or `attachments` have the wrong type → 400 `invalid_payload` ("the JSON is
//!     structured incorrectly"); none of `text`, `blocks`, `attachments` → 400 `no_text` ("the
//!     `text` attribute was missing from the payload"); present but all empty (`{"text":""}`)
//!     → 400 `missing_text_or_fallback_or_attachments`, the string Slack answers then (not in
//!     the reference's list; observed, e.g. by the webhook checks of
//!     <https://github.com/streaak/keyhacks>); more than 100 attachments → 400
//!     `too_many_attachments` (the status is not documented);
//!   - a channel archived since ([`Chat::archive_slack`]) → 410 `channel_is_archived`.
//!
//!   The hook is checked first, then the message, then the channel.
//! - Rate limits (<https://docs.slack.dev/apis/web-api/rate-limits>: posting messages, "1 per
//!   second", short bursts allowed; <https://api.slack.com/docs/rate-limits>: "If you go over
//!   these limits when using our HTTP based APIs, including Incoming Webhooks, Slack will
//!   start returning a HTTP 429 Too Many Requests error, a JSON object containing the number
//!   of calls you have been making, and a Retry-After header"): a test queues
//!   [`slack_rate_limited`] on the recorder.
//!
//! Microsoft Teams, Workflows (Power Automate) webhooks
//! (<https://support.microsoft.com/en-us/office/create-incoming-webhooks-with-workflows-for-microsoft-teams-8ae491c7-0394-4861-ba59-055e33f75498>,
//! <https://learn.microsoft.com/en-us/microsoftteams/platform/webhooks-and-connectors/how-to/add-incoming-webhook>):
//! - `POST /workflows/{id}/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig={sig}`,
//!   the path and query of the trigger URL (`https://prod-NN.{region}.logic.azure.com:443/workflows/…`,
//!   <https://learn.microsoft.com/en-us/power-automate/regenerate-sas-key>): the `sig` (a
//!   shared access signature over `sp` and `sv`) is the only credential.
//! - The body is an Adaptive Card message
//!   (<https://learn.microsoft.com/en-us/microsoftteams/platform/webhooks-and-connectors/how-to/connectors-using#send-adaptive-cards-using-an-incoming-webhook>:
//!   "The `type` field must be `message`", "The `attachments` array contains a set of card
//!   objects", "The `contentType` field must be set to adaptive card type", "The `content`
//!   object is the card formatted in JSON"):
//!   `{"type":"message","attachments":[{"contentType":"application/vnd.microsoft.card.adaptive","contentUrl":null,"content":{"type":"AdaptiveCard","version":"1.4","body":[…]}}]}`;
//!   or a legacy Office 365 connector card
//!   (<https://learn.microsoft.com/en-us/outlook/actionable-messages/message-card-reference>):
//!   `{"@type":"MessageCard","summary","text","sections":[…]}`.
//! - Accepted → 202 with an empty body (a Request trigger with no Response action answers
//!   `202 Accepted`: <https://learn.microsoft.com/en-us/azure/connectors/connectors-native-reqres>)
//!   and the `x-ms-workflow-id` / `x-ms-workflow-run-id` headers; the message is recorded
//!   ([`Chat::teams_messages`]).
//! - Errors are Logic Apps' `{"error":{"code","message"}}` (`application/json`):
//!   - no `api-version` → 400 `MissingApiVersionParameter`, one it does not serve → 400
//!     `InvalidApiVersionParameter`;
//!   - no `sp`/`sv`/`sig` → 401 `DirectApiAuthorizationRequired` "The request must be
//!     authenticated only by Shared Access scheme." (as observed from the service);
//!   - a workflow the double did not make → 404 `WorkflowNotFound`;
//!   - a `sig` (or `sp`/`sv`) other than the one it generated → 401
//!     `DirectApiInvalidAuthorizationSignature` (the code and message Logic Apps answers for a
//!     wrong signature are not in Microsoft's reference; these follow its `DirectApi…` codes);
//!   - a body that is not JSON → 400 `InvalidRequestContent` "The request content was invalid
//!     and could not be deserialized: …" (the wording of Azure's resource APIs);
//!   - a body that is not such a card → 400 `TriggerInputSchemaMismatch` "The input body for
//!     trigger 'manual' of type 'Request' did not match its schema definition. Error details:
//!     '…'." (the Request trigger validates its schema: "the trigger returns an HTTP 400 Bad
//!     Request error"). The real trigger's schema only checks the envelope (`attachments[]`
//!     with `contentType` and `content`); a card it lets through but Teams cannot post (not an
//!     `AdaptiveCard`, no `version`, a `MessageCard` without `summary`, `text` or `sections`)
//!     fails the flow's run afterwards, where the caller never sees it. The double refuses
//!     those too, with the same 400, so a test sees the mistake.
//!
//!   Teams limits connector and webhook traffic per channel (4 requests a second, 60 in 30
//!   seconds, …); a test queues a `Fault::Status { status: 429, .. }` to play it.

use std::collections::hash_map::RandomState;
use std::collections::BTreeMap;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use serde_json::{json, Map, Value};

use super::{error, serve, Fault, Served};

/// The workspace (team) id of the webhooks [`Chat::slack_hook`] makes.
pub const SLACK_TEAM: &str = "T0LIAISON";
/// The most attachments a Slack message may carry.
pub const SLACK_MAX_ATTACHMENTS: usize = 100;
/// The `api-version` of the trigger URLs [`Chat::teams_hook`] makes.
pub const TEAMS_API_VERSION: &str = "2016-06-01";
/// The `sp` (permissions) and `sv` (version) of a trigger URL's shared access signature.
pub const TEAMS_SP: &str = "/triggers/manual/run";
pub const TEAMS_SV: &str = "1.0";
/// The `contentType` of an Adaptive Card attachment.
pub const ADAPTIVE_CARD: &str = "application/vnd.microsoft.card.adaptive";

/// The API versions Logic Apps serves a trigger URL at.
const TEAMS_API_VERSIONS: [&str; 14] = [
    "2015-02-01-preview",
    "2015-08-01-preview",
    "2016-06-01",
    "2016-10-01",
    "2017-07-01",
    "2018-03-01-preview",
    "2018-07-01-preview",
    "2019-05-01",
    "2019-06-01-preview",
    "2022-09-01-preview",
    "2023-11-14-preview",
    "2024-04-01-preview",
    "2024-06-01-preview",
    "2025-06-01-preview",
];

const ALPHANUMERIC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const BASE64URL: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const HEX: &[u8] = b"0123456789abcdef";

/// A Slack incoming webhook.
#[derive(Debug, Clone)]
struct SlackHook {
    secret: String,
    archived: bool,
}

#[derive(Default)]
struct Store {
    /// By `(team, channel)`: the `T…` and `B…` segments of the path.
    slack: BTreeMap<(String, String), SlackHook>,
    slack_messages: Vec<(String, Value)>,
    /// Workflow id → its `sig`.
    teams: BTreeMap<String, String>,
    teams_messages: Vec<(String, Value)>,
}

/// What the double holds: the webhooks it made and the messages they accepted.
pub struct Chat {
    store: Mutex<Store>,
    counter: AtomicU64,
    keys: RandomState,
}

impl Chat {
    fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().expect("chat lock")
    }

    fn next(&self) -> u64 {
        self.counter.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// `len` characters of `alphabet`, unguessable from one run to the next.
    fn random(&self, len: usize, alphabet: &[u8]) -> String {
        let base = alphabet.len() as u64;
        let mut out = String::with_capacity(len);
        while out.len() < len {
            let mut hasher = self.keys.build_hasher();
            hasher.write_u64(self.next());
            let mut bits = hasher.finish();
            for _ in 0..8 {
                if out.len() == len {
                    break;
                }
                out.push(char::from(alphabet[(bits % base) as usize]));
                bits /= base;
            }
        }
        out
    }

    /// Creates a Slack incoming webhook and returns its path
    /// (`/services/T0LIAISON/B…/…`): the URL is the double's base URL followed by it.
    pub fn slack_hook(&self) -> String {
        let channel = format!("B{:08X}", self.next());
        let secret = self.random(24, ALPHANUMERIC);
        let path = format!("/services/{SLACK_TEAM}/{channel}/{secret}");
        self.store().slack.insert(
            (SLACK_TEAM.to_string(), channel),
            SlackHook {
                secret,
                archived: false,
            },
        );
        path
    }

    /// The channel of the webhook at `path` is archived: it answers 410
    /// `channel_is_archived` from now on. `false` when there is no such webhook.
    pub fn archive_slack(&self, path: &str) -> bool {
        let mut store = self.store();
        match slack_key(path).and_then(|key| store.slack.get_mut(&key)) {
            Some(hook) => {
                hook.archived = true;
                true
            }
            None => false,
        }
    }

    /// The webhook at `path` is removed from the workspace: it answers 404 `no_service` from
    /// now on. `false` when there was no such webhook.
    pub fn remove_slack(&self, path: &str) -> bool {
        let mut store = self.store();
        slack_key(path).is_some_and(|key| store.slack.remove(&key).is_some())
    }

    /// The messages Slack accepted, in order: the webhook's path and the message as sent.
    pub fn slack_messages(&self) -> Vec<(String, Value)> {
        self.store().slack_messages.clone()
    }

    /// Creates a Teams Workflows webhook and returns the path and query of its trigger URL
    /// (`/workflows/{id}/triggers/manual/paths/invoke?api-version=…&sp=…&sv=1.0&sig=…`).
    pub fn teams_hook(&self) -> String {
        let id = self.random(32, HEX);
        let sig = self.random(43, BASE64URL);
        let path = format!(
            "/workflows/{id}/triggers/manual/paths/invoke?api-version={TEAMS_API_VERSION}&sp=%2Ftriggers%2Fmanual%2Frun&sv={TEAMS_SV}&sig={sig}"
        );
        self.store().teams.insert(id, sig);
        path
    }

    /// The messages the Teams workflows accepted, in order: the workflow's id and the body as
    /// sent.
    pub fn teams_messages(&self) -> Vec<(String, Value)> {
        self.store().teams_messages.clone()
    }
}

/// Starts the double of the chat webhooks (Slack's and Teams' on one server).
pub async fn start() -> std::io::Result<(Served, Arc<Chat>)> {
    let chat = Arc::new(Chat {
        store: Mutex::new(Store::default()),
        counter: AtomicU64::new(0),
        keys: RandomState::new(),
    });
    let router = Router::new()
        .route("/services/{team}/{channel}/{secret}", post(slack_post))
        .route(
            "/workflows/{id}/triggers/manual/paths/invoke",
            post(teams_post),
        )
        .fallback(not_found)
        .with_state(chat.clone());
    Ok((serve(router).await?, chat))
}

/// Slack's 429 for an incoming webhook over its rate limit: `Retry-After` and "a JSON object
/// containing the number of calls you have been making" (the counts of Slack's own example).
pub fn slack_rate_limited(retry_after: u64) -> Fault {
    Fault::Status {
        status: 429,
        body: json!({
            "ok": false,
            "count_hour_ago": 400,
            "count_minute_ago": 100,
            "count_second_ago": 5,
        }),
        retry_after: Some(retry_after),
    }
}

/// `(team, channel)` of a webhook path `/services/T…/B…/secret`.
fn slack_key(path: &str) -> Option<(String, String)> {
    let mut parts = path.strip_prefix("/services/")?.split('/');
    let team = parts.next()?;
    let channel = parts.next()?;
    Some((team.to_string(), channel.to_string()))
}

/// One of Slack's webhook answers: a bare string, labelled `text/html` as Slack labels it.
fn slack_answer(status: StatusCode, body: &'static str) -> Response {
    (status, [(header::CONTENT_TYPE, "text/html")], body).into_response()
}

/// A path the double does not serve: under `/services/` Slack's `no_service`, else a bare 404.
async fn not_found(uri: Uri) -> Response {
    if uri.path().starts_with("/services/") {
        slack_answer(StatusCode::NOT_FOUND, "no_service")
    } else {
        StatusCode::NOT_FOUND.into_response()
    }
}

/// The message in a Slack webhook request: a JSON body, or a form with a JSON `payload`.
fn slack_payload(body: &[u8]) -> Option<Map<String, Value>> {
    let value = serde_json::from_slice::<Value>(body).ok().or_else(|| {
        url::form_urlencoded::parse(body)
            .find(|(key, _)| key == "payload")
            .and_then(|(_, payload)| serde_json::from_str(&payload).ok())
    })?;
    match value {
        Value::Object(message) => Some(message),
        _ => None,
    }
}

/// Why Slack refuses a message, if it does.
fn slack_refusal(message: &Map<String, Value>) -> Option<&'static str> {
    let present = |key: &str| message.get(key).filter(|v| !v.is_null());
    let text = present("text");
    let blocks = present("blocks");
    let attachments = present("attachments");
    if text.is_some_and(|t| !t.is_string())
        || blocks.is_some_and(|b| !b.is_array())
        || attachments.is_some_and(|a| !a.is_array())
    {
        return Some("invalid_payload");
    }
    let count = |v: Option<&Value>| v.and_then(Value::as_array).map_or(0, Vec::len);
    if count(attachments) > SLACK_MAX_ATTACHMENTS {
        return Some("too_many_attachments");
    }
    let has_text = text
        .and_then(Value::as_str)
        .is_some_and(|t| !t.trim().is_empty());
    if has_text || count(blocks) > 0 || count(attachments) > 0 {
        None
    } else if text.is_none() && blocks.is_none() && attachments.is_none() {
        Some("no_text")
    } else {
        Some("missing_text_or_fallback_or_attachments")
    }
}

/// `POST /services/{team}/{channel}/{secret}`.
async fn slack_post(
    State(chat): State<Arc<Chat>>,
    Path((team, channel, secret)): Path<(String, String, String)>,
    uri: Uri,
    body: Bytes,
) -> Response {
    let mut store = chat.store();
    let Some(hook) = store.slack.get(&(team, channel)).cloned() else {
        return slack_answer(StatusCode::NOT_FOUND, "no_service");
    };
    if hook.secret != secret {
        return slack_answer(StatusCode::FORBIDDEN, "invalid_token");
    }
    let Some(message) = slack_payload(&body) else {
        return slack_answer(StatusCode::BAD_REQUEST, "invalid_payload");
    };
    if let Some(refusal) = slack_refusal(&message) {
        return slack_answer(StatusCode::BAD_REQUEST, refusal);
    }
    if hook.archived {
        return slack_answer(StatusCode::GONE, "channel_is_archived");
    }
    store
        .slack_messages
        .push((uri.path().to_string(), Value::Object(message)));
    slack_answer(StatusCode::OK, "ok")
}

/// Logic Apps' error body.
fn logic_error(status: u16, code: &str, message: String) -> Response {
    error(status, json!({"error": {"code": code, "message": message}}))
}

fn schema_mismatch(details: &str) -> Response {
    logic_error(
        400,
        "TriggerInputSchemaMismatch",
        format!(
            "The input body for trigger 'manual' of type 'Request' did not match its schema definition. Error details: '{details}'."
        ),
    )
}

/// Why a Teams webhook body is not a card the channel can show, if it is not.
fn teams_refusal(body: &Value) -> Option<String> {
    let Some(message) = body.as_object() else {
        return Some(format!(
            "Invalid type. Expected Object but got {}.",
            json_type(body)
        ));
    };
    if message.get("@type").and_then(Value::as_str) == Some("MessageCard") {
        let filled = |key: &str| {
            message.get(key).is_some_and(|v| match v {
                Value::String(s) => !s.trim().is_empty(),
                Value::Array(a) => !a.is_empty(),
                _ => false,
            })
        };
        return if filled("summary") || filled("text") || filled("sections") {
            None
        } else {
            Some("Summary or Text is required.".to_string())
        };
    }
    match message.get("type") {
        Some(Value::String(t)) if t == "message" => {}
        Some(Value::String(t)) => {
            return Some(format!(
                "Value \"{t}\" is not defined in enum. Path 'type'."
            ))
        }
        Some(other) => {
            return Some(format!(
                "Invalid type. Expected String but got {}. Path 'type'.",
                json_type(other)
            ))
        }
        None => return Some("Required properties are missing from object: type.".to_string()),
    }
    let attachments = match message.get("attachments") {
        Some(Value::Array(a)) if !a.is_empty() => a,
        Some(Value::Array(_)) => {
            return Some(
                "Array item count 0 is less than minimum count of 1. Path 'attachments'."
                    .to_string(),
            )
        }
        Some(other) => {
            return Some(format!(
                "Invalid type. Expected Array but got {}. Path 'attachments'.",
                json_type(other)
            ))
        }
        None => {
            return Some("Required properties are missing from object: attachments.".to_string())
        }
    };
    for (i, attachment) in attachments.iter().enumerate() {
        let Some(attachment) = attachment.as_object() else {
            return Some(format!(
                "Invalid type. Expected Object but got {}. Path 'attachments[{i}]'.",
                json_type(attachment)
            ));
        };
        let missing: Vec<&str> = ["contentType", "content"]
            .into_iter()
            .filter(|key| attachment.get(*key).is_none_or(Value::is_null))
            .collect();
        if !missing.is_empty() {
            return Some(format!(
                "Required properties are missing from object: {}. Path 'attachments[{i}]'.",
                missing.join(", ")
            ));
        }
        if attachment.get("contentType").and_then(Value::as_str) != Some(ADAPTIVE_CARD) {
            return Some(format!(
                "Value {} is not defined in enum. Path 'attachments[{i}].contentType'.",
                attachment["contentType"]
            ));
        }
        let Some(card) = attachment["content"].as_object() else {
            return Some(format!(
                "Invalid type. Expected Object but got {}. Path 'attachments[{i}].content'.",
                json_type(&attachment["content"])
            ));
        };
        let path = format!("attachments[{i}].content");
        if card.get("type").and_then(Value::as_str) != Some("AdaptiveCard") {
            return Some(format!(
                "Value {} is not defined in enum. Path '{path}.type'.",
                card.get("type").unwrap_or(&Value::Null)
            ));
        }
        match card.get("version") {
            Some(Value::String(v)) if !v.is_empty() => {}
            other => {
                return Some(format!(
                    "Invalid type. Expected String but got {}. Path '{path}.version'.",
                    json_type(other.unwrap_or(&Value::Null))
                ))
            }
        }
        if let Some(content) = card.get("body").filter(|b| !b.is_array()) {
            return Some(format!(
                "Invalid type. Expected Array but got {}. Path '{path}.body'.",
                json_type(content)
            ));
        }
    }
    None
}

/// A JSON value's type as Json.NET's schema errors name it.
fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "Null",
        Value::Bool(_) => "Boolean",
        Value::Number(n) if n.is_f64() => "Float",
        Value::Number(_) => "Integer",
        Value::String(_) => "String",
        Value::Array(_) => "Array",
        Value::Object(_) => "Object",
    }
}

/// `POST /workflows/{id}/triggers/manual/paths/invoke`.
async fn teams_post(
    State(chat): State<Arc<Chat>>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let pairs: Vec<(String, String)> =
        url::form_urlencoded::parse(query.as_deref().unwrap_or("").as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
    let param = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    match param("api-version") {
        None | Some("") => {
            return logic_error(
                400,
                "MissingApiVersionParameter",
                "The api-version query parameter (?api-version=) is required for all requests."
                    .to_string(),
            )
        }
        Some(version) if !TEAMS_API_VERSIONS.contains(&version) => {
            return logic_error(
                400,
                "InvalidApiVersionParameter",
                format!(
                    "The api-version '{version}' is not valid. The supported versions are '{}'.",
                    TEAMS_API_VERSIONS.join(",")
                ),
            )
        }
        Some(_) => {}
    }
    let (Some(sp), Some(sv), Some(sig)) = (param("sp"), param("sv"), param("sig")) else {
        return logic_error(
            401,
            "DirectApiAuthorizationRequired",
            "The request must be authenticated only by Shared Access scheme.".to_string(),
        );
    };
    let mut store = chat.store();
    let Some(expected) = store.teams.get(&id) else {
        return logic_error(
            404,
            "WorkflowNotFound",
            format!("The workflow '{id}' could not be found."),
        );
    };
    if sp != TEAMS_SP || sv != TEAMS_SV || sig != expected {
        return logic_error(
            401,
            "DirectApiInvalidAuthorizationSignature",
            "The provided authorization signature is not valid.".to_string(),
        );
    }
    let message: Value = match serde_json::from_slice(&body) {
        Ok(message) => message,
        Err(e) => {
            return logic_error(
                400,
                "InvalidRequestContent",
                format!("The request content was invalid and could not be deserialized: '{e}'."),
            )
        }
    };
    if let Some(details) = teams_refusal(&message) {
        return schema_mismatch(&details);
    }
    store.teams_messages.push((id.clone(), message));
    let run = store.teams_messages.len();
    drop(store);
    let mut response = StatusCode::ACCEPTED.into_response();
    let headers = response.headers_mut();
    if let Ok(value) = id.parse() {
        headers.insert("x-ms-workflow-id", value);
    }
    if let Ok(value) = format!("08584{run:015}CU00").parse() {
        headers.insert("x-ms-workflow-run-id", value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::{HeaderMap, Method};

    async fn chat() -> (Served, Arc<Chat>, reqwest::Client) {
        let (served, chat) = start().await.expect("double starts");
        (served, chat, reqwest::Client::new())
    }

    async fn answer(request: reqwest::RequestBuilder) -> (u16, HeaderMap, String) {
        let response = request.send().await.expect("double answers");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.text().await.expect("body");
        (status, headers, body)
    }

    fn card(text: &str) -> Value {
        json!({
            "type": "message",
            "attachments": [{
                "contentType": ADAPTIVE_CARD,
                "contentUrl": null,
                "content": {
                    "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                    "type": "AdaptiveCard",
                    "version": "1.4",
                    "body": [{"type": "TextBlock", "text": text, "wrap": true}],
                },
            }],
        })
    }

    fn logic_code(body: &str) -> String {
        let body: Value = serde_json::from_str(body).expect("Logic Apps error is JSON");
        body["error"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    #[tokio::test]
    async fn slack_accepts_a_message_and_records_it() {
        let (served, chat, http) = chat().await;
        let hook = chat.slack_hook();
        assert!(hook.starts_with(&format!("/services/{SLACK_TEAM}/B")));
        assert_eq!(hook.rsplit('/').next().map(str::len), Some(24));
        let url = format!("{}{hook}", served.url);
        let message = json!({
            "text": "New 1-star review on Trustpilot",
            "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "*Kettle leaks*"}}],
        });

        let (status, headers, body) = answer(http.post(&url).json(&message)).await;
        assert_eq!((status, body.as_str()), (200, "ok"));
        assert_eq!(headers["content-type"], "text/html");

        // Blocks alone, and the legacy form body, are messages too.
        let blocks = json!({"blocks": [{"type": "divider"}]});
        assert_eq!(answer(http.post(&url).json(&blocks)).await.0, 200);
        let form = [("payload", r#"{"text":"from a form"}"#)];
        assert_eq!(answer(http.post(&url).form(&form)).await.0, 200);

        let recorded = chat.slack_messages();
        assert_eq!(recorded.len(), 3);
        assert_eq!(recorded[0], (hook.clone(), message));
        assert_eq!(recorded[2].1["text"], "from a form");
        assert_eq!(served.recorder.requests_to(Method::POST, &hook).len(), 3);
    }

    #[tokio::test]
    async fn slack_refuses_unknown_hooks_as_slack_does() {
        let (served, chat, http) = chat().await;
        let hook = chat.slack_hook();
        let message = json!({"text": "hello"});

        let unknown = format!("{}/services/{SLACK_TEAM}/B00000000/nope", served.url);
        let (status, headers, body) = answer(http.post(&unknown).json(&message)).await;
        assert_eq!((status, body.as_str()), (404, "no_service"));
        assert_eq!(headers["content-type"], "text/html");

        let (prefix, _) = hook.rsplit_once('/').expect("secret segment");
        let wrong = format!("{}{prefix}/{}", served.url, "x".repeat(24));
        let (status, _, body) = answer(http.post(&wrong).json(&message)).await;
        assert_eq!((status, body.as_str()), (403, "invalid_token"));

        let short = format!("{}/services/{SLACK_TEAM}", served.url);
        let (status, _, body) = answer(http.post(&short).json(&message)).await;
        assert_eq!((status, body.as_str()), (404, "no_service"));

        assert!(chat.remove_slack(&hook));
        let (status, _, body) =
            answer(http.post(format!("{}{hook}", served.url)).json(&message)).await;
        assert_eq!((status, body.as_str()), (404, "no_service"));
        assert!(chat.slack_messages().is_empty());
    }

    #[tokio::test]
    async fn slack_refuses_payloads_without_a_message() {
        let (served, chat, http) = chat().await;
        let url = format!("{}{}", served.url, chat.slack_hook());
        let refused = |body: &str| (400, body.to_string());

        let (status, _, body) = answer(http.post(&url).body("{not json")).await;
        assert_eq!((status, body), refused("invalid_payload"));
        let (status, _, body) = answer(http.post(&url).json(&json!(["text"]))).await;
        assert_eq!((status, body), refused("invalid_payload"));
        let (status, _, body) = answer(http.post(&url).json(&json!({"text": 7}))).await;
        assert_eq!((status, body), refused("invalid_payload"));

        let (status, _, body) = answer(http.post(&url).json(&json!({}))).await;
        assert_eq!((status, body), refused("no_text"));
        let (status, _, body) = answer(http.post(&url).json(&json!({"username": "x"}))).await;
        assert_eq!((status, body), refused("no_text"));

        let empty = json!({"text": "", "blocks": []});
        let (status, _, body) = answer(http.post(&url).json(&empty)).await;
        assert_eq!(
            (status, body),
            refused("missing_text_or_fallback_or_attachments")
        );

        let many = json!({"attachments": vec![json!({"text": "a"}); SLACK_MAX_ATTACHMENTS + 1]});
        let (status, _, body) = answer(http.post(&url).json(&many)).await;
        assert_eq!((status, body), refused("too_many_attachments"));

        assert!(chat.slack_messages().is_empty());
    }

    #[tokio::test]
    async fn slack_refuses_archived_channels() {
        let (served, chat, http) = chat().await;
        let hook = chat.slack_hook();
        let other = chat.slack_hook();
        assert!(chat.archive_slack(&hook));
        assert!(!chat.archive_slack("/services/T1/B1/x"));

        let message = json!({"text": "hello"});
        let (status, headers, body) =
            answer(http.post(format!("{}{hook}", served.url)).json(&message)).await;
        assert_eq!((status, body.as_str()), (410, "channel_is_archived"));
        assert_eq!(headers["content-type"], "text/html");
        let (status, _, _) =
            answer(http.post(format!("{}{other}", served.url)).json(&message)).await;
        assert_eq!(status, 200);
        assert_eq!(chat.slack_messages().len(), 1);
    }

    #[tokio::test]
    async fn slack_rate_limit_answers_429_with_retry_after() {
        let (served, chat, http) = chat().await;
        let hook = chat.slack_hook();
        served
            .recorder
            .fail_next_to(Method::POST, &hook, slack_rate_limited(30));
        let url = format!("{}{hook}", served.url);
        let message = json!({"text": "hello"});

        let (status, headers, body) = answer(http.post(&url).json(&message)).await;
        assert_eq!(status, 429);
        assert_eq!(headers["retry-after"], "30");
        let body: Value = serde_json::from_str(&body).expect("JSON counts");
        assert_eq!(body["ok"], false);
        assert!(body["count_second_ago"].is_u64());
        assert!(chat.slack_messages().is_empty());

        assert_eq!(answer(http.post(&url).json(&message)).await.0, 200);
    }

    #[tokio::test]
    async fn teams_accepts_an_adaptive_card_with_202() {
        let (served, chat, http) = chat().await;
        let hook = chat.teams_hook();
        let (path, query) = hook.split_once('?').expect("query");
        assert!(path.starts_with("/workflows/") && path.ends_with("/triggers/manual/paths/invoke"));
        assert!(query.contains("sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig="));
        let id = path.split('/').nth(2).expect("workflow id").to_string();

        let (status, headers, body) = answer(
            http.post(format!("{}{hook}", served.url))
                .json(&card("Ticket 42 solved")),
        )
        .await;
        assert_eq!((status, body.as_str()), (202, ""));
        assert_eq!(headers["x-ms-workflow-id"], id.as_str());
        assert!(headers.contains_key("x-ms-workflow-run-id"));

        let legacy = json!({
            "@type": "MessageCard",
            "@context": "http://schema.org/extensions",
            "summary": "New review",
            "sections": [{"activityTitle": "Ada left 5 stars"}],
        });
        let (status, _, _) = answer(http.post(format!("{}{hook}", served.url)).json(&legacy)).await;
        assert_eq!(status, 202);

        let recorded = chat.teams_messages();
        assert_eq!(recorded.len(), 2);
        assert_eq!(recorded[0], (id.clone(), card("Ticket 42 solved")));
        assert_eq!(recorded[1].1["@type"], "MessageCard");
        assert_eq!(served.recorder.requests_to(Method::POST, path).len(), 2);
    }

    #[tokio::test]
    async fn teams_refuses_a_wrong_or_missing_signature() {
        let (served, chat, http) = chat().await;
        let hook = chat.teams_hook();
        let (path, _) = hook.split_once('?').expect("query");
        let message = card("hello");

        let wrong = format!(
            "{}{path}?api-version={TEAMS_API_VERSION}&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=forged",
            served.url
        );
        let (status, headers, body) = answer(http.post(&wrong).json(&message)).await;
        assert_eq!(status, 401);
        assert!(headers["content-type"]
            .to_str()
            .is_ok_and(|t| t.starts_with("application/json")));
        assert_eq!(logic_code(&body), "DirectApiInvalidAuthorizationSignature");

        // The signature covers the permissions: the right sig with other ones is refused.
        let widened = format!("{}{}", served.url, hook.replace("%2Frun", "%2Fread"));
        let (status, _, body) = answer(http.post(&widened).json(&message)).await;
        assert_eq!(
            (status, logic_code(&body).as_str()),
            (401, "DirectApiInvalidAuthorizationSignature")
        );

        let unsigned = format!("{}{path}?api-version={TEAMS_API_VERSION}", served.url);
        let (status, _, body) = answer(http.post(&unsigned).json(&message)).await;
        assert_eq!(status, 401);
        let body: Value = serde_json::from_str(&body).expect("JSON");
        assert_eq!(
            body,
            json!({"error": {
                "code": "DirectApiAuthorizationRequired",
                "message": "The request must be authenticated only by Shared Access scheme.",
            }})
        );

        let unversioned = format!("{}{path}", served.url);
        let (status, _, body) = answer(http.post(&unversioned).json(&message)).await;
        assert_eq!(
            (status, logic_code(&body).as_str()),
            (400, "MissingApiVersionParameter")
        );

        let other = chat.teams_hook();
        let stranger = format!(
            "{}/workflows/{}/triggers/manual/paths/invoke?{}",
            served.url,
            "0".repeat(32),
            other.split_once('?').expect("query").1
        );
        let (status, _, body) = answer(http.post(&stranger).json(&message)).await;
        assert_eq!(
            (status, logic_code(&body).as_str()),
            (404, "WorkflowNotFound")
        );

        assert!(chat.teams_messages().is_empty());
    }

    #[tokio::test]
    async fn teams_refuses_malformed_cards() {
        let (served, chat, http) = chat().await;
        let url = format!("{}{}", served.url, chat.teams_hook());
        let refused = |body: &str| -> (String, String) {
            let body: Value = serde_json::from_str(body).expect("JSON");
            (
                body["error"]["code"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                body["error"]["message"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            )
        };

        let (status, _, body) = answer(http.post(&url).body("{oops")).await;
        assert_eq!(
            (status, logic_code(&body).as_str()),
            (400, "InvalidRequestContent")
        );

        let no_content = json!({"type": "message", "attachments": [{"contentUrl": null}]});
        let (status, _, body) = answer(http.post(&url).json(&no_content)).await;
        assert_eq!(status, 400);
        let (code, message) = refused(&body);
        assert_eq!(code, "TriggerInputSchemaMismatch");
        assert!(message.starts_with(
            "The input body for trigger 'manual' of type 'Request' did not match its schema definition."
        ));
        assert!(
            message.contains("Required properties are missing from object: contentType, content.")
        );

        let mut not_adaptive = card("x");
        not_adaptive["attachments"][0]["content"]["type"] = json!("HeroCard");
        let mut no_version = card("x");
        no_version["attachments"][0]["content"]
            .as_object_mut()
            .expect("card")
            .remove("version");
        let mut thumbnail = card("x");
        thumbnail["attachments"][0]["contentType"] =
            json!("application/vnd.microsoft.card.thumbnail");
        let mut not_message = card("x");
        not_message["type"] = json!("event");
        let bad = [
            json!({"text": "plain text is not a card"}),
            json!({"type": "message", "attachments": []}),
            not_adaptive,
            no_version,
            thumbnail,
            not_message,
            json!({"@type": "MessageCard", "themeColor": "0076D7"}),
        ];
        for message in bad {
            let (status, _, body) = answer(http.post(&url).json(&message)).await;
            assert_eq!(
                (status, refused(&body).0.as_str()),
                (400, "TriggerInputSchemaMismatch"),
                "{message}"
            );
        }
        assert!(chat.teams_messages().is_empty());
    }
}
