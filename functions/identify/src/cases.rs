//! Cases (`CasesTable`), opportunities (`OpportunitiesTable`) and questions
//! (`QuestionsTable`), opened once per contribution: their id derives from the event id and the write is conditional. A case's
//! two outside effects, `case.opened` on the `events` queue (for the helpdesk and every
//! endpoint) and the alert email, are each marked on the case once done, so a retried
//! message does the missing ones only. (A crash between a send and its mark repeats that
//! send: the event's id derives from the case's, so it is dropped as a duplicate; the alert
//! may come twice; nothing is lost.) `opportunity.opened` and `question.opened` are
//! published at every attempt, for the same reason dropped but once.

use chrono::{DateTime, Utc};
use shared::contracts::contacts::standing::ContactType;
use shared::contracts::deliveries::{Event, EventQueue, EventType};
use shared::contracts::events::{Contribution, Message};
use shared::contracts::rules::Team;
pub use shared::contracts::work::id_for;
use shared::contracts::work::{self, Case, CaseEffect, Opened, Opportunity, Question};
use shared::Error;

use crate::classify::Classification;
use crate::routing::Priority;

/// What a case or an opportunity (`prefix`) records of the contribution it comes from.
/// Who wrote what opened the item, for the helpdesk's requester and the CRM's contact:
/// the email only when the platform vouched for it (a shop's customer, a signed-in member),
/// so that no tool writes to an address a stranger typed under a comment.
fn author(subject: &Subject<'_>) -> serde_json::Value {
    author_of(&subject.contribution.author)
}

/// [`author`]'s JSON for any contribution's author.
pub fn author_of(author: &shared::contracts::events::Author) -> serde_json::Value {
    serde_json::json!({
        "name": author.name,
        "handle": author.handle,
        "email": author.email.as_deref().filter(|_| author.verified).map(str::trim),
        "verified": author.verified,
    })
}

fn opened(prefix: &str, subject: &Subject<'_>, now: DateTime<Utc>) -> Opened {
    Opened {
        id: id_for(
            prefix,
            &subject.message.source_id,
            &subject.contribution.external_id,
        ),
        event_id: subject.message.id.clone(),
        source_id: subject.message.source_id.clone(),
        platform: subject.message.platform.as_str().to_string(),
        contact_id: subject.contact_id.map(str::to_string),
        contact_type: subject.contact_type,
        audience: subject.audience.cloned(),
        tags: subject.tags.to_vec(),
        label: Some(subject.label),
        status: "open".into(),
        opened_at: now,
        permalink: subject.contribution.permalink.clone(),
        text: subject.contribution.text.clone(),
    }
}

pub struct Routing {
    pub dynamodb: aws_sdk_dynamodb::Client,
    /// The alert email, from the brand's sender through the configuration set whose bounces
    /// and complaints reach ses-events.
    pub outbox: shared::contracts::plain_email::Outbox,
    pub cases_table: String,
    pub opportunities_table: String,
    pub questions_table: String,
    /// What the brand's endpoints are told.
    pub events: EventQueue,
    pub support_address: String,
}

/// The contribution being routed, and who wrote it.
pub struct Subject<'a> {
    pub message: &'a Message,
    pub contribution: &'a Contribution,
    pub contact_id: Option<&'a str>,
    pub contact_type: Option<ContactType>,
    /// The author's audience, for a blogger's, an association's or a journalist's items.
    pub audience: Option<&'a shared::contracts::work::AuthorAudience>,
    pub tags: &'a [String],
    pub label: shared::contracts::rules::Label,
}

