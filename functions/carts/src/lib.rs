//! CartsFunction (SQS `commerce`, partial batch failures): carts and checkouts as they are
//! now, tied to a contact; orders that convert them and stop their relaunches; shop
//! accounts that make a contact a customer.
//!
//! - A snapshot replaces the cart's lines and totals (an older snapshot, arriving late, is
//!   ignored; a converted cart is never reopened). A snapshot Liaison cannot relaunch (no
//!   email, an unknown currency, negative prices) is still kept, with its problems, for
//!   staff: it never fails the batch.
//! - The cart's next relaunch step (`plan`) is written on it with its hourly bucket, where
//!   the relaunch scheduler finds it without a Scan.
//! - An order finds its cart by cart token, checkout token, or the same contact's newest
//!   open cart of the last 7 days; it converts it once (a conditional write), clears its
//!   schedule and makes the contact a customer.
//! - Every order then goes on to the referrals queue, unchanged (same id), where the
//!   referrals function attributes it to a referrer or not. A function never calls another:
//!   this is the order's next stop, as ingest's queue was its first.

pub mod attribution;
pub mod order_news;
pub mod plan;

use std::time::Duration as StdDuration;

use aws_lambda_events::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem};
use chrono::{DateTime, Duration, Utc};
use rust_decimal::Decimal;
use shared::contracts::carts::{self, Attribution, CartRecord, CartStatus};
use shared::contracts::contacts::{ContactStore, Provenance};
use shared::contracts::emails;
use shared::contracts::events::{CartSnapshot, CommerceEvent, Customer, Event, Message, Order};
use shared::kit::batch::{self, DeadLetters, RecordError};
use shared::kit::cache::Cached;
use shared::kit::clock::Clock;
use shared::kit::config::{self, Env};
use shared::relaunch::campaigns::stats;
use shared::relaunch::campaigns::store::CampaignStore;
use shared::relaunch::campaigns::Campaign;
use shared::Error;

pub struct Deps {
    pub dynamodb: aws_sdk_dynamodb::Client,
    pub carts_table: String,
    pub stats_table: String,
    pub emails_table: String,
    pub contacts: ContactStore,
    pub campaigns: CampaignStore,
    pub campaign_cache: Cached<Vec<Campaign>>,
    pub sqs: aws_sdk_sqs::Client,
    pub referrals_queue_url: String,
    /// Who said START to order news, and the queue that tells them.
    pub order_news: shared::contracts::contacts::order_news::OrderNews,
    pub answers_jobs: shared::contracts::answers::JobQueue,
    pub dead_letters: DeadLetters,
    pub clock: Clock,
}

/// How far back an order looks for its contact's open cart when it names none.
const SAME_CONTACT_WINDOW_DAYS: i64 = 7;

impl Deps {
    pub async fn from_env(env: &dyn Env, clock: Clock) -> Result<Self, Error> {
        let sdk = shared::kit::aws::sdk_config(env).await;
        let dynamodb = shared::kit::aws::dynamodb(&sdk, env);
        let hash_key = shared::contracts::secrets::lookup_key(&sdk, env).await?;
        let cache_seconds: u64 = config::parsed_or(env, "SETTINGS_CACHE_SECONDS", 60)?;
        Ok(Deps {
            carts_table: config::required(env, "CARTS_TABLE")?,
            stats_table: config::required(env, "STATS_TABLE")?,
            emails_table: config::required(env, "EMAILS_TABLE")?,
            contacts: ContactStore::new(
                dynamodb.clone(),
                config::required(env, "CONTACTS_TABLE")?,
                hash_key,
            ),
            campaigns: CampaignStore {
                client: dynamodb.clone(),
                table: config::required(env, "CAMPAIGNS_TABLE")?,
            },
            campaign_cache: Cached::new(StdDuration::from_secs(cache_seconds)),
            sqs: shared::kit::aws::sqs(&sdk, env),
            referrals_queue_url: config::required(env, "REFERRALS_QUEUE_URL")?,
            order_news: shared::contracts::contacts::order_news::OrderNews {
                client: dynamodb.clone(),
                table: config::required(env, "CONTACTS_TABLE")?,
            },
            answers_jobs: shared::contracts::answers::JobQueue {
                sqs: shared::kit::aws::sqs(&sdk, env),
                queue_url: config::required(env, "ANSWERS_QUEUE_URL")?,
            },
            dead_letters: DeadLetters::new(
                shared::kit::aws::sqs(&sdk, env),
                config::required(env, "COMMERCE_DLQ_URL")?,
            ),
            dynamodb,
            clock,
        })
    }
}

