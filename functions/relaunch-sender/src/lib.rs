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

pub mod decide;
pub mod mime;

use std::collections::HashMap;

use aws_lambda_events::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem, Update};
use aws_sdk_ses::types::{MessageTag, RawMessage};
use chrono::{DateTime, Duration, Utc};
use rust_decimal::Decimal;
use shared::contracts::carts::{self, CartRecord};
use shared::contracts::contacts::profile;
use shared::kit::batch::{self, DeadLetters, RecordError};
use shared::kit::clock::{stamp, Clock};
use shared::kit::config::{self, Env};
use shared::kit::dynamo::transaction_held;
use shared::relaunch::campaigns::render::{self, Values};
use shared::relaunch::campaigns::schedule::bucket;
use shared::relaunch::campaigns::store::CampaignStore;
use shared::relaunch::campaigns::{stats, Campaign};
use shared::relaunch::links::{self, Link, Links};
use shared::relaunch::sends::{self, SendMessage, SendRecord, SendStatus, LEASE_SECONDS};
use shared::relaunch::{email_id, EMAIL_KIND, EMAIL_TAG};
use shared::Error;

use decide::{ContactFacts, Decision, Facts, Why};

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
        let secrets = shared::kit::secrets::Secrets::load(sdk, env).await?;
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
        .map_err(|e| RecordError::Reject(format!("not a send: {e}")))?;
    let now = deps.clock.now();
    let Some(send) = read_send(deps, &message.send_id).await? else {
        return Err(RecordError::Reject(format!(
            "no claim {}: the scheduler writes one before it enqueues",
            message.send_id
        )));
    };
    match send.status {
        SendStatus::Queued => {}
        // A crash after the record left the cart behind: finish the record.
        SendStatus::Sent => return Ok(advance_cart(deps, &send, now).await?),
        SendStatus::Sending if send.lease_until.is_some_and(|l| l > now) => {
            return Err(Error::Transient("another sender holds this step".into()).into());
        }
        SendStatus::Sending => return Ok(give_up_uncertain(deps, &send, now).await?),
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
            send_email(deps, &send, &cart, &campaign, variant, now).await?
        }
        (Decision::Defer { until, why }, _, _) => {
            defer(deps, &send, until, why.counter(), variant, now).await?
        }
        (Decision::Skip { reason, stop }, _, _) => {
            skip(deps, &send, reason, stop, variant, now).await?
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

async fn contact_facts(deps: &Deps, contact_id: &str) -> Result<ContactFacts, Error> {
    profile::relaunch_facts(&deps.dynamodb, &deps.contacts_table, contact_id).await
}

async fn is_suppressed(deps: &Deps, email: &str) -> Result<bool, Error> {
    let Some(key) = shared::contracts::suppression::email_key(&deps.hash_key, email) else {
        // Not an address: nothing can be sent to it, and nothing is.
        return Ok(true);
    };
    shared::contracts::suppression::contains(&deps.dynamodb, &deps.suppression_table, &key).await
}

fn text(s: impl Into<String>) -> AttributeValue {
    AttributeValue::S(s.into())
}

fn build<T, E: std::fmt::Display>(built: Result<T, E>) -> Result<T, Error> {
    built.map_err(|e| Error::Internal(format!("request: {e}")))
}

/// The claim moved from `from` by `set` (an update of `SendsTable`), as a transaction item.
fn send_update(
    deps: &Deps,
    send: &SendRecord,
    from: SendStatus,
    set: &str,
    values: &[(&str, AttributeValue)],
) -> Result<TransactWriteItem, Error> {
    let mut update = Update::builder()
        .table_name(&deps.sends_table)
        .key("id", text(&send.id))
        .update_expression(set)
        .condition_expression("#status = :from")
        .expression_attribute_names("#status", "status")
        .expression_attribute_values(":from", text(from.as_str()));
    for (name, value) in values {
        update = update.expression_attribute_values(*name, value.clone());
    }
    Ok(TransactWriteItem::builder()
        .update(build(update.build())?)
        .build())
}

fn counter(
    deps: &Deps,
    send: &SendRecord,
    variant: &str,
    name: &str,
) -> Result<TransactWriteItem, Error> {
    let update = stats::increments(
        &deps.stats_table,
        &send.campaign_id,
        &stats::step_sk(send.step, variant),
        &[(name, Decimal::ONE)],
    )?;
    Ok(TransactWriteItem::builder().update(update).build())
}

async fn transact(
    deps: &Deps,
    items: Vec<TransactWriteItem>,
    operation: &str,
) -> Result<Option<Vec<usize>>, Error> {
    let written = deps
        .dynamodb
        .transact_write_items()
        .set_transact_items(Some(items))
        .send()
        .await;
    transaction_held(written, operation)
}

/// No email for this step; the cart's relaunches stop when `stop` (and it still owes it).
async fn skip(
    deps: &Deps,
    send: &SendRecord,
    reason: &'static str,
    stop: bool,
    variant: &str,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let settled = settle(
        deps,
        send,
        SendStatus::Queued,
        SendStatus::Skipped,
        reason,
        variant,
        now,
    );
    if !settled.await? {
        return Ok(()); // Another copy of this message decided first.
    }
    if stop {
        // `false`: the cart moved on meanwhile, and is no longer this step's to stop.
        carts::stop_relaunch(
            &deps.dynamodb,
            &deps.carts_table,
            &send.cart_id,
            &send.campaign_id,
            send.step,
            reason,
        )
        .await?;
    }
    tracing::info!(send = %send.id, reason, "relaunch step skipped");
    Ok(())
}

/// The step waits until `until`: the claim becomes `deferred` and the cart goes back in
/// the index at that time, where the scheduler finds it again.
async fn defer(
    deps: &Deps,
    send: &SendRecord,
    until: DateTime<Utc>,
    counter_name: &str,
    variant: &str,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    defer_from(
        deps,
        send,
        SendStatus::Queued,
        until,
        counter_name,
        variant,
        now,
    )
    .await
}

async fn defer_from(
    deps: &Deps,
    send: &SendRecord,
    from: SendStatus,
    until: DateTime<Utc>,
    counter_name: &str,
    variant: &str,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let due = text(stamp(until));
    let cart = carts::defer_relaunch(
        &deps.carts_table,
        &send.cart_id,
        &send.campaign_id,
        send.step,
        until,
        &bucket(until.max(now)),
    );
    let items = vec![
        send_update(
            deps,
            send,
            from,
            "SET #status = :deferred, due_at = :due, reason = :why REMOVE lease_until",
            &[
                (":deferred", text("deferred")),
                (":due", due),
                (":why", text(counter_name)),
            ],
        )?,
        TransactWriteItem::builder()
            .update(build(cart.build())?)
            .build(),
        counter(deps, send, variant, counter_name)?,
    ];
    match transact(deps, items, "TransactWriteItems defer").await? {
        None => {
            tracing::info!(send = %send.id, until = %until, why = counter_name, "relaunch step deferred");
            Ok(())
        }
        // The cart moved on meanwhile (a new snapshot, an order): nothing left to defer.
        Some(failed) if failed == [1] => skip(deps, send, "moved_on", false, variant, now).await,
        Some(_) => Ok(()),
    }
}

/// The SES attempt after a known failure: how long to wait before the next one.
fn backoff(attempts: u32) -> Duration {
    Duration::minutes(5 * 2i64.pow(attempts.min(6)))
}
/// After this many claims that SES refused, the step is given up.
const MAX_SES_ATTEMPTS: u32 = 8;

async fn send_email(
    deps: &Deps,
    send: &SendRecord,
    cart: &CartRecord,
    campaign: &Campaign,
    variant: &'static str,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let (Some(to), Some(contact_id)) = (cart.email.as_deref(), cart.contact_id.as_deref()) else {
        return skip(deps, send, "not_sendable", true, variant, now).await;
    };
    let Some(step) = campaign.spec.steps.get(send.step) else {
        return skip(deps, send, "step_removed", true, variant, now).await;
    };
    let content = match (&step.variant_b, variant) {
        (Some(b), "B") => &b.content,
        _ => &step.content,
    };
    let email = email_id(&cart.id, send.step);
    let link = |url: Option<&str>| Link {
        email_id: email.clone(),
        contact_id: contact_id.to_string(),
        url: url.map(str::to_string),
        email_key: None,
    };
    let unsubscribe = Link {
        email_key: shared::contracts::suppression::email_key(&deps.hash_key, to),
        ..link(None)
    };
    let unsubscribe_url = deps.links.url(links::UNSUBSCRIBE, &unsubscribe, now);
    let values = Values::for_cart(
        cart,
        step.incentive_code.clone(),
        unsubscribe_url.clone(),
        deps.links.url(links::CALLBACK, &link(None), now),
    );
    let utm = campaign.spec.utm.as_ref();
    let track = |url: &str| {
        // The unsubscribe and callback links are Liaison's own: not wrapped again.
        if url.starts_with(deps.links.base()) {
            return url.to_string();
        }
        let target = links::with_utm(url, utm);
        deps.links.url(links::CLICK, &link(Some(&target)), now)
    };
    let rendered = match render::render(content, &values, &track) {
        Ok(r) => r,
        Err(e) => {
            tracing::warn!(send = %send.id, error = %e, "relaunch template failed at send time");
            return skip(deps, send, "template_error", true, variant, now).await;
        }
    };
    let raw = mime::build(
        &mime::Envelope {
            from: &deps.sender,
            to,
            to_name: cart.first_name.as_deref(),
            unsubscribe_url: &unsubscribe_url,
            email_id: &email,
            date: now,
        },
        &rendered,
    )?;

    // 1. Claim: the step, the contact's cap, the email's record; all or nothing.
    let lease = stamp(now + Duration::seconds(LEASE_SECONDS));
    let cap_start = now - Duration::hours(i64::from(deps.cap_hours));
    let cap = profile::relaunch_cap(&deps.contacts_table, contact_id, &send.id, now, cap_start);
    let record = Put::builder()
        .table_name(&deps.emails_table)
        .set_item(Some(HashMap::from([
            ("id".to_string(), text(&email)),
            ("kind".to_string(), text(EMAIL_KIND)),
            ("status".to_string(), text("sending")),
            ("contact_id".to_string(), text(contact_id)),
            ("campaign_id".to_string(), text(&send.campaign_id)),
            ("cart_id".to_string(), text(&cart.id)),
            ("step".to_string(), AttributeValue::N(send.step.to_string())),
            ("variant".to_string(), text(variant)),
            ("subject".to_string(), text(&rendered.subject)),
            ("sent_at".to_string(), text(stamp(now))),
        ])));
    let claim = vec![
        send_update(
            deps,
            send,
            SendStatus::Queued,
            "SET #status = :sending, lease_until = :lease, variant = :variant",
            &[
                (":sending", text("sending")),
                (":lease", text(&lease)),
                (":variant", text(variant)),
            ],
        )?,
        TransactWriteItem::builder()
            .update(build(cap.build())?)
            .build(),
        TransactWriteItem::builder()
            .put(build(record.build())?)
            .build(),
    ];
    match transact(deps, claim, "TransactWriteItems claim send").await? {
        None => {}
        Some(failed) if failed.contains(&0) => return Ok(()), // another copy has it
        Some(_) => {
            // Another relaunch to this contact took the cap first.
            let facts = contact_facts(deps, contact_id).await?;
            let until = shared::relaunch::campaigns::schedule::capped_until(
                facts.last_relaunch_at,
                deps.cap_hours,
                now,
            )
            .unwrap_or(now + Duration::minutes(1));
            return defer(deps, send, until, Why::Cap.counter(), variant, now).await;
        }
    }
    let sending = SendRecord {
        status: SendStatus::Sending,
        lease_until: lease.parse().ok(),
        ..send.clone()
    };

    // 2. SES.
    let message_id = match deliver(deps, raw, &email).await? {
        Delivery::Sent(id) => id,
        Delivery::Refused(code) => {
            // SES answered that it did not send: wait and try again, a while.
            tracing::warn!(send = %send.id, code = %code, attempts = send.attempts, "SES refused the relaunch email");
            if send.attempts >= MAX_SES_ATTEMPTS {
                return give_up(deps, &sending, "ses_refused", now).await;
            }
            let until = now + backoff(send.attempts.saturating_sub(1));
            return defer_from(
                deps,
                &sending,
                SendStatus::Sending,
                until,
                "deferred_ses",
                variant,
                now,
            )
            .await;
        }
        Delivery::Unknown(why) => {
            // A 5xx, a timeout, a lost response: SES may have sent it. Never twice.
            tracing::warn!(send = %send.id, error = %why, "SES outcome unknown");
            return give_up_uncertain(deps, &sending, now).await;
        }
    };

    // 3. The record, then the cart's next step.
    let items = vec![
        send_update(
            deps,
            &sending,
            SendStatus::Sending,
            "SET #status = :sent, message_id = :mid, sent_at = :now REMOVE lease_until",
            &[
                (":sent", text("sent")),
                (":mid", text(&message_id)),
                (":now", text(stamp(now))),
            ],
        )?,
        TransactWriteItem::builder()
            .update(build(
                Update::builder()
                    .table_name(&deps.emails_table)
                    .key("id", text(&email))
                    .update_expression("SET #status = :sent, message_id = :mid")
                    .expression_attribute_names("#status", "status")
                    .expression_attribute_values(":sent", text("sent"))
                    .expression_attribute_values(":mid", text(&message_id))
                    .build(),
            )?)
            .build(),
        counter(deps, send, variant, "sent")?,
    ];
    transact(deps, items, "TransactWriteItems sent").await?;
    shared::kit::metrics::count("RelaunchSent", 1, &[], now);
    tracing::info!(send = %send.id, email = %email, variant, "relaunch email sent");
    advance(deps, send, cart.clone(), Some(campaign), now).await
}

