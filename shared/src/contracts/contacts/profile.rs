//! A contact's profile as the relaunch functions read and write it: consent, unsubscribe and
//! the relaunch cap, and the type staff set. (Identities and scores are
//! [`super::ContactStore`]'s.)

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{AttributeValue, Update};
use aws_sdk_dynamodb::Client;
use chrono::{DateTime, Utc};

use super::keys;
use crate::kit::clock::stamp;
use crate::kit::dynamo::{condition_held, s, text, Item};
use crate::Error;

/// What the relaunch sender needs to know of a contact before writing to them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RelaunchFacts {
    /// The marketing consent a shop or an unsubscribe recorded; `None`: never stated.
    pub consent: Option<bool>,
    pub unsubscribed: bool,
    pub last_relaunch_at: Option<DateTime<Utc>>,
    /// The send that set `last_relaunch_at` (its retry is not held by the cap).
    pub last_relaunch_send: Option<String>,
    pub time_zone: Option<String>,
}

impl RelaunchFacts {
    fn of(item: &Item) -> Self {
        let time = |name: &str| text(item, name).and_then(|t| t.parse::<DateTime<Utc>>().ok());
        RelaunchFacts {
            consent: item
                .get("consent")
                .and_then(|v| v.as_m().ok())
                .and_then(|m| m.get("marketing"))
                .and_then(|v| v.as_bool().ok())
                .copied(),
            unsubscribed: item.contains_key("unsubscribed_at"),
            last_relaunch_at: time("last_relaunch_at"),
            last_relaunch_send: text(item, "last_relaunch_send").map(str::to_string),
            time_zone: text(item, "time_zone").map(str::to_string),
        }
    }
}

/// The relaunch facts of `contact_id` as its profile says now (all empty: no profile).
pub async fn relaunch_facts(
    client: &Client,
    table: &str,
    contact_id: &str,
) -> Result<RelaunchFacts, Error> {
    let out = client
        .get_item()
        .table_name(table)
        .set_key(Some(keys::profile_key(contact_id)))
        .consistent_read(true)
        .send()
        .await
        .map_err(|e| Error::from_sdk("GetItem contact", e))?;
    Ok(out.item.as_ref().map(RelaunchFacts::of).unwrap_or_default())
}

/// The transaction item that records a relaunch email to `contact_id` for `send_id`, on
/// condition that no other went since `cap_start` (the same send may retry).
pub fn relaunch_cap(
    table: &str,
    contact_id: &str,
    send_id: &str,
    now: DateTime<Utc>,
    cap_start: DateTime<Utc>,
) -> aws_sdk_dynamodb::types::builders::UpdateBuilder {
    Update::builder()
        .table_name(table)
        .set_key(Some(keys::profile_key(contact_id)))
        .update_expression("SET last_relaunch_at = :now, last_relaunch_send = :send")
        .condition_expression(
            "attribute_exists(pk) AND (attribute_not_exists(last_relaunch_at) \
             OR last_relaunch_at <= :cap_start OR last_relaunch_send = :send)",
        )
        .expression_attribute_values(":now", s(stamp(now)))
        .expression_attribute_values(":send", s(send_id))
        .expression_attribute_values(":cap_start", s(stamp(cap_start)))
}

/// Records that `contact_id` unsubscribed (the first time is kept) and withdrew marketing
/// consent. `false` when there is no such contact (erased since the link went out).
pub async fn unsubscribe(
    client: &Client,
    table: &str,
    contact_id: &str,
    now: DateTime<Utc>,
) -> Result<bool, Error> {
    let consent = HashMap::from([
        ("marketing".to_string(), AttributeValue::Bool(false)),
        ("source_id".to_string(), s("unsubscribe")),
        ("at".to_string(), s(stamp(now))),
    ]);
    let updated = client
        .update_item()
        .table_name(table)
        .set_key(Some(keys::profile_key(contact_id)))
        .update_expression(
            "SET unsubscribed_at = if_not_exists(unsubscribed_at, :now), consent = :consent",
        )
        .condition_expression("attribute_exists(pk)")
        .expression_attribute_values(":now", s(stamp(now)))
        .expression_attribute_values(":consent", AttributeValue::M(consent))
        .send()
        .await;
    condition_held(updated, "UpdateItem unsubscribe")
}

/// Sets what `contact_id` is to the brand, as `by` decided (a type detection proposed is
/// settled: `super::proposals`), and recomputes their influence
/// with it at once (the reach and the contribution score as kept; a journalist's reach is
/// not a blogger's): the new influence, `None` when there is no such contact. Conditional on
/// the scores as read (`score_updated_at`), retried on a race with a contribution's update.
pub async fn set_type(
    client: &Client,
    table: &str,
    contact_id: &str,
    contact_type: super::standing::ContactType,
    by: &str,
    now: DateTime<Utc>,
) -> Result<Option<f64>, Error> {
    for _ in 0..3 {
        let read = client
            .get_item()
            .table_name(table)
            .set_key(Some(keys::profile_key(contact_id)))
            .projection_expression("reach, contribution_score, score_updated_at")
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| Error::from_sdk("GetItem profile", e))?;
        let Some(item) = read.item else {
            return Ok(None);
        };
        let number = |name: &str| {
            item.get(name)
                .and_then(|v| v.as_n().ok())
                .and_then(|n| n.parse::<f64>().ok())
                .unwrap_or(0.0)
        };
        let influence =
            super::scores::influence(number("reach"), contact_type, number("contribution_score"));
        let update = client
            .update_item()
            .table_name(table)
            .set_key(Some(keys::profile_key(contact_id)))
            .update_expression(
                "SET #type = :t, type_set_by = :by, type_set_at = :at, influence = :influence \
                 REMOVE proposed_type",
            )
            .expression_attribute_names("#type", "type")
            .expression_attribute_values(":t", s(contact_type.as_str()))
            .expression_attribute_values(":by", s(by))
            .expression_attribute_values(":at", s(now.to_rfc3339()))
            .expression_attribute_values(
                ":influence",
                AttributeValue::N(format!("{influence:.2}")),
            );
        let update = match item.get("score_updated_at") {
            Some(read) => update
                .condition_expression("score_updated_at = :read")
                .expression_attribute_values(":read", read.clone()),
            None => update.condition_expression(
                "attribute_exists(pk) AND attribute_not_exists(score_updated_at)",
            ),
        };
        match update.send().await {
            Ok(_) => return Ok(Some(influence)),
            Err(e) if crate::kit::dynamo::is_condition_failure(&e) => continue,
            Err(e) => return Err(Error::from_sdk("UpdateItem contact type", e)),
        }
    }
    Err(Error::Transient(
        "the contact's scores changed meanwhile; retry".into(),
    ))
}
