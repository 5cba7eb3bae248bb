//! DeliveriesFunction: what Liaison decided, delivered to the brand's endpoints as signed
//! Standard Webhooks requests (`shared::contracts::deliveries` says what is kept where).
//!
//! It reads two queues:
//! - `events` (FIFO, one message group per contact): each event is numbered in its contact's
//!   sequence and written as one pending delivery per subscribed endpoint ([`fan_out`]);
//! - `deliveries`: lane jobs; a job tries its lane's deliveries in order ([`lanes`]), each
//!   attempt a signed POST ([`attempt`]). A failed head waits for its retry time, and the
//!   job that waits for it stays on the queue, hidden until then: no scheduler, and a
//!   crash loses nothing because the job comes back.
//!
//! A connector endpoint (Zendesk) goes through the same lanes, retries and log; its attempt
//! is the calls its tool's API needs instead of a signed POST, and what the tool calls
//! Liaison's things (the ticket of a case) is kept as links.

pub mod api;
pub mod attempt;
pub mod fan_out;
pub mod hubspot;
pub mod lanes;
pub mod notify;
pub mod overdue;
pub mod zendesk;

use std::collections::HashSet;
use std::time::Duration;

use aws_lambda_events::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use shared::contracts::deliveries::endpoints::EndpointStore;
use shared::contracts::deliveries::links::Links;
use shared::contracts::deliveries::store::DeliveryStore;
use shared::contracts::deliveries::{Event, LaneJob, LaneQueue, EVENT_VERSION};
use shared::contracts::plain_email::Outbox;
use shared::kit::batch::{self, DeadLetters, RecordError};
use shared::kit::clock::Clock;
use shared::kit::config::{self, Env};
use shared::Error;

pub struct Deps {
    pub dynamodb: aws_sdk_dynamodb::Client,
    /// The SLA watch's tables and addresses ([`overdue`]).
    pub watch: overdue::Watch,
    pub endpoints: EndpointStore,
    pub store: DeliveryStore,
    pub links: Links,
    pub lanes: LaneQueue,
    pub http: reqwest::Client,
    /// People told by email (`notify`, the SLA watch): SES, from the brand's sender,
    /// through its configuration set.
    pub outbox: Outbox,
    pub sqs: aws_sdk_sqs::Client,
    pub events_dead_letters: DeadLetters,
    pub lanes_dead_letters: DeadLetters,
    /// The longest a waiting lane job stays hidden before it looks at its lane again
    /// (`DELIVERY_MAX_WAIT_SECONDS`, SQS's 12 hours at most): in AWS the whole wait; on the
    /// local stack a second, so that a test that moves the clock is noticed at once.
    pub max_wait_seconds: i64,
    /// `OUTBOUND_ALLOW_PRIVATE` (the local stack): endpoints on loopback, over HTTP.
    pub allow_private: bool,
    pub clock: Clock,
}

/// A receiver gets this long to answer (Svix gives 15 s; API Gateway callers wait less).
const TIMEOUT: Duration = Duration::from_secs(10);

impl Deps {
    pub async fn from_env(env: &dyn Env, clock: Clock) -> Result<Self, Error> {
        let sdk = shared::kit::aws::sdk_config(env).await;
        let sqs = shared::kit::aws::sqs(&sdk, env);
        let dynamodb = shared::kit::aws::dynamodb(&sdk, env);
        let table = config::required(env, "DELIVERIES_TABLE")?;
        let allow_private = shared::contracts::outbound::allow_private(env);
        // Endpoint URLs are typed by staff: shared::contracts::outbound's restrictions.
        let http = shared::contracts::outbound::client(
            concat!("Liaison-webhooks/", env!("CARGO_PKG_VERSION")),
            TIMEOUT,
            allow_private,
        )?;
        let sealer = shared::contracts::secrets::Secrets::load(&sdk, env)
            .await?
            .sealer()?;
        Ok(Deps {
            dynamodb: dynamodb.clone(),
            watch: overdue::Watch {
                cases_table: config::required(env, "CASES_TABLE")?,
                questions_table: config::required(env, "QUESTIONS_TABLE")?,
                events: shared::contracts::deliveries::EventQueue {
                    sqs: sqs.clone(),
                    queue_url: config::required(env, "EVENTS_QUEUE_URL")?,
                },
                support_address: config::required(env, "SUPPORT_ALERT_EMAIL")?,
                marketing_address: env
                    .var("MARKETING_ALERT_EMAIL")
                    .filter(|a| !a.trim().is_empty()),
                press_address: env
                    .var("PRESS_ALERT_EMAIL")
                    .filter(|a| !a.trim().is_empty()),
            },
            endpoints: EndpointStore {
                client: dynamodb.clone(),
                table: table.clone(),
                sealer,
            },
            links: Links {
                client: dynamodb.clone(),
                table: table.clone(),
            },
            store: DeliveryStore {
                client: dynamodb,
                table,
            },
            lanes: LaneQueue {
                sqs: sqs.clone(),
                queue_url: config::required(env, "DELIVERIES_QUEUE_URL")?,
            },
            http,
            outbox: Outbox {
                ses: shared::kit::aws::ses(&sdk, env),
                sender: config::required(env, "SENDER_EMAIL")?,
                configuration_set: config::required(env, "SES_CONFIGURATION_SET")?,
            },
            events_dead_letters: DeadLetters::new(
                sqs.clone(),
                config::required(env, "EVENTS_DLQ_URL")?,
            ),
            lanes_dead_letters: DeadLetters::new(
                sqs.clone(),
                config::required(env, "DELIVERIES_DLQ_URL")?,
            ),
            max_wait_seconds: config::parsed_or(env, "DELIVERY_MAX_WAIT_SECONDS", 43_200)?,
            allow_private,
            sqs,
            clock,
        })
    }
}

