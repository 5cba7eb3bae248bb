//! Paging through a WordPress REST collection (WordPress comments, WooCommerce orders): one
//! request per page of 100, oldest first, until `X-WP-TotalPages`, within the run's quota
//! and page limits. Each request costs one unit.

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde::de::DeserializeOwned;

use super::fetch::Fetcher;
use super::{Batch, Failure};

/// Where a run starts and how much it may spend.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    pub cursor: DateTime<Utc>,
    pub units_left: u32,
    pub max_pages: u32,
    /// No page is started past it, so that the run saves what it read before Lambda's
    /// timeout would end it (the cursor moves per page: nothing is lost, only postponed).
    pub deadline: std::time::Instant,
}

impl Window {
    /// Whether page `page` (from 1) may be fetched with `units_spent` so far.
    pub fn may_fetch(&self, units_spent: u32, page: u32) -> bool {
        units_spent < self.units_left
            && page <= self.max_pages
            && std::time::Instant::now() < self.deadline
    }

    /// The cursor as the REST APIs' `after`/`modified_after`, with one second of overlap:
    /// they are exclusive and dates have second precision (dedupe absorbs the overlap).
    pub fn after(&self) -> String {
        (self.cursor - Duration::seconds(1)).to_rfc3339_opts(SecondsFormat::Secs, true)
    }
}

pub struct Login<'a> {
    pub user: &'a str,
    pub password: &'a str,
}

/// Fetches every page of `url?{query}&per_page=100&page=N` and hands each item to `each`.
/// Returns `false` when a limit stopped it before the last page.
pub async fn pages<T: DeserializeOwned>(
    fetcher: &Fetcher,
    url: &str,
    login: &Login<'_>,
    query: &[(&str, &str)],
    window: &Window,
    batch: &mut Batch,
    mut each: impl FnMut(T, &mut Batch),
) -> Result<bool, Failure> {
    // Credentials go only to a public HTTPS address.
    fetcher
        .destination(url)
        .map_err(|error| Failure { error, units: 0 })?;
    let mut page = 1u32;
    loop {
        if !window.may_fetch(batch.units, page) {
            return Ok(false);
        }
        let page_text = page.to_string();
        let request = fetcher
            .get(url)
            .basic_auth(login.user, Some(login.password))
            .query(query)
            .query(&[("per_page", "100"), ("page", page_text.as_str())]);
        batch.units += 1;
        let response = fetcher
            .json::<Vec<T>>(request)
            .await
            .map_err(|error| Failure {
                error,
                units: batch.units,
            })?;
        for item in response.body {
            each(item, batch);
        }
        if page >= super::total_pages(&response.headers) {
            return Ok(true);
        }
        page += 1;
    }
}
