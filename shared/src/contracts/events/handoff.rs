//! What a helpdesk or a CRM tells Liaison about what Liaison handed it: a Zendesk ticket
//! solved by an agent (its `external_id` is the case it was opened for), a HubSpot deal
//! moved or re-valued by a salesperson. Their webhooks come into ingest like any platform's,
//! signed, and identify applies them to the case or the opportunity.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Handoff {
    /// A ticket's status changed in the helpdesk.
    TicketStatus(TicketStatus),
    /// A deal's stage or amount changed in the CRM.
    DealChange(DealChange),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DealChange {
    /// The CRM (`hubspot`).
    pub system: String,
    /// The CRM account the deal is in (HubSpot's portal id).
    pub account: String,
    pub deal_id: String,
    pub property: DealProperty,
    /// As the CRM gives it (a stage's internal name, a decimal amount).
    pub value: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DealProperty {
    Stage,
    Amount,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TicketStatus {
    /// The helpdesk (`zendesk`).
    pub system: String,
    pub ticket_id: String,
    /// The case the ticket was opened for (the ticket's `external_id`).
    pub case_id: String,
    /// Lower case, as the helpdesk names it (`open`, `pending`, `solved`, `closed`...).
    pub status: String,
    /// When the helpdesk says it changed.
    pub at: DateTime<Utc>,
}

impl TicketStatus {
    /// Whether the helpdesk is done with it: the case closes.
    pub fn resolves(&self) -> bool {
        matches!(self.status.as_str(), "solved" | "closed")
    }
}
