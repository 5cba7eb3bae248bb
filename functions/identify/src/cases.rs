//! Cases (`CasesTable`) and opportunities (`OpportunitiesTable`), opened once per
//! contribution: their id derives from the event id and the write is conditional. A case's
//! two outside effects, the `support` queue message for the helpdesk and the alert email,
//! are each marked on the case once done, so a retried message does the missing ones only.
//! (A crash between a send and its mark repeats that send: the helpdesk dedupes on the case
//! id, and the alert may come twice; nothing is lost.)

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_ses::types::{Body, Content, Destination, Message as EmailMessage};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use shared::contracts::contacts::standing::ContactType;
use shared::contracts::events::{Contribution, Message};
use shared::kit::dynamo::{self, condition_held};
use shared::Error;

use crate::classify::Classification;
use crate::routing::Priority;

/// What a case and an opportunity both hold: the contribution they come from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Opened {
    pub id: String,
    pub event_id: String,
    pub source_id: String,
    pub platform: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_id: Option<String>,
    /// What the author is to the brand when the case opened (a customer, a journalist...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_type: Option<ContactType>,
    /// Tags the brand's rules gave the contribution.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    pub status: String,
    pub opened_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permalink: Option<String>,
    /// What the person wrote: staff need it (never logged).
    pub text: String,
}

impl Opened {
    fn from(prefix: &str, subject: &Subject<'_>, now: DateTime<Utc>) -> Opened {
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
            tags: subject.tags.to_vec(),
            status: "open".into(),
            opened_at: now,
            permalink: subject.contribution.permalink.clone(),
            text: subject.contribution.text.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Case {
    #[serde(flatten)]
    pub opened: Opened,
    pub priority: Priority,
    pub due_at: DateTime<Utc>,
    pub cues: Vec<String>,
    #[serde(default)]
    pub support_queued: bool,
    #[serde(default)]
    pub alert_sent: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Opportunity {
    #[serde(flatten)]
    pub opened: Opened,
}

/// What the helpdesk reads on the `support` queue (versioned like every queue body).
#[derive(Debug, Serialize, Deserialize)]
pub struct CaseOpened {
    pub v: u32,
    #[serde(rename = "type")]
    pub kind: String,
    pub case: Case,
}

pub struct Routing {
    pub dynamodb: aws_sdk_dynamodb::Client,
    pub sqs: aws_sdk_sqs::Client,
    pub ses: aws_sdk_ses::Client,
    pub cases_table: String,
    pub opportunities_table: String,
    pub support_queue_url: String,
    pub sender: String,
    pub support_address: String,
    /// The SES configuration set every email goes through: its bounces and complaints reach
    /// ses-events, and so the suppression list.
    pub configuration_set: String,
}

/// `case_…` / `opp_…` from the contribution (its source and its id on the platform), not
/// the event: a redelivery, and an edit of the same comment, name the same case.
pub fn id_for(prefix: &str, source_id: &str, external_id: &str) -> String {
    shared::kit::ids::derived(prefix, source_id, external_id)
}

/// The contribution being routed, and who wrote it.
pub struct Subject<'a> {
    pub message: &'a Message,
    pub contribution: &'a Contribution,
    pub contact_id: Option<&'a str>,
    pub contact_type: Option<ContactType>,
    pub tags: &'a [String],
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
            opened: Opened::from("case", subject, now),
            priority,
            due_at,
            cues: classification.cues.clone(),
            support_queued: false,
            alert_sent: false,
        };
        let case = match self.put_once(&self.cases_table, &case).await? {
            true => {
                shared::kit::metrics::count("CasesOpened", 1, &[], now);
                case
            }
            // Opened by an earlier attempt: carry on from what it recorded.
            false => self.get_case(&case.opened.id).await?.unwrap_or(case),
        };
        if !case.support_queued {
            let body = serde_json::to_string(&CaseOpened {
                v: 1,
                kind: "case.opened".into(),
                case: case.clone(),
            })
            .map_err(|e| Error::caused("encode case", e))?;
            self.sqs
                .send_message()
                .queue_url(&self.support_queue_url)
                .message_body(body)
                .send()
                .await
                .map_err(|e| Error::from_sdk("SendMessage support", e).transient())?;
            self.mark(&case.opened.id, "support_queued").await?;
        }
        if !case.alert_sent {
            self.send_alert(&case).await?;
            self.mark(&case.opened.id, "alert_sent").await?;
        }
        Ok(case)
    }

    pub async fn open_opportunity(
        &self,
        subject: &Subject<'_>,
        now: DateTime<Utc>,
    ) -> Result<Opportunity, Error> {
        let opportunity = Opportunity {
            opened: Opened::from("opp", subject, now),
        };
        self.put_once(&self.opportunities_table, &opportunity)
            .await?;
        Ok(opportunity)
    }

    async fn send_alert(&self, case: &Case) -> Result<(), Error> {
        let text = |data: String| {
            Content::builder()
                .data(data)
                .charset("UTF-8")
                .build()
                .map_err(|e| Error::caused("email content", e))
        };
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
        let message = EmailMessage::builder()
            .subject(text(subject)?)
            .body(Body::builder().text(text(body)?).build())
            .build();
        self.ses
            .send_email()
            .source(&self.sender)
            .configuration_set_name(&self.configuration_set)
            .destination(
                Destination::builder()
                    .to_addresses(&self.support_address)
                    .build(),
            )
            .message(message)
            .send()
            .await
            .map_err(|e| Error::from_sdk("SES SendEmail", e).transient())?;
        Ok(())
    }

    /// `true` when written now, `false` when it was already there.
    async fn put_once<T: Serialize>(&self, table: &str, value: &T) -> Result<bool, Error> {
        let item: HashMap<String, AttributeValue> =
            serde_dynamo::to_item(value).map_err(|e| Error::caused("encode", e))?;
        let written = self
            .dynamodb
            .put_item()
            .table_name(table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(id)")
            .send()
            .await;
        condition_held(written, "PutItem case")
    }

    pub async fn get_case(&self, id: &str) -> Result<Option<Case>, Error> {
        dynamo::get(
            &self.dynamodb,
            &self.cases_table,
            dynamo::key("id", id),
            "case",
        )
        .await
    }

    async fn mark(&self, id: &str, flag: &str) -> Result<(), Error> {
        self.dynamodb
            .update_item()
            .table_name(&self.cases_table)
            .key("id", AttributeValue::S(id.to_string()))
            .update_expression("SET #f = :t")
            .expression_attribute_names("#f", flag)
            .expression_attribute_values(":t", AttributeValue::Bool(true))
            .send()
            .await
            .map_err(|e| Error::from_sdk("UpdateItem case", e))?;
        Ok(())
    }
}
