//! `CampaignsTable`: one item per campaign (`id`), with `kind = "campaign"` so that the
//! `ByKind` index lists them all with one Query (there are tens, not thousands).

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::Client;

use super::Campaign;
use crate::Error;

pub const KIND: &str = "campaign";
pub const BY_KIND_INDEX: &str = "ByKind";

#[derive(Debug, Clone)]
pub struct CampaignStore {
    pub client: Client,
    pub table: String,
}

fn decode(mut item: HashMap<String, AttributeValue>) -> Result<Campaign, Error> {
    item.remove("kind");
    crate::kit::dynamo::decode(item, "campaign")
}

impl CampaignStore {
    pub async fn get(&self, id: &str) -> Result<Option<Campaign>, Error> {
        let key = crate::kit::dynamo::key("id", id);
        let item = crate::kit::dynamo::get_item(&self.client, &self.table, key, "campaign").await?;
        item.map(decode).transpose()
    }

    /// Every campaign, oldest first.
    pub async fn all(&self) -> Result<Vec<Campaign>, Error> {
        let query = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(BY_KIND_INDEX)
            .key_condition_expression("kind = :kind")
            .expression_attribute_values(":kind", AttributeValue::S(KIND.into()));
        crate::kit::pages::query_all(query, "Query campaigns")
            .await?
            .into_iter()
            .map(decode)
            .collect()
    }

    /// Writes `campaign` if `condition` holds (`attribute_not_exists(id)` to create,
    /// `updated_at = :read` to replace what was read); `false` when it does not.
    pub async fn put(
        &self,
        campaign: &Campaign,
        condition: &str,
        values: HashMap<String, AttributeValue>,
    ) -> Result<bool, Error> {
        let mut item: HashMap<String, AttributeValue> =
            crate::kit::dynamo::encode(campaign, "campaign")?;
        item.insert("kind".into(), AttributeValue::S(KIND.into()));
        let written = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression(condition)
            .set_expression_attribute_values((!values.is_empty()).then_some(values))
            .send()
            .await;
        crate::kit::dynamo::condition_held(written, "PutItem campaign")
    }

    pub async fn delete(&self, id: &str) -> Result<bool, Error> {
        let deleted = self
            .client
            .delete_item()
            .table_name(&self.table)
            .key("id", AttributeValue::S(id.to_string()))
            .condition_expression("attribute_exists(id)")
            .send()
            .await;
        crate::kit::dynamo::condition_held(deleted, "DeleteItem campaign")
    }
}
