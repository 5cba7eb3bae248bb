//! PollFunction (the `poll` binary of this crate): platforms that do not push what Liaison
//! needs are fetched since a cursor per source, and their items go through the same accept
//! step as pushed webhooks ([`crate::intake`]), with the same dedupe keys.
//!
//! Two triggers, one role: the schedule fans out one message per pollable source to the poll
//! queue ([`dispatch`]), and each message is one source polled in an invocation of its own
//! ([`work`]), so a slow site delays no other. A worker claims its source in the poll state
//! first (`polling_until`), so a redelivery or the next schedule's message never polls a
//! source twice at once, and stops starting pages at its deadline.
//!
//! - YouTube: comments through the Data API (`api_key` credential), and the WebSub
//!   subscription for videos, renewed before its lease ends or when the secret rotates.
//! - WordPress: comments through the REST API (`username` + `application_password`).
//! - WooCommerce: orders through the REST API (`consumer_key` + `consumer_secret`).
//! - Discourse: its members' audience through the user API (`api_key` + `api_username`),
//!   at most once a week per member ([`discourse`]); their posts come by webhook.
//!
//! Per source: the cursor moves only after every event up to it is enqueued; a daily
//! quota budget (UTC) bounds API calls; errors back off exponentially (Retry-After wins).
//! Sources are found by a Query on the `ByKind` index (never a Scan).

pub mod discourse;
pub mod fetch;
pub mod instagram;
pub mod measure;
pub mod state;
pub mod woocommerce;
pub mod wordpress;
pub mod wp_rest;
pub mod youtube;

use std::time::Duration as StdDuration;

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use chrono::{DateTime, Duration, Utc};
use reqwest::header::HeaderMap;
use serde::{Deserialize, Serialize};
use shared::contracts::sources::{Platform, Source, SourceStore};
use shared::kit::batch::{DeadLetters, RecordError};
use shared::kit::clock::Clock;
use shared::kit::config::{self, Env};
use shared::Error;

use crate::intake::Intake;
use crate::request::Normalised;
use fetch::{FetchError, Fetcher};
use state::{CatchUp, PollState, PollStateStore};
use wp_rest::{Login, Window};

pub struct Config {
    pub youtube_api_base: String,
    /// Meta's Graph API with its version, for Instagram commenters' audience.
    pub meta_graph_api_base: String,
    pub websub_hub_url: String,
    /// Where platforms reach Liaison (`https://.../hooks/{id}`), for WebSub callbacks.
    pub public_base_url: Option<String>,
    /// How far back a source's first poll looks.
    pub lookback: Duration,
    pub max_pages: u32,
    pub youtube_daily_budget: u32,
    pub rest_daily_budget: u32,
    pub websub_lease_seconds: i64,
    /// A worker starts no new page past this many seconds (the function has 120): it saves
    /// what it read, and the next request goes on from there.
    pub run_seconds: u64,
}

/// How long a worker's claim on a source holds: past the function's 120 s, so a worker
/// Lambda ended at its timeout frees its source for the next request.
const CLAIM_SECONDS: i64 = 150;

pub struct Deps {
    pub sqs: aws_sdk_sqs::Client,
    /// One message per source to poll.
    pub poll_queue_url: String,
    pub dead_letters: DeadLetters,
    pub sources: SourceStore,
    pub states: PollStateStore,
    pub intake: Intake,
    pub fetcher: Fetcher,
    pub config: Config,
    pub clock: Clock,
}

