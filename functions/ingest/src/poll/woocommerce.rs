//! WooCommerce orders through the REST API (`/wp-json/wc/v3/orders?modified_after=`),
//! oldest change first, since WooCommerce never retries a webhook. The connector's mapping
//! and dedupe keys (`order:{id}:{modification time}`, and `…:shipped` for a completed
//! order's news) make an order seen both ways queued once.

use crate::connectors::woocommerce::{normalise, WooOrder};
use crate::fields;

use super::fetch::Fetcher;
use super::wp_rest::{self, Login, Window};
use super::{Batch, Failure};

pub async fn poll(
    fetcher: &Fetcher,
    site_url: &str,
    login: &Login<'_>,
    window: &Window,
) -> Result<Batch, Failure> {
    let mut batch = Batch::default();
    let mut newest = window.cursor;
    let after = window.after();
    let url = format!("{}/wp-json/wc/v3/orders", site_url.trim_end_matches('/'));
    let query = [
        ("modified_after", after.as_str()),
        ("dates_are_gmt", "true"),
        ("orderby", "modified"),
        ("order", "asc"),
    ];
    // Oldest change first: whatever stopped the run (the page limit, the quota), every order
    // up to the newest one read was read, and the cursor moves there: a backlog larger than
    // one run is worked through run after run instead of being read again from the start.
    wp_rest::pages(
        fetcher,
        &url,
        login,
        &query,
        window,
        &mut batch,
        |order: WooOrder, batch| {
            if let Some(at) = order.date_modified_gmt.as_deref().and_then(fields::gmt) {
                newest = newest.max(at);
            }
            match normalise(order) {
                Ok(events) => batch.events.extend(events),
                Err(ignored) => batch
                    .skipped
                    .push(format!("{}: {}", ignored.reason, ignored.detail)),
            }
        },
    )
    .await?;
    batch.new_cursor = Some(newest);
    Ok(batch)
}
