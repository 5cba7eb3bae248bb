//! `AnswersTable`'s home and the `answers` queue's messages: what staff answer to a
//! contribution (a public reply under it, a private message to its author, an email), each
//! published once by the answers function, and the moderation decisions that function applies
//! on the platforms.
//!
//! | item | pk | sk |
//! | --- | --- | --- |
//! | an answer | `{contribution_id}` | `answer#{answer_id}` |
//! | the one private reply a comment allows | `private#{source_id}#{external_id}` | `-` |
//! | what an answer became on the platform | `published#{source_id}#{platform_id}` | `-` |
//! | the last answer sent under a platform's item | `inflight#{source_id}#{external_id}` | `-` |
//! | the person's reply to an answer, in the conversation | `{contribution_id}` | `followup#{event_id}` |
//!
//! An answer lives under its contribution, so the thread of a case (the person's message
//! and every answer to it) is one Query. An answer moves through [`State`]s by conditional
//! writes only: `queued`, then `sending` (claimed: the platform call is about to be made),
//! then `published`, `retrying` (a definite failure that may pass), `failed` (the platform's
//! reason) or `unknown` (the call may have reached the platform: never made again blindly).
//! A message redelivered while its answer is `sending` means the call's outcome was lost:
//! the answer becomes `unknown`, never sent twice.
//!
//! The `published#` item is how Liaison knows its own answer when the platform sends it
//! back as a webhook (identify links it instead of reading it as a new contribution).

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem, Update};
use aws_sdk_dynamodb::Client;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::contracts::moderation::Decision;
use crate::contracts::sources::Platform;
use crate::kit::dynamo::{self, pk_sk, s, Item};
use crate::Error;

mod reach;
pub use reach::{
    can_publish, login, meta_network, moderates_by_api, outgoing_text, private_reply_closed,
    private_reply_window, reach, MetaNetwork, MAX_EMAIL_CHARS, REPLY_URL_SETTING,
};

/// How an answer reaches the person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// On the platform, under the brand's account, threaded under the contribution.
    PublicReply,
    /// To the author alone, where the platform allows it (a Private Reply, a DM, a PM).
    PrivateMessage,
    /// To the author's address, as a service message about their own conversation.
    Email,
}

impl Channel {
    pub const ALL: [Channel; 3] = [
        Channel::PublicReply,
        Channel::PrivateMessage,
        Channel::Email,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::PublicReply => "public_reply",
            Channel::PrivateMessage => "private_message",
            Channel::Email => "email",
        }
    }

    pub fn parse(name: &str) -> Option<Channel> {
        Self::ALL.into_iter().find(|c| c.as_str() == name)
    }
}

/// Tags that classify what an answer is about: visible ones go out where the platform has
/// tags (Discourse topic tags, hashtags on X); hidden ones stay in Liaison. Both feed reports.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tags {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub visible: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hidden: Vec<String>,
}

impl Tags {
    pub fn all(&self) -> impl Iterator<Item = &str> {
        self.visible.iter().chain(&self.hidden).map(String::as_str)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    Queued,
    Sending,
    Published,
    Retrying,
    Failed,
    Unknown,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Queued => "queued",
            State::Sending => "sending",
            State::Published => "published",
            State::Retrying => "retrying",
            State::Failed => "failed",
            State::Unknown => "unknown",
        }
    }
}

/// What the answer answers, copied from the contribution when staff wrote it, so that
/// publishing reads one item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Target {
    pub source_id: String,
    pub platform: Platform,
    /// The platform's id of the contribution answered.
    pub external_id: String,
    /// The post, topic or video it is under.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread_id: Option<String>,
    /// The author's id on the platform (a private message's recipient).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author_id: Option<String>,
    /// When the contribution was written (a Private Reply is allowed for 7 days after).
    pub written_at: DateTime<Utc>,
}

