//! An order's news (placed, shipped, delivered) handed to the answers function for the
//! customer who said START to order news by direct message
//! (`shared::contracts::contacts::order_news`); nothing for anyone else. The answers function
//! checks the subscription again when it sends, so a STOP in between still stops it.

use shared::contracts::answers::{Job, News};
use shared::contracts::events::{Message, Order, OrderUpdate};
use shared::Error;

use crate::Deps;

/// News of an order placed.
pub fn placed(order: &Order) -> News {
    News::Order {
        order_id: order.order_id.clone(),
        order_name: order.order_name.clone(),
        shipment_id: None,
        status: "placed".into(),
        tracking_url: None,
        carrier: None,
    }
}

/// News of an order on its way, or delivered.
pub fn updated(update: &OrderUpdate) -> News {
    let tracking = update.tracking.clone().unwrap_or_default();
    News::Order {
        order_id: update.order_id.clone(),
        order_name: update.order_name.clone(),
        shipment_id: update.shipment_id.clone(),
        status: update.status.as_str().into(),
        tracking_url: tracking.url,
        carrier: tracking.carrier,
    }
}

/// Queues `news` for `contact_id` if they said START and not STOP since.
pub async fn tell(
    deps: &Deps,
    message: &Message,
    contact_id: Option<&str>,
    news: News,
) -> Result<(), Error> {
    let Some(contact_id) = contact_id else {
        return Ok(());
    };
    match deps.order_news.get(contact_id).await? {
        Some(subscription) if subscription.active => {}
        _ => return Ok(()),
    }
    tracing::info!(event_id = %message.id, contact_id, "order news queued");
    deps.answers_jobs
        .send(Job::OrderNews {
            contact_id: contact_id.to_string(),
            news,
        })
        .await
}
