//! `/admin/callbacks`: the "call me back" requests people make from a relaunch email
//! (`CallbacksTable`, written by the tracking function), for sales: the open ones newest
//! first (or the done ones), and marking one done, or open again.
//!
//! A request done twice keeps who did it first and when (`done_by`, `done_at`); reopened,
//! it loses them and records who reopened it.

use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use aws_sdk_dynamodb::Client;
use chrono::SecondsFormat;
use serde::Deserialize;
use serde_json::json;
use shared::kit::dynamo::is_condition_failure;
use shared::kit::http::{self, Request, Response};
use shared::Error;

use crate::listing::to_json;
use shared::kit::auth::Caller;

pub const BY_STATUS_INDEX: &str = "ByStatus";
const MAX_NOTE: usize = 4000;

pub struct Callbacks {
    pub client: Client,
    pub table: String,
    pub clock: shared::kit::clock::Clock,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Change {
    status: String,
    #[serde(default)]
    note: Option<String>,
}

fn parse_status(status: &str) -> Result<&'static str, Error> {
    match status {
        "open" => Ok("open"),
        "done" => Ok("done"),
        _ => Err(Error::validation("status", "must be open or done")),
    }
}

impl Callbacks {
    /// `?status=open` (the default) or `done`, newest first; `?limit=`, `?after=`.
    pub async fn list(&self, req: &Request) -> Result<Response, Error> {
        let status = parse_status(http::query_param(req, "status").unwrap_or("open"))?;
        let query = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(BY_STATUS_INDEX)
            .key_condition_expression("#status = :status")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":status", AttributeValue::S(status.into()))
            .scan_index_forward(false);
        let keys = ["id", "status", "created_at"];
        let (items, next) = crate::listing::page(req, query, &keys, "Query callbacks").await?;
        Ok(http::json(
            200,
            &json!({ "callbacks": items, "next": next }),
        ))
    }

    /// `{"status": "done" | "open", "note": "..."}`.
    pub async fn update(
        &self,
        req: &Request,
        id: &str,
        caller: &Caller,
    ) -> Result<Response, Error> {
        let change: Change = http::json_body(req)?;
        let status = parse_status(&change.status)?;
        let note = change.note.map(|n| n.trim().to_string());
        if note.as_ref().is_some_and(|n| n.chars().count() > MAX_NOTE) {
            return Err(Error::validation(
                "note",
                format!("at most {MAX_NOTE} characters"),
            ));
        }
        let now = self
            .clock
            .now()
            .to_rfc3339_opts(SecondsFormat::Millis, true);
        let mut set = if status == "done" {
            "SET #status = :status, done_by = if_not_exists(done_by, :by), \
             done_at = if_not_exists(done_at, :now)"
                .to_string()
        } else {
            "SET #status = :status, reopened_by = :by, reopened_at = :now".to_string()
        };
        if note.is_some() {
            set.push_str(", note = :note");
        }
        if status == "open" {
            set.push_str(" REMOVE done_by, done_at");
        }
        let mut request = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("id", AttributeValue::S(id.to_string()))
            .condition_expression("attribute_exists(id)")
            .update_expression(set)
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":status", AttributeValue::S(status.into()))
            .expression_attribute_values(":by", AttributeValue::S(caller.subject.clone()))
            .expression_attribute_values(":now", AttributeValue::S(now))
            .return_values(ReturnValue::AllNew);
        if let Some(note) = note {
            request = request.expression_attribute_values(":note", AttributeValue::S(note));
        }
        let updated = request.send().await;
        match updated {
            Ok(out) => {
                tracing::info!(callback_id = %id, status, "callback updated");
                Ok(http::json(
                    200,
                    &to_json(out.attributes.unwrap_or_default())?,
                ))
            }
            Err(e) if is_condition_failure(&e) => {
                Err(Error::NotFound("no such callback request".into()))
            }
            Err(e) => Err(Error::from_sdk("UpdateItem callback", e)),
        }
    }
}