/// Where a published answer is on the platform.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Published {
    /// The platform's id of what was published (a comment id, a message id).
    pub platform_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permalink: Option<String>,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Answer {
    /// `ans_…`.
    pub id: String,
    /// The contribution (event id) it answers: the partition of its thread.
    pub contribution_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_id: Option<String>,
    /// Who it was said to (the contribution's contact): the key of its place on their
    /// timeline (index `ByContact`), with `created_at`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_id: Option<String>,
    pub channel: Channel,
    /// What the person will read (never logged).
    pub text: String,
    #[serde(default)]
    pub tags: Tags,
    /// The staff member who wrote it.
    pub author: String,
    pub created_at: DateTime<Utc>,
    pub target: Target,
    pub state: State,
    /// Platform calls claimed so far (each claim is at most one call).
    #[serde(default)]
    pub attempts: u32,
    /// `retrying`: not before then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_at: Option<DateTime<Utc>>,
    /// `retrying`, `failed`, `unknown`: why, in the platform's words where it gave them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<Published>,
    /// For a message Liaison writes on its own (order news, the confirmation of a START or
    /// STOP): what it is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice: Option<Notice>,
    /// The event the platform sent back when it echoed this answer as a webhook.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub echo_event_id: Option<String>,
    pub updated_at: DateTime<Utc>,
}

impl Answer {
    /// A new answer `id` by `channel` to `target`, `queued` at `now`, with nothing written
    /// yet: the caller sets `text`, `tags`, `author` (and `case_id`, `notice`) over it.
    pub fn queued(
        id: String,
        contribution_id: String,
        channel: Channel,
        target: Target,
        now: DateTime<Utc>,
    ) -> Answer {
        Answer {
            id,
            contribution_id,
            case_id: None,
            contact_id: None,
            channel,
            text: String::new(),
            tags: Tags::default(),
            author: String::new(),
            created_at: now,
            target,
            state: State::Queued,
            attempts: 0,
            retry_at: None,
            reason: None,
            published: None,
            notice: None,
            echo_event_id: None,
            updated_at: now,
        }
    }
}

/// What a message Liaison writes on its own is about. Order news lives in the partition
/// `order-news#{contact_id}` (the thread of what the contact was told), under an id derived
/// from the news, so the same news told twice is stored, and sent, once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Notice {
    pub contact_id: String,
    pub news: News,
}

/// The news a contact who said START gets by direct message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum News {
    /// They said START (in the DM `event_id`): the confirmation, and how to stop.
    Subscribed { event_id: String },
    /// They said STOP: the confirmation that nothing more will come.
    Stopped { event_id: String },
    /// An order of theirs was placed, shipped or delivered.
    Order {
        order_id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        order_name: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        shipment_id: Option<String>,
        /// `placed`, `shipped`, `delivered`.
        status: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        tracking_url: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        carrier: Option<String>,
    },
}

impl News {
    /// What makes this news itself (two deliveries of it are one): its answer id's seed.
    pub fn key(&self) -> String {
        match self {
            News::Subscribed { event_id } => format!("subscribed:{event_id}"),
            News::Stopped { event_id } => format!("stopped:{event_id}"),
            News::Order {
                order_id,
                shipment_id,
                status,
                ..
            } => format!(
                "order:{order_id}:{}:{status}",
                shipment_id.as_deref().unwrap_or("-")
            ),
        }
    }
}

/// The partition of a contact's order news.
pub fn order_news_thread(contact_id: &str) -> String {
    format!("order-news#{contact_id}")
}

/// What the answers function is asked to do (the `answers` queue's body, versioned).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobMessage {
    pub v: u32,
    #[serde(flatten)]
    pub job: Job,
}

pub const JOB_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Job {
    /// Publish answer `answer_id` of contribution `contribution_id`.
    Answer {
        contribution_id: String,
        answer_id: String,
    },
    /// Apply a moderation decision to a comment on its platform. Only the decision still
    /// current when the job runs is applied (`decided_at` tells a stale job).
    Moderate {
        contribution_id: String,
        source_id: String,
        external_id: String,
        decision: Decision,
        decided_at: DateTime<Utc>,
    },
    /// Tell `contact_id`, by direct message where they said START, `news`.
    OrderNews { contact_id: String, news: News },
    /// Read back whether `unknown` answer `answer_id` was published after all.
    Reconcile {
        contribution_id: String,
        answer_id: String,
    },
}

impl JobMessage {
    pub fn new(job: Job) -> Self {
        JobMessage {
            v: JOB_VERSION,
            job,
        }
    }
}

/// The `answers` queue, as admin (answers) and identify and admin (decisions) send to it.
#[derive(Debug, Clone)]
pub struct JobQueue {
    pub sqs: aws_sdk_sqs::Client,
    pub queue_url: String,
}

impl JobQueue {
    pub async fn send(&self, job: Job) -> Result<(), Error> {
        crate::kit::batch::send_json(&self.sqs, &self.queue_url, "answers", &JobMessage::new(job))
            .await
    }

