//! A double of HubSpot's CRM API v3, as a private app with its access token sees one
//! account, written from developers.hubspot.com's reference:
//! - `POST /crm/v3/objects/contacts/batch/upsert` with `{"inputs":[{"idProperty":"email",
//!   "id","properties"}]}` (at most 100) → 200 `{"status":"COMPLETE","results":[{"id",
//!   "properties","createdAt","updatedAt","archived","new"}],"startedAt","completedAt"}`: a
//!   contact is created, or updated when its email (HubSpot keeps it lowercase) is known.
//!   The batch is checked whole before anything is written: a missing `idProperty` or `id`,
//!   an `idProperty` other than `email`, an id twice, or an invalid email address
//!   (`INVALID_EMAIL`) is a 400 and nothing is upserted;
//! - `POST /crm/v3/objects/notes` with `properties` (`hs_timestamp` required: "Some required
//!   properties were not set."; `hs_note_body`) and `associations` (`HUBSPOT_DEFINED` 202
//!   note → contact, 214 note → deal) → 201 with the note;
//! - `POST /crm/v3/objects/deals` with `properties` (`dealname`, `amount`, `dealstage`,
//!   `pipeline`, `closedate`, any custom property) and `associations` (`HUBSPOT_DEFINED` 3
//!   deal → contact) → 201 with the deal. There is one pipeline, `default` (taken when none
//!   is named), with HubSpot's default stages ([`DEAL_STAGES`]); another stage is refused
//!   (`INVALID_OPTION`);
//! - `POST /crm/v3/objects/deals/search` with `filterGroups` (OR of groups, AND of their
//!   filters: `EQ`, `NEQ`, `LT`, `LTE`, `GT`, `GTE`, `BETWEEN`, `IN`, `NOT_IN`,
//!   `HAS_PROPERTY`, `NOT_HAS_PROPERTY`, `CONTAINS_TOKEN`, `NOT_CONTAINS_TOKEN`; string
//!   equality ignores case), `properties`, `limit` (10 by default, at most 200) and `after`
//!   → 200 `{"total","results",["paging":{"next":{"after"}}]}`, oldest deal first. Unlike
//!   HubSpot's index, the double's is never behind a write;
//! - `GET /crm/v3/objects/deals/{dealId}` (`properties=`, `associations=contacts`,
//!   `idProperty=` for a unique property) and `PATCH /crm/v3/objects/deals/{dealId}` with
//!   `{"properties"}` → 200 with the deal; one it does not hold is 404 `OBJECT_NOT_FOUND`;
//! - `PATCH /crm/v3/objects/contacts/{id}` (`{"properties"}`) → the contact; 404 when absent;
//! - `POST /crm/v3/objects/contacts/gdpr-delete` with `{"objectId"}` (a contact id) or
//!   `{"objectId","idProperty":"email"}` → 204: the contact is permanently deleted "and all
//!   associated content" (its notes go with it; deals stay, without the association). An
//!   unknown id is 404; an unknown email is not an error: the reference says HubSpot then
//!   adds the address to a blocklist ([`Crm::blocklisted`]) and the call succeeds.
//!
//! Every call needs the private app's token (`Authorization: Bearer`); without it HubSpot
//! answers 401 `INVALID_AUTHENTICATION`. Errors are HubSpot's
//! `{"status":"error","message","correlationId","category",["context"]}`; a property value
//! HubSpot refuses is a `VALIDATION_ERROR` whose message embeds
//! `[{"isValid":false,"message","error","name"}]`. The double takes any custom property (a
//! real account must define it first). [`rate_limited`] is the 429 a test queues on the
//! recorder; [`Crm::deal_property_change_event`] is the body HubSpot's webhooks POST for a
//! `deal.propertyChange` subscription, and [`signature_v3`] its `X-HubSpot-Signature-v3`.
//!
//! Reference pages:
//! - <https://developers.hubspot.com/docs/api-reference/legacy/crm/objects/contacts/batch/upsert-contacts>
//! - <https://developers.hubspot.com/docs/api-reference/crm-notes-v3/guide>
//! - <https://developers.hubspot.com/docs/api/crm/deals>
//! - <https://developers.hubspot.com/docs-beta/crm/search>
//! - <https://developers.hubspot.com/docs/api-reference/legacy/crm/objects/contacts/gdpr/gdpr-delete-contact>
//! - <https://developers.hubspot.com/changelog/changes-to-the-gdpr-deletion-endpoints-for-the-crm-contact-object-api>
//! - <https://developers.hubspot.com/docs/faq/api-error-responses>
//! - <https://developers.hubspot.com/docs/api/usage-details> (the 429 body)
//! - <https://developers.hubspot.com/changelog/upcoming-changes-to-error-responses>
//! - <https://developers.hubspot.com/docs/apps/legacy-apps/public-apps/create-generic-webhook-subscriptions>
//!   (webhook payload fields)
//! - <https://developers.hubspot.com/docs/api/webhooks/validating-requests> (signature v3)

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use serde_json::{json, Map, Value};

use super::{bearer, error, serve, Fault, Served};

/// The pipeline of an account that has not made another.
pub const DEFAULT_PIPELINE: &str = "default";
/// The default pipeline's stages (their internal ids), in order.
pub const DEAL_STAGES: [&str; 7] = [
    "appointmentscheduled",
    "qualifiedtobuy",
    "presentationscheduled",
    "decisionmakerboughtin",
    "contractsent",
    "closedwon",
    "closedlost",
];
/// `HUBSPOT_DEFINED` association type ids the double knows.
pub const DEAL_TO_CONTACT: u64 = 3;
pub const NOTE_TO_CONTACT: u64 = 202;
pub const NOTE_TO_DEAL: u64 = 214;
/// The most inputs a batch call takes.
pub const MAX_BATCH_INPUTS: usize = 100;
/// The most results a search page holds.
pub const MAX_SEARCH_LIMIT: usize = 200;

/// A record's properties, by internal name (HubSpot's values are strings).
pub type Properties = BTreeMap<String, String>;

/// A contact the double holds.
#[derive(Debug, Clone, PartialEq)]
pub struct Contact {
    pub id: String,
    pub properties: Properties,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Contact {
    pub fn email(&self) -> Option<&str> {
        self.property("email")
    }

    pub fn property(&self, name: &str) -> Option<&str> {
        self.properties.get(name).map(String::as_str)
    }
}

/// A note the double holds, and the records it is associated with.
#[derive(Debug, Clone, PartialEq)]
pub struct Note {
    pub id: String,
    pub properties: Properties,
    pub contact_ids: Vec<String>,
    pub deal_ids: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Note {
    pub fn body(&self) -> Option<&str> {
        self.properties.get("hs_note_body").map(String::as_str)
    }
}

/// A deal the double holds, and the contacts it is associated with.
#[derive(Debug, Clone, PartialEq)]
pub struct Deal {
    pub id: String,
    pub properties: Properties,
    pub contact_ids: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Deal {
    pub fn property(&self, name: &str) -> Option<&str> {
        self.properties.get(name).map(String::as_str)
    }

    pub fn stage(&self) -> Option<&str> {
        self.property("dealstage")
    }
}

#[derive(Default)]
struct Store {
    contacts: Vec<Contact>,
    notes: Vec<Note>,
    deals: Vec<Deal>,
    blocklist: Vec<String>,
}

/// What the double holds: the account's contacts, notes and deals.
pub struct Crm {
    /// The private app's access token.
    pub access_token: String,
    /// The `subscriptionId` of the app's `deal.propertyChange` subscription.
    pub subscription_id: u64,
    /// The HubSpot user whose changes in the UI [`Crm::set_deal_stage`] plays.
    pub user_id: u64,
    store: Mutex<Store>,
    next_id: AtomicU64,
    next_event: AtomicU64,
    next_correlation: AtomicU64,
}

impl Crm {
    fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().expect("crm lock")
    }

