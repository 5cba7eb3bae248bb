//! RelaunchSchedulerFunction (every minute): finds the relaunch steps now due and hands each
//! to the sender once, without a Scan.
//!
//! 1. Carts carry their next step's due time and its hourly bucket (`due_bucket`, the key of
//!    `CartsTable`'s `ByDue` index). A run reads the buckets from its cursor (the oldest that
//!    may still hold due steps) to the current hour: one Query per bucket page.
//! 2. Each due (cart, step) is claimed in `SendsTable` with a conditional write (see
//!    `shared::relaunch::sends`): of two overlapping runs, one claims, the other is refused.
//!    A deferred step is claimed again as soon as its cart is due in the index (the cart's
//!    `due_at` is the one clock: a new snapshot may make it earlier than the deferral said,
//!    and the sender decides again anyway).
//! 3. Claimed steps go to the `sends` queue, ten per `SendMessageBatch`.
//! 4. Then each cart leaves the index (`REMOVE due_bucket`, if it still owes that step), so
//!    the next run does not read it again. A run that stops between 2 and 4 leaves the cart
//!    in the index with a `queued` claim: after `REQUEUE_AFTER_MINUTES` a later run claims
//!    it again and re-enqueues it; the sender carries out a claim once whatever the copies.
//!
//! The cursor advances only after a run without failures, to five minutes before now, so a
//! cart written into the current hour just as it ends (the index is eventually consistent)
//! is still read.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use serde::Serialize;
use shared::contracts::carts::BY_DUE_INDEX;
use shared::kit::clock::{stamp, Clock};
use shared::kit::config::{self, Env};
use shared::relaunch::campaigns::schedule::{bucket, buckets_between};
use shared::relaunch::sends::{self, SendMessage, CURSOR_ID, REQUEUE_AFTER_MINUTES};
use shared::Error;
use tokio::task::JoinSet;

pub struct Deps {
    pub dynamodb: aws_sdk_dynamodb::Client,
    pub sqs: aws_sdk_sqs::Client,
    pub carts_table: String,
    pub sends_table: String,
    pub sends_queue_url: String,
    pub clock: Clock,
}

impl Deps {
    pub async fn from_env(env: &dyn Env, clock: Clock) -> Result<Self, Error> {
        let sdk = shared::kit::aws::sdk_config(env).await;
        Ok(Deps {
            dynamodb: shared::kit::aws::dynamodb(&sdk, env),
            sqs: shared::kit::aws::sqs(&sdk, env),
            carts_table: config::required(env, "CARTS_TABLE")?,
            sends_table: config::required(env, "SENDS_TABLE")?,
            sends_queue_url: config::required(env, "SENDS_QUEUE_URL")?,
            clock,
        })
    }
}

/// What a run did, and what it cost in calls (logged, and the local runner's response).
#[derive(Debug, Default, Clone, PartialEq, Serialize)]
pub struct Report {
    pub buckets: usize,
    /// Query pages read from the `ByDue` index.
    pub queries: usize,
    /// Due steps found.
    pub due: usize,
    /// Claims written (one conditional UpdateItem each, made or refused).
    pub claims: usize,
    /// Claims refused: another run has it, or a sender already does.
    pub already_claimed: usize,
    pub enqueued: usize,
    pub send_batches: usize,
    /// Carts taken out of the index after their step was enqueued.
    pub unindexed: usize,
    /// Steps left for the next run after an error.
    pub failed: usize,
}

/// Buckets older than this are not read when the cursor is missing or older: a scheduler
/// that was off for longer does not send week-old relaunches.
const MAX_CATCH_UP_HOURS: i64 = 72;
/// How many writes a run keeps in flight.
const PARALLEL_WRITES: usize = 16;

pub async fn handle(deps: &Deps) -> Report {
    let now = deps.clock.now();
    let report = match run(deps, now).await {
        Ok(report) => report,
        Err(e) => {
            tracing::error!(error = %e, "relaunch scheduler run failed");
            Report {
                failed: 1,
                ..Report::default()
            }
        }
    };
    tracing::info!(
        buckets = report.buckets,
        queries = report.queries,
        due = report.due,
        claims = report.claims,
        already_claimed = report.already_claimed,
        enqueued = report.enqueued,
        send_batches = report.send_batches,
        unindexed = report.unindexed,
        failed = report.failed,
        "relaunch scheduler run"
    );
    report
}

/// One step found due in the index, with the key values read from it.
#[derive(Clone)]
struct Due {
    cart_id: String,
    step: usize,
    campaign_id: String,
    due_at: AttributeValue,
    bucket: String,
}

