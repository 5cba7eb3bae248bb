//! `/admin/cases` (customer service), `/admin/opportunities` (sales) and `/admin/questions`
//! (customer service or marketing, each question's `owner`): list by status in the order
//! they must be handled (cases and questions by SLA due time, opportunities oldest first),
//! show one, assign it, add private notes, close it (an opportunity `won` or `lost`), give an
//! opportunity its stage and amount. The tables are written by `identify` when it opens
//! them (and when a helpdesk or a CRM says how they went); here staff work them.

use aws_sdk_dynamodb::Client;
use serde::Deserialize;
use serde_json::json;
use shared::contracts::deliveries::{Event, EventQueue, EventType};
use shared::contracts::work::{self, Change, Outcome, MAX_NOTES};
use shared::kit::http::{self, Request, Response};
use shared::Error;

use shared::contracts::contributions::corrections::Verdict;
use shared::contracts::rules::Label;
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
    /// `case` / `opportunity`: in messages, and the key of the item in events' data.
    pub singular: &'static str,
    /// What the brand's endpoints are told of a change: `case.updated`, `case.closed`...
    pub events: EventQueue,
    /// The event of an assignment or a note (`None`: not told).
    pub updated: Option<EventType>,
    pub closed: EventType,
    /// Whether its items have an `owner` (a team) that a list may filter on.
    pub by_owner: bool,
    /// Where a close's `label` (what its contribution really was) is kept.
    pub corrections: crate::corrections::Corrections,
    pub clock: shared::kit::clock::Clock,
}

const MAX_NOTE: usize = 4000;
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
#[serde(deny_unknown_fields)]
struct Close {
    #[serde(default)]
    resolution: Option<String>,
    /// An opportunity's: `won` or `lost`.
    #[serde(default)]
    outcome: Option<String>,
    /// What its contribution really was, when staff say so ("not a purchase intent": a
    /// question): an example the brand's classifier learns from.
    #[serde(default)]
    label: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Value {
    #[serde(default)]
    stage: Option<String>,
    /// A decimal (`"1250.50"`), with its `currency`.
    #[serde(default)]
    amount: Option<String>,
    #[serde(default)]
    currency: Option<String>,
}

const MAX_STAGE: usize = 100;

use crate::inbox_filters::{Filters, Queue};
use crate::listing::to_json;

impl WorkItems {
    pub async fn list(&self, req: &Request) -> Result<Response, Error> {
        let status = http::query_param(req, "status").unwrap_or("open");
        if !matches!(status, "open" | "closed") {
            return Err(Error::validation("status", "must be open or closed"));
        }
        let queue = match self.by_owner {
            true => Queue::Questions,
            false => Queue::Work,
        };
        let filters = Filters::from_request(req, queue)?;
        let query = filters.apply(work::by_status(&self.client, &self.table, status));
        let keys = ["id", "status", self.order_by];
        let (items, next) = crate::listing::page(req, query, &keys, "Query work items").await?;
        Ok(http::json(200, &json!({ self.noun: items, "next": next })))
    }

    pub async fn get(&self, id: &str) -> Result<Response, Error> {
        let item = work::get_item(&self.client, &self.table, id)
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
        let change = Change::Assign {
            assignee: &assignee,
            by: &caller.subject,
        };
        self.make(id, change, None).await
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
        let full = format!(
            "this {} holds {MAX_NOTES} notes, the most it can: write the rest in its resolution",
            self.singular
        );
        let change = Change::Note {
            text: &text,
            author: &caller.subject,
        };
        self.make(id, change, Some(&full)).await
    }

    pub async fn close(&self, req: &Request, id: &str, caller: &Caller) -> Result<Response, Error> {
        let close: Close = if req.body.as_deref().is_none_or(|b| b.trim().is_empty()) {
            Close::default()
        } else {
            http::json_body(req)?
        };
        let outcome = match (close.outcome.as_deref(), self.singular) {
            (None, _) => None,
            (Some("won"), "opportunity") => Some(Outcome::Won),
            (Some("lost"), "opportunity") => Some(Outcome::Lost),
            (Some(_), "opportunity") => {
                return Err(Error::validation("outcome", "must be won or lost"))
            }
            (Some(_), _) => {
                return Err(Error::validation(
                    "outcome",
                    "only an opportunity is won or lost",
                ))
            }
        };
        Ok(http::json(
            200,
            &self
                .close_with(id, close.resolution, outcome, close.label, caller)
                .await?,
        ))
    }

