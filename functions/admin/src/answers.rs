//! `/admin/cases/{id}/answers` and `/admin/contributions/{id}/answers`: staff answer the
//! person where they spoke (a public reply, a private message, an email), and read the
//! thread (what the person wrote, every answer and its state).
//!
//! What cannot be sent is refused here, before anything is stored or queued: a channel the
//! platform does not have, text over the platform's limit, a source without the credentials
//! the answer needs, a deleted contribution, a second private reply to one comment. What is
//! accepted is stored `queued` and queued for the answers function, which publishes it once.

use aws_sdk_dynamodb::Client;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::json;
use shared::contracts::answers::{self, Answer, AnswerStore, Channel, Created, Job, Tags, Target};
use shared::contracts::contributions::{ContributionRecord, ContributionStore};
use shared::contracts::events::ContributionAction;
use shared::contracts::sources::SourceStore;
use shared::contracts::work::{self, Case};
use shared::kit::auth::Caller;
use shared::kit::clock::Clock;
use shared::kit::http::{self, Request, Response};
use shared::kit::ids;
use shared::Error;

pub struct Answers {
    pub store: AnswerStore,
    pub contributions: ContributionStore,
    pub sources: SourceStore,
    pub client: Client,
    pub cases_table: String,
    pub jobs: answers::JobQueue,
    pub clock: Clock,
}

/// How a case closes: a private resolution note, and what the author is told, if anything.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Closing {
    #[serde(default)]
    resolution: Option<String>,
    #[serde(default)]
    message: Option<Written>,
    /// What its contribution really was, when not an incident (`WorkItems::close_with`).
    #[serde(default)]
    label: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Written {
    channel: String,
    text: String,
    #[serde(default)]
    tags: Tags,
}

/// At most this many tags on one answer, each of 1 to [`MAX_TAG`] characters.
const MAX_TAGS: usize = 10;
const MAX_TAG: usize = 40;

impl Answers {
    /// The contribution (event id) a case was opened from.
    async fn case_contribution(&self, case_id: &str) -> Result<String, Error> {
        let case: Case = work::get(&self.client, &self.cases_table, case_id)
            .await?
            .ok_or_else(|| Error::NotFound("no such case".into()))?;
        Ok(case.opened.event_id)
    }

    pub async fn answer_case(
        &self,
        req: &Request,
        case_id: &str,
        caller: &Caller,
    ) -> Result<Response, Error> {
        let record = self.case_record(case_id).await?;
        let written: Written = http::json_body(req)?;
        self.answer_record(written, record, Some(case_id.to_string()), caller)
            .await
    }

    /// The contribution case `case_id` was opened from.
    async fn case_record(&self, case_id: &str) -> Result<ContributionRecord, Error> {
        let contribution_id = self.case_contribution(case_id).await?;
        // Identify opens the case a moment before it records the contribution.
        self.contributions
            .get(&contribution_id)
            .await?
            .ok_or_else(|| {
                Error::Conflict(
                    "the case's contribution is still being recorded; try again in a moment".into(),
                )
            })
    }

    pub async fn case_thread(&self, case_id: &str) -> Result<Response, Error> {
        let contribution_id = self.case_contribution(case_id).await?;
        self.thread(&contribution_id).await
    }

    /// Stores and queues an answer to contribution `contribution_id`.
    pub async fn answer(
        &self,
        req: &Request,
        contribution_id: &str,
        caller: &Caller,
    ) -> Result<Response, Error> {
        let written: Written = http::json_body(req)?;
        let record = self
            .contributions
            .get(contribution_id)
            .await?
            .ok_or_else(|| Error::NotFound("no such contribution".into()))?;
        // A contribution that opened a case is answered within it (its first answer is timed).
        let case_id = work::id_for("case", &record.source_id, &record.contribution.external_id);
        let case_id = work::get_item(&self.client, &self.cases_table, &case_id)
            .await?
            .map(|_| case_id);
        self.answer_record(written, record, case_id, caller).await
    }

    /// Stores and queues what staff wrote (`written`) to the contribution `record`.
    async fn answer_record(
        &self,
        written: Written,
        record: ContributionRecord,
        case_id: Option<String>,
        caller: &Caller,
    ) -> Result<Response, Error> {
        let answer = self.prepare(written, &record, case_id, caller).await?;
        let answer = self.send(answer).await?;
        Ok(http::json(202, &json!({ "answer": answer })))
    }