    pub fn contacts(&self) -> Vec<Contact> {
        self.store().contacts.clone()
    }

    /// The contact with `email` (HubSpot compares addresses without case).
    pub fn contact_by_email(&self, email: &str) -> Option<Contact> {
        let email = email.trim().to_lowercase();
        self.store()
            .contacts
            .iter()
            .find(|c| c.email() == Some(email.as_str()))
            .cloned()
    }

    pub fn notes(&self) -> Vec<Note> {
        self.store().notes.clone()
    }

    pub fn deals(&self) -> Vec<Deal> {
        self.store().deals.clone()
    }

    pub fn deal(&self, id: &str) -> Option<Deal> {
        self.store().deals.iter().find(|d| d.id == id).cloned()
    }

    /// The email addresses a GDPR delete blocklisted (it found no contact with them).
    pub fn blocklisted(&self) -> Vec<String> {
        self.store().blocklist.clone()
    }

    /// A salesperson moves deal `id` to `stage` in HubSpot's UI; false when there is no such
    /// deal or the default pipeline has no such stage (the UI offers no other).
    pub fn set_deal_stage(&self, id: &str, stage: &str) -> bool {
        if !DEAL_STAGES.contains(&stage) {
            return false;
        }
        let mut store = self.store();
        let Some(deal) = store.deals.iter_mut().find(|d| d.id == id) else {
            return false;
        };
        let now = Utc::now();
        deal.properties
            .insert("dealstage".into(), stage.to_string());
        deal.properties
            .insert("hs_lastmodifieddate".into(), stamp(now));
        deal.updated_at = now;
        true
    }

    /// The body HubSpot's webhooks POST (signed with [`signature_v3`]) when `property` of deal
    /// `deal_id` changed to `value` in the UI, for a `deal.propertyChange` subscription of
    /// app `app_id` installed in account `portal_id`: an array of one event, `occurredAt` in
    /// milliseconds (the deal's last change when the double holds it).
    pub fn deal_property_change_event(
        &self,
        deal_id: &str,
        property: &str,
        value: &str,
        app_id: u64,
        portal_id: u64,
    ) -> Value {
        let occurred_at = self
            .deal(deal_id)
            .map_or_else(Utc::now, |deal| deal.updated_at)
            .timestamp_millis();
        let object_id = deal_id
            .parse::<u64>()
            .map_or_else(|_| Value::from(deal_id), Value::from);
        json!([{
            "eventId": self.next_event.fetch_add(1, Ordering::SeqCst),
            "subscriptionId": self.subscription_id,
            "portalId": portal_id,
            "appId": app_id,
            "occurredAt": occurred_at,
            "subscriptionType": "deal.propertyChange",
            "attemptNumber": 0,
            "objectId": object_id,
            "propertyName": property,
            "propertyValue": value,
            "changeSource": "CRM_UI",
            "sourceId": format!("userId:{}", self.user_id),
        }])
    }

    fn id(&self) -> String {
        self.next_id.fetch_add(1, Ordering::SeqCst).to_string()
    }

    fn correlation_id(&self) -> String {
        let n = self.next_correlation.fetch_add(1, Ordering::SeqCst);
        format!("a43683b0-5717-4ceb-80b4-{n:012x}")
    }

    /// The answer to a call: `act`'s, once the token is checked, or HubSpot's refusal.
    fn answer(&self, headers: &HeaderMap, act: impl FnOnce() -> Answer) -> Response {
        let answered = if bearer(headers) == Some(self.access_token.as_str()) {
            act()
        } else {
            Err(Refused::new(
                401,
                "INVALID_AUTHENTICATION",
                "Authentication credentials not found. This API supports OAuth 2.0 \
                 authentication and you can find more details at \
                 https://developers.hubspot.com/docs/methods/auth/oauth-overview",
            ))
        };
        answered.unwrap_or_else(|refused| {
            let mut body = json!({
                "status": "error",
                "message": refused.message,
                "correlationId": self.correlation_id(),
                "category": refused.category,
            });
            if let Some(context) = refused.context {
                body["context"] = context;
            }
            error(refused.status, body)
        })
    }
}

/// Starts the double for a private app whose access token is `access_token`.
pub async fn start(access_token: &str) -> std::io::Result<(Served, Arc<Crm>)> {
    let crm = Arc::new(Crm {
        access_token: access_token.to_string(),
        subscription_id: 2_345_678,
        user_id: 45_678_901,
        store: Mutex::default(),
        next_id: AtomicU64::new(51_001),
        next_event: AtomicU64::new(3_816_279_340),
        next_correlation: AtomicU64::new(1),
    });
    let router = Router::new()
        .route(
            "/crm/v3/objects/contacts/batch/upsert",
            post(upsert_contacts),
        )
        .route("/crm/v3/objects/contacts/gdpr-delete", post(gdpr_delete))
        .route(
            "/crm/v3/objects/contacts/{contact_id}",
            axum::routing::patch(update_contact),
        )
        .route("/crm/v3/objects/notes", post(create_note))
        .route("/crm/v3/objects/deals", post(create_deal))
        .route("/crm/v3/objects/deals/search", post(search_deals))
        .route(
            "/crm/v3/objects/deals/{deal_id}",
            get(read_deal).patch(update_deal),
        )
        .with_state(crm.clone());
    Ok((serve(router).await?, crm))
}

/// HubSpot's 429 when the app spent its rolling ten-second allowance, to queue on the
/// recorder (`served.recorder.fail_next(rate_limited(10))`), with `Retry-After`.
pub fn rate_limited(retry_after: u64) -> Fault {
    Fault::Status {
        status: 429,
        body: json!({
            "status": "error",
            "message": "You have reached your ten_secondly_rolling limit.",
            "errorType": "RATE_LIMIT",
            "correlationId": "c033cdaa-2c40-4a64-ae48-b4cec88dad24",
            "policyName": "TEN_SECONDLY_ROLLING",
        }),
        retry_after: Some(retry_after),
    }
}

/// The `X-HubSpot-Signature-v3` HubSpot sends with a request to `uri` (the full URL, as
/// HubSpot calls it): base64 of the HMAC SHA-256, keyed by the app's client secret, of
/// `method + uri + body + timestamp` (`X-HubSpot-Request-Timestamp`, in milliseconds).
pub fn signature_v3(
    client_secret: &str,
    method: &str,
    uri: &str,
    body: &str,
    timestamp_ms: i64,
) -> Result<String, jsonwebtoken::errors::Error> {
    let signed = format!("{method}{uri}{body}{timestamp_ms}");
    let key = jsonwebtoken::EncodingKey::from_secret(client_secret.as_bytes());
    // jsonwebtoken answers base64url without padding; HubSpot sends standard base64.
    let url_safe =
        jsonwebtoken::crypto::sign(signed.as_bytes(), &key, jsonwebtoken::Algorithm::HS256)?;
    let mut standard: String = url_safe
        .chars()
        .map(|c| match c {
            '-' => '+',
            '_' => '/',
            c => c,
        })
        .collect();
    while standard.len() % 4 != 0 {
        standard.push('=');
    }
    Ok(standard)
}

/// A refusal, before HubSpot's body (and its correlation id) is made of it.
struct Refused {
    status: u16,
    category: &'static str,
    message: String,
    context: Option<Value>,
}

impl Refused {
    fn new(status: u16, category: &'static str, message: impl Into<String>) -> Self {
        Refused {
            status,
            category,
            message: message.into(),
            context: None,
        }
    }

