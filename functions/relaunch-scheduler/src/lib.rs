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

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use shared::contracts::carts::{self, DueStep};
use shared::kit::clock::Clock;
use shared::kit::config::{self, Env};
use shared::relaunch::campaigns::schedule::{bucket, buckets_between};
use shared::relaunch::sends::{self, SendMessage};
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

/// One step found due in the index, and the bucket it was found in.
#[derive(Clone)]
struct Due {
    step: DueStep,
    bucket: String,
}

async fn run(deps: &Deps, now: DateTime<Utc>) -> Result<Report, Error> {
    let mut report = Report::default();
    let oldest = now - Duration::hours(MAX_CATCH_UP_HOURS);
    // Without a cursor (the first run), the last days are read once.
    let from = cursor(deps).await?.unwrap_or(oldest).max(oldest);
    for b in buckets_between(from, now) {
        report.buckets += 1;
        let mut start = None;
        loop {
            let (items, next) =
                carts::due_page(&deps.dynamodb, &deps.carts_table, &b, now, start.take()).await?;
            report.queries += 1;
            let due: Vec<Due> = items
                .iter()
                .filter_map(DueStep::of)
                .map(|step| Due {
                    step,
                    bucket: b.clone(),
                })
                .collect();
            report.due += due.len();
            schedule(deps, due, now, &mut report).await;
            match next {
                Some(key) => start = Some(key),
                None => break,
            }
        }
    }
    if report.failed == 0 {
        set_cursor(deps, bucket(now - Duration::minutes(5))).await?;
    }
    Ok(report)
}

/// Claims, enqueues and unindexes one page of due steps.
async fn schedule(deps: &Deps, due: Vec<Due>, now: DateTime<Utc>, report: &mut Report) {
    let mut claimed = Vec::new();
    for chunk in due.chunks(PARALLEL_WRITES) {
        let mut set = JoinSet::new();
        for d in chunk.iter().cloned() {
            let (client, table) = (deps.dynamodb.clone(), deps.sends_table.clone());
            set.spawn(async move {
                let result = sends::claim(&client, &table, &d.step, now).await;
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

/// Sends one batch; the steps whose message SQS accepted.
async fn enqueue<'d>(deps: &Deps, batch: &'d [Due]) -> Result<Vec<&'d Due>, Error> {
    let messages: Vec<SendMessage> = batch
        .iter()
        .map(|d| SendMessage {
            send_id: sends::send_id(&d.step.cart_id, d.step.step),
            cart_id: d.step.cart_id.clone(),
            step: d.step.step,
            campaign_id: d.step.campaign_id.clone(),
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
        // Refused: the sender (or a new snapshot) already moved the cart on.
        set.spawn(async move { carts::unindex(&client, &table, &d.step, &d.bucket).await });
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
    sends::cursor(&deps.dynamodb, &deps.sends_table).await
}

async fn set_cursor(deps: &Deps, bucket: String) -> Result<(), Error> {
    sends::set_cursor(&deps.dynamodb, &deps.sends_table, bucket).await
}
