//! What staff configure in `SettingsTable` (brand rules, email templates), read by a warm
//! function at most once per `ttl`: a change applies within a minute by default, and a
//! message costs no read of its own.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::types::AttributeValue;
use shared::Error;
use tokio::sync::Mutex;

pub type Item = HashMap<String, AttributeValue>;

/// One partition of `SettingsTable`, kept for `ttl` after each read.
pub struct Cached<T> {
    client: aws_sdk_dynamodb::Client,
    table: String,
    pk: &'static str,
    ttl: Duration,
    cell: Mutex<Option<(Instant, Arc<T>)>>,
}

impl<T> Cached<T> {
    pub fn new(
        client: aws_sdk_dynamodb::Client,
        table: impl Into<String>,
        pk: &'static str,
        ttl: Duration,
    ) -> Self {
        Cached {
            client,
            table: table.into(),
            pk,
            ttl,
            cell: Mutex::new(None),
        }
    }

    /// The partition's items made into `T` by `build`, from the cache while it is fresh.
    pub async fn get(&self, build: impl FnOnce(Vec<Item>) -> T) -> Result<Arc<T>, Error> {
        let mut cell = self.cell.lock().await;
        if let Some((read_at, value)) = cell.as_ref() {
            if read_at.elapsed() < self.ttl {
                return Ok(value.clone());
            }
        }
        let value = Arc::new(build(self.read().await?));
        *cell = Some((Instant::now(), value.clone()));
        Ok(value)
    }

    async fn read(&self) -> Result<Vec<Item>, Error> {
        let query = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("pk = :pk")
            .expression_attribute_values(":pk", AttributeValue::S(self.pk.into()));
        shared::pages::query_all(query, "Query settings").await
    }
}
