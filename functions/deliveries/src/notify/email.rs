//! A notice as a plain-text email from the brand's sender (SES `SendEmail`, through the
//! configuration set, like every email Liaison sends) to the endpoint's address.

use aws_sdk_ses::error::ProvideErrorMetadata;
use chrono::{DateTime, Utc};
use shared::contracts::deliveries::endpoints::Endpoint;
use shared::contracts::deliveries::schedule::Outcome;
use shared::contracts::deliveries::store::Attempt;

use super::Notice;
use crate::attempt::Tried;
use crate::Deps;

pub async fn send(deps: &Deps, endpoint: &Endpoint, notice: &Notice, now: DateTime<Utc>) -> Tried {
    let Some(to) = endpoint.account.as_deref() else {
        return Tried::refused(now, "the endpoint has no address".into());
    };
    let Ok(message) = shared::contracts::plain_email::text_message(&notice.title, &body(notice))
    else {
        return Tried::refused(now, "the email could not be built".into());
    };
    let started = std::time::Instant::now();
    let sent = deps.outbox.request(to, message).send().await;
    let latency_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    let (outcome, error, response) = match sent {
        Ok(out) => (
            Outcome::Delivered,
            None,
            format!("SES message {}", out.message_id()),
        ),
        Err(e) => {
            let e = e.into_service_error();
            // A rejected message or an unverified sender cannot succeed by trying again.
            let refused = matches!(
                e.code(),
                Some(
                    "MessageRejected"
                        | "MailFromDomainNotVerifiedException"
                        | "ConfigurationSetDoesNotExistException"
                )
            );
            let outcome = if refused {
                Outcome::Refused
            } else {
                Outcome::TryAgain
            };
            (
                outcome,
                Some(format!("SES: {}", e.code().unwrap_or("unknown error"))),
                String::new(),
            )
        }
    };
    Tried {
        attempt: Attempt {
            at: now,
            status: None,
            error,
            latency_ms,
            response,
        },
        outcome,
        retry_after: None,
    }
}

/// The text: the quote, the facts, the link.
pub fn body(notice: &Notice) -> String {
    let mut body = format!("{}\n\n", notice.title);
    if let Some(quote) = &notice.quote {
        for line in quote.lines() {
            body.push_str(&format!("> {line}\n"));
        }
        body.push('\n');
    }
    for (label, value) in &notice.facts {
        body.push_str(&format!("{label}: {value}\n"));
    }
    if let Some(link) = &notice.link {
        body.push_str(&format!("\n{link}\n"));
    }
    body.push_str("\n-- \nLiaison\n");
    body
}
