//! AnswersFunction (SQS `answers`, partial batch failures): publishes what staff answer
//! where the person spoke, and applies moderation decisions on the platforms.
//!
//! - An answer job claims its answer (`queued` → `sending`) before the one platform call,
//!   then records what came of it (`shared::contracts::answers` says the states). A job
//!   that finds its answer still `sending` comes from an attempt whose outcome was lost:
//!   the answer becomes `unknown`, for staff to check, and is never sent twice.
//! - A definite failure that may pass (a rate limit, an outage, a connection that never
//!   opened) is retried: the message comes back after the platform's `Retry-After`, or
//!   30 s doubling up to 15 minutes, at most [`MAX_ATTEMPTS`] times.
//! - Refused credentials (expired, revoked) count `AnswerCredentialsRefused`, which an
//!   alarm watches.
//! - A moderation job applies the decision still current on the contribution (a stale job is
//!   dropped); setting a status twice has one effect, so an unknown outcome is retried.

pub mod call;
pub mod discourse;
pub mod email;
pub mod meta;
pub mod moderate;
pub mod oauth;
pub mod order_news;
pub mod publish;
pub mod reconcile;
pub mod reply_webhook;
pub mod trustpilot;
pub mod wordpress;
pub mod x;
pub mod youtube;

use std::time::Duration;

use aws_lambda_events::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use shared::contracts::answers::{AnswerStore, Job, JobMessage, JobQueue, JOB_VERSION};
use shared::contracts::contacts::order_news::OrderNews;
use shared::contracts::contributions::ContributionStore;
use shared::contracts::sources::SourceStore;
use shared::kit::batch::{self, DeadLetters, RecordError};
use shared::kit::clock::Clock;
use shared::kit::config::{self, Env};
use shared::Error;

/// Platform calls per answer, retries included, before it is `failed`.
pub const MAX_ATTEMPTS: u32 = 8;
/// A platform gets this long to answer.
const TIMEOUT: Duration = Duration::from_secs(10);

pub struct Deps {
    pub answers: AnswerStore,
    pub sources: SourceStore,
    pub contributions: ContributionStore,
    /// Who gets order news by direct message (the contacts table's `order-news` items).
    pub order_news: OrderNews,
    pub http: reqwest::Client,
    /// Whether the URLs staff typed (a site, a forum, a reply URL) may be on loopback or a
    /// private network: the local stack's doubles only.
    pub allow_private: bool,
    pub apis: Apis,
    pub email: email::Mailer,
    pub sqs: aws_sdk_sqs::Client,
    pub queue_url: String,
    pub dead_letters: DeadLetters,
    /// Seconds before the first retry (doubling after, at most 15 minutes).
    pub first_backoff: i32,
    /// What the brand's endpoints are told: `answer.published`.
    pub events: shared::contracts::deliveries::EventQueue,
    pub clock: Clock,
}

/// Where the platforms' APIs are: their public hosts, unless the environment names others
/// (the tests point them at the doubles of `liaison_stack::doubles`).
#[derive(Debug, Clone)]
pub struct Apis {
    /// Meta's Graph API, with its version (`https://graph.facebook.com/v21.0`).
    pub graph: String,
    /// X's API v2 host (`https://api.x.com`).
    pub x: String,
    /// The YouTube Data API (`https://www.googleapis.com/youtube/v3`).
    pub youtube: String,
    /// Google's OAuth 2.0 token endpoint host (`https://oauth2.googleapis.com`).
    pub google_oauth: String,
    /// Trustpilot's API host (`https://api.trustpilot.com`).
    pub trustpilot: String,
}

impl Apis {
    pub fn from_env(env: &dyn Env) -> Self {
        let base = |name: &str, default: &str| {
            env.var(name)
                .filter(|v| !v.is_empty())
                .unwrap_or_else(|| default.to_string())
                .trim_end_matches('/')
                .to_string()
        };
        Apis {
            graph: base("META_GRAPH_API_BASE", "https://graph.facebook.com/v21.0"),
            x: base("X_API_BASE", "https://api.x.com"),
            youtube: base("YOUTUBE_API_BASE", "https://www.googleapis.com/youtube/v3"),
            google_oauth: base("GOOGLE_OAUTH_BASE", "https://oauth2.googleapis.com"),
            trustpilot: base("TRUSTPILOT_API_BASE", "https://api.trustpilot.com"),
        }
    }
}