pub async fn handle(deps: &Deps, event: SqsEvent) -> SqsBatchResponse {
    batch::process(event, &deps.dead_letters, |record| process(deps, record)).await
}

async fn process(deps: &Deps, record: SqsMessage) -> Result<(), RecordError> {
    let message = Message::decode(record.body.as_deref().unwrap_or_default())?;
    let Event::Commerce(event) = &message.event else {
        return Err(RecordError::reject(format!(
            "event {} is not a commerce event",
            message.id
        )));
    };
    match event {
        CommerceEvent::Cart(snapshot) => record_snapshot(deps, &message, snapshot).await?,
        CommerceEvent::Order(order) => {
            let contact = convert(deps, &message, order).await?;
            // After the conversion, which is written once: a failed send redelivers the
            // order, whose conversion is then a no-op, and sends again. Referrals records
            // a conversion once, so a second copy has no effect; nor does a second copy of
            // the news (its answer id is derived from it).
            forward_to_referrals(deps, &message).await?;
            order_news::tell(
                deps,
                &message,
                contact.as_deref(),
                order_news::placed(order),
            )
            .await?;
        }
        CommerceEvent::OrderUpdate(update) => {
            let contact = contact_of(deps, &message, &update.customer, true).await?;
            order_news::tell(
                deps,
                &message,
                contact.as_deref(),
                order_news::updated(update),
            )
            .await?;
        }
        CommerceEvent::CustomerAccount(account) => {
            if let Some(contact) = contact_of(deps, &message, &account.customer, true).await? {
                deps.contacts
                    .become_customer(&contact, deps.clock.now())
                    .await?;
                tracing::info!(event_id = %message.id, contact_id = %contact, "shop account");
            }
        }
    }
    Ok(())
}

async fn forward_to_referrals(deps: &Deps, message: &Message) -> Result<(), Error> {
    deps.sqs
        .send_message()
        .queue_url(&deps.referrals_queue_url)
        .message_body(message.encode())
        .send()
        .await
        .map_err(|e| Error::from_sdk("SendMessage referrals", e))?;
    Ok(())
}

/// The contact a shop's customer is, with their consent recorded. `vouched`: the shop
/// authenticated the email (an order, an account), not only a checkout form.
async fn contact_of(
    deps: &Deps,
    message: &Message,
    customer: &Customer,
    vouched: bool,
) -> Result<Option<String>, Error> {
    let identities = shared::contracts::contacts::identity::of_customer(
        customer.email.as_deref(),
        customer.id.as_deref(),
        message.platform.as_str(),
        vouched,
    );
    let provenance = Provenance {
        event_id: message.id.clone(),
        source_id: message.source_id.clone(),
        platform: message.platform.as_str().to_string(),
    };
    let now = deps.clock.now();
    let contact = deps.contacts.resolve(&identities, &provenance, now).await?;
    if let (Some(contact), Some(accepts)) = (&contact, customer.accepts_marketing) {
        deps.contacts
            .set_consent(contact, accepts, &message.source_id, message.received_at)
            .await?;
    }
    Ok(contact)
}

async fn campaigns(deps: &Deps) -> Result<std::sync::Arc<Vec<Campaign>>, Error> {
    deps.campaign_cache.get(|| deps.campaigns.all()).await
}