    /// The answer staff wrote, checked against what the platform and the source take now
    /// (400 or 409 with the reason), not yet stored.
    async fn prepare(
        &self,
        written: Written,
        record: &ContributionRecord,
        case_id: Option<String>,
        caller: &Caller,
    ) -> Result<Answer, Error> {
        let channel = Channel::parse(&written.channel).ok_or_else(|| {
            Error::validation("channel", "must be public_reply, private_message or email")
        })?;
        let tags = checked_tags(written.tags)?;
        let text = written.text.trim().to_string();
        let target = target(record);
        let most =
            answers::reach(&target, channel).map_err(|why| Error::validation("channel", why))?;
        // Counted as it goes out (with the hashtags a platform adds).
        let chars = answers::outgoing_text(&target, channel, &text, &tags)
            .chars()
            .count();
        if text.is_empty() || chars > most {
            return Err(Error::validation(
                "text",
                format!(
                    "must be 1 to {most} characters on {}, visible tags included where they become hashtags ({chars} given)",
                    record.platform
                ),
            ));
        }
        self.check_reachable(record, channel).await?;
        if channel == Channel::PrivateMessage {
            if let Some(closed) = answers::private_reply_closed(&target, self.clock.now()) {
                return Err(Error::Conflict(closed));
            }
        }
        Ok(Answer {
            case_id,
            contact_id: record.contact_id.clone(),
            text,
            tags,
            author: caller.subject.clone(),
            ..Answer::queued(
                ids::new_id("ans")?,
                record.id.clone(),
                channel,
                target,
                self.clock.now(),
            )
        })
    }

    /// Stores a prepared answer `queued` and queues it for the answers function; 409 for a
    /// second private reply to one comment.
    async fn send(&self, answer: Answer) -> Result<Answer, Error> {
        let once = answer.channel == Channel::PrivateMessage;
        if self.store.create(&answer, once).await? == Created::PrivateReplyTaken {
            return Err(Error::Conflict(format!(
                "{} allows one private reply to a comment, and this one has had it",
                answer.target.platform
            )));
        }
        // If this fails, the answer stays `queued` and the error says so; the console can
        // queue it again (the claim makes a second job harmless).
        self.jobs
            .send(Job::Answer {
                contribution_id: answer.contribution_id.clone(),
                answer_id: answer.id.clone(),
            })
            .await?;
        tracing::info!(answer_id = %answer.id, contribution_id = %answer.contribution_id, channel = answer.channel.as_str(), "answer queued");
        Ok(answer)
    }

    /// `POST /admin/cases/{id}/close`: closes the case, and with `message` sends the author a
    /// closing answer (checked before the case is closed: a message that cannot go leaves
    /// the case open and says why).
    pub async fn close_case(
        &self,
        req: &Request,
        case_id: &str,
        caller: &Caller,
        cases: &crate::work::WorkItems,
    ) -> Result<Response, Error> {
        let closing: Closing = if req.body.as_deref().is_none_or(|b| b.trim().is_empty()) {
            Closing::default()
        } else {
            http::json_body(req)?
        };
        let prepared = match closing.message {
            Some(written) => {
                let record = self.case_record(case_id).await?;
                Some(
                    self.prepare(written, &record, Some(case_id.to_string()), caller)
                        .await?,
                )
            }
            None => None,
        };
        let mut closed = cases
            .close_with(case_id, closing.resolution, None, closing.label, caller)
            .await?;
        if let Some(answer) = prepared {
            closed["closing_answer"] = json!(self.send(answer).await?);
        }
        Ok(http::json(200, &closed))
    }

    /// Refuses what the platform or the source cannot take now (409 with the reason).
    async fn check_reachable(
        &self,
        record: &ContributionRecord,
        channel: Channel,
    ) -> Result<(), Error> {
        if record.contribution.action == ContributionAction::Deleted {
            return Err(Error::Conflict(
                "the contribution was deleted on the platform: there is nothing to answer under"
                    .into(),
            ));
        }
        if channel == Channel::Email {
            if record.contribution.author.email.is_none() {
                return Err(Error::Conflict(
                    "no email address is known for the author".into(),
                ));
            }
            return Ok(());
        }
        let source = self
            .sources
            .get(&record.source_id)
            .await?
            .ok_or_else(|| Error::Conflict("the contribution's source was deleted".into()))?;
        if !answers::can_publish(&source) {
            return Err(Error::Conflict(format!(
                "source {} lacks the credentials to answer on {} (PUT /admin/sources/{}/credentials)",
                source.id, source.platform, source.id
            )));
        }
        Ok(())
    }