impl Deps {
    pub async fn from_env(env: &dyn Env, clock: Clock) -> Result<Self, Error> {
        let sdk = shared::kit::aws::sdk_config(env).await;
        // One SSM call for both keys: the lookup key (suppression) and the credentials key.
        let secrets = shared::contracts::secrets::Secrets::load(&sdk, env).await?;
        let dynamodb = shared::kit::aws::dynamodb(&sdk, env);
        let sqs = shared::kit::aws::sqs(&sdk, env);
        let allow_private = shared::contracts::outbound::allow_private(env);
        // Site URLs are typed by staff: shared::contracts::outbound's restrictions (no
        // redirect either: a POST that moved may have been made already).
        let http = shared::contracts::outbound::client(
            concat!("Liaison-answers/", env!("CARGO_PKG_VERSION")),
            TIMEOUT,
            allow_private,
        )?;
        let reports_table = config::required(env, "REPORTS_TABLE")?;
        Ok(Deps {
            answers: AnswerStore {
                client: dynamodb.clone(),
                table: config::required(env, "ANSWERS_TABLE")?,
                reports_table: reports_table.clone(),
                cases_table: config::required(env, "CASES_TABLE")?,
            },
            sources: SourceStore::new(dynamodb.clone(), config::required(env, "SOURCES_TABLE")?)
                .with_sealer(secrets.sealer()?),
            contributions: ContributionStore::new(
                dynamodb.clone(),
                config::required(env, "CONTRIBUTIONS_TABLE")?,
                reports_table,
            ),
            order_news: OrderNews {
                client: dynamodb.clone(),
                table: config::required(env, "CONTACTS_TABLE")?,
            },
            email: email::Mailer::from_env(&sdk, env, dynamodb, secrets.lookup_key()?)?,
            http,
            allow_private,
            apis: Apis::from_env(env),
            dead_letters: DeadLetters::new(sqs.clone(), config::required(env, "ANSWERS_DLQ_URL")?),
            queue_url: config::required(env, "ANSWERS_QUEUE_URL")?,
            first_backoff: config::parsed_or(env, "ANSWER_FIRST_BACKOFF_SECONDS", 30)?,
            events: shared::contracts::deliveries::EventQueue {
                sqs: sqs.clone(),
                queue_url: config::required(env, "EVENTS_QUEUE_URL")?,
            },
            sqs,
            clock,
        })
    }

    /// Seconds before the message of a call to retry comes back: the platform's
    /// `Retry-After` when it gave one (at most SQS's 12 hours), else the backoff.
    fn retry_in(&self, after: Option<Duration>, record: &SqsMessage) -> i32 {
        match after {
            Some(after) => i32::try_from(after.as_secs())
                .unwrap_or(i32::MAX)
                .min(43_200),
            None => batch::backoff_seconds(self.first_backoff, batch::receive_count(record)),
        }
    }

    /// The `answers` queue, for the jobs this function leaves itself (a read-back).
    pub fn jobs(&self) -> JobQueue {
        JobQueue {
            sqs: self.sqs.clone(),
            queue_url: self.queue_url.clone(),
        }
    }

    /// Tells the brand's endpoints that `answer` was published as `published`. Its id derives
    /// from the answer's: the job that published it, its retry, and a read-back that found
    /// it all publish the same event, which is delivered once.
    pub async fn announce(
        &self,
        answer: &shared::contracts::answers::Answer,
        published: &shared::contracts::answers::Published,
    ) -> Result<(), Error> {
        use shared::contracts::deliveries::{Event, EventType};
        self.events
            .publish(&Event::new(
                EventType::AnswerPublished,
                &answer.id,
                published.at,
                answer.contact_id.as_deref(),
                serde_json::json!({ "answer": {
                    "id": answer.id,
                    "contribution_id": answer.contribution_id,
                    "case_id": answer.case_id,
                    "channel": answer.channel.as_str(),
                    "platform": answer.target.platform.as_str(),
                    "source_id": answer.target.source_id,
                    "text": answer.text,
                    "author": answer.author,
                    "created_at": answer.created_at,
                    "published_at": published.at,
                    "permalink": published.permalink,
                }}),
            ))
            .await
    }

    /// Keeps `record` away for [`Deps::retry_in`] before it comes back.
    async fn hold_back(&self, record: &SqsMessage, after: Option<Duration>) {
        let seconds = self.retry_in(after, record);
        batch::delay(&self.sqs, &self.queue_url, record, seconds).await;
    }
}

pub async fn handle(deps: &Deps, event: SqsEvent) -> SqsBatchResponse {
    batch::process(event, &deps.dead_letters, |record| async move {
        run(deps, &record).await
    })
    .await
}

async fn run(deps: &Deps, record: &SqsMessage) -> Result<(), RecordError> {
    let body = record.body.as_deref().unwrap_or_default();
    let message: JobMessage =
        serde_json::from_str(body).map_err(|e| RecordError::unreadable("an answers job", e))?;
    if message.v != JOB_VERSION {
        return Err(RecordError::reject(format!(
            "answers job version {} is not {JOB_VERSION}",
            message.v
        )));
    }
    match message.job {
        Job::Answer {
            contribution_id,
            answer_id,
        } => publish::run(deps, record, &contribution_id, &answer_id).await,
        Job::Moderate {
            contribution_id,
            source_id,
            external_id,
            decision,
            decided_at,
        } => {
            let job = moderate::Decided {
                contribution_id: &contribution_id,
                source_id: &source_id,
                external_id: &external_id,
                decision,
                decided_at,
            };
            moderate::run(deps, record, &job).await
        }
        Job::OrderNews { contact_id, news } => {
            order_news::run(deps, record, &contact_id, &news).await
        }
        Job::Reconcile {
            contribution_id,
            answer_id,
        } => reconcile::run(deps, record, &contribution_id, &answer_id).await,
    }
}

/// `url`, a source's setting `name`, if Liaison may call it: checked at every call too, since
/// a URL stored before a check existed (or edited in the table) must not reach a private
/// address.
pub fn staff_url<'a>(deps: &Deps, name: &str, url: &'a str) -> Result<&'a str, String> {
    shared::contracts::outbound::check_url(url, deps.allow_private)
        .map(|()| url)
        .map_err(|why| format!("the source's {name} {why}"))
}

/// Counts a platform's refusal of a source's credentials, which an alarm watches (on the
/// function's `Service` dimension alone: an alarm names every dimension of its metric).
fn credentials_refused(deps: &Deps, platform: &str) {
    tracing::warn!(platform, "the platform refused the source's credentials");
    shared::kit::metrics::count("AnswerCredentialsRefused", 1, &[], deps.clock.now());
}
