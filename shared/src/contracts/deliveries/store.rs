//! `DeliveriesTable`'s events, lanes and log (the endpoints are in [`super::endpoints`]).
//!
//! | item | pk | sk |
//! | --- | --- | --- |
//! | a contact's last sequence number | `seq#{contact_id}` | `seq` |
//! | an event as numbered, with the exact body signed | `event#{event_id}` | `event` |
//! | a pending delivery, in its lane | `lane#{endpoint_id}#{contact or event}` | `{sequence:012}#{event_id}` |
//! | a delivery, in its endpoint's log | `log#{endpoint_id}` | `{occurred_at}#{event_id}` |
//!
//! A **lane** holds one endpoint's pending deliveries about one contact, in sequence order:
//! only its head is tried, so a receiver gets a contact's events in order even after it was
//! down for a day, while the other lanes (other contacts, other endpoints) go on. A worker
//! claims the head for a short lease before calling the receiver, so two workers never send
//! one delivery at once; the lane item is deleted once delivered, refused or given up. The
//! log item stays (30 days) with what each attempt got: staff's delivery log.

use aws_sdk_dynamodb::types::{
    AttributeValue, Delete, Put, ReturnValue, TransactWriteItem, Update,
};
use aws_sdk_dynamodb::Client;
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

use super::{Event, EventType};
use crate::kit::dynamo::{self, condition_held, pk_sk, s, transaction_held, Item};
use crate::Error;

/// The index of a contact's events and log entries (keys only), for erasure.
pub const BY_CONTACT_INDEX: &str = "ByContact";

/// How long events and log items are kept: a delivery still pending after this (its
/// endpoint disabled for a month) is given up.
pub const KEPT_FOR: Duration = Duration::days(30);

/// The longest a worker holds a lane's head: longer than a receiver's timeout, so a worker
/// that died mid-call lets another take over soon after.
pub const LEASE: Duration = Duration::seconds(60);

/// An event as numbered and signed: what every attempt and replay sends, byte for byte.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recorded {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: EventType,
    pub occurred_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sequence: Option<u64>,
    pub payload: String,
}

impl Recorded {
    /// The lane of its deliveries to `endpoint_id`: its contact's, or its own.
    pub fn lane(&self, endpoint_id: &str) -> String {
        format!(
            "{endpoint_id}#{}",
            self.contact_id.as_deref().unwrap_or(&self.id)
        )
    }

    fn log_sk(&self) -> String {
        format!(
            "{}#{}",
            self.occurred_at
                .to_rfc3339_opts(SecondsFormat::Millis, true),
            self.id
        )
    }

    fn lane_sk(&self) -> String {
        format!("{:012}#{}", self.sequence.unwrap_or(0), self.id)
    }
}

/// A pending delivery at its place in a lane.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pending {
    pub pk: String,
    pub sk: String,
    pub lane: String,
    pub endpoint_id: String,
    pub event_id: String,
    pub log_sk: String,
    #[serde(default)]
    pub attempts: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_attempt_at: Option<DateTime<Utc>>,
    /// Not tried again before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_before: Option<DateTime<Utc>>,
    /// The lane job that waits for `not_before` (the others drop out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wait_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claim: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claimed_until: Option<DateTime<Utc>>,
}

/// Where a delivery stands, in the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Pending,
    Delivered,
    /// The receiver answered a 4xx other than 408 and 429.
    Refused,
    /// Given up after three days of failures: replayable.
    Dead,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Delivered => "delivered",
            Status::Refused => "refused",
            Status::Dead => "dead",
        }
    }

    pub fn parse(text: &str) -> Option<Status> {
        [
            Status::Pending,
            Status::Delivered,
            Status::Refused,
            Status::Dead,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }
}

/// What one attempt got.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attempt {
    pub at: DateTime<Utc>,
    /// The receiver's HTTP status, when it answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Why there was no answer (timeout, connection refused...), or why it was given up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub latency_ms: u64,
    /// The first bytes of the receiver's answer.
    #[serde(default)]
    pub response: String,
}

