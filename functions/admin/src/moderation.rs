//! `/admin/moderation`: the contributions that arrived held, by decision (newest first),
//! and a person's change of a decision. Each change keeps the decision it replaces in
//! `moderation_history` and, when the source has a callback URL, is queued for the platform
//! (`shared::contracts::moderation`).

use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::Client;
use serde::Deserialize;
use serde_json::json;
use shared::contracts::moderation::{
    self, CallbackQueue, Decided, Decision, Moderation, MAX_HISTORY,
};
use shared::kit::http::{self, Request, Response};
use shared::Error;

use shared::contracts::contributions::corrections::{CorrectionKind, Verdict};
use shared::contracts::rules::Label;
use shared::kit::auth::Caller;

pub const BY_MODERATION_INDEX: &str = "ByModeration";

pub struct ModerationDesk {
    pub client: Client,
    pub contributions_table: String,
    pub callbacks: CallbackQueue,
    /// Spam and approved are what the brand's classifier learns from.
    pub corrections: crate::corrections::Corrections,
    pub clock: shared::kit::clock::Clock,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Change {
    decision: String,
    #[serde(default)]
    reason: Option<String>,
}

fn parse_decision(name: &str, field: &str) -> Result<Decision, Error> {
    Decision::parse(name).ok_or_else(|| Error::validation(field, "one of approve, hold, spam"))
}

use crate::inbox_filters::{Filters, Queue};
use crate::listing::to_json;

impl ModerationDesk {
    /// `?decision=hold` (the default), `approve` or `spam`; the inbox's filters
    /// (`crate::inbox_filters`); `?limit=`, `?after=`.
    pub async fn list(&self, req: &Request) -> Result<Response, Error> {
        let decision = parse_decision(
            http::query_param(req, "decision").unwrap_or("hold"),
            "decision",
        )?;
        let query = self
            .client
            .query()
            .table_name(&self.contributions_table)
            .index_name(BY_MODERATION_INDEX)
            .key_condition_expression("moderation_status = :d")
            .expression_attribute_values(":d", AttributeValue::S(decision.as_str().into()))
            .scan_index_forward(false);
        let query = Filters::from_request(req, Queue::Contributions)?.apply(query);
        let keys = ["id", "moderation_status", "received_at"];
        let (items, next) = crate::listing::page(req, query, &keys, "Query moderation").await?;
        Ok(http::json(
            200,
            &json!({ "contributions": items, "next": next }),
        ))
    }

    /// `{"decision": "approve", "reason": "..."}` on a held contribution. The same decision
    /// again changes nothing and re-queues the current decision's callback (same webhook
    /// id): a retry after a failed queueing is safe.
    pub async fn decide(
        &self,
        req: &Request,
        id: &str,
        caller: &Caller,
    ) -> Result<Response, Error> {
        let change: Change = http::json_body(req)?;
        let decision = parse_decision(&change.decision, "decision")?;
        let reason = change.reason.unwrap_or_default().trim().to_string();
        if reason.len() > 1000 {
            return Err(Error::validation("reason", "at most 1000 characters"));
        }
        let key = shared::kit::dynamo::key("id", id);
        let item = shared::kit::dynamo::get_item(
            &self.client,
            &self.contributions_table,
            key,
            "contribution",
        )
        .await?
        .ok_or_else(|| Error::NotFound("no such contribution".into()))?;
        // The decision's time exactly as stored: the condition of the change.
        let read = item
            .get("moderation")
            .and_then(|m| m.as_m().ok())
            .and_then(|m| m.get("decided_at"))
            .cloned();
        let record = to_json(item)?;
        let current: Moderation = serde_json::from_value(record["moderation"].clone())
            .map_err(|_| Error::Conflict("this contribution was not held for moderation".into()))?;
        let moderation = if current.decision == decision {
            current
        } else {
            let changed = Moderation {
                decision,
                reasons: if reason.is_empty() {
                    vec![format!("changed by {}", caller.subject)]
                } else {
                    vec![reason]
                },
                decided_at: self.clock.now(),
                decided_by: caller.subject.clone(),
            };
            let read = read.ok_or_else(|| Error::Internal("a decision without its time".into()))?;
            self.replace(id, read, &current, &changed).await?;
            tracing::info!(contribution_id = %id, decision = decision.as_str(), "moderation changed");
            changed
        };
        let decided = Decided {
            contribution_id: id,
            source_id: record["source_id"].as_str().unwrap_or_default(),
            platform: record["platform"].as_str().unwrap_or_default(),
            external_id: record["contribution"]["external_id"]
                .as_str()
                .unwrap_or_default(),
            moderation: &moderation,
        };
        let queued = self.callbacks.enqueue(&decided).await?;
        let verdict = match moderation.decision {
            Decision::Spam => Some(Verdict::Is(Label::Spam)),
            Decision::Approve => Some(Verdict::NotSpam),
            Decision::Hold | Decision::Delete => None,
        };
        if let Some(verdict) = verdict {
            self.corrections
                .record(id, verdict, CorrectionKind::Moderation, caller)
                .await?;
        }
        Ok(http::json(
            200,
            &json!({ "id": id, "moderation": moderation, "callback_queued": queued }),
        ))
    }

    /// Writes `changed` if the decision is still `current` (two staff deciding at once: the
    /// second is told, not silently overwritten).
    async fn replace(
        &self,
        id: &str,
        read: AttributeValue,
        current: &Moderation,
        changed: &Moderation,
    ) -> Result<(), Error> {
        let table = &self.contributions_table;
        if moderation::change_decision(&self.client, table, id, read, current, changed).await? {
            return Ok(());
        }
        Err(Error::Conflict(format!(
            "the decision changed meanwhile (read it again), or it already changed \
             {MAX_HISTORY} times, the most one contribution keeps"
        )))
    }
}
