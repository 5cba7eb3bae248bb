//! What a connected tool calls Liaison's things (`DeliveriesTable`, partition
//! `link#{endpoint_id}`, sort key `{what}#{liaison id}`): the Zendesk ticket a case opened,
//! the Zendesk user or HubSpot contact a contact became, the HubSpot deal of an opportunity.
//! A connector reads them to change what it created (solve the ticket, win the deal) and to
//! erase the person there; a contact's link is deleted once the erasure went through.
//!
//! A CRM's webhook names its own objects: the way back from a deal to its opportunity is
//! kept too (partition `link#{system}#{account}`, sort key `deal#{deal id}`), with the
//! currency of the deal's amounts, for identify to apply what the CRM says.
//!
//! A link holds ids only, and no `contact_id` attribute: erasing a contact in Liaison must
//! not drop the link that its erasure in the tool still needs.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::kit::dynamo::{self, pk_sk};
use crate::Error;

/// What a link names in Liaison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Linked {
    Case,
    Contact,
    Opportunity,
}

impl Linked {
    fn prefix(self) -> &'static str {
        match self {
            Linked::Case => "case",
            Linked::Contact => "contact",
            Linked::Opportunity => "opportunity",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Link {
    /// The tool's id for it.
    pub external_id: String,
    pub linked_at: DateTime<Utc>,
}

/// Where a CRM's deal came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DealOrigin {
    pub opportunity_id: String,
    /// What its amounts are in (ISO 4217).
    pub currency: String,
    pub linked_at: DateTime<Utc>,
}

fn deal_key(system: &str, account: &str, deal_id: &str) -> dynamo::Item {
    pk_sk(
        format!("link#{system}#{account}"),
        format!("deal#{deal_id}"),
    )
}

#[derive(Debug, Clone)]
pub struct Links {
    pub client: aws_sdk_dynamodb::Client,
    pub table: String,
}

fn key(endpoint_id: &str, what: Linked, id: &str) -> dynamo::Item {
    pk_sk(
        format!("link#{endpoint_id}"),
        format!("{}#{id}", what.prefix()),
    )
}

impl Links {
    pub async fn get(
        &self,
        endpoint_id: &str,
        what: Linked,
        id: &str,
    ) -> Result<Option<Link>, Error> {
        dynamo::get(
            &self.client,
            &self.table,
            key(endpoint_id, what, id),
            "link",
        )
        .await
    }

    /// Records that the tool calls `id` `external_id` (the same again changes nothing).
    pub async fn put(
        &self,
        endpoint_id: &str,
        what: Linked,
        id: &str,
        external_id: &str,
        at: DateTime<Utc>,
    ) -> Result<(), Error> {
        let mut item = dynamo::encode(
            &Link {
                external_id: external_id.to_string(),
                linked_at: at,
            },
            "link",
        )?;
        item.extend(key(endpoint_id, what, id));
        self.write(item, "PutItem link").await
    }

    /// Records that deal `deal_id` of CRM `system`'s `account` is `origin`'s opportunity.
    pub async fn put_deal(
        &self,
        system: &str,
        account: &str,
        deal_id: &str,
        origin: &DealOrigin,
    ) -> Result<(), Error> {
        let mut item = dynamo::encode(origin, "deal link")?;
        item.extend(deal_key(system, account, deal_id));
        self.write(item, "PutItem deal link").await
    }

    /// Writes `item` as it is (a link says the same thing again when written again).
    async fn write(&self, item: dynamo::Item, operation: &str) -> Result<(), Error> {
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .send()
            .await
            .map_err(|e| Error::from_sdk(operation, e))?;
        Ok(())
    }

    /// The opportunity deal `deal_id` was created for, if Liaison created it.
    pub async fn deal(
        &self,
        system: &str,
        account: &str,
        deal_id: &str,
    ) -> Result<Option<DealOrigin>, Error> {
        dynamo::get(
            &self.client,
            &self.table,
            deal_key(system, account, deal_id),
            "deal link",
        )
        .await
    }

    pub async fn forget(&self, endpoint_id: &str, what: Linked, id: &str) -> Result<(), Error> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key(endpoint_id, what, id)))
            .send()
            .await
            .map_err(|e| Error::from_sdk("DeleteItem link", e))?;
        Ok(())
    }
}