    fn invalid(message: impl Into<String>) -> Self {
        Refused::new(400, "VALIDATION_ERROR", message)
    }

    fn with_context(mut self, context: Value) -> Self {
        self.context = Some(context);
        self
    }

    /// A property value HubSpot refuses (`INVALID_EMAIL`, `INVALID_OPTION`, ...).
    fn property(name: &str, code: &str, message: &str) -> Self {
        let detail = json!(message).to_string();
        Refused::invalid(format!(
            r#"Property values were not valid: [{{"isValid":false,"message":{detail},"error":"{code}","name":"{name}"}}]"#
        ))
    }

    /// Properties HubSpot requires on a new record of `object` (`NOTE`, `DEAL`).
    fn required(object: &str, names: &[&str]) -> Self {
        Refused::invalid(format!(
            "Error creating {object}.  Some required properties were not set."
        ))
        .with_context(json!({ "properties": names }))
    }

    fn not_found() -> Self {
        Refused::new(404, "OBJECT_NOT_FOUND", "resource not found")
    }
}

type Answer = Result<Response, Refused>;

fn stamp(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// A date or datetime value as HubSpot takes one: milliseconds, ISO 8601, or a date.
fn instant(value: &str) -> Option<DateTime<Utc>> {
    let value = value.trim();
    if let Ok(ms) = value.parse::<i64>() {
        return DateTime::from_timestamp_millis(ms);
    }
    if let Ok(time) = DateTime::parse_from_rfc3339(value) {
        return Some(time.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .ok()
        .and_then(|date| date.and_hms_opt(0, 0, 0))
        .map(|time| time.and_utc())
}

fn parse(body: &str) -> Result<Value, Refused> {
    if body.trim().is_empty() {
        return Err(Refused::invalid(
            "Invalid JSON input: a request body was expected, but none found",
        ));
    }
    serde_json::from_str(body).map_err(|e| {
        Refused::invalid(format!(
            "Invalid input JSON on line {}, column {}: {e}",
            e.line(),
            e.column()
        ))
    })
}

/// A JSON scalar as HubSpot's string value (`null` clears a property).
fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Null => Some(String::new()),
        _ => None,
    }
}

/// The `properties` object of a request (`place` names it in errors).
fn properties_of(value: Option<&Value>, place: &str) -> Result<Properties, Refused> {
    let Some(value) = value else {
        return Ok(Properties::new());
    };
    let Some(object) = value.as_object() else {
        return Err(Refused::invalid(format!(
            "Invalid input JSON: `{place}` must be an object of property values"
        )));
    };
    object
        .iter()
        .map(|(name, value)| {
            scalar(value).map(|v| (name.clone(), v)).ok_or_else(|| {
                Refused::invalid(format!(
                    "Invalid input JSON: the value of `{place}.{name}` must be a string"
                ))
            })
        })
        .collect()
}

fn valid_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && !email.chars().any(char::is_whitespace)
        && domain.split('.').count() >= 2
        && domain.split('.').all(|label| !label.is_empty())
}

/// The records an association may point at.
#[derive(Clone, Copy, PartialEq)]
enum Target {
    Contact,
    Deal,
}

/// `associations` of a create request: `(target, id)` pairs, each checked against `allowed`
/// association types and against the records the account holds.
fn associations(
    store: &Store,
    body: &Value,
    allowed: &[(u64, Target)],
) -> Result<Vec<(Target, String)>, Refused> {
    let Some(list) = body.get("associations") else {
        return Ok(vec![]);
    };
    let Some(list) = list.as_array() else {
        return Err(Refused::invalid(
            "Invalid input JSON: `associations` must be an array",
        ));
    };
    let mut linked = vec![];
    for association in list {
        let Some(to) = association.pointer("/to/id").and_then(scalar) else {
            return Err(Refused::invalid(
                "Invalid input JSON: an association needs `to.id`",
            ));
        };
        let types = association
            .get("types")
            .and_then(Value::as_array)
            .filter(|t| !t.is_empty());
        let Some(types) = types else {
            return Err(Refused::invalid(
                "Invalid input JSON: an association needs `types`",
            ));
        };
        for kind in types {
            let category = kind
                .get("associationCategory")
                .and_then(Value::as_str)
                .unwrap_or("");
            let type_id = kind.get("associationTypeId").and_then(Value::as_u64);
            let target = allowed
                .iter()
                .find(|(id, _)| category == "HUBSPOT_DEFINED" && Some(*id) == type_id)
                .map(|(_, target)| *target);
            let Some(target) = target else {
                let spec = format!(
                    "{category}={}",
                    type_id.map_or_else(|| "null".to_string(), |id| id.to_string())
                );
                return Err(Refused::invalid("One or more associations are invalid")
                    .with_context(json!({
                        "associationSpec": [spec],
                        "INVALID_ASSOCIATION_TYPE_ID": [format!("{spec} is not a valid association definition id")],
                    })));
            };
            let (exists, name) = match target {
                Target::Contact => (store.contacts.iter().any(|c| c.id == to), "CONTACT"),
                Target::Deal => (store.deals.iter().any(|d| d.id == to), "DEAL"),
            };
            if !exists {
                return Err(
                    Refused::invalid("One or more associations are invalid").with_context(json!({
                        "INVALID_OBJECT_IDS": [format!("{name}={to} is not valid")],
                    })),
                );
            }
            if !linked.contains(&(target, to.clone())) {
                linked.push((target, to.clone()));
            }
        }
    }
    Ok(linked)
}

/// A record as HubSpot answers it, with `properties` (all of them when `wanted` is `None`;
/// otherwise those asked for, `null` when unset, plus `always`).
fn record(
    id: &str,
    properties: &Properties,
    wanted: Option<&[String]>,
    always: &[&str],
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
) -> Value {
    let shown: Map<String, Value> = match wanted {
        None => properties
            .iter()
            .map(|(k, v)| (k.clone(), json!(v)))
            .collect(),
        Some(wanted) => wanted
            .iter()
            .map(String::as_str)
            .chain(always.iter().copied())
            .map(|name| {
                let value = properties.get(name).map_or(Value::Null, |v| json!(v));
                (name.to_string(), value)
            })
            .collect(),
    };
    json!({
        "id": id,
        "properties": shown,
        "createdAt": stamp(created_at),
        "updatedAt": stamp(updated_at),
        "archived": false,
    })
}

/// The properties HubSpot returns for a deal when none are asked for.
const DEAL_DEFAULTS: [&str; 5] = ["dealname", "amount", "closedate", "pipeline", "dealstage"];
/// The properties every deal read returns.
const DEAL_ALWAYS: [&str; 3] = ["createdate", "hs_lastmodifieddate", "hs_object_id"];

fn deal_json(deal: &Deal, wanted: Option<&[String]>) -> Value {
    record(
        &deal.id,
        &deal.properties,
        wanted,
        &DEAL_ALWAYS,
        deal.created_at,
        deal.updated_at,
    )
}

/// Checks and normalises a deal's properties as HubSpot does: the pipeline and its stage,
/// the amount, the close date.
fn check_deal(properties: &mut Properties) -> Result<(), Refused> {
    let pipeline = properties
        .get("pipeline")
        .map(String::as_str)
        .unwrap_or(DEFAULT_PIPELINE);
    if pipeline != DEFAULT_PIPELINE {
        return Err(Refused::property(
            "pipeline",
            "INVALID_OPTION",
            &format!("{pipeline} is not a valid pipeline ID. Valid options are: [default]"),
        ));
    }
    if let Some(stage) = properties.get("dealstage") {
        if !DEAL_STAGES.contains(&stage.as_str()) {
            return Err(Refused::property(
                "dealstage",
                "INVALID_OPTION",
                &format!(
                    "{stage} is not a valid pipeline stage ID. Valid options are: \
                     pipelineId=default : [{}]",
                    DEAL_STAGES.join(", ")
                ),
            ));
        }
    }
    if let Some(amount) = properties.get("amount") {
        if !amount.is_empty() && amount.parse::<f64>().is_err() {
            return Err(Refused::property(
                "amount",
                "INVALID_FLOAT",
                &format!("{amount} was not a valid number."),
            ));
        }
    }
    normalise_datetime(properties, "closedate")
}

/// A date-time property as HubSpot stores it (ISO 8601, milliseconds, UTC).
fn normalise_datetime(properties: &mut Properties, name: &str) -> Result<(), Refused> {
    let Some(value) = properties.get_mut(name).filter(|v| !v.is_empty()) else {
        return Ok(());
    };
    match instant(value) {
        Some(time) => {
            *value = stamp(time);
            Ok(())
        }
        None => Err(Refused::property(
            name,
            "INVALID_DATE",
            &format!("{value} was not a valid long (epoch milliseconds) or ISO 8601 datetime."),
        )),
    }
}

async fn upsert_contacts(
    State(crm): State<Arc<Crm>>,
    headers: HeaderMap,
    body: String,
) -> Response {
    crm.answer(&headers, || {
        let started_at = Utc::now();
        let body = parse(&body)?;
        let Some(inputs) = body.get("inputs").and_then(Value::as_array) else {
            return Err(Refused::invalid("Invalid input JSON: `inputs` is required"));
        };
        if inputs.len() > MAX_BATCH_INPUTS {
            return Err(Refused::invalid(format!(
                "Batch input size {} exceeds the limit of {MAX_BATCH_INPUTS} inputs",
                inputs.len()
            )));
        }
        let mut planned: Vec<(String, Properties)> = vec![];
        for (i, input) in inputs.iter().enumerate() {
            let id_property = input.get("idProperty").and_then(Value::as_str);
            let id = input
                .get("id")
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|id| !id.is_empty());
            let (Some(id_property), Some(id)) = (id_property, id) else {
                return Err(Refused::invalid(format!(
                    "Invalid input: inputs[{i}] needs `idProperty` and `id` to upsert"
                )));
            };
            if id_property != "email" {
                return Err(Refused::invalid(format!(
                    "{id_property} is not a unique property of CONTACT: upsert by `email`"
                )));
            }
            if !valid_email(id) {
                return Err(Refused::property(
                    "email",
                    "INVALID_EMAIL",
                    &format!("Email address {id} is invalid"),
                ));
            }
            let email = id.to_lowercase();
            if planned.iter().any(|(known, _)| *known == email) {
                return Err(Refused::invalid(format!(
                    "Duplicate IDs found in batch input: [{email}]. IDs must be unique"
                )));
            }
            let properties =
                properties_of(input.get("properties"), &format!("inputs[{i}].properties"))?;
            planned.push((email, properties));
        }
        let mut store = crm.store();
        let mut results = vec![];
        for (email, properties) in planned {
            let now = Utc::now();
            let known = store
                .contacts
                .iter()
                .position(|c| c.email() == Some(email.as_str()));
            let (at, new) = match known {
                Some(at) => {
                    store.contacts[at].properties.extend(properties);
                    (at, false)
                }
                None => {
                    let id = crm.id();
                    let mut all = properties;
                    all.insert("hs_object_id".into(), id.clone());
                    all.insert("createdate".into(), stamp(now));
                    store.contacts.push(Contact {
                        id,
                        properties: all,
                        created_at: now,
                        updated_at: now,
                    });
                    (store.contacts.len() - 1, true)
                }
            };
            let contact = &mut store.contacts[at];
            contact.properties.insert("email".into(), email);
            contact
                .properties
                .insert("lastmodifieddate".into(), stamp(now));
            contact.updated_at = now;
            let mut result = record(
                &contact.id,
                &contact.properties,
                None,
                &[],
                contact.created_at,
                contact.updated_at,
            );
            result["new"] = json!(new);
            results.push(result);
        }
        Ok(Json(json!({
            "status": "COMPLETE",
            "results": results,
            "startedAt": stamp(started_at),
            "completedAt": stamp(Utc::now()),
        }))
        .into_response())
    })
}

async fn create_note(State(crm): State<Arc<Crm>>, headers: HeaderMap, body: String) -> Response {
    crm.answer(&headers, || {
        let body = parse(&body)?;
        let mut properties = properties_of(body.get("properties"), "properties")?;
        if properties.get("hs_timestamp").is_none_or(String::is_empty) {
            return Err(Refused::required("NOTE", &["hs_timestamp"]));
        }
        normalise_datetime(&mut properties, "hs_timestamp")?;
        let mut store = crm.store();
        let linked = associations(
            &store,
            &body,
            &[
                (NOTE_TO_CONTACT, Target::Contact),
                (NOTE_TO_DEAL, Target::Deal),
            ],
        )?;
        let now = Utc::now();
        let id = crm.id();
        properties.insert("hs_object_id".into(), id.clone());
        properties.insert("hs_createdate".into(), stamp(now));
        properties.insert("hs_lastmodifieddate".into(), stamp(now));
        let ids = |target| {
            linked
                .iter()
                .filter(|(t, _)| *t == target)
                .map(|(_, id)| id.clone())
                .collect()
        };
        let note = Note {
            id,
            properties,
            contact_ids: ids(Target::Contact),
            deal_ids: ids(Target::Deal),
            created_at: now,
            updated_at: now,
        };
        let answer = record(&note.id, &note.properties, None, &[], now, now);
        store.notes.push(note);
        Ok((StatusCode::CREATED, Json(answer)).into_response())
    })
}

async fn create_deal(State(crm): State<Arc<Crm>>, headers: HeaderMap, body: String) -> Response {
    crm.answer(&headers, || {
        let body = parse(&body)?;
        let mut properties = properties_of(body.get("properties"), "properties")?;
        if properties.get("dealstage").is_none_or(String::is_empty) {
            return Err(Refused::required("DEAL", &["dealstage"]));
        }
        properties
            .entry("pipeline".into())
            .or_insert_with(|| DEFAULT_PIPELINE.to_string());
        check_deal(&mut properties)?;
        let mut store = crm.store();
        let linked = associations(&store, &body, &[(DEAL_TO_CONTACT, Target::Contact)])?;
        let now = Utc::now();
        let id = crm.id();
        properties.insert("hs_object_id".into(), id.clone());
        properties.insert("createdate".into(), stamp(now));
        properties.insert("hs_lastmodifieddate".into(), stamp(now));
        let deal = Deal {
            id,
            properties,
            contact_ids: linked.into_iter().map(|(_, id)| id).collect(),
            created_at: now,
            updated_at: now,
        };
        let answer = deal_json(&deal, None);
        store.deals.push(deal);
        Ok((StatusCode::CREATED, Json(answer)).into_response())
    })
}

/// One search filter.
struct Filter {
    property: String,
    operator: String,
    value: Option<String>,
    high: Option<String>,
    values: Vec<String>,
}

const OPERATORS: [&str; 13] = [
    "EQ",
    "NEQ",
    "LT",
    "LTE",
    "GT",
    "GTE",
    "BETWEEN",
    "IN",
    "NOT_IN",
    "HAS_PROPERTY",
    "NOT_HAS_PROPERTY",
    "CONTAINS_TOKEN",
    "NOT_CONTAINS_TOKEN",
];

fn filter_groups(body: &Value) -> Result<Vec<Vec<Filter>>, Refused> {
    let groups = match body.get("filterGroups") {
        None | Some(Value::Null) => return Ok(vec![]),
        Some(Value::Array(groups)) => groups,
        Some(_) => {
            return Err(Refused::invalid(
                "Invalid input JSON: `filterGroups` must be an array",
            ))
        }
    };
    if groups.len() > 5 {
        return Err(Refused::invalid(
            "Too many filter groups: a search takes at most 5",
        ));
    }
    let mut parsed = vec![];
    let mut total = 0;
    for group in groups {
        let filters = group
            .get("filters")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        if filters.len() > 6 {
            return Err(Refused::invalid(
                "Too many filters in a group: a group takes at most 6",
            ));
        }
        total += filters.len();
        let mut one = vec![];
        for filter in &filters {
            let property = filter.get("propertyName").and_then(Value::as_str);
            let operator = filter
                .get("operator")
                .and_then(Value::as_str)
                .unwrap_or("EQ");
            let Some(property) = property else {
                return Err(Refused::invalid(
                    "Invalid input JSON: a filter needs `propertyName`",
                ));
            };
            if !OPERATORS.contains(&operator) {
                return Err(Refused::invalid(format!(
                    "Invalid input JSON: unknown filter operator {operator}"
                )));
            }
            one.push(Filter {
                property: property.to_string(),
                operator: operator.to_string(),
                value: filter.get("value").and_then(scalar),
                high: filter.get("highValue").and_then(scalar),
                values: filter
                    .get("values")
                    .and_then(Value::as_array)
                    .map(|v| v.iter().filter_map(scalar).collect())
                    .unwrap_or_default(),
            });
        }
        parsed.push(one);
    }
    if total > 18 {
        return Err(Refused::invalid(
            "Too many filters: a search takes at most 18",
        ));
    }
    Ok(parsed)
}

fn same(actual: &str, wanted: &str) -> bool {
    actual.eq_ignore_ascii_case(wanted)
        || matches!((actual.parse::<f64>(), wanted.parse::<f64>()), (Ok(a), Ok(b)) if a == b)
}

/// How `actual` compares with `wanted`: as numbers, else as instants, else as text.
fn order(actual: &str, wanted: &str) -> Option<std::cmp::Ordering> {
    if let (Ok(a), Ok(b)) = (actual.parse::<f64>(), wanted.parse::<f64>()) {
        return a.partial_cmp(&b);
    }
    if let (Some(a), Some(b)) = (instant(actual), instant(wanted)) {
        return Some(a.cmp(&b));
    }
    Some(actual.to_lowercase().cmp(&wanted.to_lowercase()))
}

fn has_token(actual: &str, token: &str) -> bool {
    let token = token.to_lowercase();
    let (prefix, suffix) = (token.ends_with('*'), token.starts_with('*'));
    let token = token.trim_matches('*');
    actual
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .any(|word| match (prefix, suffix) {
            (true, true) => word.contains(token),
            (true, false) => word.starts_with(token),
            (false, true) => word.ends_with(token),
            (false, false) => word == token,
        })
}

fn matches(filter: &Filter, properties: &Properties) -> bool {
    use std::cmp::Ordering::{Equal, Greater, Less};
    let actual = properties
        .get(&filter.property)
        .map(String::as_str)
        .filter(|v| !v.is_empty());
    let wanted = filter.value.as_deref().unwrap_or("");
    let compared = |accept: &[std::cmp::Ordering]| {
        actual
            .and_then(|a| order(a, wanted))
            .is_some_and(|o| accept.contains(&o))
    };
    match filter.operator.as_str() {
        "EQ" => actual.is_some_and(|a| same(a, wanted)),
        "NEQ" => !actual.is_some_and(|a| same(a, wanted)),
        "LT" => compared(&[Less]),
        "LTE" => compared(&[Less, Equal]),
        "GT" => compared(&[Greater]),
        "GTE" => compared(&[Greater, Equal]),
        "BETWEEN" => {
            let high = filter.high.as_deref().unwrap_or("");
            compared(&[Greater, Equal])
                && actual
                    .and_then(|a| order(a, high))
                    .is_some_and(|o| o != Greater)
        }
        "IN" => actual.is_some_and(|a| filter.values.iter().any(|v| same(a, v))),
        "NOT_IN" => !actual.is_some_and(|a| filter.values.iter().any(|v| same(a, v))),
        "HAS_PROPERTY" => actual.is_some(),
        "NOT_HAS_PROPERTY" => actual.is_none(),
        "CONTAINS_TOKEN" => actual.is_some_and(|a| has_token(a, wanted)),
        "NOT_CONTAINS_TOKEN" => !actual.is_some_and(|a| has_token(a, wanted)),
        _ => false,
    }
}

fn names(value: Option<&Value>) -> Option<Vec<String>> {
    value.and_then(Value::as_array).map(|names| {
        names
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect()
    })
}

async fn search_deals(State(crm): State<Arc<Crm>>, headers: HeaderMap, body: String) -> Response {
    crm.answer(&headers, || {
        let body = parse(&body)?;
        let groups = filter_groups(&body)?;
        let limit = match body.get("limit") {
            None | Some(Value::Null) => 10,
            Some(limit) => limit
                .as_u64()
                .and_then(|l| usize::try_from(l).ok())
                .filter(|l| *l <= MAX_SEARCH_LIMIT)
                .ok_or_else(|| {
                    Refused::invalid(format!(
                        "limit must be a number from 0 to {MAX_SEARCH_LIMIT}"
                    ))
                })?,
        };
        let after = match body.get("after").and_then(scalar) {
            None => 0,
            Some(after) if after.is_empty() => 0,
            Some(after) => after
                .parse::<usize>()
                .map_err(|_| Refused::invalid(format!("{after} is not a valid `after` cursor")))?,
        };
        let wanted = names(body.get("properties")).filter(|w| !w.is_empty());
        let defaults: Vec<String> = DEAL_DEFAULTS.iter().map(|p| p.to_string()).collect();
        let wanted = wanted.unwrap_or(defaults);
        let store = crm.store();
        let found: Vec<&Deal> = store
            .deals
            .iter()
            .filter(|deal| {
                groups.is_empty()
                    || groups
                        .iter()
                        .any(|group| group.iter().all(|f| matches(f, &deal.properties)))
            })
            .collect();
        let results: Vec<Value> = found
            .iter()
            .skip(after)
            .take(limit)
            .map(|deal| deal_json(deal, Some(&wanted)))
            .collect();
        let mut answer = json!({ "total": found.len(), "results": results });
        let next = after + limit;
        if limit > 0 && next < found.len() {
            answer["paging"] = json!({ "next": { "after": next.to_string() } });
        }
        Ok(Json(answer).into_response())
    })
}

/// A deal read or update's query: the properties and associations asked for, and the
/// unique property `{dealId}` is a value of (`hs_object_id` when none is named).
struct DealQuery {
    properties: Option<Vec<String>>,
    associations: Vec<String>,
    id_property: Option<String>,
}

fn deal_query(query: Option<&str>) -> DealQuery {
    let mut parsed = DealQuery {
        properties: None,
        associations: vec![],
        id_property: None,
    };
    for (key, value) in url::form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
        let listed = value
            .split(',')
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string);
        match key.as_ref() {
            "properties" => parsed
                .properties
                .get_or_insert_with(Vec::new)
                .extend(listed),
            "associations" => parsed.associations.extend(listed),
            "idProperty" => parsed.id_property = Some(value.into_owned()),
            _ => {}
        }
    }
    parsed
}

