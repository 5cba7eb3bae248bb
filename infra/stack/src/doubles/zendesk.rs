//! A double of Zendesk Support's REST API (ticketing) for what Liaison does with a help desk,
//! from Zendesk's API reference:
//! - Tickets (<https://developer.zendesk.com/api-reference/ticketing/tickets/tickets/>):
//!   - `POST /api/v2/tickets` ("Create Ticket") with `{"ticket": {subject, comment: {body |
//!     html_body, public}, requester: {name, email}, priority, status, type, tags,
//!     external_id}}` → 201, `Location`, `{"ticket", "audit"}`. The comment is the ticket's
//!     first comment and its `description`. The requester is found by email among the
//!     account's (not deleted) users, or created as an `end-user`; they are then the
//!     submitter and the first comment's author too. With no assignee a ticket is `new`;
//!   - `GET /api/v2/tickets?external_id=X` ("List Tickets": "External ids don't have to be
//!     unique for each ticket") → `{"tickets", "next_page", "previous_page", "count"}`;
//!   - `GET /api/v2/tickets/{id}` ("Show Ticket") → `{"ticket"}` (no comments);
//!   - `PUT /api/v2/tickets/{id}` ("Update Ticket") with `{"ticket": {status, priority,
//!     subject, type, tags, external_id, comment: {body, public}}}` → `{"ticket", "audit"}`; the
//!     comment is added to the ticket's conversation. A `closed` ticket cannot be updated: 422
//!     `Status: closed prevents ticket update` under `details.status`;
//! - Users (<https://developer.zendesk.com/api-reference/ticketing/users/users/>):
//!   - `GET /api/v2/users/me` ("Show the Currently Authenticated User") → `{"user"}`;
//!   - `DELETE /api/v2/users/{id}` ("Delete User": soft-deleted, recoverable) →
//!     `{"user": {.., "active": false}}`;
//!   - `DELETE /api/v2/deleted_users/{id}` ("Permanently Delete User": "you must delete the
//!     user first"; "deletes all of their information") → `{"deleted_user"}`, the record as it
//!     was; afterwards the double keeps only what "List Deleted Users" shows of such a user:
//!     its id, `name` "Permanently Deleted User", `email` and `phone` null. Its tickets keep
//!     their `requester_id` (Zendesk does not delete a user's tickets with the user), which
//!     now leads to that empty record.
//!
//! Every path is also served with the `.json` suffix the reference writes in its examples.
//!
//! Authentication is API token auth
//! (<https://developer.zendesk.com/api-reference/introduction/security-and-auth/>):
//! `Authorization: Basic base64("{agent_email}/token:{api_token}")`; anything else is 401
//! `{"error":"Couldn't authenticate you"}`.
//!
//! Errors are Zendesk's (<https://developer.zendesk.com/api-reference/introduction/requests/>):
//! 404 `{"error":"RecordNotFound","description":"Not found"}`; 422
//! `{"error":"RecordInvalid","description":"Record validation errors","details":{field:
//! [{"description", "error"?}]}}`: a ticket without a comment body is
//! `Description: cannot be blank` (`BlankValue`, under `base`), an unknown priority
//! `Priority: is invalid` (under `base`), as the API answers them.
//!
//! Rate limits (<https://developer.zendesk.com/api-reference/introduction/rate-limits/>): "the
//! API responds with a 429 Too Many Requests status code. The response also has a Retry-After
//! header"; a test queues one with `Recorder::fail_next(zendesk::rate_limited(seconds))`.
//!
//! Zendesk's event webhooks
//! (<https://developer.zendesk.com/api-reference/webhooks/event-types/webhook-event-types/>,
//! <https://developer.zendesk.com/api-reference/webhooks/event-types/ticket-events/>) are
//! played by [`Desk::status_changed_event`]: the body Zendesk POSTs for
//! `zen:event-type:ticket.status_changed`, its `detail` fields as strings and its statuses in
//! upper case (`"SOLVED"`), as Zendesk sends them. [`Desk::set_status`] plays an agent changing
//! a ticket in Zendesk's own interface.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get};
use axum::Router;
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Value};

use super::oauth::basic;
use super::{error, serve, Fault, Served};

/// The account id the double's webhook events carry.
pub const ACCOUNT_ID: u64 = 12_514_403;
/// What a permanently deleted user is called afterwards ("List Deleted Users").
pub const PERMANENTLY_DELETED_NAME: &str = "Permanently Deleted User";
/// The version of Zendesk's event schema its ticket events carry.
pub const EVENT_VERSION: &str = "2022-11-06";

const PRIORITIES: [&str; 4] = ["urgent", "high", "normal", "low"];
const STATUSES: [&str; 6] = ["new", "open", "pending", "hold", "solved", "closed"];
const TYPES: [&str; 4] = ["problem", "incident", "question", "task"];

/// A comment in a ticket's conversation.
#[derive(Debug, Clone)]
pub struct Comment {
    pub id: u64,
    pub author_id: u64,
    pub body: String,
    pub html_body: String,
    pub public: bool,
    pub created_at: DateTime<Utc>,
}