impl Deps {
    pub async fn from_env(env: &dyn Env, clock: Clock) -> Result<Self, Error> {
        let sources_table = config::required(env, "SOURCES_TABLE")?;
        let state_table = config::required(env, "POLL_STATE_TABLE")?;
        let timeout: u64 = config::parsed_or(env, "HTTP_TIMEOUT_SECONDS", 10)?;
        let config = Config {
            youtube_api_base: env
                .var("YOUTUBE_API_BASE")
                .filter(|v| !v.is_empty())
                .unwrap_or_else(|| "https://www.googleapis.com/youtube/v3".into()),
            meta_graph_api_base: env
                .var("META_GRAPH_API_BASE")
                .filter(|v| !v.is_empty())
                .unwrap_or_else(|| "https://graph.facebook.com/v21.0".into()),
            websub_hub_url: env
                .var("WEBSUB_HUB_URL")
                .filter(|v| !v.is_empty())
                .unwrap_or_else(|| "https://pubsubhubbub.appspot.com/subscribe".into()),
            public_base_url: ["PUBLIC_BASE_URL", "API_BASE_URL"]
                .iter()
                .find_map(|name| env.var(name).filter(|v| !v.trim().is_empty())),
            lookback: Duration::hours(config::parsed_or(env, "POLL_LOOKBACK_HOURS", 72)?),
            max_pages: config::parsed_or(env, "POLL_MAX_PAGES", 10)?,
            youtube_daily_budget: config::parsed_or(env, "YOUTUBE_DAILY_BUDGET", 1000)?,
            rest_daily_budget: config::parsed_or(env, "REST_DAILY_BUDGET", 2000)?,
            websub_lease_seconds: config::parsed_or(env, "WEBSUB_LEASE_SECONDS", 432_000)?,
            run_seconds: config::parsed_or(env, "POLL_RUN_SECONDS", 80)?,
        };
        let sdk = shared::kit::aws::sdk_config(env).await;
        let dynamodb = shared::kit::aws::dynamodb(&sdk, env);
        let sqs = shared::kit::aws::sqs(&sdk, env);
        // The sites' logins and API keys, opened with the credentials key.
        let sealer = shared::contracts::secrets::Secrets::load(&sdk, env)
            .await?
            .sealer()?;
        Ok(Deps {
            dead_letters: DeadLetters::new(sqs.clone(), config::required(env, "POLL_DLQ_URL")?),
            poll_queue_url: config::required(env, "POLL_QUEUE_URL")?,
            sqs,
            sources: SourceStore::new(dynamodb.clone(), sources_table).with_sealer(sealer),
            states: PollStateStore::new(dynamodb.clone(), state_table),
            intake: Intake::from_env(env, &sdk, dynamodb, clock.clone())?,
            fetcher: Fetcher::new(
                StdDuration::from_secs(timeout),
                shared::contracts::outbound::allow_private(env),
            )?,
            config,
            clock,
        })
    }
}

/// What one poller run found.
#[derive(Default)]
pub struct Batch {
    pub events: Vec<Normalised>,
    /// Items not acted on (`reason: detail`), for the log.
    pub skipped: Vec<String>,
    /// Quota units spent.
    pub units: u32,
    /// Where the cursor may move once every event is enqueued; `None` when the run
    /// stopped before reaching the old cursor.
    pub new_cursor: Option<DateTime<Utc>>,
    /// Where the next run goes on, when a newest-first read stopped before the cursor.
    pub catch_up: Option<CatchUp>,
    /// Authors whose audience this run measured (by platform id), remembered once the
    /// events are enqueued so that each is measured once a week.
    pub measured: Vec<String>,
}

/// A run that failed, and what it cost.
#[derive(Debug)]
pub struct Failure {
    pub error: FetchError,
    pub units: u32,
}

/// `X-WP-TotalPages` (WordPress and WooCommerce); 1 when absent.
pub fn total_pages(headers: &HeaderMap) -> u32 {
    headers
        .get("x-wp-totalpages")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(1)
}

/// What polling one source did.
#[derive(Debug, Default, Serialize, PartialEq, Eq)]
pub struct Summary {
    pub sources_polled: u32,
    pub events_queued: u32,
    pub duplicates: u32,
    pub failures: u32,
    pub skipped_backoff: u32,
    pub skipped_quota: u32,
    pub subscriptions_renewed: u32,
    /// Requests dropped: the source was polled since it was asked, or is being polled.
    pub already_polled: u32,
}

/// The poll queue's message: poll this source (asked at this time).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PollRequest {
    pub source_id: String,
    pub requested_at: DateTime<Utc>,
}

/// What invoked the function: a batch from the poll queue, or the schedule (any other event).
#[derive(Deserialize)]
#[serde(untagged)]
pub enum Trigger {
    Queue(SqsEvent),
    Schedule(serde_json::Value),
}

#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum Outcome {
    Queue(SqsBatchResponse),
    Schedule(Dispatched),
}