    /// What the person wrote and every answer to it, oldest first.
    pub async fn thread(&self, contribution_id: &str) -> Result<Response, Error> {
        let record = self
            .contributions
            .get(contribution_id)
            .await?
            .ok_or_else(|| Error::NotFound("no such contribution".into()))?;
        let answers = self.store.thread(contribution_id).await?;
        let first_answer = first_published(&answers);
        // What the person wrote back to the answers (an erased one is gone from the thread).
        let mut follow_ups = Vec::new();
        for (event_id, answer_id) in self.store.follow_ups(contribution_id).await? {
            if let Some(reply) = self.contributions.get(&event_id).await? {
                follow_ups.push(json!({
                    "id": reply.id,
                    "in_reply_to": answer_id,
                    "text": reply.contribution.text,
                    "permalink": reply.contribution.permalink,
                    "created_at": reply.contribution.created_at,
                }));
            }
        }
        Ok(http::json(
            200,
            &json!({
                "contribution": {
                    "id": record.id,
                    "platform": record.platform,
                    "source_id": record.source_id,
                    "contact_id": record.contact_id,
                    "text": record.contribution.text,
                    "permalink": record.contribution.permalink,
                    "created_at": record.contribution.created_at,
                    "classification": record.classification,
                    "correction": record.correction,
                },
                "answers": answers,
                "follow_ups": follow_ups,
                "first_answered_at": first_answer,
            }),
        ))
    }
}

/// When the first answer was published.
fn first_published(answers: &[Answer]) -> Option<DateTime<Utc>> {
    answers
        .iter()
        .filter_map(|a| a.published.as_ref().map(|p| p.at))
        .min()
}

fn target(record: &ContributionRecord) -> Target {
    let c = &record.contribution;
    Target {
        source_id: record.source_id.clone(),
        platform: record.platform,
        external_id: c.external_id.clone(),
        thread_id: c.thread_id.clone(),
        author_id: c.author.platform_user_id.clone(),
        written_at: c.created_at,
    }
}

/// Tags as reports count them: trimmed, lowercase, 1 to 40 of `a-z 0-9 - _`, at most ten.
fn checked_tags(tags: Tags) -> Result<Tags, Error> {
    let clean = |list: Vec<String>, field: &str| -> Result<Vec<String>, Error> {
        let mut out: Vec<String> = Vec::new();
        for tag in list {
            let tag = tag.trim().to_lowercase();
            let ok = (1..=MAX_TAG).contains(&tag.chars().count())
                && tag
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '-' || c == '_');
            if !ok {
                return Err(Error::validation(
                    field,
                    format!("each tag must be 1 to {MAX_TAG} letters, digits, - or _"),
                ));
            }
            if !out.contains(&tag) {
                out.push(tag);
            }
        }
        Ok(out)
    };
    let tags = Tags {
        visible: clean(tags.visible, "tags.visible")?,
        hidden: clean(tags.hidden, "tags.hidden")?,
    };
    if tags.visible.len() + tags.hidden.len() > MAX_TAGS {
        return Err(Error::validation(
            "tags",
            format!("at most {MAX_TAGS} tags"),
        ));
    }
    Ok(tags)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_should_be_folded_and_bad_ones_refused() {
        let tags = checked_tags(Tags {
            visible: vec![" Delivery ".into(), "delivery".into()],
            hidden: vec!["courier_x".into()],
        })
        .unwrap();
        assert_eq!(tags.visible, vec!["delivery"]);
        assert_eq!(tags.hidden, vec!["courier_x"]);
        for bad in ["", "two words", "#hash", &"a".repeat(41)] {
            let refused = checked_tags(Tags {
                visible: vec![bad.to_string()],
                hidden: vec![],
            });
            assert!(refused.is_err(), "{bad:?}");
        }
        let many = Tags {
            visible: (0..11).map(|i| format!("t{i}")).collect(),
            hidden: vec![],
        };
        assert!(checked_tags(many).is_err());
    }
}
