//! Where a classified contribution goes: an incident opens a case for customer service
//! (priority, SLA), a purchase intent an opportunity for sales, a question joins the
//! questions queue of its owner (customer service unless a brand rule names marketing;
//! P3, a day, unless a rule gives a priority), unless a brand rule routes it elsewhere.
//! Whatever a journalist writes (but spam) goes to the press owner's queue instead (P2,
//! four hours: press has deadlines), never a customer-service case in their name, unless a
//! rule routes it nowhere. Pure decisions here; the writes and sends are in `cases`.

use chrono::{DateTime, Utc};
use shared::contracts::events::{Contribution, ContributionAction};

use shared::contracts::rules::{RouteTo, Team};

use crate::classify::{Classification, Label};
use crate::rules::Outcome;

pub use shared::contracts::rules::Priority;

#[derive(Debug, Clone, PartialEq)]
pub enum Route {
    Case {
        priority: Priority,
        due_at: DateTime<Utc>,
    },
    Opportunity,
    Question {
        owner: Team,
        priority: Priority,
        due_at: DateTime<Utc>,
    },
    Nothing,
}

/// A question's priority when no rule gives one: answered within the day.
const QUESTION_PRIORITY: Priority = Priority::P3;

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

/// A journalist's contribution's priority when no rule gives one.
const PRESS_PRIORITY: Priority = Priority::P2;

/// Who wrote the contribution, as far as routing cares.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Writer {
    /// The contact's influence, 0 to 100 (`scores::influence`).
    pub influence: f64,
    /// Staff (or detection) said they are a journalist: the press owner answers them.
    pub journalist: bool,
}

/// Where the contribution goes: where a brand rule says, else by its label. A case's
/// priority is the rule's, else `priority`.
pub fn route(
    classification: &Classification,
    contribution: &Contribution,
    author: Writer,
    rules: &Outcome,
    now: DateTime<Utc>,
) -> Route {
    // Gone from the platform: nothing left to answer, whatever it said.
    if contribution.action == ContributionAction::Deleted {
        return Route::Nothing;
    }
    let influence = author.influence;
    if author.journalist
        && classification.label != Label::Spam
        && rules.route != Some(RouteTo::Nothing)
    {
        let priority = rules.priority.unwrap_or(PRESS_PRIORITY);
        return Route::Question {
            owner: Team::Press,
            priority,
            due_at: now + priority.sla(),
        };
    }
    let by_label = match classification.label {
        Label::Incident => RouteTo::Case,
        Label::PurchaseIntent => RouteTo::Opportunity,
        Label::Question => RouteTo::Question,
        _ => RouteTo::Nothing,
    };
    match rules.route.unwrap_or(by_label) {
        RouteTo::Case => {
            let priority = rules
                .priority
                .unwrap_or_else(|| priority(classification, contribution, influence));
            Route::Case {
                priority,
                due_at: now + priority.sla(),
            }
        }
        RouteTo::Opportunity => Route::Opportunity,
        RouteTo::Question => {
            let priority = rules.priority.unwrap_or(QUESTION_PRIORITY);
            Route::Question {
                owner: rules.owner.unwrap_or_default(),
                priority,
                due_at: now + priority.sla(),
            }
        }
        RouteTo::Nothing => Route::Nothing,
    }
}

/// Influence (0 to 100) from which an author is heard widely (`scores::influence`).
const INFLUENTIAL: f64 = 60.0;