/// A ticket as the help desk has it.
#[derive(Debug, Clone)]
pub struct Ticket {
    pub id: u64,
    pub external_id: Option<String>,
    pub subject: Option<String>,
    /// The first comment's text.
    pub description: String,
    /// `urgent`, `high`, `normal` or `low`.
    pub priority: Option<String>,
    /// `new`, `open`, `pending`, `hold`, `solved` or `closed`.
    pub status: String,
    /// `problem`, `incident`, `question` or `task`.
    pub ticket_type: Option<String>,
    pub requester_id: u64,
    pub submitter_id: u64,
    pub tags: Vec<String>,
    /// The conversation, the first comment first.
    pub comments: Vec<Comment>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Ticket {
    /// Whether its first comment is public (Zendesk's `is_public`).
    pub fn is_public(&self) -> bool {
        self.comments.first().is_none_or(|c| c.public)
    }
}

/// A user of the account: the agent the API token belongs to, or an end user.
#[derive(Debug, Clone)]
pub struct User {
    pub id: u64,
    /// [`PERMANENTLY_DELETED_NAME`] once permanently deleted.
    pub name: String,
    /// `None` once permanently deleted.
    pub email: Option<String>,
    /// `end-user`, `agent` or `admin`.
    pub role: String,
    /// `false` once deleted (soft or permanently).
    pub active: bool,
    pub permanently_deleted: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Default)]
struct Store {
    users: BTreeMap<u64, User>,
    tickets: BTreeMap<u64, Ticket>,
    next_user: u64,
    next_ticket: u64,
    /// Comments, audits and audit events share Zendesk's large ids.
    next_object: u64,
}

impl Store {
    fn user_id(&mut self) -> u64 {
        self.next_user += 1;
        self.next_user
    }

    fn ticket_id(&mut self) -> u64 {
        self.next_ticket += 1;
        self.next_ticket
    }

    fn object_id(&mut self) -> u64 {
        self.next_object += 1;
        self.next_object
    }

    fn add_user(&mut self, name: &str, email: Option<&str>, role: &str) -> u64 {
        let id = self.user_id();
        let now = Utc::now();
        self.users.insert(
            id,
            User {
                id,
                name: name.to_string(),
                email: email.map(str::to_string),
                role: role.to_string(),
                active: true,
                permanently_deleted: false,
                created_at: now,
                updated_at: now,
            },
        );
        id
    }

    /// The active user whose email is `email` (emails are case-insensitive).
    fn active_by_email(&self, email: &str) -> Option<u64> {
        self.users
            .values()
            .find(|u| {
                u.active
                    && u.email
                        .as_deref()
                        .is_some_and(|e| e.eq_ignore_ascii_case(email))
            })
            .map(|u| u.id)
    }
}

/// What the double holds: the login it accepts, its users and tickets.
pub struct Desk {
    pub agent_email: String,
    pub api_token: String,
    /// The user the API token belongs to (an admin: it may delete users).
    pub agent_id: u64,
    store: Mutex<Store>,
}

impl Desk {
    fn store(&self) -> std::sync::MutexGuard<'_, Store> {
        self.store.lock().expect("desk lock")
    }

    /// Every ticket, by id.
    pub fn tickets(&self) -> Vec<Ticket> {
        self.store().tickets.values().cloned().collect()
    }

    pub fn ticket(&self, id: u64) -> Option<Ticket> {
        self.store().tickets.get(&id).cloned()
    }

    /// Every user, by id, deleted ones included.
    pub fn users(&self) -> Vec<User> {
        self.store().users.values().cloned().collect()
    }

    pub fn user(&self, id: u64) -> Option<User> {
        self.store().users.get(&id).cloned()
    }

    /// The user with this email, soft-deleted or not (a permanently deleted user has none).
    pub fn user_by_email(&self, email: &str) -> Option<User> {
        self.store()
            .users
            .values()
            .find(|u| {
                u.email
                    .as_deref()
                    .is_some_and(|e| e.eq_ignore_ascii_case(email))
            })
            .cloned()
    }

    /// Whether user `id` was permanently deleted.
    pub fn permanently_deleted(&self, id: u64) -> bool {
        self.store()
            .users
            .get(&id)
            .is_some_and(|u| u.permanently_deleted)
    }

    /// Adds an end user (someone who wrote to the help desk before), returning their id.
    pub fn add_end_user(&self, name: &str, email: &str) -> u64 {
        self.store().add_user(name, Some(email), "end-user")
    }

    /// An agent changes ticket `ticket_id`'s status in Zendesk's interface. Returns the
    /// status it had, or `None` when there is no such ticket.
    pub fn set_status(&self, ticket_id: u64, status: &str) -> Option<String> {
        let mut store = self.store();
        let ticket = store.tickets.get_mut(&ticket_id)?;
        let previous = std::mem::replace(&mut ticket.status, status.to_string());
        ticket.updated_at = Utc::now();
        Some(previous)
    }

    /// The body Zendesk's event webhook POSTs for `zen:event-type:ticket.status_changed` on
    /// ticket `ticket_id`, gone from `previous` to `current` (API spellings, `open`,
    /// `solved`..). As Zendesk sends it: `detail` is the ticket with its ids and
    /// `external_id` as strings, statuses, priority and type in upper case; `event` is
    /// `{"current", "previous", "meta"}`.
    pub fn status_changed_event(&self, ticket_id: u64, previous: &str, current: &str) -> Value {
        let store = self.store();
        let now = Utc::now();
        let upper = |v: &Option<String>| v.as_deref().map(str::to_uppercase);
        let mut detail = json!({
            "actor_id": self.agent_id.to_string(),
            "assignee_id": Value::Null,
            "brand_id": Value::Null,
            "custom_status": Value::Null,
            "form_id": Value::Null,
            "group_id": Value::Null,
            "id": ticket_id.to_string(),
            "organization_id": Value::Null,
            "status": current.to_uppercase(),
            "via": {"channel": "web_service"},
        });
        if let Some(ticket) = store.tickets.get(&ticket_id) {
            detail["created_at"] = json!(timestamp(ticket.created_at));
            detail["description"] = json!(ticket.description);
            detail["external_id"] = json!(ticket.external_id);
            detail["is_public"] = json!(ticket.is_public());
            detail["priority"] = json!(upper(&ticket.priority));
            detail["requester_id"] = json!(ticket.requester_id.to_string());
            detail["subject"] = json!(ticket.subject);
            detail["submitter_id"] = json!(ticket.submitter_id.to_string());
            detail["tags"] = json!(ticket.tags);
            detail["type"] = json!(upper(&ticket.ticket_type));
            detail["updated_at"] = json!(timestamp(ticket.updated_at));
        }
        let nanos = now.timestamp_nanos_opt().unwrap_or_default().unsigned_abs();
        json!({
            "type": "zen:event-type:ticket.status_changed",
            "account_id": ACCOUNT_ID,
            "id": format!(
                "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
                ticket_id & 0xffff_ffff,
                (nanos >> 48) & 0xffff,
                (nanos >> 36) & 0xfff,
                (nanos >> 24) & 0xfff,
                nanos & 0xffff_ffff_ffff,
            ),
            "time": now.to_rfc3339_opts(SecondsFormat::Nanos, true),
            "zendesk_event_version": EVENT_VERSION,
            "subject": format!("zen:ticket:{ticket_id}"),
            "detail": detail,
            "event": {
                "current": current.to_uppercase(),
                "previous": previous.to_uppercase(),
                "meta": {"sequence": {"id": format!("{:X}", nanos), "position": 1}},
            },
        })
    }
}