fn find_deal<'a>(
    deals: &'a mut [Deal],
    id: &str,
    id_property: Option<&str>,
) -> Option<&'a mut Deal> {
    match id_property.filter(|p| *p != "hs_object_id") {
        None => deals.iter_mut().find(|d| d.id == id),
        Some(property) => deals.iter_mut().find(|d| d.property(property) == Some(id)),
    }
}

async fn read_deal(
    State(crm): State<Arc<Crm>>,
    Path(deal_id): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    crm.answer(&headers, || {
        let query = deal_query(query.as_deref());
        let mut store = crm.store();
        let deal = find_deal(&mut store.deals, &deal_id, query.id_property.as_deref())
            .ok_or_else(Refused::not_found)?;
        let defaults: Vec<String> = DEAL_DEFAULTS.iter().map(|p| p.to_string()).collect();
        let wanted = query.properties.unwrap_or(defaults);
        let mut answer = deal_json(deal, Some(&wanted));
        let contacts_asked = query
            .associations
            .iter()
            .any(|a| matches!(a.as_str(), "contacts" | "contact" | "0-1"));
        if contacts_asked && !deal.contact_ids.is_empty() {
            let results: Vec<Value> = deal
                .contact_ids
                .iter()
                .map(|id| json!({ "id": id, "type": "deal_to_contact" }))
                .collect();
            answer["associations"] = json!({ "contacts": { "results": results } });
        }
        Ok(Json(answer).into_response())
    })
}

