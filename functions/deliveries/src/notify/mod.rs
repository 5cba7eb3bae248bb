//! People told at once: an opportunity, a call-me-back request (with the number to dial and
//! when), an incident or a question (and either once late), as an email, a Slack message or a Teams card, through the same
//! lanes, retries and log as every delivery. What it says is written once ([`Notice`]) and
//! rendered per channel.

mod chat;
mod email;

use chrono::{DateTime, Utc};
use serde_json::Value;
use shared::contracts::deliveries::endpoints::{Endpoint, Kind};
use shared::contracts::deliveries::store::Recorded;
use shared::contracts::deliveries::EventType;
use shared::relaunch::callbacks::Slot;

use crate::attempt::Tried;
use crate::Deps;

/// The most of a person's text a notification quotes.
const QUOTED_CHARS: usize = 500;

/// What a notification says, whatever the channel.
#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    pub title: String,
    /// What the person wrote, quoted.
    pub quote: Option<String>,
    /// Label and value pairs (the phone number, the due time...).
    pub facts: Vec<(&'static str, String)>,
    /// Where to see it.
    pub link: Option<String>,
}

pub async fn deliver(
    deps: &Deps,
    endpoint: &Endpoint,
    event: &Recorded,
    now: DateTime<Utc>,
) -> Tried {
    let notice = match crate::api::payload(event) {
        Ok(payload) => notice(event.kind, &payload["data"]),
        Err(unreadable) => {
            return Tried::refused(now, unreadable.error.unwrap_or_default());
        }
    };
    match endpoint.kind {
        Kind::Email => email::send(deps, endpoint, &notice, now).await,
        _ => chat::post(deps, endpoint, &notice, now).await,
    }
}

/// What `kind` with `data` tells people.
pub fn notice(kind: EventType, data: &Value) -> Notice {
    let text = |v: &Value| v.as_str().map(str::to_string);
    let quote = |v: &Value| {
        v.as_str()
            .map(|t| t.chars().take(QUOTED_CHARS).collect::<String>())
    };
    let author = |data: &Value| {
        ["name", "handle"]
            .iter()
            .find_map(|k| data["author"][*k].as_str())
            .map(str::to_string)
    };
    let mut facts = Vec::new();
    let mut push = |label: &'static str, value: Option<String>| {
        if let Some(value) = value.filter(|v| !v.is_empty()) {
            facts.push((label, value));
        }
    };
    match kind {
        EventType::OpportunityOpened => {
            let item = &data["opportunity"];
            push("Author", author(data));
            push("Email", text(&data["author"]["email"]));
            push("Opportunity", text(&item["id"]));
            Notice {
                title: format!(
                    "New purchase intent on {}",
                    item["platform"].as_str().unwrap_or("a platform")
                ),
                quote: quote(&item["text"]),
                facts,
                link: text(&item["permalink"]),
            }
        }
        EventType::CallbackRequested => {
            let item = &data["callback"];
            push("Phone", text(&item["phone"]));
            push(
                "When",
                item["slot"]
                    .as_str()
                    .and_then(Slot::parse)
                    .map(|s| s.label().to_string()),
            );
            push("Campaign", text(&item["campaign_id"]));
            push("Cart", text(&item["cart_id"]));
            Notice {
                title: "A buyer asks to be called back".into(),
                quote: None,
                facts,
                link: None,
            }
        }
        EventType::CaseOpened
        | EventType::CaseOverdue
        | EventType::QuestionOpened
        | EventType::QuestionOverdue => {
            let (key, what) = match kind {
                EventType::CaseOpened | EventType::CaseOverdue => ("case", "Incident".to_string()),
                _ => {
                    let owner = data["question"]["owner"].as_str().unwrap_or("support");
                    ("question", format!("Question for {owner}"))
                }
            };
            let item = &data[key];
            let overdue = matches!(kind, EventType::CaseOverdue | EventType::QuestionOverdue);
            push("Author", author(data));
            push("Due", text(&item["due_at"]));
            if overdue {
                push(
                    "Assignee",
                    Some(text(&item["assignee"]).unwrap_or_else(|| "nobody yet".into())),
                );
            }
            push(
                if key == "case" { "Case" } else { "Question" },
                text(&item["id"]),
            );
            Notice {
                title: format!(
                    "[{}] {}{} on {}",
                    item["priority"].as_str().unwrap_or("P3"),
                    if overdue { "Overdue: " } else { "" },
                    what,
                    item["platform"].as_str().unwrap_or("a platform")
                ),
                quote: quote(&item["text"]),
                facts,
                link: text(&item["permalink"]),
            }
        }
        other => Notice {
            title: match other {
                EventType::WebhookTest => {
                    "A test from Liaison: this channel receives its notifications".into()
                }
                other => format!("Liaison: {}", other.as_str()),
            },
            quote: None,
            facts,
            link: None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_callback_should_tell_the_number_to_dial_and_when() {
        let notice = notice(
            EventType::CallbackRequested,
            &json!({"callback": {"id": "cb_1", "phone": "+33612345678", "slot": "evening",
                                 "campaign_id": "cmp_1", "cart_id": ""}}),
        );
        assert_eq!(notice.title, "A buyer asks to be called back");
        assert_eq!(notice.facts[0], ("Phone", "+33612345678".to_string()));
        assert!(notice.facts[1].1.contains("Evening"));
        assert_eq!(notice.facts.len(), 3, "an empty cart id is left out");
    }

    #[test]
    fn an_opportunity_should_quote_what_was_written_and_link_to_it() {
        let notice = notice(
            EventType::OpportunityOpened,
            &json!({"opportunity": {"id": "opp_1", "platform": "x", "text": "t".repeat(900),
                                    "permalink": "https://x.com/a/status/1"},
                    "author": {"name": null, "handle": "ada", "email": null}}),
        );
        assert_eq!(notice.title, "New purchase intent on x");
        assert_eq!(notice.quote.unwrap().chars().count(), QUOTED_CHARS);
        assert_eq!(notice.facts[0], ("Author", "ada".to_string()));
        assert_eq!(notice.link.as_deref(), Some("https://x.com/a/status/1"));
    }

    #[test]
    fn a_late_question_should_name_its_owner_and_its_assignee() {
        let notice = notice(
            EventType::QuestionOverdue,
            &json!({"question": {"id": "qst_1", "platform": "discourse", "owner": "marketing",
                                 "priority": "P3", "due_at": "2026-12-07T10:00:00Z",
                                 "text": "Do you ship to Canada?"}}),
        );
        assert_eq!(
            notice.title,
            "[P3] Overdue: Question for marketing on discourse"
        );
        assert_eq!(notice.facts[1], ("Assignee", "nobody yet".to_string()));
        assert_eq!(notice.facts[2], ("Question", "qst_1".to_string()));
        assert_eq!(notice.quote.as_deref(), Some("Do you ship to Canada?"));
    }
}
