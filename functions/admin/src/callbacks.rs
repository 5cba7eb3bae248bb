//! `/admin/callbacks`: the "call me back" requests people make from a relaunch email
//! (`shared::relaunch::callbacks`, written by the tracking function), for sales: the open
//! ones newest first (or the done ones), and marking one done, or open again.

use aws_sdk_dynamodb::Client;
use serde::Deserialize;
use serde_json::json;
use shared::kit::http::{self, Request, Response};
use shared::relaunch::callbacks::{self, Status};
use shared::Error;

use crate::listing::to_json;
use shared::kit::auth::Caller;

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

fn parse_status(status: &str) -> Result<Status, Error> {
    Status::parse(status).ok_or_else(|| Error::validation("status", "must be open or done"))
}

impl Callbacks {
    /// `?status=open` (the default) or `done`, newest first; `?limit=`, `?after=`.
    pub async fn list(&self, req: &Request) -> Result<Response, Error> {
        let status = parse_status(http::query_param(req, "status").unwrap_or("open"))?;
        let query = callbacks::by_status(&self.client, &self.table, status);
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
        let now = self.clock.now();
        let updated = callbacks::set_status(
            &self.client,
            &self.table,
            id,
            status,
            &caller.subject,
            note.as_deref(),
            now,
        )
        .await?;
        match updated {
            Some(item) => {
                tracing::info!(callback_id = %id, status = status.as_str(), "callback updated");
                Ok(http::json(200, &to_json(item)?))
            }
            None => Err(Error::NotFound("no such callback request".into())),
        }
    }
}
