//! What staff configure in `SettingsTable` (brand rules, email templates), read by a warm
//! function at most once per `ttl`: a change applies within a minute by default, and a
//! message costs no read of its own.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use aws_sdk_dynamodb::types::AttributeValue;
use shared::Error;

pub type Item = HashMap<String, AttributeValue>;

/// One partition of `SettingsTable`, kept for `ttl` after each read.
pub struct Cached<T> {
    client: aws_sdk_dynamodb::Client,
    table: String,
    pk: &'static str,
    cache: shared::kit::cache::Cached<T>,
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
            cache: shared::kit::cache::Cached::new(ttl),
        }
    }

    /// The partition's items made into `T` by `build`, from the cache while it is fresh.
    pub async fn get(&self, build: impl FnOnce(Vec<Item>) -> T) -> Result<Arc<T>, Error> {
        self.cache
            .get(|| async { Ok(build(self.read().await?)) })
            .await
    }

    async fn read(&self) -> Result<Vec<Item>, Error> {
        shared::contracts::settings::partition(&self.client, &self.table, self.pk, false).await
    }
}