/// Starts the double of a help desk whose API token `api_token` belongs to `agent_email`.
pub async fn start(agent_email: &str, api_token: &str) -> std::io::Result<(Served, Arc<Desk>)> {
    let mut store = Store {
        next_user: 360_000_000_000,
        next_object: 9_000_000_000_000,
        ..Store::default()
    };
    let agent_name = agent_email.split('@').next().unwrap_or(agent_email);
    let agent_id = store.add_user(agent_name, Some(agent_email), "admin");
    let desk = Arc::new(Desk {
        agent_email: agent_email.to_string(),
        api_token: api_token.to_string(),
        agent_id,
        store: Mutex::new(store),
    });
    let router = Router::new()
        .route("/api/v2/tickets", get(list_tickets).post(create_ticket))
        .route(
            "/api/v2/tickets.json",
            get(list_tickets).post(create_ticket),
        )
        .route(
            "/api/v2/tickets/{file}",
            get(show_ticket).put(update_ticket),
        )
        .route("/api/v2/users/{file}", get(show_me).delete(delete_user))
        .route(
            "/api/v2/deleted_users/{file}",
            delete(permanently_delete_user),
        )
        .fallback(invalid_endpoint)
        .with_state(desk.clone());
    Ok((serve(router).await?, desk))
}

/// Zendesk's 429, with its `Retry-After`. Its rate-limit page documents only the status and
/// the header; the body Zendesk sends is the plain text "Number of allowed API requests per
/// minute exceeded" (which the shared recorder answers as a JSON string).
pub fn rate_limited(retry_after: u64) -> Fault {
    Fault::Status {
        status: 429,
        body: json!("Number of allowed API requests per minute exceeded"),
        retry_after: Some(retry_after),
    }
}

fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn not_found() -> Response {
    error(
        404,
        json!({"error": "RecordNotFound", "description": "Not found"}),
    )
}

async fn invalid_endpoint() -> Response {
    error(
        404,
        json!({"error": "InvalidEndpoint", "description": "Not found"}),
    )
}

/// Zendesk's 422: `details` maps a field to its errors.
fn record_invalid(field: &str, errors: Value) -> Response {
    error(
        422,
        json!({
            "error": "RecordInvalid",
            "description": "Record validation errors",
            "details": {field: errors},
        }),
    )
}

fn blank_description() -> Response {
    record_invalid(
        "base",
        json!([{
            "description": "Description: cannot be blank",
            "error": "BlankValue",
            "ticket_field_type": "FieldDescription",
        }]),
    )
}

/// An unknown value for a ticket field (`Priority: is invalid`).
fn invalid_value(label: &str) -> Response {
    record_invalid(
        "base",
        json!([{ "description": format!("{label}: is invalid") }]),
    )
}

/// The login check every call starts with: the refusal, if the login is not the desk's.
fn refusal(desk: &Desk, headers: &HeaderMap) -> Option<Response> {
    let expected = format!("{}/token", desk.agent_email);
    match basic(headers) {
        Some((user, token)) if user == expected && token == desk.api_token => None,
        _ => Some(error(401, json!({"error": "Couldn't authenticate you"}))),
    }
}

/// `12` or `12.json` → `12`.
fn path_id(file: &str) -> Option<u64> {
    file.strip_suffix(".json").unwrap_or(file).parse().ok()
}

/// The URL the API is reached at, as the request named it.
fn base_url(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("localhost");
    format!("http://{host}")
}

fn ticket_url(base: &str, id: u64) -> String {
    format!("{base}/api/v2/tickets/{id}.json")
}

fn via() -> Value {
    json!({"channel": "api", "source": {"from": {}, "to": {}, "rel": null}})
}

