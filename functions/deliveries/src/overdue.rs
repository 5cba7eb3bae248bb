//! The SLA watch (a schedule, every 5 minutes): a case or a question still open past its
//! `due_at` is told again to the team that owns it, by email (customer service's address for
//! a case and a support question, marketing's for a marketing question, the press owner's
//! for what a journalist wrote) and as
//! `case.overdue` / `question.overdue` for every endpoint that wants it (a Slack channel,
//! the helpdesk). Told once per item: published first, then marked (`overdue_told_at`); a
//! crash between the two publishes the same event again, which the queue and the numbering
//! step drop, and may send the email twice.

use serde::Serialize;
use serde_json::{json, Value};
use shared::contracts::deliveries::{Event, EventQueue, EventType};
use shared::contracts::work;
use shared::kit::dynamo::{self, Item};
use shared::Error;

use crate::Deps;

/// What the watch needs beyond the deliveries' own.
pub struct Watch {
    pub cases_table: String,
    pub questions_table: String,
    pub events: EventQueue,
    pub support_address: String,
    /// Marketing's address (`MARKETING_ALERT_EMAIL`); customer service's when not given.
    pub marketing_address: Option<String>,
    /// The press owner's (`PRESS_ALERT_EMAIL`); marketing's, then customer service's, when
    /// not given.
    pub press_address: Option<String>,
}

/// What one run did.
#[derive(Debug, Default, Serialize, PartialEq, Eq)]
pub struct Swept {
    pub overdue: u32,
    pub questions_overdue: u32,
    pub failures: u32,
}

/// One of the two kinds of work the watch looks at.
#[derive(Clone, Copy)]
enum Late {
    Case,
    Question,
}

impl Late {
    fn key(self) -> &'static str {
        match self {
            Late::Case => "case",
            Late::Question => "question",
        }
    }

    fn event(self) -> EventType {
        match self {
            Late::Case => EventType::CaseOverdue,
            Late::Question => EventType::QuestionOverdue,
        }
    }
}

pub async fn sweep(deps: &Deps) -> Swept {
    let now = deps.clock.now();
    let mut swept = Swept::default();
    for (late, table) in [
        (Late::Case, &deps.watch.cases_table),
        (Late::Question, &deps.watch.questions_table),
    ] {
        let query = work::overdue(&deps.dynamodb, table, now);
        let items = match shared::kit::pages::query_all(query, "Query overdue work").await {
            Ok(items) => items,
            Err(e) => {
                tracing::error!(kind = late.key(), error = %e, "overdue items could not be read");
                swept.failures += 1;
                continue;
            }
        };
        for item in items {
            let id = dynamo::text(&item, "id").unwrap_or_default().to_string();
            match tell(deps, late, table, &item, now).await {
                Ok(true) => match late {
                    Late::Case => swept.overdue += 1,
                    Late::Question => swept.questions_overdue += 1,
                },
                Ok(false) => {}
                Err(e) => {
                    tracing::error!(item_id = %id, error = %e, "an overdue item was not told; the next run tries again");
                    swept.failures += 1;
                }
            }
        }
    }
    if swept.overdue > 0 {
        shared::kit::metrics::count("CasesOverdue", u64::from(swept.overdue), &[], now);
    }
    if swept.questions_overdue > 0 {
        let count = u64::from(swept.questions_overdue);
        shared::kit::metrics::count("QuestionsOverdue", count, &[], now);
    }
    swept
}

