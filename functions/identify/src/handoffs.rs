//! What the brand's helpdesk says back about the cases Liaison handed it: a Zendesk ticket
//! solved or closed by an agent closes its case, and the brand's endpoints are told
//! (`case.closed`, `closed_by: zendesk`, which the Zendesk connector does not echo back).
//!
//! Applied once: the close is conditional on the case being open, and the event is named by
//! the case, so a redelivery after a crash between the two publishes the same event again.

use serde_json::json;
use shared::contracts::deliveries::{Event, EventType};
use shared::contracts::events::{Handoff, Message, TicketStatus};
use shared::contracts::work::{self, Change};
use shared::kit::batch::RecordError;
use shared::kit::dynamo::text;

use crate::Deps;

pub async fn apply(deps: &Deps, message: &Message, handoff: &Handoff) -> Result<(), RecordError> {
    match handoff {
        Handoff::TicketStatus(status) => ticket_status(deps, message, status).await,
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
    let routing = &deps.routing;
    let resolution = format!(
        "ticket {} {} in {}",
        status.ticket_id, status.status, status.system
    );
    let change = Change::Close {
        by: &status.system,
        resolution: &resolution,
    };
    let closed = work::change(
        &routing.dynamodb,
        &routing.cases_table,
        &status.case_id,
        change,
        status.at,
    )
    .await?;
    let item = match closed {
        Some(item) => item,
        None => {
            match work::get_item(&routing.dynamodb, &routing.cases_table, &status.case_id).await? {
                // Closed by this helpdesk already (an earlier delivery that may not have told):
                // told again, under the same event id.
                Some(item)
                    if text(&item, "status") == Some("closed")
                        && text(&item, "closed_by") == Some(status.system.as_str()) =>
                {
                    item
                }
                other => {
                    tracing::info!(event_id = %message.id, case_id = %status.case_id, exists = other.is_some(), "ticket resolved, case already closed by staff or unknown");
                    return Ok(());
                }
            }
        }
    };
    let case = shared::kit::pages::to_json(item)?;
    routing
        .events
        .publish(&Event::new(
            EventType::CaseClosed,
            &format!("{}#closed", status.case_id),
            status.at,
            case["contact_id"].as_str(),
            json!({ "change": "closed", "by": status.system, "case": case }),
        ))
        .await?;
    shared::kit::metrics::count("CasesClosedByHelpdesk", 1, &[], deps.clock.now());
    tracing::info!(event_id = %message.id, case_id = %status.case_id, "case closed by the helpdesk");
    Ok(())
}