async fn run(deps: &Deps, now: DateTime<Utc>) -> Result<Report, Error> {
    let mut report = Report::default();
    let oldest = now - Duration::hours(MAX_CATCH_UP_HOURS);
    // Without a cursor (the first run), the last days are read once.
    let from = cursor(deps).await?.unwrap_or(oldest).max(oldest);
    for b in buckets_between(from, now) {
        report.buckets += 1;
        let mut start: Option<HashMap<String, AttributeValue>> = None;
        loop {
            let page = deps
                .dynamodb
                .query()
                .table_name(&deps.carts_table)
                .index_name(BY_DUE_INDEX)
                .key_condition_expression("due_bucket = :b AND due_at <= :now")
                .expression_attribute_values(":b", AttributeValue::S(b.clone()))
                .expression_attribute_values(":now", AttributeValue::S(stamp(now)))
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(|e| Error::from_sdk("Query due carts", e))?;
            report.queries += 1;
            let due: Vec<Due> = page
                .items()
                .iter()
                .filter_map(|item| due_of(item, &b))
                .collect();
            report.due += due.len();
            schedule(deps, due, now, &mut report).await;
            match page.last_evaluated_key {
                Some(key) if !key.is_empty() => start = Some(key),
                _ => break,
            }
        }
    }
    if report.failed == 0 {
        set_cursor(deps, bucket(now - Duration::minutes(5))).await?;
    }
    Ok(report)
}

fn due_of(item: &HashMap<String, AttributeValue>, bucket: &str) -> Option<Due> {
    let text = |name: &str| item.get(name).and_then(|v| v.as_s().ok()).cloned();
    let step = item
        .get("next_step")
        .and_then(|v| v.as_n().ok())
        .and_then(|n| n.parse().ok());
    Some(Due {
        cart_id: text("id")?,
        step: step?,
        campaign_id: text("campaign_id")?,
        due_at: item.get("due_at")?.clone(),
        bucket: bucket.to_string(),
    })
}

/// Claims, enqueues and unindexes one page of due steps.
async fn schedule(deps: &Deps, due: Vec<Due>, now: DateTime<Utc>, report: &mut Report) {
    let mut claimed = Vec::new();
    for chunk in due.chunks(PARALLEL_WRITES) {
        let mut set = JoinSet::new();
        for d in chunk.iter().cloned() {
            let (client, table) = (deps.dynamodb.clone(), deps.sends_table.clone());
            set.spawn(async move {
                let result = claim(&client, &table, &d, now).await;
                (d, result)
            });
        }
        while let Some(joined) = set.join_next().await {
            report.claims += 1;
            match joined {
                Ok((d, Ok(true))) => claimed.push(d),
                Ok((_, Ok(false))) => report.already_claimed += 1,
                Ok((_, Err(e))) => {
                    tracing::warn!(error = %e, "claim failed; the next run retries");
                    report.failed += 1;
                }
                Err(e) => {
                    tracing::error!(error = %e, "claim task failed");
                    report.failed += 1;
                }
            }
        }
    }
    for batch in claimed.chunks(10) {
        match enqueue(deps, batch).await {
            Ok(sent) => {
                report.send_batches += 1;
                report.enqueued += sent.len();
                report.failed += batch.len() - sent.len();
                report.unindexed += unindex(deps, sent).await;
            }
            Err(e) => {
                // The claims stay `queued` and the carts in the index: re-enqueued later.
                tracing::warn!(error = %e, "SendMessageBatch failed; the next runs retry");
                report.failed += batch.len();
            }
        }
    }
}

