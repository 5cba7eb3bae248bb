//! SesEventsFunction (SQS `SesEventsQueue`, fed by SES → SNS; partial batch failures): what
//! became of the emails SES sent, for the suppression list and the relaunch campaigns' stats.
//!
//! - A body is SNS's envelope or, with raw message delivery, the SES event itself; the event
//!   is in the event publishing format (`eventType`) or the older notification format
//!   (`notificationType`). [`event`] reads all four the same way.
//! - A permanent bounce or a complaint puts each recipient on the suppression list, by keyed
//!   hash (`shared::contracts::suppression`), whatever email it was: nothing is sent to that address again.
//!   A transient or undetermined bounce does not: SES retries those itself, and one full
//!   mailbox must not cost a customer every future email.
//! - A delivery, an open, a click, a permanent bounce or a complaint of a relaunch email
//!   (tagged `email_id` by the sender) is recorded on the email as `{what}_at` and counted in
//!   its step's stats, in one conditional transaction (`shared::relaunch::engagement`): SNS
//!   and SQS deliver at least once, and a duplicate changes nothing. The time is SES's, when
//!   the event gives its own, else the clock's. A click on Liaison's own unsubscribe link
//!   is not counted as a click (`tracking` counts the unsubscription).
//! - Send, Reject, Rendering Failure, DeliveryDelay, Subscription and any other type:
//!   acknowledged with a log line, no effect. A body that is not an SES event, an SNS
//!   subscription confirmation among them, goes to the dead-letter queue at once; a DynamoDB
//!   error that may pass fails the record alone, for SQS to deliver again.
//! - Logs carry ids and event types, never an address: SES events are full of them
//!   (`destination`, headers), and none is read beyond the recipients to suppress.

pub mod event;

use aws_lambda_events::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use chrono::{DateTime, Utc};
use shared::contracts::suppression;
use shared::kit::batch::{self, DeadLetters, RecordError};
use shared::kit::clock::Clock;
use shared::kit::config::{self, Env};
use shared::relaunch::engagement::{self, Engagement};
use shared::Error;

use crate::event::SesEvent;

pub struct Deps {
    pub dynamodb: aws_sdk_dynamodb::Client,
    pub emails_table: String,
    pub stats_table: String,
    pub suppression_table: String,
    /// The lookup key of the keyed hashes that index emails (`shared::contracts::secrets`).
    pub hash_key: Vec<u8>,
    pub dead_letters: DeadLetters,
    /// What the brand's endpoints are told: `consent.changed` for a suppressed address.
    pub events: shared::contracts::deliveries::EventQueue,
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
        Ok(Deps {
            dynamodb: shared::kit::aws::dynamodb(sdk, env),
            emails_table: config::required(env, "EMAILS_TABLE")?,
            stats_table: config::required(env, "STATS_TABLE")?,
            suppression_table: config::required(env, "SUPPRESSION_TABLE")?,
            hash_key: shared::contracts::secrets::lookup_key(sdk, env).await?,
            dead_letters: DeadLetters::new(
                shared::kit::aws::sqs(sdk, env),
                config::required(env, "SES_EVENTS_DLQ_URL")?,
            ),
            events: shared::contracts::deliveries::EventQueue {
                sqs: shared::kit::aws::sqs(sdk, env),
                queue_url: config::required(env, "EVENTS_QUEUE_URL")?,
            },
            clock,
        })
    }
}

pub async fn handle(deps: &Deps, event: SqsEvent) -> SqsBatchResponse {
    batch::process(event, &deps.dead_letters, |record| process(deps, record)).await
}

