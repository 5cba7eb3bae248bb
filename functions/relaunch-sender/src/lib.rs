//! RelaunchSenderFunction (SQS `sends`, partial batch failures): carries out the scheduler's
//! claims, one (cart, step) each, exactly once.
//!
//! 1. The claim (`SendsTable`) says whether there is anything left to do: only a `queued`
//!    claim goes on; a `sent` one finishes its record (a retry after a crash), a `sending`
//!    one whose lease lapsed becomes `uncertain` (docs/relaunch.md: the one crash window).
//! 2. The cart, the campaign, the contact and the suppression list are read now, and
//!    [`decide`] skips, defers (cap, quiet hours, new activity) or sends.
//! 3. Sending starts with one transaction: the claim `queued → sending` with a lease, the
//!    contact's frequency cap taken (`last_relaunch_at`, so two campaigns or two carts of
//!    one contact cannot both pass), and the email's record. Only the winner renders,
//!    builds MIME and calls SES `SendRawEmail` (with the configuration set and the
//!    `email_id` tag that SES events carry back).
//! 4. Then one transaction records it (`sent`, the SES message id, the step's `sent`
//!    counter) and the cart moves to its next step.
//!
//! SES throttling is retried by the SDK with backoff; if it persists, the step is deferred
//! (5 minutes, doubling) and the scheduler claims it again when due: never dropped.

pub mod claims;
pub mod compose;
pub mod decide;
pub mod delivery;
pub mod mime;

use aws_lambda_events::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use shared::contracts::carts::{self};
use shared::contracts::contacts::profile;
use shared::kit::batch::{self, DeadLetters, RecordError};
use shared::kit::clock::Clock;
use shared::kit::config::{self, Env};
use shared::relaunch::campaigns::store::CampaignStore;
use shared::relaunch::links::Links;
use shared::relaunch::sends::{self, SendMessage, SendRecord, SendStatus};
use shared::Error;

use decide::{ContactFacts, Decision, Facts};

pub struct Deps {
    pub dynamodb: aws_sdk_dynamodb::Client,
    pub ses: aws_sdk_ses::Client,
    pub carts_table: String,
    pub sends_table: String,
    pub contacts_table: String,
    pub suppression_table: String,
    pub emails_table: String,
    pub stats_table: String,
    pub campaigns: CampaignStore,
    pub hash_key: Vec<u8>,
    pub links: Links,
    pub sender: String,
    pub configuration_set: String,
    pub cap_hours: u32,
    pub dead_letters: DeadLetters,
    pub clock: Clock,
}

impl Deps {
    pub async fn from_env(env: &dyn Env, clock: Clock) -> Result<Self, Error> {
        let sdk = shared::kit::aws::sdk_config(env).await;
        Self::with_sdk(env, &sdk, clock).await
    }

