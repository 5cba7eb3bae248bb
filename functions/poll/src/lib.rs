//! PollFunction (schedule): platforms that do not push what Liaison needs are fetched
//! since a cursor per source, and their items go through the same accept step as pushed
//! webhooks (`ingest::intake`), with the same dedupe keys.
//!
//! - YouTube: comments through the Data API (`api_key` credential), and the WebSub
//!   subscription for videos, renewed before its lease ends or when the secret rotates.
//! - WordPress: comments through the REST API (`username` + `application_password`).
//! - WooCommerce: orders through the REST API (`consumer_key` + `consumer_secret`).
//!
//! Per source: the cursor moves only after every event up to it is enqueued; a daily
//! quota budget (UTC) bounds API calls; errors back off exponentially (Retry-After wins).
//! Sources are found by a Query on the `ByKind` index (never a Scan).

pub mod fetch;
pub mod state;
pub mod woocommerce;
pub mod wordpress;
pub mod wp_rest;
pub mod youtube;

use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use ingest::connectors::Normalised;
use ingest::intake::Intake;
use reqwest::header::HeaderMap;
use serde::Serialize;
use shared::clock::Clock;
use shared::config::{self, Env};
use shared::source::{Platform, Source, SourceStore};
use shared::Error;

use fetch::{FetchError, Fetcher};
use state::{PollState, PollStateStore};
use wp_rest::{Login, Window};

pub struct Config {
    pub youtube_api_base: String,
    pub websub_hub_url: String,
    /// Where platforms reach Liaison (`https://.../hooks/{id}`), for WebSub callbacks.
    pub public_base_url: Option<String>,
    /// How far back a source's first poll looks.
    pub lookback: Duration,
    pub max_pages: u32,
    pub youtube_daily_budget: u32,
    pub rest_daily_budget: u32,
    pub websub_lease_seconds: i64,
    /// A run starts no new source past this many seconds (the function has 120): the rest
    /// wait for the next run, which starts with them.
    pub run_seconds: u64,
}

pub struct Deps {
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
        let sdk = shared::aws::sdk_config(env).await;
        let dynamodb = shared::aws::dynamodb(&sdk, env);
        Ok(Deps {
            sources: SourceStore::new(dynamodb.clone(), sources_table),
            states: PollStateStore::new(dynamodb.clone(), state_table),
            intake: Intake::from_env(env, &sdk, dynamodb, clock.clone())?,
            fetcher: Fetcher::new(
                StdDuration::from_secs(timeout),
                shared::outbound::allow_private(env),
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
}

/// A run that failed, and what it cost.
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

#[derive(Debug, Default, Serialize, PartialEq, Eq)]
pub struct Summary {
    pub sources_polled: u32,
    pub events_queued: u32,
    pub duplicates: u32,
    pub failures: u32,
    pub skipped_backoff: u32,
    pub skipped_quota: u32,
    pub subscriptions_renewed: u32,
    /// Sources not started because the run reached its deadline (first in the next run).
    pub left_for_next_run: u32,
}

/// The scheduled entry point: the event's content does not matter. Sources are polled
/// least recently polled first, and none is started past the run's deadline: a slow site
/// delays the others by one run at most, never for good.
pub async fn handle(deps: &Deps, _event: serde_json::Value) -> Summary {
    let started = std::time::Instant::now();
    let mut summary = Summary::default();
    let mut due = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let (page, next) = match deps.sources.list(100, after.as_deref()).await {
            Ok(found) => found,
            Err(err) => {
                tracing::error!(error = %err, "could not list sources");
                summary.failures += 1;
                break;
            }
        };
        for listed in page {
            if !matches!(
                listed.platform,
                Platform::YouTube | Platform::WordPress | Platform::WooCommerce
            ) {
                continue;
            }
            match deps.states.get(&listed.id).await {
                Ok(state) => due.push((listed.id, state)),
                Err(err) => {
                    tracing::error!(source_id = %listed.id, error = %err, "could not read poll state");
                    summary.failures += 1;
                }
            }
        }
        match next {
            Some(cursor) => after = Some(cursor),
            None => break,
        }
    }
    due.sort_by_key(|(id, state)| (state.last_polled_at, id.clone()));
    let deadline = std::time::Duration::from_secs(deps.config.run_seconds);
    for (id, state) in due {
        if started.elapsed() >= deadline {
            summary.left_for_next_run += 1;
            continue;
        }
        // The index does not project secrets: read the source itself.
        match deps.sources.get(&id).await {
            Ok(Some(source)) => poll_source(deps, &source, state, &mut summary).await,
            Ok(None) => {}
            Err(err) => {
                tracing::error!(source_id = %id, error = %err, "could not read source");
                summary.failures += 1;
            }
        }
    }
    tracing::info!(
        polled = summary.sources_polled,
        queued = summary.events_queued,
        duplicates = summary.duplicates,
        failures = summary.failures,
        left_for_next_run = summary.left_for_next_run,
        "poll run done"
    );
    summary
}

async fn poll_source(deps: &Deps, source: &Source, mut state: PollState, summary: &mut Summary) {
    let now = deps.clock.now();
    state.last_polled_at = Some(now);
    if source.platform == Platform::YouTube
        && renew_subscription(deps, source, &mut state, now).await
    {
        summary.subscriptions_renewed += 1;
    }
    if let Some(outcome) = poll_api(deps, source, &mut state, now, summary).await {
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
            state.failures = 0;
            state.retry_after = None;
            state.last_error = None;
            state.last_success = Some(now);
            Some(true)
        }
        Err(failure) => {
            state::spend(state, failure.units, now);
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
