//! `CallbacksTable`'s home: the "call me back" requests people make from a relaunch email
//! (tracking writes them, one per email), for sales to work in admin: listed by status
//! (`ByStatus`: `status`, `created_at`), marked done or open again.
//!
//! A request done twice keeps who did it first and when (`done_by`, `done_at`); reopened,
//! it loses them and records who reopened it.

use aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder;
use aws_sdk_dynamodb::types::ReturnValue;
use aws_sdk_dynamodb::Client;
use chrono::{DateTime, SecondsFormat, Utc};

use super::engagement::EmailRef;
use crate::kit::clock::stamp;
use crate::kit::dynamo::{condition_held, is_condition_failure, n, s, Item};
use crate::Error;

pub const BY_STATUS_INDEX: &str = "ByStatus";

/// Where a request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Open,
    Done,
}

impl Status {
    pub fn parse(status: &str) -> Option<Status> {
        match status {
            "open" => Some(Status::Open),
            "done" => Some(Status::Done),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Done => "done",
        }
    }
}

/// When the buyer would like the call (their local time, as they understand it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    Morning,
    Midday,
    Afternoon,
    Evening,
}

impl Slot {
    pub const ALL: [Slot; 4] = [Slot::Morning, Slot::Midday, Slot::Afternoon, Slot::Evening];

    pub fn as_str(self) -> &'static str {
        match self {
            Slot::Morning => "morning",
            Slot::Midday => "midday",
            Slot::Afternoon => "afternoon",
            Slot::Evening => "evening",
        }
    }

    pub fn parse(name: &str) -> Option<Slot> {
        Self::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// What the page shows, in the buyer's two languages.
    pub fn label(self) -> &'static str {
        match self {
            Slot::Morning => "Le matin (9 h – 12 h) / Morning (9am – 12pm)",
            Slot::Midday => "Midi (12 h – 14 h) / Midday (12 – 2pm)",
            Slot::Afternoon => "L'après-midi (14 h – 18 h) / Afternoon (2 – 6pm)",
            Slot::Evening => "Le soir (18 h – 20 h) / Evening (6 – 8pm)",
        }
    }
}

/// How to reach the buyer: a number in E.164, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reach {
    pub phone: String,
    pub slot: Slot,
}

/// The id of the request made from relaunch email `email_id` (one per email).
pub fn id_for(email_id: &str) -> String {
    format!("cb_{}", email_id.trim_start_matches("eml_rl_"))
}

/// Records the request made from relaunch email `email_id` (`email` as read), with how to
/// reach the buyer: `false` when one was made from that email already (an open one then
/// takes the number and the slot given last: the buyer corrected a typo).
pub async fn request(
    client: &Client,
    table: &str,
    email_id: &str,
    email: &EmailRef,
    reach: &Reach,
    now: DateTime<Utc>,
) -> Result<bool, Error> {
    let put = client
        .put_item()
        .table_name(table)
        .item("id", s(id_for(email_id)))
        .item("status", s(Status::Open.as_str()))
        .item("created_at", s(stamp(now)))
        .item("contact_id", s(&email.contact_id))
        .item("campaign_id", s(&email.campaign_id))
        .item("cart_id", s(email.cart_id.clone().unwrap_or_default()))
        .item("email_id", s(email_id))
        .item("step", n(email.step))
        .item("phone", s(&reach.phone))
        .item("slot", s(reach.slot.as_str()))
        .condition_expression("attribute_not_exists(id)")
        .send()
        .await;
    if condition_held(put, "PutItem callback")? {
        return Ok(true);
    }
    let corrected = client
        .update_item()
        .table_name(table)
        .key("id", s(id_for(email_id)))
        .update_expression("SET phone = :phone, slot = :slot, updated_at = :now")
        .condition_expression("#status = :open")
        .expression_attribute_names("#status", "status")
        .expression_attribute_values(":phone", s(&reach.phone))
        .expression_attribute_values(":slot", s(reach.slot.as_str()))
        .expression_attribute_values(":now", s(stamp(now)))
        .expression_attribute_values(":open", s(Status::Open.as_str()))
        .send()
        .await;
    condition_held(corrected, "UpdateItem callback")?;
    Ok(false)
}

/// The requests in `status`, newest first: the query, for the caller to page.
pub fn by_status(client: &Client, table: &str, status: Status) -> QueryFluentBuilder {
    let query = crate::kit::dynamo::query_eq(
        client,
        table,
        Some(BY_STATUS_INDEX),
        "status",
        status.as_str(),
    );
    query.scan_index_forward(false)
}

/// Marks request `id` done or open again, by `by`, with `note` when given: the request as it
/// is afterwards, `None` when there is no such request.
pub async fn set_status(
    client: &Client,
    table: &str,
    id: &str,
    status: Status,
    by: &str,
    note: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Option<Item>, Error> {
    let mut set = match status {
        Status::Done => "SET #status = :status, done_by = if_not_exists(done_by, :by), \
                         done_at = if_not_exists(done_at, :now)"
            .to_string(),
        Status::Open => "SET #status = :status, reopened_by = :by, reopened_at = :now".to_string(),
    };
    if note.is_some() {
        set.push_str(", note = :note");
    }
    if status == Status::Open {
        set.push_str(" REMOVE done_by, done_at");
    }
    let mut request = client
        .update_item()
        .table_name(table)
        .key("id", s(id))
        .condition_expression("attribute_exists(id)")
        .update_expression(set)
        .expression_attribute_names("#status", "status")
        .expression_attribute_values(":status", s(status.as_str()))
        .expression_attribute_values(":by", s(by))
        .expression_attribute_values(":now", s(now.to_rfc3339_opts(SecondsFormat::Millis, true)))
        .return_values(ReturnValue::AllNew);
    if let Some(note) = note {
        request = request.expression_attribute_values(":note", s(note));
    }
    match request.send().await {
        Ok(out) => Ok(Some(out.attributes.unwrap_or_default())),
        Err(e) if is_condition_failure(&e) => Ok(None),
        Err(e) => Err(Error::from_sdk("UpdateItem callback", e)),
    }
}
