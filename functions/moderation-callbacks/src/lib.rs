//! ModerationCallbacksFunction (SQS `moderation-callbacks`, partial batch failures): tells a platform what
//! Liaison or staff decided about a held contribution, at the source's
//! `moderation_callback_url`, as a Standard Webhooks request signed with the source's
//! `moderation_callback_secret` (`shared::contracts::moderation` says what is sent).
//!
//! - `webhook-id` is the decision's: every retry carries the same, so the receiver applies a
//!   decision once; `webhook-timestamp` is the time of this attempt, as the specification
//!   wants (receivers refuse old timestamps).
//! - 2xx: delivered. 408, 429, 5xx, a redirect, a timeout or a network error: retried, with the message
//!   hidden for 30 s × 2^(attempt − 1) (at most 15 minutes; `CALLBACK_FIRST_BACKOFF_SECONDS`), then the dead-letter queue
//!   after `maxReceiveCount`. Another 4xx: the receiver refuses it; retrying cannot help, so
//!   it goes to the dead-letter queue at once, with the status as its reason.
//! - A source deleted, or whose callback URL was removed, since: nothing to do.

use std::time::Duration;

use aws_lambda_events::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use shared::contracts::deliveries::schedule::{outcome, Outcome};
use shared::contracts::moderation::{
    CallbackMessage, CALLBACK_SECRET_CREDENTIAL, CALLBACK_URL_SETTING, CALLBACK_VERSION,
};
use shared::contracts::sources::SourceStore;
use shared::kit::batch::{self, DeadLetters, RecordError};
use shared::kit::clock::Clock;
use shared::kit::config::{self, Env};
use shared::Error;

pub struct Deps {
    pub sources: SourceStore,
    pub http: reqwest::Client,
    pub sqs: aws_sdk_sqs::Client,
    pub queue_url: String,
    pub dead_letters: DeadLetters,
    /// Seconds a message stays hidden after its first failed delivery (doubling after).
    pub first_backoff: i32,
    /// `OUTBOUND_ALLOW_PRIVATE` (the local stack): callback URLs on loopback, over HTTP.
    pub allow_private: bool,
    pub clock: Clock,
}

/// A receiver gets this long to answer.
const TIMEOUT: Duration = Duration::from_secs(10);

impl Deps {
    pub async fn from_env(env: &dyn Env, clock: Clock) -> Result<Self, Error> {
        let sdk = shared::kit::aws::sdk_config(env).await;
        let sqs = shared::kit::aws::sqs(&sdk, env);
        let allow_private = shared::contracts::outbound::allow_private(env);
        // A callback URL is configured by staff: shared::contracts::outbound's restrictions.
        let http = shared::contracts::outbound::client(
            concat!("Liaison-moderation-callbacks/", env!("CARGO_PKG_VERSION")),
            TIMEOUT,
            allow_private,
        )?;
        Ok(Deps {
            // The callback secret is a credential: opened with the credentials key.
            sources: SourceStore::new(
                shared::kit::aws::dynamodb(&sdk, env),
                config::required(env, "SOURCES_TABLE")?,
            )
            .with_sealer(
                shared::contracts::secrets::Secrets::load(&sdk, env)
                    .await?
                    .sealer()?,
            ),
            http,
            dead_letters: DeadLetters::new(
                sqs.clone(),
                config::required(env, "MODERATION_CALLBACKS_DLQ_URL")?,
            ),
            queue_url: config::required(env, "MODERATION_CALLBACKS_QUEUE_URL")?,
            first_backoff: config::parsed_or(env, "CALLBACK_FIRST_BACKOFF_SECONDS", 30)?,
            allow_private,
            sqs,
            clock,
        })
    }
}

/// Receivers are waited on side by side (each gets [`TIMEOUT`]), so a batch of ten slow ones
/// takes about one timeout, well inside the function's; the decisions about one contribution
/// keep their order.
pub async fn handle(deps: &Deps, event: SqsEvent) -> SqsBatchResponse {
    batch::process_grouped(
        event,
        &deps.dead_letters,
        contribution_of,
        |record| async move {
            let result = deliver(deps, &record).await;
            if let Err(RecordError::Retry(_)) = &result {
                back_off(deps, &record).await;
            }
            result
        },
    )
    .await
}

/// The contribution a callback is about (its message id when it does not say).
fn contribution_of(record: &SqsMessage) -> String {
    record
        .body
        .as_deref()
        .and_then(|body| serde_json::from_str::<serde_json::Value>(body).ok())
        .and_then(|m| {
            m.pointer("/payload/data/contribution_id")
                .and_then(|c| c.as_str())
                .map(str::to_string)
        })
        .unwrap_or_else(|| record.message_id.clone().unwrap_or_default())
}

async fn deliver(deps: &Deps, record: &SqsMessage) -> Result<(), RecordError> {
    let body = record.body.as_deref().unwrap_or_default();
    let message: CallbackMessage =
        serde_json::from_str(body).map_err(|e| RecordError::unreadable("a callback message", e))?;
    if message.v != CALLBACK_VERSION {
        return Err(RecordError::reject(format!(
            "callback message version {} is not {CALLBACK_VERSION}",
            message.v
        )));
    }
    let source = deps.sources.get(&message.source_id).await?;
    let Some((url, secret)) = source.as_ref().and_then(|s| {
        Some((
            s.setting(CALLBACK_URL_SETTING)?,
            s.credentials.get(CALLBACK_SECRET_CREDENTIAL)?,
        ))
    }) else {
        tracing::info!(source_id = %message.source_id, webhook_id = %message.webhook_id, "no callback configured any more; dropped");
        return Ok(());
    };
    // Registered URLs were checked; one stored before the check existed is checked here.
    if let Err(why) = shared::contracts::outbound::check_url(url, deps.allow_private) {
        return Err(RecordError::reject(format!("the callback URL {why}")));
    }
    let payload = serde_json::to_vec(&message.payload)
        .map_err(|e| RecordError::Reject(Error::caused("encode payload", e)))?;
    let timestamp = deps.clock.now().timestamp();
    let sent = shared::contracts::signed_webhook::post(
        &deps.http,
        url,
        &[secret],
        &message.webhook_id,
        timestamp,
        payload,
    )?
    .send()
    .await;
    // The URL is the receiver's and may hold a token: never logged.
    let status = match sent {
        Ok(response) => response.status().as_u16(),
        Err(e) => {
            let e = e.without_url();
            tracing::warn!(source_id = %message.source_id, webhook_id = %message.webhook_id, error = %e, "callback not delivered");
            return Err(RecordError::Retry(Error::caused("network", e).transient()));
        }
    };
    let fields = (&message.source_id, &message.webhook_id);
    match outcome(status) {
        Outcome::Delivered => {
            tracing::info!(source_id = %fields.0, webhook_id = %fields.1, status, "callback delivered");
            Ok(())
        }
        Outcome::TryAgain => {
            tracing::warn!(source_id = %fields.0, webhook_id = %fields.1, status, "callback to retry");
            Err(RecordError::retry(format!("receiver answered {status}")))
        }
        Outcome::Refused => Err(RecordError::reject(format!(
            "receiver refused the callback with {status}"
        ))),
    }
}

/// Hides the message for longer after each failure.
async fn back_off(deps: &Deps, record: &SqsMessage) {
    let seconds = batch::backoff_seconds(deps.first_backoff, batch::receive_count(record));
    batch::delay(&deps.sqs, &deps.queue_url, record, seconds).await;
}
