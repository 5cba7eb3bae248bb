//! Lane jobs: each tries its lane's deliveries from the head, in order, until the lane is
//! empty, its head must wait, or the job has worked long enough (then a fresh job goes on).
//!
//! A head that failed waits for its retry time; the job that tried it is the one that waits
//! (its message id is the head's `wait_token`): it is reported failed and hidden until then,
//! at most `DELIVERY_MAX_WAIT_SECONDS` at a time. Any other job that finds the head waiting,
//! claimed by another worker, or its endpoint disabled, has nothing to do.

use std::time::{Duration as StdDuration, Instant};

use aws_lambda_events::sqs::{BatchItemFailure, SqsMessage};
use chrono::{DateTime, Utc};
use shared::contracts::deliveries::endpoints::Endpoint;
use shared::contracts::deliveries::schedule::{self, Next, Outcome};
use shared::contracts::deliveries::store::{Attempt, Pending, Status};
use shared::contracts::deliveries::LaneJob;
use shared::kit::batch::{self, RecordError};
use shared::kit::metrics;

use crate::{attempt, read_job, Deps};

/// A job stops after this many deliveries or this long, and hands over to a fresh job, so
/// that one busy lane does not hold a batch.
const MOST_PER_JOB: usize = 50;
const BUDGET: StdDuration = StdDuration::from_secs(20);

/// What a job leaves behind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Drained {
    /// Nothing for this job to do any more.
    Done,
    /// It waits for its lane's head: back on the queue in this many seconds.
    Wait(i32),
}

/// Runs the batch's jobs side by side: what must come back.
pub async fn run(deps: &Deps, records: Vec<SqsMessage>) -> Vec<BatchItemFailure> {
    let settled = futures_util::future::join_all(records.into_iter().map(|record| async move {
        let result = match read_job(&record) {
            Ok(job) => drain(deps, &job, record.message_id.as_deref().unwrap_or_default()).await,
            Err(e) => Err(e),
        };
        match result {
            Ok(Drained::Done) => None,
            Ok(Drained::Wait(seconds)) => {
                batch::delay(&deps.sqs, &deps.lanes.queue_url, &record, seconds).await;
                let mut failure = BatchItemFailure::default();
                failure.item_identifier = record.message_id.clone().unwrap_or_default();
                Some(failure)
            }
            Err(e) => batch::settle(&deps.lanes_dead_letters, &record, Err(e)).await,
        }
    }))
    .await;
    settled.into_iter().flatten().collect()
}

/// Works lane `job.lane` as the job `message_id`.
pub async fn drain(deps: &Deps, job: &LaneJob, message_id: &str) -> Result<Drained, RecordError> {
    let started = Instant::now();
    let mut endpoint: Option<Option<Endpoint>> = None;
    for _ in 0..MOST_PER_JOB {
        let now = deps.clock.now();
        let Some(head) = deps.store.head(&job.lane).await? else {
            return Ok(Drained::Done);
        };
        if let Some(at) = head.not_before.filter(|at| *at > now) {
            let mine = head.wait_token.as_deref() == Some(message_id);
            return Ok(if mine {
                Drained::Wait(wait_seconds(deps, at, now))
            } else {
                Drained::Done
            });
        }
        let claim = shared::kit::ids::new_id("claim")?;
        let Some(head) = deps.store.claim(&head, &claim, now).await? else {
            return Ok(Drained::Done);
        };
        if endpoint.is_none() {
            endpoint = Some(deps.endpoints.get(&head.endpoint_id).await?);
        }
        let Some(Some(target)) = endpoint.as_ref() else {
            let gone = Attempt::unsent(now, "the endpoint was deleted");
            deps.store.finish(&head, Status::Dead, &gone).await?;
            continue;
        };
        if !target.enabled {
            // It waits for staff to enable the endpoint, who start the lane again.
            deps.store.release(&head).await?;
            return Ok(Drained::Done);
        }
        let Some(event) = deps.store.recorded(&head.event_id).await? else {
            let gone = Attempt::unsent(now, "the event is no longer kept (30 days)");
            deps.store.finish(&head, Status::Dead, &gone).await?;
            continue;
        };
        let tried = attempt::deliver(deps, target, &head, &event, now).await;
        match tried.outcome {
            Outcome::Delivered => {
                deps.store
                    .finish(&head, Status::Delivered, &tried.attempt)
                    .await?;
                metrics::count("WebhooksDelivered", 1, &[], now);
            }
            Outcome::Refused => {
                tracing::warn!(endpoint_id = %head.endpoint_id, event_id = %head.event_id, status = ?tried.attempt.status, "the endpoint refused a delivery");
                deps.store
                    .finish(&head, Status::Refused, &tried.attempt)
                    .await?;
                metrics::count("WebhooksRefused", 1, &[], now);
            }
            Outcome::TryAgain => {
                return retry_or_give_up(deps, &head, &tried, message_id, now).await
            }
        }
        if started.elapsed() > BUDGET {
            break;
        }
    }
    // More may wait in the lane: a fresh job carries on.
    deps.lanes.start(std::slice::from_ref(&job.lane)).await?;
    Ok(Drained::Done)
}

/// After a failed attempt: the head waits for its next try (this job waits with it), or,
/// three days after its first attempt, it is dead-lettered and its endpoint disabled.
async fn retry_or_give_up(
    deps: &Deps,
    head: &Pending,
    tried: &attempt::Tried,
    message_id: &str,
    now: DateTime<Utc>,
) -> Result<Drained, RecordError> {
    metrics::count("WebhookAttemptsFailed", 1, &[], now);
    let first = head.first_attempt_at.unwrap_or(now);
    match schedule::next(first, head.attempts + 1, now, tried.retry_after) {
        Next::RetryAt(at) => {
            deps.store
                .postpone(head, &tried.attempt, at, message_id)
                .await?;
            tracing::info!(endpoint_id = %head.endpoint_id, event_id = %head.event_id, attempts = head.attempts + 1, retry_at = %at, "delivery to retry");
            Ok(Drained::Wait(wait_seconds(deps, at, now)))
        }
        Next::GiveUp => {
            deps.store
                .finish(head, Status::Dead, &tried.attempt)
                .await?;
            metrics::count("WebhooksDead", 1, &[], now);
            let last = match (tried.attempt.status, &tried.attempt.error) {
                (Some(status), _) => format!("HTTP {status}"),
                (None, Some(error)) => error.clone(),
                (None, None) => "no answer".into(),
            };
            let reason = format!("deliveries failed for three days; the last attempt got {last}");
            if deps
                .endpoints
                .disable(&head.endpoint_id, &reason, now)
                .await?
            {
                tracing::error!(endpoint_id = %head.endpoint_id, %reason, "endpoint disabled");
                metrics::count("WebhookEndpointsDisabled", 1, &[], now);
            }
            Ok(Drained::Done)
        }
    }
}

/// Seconds until `at`, at least one and at most the configured longest wait.
fn wait_seconds(deps: &Deps, at: DateTime<Utc>, now: DateTime<Utc>) -> i32 {
    let seconds = (at - now)
        .num_seconds()
        .clamp(1, deps.max_wait_seconds.max(1));
    i32::try_from(seconds).unwrap_or(i32::MAX)
}