pub async fn handle(deps: &Deps, trigger: Trigger) -> Outcome {
    match trigger {
        Trigger::Queue(event) => Outcome::Queue(work(deps, event).await),
        Trigger::Schedule(_) => Outcome::Schedule(dispatch(deps).await),
    }
}

/// What the schedule sent.
#[derive(Debug, Default, Serialize, PartialEq, Eq)]
pub struct Dispatched {
    pub requests_sent: u32,
    pub failures: u32,
}

fn pollable(platform: Platform) -> bool {
    matches!(
        platform,
        Platform::YouTube
            | Platform::WordPress
            | Platform::WooCommerce
            | Platform::Discourse
            | Platform::Meta
    )
}

/// The schedule: one poll request per pollable source, ten to a `SendMessageBatch`.
pub async fn dispatch(deps: &Deps) -> Dispatched {
    let mut out = Dispatched::default();
    let now = deps.clock.now();
    let mut after: Option<String> = None;
    loop {
        let (page, next) = match deps.sources.list(100, after.as_deref()).await {
            Ok(found) => found,
            Err(err) => {
                tracing::error!(error = %err, "could not list sources");
                out.failures += 1;
                break;
            }
        };
        let requests: Vec<PollRequest> = page
            .into_iter()
            .filter(|listed| pollable(listed.platform))
            .map(|listed| PollRequest {
                source_id: listed.id,
                requested_at: now,
            })
            .collect();
        for chunk in requests.chunks(10) {
            match send_requests(deps, chunk).await {
                Ok(sent) => out.requests_sent += sent,
                Err(err) => {
                    tracing::error!(error = %err, "poll requests not sent");
                    out.failures += chunk.len() as u32;
                }
            }
        }
        match next {
            Some(cursor) => after = Some(cursor),
            None => break,
        }
    }
    tracing::info!(
        sent = out.requests_sent,
        failures = out.failures,
        "poll requests dispatched"
    );
    out
}

async fn send_requests(deps: &Deps, chunk: &[PollRequest]) -> Result<u32, Error> {
    let accepted =
        shared::kit::batch::send_json_batch(&deps.sqs, &deps.poll_queue_url, chunk).await?;
    Ok(accepted.iter().filter(|ok| **ok).count() as u32)
}

/// The poll queue's batch: each request is one source polled (the template gives batches
/// of one, so each source has an invocation, and a deadline, of its own).
pub async fn work(deps: &Deps, event: SqsEvent) -> SqsBatchResponse {
    shared::kit::batch::process(event, &deps.dead_letters, |record| async move {
        // Boxed: a source's poll is a deep future, and one type for every record.
        let summary = Box::pin(poll_request(deps, &record)).await?;
        tracing::info!(
            polled = summary.sources_polled,
            queued = summary.events_queued,
            duplicates = summary.duplicates,
            failures = summary.failures,
            already_polled = summary.already_polled,
            "poll request done"
        );
        Ok(())
    })
    .await
}

/// One request from the poll queue: a malformed one goes to the dead-letter queue.
pub async fn poll_request(deps: &Deps, record: &SqsMessage) -> Result<Summary, RecordError> {
    let body = record.body.as_deref().unwrap_or_default();
    let request: PollRequest =
        serde_json::from_str(body).map_err(|e| RecordError::unreadable("a poll request", e))?;
    Ok(poll_one(deps, &request).await?)
}

/// Polls one source, unless it was polled since it was asked or is being polled now.
pub async fn poll_one(deps: &Deps, request: &PollRequest) -> Result<Summary, Error> {
    let started = std::time::Instant::now();
    let mut summary = Summary::default();
    let now = deps.clock.now();
    let mut state = deps.states.get(&request.source_id).await?;
    let polled_since = state
        .last_polled_at
        .is_some_and(|at| at >= request.requested_at);
    let in_progress = state.polling_until.is_some_and(|until| until > now);
    if polled_since || in_progress {
        summary.already_polled += 1;
        return Ok(summary);
    }
    // The claim: a conditional write on the version read, so two workers cannot both win.
    state.polling_until = Some(now + Duration::seconds(CLAIM_SECONDS));
    state = match deps.states.save(&state).await {
        Ok(claimed) => claimed,
        Err(Error::Conflict(_)) => {
            summary.already_polled += 1;
            return Ok(summary);
        }
        Err(err) => return Err(err),
    };
    // The index does not project secrets: read the source itself.
    let Some(source) = deps.sources.get(&request.source_id).await? else {
        return Ok(summary); // deleted since; its claim lapses by itself
    };
    let deadline = started + StdDuration::from_secs(deps.config.run_seconds);
    poll_source(deps, &source, state, deadline, &mut summary).await;
    Ok(summary)
}