    /// `PATCH /admin/opportunities/{id}`: `{"stage", "amount", "currency"}`, each optional
    /// (an amount with its currency): the opportunity after.
    pub async fn value(&self, req: &Request, id: &str, caller: &Caller) -> Result<Response, Error> {
        let Value {
            stage,
            amount,
            currency,
        } = http::json_body(req)?;
        let stage = stage.map(|s| s.trim().to_string());
        if stage
            .as_ref()
            .is_some_and(|s| s.is_empty() || s.chars().count() > MAX_STAGE)
        {
            return Err(Error::validation(
                "stage",
                format!("must be 1 to {MAX_STAGE} characters"),
            ));
        }
        let amount = match (amount, currency) {
            (None, None) => None,
            (Some(amount), Some(currency)) => {
                Some(shared::contracts::work::money(&amount, &currency)?)
            }
            _ => {
                return Err(Error::validation(
                    "currency",
                    "an amount and its currency go together",
                ))
            }
        };
        if stage.is_none() && amount.is_none() {
            return Err(Error::validation(
                "stage",
                "give a stage, an amount, or both",
            ));
        }
        let change = Change::Deal {
            stage: stage.as_deref(),
            amount: amount.as_ref().map(|(a, c)| (a.as_str(), c.as_str())),
            by: &caller.subject,
        };
        self.make(id, change, None).await
    }

    /// Closes item `id` with `resolution` (a private note of how it ended) and, for an
    /// opportunity, its `outcome`: the item after.
    pub async fn close_with(
        &self,
        id: &str,
        resolution: Option<String>,
        outcome: Option<Outcome>,
        label: Option<String>,
        caller: &Caller,
    ) -> Result<serde_json::Value, Error> {
        let resolution = resolution.unwrap_or_default().trim().to_string();
        if resolution.chars().count() > MAX_NOTE {
            return Err(Error::validation(
                "resolution",
                format!("at most {MAX_NOTE} characters"),
            ));
        }
        let label = label
            .map(|name| crate::corrections::label(&name, "label"))
            .transpose()?;
        if let Some(label) = label {
            self.correct(id, label, caller).await?;
        }
        let change = Change::Close {
            by: &caller.subject,
            resolution: &resolution,
            outcome,
        };
        self.changed(id, change, None).await
    }

    /// Keeps what staff said item `id`'s contribution really was. Before the close: a close
    /// that fails after it leaves a true statement, and a retry says it again.
    async fn correct(&self, id: &str, label: Label, caller: &Caller) -> Result<(), Error> {
        let item = work::get_item(&self.client, &self.table, id)
            .await?
            .ok_or_else(|| Error::NotFound(format!("no such {}", self.singular)))?;
        let event_id = item
            .get("event_id")
            .and_then(|v| v.as_s().ok())
            .ok_or_else(|| {
                Error::Internal(format!("a {} without its contribution", self.singular))
            })?;
        match self
            .corrections
            .record(
                event_id,
                Verdict::Is(label),
                crate::corrections::kind_of(self.singular),
                caller,
            )
            .await
        {
            Ok(_) => Ok(()),
            // Identify records the contribution after it opens its case: a moment later.
            Err(Error::NotFound(_)) => Err(Error::Conflict(format!(
                "this {}'s contribution is still being recorded: try again in a few seconds",
                self.singular
            ))),
            Err(e) => Err(e),
        }
    }

    /// Tells the endpoints that `item` was `what` (assigned, noted, closed) at `now`. After the
    /// write: when SQS refuses even after the SDK's retries, staff get a 503 and the change
    /// stands untold (logged with the item's id).
    async fn tell(
        &self,
        kind: EventType,
        what: &str,
        item: &serde_json::Value,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), Error> {
        let id = item["id"].as_str().unwrap_or_default();
        let event = Event::new(
            kind,
            &format!("{id}#{what}#{}", now.timestamp_micros()),
            now,
            item["contact_id"].as_str(),
            json!({ "change": what, self.singular: item }),
        );
        self.events.publish(&event).await.inspect_err(|e| {
            tracing::error!(item_id = %id, event_id = %event.id, error = %e, "a change was made but not told");
        })
    }

    /// Makes `change`, answering the item as it is afterwards; 404 when it does not exist,
    /// 409 when it is not in a state that allows the change (`conflict` says why, "not open"
    /// unless given).
    async fn make(
        &self,
        id: &str,
        change: Change<'_>,
        conflict: Option<&str>,
    ) -> Result<Response, Error> {
        Ok(http::json(200, &self.changed(id, change, conflict).await?))
    }

    /// [`WorkItems::make`]'s item, as JSON.
    async fn changed(
        &self,
        id: &str,
        change: Change<'_>,
        conflict: Option<&str>,
    ) -> Result<serde_json::Value, Error> {
        let now = self.clock.now();
        let (told, what) = match change {
            Change::Assign { .. } => (self.updated, "assigned"),
            Change::Note { .. } => (self.updated, "noted"),
            Change::Close { .. } => (Some(self.closed), "closed"),
            Change::Deal { .. } => (self.updated, "valued"),
        };
        match work::change(&self.client, &self.table, id, change, now).await? {
            Some(item) => {
                let item = to_json(item)?;
                if let Some(kind) = told {
                    self.tell(kind, what, &item, now).await?;
                }
                Ok(item)
            }
            None => {
                // Tell "absent" from "not open" with one read.
                let exists = self.get(id).await.is_ok();
                Err(if exists {
                    let not_open = format!("this {} is not open", self.singular);
                    Error::Conflict(conflict.map_or(not_open, str::to_string))
                } else {
                    Error::NotFound(format!("no such {}", self.singular))
                })
            }
        }
    }
}