impl Attempt {
    /// An attempt that got no answer because no request was made: `why` it was refused or
    /// given up (an unusable URL or secret, a deleted endpoint, an expired event).
    pub fn unsent(at: DateTime<Utc>, why: impl Into<String>) -> Attempt {
        Attempt {
            at,
            status: None,
            error: Some(why.into()),
            latency_ms: 0,
            response: String::new(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct DeliveryStore {
    pub client: Client,
    pub table: String,
}

fn ttl(now: DateTime<Utc>) -> AttributeValue {
    dynamo::n((now + KEPT_FOR).timestamp())
}

impl DeliveryStore {
    /// `event` numbered in its contact's sequence and kept: once, so a redelivered event
    /// keeps its first number. Its `sequence` grows by one per event of the contact (a
    /// crash between numbering and keeping skips a number; receivers order, not count).
    pub async fn record(&self, event: &Event, now: DateTime<Utc>) -> Result<Recorded, Error> {
        if let Some(recorded) = self.recorded(&event.id).await? {
            return Ok(recorded);
        }
        // A contact's erasure is its last event and is not numbered: its sequence is erased
        // with the rest (`purge_contact`).
        let sequence = match &event.contact_id {
            Some(contact) if event.kind != EventType::ContactErased => {
                Some(self.next_sequence(contact).await?)
            }
            _ => None,
        };
        let recorded = Recorded {
            id: event.id.clone(),
            kind: event.kind,
            occurred_at: event.occurred_at,
            contact_id: event.contact_id.clone(),
            endpoint_id: event.endpoint_id.clone(),
            sequence,
            payload: event.payload(sequence)?,
        };
        let mut item = dynamo::encode(&recorded, "event")?;
        item.extend(pk_sk(format!("event#{}", event.id), "event"));
        item.insert("ttl".into(), ttl(now));
        let put = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(pk)")
            .send()
            .await;
        if condition_held(put, "PutItem event")? {
            return Ok(recorded);
        }
        self.recorded(&event.id)
            .await?
            .ok_or_else(|| Error::Transient(format!("event {} vanished", event.id)))
    }

    /// Event `id` as numbered and kept.
    pub async fn recorded(&self, id: &str) -> Result<Option<Recorded>, Error> {
        dynamo::get(
            &self.client,
            &self.table,
            pk_sk(format!("event#{id}"), "event"),
            "event",
        )
        .await
    }

    async fn next_sequence(&self, contact_id: &str) -> Result<u64, Error> {
        let out = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(pk_sk(format!("seq#{contact_id}"), "seq")))
            .update_expression("ADD n :one")
            .expression_attribute_values(":one", dynamo::n(1))
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .await
            .map_err(|e| Error::from_sdk("UpdateItem sequence", e))?;
        out.attributes
            .as_ref()
            .and_then(|a| a.get("n"))
            .and_then(|n| n.as_n().ok())
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| Error::Internal("a sequence without a number".into()))
    }

    /// A delivery of `event` to `endpoint_id`, pending at its place in its lane and in the
    /// endpoint's log: `false` when an earlier attempt had added it.
    pub async fn add(
        &self,
        endpoint_id: &str,
        event: &Recorded,
        now: DateTime<Utc>,
    ) -> Result<bool, Error> {
        let lane = event.lane(endpoint_id);
        let pending = Pending {
            pk: format!("lane#{lane}"),
            sk: event.lane_sk(),
            lane,
            endpoint_id: endpoint_id.to_string(),
            event_id: event.id.clone(),
            log_sk: event.log_sk(),
            attempts: 0,
            first_attempt_at: None,
            not_before: None,
            wait_token: None,
            claim: None,
            claimed_until: None,
        };
        let mut log = dynamo::encode(
            &serde_json::json!({
                "endpoint_id": endpoint_id,
                "event_id": event.id,
                "type": event.kind,
                "contact_id": event.contact_id,
                "sequence": event.sequence,
                "status": Status::Pending,
                "attempts": 0,
                "created_at": now,
                "lane_pk": pending.pk,
                "lane_sk": pending.sk,
            }),
            "delivery",
        )?;
        log.retain(|_, v| !matches!(v, AttributeValue::Null(_)));
        log.extend(pk_sk(format!("log#{endpoint_id}"), event.log_sk()));
        log.insert("ttl".into(), ttl(now));
        let items = vec![
            put_new(&self.table, log)?,
            put_new(&self.table, pending_item(&pending, now)?)?,
        ];
        self.written(items, "TransactWriteItems delivery").await
    }

    /// The first pending delivery of `lane`, if any.
    pub async fn head(&self, lane: &str) -> Result<Option<Pending>, Error> {
        let out = dynamo::query_eq(
            &self.client,
            &self.table,
            None,
            "pk",
            &format!("lane#{lane}"),
        )
        .consistent_read(true)
        .limit(1)
        .send()
        .await
        .map_err(|e| Error::from_sdk("Query lane", e))?;
        out.items
            .unwrap_or_default()
            .into_iter()
            .next()
            .map(|item| dynamo::decode(item, "pending delivery"))
            .transpose()
    }

    /// Claims `head` until `now + LEASE` as `claim`: the head as claimed, or `None` when
    /// another worker holds it or it was settled meanwhile.
    pub async fn claim(
        &self,
        head: &Pending,
        claim: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Pending>, Error> {
        let claimed = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(pk_sk(&head.pk, &head.sk)))
            .condition_expression(
                "attribute_exists(pk) AND (attribute_not_exists(claimed_until) OR claimed_until < :now)",
            )
            .update_expression("SET claim = :claim, claimed_until = :until")
            .expression_attribute_values(":now", s(stamp(now)))
            .expression_attribute_values(":claim", s(claim))
            .expression_attribute_values(":until", s(stamp(now + LEASE)))
            .return_values(ReturnValue::AllNew)
            .send()
            .await;
        match claimed {
            Ok(out) => out
                .attributes
                .map(|item| dynamo::decode(item, "pending delivery"))
                .transpose(),
            Err(e) if dynamo::is_condition_failure(&e) => Ok(None),
            Err(e) => Err(Error::from_sdk("UpdateItem claim", e)),
        }
    }

    /// Lets go of a claimed head without an attempt (its endpoint is disabled): due at once
    /// when the endpoint is enabled again.
    pub async fn release(&self, head: &Pending) -> Result<(), Error> {
        let released = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(pk_sk(&head.pk, &head.sk)))
            .condition_expression("claim = :claim")
            .update_expression("REMOVE claim, claimed_until, not_before, wait_token")
            .expression_attribute_values(":claim", s(head.claim.clone().unwrap_or_default()))
            .send()
            .await;
        condition_held(released, "UpdateItem release").map(|_| ())
    }

    /// Ends claimed delivery `head` as `status` after `attempt` (none when it is dropped
    /// without one): out of its lane, its log item updated.
    pub async fn finish(
        &self,
        head: &Pending,
        status: Status,
        attempt: &Attempt,
    ) -> Result<(), Error> {
        let delete = Delete::builder()
            .table_name(&self.table)
            .set_key(Some(pk_sk(&head.pk, &head.sk)))
            .condition_expression("claim = :claim")
            .expression_attribute_values(":claim", s(head.claim.clone().unwrap_or_default()))
            .build()
            .map_err(|e| Error::caused("transaction item", e))?;
        let log = self.log_update(head, status, attempt, None)?;
        self.transact(vec![
            TransactWriteItem::builder().delete(delete).build(),
            log,
        ])
        .await
    }

    /// Keeps claimed delivery `head` for another attempt at `not_before`, awaited by the lane
    /// job `wait_token`.
    pub async fn postpone(
        &self,
        head: &Pending,
        attempt: &Attempt,
        not_before: DateTime<Utc>,
        wait_token: &str,
    ) -> Result<(), Error> {
        let update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(pk_sk(&head.pk, &head.sk)))
            .condition_expression("claim = :claim")
            .update_expression(
                "SET attempts = :n, first_attempt_at = if_not_exists(first_attempt_at, :at), \
                 not_before = :next, wait_token = :token REMOVE claim, claimed_until",
            )
            .expression_attribute_values(":claim", s(head.claim.clone().unwrap_or_default()))
            .expression_attribute_values(":n", dynamo::n(head.attempts + 1))
            .expression_attribute_values(":at", s(stamp(attempt.at)))
            .expression_attribute_values(":next", s(stamp(not_before)))
            .expression_attribute_values(":token", s(wait_token))
            .build()
            .map_err(|e| Error::caused("transaction item", e))?;
        let log = self.log_update(head, Status::Pending, attempt, Some(not_before))?;
        self.transact(vec![
            TransactWriteItem::builder().update(update).build(),
            log,
        ])
        .await
    }