/// Tells of `item`: `false` when it was told already (or closed meanwhile).
async fn tell(
    deps: &Deps,
    late: Late,
    table: &str,
    item: &Item,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<bool, Error> {
    let item = shared::kit::pages::to_json(item.clone())?;
    let id = item["id"].as_str().unwrap_or_default();
    deps.watch
        .events
        .publish(&Event::new(
            late.event(),
            &format!("{id}#overdue"),
            now,
            item["contact_id"].as_str(),
            json!({ late.key(): item }),
        ))
        .await?;
    let (to, subject, body) = alert(&deps.watch, late, &item);
    deps.outbox.send(to, &subject, &body).await?;
    let marked = work::overdue_told(&deps.dynamodb, table, id, now).await?;
    tracing::info!(item_id = %id, marked, "overdue item told");
    Ok(marked)
}

/// The owner's second alert, `(to, subject, body)`: the item is late. Marketing's
/// questions go to marketing, the press owner's to the press owner (else marketing), each
/// to customer service when no address is given.
fn alert<'a>(watch: &'a Watch, late: Late, item: &Value) -> (&'a str, String, String) {
    let field = |k: &str| item[k].as_str().unwrap_or_default().to_string();
    let support = watch.support_address.as_str();
    let marketing = watch.marketing_address.as_deref();
    let (to, what) = match (late, item["owner"].as_str()) {
        (Late::Case, _) => (support, "case"),
        (Late::Question, Some("marketing")) => {
            (marketing.unwrap_or(support), "question for marketing")
        }
        (Late::Question, Some("press")) => (
            watch
                .press_address
                .as_deref()
                .or(marketing)
                .unwrap_or(support),
            "journalist's message for the press owner",
        ),
        (Late::Question, _) => (support, "question for customer service"),
    };
    let subject = format!(
        "[{}] Overdue: {} on {}",
        item["priority"].as_str().unwrap_or("P3"),
        field("id"),
        item["platform"].as_str().unwrap_or("a platform"),
    );
    let body = format!(
        "This {what} is past its SLA and still open.\n\nId: {}\nDue: {}\nAssignee: {}\nWhere: {}\n\n{}\n",
        field("id"),
        item["due_at"].as_str().unwrap_or("-"),
        item["assignee"].as_str().unwrap_or("nobody yet"),
        item["permalink"].as_str().unwrap_or("(no link)"),
        field("text"),
    );
    (to, subject, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SUPPORT: &str = "support@brand.test";

    fn watch(marketing: Option<&str>, press: Option<&str>) -> Watch {
        Watch {
            cases_table: String::new(),
            questions_table: String::new(),
            events: EventQueue {
                sqs: aws_sdk_sqs::Client::from_conf(
                    aws_sdk_sqs::Config::builder()
                        .behavior_version(aws_sdk_sqs::config::BehaviorVersion::latest())
                        .build(),
                ),
                queue_url: String::new(),
            },
            support_address: SUPPORT.into(),
            marketing_address: marketing.map(str::to_string),
            press_address: press.map(str::to_string),
        }
    }

    #[test]
    fn a_late_question_should_reach_its_owner_and_support_without_one() {
        let question = json!({"id": "qst_1", "owner": "marketing", "priority": "P3",
                              "platform": "x", "text": "Do you ship to Canada?"});
        let with_marketing = watch(Some("mkt@brand.test"), None);
        let (to, subject, body) = alert(&with_marketing, Late::Question, &question);
        assert_eq!(to, "mkt@brand.test");
        assert_eq!(subject, "[P3] Overdue: qst_1 on x");
        assert!(body.starts_with("This question for marketing is past its SLA"));
        assert!(body.contains("Assignee: nobody yet"));
        let without = watch(None, None);
        let (to, ..) = alert(&without, Late::Question, &question);
        assert_eq!(to, SUPPORT, "no marketing address: support is told");
        let support = json!({"id": "qst_2", "owner": "support"});
        let (to, ..) = alert(&with_marketing, Late::Question, &support);
        assert_eq!(to, SUPPORT);
        let case = json!({"id": "case_1", "owner": "marketing"});
        let (to, _, body) = alert(&with_marketing, Late::Case, &case);
        assert_eq!((to, body.starts_with("This case is")), (SUPPORT, true));
    }

    #[test]
    fn a_late_message_from_a_journalist_should_reach_the_press_owner_first() {
        let press = json!({"id": "qst_3", "owner": "press", "priority": "P2", "platform": "x"});
        let both = watch(Some("mkt@brand.test"), Some("press@brand.test"));
        let (to, _, body) = alert(&both, Late::Question, &press);
        assert_eq!(to, "press@brand.test");
        assert!(body.starts_with("This journalist's message for the press owner"));
        let marketing = watch(Some("mkt@brand.test"), None);
        let (to, ..) = alert(&marketing, Late::Question, &press);
        assert_eq!(to, "mkt@brand.test", "no press address: marketing");
        let neither = watch(None, None);
        let (to, ..) = alert(&neither, Late::Question, &press);
        assert_eq!(to, SUPPORT);
    }
}