/// P1: urgent cues, an author with a wide reach (followers on this contribution, or the
/// contact's influence), or a 1-star review; P3: an incident the classifier is unsure of;
/// P2 otherwise.
pub fn priority(
    classification: &Classification,
    contribution: &Contribution,
    influence: f64,
) -> Priority {
    let urgent = classification
        .cues
        .iter()
        .any(|cue| URGENT_CUES.iter().any(|u| cue.contains(u)));
    let wide_reach =
        contribution.author.followers.unwrap_or(0) >= WIDE_REACH || influence >= INFLUENTIAL;
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
    use chrono::Duration;
    use shared::contracts::events::{Author, ModerationState};

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
            source: Default::default(),
        }
    }

    #[test]
    fn a_deleted_contribution_should_open_nothing() {
        let now: DateTime<Utc> = "2026-11-23T10:00:00Z".parse().unwrap();
        let deleted = Contribution {
            action: ContributionAction::Deleted,
            ..contribution(None, None)
        };
        let incident = classification(Label::Incident, 0.9, &["incident:casse"]);
        assert_eq!(
            route(
                &incident,
                &deleted,
                Writer::default(),
                &Outcome::default(),
                now
            ),
            Route::Nothing
        );
    }

    #[test]
    fn incidents_should_open_cases_with_an_sla_and_intents_opportunities() {
        let now: DateTime<Utc> = "2026-11-23T10:00:00Z".parse().unwrap();
        let case = route(
            &classification(Label::Incident, 0.8, &["incident:casse"]),
            &contribution(None, None),
            Writer::default(),
            &Outcome::default(),
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
                Writer::default(),
                &Outcome::default(),
                now
            ),
            Route::Opportunity
        );
        assert_eq!(
            route(
                &classification(Label::Question, 0.8, &[]),
                &contribution(None, None),
                Writer::default(),
                &Outcome::default(),
                now
            ),
            Route::Question {
                owner: Team::Support,
                priority: Priority::P3,
                due_at: now + Duration::hours(24)
            }
        );
        assert_eq!(
            route(
                &classification(Label::Praise, 0.9, &[]),
                &contribution(None, None),
                Writer::default(),
                &Outcome::default(),
                now
            ),
            Route::Nothing
        );
    }

    #[test]
    fn whatever_a_journalist_writes_should_reach_the_press_owner_and_never_open_a_case() {
        let now: DateTime<Utc> = "2026-11-23T10:00:00Z".parse().unwrap();
        let journalist = Writer {
            influence: 70.0,
            journalist: true,
        };
        let press = Route::Question {
            owner: Team::Press,
            priority: Priority::P2,
            due_at: now + Duration::hours(4),
        };
        for label in [
            Label::Incident,
            Label::Question,
            Label::Praise,
            Label::PurchaseIntent,
        ] {
            let said = classification(label, 0.9, &["incident:casse"]);
            let rules = Outcome::default();
            let routed = route(&said, &contribution(None, None), journalist, &rules, now);
            assert_eq!(routed, press, "{label:?}");
        }
        // A rule may still raise the priority, or route it nowhere; spam stays spam.
        let urgent = Outcome {
            priority: Some(Priority::P1),
            route: Some(RouteTo::Case),
            ..Outcome::default()
        };
        let incident = classification(Label::Incident, 0.9, &[]);
        assert!(matches!(
            route(
                &incident,
                &contribution(None, None),
                journalist,
                &urgent,
                now
            ),
            Route::Question {
                owner: Team::Press,
                priority: Priority::P1,
                ..
            }
        ));
        let quiet = Outcome {
            route: Some(RouteTo::Nothing),
            ..Outcome::default()
        };
        assert_eq!(
            route(
                &incident,
                &contribution(None, None),
                journalist,
                &quiet,
                now
            ),
            Route::Nothing
        );
        let spam = classification(Label::Spam, 0.9, &[]);
        let rules = Outcome::default();
        let routed = route(&spam, &contribution(None, None), journalist, &rules, now);
        assert_eq!(routed, Route::Nothing);
    }

    #[test]
    fn safety_reach_and_one_star_should_be_p1_and_doubt_p3() {
        let c = contribution(None, None);
        assert_eq!(
            priority(
                &classification(Label::Incident, 0.9, &["incident:brule"]),
                &c,
                0.0
            ),
            Priority::P1
        );
        assert_eq!(
            priority(
                &classification(Label::Incident, 0.9, &[]),
                &contribution(Some(50_000), None),
                0.0
            ),
            Priority::P1
        );
        assert_eq!(
            priority(
                &classification(Label::Incident, 0.9, &[]),
                &contribution(None, Some(1)),
                0.0
            ),
            Priority::P1
        );
        assert_eq!(
            priority(&classification(Label::Incident, 0.55, &[]), &c, 0.0),
            Priority::P3
        );
    }

    #[test]
    fn an_influential_contact_should_make_an_incident_p1() {
        let c = contribution(None, None);
        let incident = classification(Label::Incident, 0.9, &[]);
        assert_eq!(priority(&incident, &c, 59.0), Priority::P2);
        assert_eq!(priority(&incident, &c, 75.0), Priority::P1);
    }

    #[test]
    fn a_rule_should_override_the_route_and_the_priority() {
        let now: DateTime<Utc> = "2026-11-23T10:00:00Z".parse().unwrap();
        let praise = classification(Label::Praise, 0.9, &[]);
        let rules = Outcome {
            route: Some(RouteTo::Case),
            priority: Some(Priority::P3),
            ..Outcome::default()
        };
        assert_eq!(
            route(
                &praise,
                &contribution(None, None),
                Writer::default(),
                &rules,
                now
            ),
            Route::Case {
                priority: Priority::P3,
                due_at: now + Duration::hours(24)
            }
        );
        let quiet = Outcome {
            route: Some(RouteTo::Nothing),
            ..Outcome::default()
        };
        let incident = classification(Label::Incident, 0.9, &[]);
        assert_eq!(
            route(
                &incident,
                &contribution(None, None),
                Writer::default(),
                &quiet,
                now
            ),
            Route::Nothing
        );
    }

    #[test]
    fn a_rule_should_give_a_question_its_owner_and_priority() {
        let now: DateTime<Utc> = "2026-11-23T10:00:00Z".parse().unwrap();
        let question = classification(Label::Question, 0.9, &[]);
        let marketing = Outcome {
            owner: Some(Team::Marketing),
            priority: Some(Priority::P2),
            ..Outcome::default()
        };
        assert_eq!(
            route(
                &question,
                &contribution(None, None),
                Writer::default(),
                &marketing,
                now
            ),
            Route::Question {
                owner: Team::Marketing,
                priority: Priority::P2,
                due_at: now + Duration::hours(4)
            }
        );
        // An owner alone routes nothing: a praise stays praise.
        let praise = classification(Label::Praise, 0.9, &[]);
        assert_eq!(
            route(
                &praise,
                &contribution(None, None),
                Writer::default(),
                &marketing,
                now
            ),
            Route::Nothing
        );
    }
}