fn ticket_json(base: &str, t: &Ticket) -> Value {
    json!({
        "url": ticket_url(base, t.id),
        "id": t.id,
        "external_id": t.external_id,
        "via": via(),
        "created_at": timestamp(t.created_at),
        "updated_at": timestamp(t.updated_at),
        "generated_timestamp": t.updated_at.timestamp(),
        "type": t.ticket_type,
        "subject": t.subject,
        "raw_subject": t.subject,
        "description": t.description,
        "priority": t.priority,
        "status": t.status,
        "recipient": Value::Null,
        "requester_id": t.requester_id,
        "submitter_id": t.submitter_id,
        "assignee_id": Value::Null,
        "organization_id": Value::Null,
        "group_id": Value::Null,
        "collaborator_ids": [],
        "follower_ids": [],
        "email_cc_ids": [],
        "forum_topic_id": Value::Null,
        "problem_id": Value::Null,
        "has_incidents": false,
        "is_public": t.is_public(),
        "due_at": Value::Null,
        "tags": t.tags,
        "custom_fields": [],
        "satisfaction_rating": Value::Null,
        "sharing_agreement_ids": [],
        "custom_status_id": Value::Null,
        "fields": [],
        "followup_ids": [],
        "ticket_form_id": Value::Null,
        "brand_id": Value::Null,
        "allow_channelback": false,
        "allow_attachments": true,
        "from_messaging_channel": false,
    })
}

fn user_json(base: &str, u: &User) -> Value {
    json!({
        "id": u.id,
        "url": format!("{base}/api/v2/users/{}.json", u.id),
        "name": u.name,
        "email": u.email,
        "created_at": timestamp(u.created_at),
        "updated_at": timestamp(u.updated_at),
        "time_zone": "UTC",
        "iana_time_zone": "Etc/UTC",
        "phone": Value::Null,
        "shared_phone_number": Value::Null,
        "photo": Value::Null,
        "locale_id": 1,
        "locale": "en-US",
        "organization_id": Value::Null,
        "role": u.role,
        "verified": false,
        "external_id": Value::Null,
        "tags": [],
        "alias": Value::Null,
        "active": u.active,
        "shared": false,
        "shared_agent": false,
        "last_login_at": Value::Null,
        "two_factor_auth_enabled": Value::Null,
        "signature": Value::Null,
        "details": "",
        "notes": "",
        "role_type": Value::Null,
        "custom_role_id": Value::Null,
        "moderator": false,
        "ticket_restriction": if u.role == "end-user" { json!("requested") } else { Value::Null },
        "only_private_comments": false,
        "restricted_agent": u.role == "end-user",
        "suspended": false,
        "default_group_id": Value::Null,
        "report_csv": false,
        "user_fields": {},
    })
}

fn comment_event(c: &Comment, audit_id: u64) -> Value {
    json!({
        "id": c.id,
        "type": "Comment",
        "author_id": c.author_id,
        "body": c.body,
        "html_body": c.html_body,
        "plain_body": c.body,
        "public": c.public,
        "attachments": [],
        "audit_id": audit_id,
    })
}

fn audit_json(
    id: u64,
    ticket_id: u64,
    author_id: u64,
    at: DateTime<Utc>,
    events: Vec<Value>,
) -> Value {
    json!({
        "id": id,
        "ticket_id": ticket_id,
        "created_at": timestamp(at),
        "author_id": author_id,
        "metadata": {"system": {}, "custom": {}},
        "via": via(),
        "events": events,
    })
}

fn escape_html(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '&' => "&amp;".to_string(),
            '<' => "&lt;".to_string(),
            '>' => "&gt;".to_string(),
            '"' => "&quot;".to_string(),
            c => c.to_string(),
        })
        .collect()
}

/// The text of an HTML body: its tags left out.
fn strip_tags(html: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

/// A request's `comment`: `(body, html_body, public)`, or `None` when it has no text.
fn comment_of(comment: Option<&Value>) -> Option<(String, String, bool)> {
    let comment = comment?;
    let text = |key: &str| {
        comment
            .get(key)
            .and_then(Value::as_str)
            .filter(|t| !t.trim().is_empty())
    };
    let public = comment
        .get("public")
        .and_then(Value::as_bool)
        .unwrap_or(true);
    if let Some(body) = text("body") {
        let html = format!(
            "<div class=\"zd-comment\" dir=\"auto\"><p dir=\"auto\">{}</p></div>",
            escape_html(body)
        );
        Some((body.to_string(), html, public))
    } else {
        let html = text("html_body")?;
        let body = strip_tags(html);
        if body.trim().is_empty() {
            return None;
        }
        Some((body, html.to_string(), public))
    }
}

/// A field limited to `allowed` values: `Ok(None)` when absent or null, `Err(label)` when not
/// one of them.
fn choice(
    ticket: &Value,
    field: &str,
    label: &'static str,
    allowed: &[&str],
) -> Result<Option<String>, &'static str> {
    match ticket.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(v)) if v.is_empty() => Ok(None),
        Some(Value::String(v)) if allowed.contains(&v.to_lowercase().as_str()) => {
            Ok(Some(v.to_lowercase()))
        }
        Some(_) => Err(label),
    }
}

/// Tags as Zendesk keeps them: lower case, a space splitting one in two, no duplicates.
fn tags_of(ticket: &Value) -> Option<Vec<String>> {
    let tags = ticket.get("tags")?.as_array()?;
    let mut kept: Vec<String> = Vec::new();
    for tag in tags.iter().filter_map(Value::as_str) {
        for word in tag.split_whitespace() {
            let word = word.to_lowercase();
            if !kept.contains(&word) {
                kept.push(word);
            }
        }
    }
    Some(kept)
}

/// `external_id`: a string (a number is kept as its digits); `Some(None)` when set to null.
fn external_id_of(ticket: &Value) -> Option<Option<String>> {
    match ticket.get("external_id")? {
        Value::Null => Some(None),
        Value::String(s) => Some(Some(s.clone())),
        Value::Number(n) => Some(Some(n.to_string())),
        _ => None,
    }
}