    /// Sends `job` to be delivered in `seconds` (SQS delays at most 15 minutes).
    pub async fn send_after(&self, job: Job, seconds: i32) -> Result<(), Error> {
        let body = serde_json::to_string(&JobMessage::new(job))
            .map_err(|e| Error::caused("encode an answers message", e))?;
        self.sqs
            .send_message()
            .queue_url(&self.queue_url)
            .message_body(body)
            .delay_seconds(seconds.clamp(0, 900))
            .send()
            .await
            .map_err(|e| Error::from_sdk("SendMessage answers", e).transient())?;
        Ok(())
    }
}

/// What [`AnswerStore::claim`] found.
#[derive(Debug, Clone, PartialEq)]
pub enum Claim {
    /// Ours to publish: the call may be made, once.
    Claimed(Answer),
    /// Already claimed by an attempt whose outcome is lost: it may have reached the
    /// platform, so it is not made again.
    InDoubt(Answer),
    /// Published, failed, unknown, or not due yet: nothing to do now.
    Settled(Answer),
    Missing,
}

/// How an attempt ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Published(Published),
    Retrying { at: DateTime<Utc>, reason: String },
    Failed { reason: String },
    Unknown { reason: String },
}

impl Outcome {
    /// The state an answer is left in by this outcome.
    pub fn state(&self) -> State {
        match self {
            Outcome::Published(_) => State::Published,
            Outcome::Retrying { .. } => State::Retrying,
            Outcome::Failed { .. } => State::Failed,
            Outcome::Unknown { .. } => State::Unknown,
        }
    }
}

/// What [`AnswerStore::create`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Created {
    New,
    /// The contribution's one private reply was already written.
    PrivateReplyTaken,
}

#[derive(Debug, Clone)]
pub struct AnswerStore {
    pub client: Client,
    pub table: String,
    /// Where the answer counters by tag and channel are kept.
    pub reports_table: String,
    /// Where a case records when it was first answered.
    pub cases_table: String,
}

const ANSWER_PREFIX: &str = "answer#";
const FOLLOW_UP_PREFIX: &str = "followup#";

fn answer_key(contribution_id: &str, answer_id: &str) -> Item {
    pk_sk(contribution_id, format!("{ANSWER_PREFIX}{answer_id}"))
}

fn private_key(source_id: &str, external_id: &str) -> Item {
    pk_sk(format!("private#{source_id}#{external_id}"), "-")
}

fn in_flight_key(source_id: &str, external_id: &str) -> Item {
    pk_sk(format!("inflight#{source_id}#{external_id}"), "-")
}

fn published_key(source_id: &str, platform_id: &str) -> Item {
    pk_sk(format!("published#{source_id}#{platform_id}"), "-")
}

impl AnswerStore {
    /// Writes `writes` in one transaction: `None`, or which of them failed their condition.
    async fn transact(
        &self,
        writes: Vec<TransactWriteItem>,
        operation: &str,
    ) -> Result<Option<Vec<usize>>, Error> {
        let written = self
            .client
            .transact_write_items()
            .set_transact_items(Some(writes))
            .send()
            .await;
        dynamo::transaction_held(written, operation)
    }

    /// Stores a new `queued` answer. A private reply also takes its comment's one private
    /// reply in the same transaction, where the platform allows only one.
    pub async fn create(&self, answer: &Answer, once_per_comment: bool) -> Result<Created, Error> {
        let mut item = dynamo::encode(answer, "answer")?;
        item.extend(answer_key(&answer.contribution_id, &answer.id));
        let mut writes = vec![put(&self.table, item)?];
        if once_per_comment {
            let mut once = private_key(&answer.target.source_id, &answer.target.external_id);
            once.insert("answer_id".into(), s(&answer.id));
            once.insert("contribution_id".into(), s(&answer.contribution_id));
            writes.push(put(&self.table, once)?);
        }
        match self.transact(writes, "TransactWriteItems answer").await? {
            None => Ok(Created::New),
            Some(failed) if failed == [1] => Ok(Created::PrivateReplyTaken),
            Some(_) => Err(Error::Conflict(format!("answer {} exists", answer.id))),
        }
    }

    pub async fn get(
        &self,
        contribution_id: &str,
        answer_id: &str,
    ) -> Result<Option<Answer>, Error> {
        dynamo::get(
            &self.client,
            &self.table,
            answer_key(contribution_id, answer_id),
            "answer",
        )
        .await
    }