async fn poll_source(
    deps: &Deps,
    source: &Source,
    mut state: PollState,
    deadline: std::time::Instant,
    summary: &mut Summary,
) {
    let now = deps.clock.now();
    state.last_polled_at = Some(now);
    state.polling_until = None;
    if source.platform == Platform::YouTube
        && renew_subscription(deps, source, &mut state, now).await
    {
        summary.subscriptions_renewed += 1;
    }
    if let Some(outcome) = poll_api(deps, source, &mut state, now, deadline, summary).await {
        summary.sources_polled += 1;
        if !outcome {
            summary.failures += 1;
        }
    }
    if let Err(err) = deps.states.save(&state).await {
        // Another run saved first; its state stands, and dedupe absorbs any overlap.
        tracing::warn!(source_id = %source.id, error = %err, "poll state not saved");
    }
}

/// Polls the platform's API if the source has the credentials, is not backing off and has
/// quota left. `Some(true)` on success, `Some(false)` on failure, `None` when not polled.
async fn poll_api(
    deps: &Deps,
    source: &Source,
    state: &mut PollState,
    now: DateTime<Utc>,
    deadline: std::time::Instant,
    summary: &mut Summary,
) -> Option<bool> {
    let cfg = &deps.config;
    let creds = &source.credentials;
    let budget_default = match source.platform {
        Platform::YouTube => cfg.youtube_daily_budget,
        _ => cfg.rest_daily_budget,
    };
    let budget = source
        .settings
        .get("poll_daily_budget")
        .and_then(serde_json::Value::as_u64)
        .map_or(budget_default, |b| b.min(u64::from(u32::MAX)) as u32);
    let ready = match source.platform {
        Platform::YouTube => {
            creds.get("api_key").is_some() && source.setting("channel_id").is_some()
        }
        Platform::WordPress => {
            creds.get("application_password").is_some() && source.setting("site_url").is_some()
        }
        Platform::WooCommerce => {
            creds.get("consumer_secret").is_some() && source.setting("site_url").is_some()
        }
        Platform::Discourse => {
            creds.get("api_key").is_some()
                && creds.get("api_username").is_some()
                && source.setting("instance_url").is_some()
        }
        // Only the Instagram account's commenters' audience is read (`instagram`).
        Platform::Meta => {
            creds.get("page_access_token").is_some()
                && source.setting("instagram_account_id").is_some()
        }
        _ => false,
    };
    if !ready {
        return None;
    }
    if !state::is_due(state, now) {
        summary.skipped_backoff += 1;
        return None;
    }
    let units_left = state::quota_left(state, budget, now);
    if units_left == 0 {
        summary.skipped_quota += 1;
        return None;
    }
    let window = Window {
        cursor: state.cursor.unwrap_or(now - cfg.lookback),
        units_left,
        max_pages: cfg.max_pages,
        deadline,
    };
    let site = source.setting("site_url").unwrap_or_default();
    let credential = |name| creds.get(name).unwrap_or_default();
    let result = match source.platform {
        Platform::YouTube => {
            let params = youtube::Params {
                api_base: &cfg.youtube_api_base,
                api_key: credential("api_key"),
                channel_id: source.setting("channel_id").unwrap_or_default(),
                window,
                resume: state.catch_up.as_ref(),
            };
            youtube::poll(&deps.fetcher, &params).await
        }
        Platform::WordPress => {
            let login = Login {
                user: credential("username"),
                password: credential("application_password"),
            };
            wordpress::poll(&deps.fetcher, site, &login, &window).await
        }
        Platform::Discourse => {
            let forum = discourse::Forum {
                url: source.setting("instance_url").unwrap_or_default(),
                key: credential("api_key"),
                username: credential("api_username"),
            };
            discourse::poll(&deps.fetcher, &forum, &window, state, now).await
        }
        Platform::Meta => {
            let account = instagram::Account {
                graph: &cfg.meta_graph_api_base,
                id: source.setting("instagram_account_id").unwrap_or_default(),
                token: credential("page_access_token"),
            };
            instagram::poll(&deps.fetcher, &account, &window, state, now).await
        }
        _ => {
            let login = Login {
                user: credential("consumer_key"),
                password: credential("consumer_secret"),
            };
            woocommerce::poll(&deps.fetcher, site, &login, &window).await
        }
    };
    match result {
        Ok(batch) => {
            state::spend(state, batch.units, now);
            let correlation_id = format!("poll-{}-{}", source.id, now.timestamp());
            for normalised in batch.events {
                match deps
                    .intake
                    .accept(source, normalised, &correlation_id)
                    .await
                {
                    Ok(outcome) if outcome.duplicate => summary.duplicates += 1,
                    Ok(_) => summary.events_queued += 1,
                    Err(err) => {
                        // Not all enqueued: the cursor stays, the next run retries.
                        record_failure(state, now, &err.to_string(), None);
                        tracing::warn!(source_id = %source.id, error = %err, "poll enqueue failed");
                        return Some(false);
                    }
                }
            }
            if !batch.skipped.is_empty() {
                tracing::info!(source_id = %source.id, count = batch.skipped.len(), "polled items not acted on");
            }
            if let Some(new_cursor) = batch.new_cursor {
                state.cursor = Some(state.cursor.map_or(new_cursor, |c| c.max(new_cursor)));
            }
            state::record_measured(state, &batch.measured, now);
            state.catch_up = batch.catch_up;
            state.failures = 0;
            state.retry_after = None;
            state.last_error = None;
            state.last_success = Some(now);
            Some(true)
        }
        Err(failure) => {
            state::spend(state, failure.units, now);
            if matches!(failure.error, FetchError::Status(code) if code.as_u16() == 400)
                && state.catch_up.take().is_some()
            {
                // A page token the API no longer takes: start from the newest again.
                tracing::warn!(source_id = %source.id, "catch-up token refused; starting over");
            }
            record_failure(
                state,
                now,
                &failure.error.to_string(),
                failure.error.retry_after(),
            );
            tracing::warn!(source_id = %source.id, platform = %source.platform, error = %failure.error, "poll failed; backing off");
            Some(false)
        }
    }
}

