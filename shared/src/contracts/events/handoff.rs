//! What a helpdesk or a CRM tells Liaison about what Liaison handed it: a Zendesk ticket
//! solved by an agent (its `external_id` is the case it was opened for). Its webhook comes
//! into ingest like any platform's, signed, and identify applies it to the case.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Handoff {
    /// A ticket's status changed in the helpdesk.
    TicketStatus(TicketStatus),
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