async fn record_snapshot(
    deps: &Deps,
    message: &Message,
    snapshot: &CartSnapshot,
) -> Result<(), Error> {
    let id = carts::cart_key(&message.source_id, &snapshot.cart_id);
    let existing = carts::get(&deps.dynamodb, &deps.carts_table, &id).await?;
    if let Some(old) = &existing {
        if old.cart_status == CartStatus::Converted || old.last_activity > snapshot.updated_at {
            tracing::info!(event_id = %message.id, cart = %id, "stale or converted cart: kept as it was");
            return Ok(());
        }
    }
    let problems = plan::problems(snapshot);
    let contact_id = contact_of(deps, message, &snapshot.customer, false).await?;
    let now = deps.clock.now();
    let customer = &snapshot.customer;
    let mut cart = CartRecord {
        id: id.clone(),
        source_id: message.source_id.clone(),
        platform: message.platform.as_str().to_string(),
        cart_id: snapshot.cart_id.clone(),
        checkout_id: snapshot.checkout_id.clone(),
        checkout_key: snapshot
            .checkout_id
            .as_deref()
            .map(|c| carts::checkout_key(&message.source_id, c)),
        contact_id,
        email: customer
            .email
            .as_deref()
            .and_then(shared::contracts::lookup::normalise_email),
        first_name: customer.first_name.clone(),
        time_zone: customer.time_zone.clone(),
        accepts_marketing: customer
            .accepts_marketing
            .or(existing.as_ref().and_then(|e| e.accepts_marketing)),
        currency: snapshot.currency.clone(),
        lines: snapshot.lines.clone(),
        total: snapshot.total,
        recovery_url: snapshot.recovery_url.clone(),
        last_activity: snapshot.updated_at,
        cart_status: if snapshot.lines.is_empty() {
            CartStatus::Emptied
        } else {
            CartStatus::Open
        },
        problems,
        campaign_id: existing.as_ref().and_then(|e| e.campaign_id.clone()),
        next_step: existing.as_ref().and_then(|e| e.next_step),
        due_at: None,
        due_bucket: None,
        relaunch_stopped: existing.as_ref().and_then(|e| e.relaunch_stopped.clone()),
        order_id: None,
        converted_at: None,
        revenue: None,
        attribution: None,
        updated_at: now,
    };
    let known = campaigns(deps).await?;
    let next = shared::relaunch::campaigns::plan::plan(&cart, &known, now);
    shared::relaunch::campaigns::plan::apply(&mut cart, next, now);
    let entered = cart.campaign_id.is_some()
        && existing
            .as_ref()
            .and_then(|e| e.campaign_id.as_ref())
            .is_none();
    let item = shared::kit::dynamo::encode(&cart, "cart")?;
    let mut put = Put::builder()
        .table_name(&deps.carts_table)
        .set_item(Some(item));
    put = match &existing {
        None => put.condition_expression("attribute_not_exists(id)"),
        Some(old) => put
            .condition_expression("updated_at = :read")
            .expression_attribute_values(
                ":read",
                serde_dynamo::to_attribute_value(old.updated_at)
                    .map_err(|e| Error::caused("encode version", e))?,
            ),
    };
    let mut writes = vec![TransactWriteItem::builder()
        .put(put.build().map_err(|e| Error::caused("cart put", e))?)
        .build()];
    if let (true, Some(campaign)) = (entered, &cart.campaign_id) {
        let update = stats::increments(
            &deps.stats_table,
            campaign,
            stats::CAMPAIGN_SK,
            &[("entered", Decimal::ONE)],
        )?;
        writes.push(TransactWriteItem::builder().update(update).build());
    }
    deps.dynamodb
        .transact_write_items()
        .set_transact_items(Some(writes))
        .send()
        .await
        .map_err(|e| match e.as_service_error() {
            // Another snapshot of this cart was written meanwhile: read it again.
            Some(s) if s.is_transaction_canceled_exception() => {
                Error::Transient("cart changed meanwhile; retry".into())
            }
            _ => Error::from_sdk("TransactWriteItems cart", e),
        })?;
    if entered {
        shared::kit::metrics::count("RelaunchEntered", 1, &[], now);
    }
    // Ids and counts only: never the email or the lines.
    tracing::info!(
        event_id = %message.id,
        cart = %id,
        status = cart.cart_status.as_str(),
        problems = cart.problems.len(),
        campaign = cart.campaign_id.as_deref().unwrap_or("-"),
        due_at = cart.due_at.map(|d| d.to_rfc3339()).unwrap_or_default(),
        "cart recorded"
    );
    Ok(())
}

/// The open cart an order comes from, if Liaison has it.
async fn cart_of(
    deps: &Deps,
    message: &Message,
    order: &Order,
    contact: Option<&str>,
) -> Result<Option<CartRecord>, Error> {
    if let Some(cart_id) = &order.cart_id {
        let id = carts::cart_key(&message.source_id, cart_id);
        if let Some(cart) = carts::get(&deps.dynamodb, &deps.carts_table, &id).await? {
            return Ok(Some(cart));
        }
    }
    if let Some(checkout) = &order.checkout_id {
        let out = deps
            .dynamodb
            .query()
            .table_name(&deps.carts_table)
            .index_name(carts::BY_CHECKOUT_INDEX)
            .key_condition_expression("checkout_key = :k")
            .expression_attribute_values(
                ":k",
                AttributeValue::S(carts::checkout_key(&message.source_id, checkout)),
            )
            .send()
            .await
            .map_err(|e| Error::from_sdk("Query cart by checkout", e))?;
        if let Some(id) = out
            .items
            .unwrap_or_default()
            .first()
            .and_then(|i| i.get("id"))
            .and_then(|v| v.as_s().ok())
        {
            return carts::get(&deps.dynamodb, &deps.carts_table, id).await;
        }
    }
    let Some(contact) = contact else {
        return Ok(None);
    };
    let since = order.placed_at - Duration::days(SAME_CONTACT_WINDOW_DAYS);
    let out = deps
        .dynamodb
        .query()
        .table_name(&deps.carts_table)
        .index_name(carts::BY_CONTACT_INDEX)
        .key_condition_expression("contact_id = :c AND last_activity >= :since")
        .expression_attribute_values(":c", AttributeValue::S(contact.to_string()))
        .expression_attribute_values(":since", AttributeValue::S(since.to_rfc3339()))
        .scan_index_forward(false)
        .limit(10)
        .send()
        .await
        .map_err(|e| Error::from_sdk("Query carts by contact", e))?;
    Ok(out
        .items
        .unwrap_or_default()
        .into_iter()
        .filter_map(|i| carts::decode(i).ok())
        .find(|c| c.cart_status == CartStatus::Open && c.source_id == message.source_id))
}