fn subject_of(ticket: &Value) -> Option<Option<String>> {
    match ticket.get("subject")? {
        Value::Null => Some(None),
        Value::String(s) => Some(Some(s.clone())),
        _ => None,
    }
}

/// `POST /api/v2/tickets`.
async fn create_ticket(State(desk): State<Arc<Desk>>, headers: HeaderMap, body: Bytes) -> Response {
    if let Some(refused) = refusal(&desk, &headers) {
        return refused;
    }
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let ticket = body.get("ticket").cloned().unwrap_or(Value::Null);
    let Some((text, html, public)) = comment_of(ticket.get("comment")) else {
        return blank_description();
    };
    let priority = match choice(&ticket, "priority", "Priority", &PRIORITIES) {
        Ok(p) => p,
        Err(label) => return invalid_value(label),
    };
    let status = match choice(&ticket, "status", "Status", &STATUSES) {
        Ok(s) => s.unwrap_or_else(|| "new".to_string()),
        Err(label) => return invalid_value(label),
    };
    let ticket_type = match choice(&ticket, "type", "Type", &TYPES) {
        Ok(t) => t,
        Err(label) => return invalid_value(label),
    };

    let mut store = desk.store();
    let requester = ticket.get("requester");
    let requester_email = requester
        .and_then(|r| r.get("email"))
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|e| !e.is_empty());
    let requester_name = requester
        .and_then(|r| r.get("name"))
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|n| !n.is_empty());
    let requester_id = match (requester_email, requester_name) {
        (Some(email), name) => match store.active_by_email(email) {
            Some(id) => id,
            None => {
                let name = name.unwrap_or_else(|| email.split('@').next().unwrap_or(email));
                store.add_user(name, Some(email), "end-user")
            }
        },
        (None, Some(name)) => store.add_user(name, None, "end-user"),
        (None, None) => desk.agent_id,
    };

    let now = Utc::now();
    let id = store.ticket_id();
    let audit_id = store.object_id();
    let comment = Comment {
        id: store.object_id(),
        author_id: requester_id,
        body: text.clone(),
        html_body: html,
        public,
        created_at: now,
    };
    let created = Ticket {
        id,
        external_id: external_id_of(&ticket).flatten(),
        subject: subject_of(&ticket).flatten(),
        description: text,
        priority,
        status,
        ticket_type,
        requester_id,
        submitter_id: requester_id,
        tags: tags_of(&ticket).unwrap_or_default(),
        comments: vec![comment],
        created_at: now,
        updated_at: now,
    };
    let mut events = vec![comment_event(&created.comments[0], audit_id)];
    let mut created_field = |store: &mut Store, field: &str, value: Value| {
        events.push(
            json!({"id": store.object_id(), "type": "Create", "value": value, "field_name": field}),
        );
    };
    created_field(&mut store, "subject", json!(created.subject));
    created_field(
        &mut store,
        "requester_id",
        json!(created.requester_id.to_string()),
    );
    created_field(&mut store, "status", json!(created.status));
    created_field(&mut store, "priority", json!(created.priority));
    created_field(&mut store, "type", json!(created.ticket_type));
    created_field(&mut store, "tags", json!(created.tags));
    store.tickets.insert(id, created.clone());
    drop(store);

    let base = base_url(&headers);
    let audit = audit_json(audit_id, id, desk.agent_id, now, events);
    let mut response = (
        StatusCode::CREATED,
        axum::Json(json!({"ticket": ticket_json(&base, &created), "audit": audit})),
    )
        .into_response();
    if let Ok(location) = ticket_url(&base, id).parse() {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}

/// `GET /api/v2/tickets`, with `external_id` the tickets that carry it.
async fn list_tickets(
    State(desk): State<Arc<Desk>>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    if let Some(refused) = refusal(&desk, &headers) {
        return refused;
    }
    let base = base_url(&headers);
    let wanted = query.get("external_id");
    let tickets: Vec<Value> = desk
        .store()
        .tickets
        .values()
        .filter(|t| wanted.is_none() || t.external_id.as_ref() == wanted)
        .map(|t| ticket_json(&base, t))
        .collect();
    let count = tickets.len();
    axum::Json(json!({
        "tickets": tickets,
        "next_page": Value::Null,
        "previous_page": Value::Null,
        "count": count,
    }))
    .into_response()
}

/// `GET /api/v2/tickets/{id}`.
async fn show_ticket(
    State(desk): State<Arc<Desk>>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Some(refused) = refusal(&desk, &headers) {
        return refused;
    }
    match path_id(&file).and_then(|id| desk.ticket(id)) {
        Some(ticket) => {
            axum::Json(json!({"ticket": ticket_json(&base_url(&headers), &ticket)})).into_response()
        }
        None => not_found(),
    }
}