/// What SES did with an email.
enum Delivery {
    Sent(String),
    /// SES answered with a 4xx (throttling that outlasted the retries, a rejection):
    /// nothing was sent.
    Refused(String),
    /// No answer, or a 5xx: it may have been sent.
    Unknown(String),
}

/// How many times a throttled email is tried in one invocation (then it is deferred).
const THROTTLED_ATTEMPTS: u32 = 3;

fn is_throttling(code: &str) -> bool {
    matches!(
        code,
        "Throttling" | "ThrottlingException" | "TooManyRequestsException"
    )
}

/// Calls `SendRawEmail`, retrying throttling only. The client has the SDK's retries
/// turned off ([`Deps::from_env`]): they would also retry a 5xx or a timeout, after
/// which SES may already have sent the email, and a relaunch is never sent twice.
async fn deliver(deps: &Deps, raw: Vec<u8>, email: &str) -> Result<Delivery, Error> {
    let message = build(
        RawMessage::builder()
            .data(aws_smithy_types::Blob::new(raw))
            .build(),
    )?;
    let tag = build(MessageTag::builder().name(EMAIL_TAG).value(email).build())?;
    let mut attempt = 0;
    loop {
        attempt += 1;
        let sent = deps
            .ses
            .send_raw_email()
            .raw_message(message.clone())
            .configuration_set_name(&deps.configuration_set)
            .tags(tag.clone())
            .send()
            .await;
        let err = match sent {
            Ok(out) => return Ok(Delivery::Sent(out.message_id)),
            Err(e) => e,
        };
        match &err {
            aws_sdk_ses::error::SdkError::ServiceError(e) if e.raw().status().as_u16() < 500 => {
                let code = aws_sdk_ses::error::ProvideErrorMetadata::code(e.err())
                    .unwrap_or("unknown")
                    .to_string();
                if is_throttling(&code) && attempt < THROTTLED_ATTEMPTS {
                    let pause = 200 * 2u64.pow(attempt);
                    tokio::time::sleep(std::time::Duration::from_millis(pause)).await;
                    continue;
                }
                return Ok(Delivery::Refused(code));
            }
            aws_sdk_ses::error::SdkError::ConstructionFailure(_) => {
                return Err(Error::Internal(format!("SendRawEmail request: {err:?}")));
            }
            _ => return Ok(Delivery::Unknown(format!("{err:?}"))),
        }
    }
}

