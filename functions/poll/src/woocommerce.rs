//! WooCommerce orders through the REST API (`/wp-json/wc/v3/orders?modified_after=`),
//! oldest change first, since WooCommerce never retries a webhook. The connector's mapping
//! and dedupe key (`order:{id}:{modification time}`) make an order seen both ways one event.

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use ingest::connectors::woocommerce::{normalise, WooOrder};
use ingest::connectors::Normalised;
use ingest::fields;

use crate::fetch::Fetcher;
use crate::{total_pages, Batch, Failure};

pub struct Params<'a> {
    pub site_url: &'a str,
    pub consumer_key: &'a str,
    pub consumer_secret: &'a str,
    pub cursor: DateTime<Utc>,
    pub units_left: u32,
    pub max_pages: u32,
}

pub async fn poll(fetcher: &Fetcher, p: &Params<'_>) -> Result<Batch, Failure> {
    let mut batch = Batch::default();
    let mut newest = p.cursor;
    let mut complete = true;
    let after = (p.cursor - Duration::seconds(1)).to_rfc3339_opts(SecondsFormat::Secs, true);
    let url = format!("{}/wp-json/wc/v3/orders", p.site_url.trim_end_matches('/'));
    let mut page = 1u32;
    loop {
        if batch.units >= p.units_left || page > p.max_pages {
            complete = false;
            break;
        }
        let page_text = page.to_string();
        let request = fetcher
            .get(&url)
            .basic_auth(p.consumer_key, Some(p.consumer_secret))
            .query(&[
                ("modified_after", after.as_str()),
                ("dates_are_gmt", "true"),
                ("orderby", "modified"),
                ("order", "asc"),
                ("per_page", "100"),
                ("page", page_text.as_str()),
            ]);
        batch.units += 1;
        let response = fetcher
            .json::<Vec<WooOrder>>(request)
            .await
            .map_err(|error| Failure {
                error,
                units: batch.units,
            })?;
        for order in response.body {
            let modified = order.date_modified_gmt.as_deref().and_then(fields::gmt);
            match normalise(order) {
                Ok((dedupe_key, event)) => {
                    if let Some(at) = modified {
                        newest = newest.max(at);
                    }
                    batch.events.push(Normalised { dedupe_key, event });
                }
                Err(ignored) => {
                    if let Some(at) = modified {
                        newest = newest.max(at);
                    }
                    batch
                        .skipped
                        .push(format!("{}: {}", ignored.reason, ignored.detail));
                }
            }
        }
        if page >= total_pages(&response.headers) {
            break;
        }
        page += 1;
    }
    batch.new_cursor = complete.then_some(newest);
    Ok(batch)
}
