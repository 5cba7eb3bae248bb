//! The SLA watch (a schedule, every 5 minutes): a case still open past its `due_at` alerts
//! customer service again, by email to the support address (as its opening did) and as
//! `case.overdue` for every endpoint that wants it (a Slack channel, the helpdesk). Told once
//! per case: published first, then marked (`overdue_told_at`); a crash between the two
//! publishes the same event again, which the queue and the numbering step drop, and may
//! send the email twice.

use aws_sdk_ses::types::{Body, Content, Destination, Message};
use serde::Serialize;
use serde_json::json;
use shared::contracts::deliveries::{Event, EventQueue, EventType};
use shared::contracts::work;
use shared::kit::dynamo::{self, Item};
use shared::Error;

use crate::Deps;

/// What the watch needs beyond the deliveries' own.
pub struct Watch {
    pub cases_table: String,
    pub events: EventQueue,
    pub support_address: String,
}

/// What one run did.
#[derive(Debug, Default, Serialize, PartialEq, Eq)]
pub struct Swept {
    pub overdue: u32,
    pub failures: u32,
}

pub async fn sweep(deps: &Deps) -> Swept {
    let now = deps.clock.now();
    let mut swept = Swept::default();
    let query = work::overdue(&deps.dynamodb, &deps.watch.cases_table, now);
    let late = match shared::kit::pages::query_all(query, "Query overdue cases").await {
        Ok(late) => late,
        Err(e) => {
            tracing::error!(error = %e, "overdue cases could not be read");
            swept.failures += 1;
            return swept;
        }
    };
    for case in late {
        let id = dynamo::text(&case, "id").unwrap_or_default().to_string();
        match tell(deps, &case, now).await {
            Ok(true) => swept.overdue += 1,
            Ok(false) => {}
            Err(e) => {
                tracing::error!(case_id = %id, error = %e, "an overdue case was not told; the next run tries again");
                swept.failures += 1;
            }
        }
    }
    if swept.overdue > 0 {
        shared::kit::metrics::count("CasesOverdue", u64::from(swept.overdue), &[], now);
    }
    swept
}

/// Tells of `case`: `false` when it was told already (or closed meanwhile).
async fn tell(deps: &Deps, case: &Item, now: chrono::DateTime<chrono::Utc>) -> Result<bool, Error> {
    let case = shared::kit::pages::to_json(case.clone())?;
    let id = case["id"].as_str().unwrap_or_default();
    deps.watch
        .events
        .publish(&Event::new(
            EventType::CaseOverdue,
            &format!("{id}#overdue"),
            now,
            case["contact_id"].as_str(),
            json!({ "case": case }),
        ))
        .await?;
    alert(deps, &case).await?;
    let marked = work::overdue_told(&deps.dynamodb, &deps.watch.cases_table, id, now).await?;
    tracing::info!(case_id = %id, marked, "overdue case told");
    Ok(marked)
}

/// The support address's second alert: the case is late.
async fn alert(deps: &Deps, case: &serde_json::Value) -> Result<(), Error> {
    let text = |data: String| {
        Content::builder()
            .data(data)
            .charset("UTF-8")
            .build()
            .map_err(|e| Error::caused("email content", e))
    };
    let subject = format!(
        "[{}] Overdue: {} on {}",
        case["priority"].as_str().unwrap_or("P3"),
        case["id"].as_str().unwrap_or_default(),
        case["platform"].as_str().unwrap_or("a platform"),
    );
    let body = format!(
        "This case is past its SLA and still open.\n\nCase: {}\nDue: {}\nAssignee: {}\nWhere: {}\n\n{}\n",
        case["id"].as_str().unwrap_or_default(),
        case["due_at"].as_str().unwrap_or("-"),
        case["assignee"].as_str().unwrap_or("nobody yet"),
        case["permalink"].as_str().unwrap_or("(no link)"),
        case["text"].as_str().unwrap_or_default(),
    );
    deps.ses
        .send_email()
        .source(&deps.sender)
        .configuration_set_name(&deps.configuration_set)
        .destination(
            Destination::builder()
                .to_addresses(&deps.watch.support_address)
                .build(),
        )
        .message(
            Message::builder()
                .subject(text(subject)?)
                .body(Body::builder().text(text(body)?).build())
                .build(),
        )
        .send()
        .await
        .map_err(|e| Error::from_sdk("SES SendEmail", e).transient())?;
    Ok(())
}