/// SES kept refusing: the step is skipped (the cart goes on to its next step).
async fn give_up(
    deps: &Deps,
    send: &SendRecord,
    reason: &'static str,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let variant = send.variant.as_deref().unwrap_or("A");
    let settled = settle(
        deps,
        send,
        SendStatus::Sending,
        SendStatus::Skipped,
        reason,
        variant,
        now,
    );
    if settled.await? {
        advance_cart(deps, send, now).await?;
    }
    Ok(())
}

/// A `sending` claim whose outcome is unknown: it may have gone, so it never goes again.
async fn give_up_uncertain(
    deps: &Deps,
    send: &SendRecord,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let variant = send.variant.as_deref().unwrap_or("A");
    let settled = settle(
        deps,
        send,
        SendStatus::Sending,
        SendStatus::Uncertain,
        "uncertain",
        variant,
        now,
    );
    if settled.await? {
        tracing::warn!(send = %send.id, "relaunch step uncertain: SES may have sent it; not sent again");
        advance_cart(deps, send, now).await?;
    }
    Ok(())
}

/// Ends the claim without an email (`from` → `to`, with `reason`) and counts
/// `skipped_{reason}`, in one transaction: `false` when another copy of the message got
/// there first.
async fn settle(
    deps: &Deps,
    send: &SendRecord,
    from: SendStatus,
    to: SendStatus,
    reason: &str,
    variant: &str,
    now: DateTime<Utc>,
) -> Result<bool, Error> {
    // The stats answer every reason of this list: a new reason goes in it.
    debug_assert!(stats::SKIP_REASONS.contains(&reason), "{reason}");
    let items = vec![
        send_update(
            deps,
            send,
            from,
            "SET #status = :to, reason = :reason, decided_at = :now REMOVE lease_until",
            &[
                (":to", text(to.as_str())),
                (":reason", text(reason)),
                (":now", text(stamp(now))),
            ],
        )?,
        counter(deps, send, variant, &format!("skipped_{reason}"))?,
    ];
    Ok(transact(deps, items, "TransactWriteItems settle")
        .await?
        .is_none())
}