fn record_failure(
    state: &mut PollState,
    now: DateTime<Utc>,
    error: &str,
    retry_after: Option<Duration>,
) {
    state.failures = state.failures.saturating_add(1);
    state.retry_after = Some(now + state::backoff(state.failures, retry_after));
    state.last_error = Some(error.to_string());
}

/// Subscribes the channel's WebSub feed when the lease is near its end (80 % of it), when
/// it never was, or when the secret changed since. `true` when a subscription was sent.
async fn renew_subscription(
    deps: &Deps,
    source: &Source,
    state: &mut PollState,
    now: DateTime<Utc>,
) -> bool {
    let (Some(base), Some(channel), Some(secret)) = (
        deps.config.public_base_url.as_deref(),
        source.setting("channel_id"),
        source.active_secrets(now).next(),
    ) else {
        return false;
    };
    let due = state.websub_renew_at.is_none_or(|at| now >= at)
        || state.websub_source_version != Some(source.version);
    if !due {
        return false;
    }
    let callback = format!("{}/hooks/{}", base.trim_end_matches('/'), source.id);
    let lease = deps.config.websub_lease_seconds;
    // Marked before asking: the hub may verify (ingest's handshake) before it answers, and
    // ingest confirms only a subscription asked for moments ago.
    if let Err(err) = deps.sources.mark_websub_request(&source.id, now).await {
        tracing::warn!(source_id = %source.id, error = %err, "WebSub request not marked; not asked");
        return false;
    }
    match youtube::subscribe(
        &deps.fetcher,
        &deps.config.websub_hub_url,
        &callback,
        channel,
        secret,
        lease,
    )
    .await
    {
        Ok(()) => {
            state.websub_renew_at = Some(now + Duration::seconds(lease * 4 / 5));
            state.websub_source_version = Some(source.version);
            true
        }
        Err(err) => {
            // Try again on the next run; the current lease still runs.
            tracing::warn!(source_id = %source.id, error = %err, "WebSub subscription failed");
            false
        }
    }
}