/// What invoked the function: a batch from one of its queues, or the SLA watch's schedule
/// (any other event).
#[derive(serde::Deserialize)]
#[serde(untagged)]
pub enum Trigger {
    Queue(SqsEvent),
    Schedule(serde_json::Value),
}

#[derive(Debug, serde::Serialize)]
#[serde(untagged)]
pub enum Outcome {
    Queue(SqsBatchResponse),
    Schedule(overdue::Swept),
}

pub async fn run(deps: &Deps, trigger: Trigger) -> Outcome {
    match trigger {
        Trigger::Queue(event) => Outcome::Queue(handle(deps, event).await),
        Trigger::Schedule(_) => Outcome::Schedule(overdue::sweep(deps).await),
    }
}

/// A batch comes from one of the two queues: events are fanned out in order, a contact's
/// next event not before its previous one succeeded; lane jobs run side by side.
pub async fn handle(deps: &Deps, event: SqsEvent) -> SqsBatchResponse {
    let (jobs, events): (Vec<SqsMessage>, Vec<SqsMessage>) =
        event.records.into_iter().partition(is_lane_job);
    let mut failures = fan_out_in_order(deps, events).await;
    failures.extend(lanes::run(deps, jobs).await);
    batch::respond(failures)
}

fn is_lane_job(record: &SqsMessage) -> bool {
    record
        .body
        .as_deref()
        .and_then(|b| serde_json::from_str::<serde_json::Value>(b).ok())
        .is_some_and(|v| v.get("job").is_some())
}

/// Events one after the other; once one of a message group fails, the group's later events
/// in the batch fail too without being read, as Lambda wants of a FIFO consumer: they come
/// back after it, in order.
async fn fan_out_in_order(
    deps: &Deps,
    records: Vec<SqsMessage>,
) -> Vec<aws_lambda_events::sqs::BatchItemFailure> {
    let mut failures = Vec::new();
    if records.is_empty() {
        return failures;
    }
    let mut stopped: HashSet<String> = HashSet::new();
    let mut endpoints = None;
    for record in records {
        let outcome = match read_event(&record) {
            // The group the producer gave it (`Event::group`).
            Ok(event) if stopped.contains(event.group()) => {
                Err(RecordError::retry("an earlier event of its group failed"))
            }
            Ok(event) => {
                let outcome = fan_out::one(deps, &event, &mut endpoints).await;
                if matches!(outcome, Err(RecordError::Retry(_))) {
                    stopped.insert(event.group().to_string());
                }
                outcome
            }
            Err(e) => Err(e),
        };
        failures.extend(batch::settle(&deps.events_dead_letters, &record, outcome).await);
    }
    failures
}

fn read_event(record: &SqsMessage) -> Result<Event, RecordError> {
    let body = record.body.as_deref().unwrap_or_default();
    let event: Event =
        serde_json::from_str(body).map_err(|e| RecordError::unreadable("an event", e))?;
    if event.v != EVENT_VERSION {
        return Err(RecordError::reject(format!(
            "event version {} is not {EVENT_VERSION}",
            event.v
        )));
    }
    Ok(event)
}

fn read_job(record: &SqsMessage) -> Result<LaneJob, RecordError> {
    let body = record.body.as_deref().unwrap_or_default();
    let job: LaneJob =
        serde_json::from_str(body).map_err(|e| RecordError::unreadable("a lane job", e))?;
    if job.v != EVENT_VERSION || job.job != "lane" {
        return Err(RecordError::reject(format!(
            "lane job version {} of kind {} is not {EVENT_VERSION} lane",
            job.v, job.job
        )));
    }
    Ok(job)
}