    /// Records that contribution `event_id` answers the brand's answer `answer_id` to
    /// `contribution_id`: the conversation of a case goes on in its thread. Ids only (the
    /// text stays with the contribution, erased with it); writing it twice is one effect.
    pub async fn add_follow_up(
        &self,
        contribution_id: &str,
        answer_id: &str,
        event_id: &str,
        at: DateTime<Utc>,
    ) -> Result<(), Error> {
        let mut item = pk_sk(contribution_id, format!("{FOLLOW_UP_PREFIX}{event_id}"));
        item.insert("event_id".into(), s(event_id));
        item.insert("answer_id".into(), s(answer_id));
        item.insert("at".into(), s(crate::kit::clock::stamp(at)));
        self.put_plain(item, "PutItem follow-up").await
    }

    /// Writes `item` whatever was there (a pointer item: writing it twice is one effect).
    async fn put_plain(&self, item: Item, operation: &str) -> Result<(), Error> {
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .send()
            .await
            .map_err(|e| Error::from_sdk(operation, e))?;
        Ok(())
    }

    /// The contributions that answered the brand's answers to `contribution_id`, oldest
    /// first: `(event_id, answer_id)`.
    pub async fn follow_ups(&self, contribution_id: &str) -> Result<Vec<(String, String)>, Error> {
        let items = self
            .under(contribution_id, FOLLOW_UP_PREFIX, "Query follow-ups")
            .await?;
        let mut found: Vec<(String, String, String)> = items
            .iter()
            .filter_map(|item| {
                Some((
                    dynamo::text(item, "at")?.to_string(),
                    dynamo::text(item, "event_id")?.to_string(),
                    dynamo::text(item, "answer_id")?.to_string(),
                ))
            })
            .collect();
        found.sort();
        Ok(found.into_iter().map(|(_, e, a)| (e, a)).collect())
    }

    /// The items of one kind (`prefix` of their sort key) under contribution
    /// `contribution_id`, every page, consistent.
    async fn under(
        &self,
        contribution_id: &str,
        prefix: &str,
        operation: &str,
    ) -> Result<Vec<Item>, Error> {
        let query = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("pk = :pk AND begins_with(sk, :prefix)")
            .expression_attribute_values(":pk", s(contribution_id))
            .expression_attribute_values(":prefix", s(prefix))
            .consistent_read(true);
        crate::kit::pages::query_all(query, operation).await
    }

    /// Every answer to a contribution, oldest first.
    pub async fn thread(&self, contribution_id: &str) -> Result<Vec<Answer>, Error> {
        let items = self
            .under(contribution_id, ANSWER_PREFIX, "Query answers")
            .await?;
        let mut answers = items
            .into_iter()
            .map(|item| dynamo::decode::<Answer>(item, "answer"))
            .collect::<Result<Vec<_>, _>>()?;
        answers.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
        Ok(answers)
    }