async fn update_deal(
    State(crm): State<Arc<Crm>>,
    Path(deal_id): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: String,
) -> Response {
    crm.answer(&headers, || {
        let query = deal_query(query.as_deref());
        let body = parse(&body)?;
        let Some(changes) = body.get("properties") else {
            return Err(Refused::invalid(
                "Invalid input JSON: `properties` is required",
            ));
        };
        let changes = properties_of(Some(changes), "properties")?;
        let mut store = crm.store();
        let deal = find_deal(&mut store.deals, &deal_id, query.id_property.as_deref())
            .ok_or_else(Refused::not_found)?;
        let mut properties = deal.properties.clone();
        properties.extend(changes);
        check_deal(&mut properties)?;
        let now = Utc::now();
        // What HubSpot computes stays its own.
        for name in DEAL_ALWAYS {
            if let Some(kept) = deal.properties.get(name) {
                properties.insert(name.to_string(), kept.clone());
            }
        }
        properties.insert("hs_lastmodifieddate".into(), stamp(now));
        deal.properties = properties;
        deal.updated_at = now;
        Ok(Json(deal_json(deal, None)).into_response())
    })
}

/// `PATCH /crm/v3/objects/contacts/{id}` ("Update a contact": `{"properties"}`) → the
/// contact; 404 `OBJECT_NOT_FOUND` when there is none.
async fn update_contact(
    State(crm): State<Arc<Crm>>,
    Path(contact_id): Path<String>,
    headers: HeaderMap,
    body: String,
) -> Response {
    crm.answer(&headers, || {
        let body = parse(&body)?;
        let Some(changes) = body.get("properties") else {
            return Err(Refused::invalid(
                "Invalid input JSON: `properties` is required",
            ));
        };
        let changes = properties_of(Some(changes), "properties")?;
        let mut store = crm.store();
        let contact = store
            .contacts
            .iter_mut()
            .find(|c| c.id == contact_id)
            .ok_or_else(Refused::not_found)?;
        let now = Utc::now();
        contact.properties.extend(changes);
        contact
            .properties
            .insert("lastmodifieddate".into(), stamp(now));
        contact.updated_at = now;
        Ok(Json(record(
            &contact.id,
            &contact.properties,
            None,
            &[],
            contact.created_at,
            contact.updated_at,
        ))
        .into_response())
    })
}

