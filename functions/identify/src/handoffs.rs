//! What the brand's helpdesk and CRM say back about what Liaison handed them:
//! - a Zendesk ticket solved or closed by an agent closes its case;
//! - a HubSpot deal moved to `closedwon` or `closedlost` closes its opportunity, won or lost;
//!   another stage, or a new amount, is recorded on it.
//!
//! A close tells the brand's endpoints (`case.closed`, `opportunity.closed`, with `"by"` the
//! system, which its connector does not echo back). Applied once: the close is conditional
//! on the item being open, and the event is named by the item, so a redelivery after a crash
//! between the two publishes the same event again.

use chrono::{DateTime, Utc};
use serde_json::json;
use shared::contracts::deliveries::{Event, EventType};
use shared::contracts::events::{DealChange, DealProperty, Handoff, Message, TicketStatus};
use shared::contracts::work::{self, Change, Outcome};
use shared::kit::batch::RecordError;
use shared::kit::dynamo::text;

use crate::Deps;

pub async fn apply(deps: &Deps, message: &Message, handoff: &Handoff) -> Result<(), RecordError> {
    match handoff {
        Handoff::TicketStatus(status) => ticket_status(deps, message, status).await,
        Handoff::DealChange(change) => deal_change(deps, message, change).await,
    }
}

async fn ticket_status(
    deps: &Deps,
    message: &Message,
    status: &TicketStatus,
) -> Result<(), RecordError> {
    if !status.resolves() {
        tracing::info!(event_id = %message.id, case_id = %status.case_id, status = %status.status, "ticket status noted, case unchanged");
        return Ok(());
    }
    let closing = Closing {
        table: &deps.routing.cases_table,
        id: &status.case_id,
        kind: EventType::CaseClosed,
        singular: "case",
        system: &status.system,
        resolution: format!(
            "ticket {} {} in {}",
            status.ticket_id, status.status, status.system
        ),
        outcome: None,
        at: status.at,
    };
    closing.apply(deps, message).await
}

async fn deal_change(
    deps: &Deps,
    message: &Message,
    change: &DealChange,
) -> Result<(), RecordError> {
    let Some(origin) = deps
        .links
        .deal(&change.system, &change.account, &change.deal_id)
        .await?
    else {
        tracing::info!(event_id = %message.id, deal_id = %change.deal_id, "a deal Liaison did not create: ignored");
        return Ok(());
    };
    let routing = &deps.routing;
    let outcome = match (change.property, change.value.as_str()) {
        (DealProperty::Stage, "closedwon") => Some(Outcome::Won),
        (DealProperty::Stage, "closedlost") => Some(Outcome::Lost),
        _ => None,
    };
    if let Some(outcome) = outcome {
        let closing = Closing {
            table: &routing.opportunities_table,
            id: &origin.opportunity_id,
            kind: EventType::OpportunityClosed,
            singular: "opportunity",
            system: &change.system,
            resolution: format!(
                "deal {} {} in {}",
                change.deal_id,
                outcome.as_str(),
                change.system
            ),
            outcome: Some(outcome),
            at: change.at,
        };
        // The stage too, so that the opportunity shows the CRM's word for it.
        record(
            deps,
            &origin.opportunity_id,
            change,
            Some(&change.value),
            None,
        )
        .await?;
        return closing.apply(deps, message).await;
    }
    match change.property {
        DealProperty::Stage => {
            record(
                deps,
                &origin.opportunity_id,
                change,
                Some(&change.value),
                None,
            )
            .await
        }
        DealProperty::Amount => match work::money(&change.value, &origin.currency) {
            Ok((amount, currency)) => {
                record(
                    deps,
                    &origin.opportunity_id,
                    change,
                    None,
                    Some((&amount, &currency)),
                )
                .await
            }
            // Cleared in the CRM, or not a number: the last good amount stays.
            Err(_) => {
                tracing::info!(event_id = %message.id, deal_id = %change.deal_id, "a deal's amount that is no amount: ignored");
                Ok(())
            }
        },
    }
}

/// Records a deal's stage or amount on its opportunity.
async fn record(
    deps: &Deps,
    opportunity_id: &str,
    change: &DealChange,
    stage: Option<&str>,
    amount: Option<(&str, &str)>,
) -> Result<(), RecordError> {
    let routing = &deps.routing;
    let changed = work::change(
        &routing.dynamodb,
        &routing.opportunities_table,
        opportunity_id,
        Change::Deal {
            stage,
            amount,
            by: &change.system,
        },
        change.at,
    )
    .await?;
    if changed.is_none() {
        tracing::warn!(opportunity_id = %opportunity_id, "a deal's opportunity no longer exists");
    }
    Ok(())
}

/// An item the helpdesk or the CRM is done with.
struct Closing<'a> {
    table: &'a str,
    id: &'a str,
    kind: EventType,
    /// The item's key in the event's data.
    singular: &'static str,
    system: &'a str,
    resolution: String,
    outcome: Option<Outcome>,
    at: DateTime<Utc>,
}

impl Closing<'_> {
    async fn apply(&self, deps: &Deps, message: &Message) -> Result<(), RecordError> {
        let routing = &deps.routing;
        let change = Change::Close {
            by: self.system,
            resolution: &self.resolution,
            outcome: self.outcome,
        };
        let closed = work::change(&routing.dynamodb, self.table, self.id, change, self.at).await?;
        let item = match closed {
            Some(item) => item,
            None => match work::get_item(&routing.dynamodb, self.table, self.id).await? {
                // Closed by this system already (an earlier delivery that may not have told):
                // told again, under the same event id.
                Some(item)
                    if text(&item, "status") == Some("closed")
                        && text(&item, "closed_by") == Some(self.system) =>
                {
                    item
                }
                other => {
                    tracing::info!(event_id = %message.id, item_id = %self.id, exists = other.is_some(), "already closed by staff, or unknown");
                    return Ok(());
                }
            },
        };
        let item = shared::kit::pages::to_json(item)?;
        routing
            .events
            .publish(&Event::new(
                self.kind,
                &format!("{}#closed", self.id),
                self.at,
                item["contact_id"].as_str(),
                json!({ "change": "closed", "by": self.system, self.singular: item }),
            ))
            .await?;
        shared::kit::metrics::count(
            "WorkClosedByHandoff",
            1,
            &[("System", self.system)],
            deps.clock.now(),
        );
        tracing::info!(event_id = %message.id, item_id = %self.id, system = %self.system, "closed by the brand's tool");
        Ok(())
    }
}