    /// Claims the answer for one platform call: `queued`, or `retrying` and due, becomes
    /// `sending`.
    pub async fn claim(
        &self,
        contribution_id: &str,
        answer_id: &str,
        now: DateTime<Utc>,
    ) -> Result<Claim, Error> {
        let stamp = crate::kit::clock::stamp(now);
        let updated = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(answer_key(contribution_id, answer_id)))
            .condition_expression(
                "attribute_exists(pk) AND (#state = :queued OR (#state = :retrying AND retry_at <= :now))",
            )
            .update_expression(
                "SET #state = :sending, attempts = if_not_exists(attempts, :zero) + :one, \
                 updated_at = :now REMOVE retry_at",
            )
            .expression_attribute_names("#state", "state")
            .expression_attribute_values(":queued", s(State::Queued.as_str()))
            .expression_attribute_values(":retrying", s(State::Retrying.as_str()))
            .expression_attribute_values(":sending", s(State::Sending.as_str()))
            .expression_attribute_values(":now", s(stamp))
            .expression_attribute_values(":zero", dynamo::n(0))
            .expression_attribute_values(":one", dynamo::n(1))
            .return_values(aws_sdk_dynamodb::types::ReturnValue::AllNew)
            .send()
            .await;
        match updated {
            Ok(out) => {
                let item = out.attributes.unwrap_or_default();
                Ok(Claim::Claimed(dynamo::decode(item, "answer")?))
            }
            Err(e) if dynamo::is_condition_failure(&e) => {
                Ok(match self.get(contribution_id, answer_id).await? {
                    None => Claim::Missing,
                    Some(a) if a.state == State::Sending => Claim::InDoubt(a),
                    Some(a) => Claim::Settled(a),
                })
            }
            Err(e) => Err(Error::from_sdk("UpdateItem answer claim", e)),
        }
    }

    /// Records how the claimed attempt ended (only an answer still `sending` moves). A
    /// publication also records where it is, for the platform's echo, and adds the answer to
    /// the report counters, in the same transaction: counted once, never without it.
    pub async fn settle(
        &self,
        answer: &Answer,
        outcome: &Outcome,
        now: DateTime<Utc>,
    ) -> Result<bool, Error> {
        self.settle_from(answer, State::Sending, outcome, now).await
    }

    /// [`AnswerStore::settle`] from state `from`: `unknown` for an answer found, or not, by
    /// reading its thread back.
    pub async fn settle_from(
        &self,
        answer: &Answer,
        from: State,
        outcome: &Outcome,
        now: DateTime<Utc>,
    ) -> Result<bool, Error> {
        let key = answer_key(&answer.contribution_id, &answer.id);
        let mut update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key))
            .condition_expression("#state = :from")
            .expression_attribute_names("#state", "state")
            .expression_attribute_values(":from", s(from.as_str()))
            .expression_attribute_values(":now", s(crate::kit::clock::stamp(now)));
        let expression = match outcome {
            Outcome::Published(published) => {
                let value = serde_dynamo::to_attribute_value::<_, AttributeValue>(published)
                    .map_err(|e| Error::caused("encode publication", e))?;
                update = update.expression_attribute_values(":published", value);
                "SET #state = :to, published = :published, updated_at = :now REMOVE reason"
            }
            Outcome::Retrying { at, reason } => {
                update = update
                    .expression_attribute_values(":at", s(crate::kit::clock::stamp(*at)))
                    .expression_attribute_values(":reason", s(reason));
                "SET #state = :to, retry_at = :at, reason = :reason, updated_at = :now"
            }
            Outcome::Failed { reason } | Outcome::Unknown { reason } => {
                update = update.expression_attribute_values(":reason", s(reason));
                "SET #state = :to, reason = :reason, updated_at = :now"
            }
        };
        let update = update
            .update_expression(expression)
            .expression_attribute_values(":to", s(outcome.state().as_str()))
            .build()
            .map_err(|e| Error::caused("transaction item", e))?;
        let mut writes = vec![TransactWriteItem::builder().update(update).build()];
        let mut case_write = None;
        if let Outcome::Published(published) = outcome {
            let mut echo = published_key(&answer.target.source_id, &published.platform_id);
            echo.insert("answer_id".into(), s(&answer.id));
            echo.insert("contribution_id".into(), s(&answer.contribution_id));
            writes.push(put(&self.table, echo)?);
            for (pk, sk) in report_keys(answer, now) {
                writes.push(crate::contracts::contributions::count_one(
                    &self.reports_table,
                    pk,
                    sk,
                )?);
            }
            if let Some(case_id) = &answer.case_id {
                case_write = Some(writes.len());
                writes.push(crate::contracts::work::first_answer(
                    &self.cases_table,
                    case_id,
                    published.at,
                )?);
            }
        }
        const OUTCOME: &str = "TransactWriteItems answer outcome";
        match self.transact(writes.clone(), OUTCOME).await? {
            None => Ok(true),
            // The case is gone (erased): the answer's outcome is still recorded.
            Some(failed) if case_write.is_some_and(|i| failed == [i]) => {
                writes.truncate(writes.len() - 1);
                Ok(self.transact(writes, OUTCOME).await?.is_none())
            }
            Some(_) => Ok(false),
        }
    }

    /// Notes that `answer` is being sent under its contribution, for identify: the
    /// platform's webhook for the reply can come before the call's answer, so before the
    /// `published#` item exists.
    pub async fn mark_in_flight(&self, answer: &Answer) -> Result<(), Error> {
        let mut item = in_flight_key(&answer.target.source_id, &answer.target.external_id);
        item.insert("answer_id".into(), s(&answer.id));
        item.insert("contribution_id".into(), s(&answer.contribution_id));
        self.put_plain(item, "PutItem answer in flight").await
    }

    /// The last answer sent under the platform's item `external_id` of `source_id`, if any.
    pub async fn last_sent_under(
        &self,
        source_id: &str,
        external_id: &str,
    ) -> Result<Option<Answer>, Error> {
        let item = dynamo::get_item(
            &self.client,
            &self.table,
            in_flight_key(source_id, external_id),
            "answer in flight",
        )
        .await?;
        let ids = item.as_ref().and_then(|item| {
            Some((
                dynamo::text(item, "contribution_id")?,
                dynamo::text(item, "answer_id")?,
            ))
        });
        match ids {
            Some((contribution_id, answer_id)) => self.get(contribution_id, answer_id).await,
            None => Ok(None),
        }
    }

    /// The answer a platform's item is, when Liaison published it: `(contribution_id,
    /// answer_id)`.
    pub async fn published_as(
        &self,
        source_id: &str,
        platform_id: &str,
    ) -> Result<Option<(String, String)>, Error> {
        let item = dynamo::get_item(
            &self.client,
            &self.table,
            published_key(source_id, platform_id),
            "answer publication",
        )
        .await?;
        Ok(item.and_then(|item| {
            Some((
                dynamo::text(&item, "contribution_id")?.to_string(),
                dynamo::text(&item, "answer_id")?.to_string(),
            ))
        }))
    }

    /// Notes the event by which the platform echoed a published answer (the first one).
    pub async fn link_echo(
        &self,
        contribution_id: &str,
        answer_id: &str,
        event_id: &str,
    ) -> Result<bool, Error> {
        let updated = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(answer_key(contribution_id, answer_id)))
            .condition_expression("attribute_exists(pk) AND attribute_not_exists(echo_event_id)")
            .update_expression("SET echo_event_id = :event")
            .expression_attribute_values(":event", s(event_id))
            .send()
            .await;
        dynamo::condition_held(updated, "UpdateItem answer echo")
    }
}