/// `PUT /api/v2/tickets/{id}`.
async fn update_ticket(
    State(desk): State<Arc<Desk>>,
    Path(file): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(refused) = refusal(&desk, &headers) {
        return refused;
    }
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let changes = body.get("ticket").cloned().unwrap_or(Value::Null);
    let mut store = desk.store();
    let Some(mut ticket) = path_id(&file).and_then(|id| store.tickets.get(&id).cloned()) else {
        return not_found();
    };
    if ticket.status == "closed" {
        return record_invalid(
            "status",
            json!([{"description": "Status: closed prevents ticket update"}]),
        );
    }
    let priority = match choice(&changes, "priority", "Priority", &PRIORITIES) {
        Ok(p) => p,
        Err(label) => return invalid_value(label),
    };
    let status = match choice(&changes, "status", "Status", &STATUSES) {
        Ok(s) => s,
        Err(label) => return invalid_value(label),
    };
    let ticket_type = match choice(&changes, "type", "Type", &TYPES) {
        Ok(t) => t,
        Err(label) => return invalid_value(label),
    };

    let now = Utc::now();
    let audit_id = store.object_id();
    let mut events = Vec::new();
    if let Some((text, html, public)) = comment_of(changes.get("comment")) {
        let author_id = changes
            .pointer("/comment/author_id")
            .and_then(Value::as_u64)
            .filter(|id| store.users.contains_key(id))
            .unwrap_or(desk.agent_id);
        let comment = Comment {
            id: store.object_id(),
            author_id,
            body: text,
            html_body: html,
            public,
            created_at: now,
        };
        events.push(comment_event(&comment, audit_id));
        ticket.comments.push(comment);
    }
    let mut change = |store: &mut Store, field: &str, value: Value, previous: Value| {
        if value != previous {
            events.push(json!({
                "id": store.object_id(), "type": "Change", "value": value,
                "field_name": field, "previous_value": previous,
            }));
        }
    };
    if let Some(status) = status {
        change(&mut store, "status", json!(status), json!(ticket.status));
        ticket.status = status;
    }
    if changes.get("priority").is_some() {
        change(
            &mut store,
            "priority",
            json!(priority),
            json!(ticket.priority),
        );
        ticket.priority = priority;
    }
    if changes.get("type").is_some() {
        change(
            &mut store,
            "type",
            json!(ticket_type),
            json!(ticket.ticket_type),
        );
        ticket.ticket_type = ticket_type;
    }
    if let Some(subject) = subject_of(&changes) {
        change(&mut store, "subject", json!(subject), json!(ticket.subject));
        ticket.subject = subject;
    }
    if let Some(tags) = tags_of(&changes) {
        change(&mut store, "tags", json!(tags), json!(ticket.tags));
        ticket.tags = tags;
    }
    if let Some(external_id) = external_id_of(&changes) {
        ticket.external_id = external_id;
    }
    ticket.updated_at = now;
    store.tickets.insert(ticket.id, ticket.clone());
    drop(store);

    let audit = audit_json(audit_id, ticket.id, desk.agent_id, now, events);
    axum::Json(json!({"ticket": ticket_json(&base_url(&headers), &ticket), "audit": audit}))
        .into_response()
}

/// `DELETE /api/v2/users/{id}`: the user is soft-deleted (`active` false).
/// `GET /api/v2/users/me`: the user the login belongs to ("Show the Currently Authenticated
/// User"); other ids are not served here.
async fn show_me(
    State(desk): State<Arc<Desk>>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Some(refused) = refusal(&desk, &headers) {
        return refused;
    }
    if file.strip_suffix(".json").unwrap_or(&file) != "me" {
        return invalid_endpoint().await;
    }
    let Some(me) = desk.user(desk.agent_id) else {
        return not_found();
    };
    axum::Json(json!({"user": user_json(&base_url(&headers), &me)})).into_response()
}

async fn delete_user(
    State(desk): State<Arc<Desk>>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Some(refused) = refusal(&desk, &headers) {
        return refused;
    }
    let mut store = desk.store();
    let Some(user) = path_id(&file).and_then(|id| store.users.get_mut(&id)) else {
        return not_found();
    };
    if !user.active {
        return not_found();
    }
    user.active = false;
    user.updated_at = Utc::now();
    let user = user.clone();
    drop(store);
    axum::Json(json!({"user": user_json(&base_url(&headers), &user)})).into_response()
}