async fn process(deps: &Deps, record: SqsMessage) -> Result<(), RecordError> {
    let event = event::parse(record.body.as_deref().unwrap_or_default())?;
    let at = event.what.at().unwrap_or_else(|| deps.clock.now());
    let (suppressed, unreadable) = match event.what.suppression() {
        Some((reason, recipients)) => {
            let counts = suppress(deps, reason, recipients, at).await?;
            tell(deps, &event, reason, recipients, at).await?;
            counts
        }
        None => (0, 0),
    };
    let relaunch = match (event.what.engagement(), event.email_id.as_deref()) {
        (Some(what), Some(email_id)) => record_engagement(deps, email_id, what, at).await?,
        (Some(_), None) => "untagged",
        (None, _) => "-",
    };
    log(&record, &event, suppressed, unreadable, relaunch);
    Ok(())
}

/// Puts each address on the suppression list: how many went on it now, and how many were
/// not addresses.
async fn suppress(
    deps: &Deps,
    reason: event::Reason,
    recipients: &[String],
    at: DateTime<Utc>,
) -> Result<(usize, usize), Error> {
    let (mut added, mut unreadable) = (0, 0);
    for address in recipients {
        let Some(key) = suppression::email_key(&deps.hash_key, address) else {
            unreadable += 1;
            continue;
        };
        if suppression::add(
            &deps.dynamodb,
            &deps.suppression_table,
            &key,
            reason.as_str(),
            at,
        )
        .await?
        {
            added += 1;
        }
    }
    Ok((added, unreadable))
}

/// Tells the brand's endpoints that each address may no longer be written to
/// (`consent.changed`, with the address: their CRM knows people by it), about the contact of
/// the relaunch email when it is one. Published at every delivery of the SES event: the
/// event's id derives from the address and the reason, so it goes out once.
async fn tell(
    deps: &Deps,
    event: &SesEvent,
    reason: event::Reason,
    recipients: &[String],
    at: DateTime<Utc>,
) -> Result<(), Error> {
    use shared::contracts::deliveries::{Event, EventType};
    let contact = match event.email_id.as_deref() {
        Some(email_id) => engagement::email(&deps.dynamodb, &deps.emails_table, email_id)
            .await?
            .map(|email| email.contact_id),
        None => None,
    };
    for address in recipients {
        let Some(key) = suppression::email_key(&deps.hash_key, address) else {
            continue;
        };
        let told = Event::new(
            EventType::ConsentChanged,
            &format!("{key}#{}", reason.as_str()),
            at,
            contact.as_deref(),
            serde_json::json!({
                "email": address.trim().to_lowercase(),
                "contact_id": contact,
                "consent": "suppressed",
                "reason": reason.as_str(),
                "channel": "email",
            }),
        );
        deps.events.publish(&told).await?;
    }
    Ok(())
}

/// Records `what` on the relaunch email `email_id`, once; what came of it, for the log.
async fn record_engagement(
    deps: &Deps,
    email_id: &str,
    what: Engagement,
    at: DateTime<Utc>,
) -> Result<&'static str, Error> {
    // A tag naming no relaunch email: another kind of email, or one erased since.
    let Some(email) = engagement::email(&deps.dynamodb, &deps.emails_table, email_id).await? else {
        return Ok("not a relaunch email");
    };
    let first = engagement::record(
        &deps.dynamodb,
        &deps.emails_table,
        &deps.stats_table,
        email_id,
        &email,
        what,
        at,
    )
    .await?;
    Ok(if first {
        "recorded"
    } else {
        "already recorded"
    })
}

/// One line per event: ids, the type and counts; never an address or a link.
fn log(
    record: &SqsMessage,
    event: &SesEvent,
    suppressed: usize,
    unreadable: usize,
    relaunch: &str,
) {
    tracing::info!(
        message_id = record.message_id.as_deref().unwrap_or("-"),
        notification_id = event.notification_id.as_deref().unwrap_or("-"),
        ses_message_id = event.ses_message_id.as_deref().unwrap_or("-"),
        email_id = event.email_id.as_deref().unwrap_or("-"),
        event_type = event.what.name(),
        suppressed,
        unreadable_recipients = unreadable,
        relaunch,
        "SES event"
    );
}