/// Converts the order's cart; the contact who ordered.
async fn convert(deps: &Deps, message: &Message, order: &Order) -> Result<Option<String>, Error> {
    let contact = contact_of(deps, message, &order.customer, true).await?;
    let now = deps.clock.now();
    if let Some(contact) = &contact {
        deps.contacts.become_customer(contact, now).await?;
    }
    let Some(cart) = cart_of(deps, message, order, contact.as_deref()).await? else {
        tracing::info!(event_id = %message.id, "order without a known cart");
        return Ok(contact);
    };
    let owed = match &contact {
        Some(contact) => {
            let emails = attribution::engaged_emails(
                &deps.dynamodb,
                &deps.emails_table,
                contact,
                order.placed_at,
            )
            .await?;
            attribution::choose(&emails, &campaigns(deps).await?, order.placed_at)
        }
        None => None,
    };
    let converted = mark_converted(deps, &cart, order, owed.as_ref(), now).await?;
    tracing::info!(
        event_id = %message.id,
        cart = %cart.id,
        converted,
        attributed_to = owed.as_ref().map(|a| a.message_id.as_str()).unwrap_or("-"),
        "order"
    );
    Ok(contact)
}

/// Converts the cart once, with the order's revenue counted for the relaunch email it is
/// owed to, in the same transaction: `false` when an earlier delivery did.
async fn mark_converted(
    deps: &Deps,
    cart: &CartRecord,
    order: &Order,
    owed: Option<&Attribution>,
    now: DateTime<Utc>,
) -> Result<bool, Error> {
    let update = carts::convert(
        &deps.carts_table,
        &cart.id,
        &order.order_id,
        order.total,
        owed,
        now,
    )?;
    let mut writes = vec![TransactWriteItem::builder()
        .update(
            update
                .build()
                .map_err(|e| Error::caused("cart update", e))?,
        )
        .build()];
    if let Some(a) = owed {
        let revenue = format!("revenue_{}", order.currency);
        let counters = [("converted", Decimal::ONE), (revenue.as_str(), order.total)];
        // The campaign's totals, its step's and its day's (revenue over time).
        for sk in [
            stats::CAMPAIGN_SK.to_string(),
            stats::step_sk(a.step, &a.variant),
            stats::day_sk(now),
        ] {
            let u = stats::increments(&deps.stats_table, &a.campaign_id, &sk, &counters)?;
            writes.push(TransactWriteItem::builder().update(u).build());
        }
        // The email shows the order it brought (the timeline, the stats' source).
        let on_email = emails::converted(&deps.emails_table, &a.message_id, &order.order_id, now)
            .build()
            .map_err(|e| Error::caused("email update", e))?;
        writes.push(TransactWriteItem::builder().update(on_email).build());
    }
    let written = deps
        .dynamodb
        .transact_write_items()
        .set_transact_items(Some(writes))
        .send()
        .await;
    match shared::kit::dynamo::transaction_held(written, "TransactWriteItems conversion")? {
        None => {
            if owed.is_some() {
                shared::kit::metrics::count("RelaunchConverted", 1, &[], now);
                shared::kit::metrics::amount(
                    "RelaunchRevenue",
                    order.total.try_into().unwrap_or(0.0),
                    &[],
                    now,
                );
            }
            Ok(true)
        }
        // The cart was converted before (a redelivered order): nothing counted twice.
        Some(failed) if failed.contains(&0) => Ok(false),
        // The email was erased meanwhile: convert without it.
        Some(_) => Box::pin(mark_converted(deps, cart, order, None, now)).await,
    }
}
