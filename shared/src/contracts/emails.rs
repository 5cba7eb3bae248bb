//! `EmailsTable`'s home: one item per email Liaison sent (a verification, a relaunch step),
//! on the contact's timeline (`ByContact`: `contact_id`, `sent_at`). Writers: identify
//! (verification), the relaunch sender (its claim, then SES's message id), carts (the order a
//! relaunch brought); SES feedback and tracking record engagement through
//! `crate::relaunch::engagement`.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::builders::{PutBuilder, UpdateBuilder};
use aws_sdk_dynamodb::types::{Put, Update};
use aws_sdk_dynamodb::Client;
use chrono::{DateTime, Utc};

use crate::kit::clock::stamp;
use crate::kit::dynamo::{n, s};
use crate::Error;

/// The index of a contact's emails, newest last.
pub const BY_CONTACT_INDEX: &str = "ByContact";

/// What the relaunch sender records of an email before it calls SES.
pub struct RelaunchEmail<'a> {
    pub email_id: &'a str,
    pub contact_id: &'a str,
    pub campaign_id: &'a str,
    pub cart_id: &'a str,
    pub step: usize,
    pub variant: &'a str,
    pub subject: &'a str,
}

/// The transaction item that records a relaunch email as `sending`.
pub fn relaunch_sending(table: &str, email: &RelaunchEmail<'_>, now: DateTime<Utc>) -> PutBuilder {
    Put::builder()
        .table_name(table)
        .set_item(Some(HashMap::from([
            ("id".to_string(), s(email.email_id)),
            ("kind".to_string(), s(crate::relaunch::EMAIL_KIND)),
            ("status".to_string(), s("sending")),
            ("contact_id".to_string(), s(email.contact_id)),
            ("campaign_id".to_string(), s(email.campaign_id)),
            ("cart_id".to_string(), s(email.cart_id)),
            ("step".to_string(), n(email.step)),
            ("variant".to_string(), s(email.variant)),
            ("subject".to_string(), s(email.subject)),
            ("sent_at".to_string(), s(stamp(now))),
        ])))
}

/// The transaction item that records SES's message id on a relaunch email.
pub fn relaunch_sent(table: &str, email_id: &str, message_id: &str) -> UpdateBuilder {
    Update::builder()
        .table_name(table)
        .key("id", s(email_id))
        .update_expression("SET #status = :sent, message_id = :mid")
        .expression_attribute_names("#status", "status")
        .expression_attribute_values(":sent", s("sent"))
        .expression_attribute_values(":mid", s(message_id))
}

/// The transaction item that shows on an email the order it brought (the first one stays).
pub fn converted(table: &str, email_id: &str, order_id: &str, now: DateTime<Utc>) -> UpdateBuilder {
    Update::builder()
        .table_name(table)
        .key("id", s(email_id))
        .update_expression(
            "SET converted_at = if_not_exists(converted_at, :now), order_id = if_not_exists(order_id, :order)",
        )
        .condition_expression("attribute_exists(id)")
        .expression_attribute_values(":now", s(stamp(now)))
        .expression_attribute_values(":order", s(order_id))
}

/// Records the verification email `event_id` made `contact_id` send to `to`: one item per
/// event whatever the retries.
pub async fn record_verification(
    client: &Client,
    table: &str,
    event_id: &str,
    contact_id: &str,
    to: &str,
    subject: &str,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    client
        .put_item()
        .table_name(table)
        .item(
            "id",
            s(format!(
                "eml_verify_{}",
                event_id.trim_start_matches("evt_")
            )),
        )
        .item("contact_id", s(contact_id))
        .item("kind", s("verification"))
        .item("event_id", s(event_id))
        .item("to", s(to))
        .item("subject", s(subject))
        // The one stored time format (`clock::stamp`, `Z`): the timeline sorts and pages on
        // it as text, and a `+00:00` would sort apart and need escaping in `?before=`.
        .item("sent_at", s(stamp(now)))
        .send()
        .await
        .map(|_| ())
        .map_err(|e| Error::from_sdk("PutItem verification email", e))
}
