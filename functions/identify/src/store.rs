//! `ContributionsTable`: one item per contribution event, with what the classifier made of
//! it. The write is conditional on the event id, so a redelivered message (SQS is
//! at-least-once, and ingest may re-enqueue after a crash) has one effect.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::Client;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use shared::events::{Contribution, Message};
use shared::source::{is_condition_failure, Platform};
use shared::Error;

use crate::classify::Classification;
use crate::moderation::Moderation;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContributionRecord {
    /// The event id (`evt_...`).
    pub id: String,
    pub source_id: String,
    pub platform: Platform,
    pub received_at: DateTime<Utc>,
    pub classified_at: DateTime<Utc>,
    /// The contact who wrote it (`None`: the author carried no email, account or handle).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_id: Option<String>,
    pub classification: Classification,
    /// For a contribution that arrived held: what Liaison decided, and why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub moderation: Option<Moderation>,
    pub contribution: Contribution,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    New,
    AlreadyThere,
}

#[derive(Debug, Clone)]
pub struct ContributionStore {
    client: Client,
    table: String,
}

impl ContributionStore {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    pub async fn record(
        &self,
        message: &Message,
        contribution: &Contribution,
        contact_id: Option<&str>,
        classification: &Classification,
        moderation: Option<&Moderation>,
        now: DateTime<Utc>,
    ) -> Result<Recorded, Error> {
        let record = ContributionRecord {
            id: message.id.clone(),
            source_id: message.source_id.clone(),
            platform: message.platform,
            received_at: message.received_at,
            classified_at: now,
            contact_id: contact_id.map(str::to_string),
            classification: classification.clone(),
            moderation: moderation.cloned(),
            contribution: contribution.clone(),
        };
        let item: HashMap<String, AttributeValue> = serde_dynamo::to_item(&record)
            .map_err(|e| Error::Internal(format!("encode contribution: {e}")))?;
        match self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(id)")
            .send()
            .await
        {
            Ok(_) => Ok(Recorded::New),
            Err(e) if is_condition_failure(&e) => Ok(Recorded::AlreadyThere),
            Err(e) => Err(Error::from_sdk("PutItem contribution", e)),
        }
    }
}
