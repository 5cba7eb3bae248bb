//! Erasure of what referrals hold about a person, across the referrals function's tables:
//! the social graph they shared, the suggestions made to them and about them, their order
//! prints, the conversions they referred (their rewards), and their part in the
//! conversions that referred them (the referrer's reward stays, without the buyer). Admin's
//! erasure of a contact calls it.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::Client;

use crate::Error;

type Item = HashMap<String, AttributeValue>;

/// The referrals function's three tables.
pub struct ReferralData {
    pub client: Client,
    pub connections_table: String,
    pub suggestions_table: String,
    pub referrals_table: String,
}

impl ReferralData {
    async fn query(
        &self,
        table: &str,
        index: Option<&str>,
        attribute: &str,
        value: &str,
    ) -> Result<Vec<Item>, Error> {
        let query = crate::kit::dynamo::query_eq(&self.client, table, index, attribute, value);
        crate::kit::pages::query_all(query, "Query referral items").await
    }

    async fn delete(&self, table: &str, item: &Item) -> Result<(), Error> {
        let (Some(pk), Some(sk)) = (item.get("pk"), item.get("sk")) else {
            return Ok(());
        };
        self.client
            .delete_item()
            .table_name(table)
            .key("pk", pk.clone())
            .key("sk", sk.clone())
            .send()
            .await
            .map_err(|e| Error::from_sdk("DeleteItem referral item", e))?;
        Ok(())
    }

    pub async fn erase(&self, contact: &str) -> Result<(), Error> {
        // The connections they shared and the suggestions made to them (`pk` = the contact).
        for table in [&self.connections_table, &self.suggestions_table] {
            for item in self.query(table, None, "pk", contact).await? {
                self.delete(table, &item).await?;
            }
        }
        // Suggestions about them, made to others.
        for item in self
            .query(
                &self.suggestions_table,
                Some(super::SUGGESTIONS_BY_CONTACT_INDEX),
                "contact_id",
                contact,
            )
            .await?
        {
            self.delete(&self.suggestions_table, &item).await?;
        }
        // Their order prints and the mark that they were referred.
        let own = super::person_pk(contact);
        for item in self.query(&self.referrals_table, None, "pk", &own).await? {
            self.delete(&self.referrals_table, &item).await?;
        }
        // The conversions they referred: their rewards.
        for item in self
            .query(
                &self.referrals_table,
                Some(super::CONVERSIONS_BY_REFERRER_INDEX),
                "referrer",
                contact,
            )
            .await?
        {
            self.delete(&self.referrals_table, &item).await?;
        }
        // The conversions that referred them: the referrer's reward stays, without them.
        for item in self
            .query(
                &self.referrals_table,
                Some(super::CONVERSIONS_BY_REFERRED_INDEX),
                "referred",
                contact,
            )
            .await?
        {
            let (Some(pk), Some(sk)) = (item.get("pk"), item.get("sk")) else {
                continue;
            };
            self.client
                .update_item()
                .table_name(&self.referrals_table)
                .key("pk", pk.clone())
                .key("sk", sk.clone())
                .update_expression("REMOVE referred, ip_key")
                .send()
                .await
                .map_err(|e| Error::from_sdk("UpdateItem conversion erasure", e))?;
        }
        Ok(())
    }
}