/// The cart, if it still owes `send`'s step, moves to its next step (or its relaunches end).
async fn advance_cart(deps: &Deps, send: &SendRecord, now: DateTime<Utc>) -> Result<(), Error> {
    let cart = carts::get(&deps.dynamodb, &deps.carts_table, &send.cart_id).await?;
    let campaign = deps.campaigns.get(&send.campaign_id).await?;
    match cart {
        Some(cart) => advance(deps, send, cart, campaign.as_ref(), now).await,
        None => Ok(()),
    }
}

/// [`advance_cart`] with the cart and campaign already read (the update is conditional on
/// the cart still owing the step, so a change since is not overwritten).
async fn advance(
    deps: &Deps,
    send: &SendRecord,
    mut cart: CartRecord,
    campaign: Option<&Campaign>,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    if cart.campaign_id.as_deref() != Some(send.campaign_id.as_str())
        || cart.next_step != Some(send.step)
    {
        return Ok(()); // Already moved on.
    }
    cart.next_step = Some(send.step + 1);
    let campaigns: Vec<Campaign> = campaign.into_iter().cloned().collect();
    let next = shared::relaunch::campaigns::plan::plan(&cart, &campaigns, now);
    shared::relaunch::campaigns::plan::apply(&mut cart, next, now);
    let next_due = cart.due_at.zip(cart.due_bucket.as_deref());
    // `false`: it moved on meanwhile; the condition kept that change.
    carts::advance_relaunch(
        &deps.dynamodb,
        &deps.carts_table,
        &cart.id,
        &send.campaign_id,
        send.step,
        next_due,
        now,
    )
    .await?;
    Ok(())
}