/// The conditional write that makes (cart, step) this run's: `false` when it is not.
async fn claim(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
    due: &Due,
    now: DateTime<Utc>,
) -> Result<bool, Error> {
    let stale = now - Duration::minutes(REQUEUE_AFTER_MINUTES);
    let expires = now + Duration::days(180);
    let updated = client
        .update_item()
        .table_name(table)
        .key(
            "id",
            AttributeValue::S(sends::send_id(&due.cart_id, due.step)),
        )
        .update_expression(
            "SET #status = :queued, cart_id = :cart, campaign_id = :campaign, step = :step, \
             due_at = :due, queued_at = :now, attempts = if_not_exists(attempts, :zero) + :one, \
             expires_at = :expires REMOVE lease_until",
        )
        .condition_expression(
            "attribute_not_exists(id) \
             OR #status = :deferred \
             OR (#status = :queued AND queued_at < :stale)",
        )
        .expression_attribute_names("#status", "status")
        .expression_attribute_values(":queued", AttributeValue::S("queued".into()))
        .expression_attribute_values(":deferred", AttributeValue::S("deferred".into()))
        .expression_attribute_values(":cart", AttributeValue::S(due.cart_id.clone()))
        .expression_attribute_values(":campaign", AttributeValue::S(due.campaign_id.clone()))
        .expression_attribute_values(":step", AttributeValue::N(due.step.to_string()))
        .expression_attribute_values(":due", due.due_at.clone())
        .expression_attribute_values(":now", AttributeValue::S(stamp(now)))
        .expression_attribute_values(":stale", AttributeValue::S(stamp(stale)))
        .expression_attribute_values(":zero", AttributeValue::N("0".into()))
        .expression_attribute_values(":one", AttributeValue::N("1".into()))
        .expression_attribute_values(
            ":expires",
            AttributeValue::N(expires.timestamp().to_string()),
        )
        .send()
        .await;
    shared::kit::dynamo::condition_held(updated, "UpdateItem send claim")
}

/// Sends one batch; the steps whose message SQS accepted.
async fn enqueue<'d>(deps: &Deps, batch: &'d [Due]) -> Result<Vec<&'d Due>, Error> {
    let messages: Vec<SendMessage> = batch
        .iter()
        .map(|d| SendMessage {
            send_id: sends::send_id(&d.cart_id, d.step),
            cart_id: d.cart_id.clone(),
            step: d.step,
            campaign_id: d.campaign_id.clone(),
        })
        .collect();
    // A send SQS refused stays indexed: the next run enqueues it again.
    let accepted =
        shared::kit::batch::send_json_batch(&deps.sqs, &deps.sends_queue_url, &messages).await?;
    Ok(batch
        .iter()
        .zip(accepted)
        .filter_map(|(d, ok)| ok.then_some(d))
        .collect())
}

/// Takes each cart out of the index if it still owes the step just enqueued; how many.
async fn unindex(deps: &Deps, sent: Vec<&Due>) -> usize {
    let mut set = JoinSet::new();
    for d in sent {
        let (client, table, d) = (deps.dynamodb.clone(), deps.carts_table.clone(), d.clone());
        set.spawn(async move {
            let updated = client
                .update_item()
                .table_name(table)
                .key("id", AttributeValue::S(d.cart_id.clone()))
                .update_expression("REMOVE due_bucket")
                .condition_expression("due_bucket = :b AND next_step = :step AND due_at = :due")
                .expression_attribute_values(":b", AttributeValue::S(d.bucket.clone()))
                .expression_attribute_values(":step", AttributeValue::N(d.step.to_string()))
                .expression_attribute_values(":due", d.due_at.clone())
                .send()
                .await;
            // Refused: the sender (or a new snapshot) already moved the cart on.
            shared::kit::dynamo::condition_held(updated, "UpdateItem unindex cart")
        });
    }
    let mut done = 0;
    while let Some(joined) = set.join_next().await {
        match joined {
            Ok(Ok(true)) => done += 1,
            Ok(Ok(false)) => {}
            Ok(Err(e)) => tracing::warn!(error = %e, "cart left in the index; its claim stands"),
            Err(e) => tracing::error!(error = %e, "unindex task failed"),
        }
    }
    done
}

async fn cursor(deps: &Deps) -> Result<Option<DateTime<Utc>>, Error> {
    let out = deps
        .dynamodb
        .get_item()
        .table_name(&deps.sends_table)
        .key("id", AttributeValue::S(CURSOR_ID.into()))
        .consistent_read(true)
        .send()
        .await
        .map_err(|e| Error::from_sdk("GetItem scheduler cursor", e))?;
    Ok(out
        .item
        .and_then(|i| i.get("bucket").and_then(|v| v.as_s().ok()).cloned())
        .and_then(|b| NaiveDateTime::parse_from_str(&format!("{b}:00"), "%Y-%m-%dT%H:%M").ok())
        .map(|n| n.and_utc()))
}

async fn set_cursor(deps: &Deps, bucket: String) -> Result<(), Error> {
    deps.dynamodb
        .put_item()
        .table_name(&deps.sends_table)
        .item("id", AttributeValue::S(CURSOR_ID.into()))
        .item("bucket", AttributeValue::S(bucket))
        .send()
        .await
        .map_err(|e| Error::from_sdk("PutItem scheduler cursor", e))?;
    Ok(())
}