fn put(table: &str, item: HashMap<String, AttributeValue>) -> Result<TransactWriteItem, Error> {
    let put = Put::builder()
        .table_name(table)
        .set_item(Some(item))
        .condition_expression("attribute_not_exists(pk)")
        .build()
        .map_err(|e| Error::caused("transaction item", e))?;
    Ok(TransactWriteItem::builder().put(put).build())
}

/// The report counters (`ReportsTable`) a published answer adds one to: per day and
/// channel, and per day and tag (visible and hidden alike).
pub fn report_keys(answer: &Answer, published_at: DateTime<Utc>) -> Vec<(String, String)> {
    let day = published_at.format("%Y-%m-%d").to_string();
    let mut keys = vec![(
        "answer_channel".to_string(),
        format!("{day}#{}", answer.channel.as_str()),
    )];
    let mut tags: Vec<&str> = answer.tags.all().collect();
    tags.sort_unstable();
    tags.dedup();
    keys.extend(
        tags.into_iter()
            .map(|tag| ("answer_tag".to_string(), format!("{day}#{tag}"))),
    );
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_job_should_carry_its_kind_and_version() {
        let job = JobMessage::new(Job::Answer {
            contribution_id: "evt_1".into(),
            answer_id: "ans_1".into(),
        });
        let json = serde_json::to_value(&job).unwrap();
        assert_eq!(json["v"], 1);
        assert_eq!(json["kind"], "answer");
        assert_eq!(serde_json::from_value::<JobMessage>(json).unwrap(), job);
    }

    #[test]
    fn a_tag_both_visible_and_hidden_should_count_once() {
        let answer_at = "2026-12-06T10:00:00Z".parse().unwrap();
        let target = Target {
            source_id: "src_1".into(),
            platform: Platform::WordPress,
            external_id: "7".into(),
            thread_id: Some("1".into()),
            author_id: None,
            written_at: answer_at,
        };
        let answer = Answer {
            text: "Sorry".into(),
            tags: Tags {
                visible: vec!["delivery".into()],
                hidden: vec!["delivery".into(), "courier-x".into()],
            },
            author: "agent".into(),
            ..Answer::queued(
                "ans_1".into(),
                "evt_1".into(),
                Channel::PublicReply,
                target,
                answer_at,
            )
        };
        assert_eq!(
            report_keys(&answer, answer_at),
            vec![
                ("answer_channel".into(), "2026-12-06#public_reply".into()),
                ("answer_tag".into(), "2026-12-06#courier-x".into()),
                ("answer_tag".into(), "2026-12-06#delivery".into()),
            ]
        );
    }
}
