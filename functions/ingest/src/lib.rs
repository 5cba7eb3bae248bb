//! IngestFunction: `POST|GET /hooks/{source_id}`.
//!
//! Platform handshake, signature on the raw bytes, size limit, parse and normalise, dedupe
//! with a conditional write, enqueue to `contributions`, `commerce` or `referrals`. AWS
//! calls per event: one GetItem (source), one conditional PutItem (claim), one SendMessage,
//! one UpdateItem (done); per delivery, one PutItem (its receipt, [`receipts`]); a `social.connected` chunk is several messages, sent with
//! SendMessageBatch (10 at most, 256 KiB at most per call). See docs/architecture.md.
//!
//! The crate's second binary, `poll` ([`poll`]), fetches what some platforms do not push and
//! hands it to the same accept step ([`intake`]).

pub mod connectors;
pub mod envelope;
pub mod fields;
pub mod idempotency;
pub mod intake;
pub mod pipeline;
pub mod poll;
pub mod receipts;
pub mod request;
pub mod signature;
pub mod social;
pub mod text;
pub mod validate;

use chrono::Duration;
use shared::contracts::ignored::IgnoredStore;
use shared::contracts::received::ReceivedLog;
use shared::contracts::sources::SourceStore;
use shared::kit::clock::Clock;
use shared::kit::config::{self, Env};
use shared::kit::http::{self, Request, Response};

use intake::Intake;
pub use request::Limits;

pub struct Deps {
    pub sources: SourceStore,
    pub intake: Intake,
    pub ignored: IgnoredStore,
    /// The last deliveries of each source, for its owner.
    pub received: ReceivedLog,
    pub refusals: receipts::RefusalSpacing,
    pub limits: Limits,
    pub clock: Clock,
}

impl Deps {
    /// Reads the variables template.yaml sets for IngestFunction; fails naming a missing one.
    pub async fn from_env(env: &dyn Env, clock: Clock) -> Result<Self, shared::Error> {
        let sources_table = config::required(env, "SOURCES_TABLE")?;
        let ignored_table = config::required(env, "IGNORED_TABLE")?;
        let received_table = config::required(env, "RECEIVED_TABLE")?;
        let limits = Limits {
            max_body_bytes: config::parsed_or(env, "MAX_BODY_BYTES", 256 * 1024)?,
            max_social_body_bytes: config::parsed_or(
                env,
                "MAX_SOCIAL_BODY_BYTES",
                3 * 1024 * 1024,
            )?,
            ignored_retention: Duration::days(config::parsed_or(
                env,
                "IGNORED_RETENTION_DAYS",
                30,
            )?),
        };
        // Only this function sends social events (poll shares the intake): fail fast here.
        config::required(env, "REFERRALS_QUEUE_URL")?;
        let sdk = shared::kit::aws::sdk_config(env).await;
        let dynamodb = shared::kit::aws::dynamodb(&sdk, env);
        // Handshakes compare what a platform sends with a source's credentials (Meta's
        // verify token): opened with the credentials key.
        let sealer = shared::contracts::secrets::Secrets::load(&sdk, env)
            .await?
            .sealer()?;
        Ok(Deps {
            sources: SourceStore::new(dynamodb.clone(), sources_table).with_sealer(sealer),
            intake: Intake::from_env(env, &sdk, dynamodb.clone(), clock.clone())?,
            ignored: IgnoredStore::new(dynamodb.clone(), ignored_table),
            received: ReceivedLog::new(dynamodb, received_table),
            refusals: receipts::RefusalSpacing::default(),
            limits,
            clock,
        })
    }
}

/// The Lambda entry point: every outcome, error included, is an HTTP response.
pub async fn handle(deps: &Deps, req: Request) -> Response {
    match pipeline::ingest(deps, &req).await {
        Ok(response) => response,
        Err(err) => {
            if err.status() >= 500 {
                tracing::error!(error = %err, status = err.status(), "webhook failed");
            } else {
                // The code and the field, never the message: it can quote the payload, and a
                // refused payload is a stranger's text (personal data included).
                tracing::info!(
                    code = err.code(),
                    status = err.status(),
                    field = err.field().unwrap_or("-"),
                    "webhook refused"
                );
            }
            http::error(&err)
        }
    }
}
