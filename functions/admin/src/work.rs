//! `/admin/cases` (customer service) and `/admin/opportunities` (sales): list by status in
//! the order they must be handled (cases by SLA due time, opportunities oldest first), show
//! one, assign it, add private notes, close it. Both tables are written by `identify` when
//! it opens them; here staff work them.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::Client;
use serde::Deserialize;
use serde_json::json;
use shared::kit::dynamo::is_condition_failure;
use shared::kit::http::{self, Request, Response};
use shared::Error;

use shared::kit::auth::Caller;

/// One of the two work tables.
#[derive(Debug, Clone)]
pub struct WorkItems {
    pub client: Client,
    pub table: String,
    /// The `ByStatus` index's sort key: `due_at` for cases, `opened_at` for opportunities.
    pub order_by: &'static str,
    /// `cases` / `opportunities`: the list's key in answers.
    pub noun: &'static str,
    /// `case` / `opportunity`: in messages.
    pub singular: &'static str,
}

pub const BY_STATUS_INDEX: &str = "ByStatus";
const MAX_NOTE: usize = 4000;
/// Notes live inside the case's item, which DynamoDB caps at 400 KB: at most this many, each
/// at most 4,000 characters (16 KB in the worst UTF-8), well under the cap with the case.
pub const MAX_NOTES: usize = 20;
const MAX_ASSIGNEE: usize = 200;

#[derive(Deserialize)]
struct Assign {
    assignee: String,
}

#[derive(Deserialize)]
struct Note {
    text: String,
}

#[derive(Deserialize, Default)]
struct Close {
    #[serde(default)]
    resolution: Option<String>,
}

use crate::listing::to_json;

impl WorkItems {
    pub async fn list(&self, req: &Request) -> Result<Response, Error> {
        let status = http::query_param(req, "status").unwrap_or("open");
        if !matches!(status, "open" | "closed") {
            return Err(Error::validation("status", "must be open or closed"));
        }
        let query = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(BY_STATUS_INDEX)
            .key_condition_expression("#status = :status")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":status", AttributeValue::S(status.to_string()))
            .scan_index_forward(true);
        let keys = ["id", "status", self.order_by];
        let (items, next) = crate::listing::page(req, query, &keys, "Query work items").await?;
        Ok(http::json(200, &json!({ self.noun: items, "next": next })))
    }

    pub async fn get(&self, id: &str) -> Result<Response, Error> {
        let key = shared::kit::dynamo::key("id", id);
        let item = shared::kit::dynamo::get_item(&self.client, &self.table, key, "work item")
            .await?
            .ok_or_else(|| Error::NotFound(format!("no such {}", self.singular)))?;
        Ok(http::json(200, &to_json(item)?))
    }

    pub async fn assign(
        &self,
        req: &Request,
        id: &str,
        caller: &Caller,
    ) -> Result<Response, Error> {
        let Assign { assignee } = http::json_body(req)?;
        let assignee = assignee.trim().to_string();
        if assignee.is_empty() || assignee.len() > MAX_ASSIGNEE {
            return Err(Error::validation(
                "assignee",
                format!("must be 1 to {MAX_ASSIGNEE} characters"),
            ));
        }
        self.update(
            id,
            "SET assignee = :assignee, assigned_by = :by, assigned_at = :now",
            "attribute_exists(id)",
            &[
                (":assignee", AttributeValue::S(assignee)),
                (":by", AttributeValue::S(caller.subject.clone())),
            ],
        )
        .await
    }

    pub async fn note(&self, req: &Request, id: &str, caller: &Caller) -> Result<Response, Error> {
        let Note { text } = http::json_body(req)?;
        let text = text.trim().to_string();
        if text.is_empty() || text.chars().count() > MAX_NOTE {
            return Err(Error::validation(
                "text",
                format!("must be 1 to {MAX_NOTE} characters"),
            ));
        }
        let note = AttributeValue::M(HashMap::from([
            ("text".to_string(), AttributeValue::S(text)),
            (
                "author".to_string(),
                AttributeValue::S(caller.subject.clone()),
            ),
            (
                "at".to_string(),
                AttributeValue::S(chrono::Utc::now().to_rfc3339()),
            ),
        ]));
        self.update_or(
            id,
            "SET notes = list_append(if_not_exists(notes, :empty), :note)",
            "attribute_exists(id) AND (attribute_not_exists(notes) OR size(notes) < :max)",
            &[
                (":note", AttributeValue::L(vec![note])),
                (":empty", AttributeValue::L(vec![])),
                (":max", AttributeValue::N(MAX_NOTES.to_string())),
            ],
            &format!(
                "this {} holds {MAX_NOTES} notes, the most it can: write the rest in its resolution",
                self.singular
            ),
        )
        .await
    }

    pub async fn close(&self, req: &Request, id: &str, caller: &Caller) -> Result<Response, Error> {
        let close: Close = if req.body.as_deref().is_none_or(|b| b.trim().is_empty()) {
            Close::default()
        } else {
            http::json_body(req)?
        };
        let resolution = close.resolution.unwrap_or_default().trim().to_string();
        if resolution.chars().count() > MAX_NOTE {
            return Err(Error::validation(
                "resolution",
                format!("at most {MAX_NOTE} characters"),
            ));
        }
        self.update(
            id,
            "SET #status = :closed, closed_by = :by, closed_at = :now, resolution = :resolution",
            "attribute_exists(id) AND #status = :open",
            &[
                (":closed", AttributeValue::S("closed".into())),
                (":open", AttributeValue::S("open".into())),
                (":by", AttributeValue::S(caller.subject.clone())),
                (":resolution", AttributeValue::S(resolution)),
            ],
        )
        .await
    }

    /// A conditional update answering the item as it is afterwards; 404 when it does not
    /// exist, 409 when it is not in a state that allows the change.
    async fn update(
        &self,
        id: &str,
        set: &str,
        condition: &str,
        values: &[(&str, AttributeValue)],
    ) -> Result<Response, Error> {
        let conflict = format!("this {} is not open", self.singular);
        self.update_or(id, set, condition, values, &conflict).await
    }

    /// `conflict`: what a 409 says when the item exists but the condition does not hold.
    async fn update_or(
        &self,
        id: &str,
        set: &str,
        condition: &str,
        values: &[(&str, AttributeValue)],
        conflict: &str,
    ) -> Result<Response, Error> {
        let mut request = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("id", AttributeValue::S(id.to_string()))
            .update_expression(set)
            .condition_expression(condition)
            .return_values(aws_sdk_dynamodb::types::ReturnValue::AllNew);
        if set.contains(":now") {
            request = request.expression_attribute_values(
                ":now",
                AttributeValue::S(chrono::Utc::now().to_rfc3339()),
            );
        }
        if set.contains("#status") || condition.contains("#status") {
            request = request.expression_attribute_names("#status", "status");
        }
        for (name, value) in values {
            request = request.expression_attribute_values(*name, value.clone());
        }
        match request.send().await {
            Ok(out) => Ok(http::json(
                200,
                &to_json(out.attributes.unwrap_or_default())?,
            )),
            Err(e) if is_condition_failure(&e) => {
                // Tell "absent" from "not open" with one read.
                let exists = self.get(id).await.is_ok();
                Err(if exists {
                    Error::Conflict(conflict.to_string())
                } else {
                    Error::NotFound(format!("no such {}", self.singular))
                })
            }
            Err(e) => Err(Error::from_sdk("UpdateItem work item", e)),
        }
    }
}
