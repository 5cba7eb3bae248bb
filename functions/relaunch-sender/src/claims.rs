//! The sends state machine (`shared::relaunch::sends` has the diagram): every move of a
//! claim the sender makes, each a conditional transaction with the stats counter it moves
//! and, when the step is over, the cart's next step.

use aws_sdk_dynamodb::types::TransactWriteItem;
use chrono::{DateTime, Duration, Utc};
use rust_decimal::Decimal;
use shared::contracts::carts::{self, CartRecord};
use shared::contracts::contacts::profile;
use shared::contracts::emails;
use shared::kit::dynamo::transaction_held;
use shared::relaunch::campaigns::schedule::bucket;
use shared::relaunch::campaigns::{stats, Campaign};
use shared::relaunch::sends::{self, SendRecord, SendStatus, Transition, LEASE_SECONDS};
use shared::Error;

use crate::compose::{compose, Composer};
use crate::decide::Why;
use crate::delivery::{deliver, Delivery};
use crate::{build, contact_facts, Deps};

/// After this many claims that SES refused, the step is given up.
const MAX_SES_ATTEMPTS: u32 = 8;

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
pub async fn skip(
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
pub async fn defer(
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
    let cart = carts::defer_relaunch(
        &deps.carts_table,
        &send.cart_id,
        &send.campaign_id,
        send.step,
        until,
        &bucket(until.max(now)),
    );
    let items = vec![
        sends::transition(
            &deps.sends_table,
            &send.id,
            from,
            Transition::Deferred {
                due: until,
                why: counter_name,
            },
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

/// A `sending` claim ends without an email: `skipped` when SES kept refusing it, or
/// `uncertain` when its outcome is unknown (it may have gone, so it never goes again). The
/// cart goes on to its next step.
async fn end_sending(
    deps: &Deps,
    send: &SendRecord,
    to: SendStatus,
    reason: &'static str,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let variant = send.variant.as_deref().unwrap_or("A");
    let settled = settle(deps, send, SendStatus::Sending, to, reason, variant, now);
    if settled.await? {
        if to == SendStatus::Uncertain {
            tracing::warn!(send = %send.id, "relaunch step uncertain: SES may have sent it; not sent again");
        }
        advance_cart(deps, send, now).await?;
    }
    Ok(())
}

/// A `sending` claim whose outcome is unknown: it may have gone, so it never goes again.
pub async fn give_up_uncertain(
    deps: &Deps,
    send: &SendRecord,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    end_sending(deps, send, SendStatus::Uncertain, "uncertain", now).await
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
        sends::transition(
            &deps.sends_table,
            &send.id,
            from,
            Transition::Settled {
                to,
                reason,
                at: now,
            },
        )?,
        counter(deps, send, variant, &format!("skipped_{reason}"))?,
    ];
    Ok(transact(deps, items, "TransactWriteItems settle")
        .await?
        .is_none())
}

/// The cart, if it still owes `send`'s step, moves to its next step (or its relaunches end).
pub async fn advance_cart(deps: &Deps, send: &SendRecord, now: DateTime<Utc>) -> Result<(), Error> {
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

/// Sends the composed email once: the claim `queued → sending` with the contact's cap and
/// the email's record in one transaction, then SES, then the record of what SES did.
pub async fn send(
    deps: &Deps,
    send: &SendRecord,
    cart: &CartRecord,
    campaign: &Campaign,
    variant: &'static str,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let composer = Composer {
        links: &deps.links,
        hash_key: &deps.hash_key,
        sender: &deps.sender,
    };
    let composed = match compose(&composer, cart, campaign, send.step, variant, now)? {
        Ok(composed) => composed,
        Err(unsendable) => return skip(deps, send, unsendable.reason(), true, variant, now).await,
    };
    let (email, contact_id) = (composed.email_id.as_str(), composed.contact_id.as_str());
    // 1. Claim: the step, the contact's cap, the email's record; all or nothing.
    let lease = now + Duration::seconds(LEASE_SECONDS);
    let cap_start = now - Duration::hours(i64::from(deps.cap_hours));
    let cap = profile::relaunch_cap(&deps.contacts_table, contact_id, &send.id, now, cap_start);
    let record = emails::relaunch_sending(
        &deps.emails_table,
        &emails::RelaunchEmail {
            email_id: email,
            contact_id,
            campaign_id: &send.campaign_id,
            cart_id: &cart.id,
            step: send.step,
            variant,
            subject: &composed.subject,
        },
        now,
    );
    let claim = vec![
        sends::transition(
            &deps.sends_table,
            &send.id,
            SendStatus::Queued,
            Transition::Sending {
                lease_until: lease,
                variant,
            },
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
        lease_until: Some(lease),
        ..send.clone()
    };

    // 2. SES.
    let message_id = match deliver(deps, composed.raw, email).await? {
        Delivery::Sent(id) => id,
        Delivery::Refused(code) => {
            // SES answered that it did not send: wait and try again, a while.
            tracing::warn!(send = %send.id, code = %code, attempts = send.attempts, "SES refused the relaunch email");
            if send.attempts >= MAX_SES_ATTEMPTS {
                return end_sending(deps, &sending, SendStatus::Skipped, "ses_refused", now).await;
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
        sends::transition(
            &deps.sends_table,
            &sending.id,
            SendStatus::Sending,
            Transition::Sent {
                message_id: &message_id,
                at: now,
            },
        )?,
        TransactWriteItem::builder()
            .update(build(
                emails::relaunch_sent(&deps.emails_table, email, &message_id).build(),
            )?)
            .build(),
        counter(deps, send, variant, "sent")?,
    ];
    transact(deps, items, "TransactWriteItems sent").await?;
    shared::kit::metrics::count("RelaunchSent", 1, &[], now);
    tracing::info!(send = %send.id, email = %email, variant, "relaunch email sent");
    advance(deps, send, cart.clone(), Some(campaign), now).await
}
