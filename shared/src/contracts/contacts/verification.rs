//! Email verification on the contacts table: the claim on a lookup that makes one
//! confirmation email go out per address and week, and the confirmation itself, which marks
//! the lookup and the identity link verified together.

use aws_sdk_dynamodb::operation::update_item::builders::UpdateItemFluentBuilder;
use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem, Update};
use aws_sdk_dynamodb::Client;
use chrono::{DateTime, Duration, Utc};

use super::keys;
use crate::kit::dynamo::{condition_held, s};
use crate::Error;

fn on_lookup(client: &Client, table: &str, lookup_key: &str) -> UpdateItemFluentBuilder {
    client
        .update_item()
        .table_name(table)
        .set_key(Some(keys::lookup_item_key(lookup_key)))
}

/// Claims the right to ask `contact_id` to confirm the address of `lookup_key` for
/// `event_id`: `false` when it is verified already, no longer the contact's, or was asked
/// less than `every` ago by another event (the same event may ask again until its email is
/// marked delivered, so a retry after a crash still sends).
pub async fn claim(
    client: &Client,
    table: &str,
    lookup_key: &str,
    contact_id: &str,
    event_id: &str,
    now: DateTime<Utc>,
    every: Duration,
) -> Result<bool, Error> {
    let claimed = on_lookup(client, table, lookup_key)
        .update_expression("SET verification_sent_at = :now, verification_event = :event")
        .condition_expression(
            "attribute_exists(pk) AND verified = :false AND contact_id = :contact \
             AND (attribute_not_exists(verification_sent_at) OR verification_sent_at < :week_ago \
                  OR (verification_event = :event \
                      AND (attribute_not_exists(verification_delivered) OR verification_delivered <> :event)))",
        )
        .expression_attribute_values(":now", s(now.to_rfc3339()))
        .expression_attribute_values(":event", s(event_id))
        .expression_attribute_values(":false", AttributeValue::Bool(false))
        .expression_attribute_values(":contact", s(contact_id))
        .expression_attribute_values(":week_ago", s((now - every).to_rfc3339()))
        .send()
        .await;
    condition_held(claimed, "UpdateItem verification claim")
}

/// Gives `event_id`'s claim back, so that any message (this one retried, or another from the
/// same address) asks again. Best effort: a claim kept lapses after a week.
pub async fn give_back(client: &Client, table: &str, lookup_key: &str, event_id: &str) {
    let given = on_lookup(client, table, lookup_key)
        .update_expression("REMOVE verification_sent_at, verification_event")
        .condition_expression("verification_event = :event")
        .expression_attribute_values(":event", s(event_id))
        .send()
        .await;
    if let Err(e) = condition_held(given, "UpdateItem verification give back") {
        tracing::warn!(error = %e, "verification claim not given back; it lapses in a week");
    }
}

/// Marks `event_id`'s email sent, so a retry of the same message does not send again.
pub async fn mark_delivered(
    client: &Client,
    table: &str,
    lookup_key: &str,
    event_id: &str,
) -> Result<(), Error> {
    on_lookup(client, table, lookup_key)
        .update_expression("SET verification_delivered = :event")
        .expression_attribute_values(":event", s(event_id))
        .send()
        .await
        .map(|_| ())
        .map_err(|e| Error::from_sdk("UpdateItem verification delivered", e))
}

/// Marks the identity of `lookup_key` verified for `contact_id`, its lookup and its link in
/// one transaction, `by` saying how. `false` when it no longer belongs to the contact (the
/// contact erased, or the identity moved to another).
pub async fn confirm(
    client: &Client,
    table: &str,
    contact_id: &str,
    lookup_key: &str,
    by: &str,
) -> Result<bool, Error> {
    let write = |update: aws_sdk_dynamodb::types::builders::UpdateBuilder| {
        update
            .table_name(table)
            .expression_attribute_values(":true", AttributeValue::Bool(true))
            .build()
            .map(|u| TransactWriteItem::builder().update(u).build())
            .map_err(|e| Error::caused("transaction item", e))
    };
    // The lookup still names this contact (not erased, not moved).
    let lookup = write(
        Update::builder()
            .set_key(Some(keys::lookup_item_key(lookup_key)))
            .update_expression("SET verified = :true")
            .condition_expression("contact_id = :contact")
            .expression_attribute_values(":contact", s(contact_id)),
    )?;
    let link = write(
        Update::builder()
            .set_key(Some(keys::identity_key(contact_id, lookup_key)))
            .update_expression("SET verified = :true, confidence = :one, verified_by = :by")
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_values(":one", AttributeValue::N("1".into()))
            .expression_attribute_values(":by", s(by)),
    )?;
    let written = client
        .transact_write_items()
        .set_transact_items(Some(vec![lookup, link]))
        .send()
        .await;
    match crate::kit::dynamo::transaction_held(written, "TransactWriteItems verify")? {
        None => Ok(true),
        Some(_) => Ok(false),
    }
}

/// How long a source's hourly counter is kept, in seconds.
const SOURCE_COUNTER_TTL: i64 = 2 * 24 * 3600;

/// One of the source's `per_hour` confirmation emails for this hour, if any is left: a
/// counter item per (source, hour) in the contacts table, incremented under a condition,
/// expiring with the table's TTL.
pub async fn take_source_slot(
    client: &Client,
    table: &str,
    source_id: &str,
    per_hour: u32,
    now: DateTime<Utc>,
) -> Result<bool, Error> {
    let taken = client
        .update_item()
        .table_name(table)
        .set_key(Some(keys::verification_counter_key(source_id, now)))
        .update_expression("ADD sent :one SET #ttl = if_not_exists(#ttl, :ttl)")
        .condition_expression("attribute_not_exists(sent) OR sent < :max")
        .expression_attribute_names("#ttl", "ttl")
        .expression_attribute_values(":one", AttributeValue::N("1".into()))
        .expression_attribute_values(":max", AttributeValue::N(per_hour.to_string()))
        .expression_attribute_values(
            ":ttl",
            AttributeValue::N((now.timestamp() + SOURCE_COUNTER_TTL).to_string()),
        )
        .send()
        .await;
    condition_held(taken, "UpdateItem verification counter")
}