    /// With an SDK configuration of the caller's (tests inject faults through it).
    pub async fn with_sdk(
        env: &dyn Env,
        sdk: &shared::kit::aws::SdkConfig,
        clock: Clock,
    ) -> Result<Self, Error> {
        let dynamodb = shared::kit::aws::dynamodb(sdk, env);
        let secrets = shared::contracts::secrets::Secrets::load(sdk, env).await?;
        let hash_key = secrets.lookup_key()?;
        let link_base = config::link_base(env)?;
        // No SDK retries for SES: see `deliver`. Ten seconds at most per attempt.
        let ses = shared::kit::aws::ses(sdk, env);
        let ses = aws_sdk_ses::Client::from_conf(
            ses.config()
                .to_builder()
                .retry_config(aws_sdk_ses::config::retry::RetryConfig::disabled())
                .timeout_config(
                    aws_sdk_ses::config::timeout::TimeoutConfig::builder()
                        .operation_attempt_timeout(std::time::Duration::from_secs(10))
                        .build(),
                )
                .build(),
        );
        Ok(Deps {
            ses,
            carts_table: config::required(env, "CARTS_TABLE")?,
            sends_table: config::required(env, "SENDS_TABLE")?,
            contacts_table: config::required(env, "CONTACTS_TABLE")?,
            suppression_table: config::required(env, "SUPPRESSION_TABLE")?,
            emails_table: config::required(env, "EMAILS_TABLE")?,
            stats_table: config::required(env, "STATS_TABLE")?,
            campaigns: CampaignStore {
                client: dynamodb.clone(),
                table: config::required(env, "CAMPAIGNS_TABLE")?,
            },
            links: Links::new(secrets.link_keys()?, &link_base),
            hash_key,
            sender: config::required(env, "SENDER_EMAIL")?,
            configuration_set: config::required(env, "SES_CONFIGURATION_SET")?,
            cap_hours: config::parsed_or(env, "RELAUNCH_CAP_HOURS", 24)?,
            dead_letters: DeadLetters::new(
                shared::kit::aws::sqs(sdk, env),
                config::required(env, "SENDS_DLQ_URL")?,
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
    let message: SendMessage = serde_json::from_str(record.body.as_deref().unwrap_or_default())
        .map_err(|e| RecordError::unreadable("a send", e))?;
    let now = deps.clock.now();
    let Some(send) = read_send(deps, &message.send_id).await? else {
        return Err(RecordError::reject(format!(
            "no claim {}: the scheduler writes one before it enqueues",
            message.send_id
        )));
    };
    match send.status {
        SendStatus::Queued => {}
        // A crash after the record left the cart behind: finish the record.
        SendStatus::Sent => return Ok(claims::advance_cart(deps, &send, now).await?),
        SendStatus::Sending if send.lease_until.is_some_and(|l| l > now) => {
            return Err(Error::Transient("another sender holds this step".into()).into());
        }
        SendStatus::Sending => return Ok(claims::give_up_uncertain(deps, &send, now).await?),
        // Done, or deferred (the scheduler claims it again when due): a stale copy.
        SendStatus::Skipped | SendStatus::Uncertain | SendStatus::Deferred => return Ok(()),
    }
    let cart = carts::get(&deps.dynamodb, &deps.carts_table, &send.cart_id).await?;
    let campaign = deps.campaigns.get(&send.campaign_id).await?;
    let contact = match cart.as_ref().and_then(|c| c.contact_id.as_deref()) {
        Some(id) => Some(contact_facts(deps, id).await?),
        None => None,
    };
    let suppressed = match cart.as_ref().and_then(|c| c.email.as_deref()) {
        Some(email) => is_suppressed(deps, email).await?,
        None => false,
    };
    let decision = decide::decide(
        &Facts {
            send: &send,
            cart: cart.as_ref(),
            campaign: campaign.as_ref(),
            contact: contact.as_ref(),
            suppressed,
            cap_hours: deps.cap_hours,
        },
        now,
    );
    // Counters go to the variant this cart gets in this step, whatever happens to it.
    let variant = campaign
        .as_ref()
        .and_then(|c| c.spec.steps.get(send.step))
        .map(|s| {
            shared::relaunch::campaigns::schedule::variant(
                &send.cart_id,
                send.step,
                s.variant_b.as_ref().map(|b| b.percent),
            )
        })
        .unwrap_or("A");
    tracing::info!(send = %send.id, decision = ?decision, "relaunch step");
    match (decision, cart, campaign) {
        (Decision::Send { variant }, Some(cart), Some(campaign)) => {
            claims::send(deps, &send, &cart, &campaign, variant, now).await?
        }
        (Decision::Defer { until, why }, _, _) => {
            claims::defer(deps, &send, until, why.counter(), variant, now).await?
        }
        (Decision::Skip { reason, stop }, _, _) => {
            claims::skip(deps, &send, reason, stop, variant, now).await?
        }
        (Decision::Send { .. }, _, _) => {
            return Err(
                Error::Internal("a send decided without its cart or campaign".into()).into(),
            )
        }
    }
    Ok(())
}

async fn read_send(deps: &Deps, id: &str) -> Result<Option<SendRecord>, Error> {
    sends::get(&deps.dynamodb, &deps.sends_table, id).await
}

pub(crate) async fn contact_facts(deps: &Deps, contact_id: &str) -> Result<ContactFacts, Error> {
    profile::relaunch_facts(&deps.dynamodb, &deps.contacts_table, contact_id).await
}

async fn is_suppressed(deps: &Deps, email: &str) -> Result<bool, Error> {
    let Some(key) = shared::contracts::suppression::email_key(&deps.hash_key, email) else {
        // Not an address: nothing can be sent to it, and nothing is.
        return Ok(true);
    };
    shared::contracts::suppression::contains(&deps.dynamodb, &deps.suppression_table, &key).await
}

/// A request part built, or the reason it could not be.
pub(crate) fn build<T, E: std::error::Error + Send + Sync + 'static>(
    built: Result<T, E>,
) -> Result<T, Error> {
    built.map_err(|e| Error::caused("request", e))
}