/// `DELETE /api/v2/deleted_users/{id}`: a soft-deleted user's information is deleted.
async fn permanently_delete_user(
    State(desk): State<Arc<Desk>>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Some(refused) = refusal(&desk, &headers) {
        return refused;
    }
    let mut store = desk.store();
    let Some(user) = path_id(&file).and_then(|id| store.users.get_mut(&id)) else {
        return not_found();
    };
    if user.active || user.permanently_deleted {
        return not_found();
    }
    let was = user.clone();
    user.name = PERMANENTLY_DELETED_NAME.to_string();
    user.email = None;
    user.permanently_deleted = true;
    user.updated_at = Utc::now();
    drop(store);
    axum::Json(json!({"deleted_user": user_json(&base_url(&headers), &was)})).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    const EMAIL: &str = "liaison@kettles.example";
    const TOKEN: &str = "6wiIBWbGkBMo1mRDMuVwkw1EPsNkeUj95PIz2akv";

    async fn desk() -> (Served, Arc<Desk>, reqwest::Client) {
        let (served, desk) = start(EMAIL, TOKEN).await.expect("double starts");
        (served, desk, reqwest::Client::new())
    }

    fn authed(request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        request.basic_auth(format!("{EMAIL}/token"), Some(TOKEN))
    }

    async fn answer(request: reqwest::RequestBuilder) -> (u16, HeaderMap, Value) {
        let response = request.send().await.expect("double answers");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.json().await.unwrap_or(Value::Null);
        (status, headers, body)
    }

    fn new_ticket(external_id: &str, email: &str) -> Value {
        json!({"ticket": {
            "subject": "My kettle leaks",
            "comment": {"body": "It leaks from the spout.", "public": true},
            "requester": {"name": "Ada Lovelace", "email": email},
            "priority": "high",
            "tags": ["liaison", "Order 1042"],
            "external_id": external_id,
        }})
    }

    #[tokio::test]
    async fn refuses_requests_without_the_api_token() {
        let (served, _desk, http) = desk().await;
        let url = format!("{}/api/v2/tickets.json", served.url);
        let refused = json!({"error": "Couldn't authenticate you"});

        let (status, _, body) = answer(http.get(&url)).await;
        assert_eq!((status, &body), (401, &refused));

        let wrong = http
            .get(&url)
            .basic_auth(format!("{EMAIL}/token"), Some("nope"));
        assert_eq!(answer(wrong).await.0, 401);

        // The password form of Basic auth is not API token auth.
        let password = http.get(&url).basic_auth(EMAIL, Some(TOKEN));
        assert_eq!(answer(password).await.0, 401);

        let bearer = http.get(&url).bearer_auth(TOKEN);
        let (status, _, body) = answer(bearer).await;
        assert_eq!((status, body), (401, refused));

        assert_eq!(answer(authed(http.get(&url))).await.0, 200);
    }

    #[tokio::test]
    async fn creates_lists_by_external_id_and_updates_a_ticket() {
        let (served, desk, http) = desk().await;
        let url = format!("{}/api/v2/tickets.json", served.url);

        let (status, headers, body) =
            answer(authed(http.post(&url)).json(&new_ticket("liaison-42", "ada@example.com")))
                .await;
        assert_eq!(status, 201);
        let ticket = &body["ticket"];
        let id = ticket["id"].as_u64().expect("ticket id");
        let location = format!("{}/api/v2/tickets/{id}.json", served.url);
        assert_eq!(headers["location"], location.as_str());
        assert_eq!(ticket["url"], location.as_str());
        assert_eq!(ticket["external_id"], "liaison-42");
        assert_eq!(ticket["subject"], "My kettle leaks");
        assert_eq!(ticket["description"], "It leaks from the spout.");
        assert_eq!(ticket["priority"], "high");
        assert_eq!(ticket["status"], "new");
        assert_eq!(ticket["tags"], json!(["liaison", "order", "1042"]));
        assert_eq!(body["audit"]["events"][0]["type"], "Comment");

        let requester = desk
            .user_by_email("ada@example.com")
            .expect("requester created");
        assert_eq!(requester.role, "end-user");
        assert_eq!(ticket["requester_id"], requester.id);
        assert_eq!(ticket["submitter_id"], requester.id);

        // The same requester, by email, on a second ticket; ids increase.
        let (_, _, second) = answer(
            authed(http.post(format!("{}/api/v2/tickets", served.url)))
                .json(&new_ticket("liaison-43", "ADA@example.com")),
        )
        .await;
        assert!(second["ticket"]["id"].as_u64() > Some(id));
        assert_eq!(second["ticket"]["requester_id"], requester.id);
        assert_eq!(desk.users().len(), 2);

        let (status, _, listed) =
            answer(authed(http.get(&url)).query(&[("external_id", "liaison-42")])).await;
        assert_eq!(status, 200);
        assert_eq!(listed["count"], 1);
        assert_eq!(listed["tickets"][0]["id"], id);
        assert_eq!(listed["next_page"], Value::Null);
        let (_, _, none) =
            answer(authed(http.get(&url)).query(&[("external_id", "elsewhere")])).await;
        assert_eq!(none["count"], 0);

        let ticket_path = format!("{}/api/v2/tickets/{id}", served.url);
        let (status, _, updated) = answer(authed(http.put(&ticket_path)).json(&json!({"ticket": {
            "status": "solved",
            "comment": {"body": "A new seal is on its way.", "public": true},
        }})))
        .await;
        assert_eq!(status, 200);
        assert_eq!(updated["ticket"]["status"], "solved");
        let events = &updated["audit"]["events"];
        assert_eq!(events[0]["body"], "A new seal is on its way.");
        assert_eq!(events[1]["field_name"], "status");
        assert_eq!(events[1]["previous_value"], "new");
        let stored = desk.ticket(id).expect("ticket kept");
        assert_eq!(stored.status, "solved");
        assert_eq!(stored.comments.len(), 2);
        assert_eq!(stored.comments[1].author_id, desk.agent_id);

        let (status, _, shown) = answer(authed(http.get(format!("{ticket_path}.json")))).await;
        assert_eq!(
            (status, &shown["ticket"]["status"]),
            (200, &json!("solved"))
        );
        let (status, _, missing) = answer(authed(
            http.get(format!("{}/api/v2/tickets/999.json", served.url)),
        ))
        .await;
        assert_eq!(
            (status, missing),
            (
                404,
                json!({"error": "RecordNotFound", "description": "Not found"})
            )
        );
    }

    #[tokio::test]
    async fn refuses_a_ticket_without_a_comment_or_with_an_unknown_priority() {
        let (served, desk, http) = desk().await;
        let url = format!("{}/api/v2/tickets.json", served.url);

        let blank = json!({"ticket": {"subject": "Hi", "comment": {"body": "  "}}});
        let (status, _, body) = answer(authed(http.post(&url)).json(&blank)).await;
        assert_eq!(status, 422);
        assert_eq!(body["error"], "RecordInvalid");
        assert_eq!(body["description"], "Record validation errors");
        assert_eq!(
            body["details"]["base"][0]["description"],
            "Description: cannot be blank"
        );
        assert_eq!(body["details"]["base"][0]["error"], "BlankValue");

        let mut bad = new_ticket("liaison-1", "ada@example.com");
        bad["ticket"]["priority"] = json!("critical");
        let (status, _, body) = answer(authed(http.post(&url)).json(&bad)).await;
        assert_eq!(status, 422);
        assert_eq!(
            body["details"]["base"][0]["description"],
            "Priority: is invalid"
        );
        assert!(desk.tickets().is_empty());

        // An HTML body alone is a comment.
        let html = json!({"ticket": {"comment": {"html_body": "<p>It <b>leaks</b></p>"}}});
        let (status, _, body) = answer(authed(http.post(&url)).json(&html)).await;
        assert_eq!(status, 201);
        assert_eq!(body["ticket"]["description"], "It leaks");
        assert_eq!(body["ticket"]["requester_id"], desk.agent_id);
    }

    #[tokio::test]
    async fn a_closed_ticket_refuses_updates() {
        let (served, desk, http) = desk().await;
        let url = format!("{}/api/v2/tickets.json", served.url);
        let (_, _, body) =
            answer(authed(http.post(&url)).json(&new_ticket("liaison-7", "bo@example.com"))).await;
        let id = body["ticket"]["id"].as_u64().expect("ticket id");
        assert_eq!(desk.set_status(id, "closed").as_deref(), Some("new"));

        let update = json!({"ticket": {"comment": {"body": "Anything else?", "public": true}}});
        let (status, _, body) = answer(
            authed(http.put(format!("{}/api/v2/tickets/{id}.json", served.url))).json(&update),
        )
        .await;
        assert_eq!(status, 422);
        assert_eq!(
            body,
            json!({
                "error": "RecordInvalid",
                "description": "Record validation errors",
                "details": {"status": [{"description": "Status: closed prevents ticket update"}]},
            })
        );
        assert_eq!(desk.ticket(id).expect("ticket kept").comments.len(), 1);
    }

    #[tokio::test]
    async fn a_user_is_soft_deleted_then_permanently_deleted() {
        let (served, desk, http) = desk().await;
        let url = format!("{}/api/v2/tickets.json", served.url);
        let (_, _, body) =
            answer(authed(http.post(&url)).json(&new_ticket("liaison-9", "cy@example.com"))).await;
        let ticket_id = body["ticket"]["id"].as_u64().expect("ticket id");
        let user_id = body["ticket"]["requester_id"]
            .as_u64()
            .expect("requester id");
        let user_url = format!("{}/api/v2/users/{user_id}.json", served.url);
        let deleted_url = format!("{}/api/v2/deleted_users/{user_id}.json", served.url);

        // Not soft-deleted first: nothing to delete permanently.
        assert_eq!(answer(authed(http.delete(&deleted_url))).await.0, 404);

        let (status, _, body) = answer(authed(http.delete(&user_url))).await;
        assert_eq!(status, 200);
        assert_eq!(body["user"]["id"], user_id);
        assert_eq!(body["user"]["active"], false);
        assert!(!desk.permanently_deleted(user_id));
        assert_eq!(answer(authed(http.delete(&user_url))).await.0, 404);

        let (status, _, body) = answer(authed(http.delete(&deleted_url))).await;
        assert_eq!(status, 200);
        assert_eq!(body["deleted_user"]["id"], user_id);
        assert!(desk.permanently_deleted(user_id));

        let user = desk.user(user_id).expect("the record stays, emptied");
        assert_eq!(user.name, PERMANENTLY_DELETED_NAME);
        assert_eq!(user.email, None);
        assert!(desk.user_by_email("cy@example.com").is_none());
        assert!(desk
            .users()
            .iter()
            .all(|u| u.name != "Ada Lovelace" && u.email.as_deref() != Some("cy@example.com")));
        let requester = desk.ticket(ticket_id).expect("ticket kept").requester_id;
        assert_eq!(desk.user(requester).expect("requester").email, None);

        assert_eq!(answer(authed(http.delete(&deleted_url))).await.0, 404);
        let missing = format!("{}/api/v2/users/12345", served.url);
        assert_eq!(answer(authed(http.delete(missing))).await.0, 404);

        // A new ticket from the same address makes a new user.
        let (_, _, body) =
            answer(authed(http.post(&url)).json(&new_ticket("liaison-10", "cy@example.com"))).await;
        assert_ne!(body["ticket"]["requester_id"], user_id);
    }

    #[tokio::test]
    async fn rate_limits_with_retry_after() {
        let (served, _desk, http) = desk().await;
        served.recorder.fail_next(rate_limited(42));
        let url = format!("{}/api/v2/tickets.json", served.url);
        let (status, headers, body) = answer(authed(http.get(&url))).await;
        assert_eq!(status, 429);
        assert_eq!(headers["retry-after"], "42");
        assert_eq!(body, "Number of allowed API requests per minute exceeded");
        assert_eq!(answer(authed(http.get(&url))).await.0, 200);
    }

    #[tokio::test]
    async fn builds_the_status_changed_event() {
        let (served, desk, http) = desk().await;
        let url = format!("{}/api/v2/tickets.json", served.url);
        let (_, _, body) =
            answer(authed(http.post(&url)).json(&new_ticket("liaison-5", "di@example.com"))).await;
        let id = body["ticket"]["id"].as_u64().expect("ticket id");
        let previous = desk.set_status(id, "solved").expect("ticket");

        let event = desk.status_changed_event(id, &previous, "solved");
        assert_eq!(event["type"], "zen:event-type:ticket.status_changed");
        assert_eq!(event["account_id"], ACCOUNT_ID);
        assert_eq!(event["subject"], format!("zen:ticket:{id}"));
        assert_eq!(event["zendesk_event_version"], EVENT_VERSION);
        assert_eq!(event["event"]["current"], "SOLVED");
        assert_eq!(event["event"]["previous"], "NEW");
        let detail = &event["detail"];
        assert_eq!(detail["id"], id.to_string());
        assert_eq!(detail["external_id"], "liaison-5");
        assert_eq!(detail["status"], "SOLVED");
        assert_eq!(detail["priority"], "HIGH");
        assert_eq!(
            detail["requester_id"],
            body["ticket"]["requester_id"].to_string()
        );
        assert!(event["time"].as_str().is_some_and(|t| t.ends_with('Z')));
    }
}
