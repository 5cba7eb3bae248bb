//! Where a classified contribution goes: an incident opens a case for customer service
//! (priority, SLA), a purchase intent an opportunity for sales. Pure decisions here; the
//! writes and sends are in `cases`.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use shared::events::Contribution;

use crate::classify::{Classification, Label};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Priority {
    P1,
    P2,
    P3,
}

impl Priority {
    /// How long customer service has before the case is late.
    pub fn sla(self) -> Duration {
        match self {
            Priority::P1 => Duration::hours(1),
            Priority::P2 => Duration::hours(4),
            Priority::P3 => Duration::hours(24),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Route {
    Case {
        priority: Priority,
        due_at: DateTime<Utc>,
    },
    Opportunity,
    Nothing,
}

/// Followers from which an author's incident is seen by many.
const WIDE_REACH: u64 = 10_000;

/// Cues that make an incident urgent whatever else: safety and money taken.
const URGENT_CUES: [&str; 12] = [
    "burn",
    "brule",
    "dangerous",
    "dangereu",
    "overheat",
    "surchauff",
    "sparks",
    "court circuit",
    "allerg",
    "charged twice",
    "debite deux fois",
    "gonfle",
];

pub fn route(
    classification: &Classification,
    contribution: &Contribution,
    now: DateTime<Utc>,
) -> Route {
    match classification.label {
        Label::Incident => {
            let priority = priority(classification, contribution);
            Route::Case {
                priority,
                due_at: now + priority.sla(),
            }
        }
        Label::PurchaseIntent => Route::Opportunity,
        _ => Route::Nothing,
    }
}

/// P1: urgent cues, an author with a wide reach, or a 1-star review; P3: an incident the
/// classifier is unsure of; P2 otherwise.
pub fn priority(classification: &Classification, contribution: &Contribution) -> Priority {
    let urgent = classification
        .cues
        .iter()
        .any(|cue| URGENT_CUES.iter().any(|u| cue.contains(u)));
    let wide_reach = contribution.author.followers.unwrap_or(0) >= WIDE_REACH;
    if urgent || wide_reach || contribution.rating == Some(1) {
        Priority::P1
    } else if classification.confidence < 0.6 {
        Priority::P3
    } else {
        Priority::P2
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::events::{Author, ModerationState};

    fn contribution(followers: Option<u64>, rating: Option<u8>) -> Contribution {
        crate::test_support::contribution(
            Author {
                followers,
                ..Author::default()
            },
            rating,
            ModerationState::Published,
        )
    }

    fn classification(label: Label, confidence: f32, cues: &[&str]) -> Classification {
        Classification {
            label,
            confidence,
            cues: cues.iter().map(|c| c.to_string()).collect(),
        }
    }

    #[test]
    fn incidents_should_open_cases_with_an_sla_and_intents_opportunities() {
        let now: DateTime<Utc> = "2026-11-23T10:00:00Z".parse().unwrap();
        let case = route(
            &classification(Label::Incident, 0.8, &["incident:casse"]),
            &contribution(None, None),
            now,
        );
        assert_eq!(
            case,
            Route::Case {
                priority: Priority::P2,
                due_at: now + Duration::hours(4)
            }
        );
        assert_eq!(
            route(
                &classification(Label::PurchaseIntent, 0.8, &[]),
                &contribution(None, None),
                now
            ),
            Route::Opportunity
        );
        assert_eq!(
            route(
                &classification(Label::Praise, 0.9, &[]),
                &contribution(None, None),
                now
            ),
            Route::Nothing
        );
    }

    #[test]
    fn safety_reach_and_one_star_should_be_p1_and_doubt_p3() {
        let c = contribution(None, None);
        assert_eq!(
            priority(
                &classification(Label::Incident, 0.9, &["incident:brule"]),
                &c
            ),
            Priority::P1
        );
        assert_eq!(
            priority(
                &classification(Label::Incident, 0.9, &[]),
                &contribution(Some(50_000), None)
            ),
            Priority::P1
        );
        assert_eq!(
            priority(
                &classification(Label::Incident, 0.9, &[]),
                &contribution(None, Some(1))
            ),
            Priority::P1
        );
        assert_eq!(
            priority(&classification(Label::Incident, 0.55, &[]), &c),
            Priority::P3
        );
    }
}