impl Routing {
    pub async fn open_case(
        &self,
        subject: &Subject<'_>,
        classification: &Classification,
        priority: Priority,
        due_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Case, Error> {
        let case = Case {
            opened: opened("case", subject, now),
            priority,
            due_at,
            cues: classification.cues.clone(),
            announced: false,
            alert_sent: false,
        };
        let id = case.opened.id.clone();
        // Opened by an earlier attempt: carry on from what it recorded.
        let (case, new) = self.open_or_resume(&self.cases_table, case, &id).await?;
        if new {
            shared::kit::metrics::count("CasesOpened", 1, &[], now);
        }
        if !case.announced {
            self.announce(
                EventType::CaseOpened,
                &case.opened,
                serde_json::json!({ "case": case, "author": author(subject) }),
            )
            .await?;
            work::mark_done(
                &self.dynamodb,
                &self.cases_table,
                &case.opened.id,
                CaseEffect::Announced,
            )
            .await?;
        }
        if !case.alert_sent {
            self.send_alert(&case).await?;
            work::mark_done(
                &self.dynamodb,
                &self.cases_table,
                &case.opened.id,
                CaseEffect::AlertSent,
            )
            .await?;
        }
        Ok(case)
    }

    pub async fn open_opportunity(
        &self,
        subject: &Subject<'_>,
        now: DateTime<Utc>,
    ) -> Result<Opportunity, Error> {
        let opportunity = Opportunity {
            opened: opened("opp", subject, now),
            amount: None,
            currency: None,
            stage: None,
            outcome: None,
        };
        let id = opportunity.opened.id.clone();
        let (opportunity, _) = self
            .open_or_resume(&self.opportunities_table, opportunity, &id)
            .await?;
        self.announce(
            EventType::OpportunityOpened,
            &opportunity.opened,
            serde_json::json!({ "opportunity": opportunity, "author": author(subject) }),
        )
        .await?;
        Ok(opportunity)
    }

    /// Writes `item` (`id`) once in `table`: it and `true` when written now; as an earlier
    /// attempt wrote it (its marks, its opening time) and `false` otherwise.
    async fn open_or_resume<T>(&self, table: &str, item: T, id: &str) -> Result<(T, bool), Error>
    where
        T: serde::Serialize + serde::de::DeserializeOwned,
    {
        if work::open_once(&self.dynamodb, table, &item).await? {
            return Ok((item, true));
        }
        let earlier = work::get(&self.dynamodb, table, id).await?;
        Ok((earlier.unwrap_or(item), false))
    }

    pub async fn open_question(
        &self,
        subject: &Subject<'_>,
        owner: Team,
        priority: Priority,
        due_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Question, Error> {
        let question = Question {
            opened: opened("qst", subject, now),
            owner,
            priority,
            due_at,
        };
        let id = question.opened.id.clone();
        let (question, new) = self
            .open_or_resume(&self.questions_table, question, &id)
            .await?;
        if new {
            let team = [("Owner", owner.as_str())];
            shared::kit::metrics::count("QuestionsOpened", 1, &team, now);
        }
        self.announce(
            EventType::QuestionOpened,
            &question.opened,
            serde_json::json!({ "question": question, "author": author(subject) }),
        )
        .await?;
        Ok(question)
    }

    /// Publishes `kind` about the item `opened` (its id names the event, so a retry's
    /// publication is the same event), with `data`.
    async fn announce(
        &self,
        kind: EventType,
        opened: &Opened,
        data: serde_json::Value,
    ) -> Result<(), Error> {
        self.events
            .publish(&Event::new(
                kind,
                &opened.id,
                opened.opened_at,
                opened.contact_id.as_deref(),
                data,
            ))
            .await
    }

    async fn send_alert(&self, case: &Case) -> Result<(), Error> {
        let subject = format!(
            "[{:?}] Incident on {}: {}",
            case.priority, case.opened.platform, case.opened.id
        );
        let body = format!(
            "A new incident needs customer service.\n\nCase: {}\nPriority: {:?} (due {})\nWhere: {}\n\n{}\n\nWhy: {}\n",
            case.opened.id,
            case.priority,
            case.due_at.to_rfc3339(),
            case.opened.permalink.as_deref().unwrap_or("(no link)"),
            case.opened.text,
            case.cues.join(", "),
        );
        self.outbox
            .send(&self.support_address, &subject, &body)
            .await
    }
}