    /// The log item's update after `attempt`.
    fn log_update(
        &self,
        head: &Pending,
        status: Status,
        attempt: &Attempt,
        next: Option<DateTime<Utc>>,
    ) -> Result<TransactWriteItem, Error> {
        let set_next = match next {
            Some(_) => ", next_attempt_at = :next",
            None => "",
        };
        let mut update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(pk_sk(
                format!("log#{}", head.endpoint_id),
                &head.log_sk,
            )))
            .update_expression(format!(
                "SET #status = :status, attempts = :n, last_attempt = :attempt, \
                 first_attempt_at = if_not_exists(first_attempt_at, :at){set_next}{}",
                if next.is_none() {
                    " REMOVE next_attempt_at"
                } else {
                    ""
                }
            ))
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":status", s(status.as_str()))
            .expression_attribute_values(":n", dynamo::n(head.attempts + 1))
            .expression_attribute_values(
                ":attempt",
                AttributeValue::M(dynamo::encode(attempt, "attempt")?),
            )
            .expression_attribute_values(":at", s(stamp(attempt.at)));
        if let Some(next) = next {
            update = update.expression_attribute_values(":next", s(stamp(next)));
        }
        let update = update
            .build()
            .map_err(|e| Error::caused("transaction item", e))?;
        Ok(TransactWriteItem::builder().update(update).build())
    }

    /// Writes `items` in one transaction: `false` when a condition did not hold.
    async fn written(&self, items: Vec<TransactWriteItem>, operation: &str) -> Result<bool, Error> {
        let written = self
            .client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await;
        Ok(transaction_held(written, operation)?.is_none())
    }

    async fn transact(&self, items: Vec<TransactWriteItem>) -> Result<(), Error> {
        if self.written(items, "TransactWriteItems delivery").await? {
            Ok(())
        } else {
            // The lease ran out and another worker took the head: its outcome stands.
            Err(Error::Transient(
                "a delivery's claim was lost before it was settled".into(),
            ))
        }
    }

    /// The query of endpoint `endpoint_id`'s log, newest first (for staff to page).
    pub fn log(
        &self,
        endpoint_id: &str,
        status: Option<Status>,
    ) -> aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder {
        let query = dynamo::query_eq(
            &self.client,
            &self.table,
            None,
            "pk",
            &format!("log#{endpoint_id}"),
        )
        .scan_index_forward(false);
        match status {
            None => query,
            Some(status) => query
                .filter_expression("#status = :status")
                .expression_attribute_names("#status", "status")
                .expression_attribute_values(":status", s(status.as_str())),
        }
    }

    /// The key attributes a page cursor of [`Self::log`] may carry.
    pub const LOG_KEYS: [&'static str; 2] = ["pk", "sk"];

    /// The lanes of endpoint `endpoint_id` that hold pending deliveries.
    pub async fn pending_lanes(&self, endpoint_id: &str) -> Result<Vec<String>, Error> {
        let query = self
            .log(endpoint_id, Some(Status::Pending))
            .projection_expression("lane_pk");
        let mut lanes: Vec<String> = crate::kit::pages::query_all(query, "Query log")
            .await?
            .iter()
            .filter_map(|item| dynamo::text(item, "lane_pk"))
            .filter_map(|pk| pk.strip_prefix("lane#"))
            .map(str::to_string)
            .collect();
        lanes.sort();
        lanes.dedup();
        Ok(lanes)
    }

    /// Puts endpoint `endpoint_id`'s deliveries in `status` (dead or refused) that occurred
    /// at or after `since` back in their lanes, at their place, with three new days of
    /// retries: how many, and the lanes to start.
    pub async fn replay(
        &self,
        endpoint_id: &str,
        status: Status,
        since: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<(usize, Vec<String>), Error> {
        let mut query = self.log(endpoint_id, Some(status));
        if let Some(since) = since {
            query = query
                .key_condition_expression("#k = :v AND sk >= :since")
                .expression_attribute_values(
                    ":since",
                    s(since.to_rfc3339_opts(SecondsFormat::Millis, true)),
                );
        }
        let mut lanes = Vec::new();
        for item in crate::kit::pages::query_all(query, "Query log").await? {
            if let Some(lane) = self.put_back(&item, status, now).await? {
                lanes.push(lane);
            }
        }
        let replayed = lanes.len();
        lanes.sort();
        lanes.dedup();
        Ok((replayed, lanes))
    }

    /// One logged delivery back in its lane: its lane, or `None` when it already was.
    async fn put_back(
        &self,
        log: &Item,
        was: Status,
        now: DateTime<Utc>,
    ) -> Result<Option<String>, Error> {
        let text = |name| dynamo::text(log, name).unwrap_or_default().to_string();
        let (lane_pk, lane_sk) = (text("lane_pk"), text("lane_sk"));
        let pending = Pending {
            lane: lane_pk
                .strip_prefix("lane#")
                .unwrap_or_default()
                .to_string(),
            pk: lane_pk,
            sk: lane_sk,
            endpoint_id: text("endpoint_id"),
            event_id: text("event_id"),
            log_sk: text("sk"),
            attempts: 0,
            first_attempt_at: None,
            not_before: None,
            wait_token: None,
            claim: None,
            claimed_until: None,
        };
        let update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(pk_sk(text("pk"), text("sk"))))
            .condition_expression("#status = :was")
            .update_expression(
                "SET #status = :pending, attempts = :zero, replayed_at = :now, #ttl = :ttl \
                 REMOVE first_attempt_at, next_attempt_at",
            )
            .expression_attribute_names("#status", "status")
            .expression_attribute_names("#ttl", "ttl")
            .expression_attribute_values(":was", s(was.as_str()))
            .expression_attribute_values(":pending", s(Status::Pending.as_str()))
            .expression_attribute_values(":zero", dynamo::n(0))
            .expression_attribute_values(":now", s(stamp(now)))
            .expression_attribute_values(":ttl", ttl(now))
            .build()
            .map_err(|e| Error::caused("transaction item", e))?;
        let lane = pending.lane.clone();
        let items = vec![
            TransactWriteItem::builder().update(update).build(),
            put_new(&self.table, pending_item(&pending, now)?)?,
        ];
        Ok(self
            .written(items, "TransactWriteItems replay")
            .await?
            .then_some(lane))
    }

    /// Deletes what this table holds about contact `contact_id` (its events, their log
    /// entries and pending deliveries to each of `endpoint_ids`, its sequence), but its
    /// erasure's own event: what an erasure leaves is that notice, ids only.
    pub async fn purge_contact(
        &self,
        contact_id: &str,
        endpoint_ids: &[String],
    ) -> Result<usize, Error> {
        let by_contact = dynamo::query_eq(
            &self.client,
            &self.table,
            Some(BY_CONTACT_INDEX),
            "contact_id",
            contact_id,
        );
        let erased = EventType::ContactErased.as_str();
        let mut keys = self.keys_of(by_contact, "Query ByContact").await?;
        for endpoint in endpoint_ids {
            let lane = format!("lane#{endpoint}#{contact_id}");
            let lane = dynamo::query_eq(&self.client, &self.table, None, "pk", &lane);
            keys.extend(self.keys_of(lane, "Query lane").await?);
        }
        keys.push(pk_sk(format!("seq#{contact_id}"), "seq"));
        let mut deleted = 0;
        for key in keys {
            // The erasure's own notice stays (a KEYS_ONLY index cannot say which it is).
            let removed = self
                .client
                .delete_item()
                .table_name(&self.table)
                .set_key(Some(key))
                .condition_expression("attribute_not_exists(#type) OR #type <> :erased")
                .expression_attribute_names("#type", "type")
                .expression_attribute_values(":erased", s(erased))
                .send()
                .await;
            if condition_held(removed, "DeleteItem contact's delivery data")? {
                deleted += 1;
            }
        }
        Ok(deleted)
    }

    /// What was told about contact `contact_id`, where and when: their log entries (30 days
    /// are kept), at most `limit`, newest first.
    pub async fn sent_about(&self, contact_id: &str, limit: usize) -> Result<Vec<Item>, Error> {
        let by_contact = dynamo::query_eq(
            &self.client,
            &self.table,
            Some(BY_CONTACT_INDEX),
            "contact_id",
            contact_id,
        )
        .scan_index_forward(false);
        let mut logged = Vec::new();
        for key in self.keys_of(by_contact, "Query ByContact").await? {
            if logged.len() == limit {
                break;
            }
            if !dynamo::text(&key, "pk").is_some_and(|pk| pk.starts_with("log#")) {
                continue;
            }
            if let Some(item) = dynamo::get_item(&self.client, &self.table, key, "delivery").await?
            {
                logged.push(item);
            }
        }
        Ok(logged)
    }

    /// The keys (`pk`, `sk`) of every item `query` finds.
    async fn keys_of(
        &self,
        query: aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder,
        operation: &str,
    ) -> Result<Vec<Item>, Error> {
        Ok(crate::kit::pages::query_all(query, operation)
            .await?
            .iter()
            .filter_map(|item| Some(pk_sk(dynamo::text(item, "pk")?, dynamo::text(item, "sk")?)))
            .collect())
    }

    /// Event `event_id`'s delivery to `endpoint_id` as logged.
    pub async fn logged(&self, endpoint_id: &str, log_sk: &str) -> Result<Option<Item>, Error> {
        dynamo::get_item(
            &self.client,
            &self.table,
            pk_sk(format!("log#{endpoint_id}"), log_sk),
            "delivery",
        )
        .await
    }
}

/// Times as stored: RFC 3339 in UTC with milliseconds, so that they sort as text.
fn stamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// A lane item, kept no longer than its event (a lane of a deleted endpoint that no job
/// drains any more goes too).
fn pending_item(pending: &Pending, now: DateTime<Utc>) -> Result<Item, Error> {
    let mut item = dynamo::encode(pending, "pending delivery")?;
    item.insert("ttl".into(), ttl(now));
    Ok(item)
}

fn put_new(table: &str, item: Item) -> Result<TransactWriteItem, Error> {
    let put = Put::builder()
        .table_name(table)
        .set_item(Some(item))
        .condition_expression("attribute_not_exists(pk)")
        .build()
        .map_err(|e| Error::caused("transaction item", e))?;
    Ok(TransactWriteItem::builder().put(put).build())
}