async fn gdpr_delete(State(crm): State<Arc<Crm>>, headers: HeaderMap, body: String) -> Response {
    crm.answer(&headers, || {
        let body = parse(&body)?;
        let object_id = body
            .get("objectId")
            .and_then(scalar)
            .map(|id| id.trim().to_string())
            .filter(|id| !id.is_empty());
        let Some(object_id) = object_id else {
            return Err(Refused::invalid(
                "Invalid input JSON: `objectId` is required",
            ));
        };
        let by_email = match body.get("idProperty").and_then(Value::as_str) {
            None => false,
            Some("email") => true,
            Some(other) => {
                return Err(Refused::invalid(format!(
                    "{other} is not a supported idProperty: use `email` or a contact id"
                )))
            }
        };
        let mut store = crm.store();
        let email = object_id.to_lowercase();
        let found = store.contacts.iter().position(|c| match by_email {
            true => c.email() == Some(email.as_str()),
            false => c.id == object_id,
        });
        let Some(at) = found else {
            if by_email {
                if !store.blocklist.contains(&email) {
                    store.blocklist.push(email);
                }
                return Ok(StatusCode::NO_CONTENT.into_response());
            }
            return Err(Refused::not_found());
        };
        let contact = store.contacts.remove(at);
        store
            .notes
            .retain(|note| !note.contact_ids.contains(&contact.id));
        for deal in &mut store.deals {
            deal.contact_ids.retain(|id| *id != contact.id);
        }
        Ok(StatusCode::NO_CONTENT.into_response())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "pat-na1-11111111-2222-3333-4444-555555555555";

    struct Client {
        url: String,
        http: reqwest::Client,
    }

    impl Client {
        async fn send(
            &self,
            method: reqwest::Method,
            path: &str,
            token: Option<&str>,
            body: Option<Value>,
        ) -> (u16, Value) {
            let mut request = self.http.request(method, format!("{}{path}", self.url));
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            if let Some(body) = body {
                request = request.json(&body);
            }
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            let text = response.text().await.unwrap();
            (status, serde_json::from_str(&text).unwrap_or(Value::Null))
        }

        async fn post(&self, path: &str, body: Value) -> (u16, Value) {
            self.send(reqwest::Method::POST, path, Some(TOKEN), Some(body))
                .await
        }
    }

    async fn double() -> (Served, Arc<Crm>, Client) {
        let (served, crm) = start(TOKEN).await.unwrap();
        let client = Client {
            url: served.url.clone(),
            http: reqwest::Client::new(),
        };
        (served, crm, client)
    }

    async fn contact(client: &Client, email: &str) -> String {
        let (status, body) = client
            .post(
                "/crm/v3/objects/contacts/batch/upsert",
                json!({"inputs": [{"idProperty": "email", "id": email, "properties": {"firstname": "Ada"}}]}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        body["results"][0]["id"].as_str().unwrap().to_string()
    }

    fn deal_body(contact_id: &str, stage: &str, opportunity: &str) -> Value {
        json!({
            "properties": {
                "dealname": "Acme renewal",
                "amount": "1500",
                "dealstage": stage,
                "pipeline": "default",
                "closedate": "2026-11-15",
                "liaison_opportunity_id": opportunity,
            },
            "associations": [{
                "to": {"id": contact_id},
                "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 3}],
            }],
        })
    }

    #[tokio::test]
    async fn a_call_without_the_apps_token_is_refused() {
        let (_served, crm, client) = double().await;
        for token in [None, Some("pat-na1-not-this-one")] {
            let (status, body) = client
                .send(
                    reqwest::Method::POST,
                    "/crm/v3/objects/deals/search",
                    token,
                    Some(json!({})),
                )
                .await;
            assert_eq!(status, 401);
            assert_eq!(body["status"], "error");
            assert_eq!(body["category"], "INVALID_AUTHENTICATION");
            assert!(body["message"]
                .as_str()
                .unwrap()
                .starts_with("Authentication credentials not found"));
            assert!(body["correlationId"].is_string());
        }
        assert!(crm.deals().is_empty());
    }

    #[tokio::test]
    async fn upserting_twice_by_email_keeps_one_contact() {
        let (_served, crm, client) = double().await;
        let path = "/crm/v3/objects/contacts/batch/upsert";
        let (status, first) = client
            .post(
                path,
                json!({"inputs": [{"idProperty": "email", "id": "Ada@Example.com", "properties": {"firstname": "Ada"}}]}),
            )
            .await;
        assert_eq!(status, 200, "{first}");
        assert_eq!(first["status"], "COMPLETE");
        assert!(first["startedAt"].is_string() && first["completedAt"].is_string());
        let created = &first["results"][0];
        assert_eq!(created["new"], true);
        assert_eq!(created["archived"], false);
        assert_eq!(created["properties"]["email"], "ada@example.com");
        let id = created["id"].as_str().unwrap();
        assert!(id.bytes().all(|b| b.is_ascii_digit()));

        let (status, second) = client
            .post(
                path,
                json!({"inputs": [{"idProperty": "email", "id": "ada@example.com", "properties": {"lastname": "Lovelace"}}]}),
            )
            .await;
        assert_eq!(status, 200, "{second}");
        assert_eq!(second["results"][0]["new"], false);
        assert_eq!(second["results"][0]["id"], id);
        assert_eq!(crm.contacts().len(), 1);
        let stored = crm.contact_by_email("ADA@example.com").unwrap();
        assert_eq!(stored.property("firstname"), Some("Ada"));
        assert_eq!(stored.property("lastname"), Some("Lovelace"));
    }

    #[tokio::test]
    async fn an_invalid_upsert_writes_nothing() {
        let (_served, crm, client) = double().await;
        let path = "/crm/v3/objects/contacts/batch/upsert";
        for inputs in [
            json!([{"id": "a@b.co", "properties": {}}]),
            json!([{"idProperty": "email", "properties": {}}]),
            json!([{"idProperty": "email", "id": "a@b.co"}, {"idProperty": "email", "id": "not-an-email"}]),
        ] {
            let (status, body) = client.post(path, json!({ "inputs": inputs })).await;
            assert_eq!(status, 400, "{body}");
            assert_eq!(body["category"], "VALIDATION_ERROR");
        }
        let (_, bad_email) = client
            .post(
                path,
                json!({"inputs": [{"idProperty": "email", "id": "a@b"}]}),
            )
            .await;
        assert!(bad_email["message"]
            .as_str()
            .unwrap()
            .contains("INVALID_EMAIL"));
        assert!(crm.contacts().is_empty());
    }

    #[tokio::test]
    async fn a_note_is_associated_with_its_contact() {
        let (_served, crm, client) = double().await;
        let contact_id = contact(&client, "ada@example.com").await;
        let association = |to: &str| json!([{"to": {"id": to}, "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 202}]}]);
        let (status, note) = client
            .post(
                "/crm/v3/objects/notes",
                json!({
                    "properties": {"hs_timestamp": "2026-10-30T03:30:17.883Z", "hs_note_body": "Asked for a refund"},
                    "associations": association(&contact_id),
                }),
            )
            .await;
        assert_eq!(status, 201, "{note}");
        assert_eq!(note["properties"]["hs_note_body"], "Asked for a refund");
        assert_eq!(
            note["properties"]["hs_timestamp"],
            "2026-10-30T03:30:17.883Z"
        );
        let notes = crm.notes();
        assert_eq!(notes.len(), 1);
        assert_eq!(notes[0].id, note["id"].as_str().unwrap());
        assert_eq!(notes[0].contact_ids, vec![contact_id.clone()]);
        assert_eq!(notes[0].body(), Some("Asked for a refund"));

        let (status, missing) = client
            .post(
                "/crm/v3/objects/notes",
                json!({"properties": {"hs_note_body": "no time"}, "associations": association(&contact_id)}),
            )
            .await;
        assert_eq!(status, 400);
        assert_eq!(missing["category"], "VALIDATION_ERROR");
        assert_eq!(missing["context"]["properties"], json!(["hs_timestamp"]));

        let (status, unknown) = client
            .post(
                "/crm/v3/objects/notes",
                json!({"properties": {"hs_timestamp": "1700000000000"}, "associations": association("999999")}),
            )
            .await;
        assert_eq!(status, 400);
        assert_eq!(unknown["message"], "One or more associations are invalid");
        assert_eq!(
            unknown["context"]["INVALID_OBJECT_IDS"],
            json!(["CONTACT=999999 is not valid"])
        );
        assert_eq!(crm.notes().len(), 1);
    }

    #[tokio::test]
    async fn a_deal_is_created_with_its_contact_and_found_by_a_custom_property() {
        let (_served, crm, client) = double().await;
        let contact_id = contact(&client, "ada@example.com").await;
        let (status, other) = client
            .post(
                "/crm/v3/objects/deals",
                deal_body(&contact_id, "appointmentscheduled", "opp-1"),
            )
            .await;
        assert_eq!(status, 201, "{other}");
        let (status, deal) = client
            .post(
                "/crm/v3/objects/deals",
                deal_body(&contact_id, "qualifiedtobuy", "opp-2"),
            )
            .await;
        assert_eq!(status, 201, "{deal}");
        let deal_id = deal["id"].as_str().unwrap();
        assert!(
            deal_id.parse::<u64>().unwrap() > other["id"].as_str().unwrap().parse::<u64>().unwrap()
        );
        assert_eq!(deal["properties"]["closedate"], "2026-11-15T00:00:00.000Z");
        assert_eq!(deal["properties"]["hs_object_id"], deal_id);
        assert_eq!(
            crm.deal(deal_id).unwrap().contact_ids,
            vec![contact_id.clone()]
        );

        let (status, found) = client
            .post(
                "/crm/v3/objects/deals/search",
                json!({
                    "filterGroups": [{"filters": [{"propertyName": "liaison_opportunity_id", "operator": "EQ", "value": "opp-2"}]}],
                    "properties": ["dealstage", "liaison_opportunity_id"],
                    "limit": 1,
                }),
            )
            .await;
        assert_eq!(status, 200, "{found}");
        assert_eq!(found["total"], 1);
        assert_eq!(found["results"][0]["id"], deal_id);
        assert_eq!(
            found["results"][0]["properties"]["dealstage"],
            "qualifiedtobuy"
        );
        assert!(found.get("paging").is_none());

        let (_, page) = client
            .post("/crm/v3/objects/deals/search", json!({"limit": 1}))
            .await;
        assert_eq!(page["total"], 2);
        assert_eq!(page["paging"]["next"]["after"], "1");

        let (status, read) = client
            .send(
                reqwest::Method::GET,
                &format!("/crm/v3/objects/deals/{deal_id}?properties=dealname,liaison_opportunity_id&associations=contacts"),
                Some(TOKEN),
                None,
            )
            .await;
        assert_eq!(status, 200, "{read}");
        assert_eq!(read["properties"]["liaison_opportunity_id"], "opp-2");
        assert_eq!(
            read["associations"]["contacts"]["results"][0]["id"],
            contact_id
        );

        let (status, missing) = client
            .send(
                reqwest::Method::GET,
                "/crm/v3/objects/deals/424242",
                Some(TOKEN),
                None,
            )
            .await;
        assert_eq!(status, 404);
        assert_eq!(missing["category"], "OBJECT_NOT_FOUND");
    }

    #[tokio::test]
    async fn a_deal_moves_stage_and_an_unknown_stage_is_refused() {
        let (_served, crm, client) = double().await;
        let contact_id = contact(&client, "ada@example.com").await;
        let (status, refused) = client
            .post(
                "/crm/v3/objects/deals",
                deal_body(&contact_id, "negotiation", "opp-1"),
            )
            .await;
        assert_eq!(status, 400);
        assert_eq!(refused["category"], "VALIDATION_ERROR");
        assert!(refused["message"]
            .as_str()
            .unwrap()
            .contains("INVALID_OPTION"));
        assert!(crm.deals().is_empty());

        let (_, deal) = client
            .post(
                "/crm/v3/objects/deals",
                deal_body(&contact_id, "appointmentscheduled", "opp-1"),
            )
            .await;
        let deal_id = deal["id"].as_str().unwrap();
        let path = format!("/crm/v3/objects/deals/{deal_id}");
        let (status, patched) = client
            .send(
                reqwest::Method::PATCH,
                &path,
                Some(TOKEN),
                Some(json!({"properties": {"dealstage": "contractsent"}})),
            )
            .await;
        assert_eq!(status, 200, "{patched}");
        assert_eq!(patched["properties"]["dealstage"], "contractsent");
        assert_eq!(patched["properties"]["liaison_opportunity_id"], "opp-1");
        assert_eq!(crm.deal(deal_id).unwrap().stage(), Some("contractsent"));

        let (status, _) = client
            .send(
                reqwest::Method::PATCH,
                &path,
                Some(TOKEN),
                Some(json!({"properties": {"dealstage": "won"}})),
            )
            .await;
        assert_eq!(status, 400);
        assert_eq!(crm.deal(deal_id).unwrap().stage(), Some("contractsent"));
        let (status, _) = client
            .send(
                reqwest::Method::PATCH,
                "/crm/v3/objects/deals/424242",
                Some(TOKEN),
                Some(json!({"properties": {"dealstage": "closedwon"}})),
            )
            .await;
        assert_eq!(status, 404);

        assert!(crm.set_deal_stage(deal_id, "closedwon"));
        assert!(!crm.set_deal_stage(deal_id, "won"));
        assert_eq!(crm.deal(deal_id).unwrap().stage(), Some("closedwon"));
        let event =
            crm.deal_property_change_event(deal_id, "dealstage", "closedwon", 987_654, 12_345_678);
        let event = &event.as_array().unwrap()[0];
        assert_eq!(event["subscriptionType"], "deal.propertyChange");
        assert_eq!(event["objectId"], deal_id.parse::<u64>().unwrap());
        assert_eq!(event["propertyName"], "dealstage");
        assert_eq!(event["propertyValue"], "closedwon");
        assert_eq!(event["appId"], 987_654);
        assert_eq!(event["portalId"], 12_345_678);
        assert_eq!(event["attemptNumber"], 0);
        assert_eq!(event["changeSource"], "CRM_UI");
        assert!(event["occurredAt"].as_i64().unwrap() > 1_700_000_000_000);
        assert!(event["eventId"].is_u64() && event["subscriptionId"].is_u64());
    }

    #[tokio::test]
    async fn a_gdpr_delete_leaves_nothing_of_the_contact() {
        let (_served, crm, client) = double().await;
        let contact_id = contact(&client, "ada@example.com").await;
        let (_, deal) = client
            .post(
                "/crm/v3/objects/deals",
                deal_body(&contact_id, "qualifiedtobuy", "opp-1"),
            )
            .await;
        let (status, _) = client
            .post(
                "/crm/v3/objects/notes",
                json!({
                    "properties": {"hs_timestamp": "1700000000000", "hs_note_body": "ada@example.com asked"},
                    "associations": [{"to": {"id": contact_id}, "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 202}]}],
                }),
            )
            .await;
        assert_eq!(status, 201);

        let path = "/crm/v3/objects/contacts/gdpr-delete";
        let (status, _) = client
            .post(
                path,
                json!({"objectId": "Ada@Example.com", "idProperty": "email"}),
            )
            .await;
        assert_eq!(status, 204);
        assert!(crm.contacts().is_empty());
        assert!(crm.contact_by_email("ada@example.com").is_none());
        assert!(crm.notes().is_empty());
        let deal = crm.deal(deal["id"].as_str().unwrap()).unwrap();
        assert!(deal.contact_ids.is_empty());

        let (status, missing) = client.post(path, json!({"objectId": contact_id})).await;
        assert_eq!(status, 404);
        assert_eq!(missing["category"], "OBJECT_NOT_FOUND");
        let (status, _) = client
            .post(
                path,
                json!({"objectId": "bob@example.com", "idProperty": "email"}),
            )
            .await;
        assert_eq!(status, 204);
        assert_eq!(crm.blocklisted(), vec!["bob@example.com".to_string()]);
    }

    #[tokio::test]
    async fn a_queued_rate_limit_answers_hubspots_429_once() {
        let (served, crm, client) = double().await;
        served.recorder.fail_next(rate_limited(10));
        let response = client
            .http
            .post(format!("{}/crm/v3/objects/deals/search", client.url))
            .bearer_auth(TOKEN)
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 429);
        assert_eq!(response.headers()["retry-after"], "10");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["status"], "error");
        assert_eq!(body["errorType"], "RATE_LIMIT");
        assert_eq!(body["policyName"], "TEN_SECONDLY_ROLLING");
        assert!(body["correlationId"].is_string());

        let contact_id = contact(&client, "ada@example.com").await;
        assert_eq!(crm.contacts()[0].id, contact_id);
        assert_eq!(served.recorder.requests().len(), 2);
    }

    #[test]
    fn the_v3_signature_is_hubspots() {
        // Python: base64(hmac.new(b"client-secret", message, sha256).digest()).
        let signature = signature_v3(
            "client-secret",
            "POST",
            "https://liaison.example/hooks/hubspot",
            r#"[{"eventId":1}]"#,
            1_700_000_000_000,
        )
        .unwrap();
        assert_eq!(signature, "rW/v/YfpkHOEPV7RknfQKq5vc2pY+4Yu76jJRL12p8k=");
    }
}
