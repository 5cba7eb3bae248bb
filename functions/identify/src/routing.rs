//! Where a classified contribution goes: an incident opens a case for customer service
//! (priority, SLA), a purchase intent an opportunity for sales, a question joins the
//! questions queue of its owner (customer service unless a brand rule names marketing;
//! P3, a day, unless a rule gives a priority), unless a brand rule routes it elsewhere.
//! Whatever a journalist writes (but spam) goes to the press owner's queue instead (P2,
//! four hours: press has deadlines), never a customer-service case in their name, unless a
//! rule routes it nowhere. A blogger's or an association's praise, question or anything
//! else but an incident, a purchase intent or spam goes to the community manager (the
//! marketing questions queue), with their audience shown on the item; their incident still
//! opens a case (they are customers too), their purchase intent an opportunity.
//! Pure decisions here; the writes and sends are in `cases`.

use chrono::{DateTime, Utc};
use shared::contracts::contacts::scores;
use shared::contracts::events::{Contribution, ContributionAction};
use shared::contracts::sources::Platform;

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

/// The audience from which an author's incident is seen by many: 10,000 followers or
/// subscribers, a reach of 67 (`scores::audience_scale`). A forum member, a reviewer or a
/// blog reaches it only at the top of their own scales (a forum leader liked ten thousand
/// times), never on a trust level alone.
const WIDE_AUDIENCE: u64 = 10_000;

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

/// A voice heard by an audience of its own, whom the community manager answers
/// (`crate::types::voice_of`: the contact's type, or what detection sees while staff have
/// not settled it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Voice {
    Blogger,
    Association,
}

/// Who wrote the contribution, as far as routing cares.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Writer {
    /// The contact's influence, 0 to 100 (`scores::influence`).
    pub influence: f64,
    /// How widely they are heard, 0 to 100 before their type ([`reach`]).
    pub reach: f64,
    /// Staff (or detection) said they are a journalist: the press owner answers them.
    pub journalist: bool,
    /// A blogger or an association: marketing answers what is not an incident.
    pub voice: Option<Voice>,
}

/// The author's reach for routing: the widest of what this contribution's platform says of
/// their audience (`scores::reach`: a first comment from a large channel counts at once,
/// before any profile keeps it) and what their profile keeps (`kept`). A follower or
/// subscriber count is heard as it is, whoever passed it on: 10,000 followers are 10,000
/// people, even when a generic sender's count weighs less in the influence.
pub fn reach(contribution: &Contribution, platform: Platform, kept: f64) -> f64 {
    let audience = &contribution.author.audience;
    let counted = audience
        .followers
        .max(audience.subscribers)
        .map_or(0.0, scores::audience_scale);
    scores::reach(audience, platform)
        .map_or(0.0, |m| m.reach)
        .max(counted)
        .max(kept)
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
        Label::Praise | Label::Other if author.voice.is_some() => RouteTo::Question,
        _ => RouteTo::Nothing,
    };
    // The community manager answers bloggers and associations, unless a rule names an owner.
    let owner = match author.voice {
        Some(_) => Team::Marketing,
        None => Team::Support,
    };
    match rules.route.unwrap_or(by_label) {
        RouteTo::Case => {
            let priority = rules
                .priority
                .unwrap_or_else(|| priority(classification, contribution, author));
            Route::Case {
                priority,
                due_at: now + priority.sla(),
            }
        }
        RouteTo::Opportunity => Route::Opportunity,
        RouteTo::Question => {
            let priority = rules.priority.unwrap_or(QUESTION_PRIORITY);
            Route::Question {
                owner: rules.owner.unwrap_or(owner),
                priority,
                due_at: now + priority.sla(),
            }
        }
        RouteTo::Nothing => Route::Nothing,
    }
}

/// Influence (0 to 100) from which an author is heard widely (`scores::influence`).
const INFLUENTIAL: f64 = 60.0;

/// P1: urgent cues, an author with a wide reach (an audience of 10,000 on any platform, or
/// the contact's influence), or a 1-star review; P3: an incident the classifier is unsure
/// of; P2 otherwise.
pub fn priority(
    classification: &Classification,
    contribution: &Contribution,
    author: Writer,
) -> Priority {
    let urgent = classification
        .cues
        .iter()
        .any(|cue| URGENT_CUES.iter().any(|u| cue.contains(u)));
    let wide_reach =
        author.reach >= scores::audience_scale(WIDE_AUDIENCE) || author.influence >= INFLUENTIAL;
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
    use shared::contracts::events::{Audience, Author, ModerationState};

    fn contribution(followers: Option<u64>, rating: Option<u8>) -> Contribution {
        crate::test_support::contribution(
            Author {
                audience: Audience {
                    followers,
                    ..Audience::default()
                },
                ..Author::default()
            },
            rating,
            ModerationState::Published,
        )
    }

    /// The writer of `c` on `platform`, whose profile keeps `kept` and `influence`.
    fn writer(c: &Contribution, platform: Platform, kept: f64, influence: f64) -> Writer {
        Writer {
            influence,
            reach: reach(c, platform, kept),
            journalist: false,
            voice: None,
        }
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
            reach: 0.0,
            journalist: true,
            voice: None,
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
        let nobody = Writer::default();
        assert_eq!(
            priority(
                &classification(Label::Incident, 0.9, &["incident:brule"]),
                &c,
                nobody
            ),
            Priority::P1
        );
        let followed = contribution(Some(50_000), None);
        assert_eq!(
            priority(
                &classification(Label::Incident, 0.9, &[]),
                &followed,
                writer(&followed, Platform::X, 0.0, 0.0)
            ),
            Priority::P1
        );
        assert_eq!(
            priority(
                &classification(Label::Incident, 0.9, &[]),
                &contribution(None, Some(1)),
                nobody
            ),
            Priority::P1
        );
        assert_eq!(
            priority(&classification(Label::Incident, 0.55, &[]), &c, nobody),
            Priority::P3
        );
    }

    #[test]
    fn an_influential_contact_should_make_an_incident_p1() {
        let c = contribution(None, None);
        let incident = classification(Label::Incident, 0.9, &[]);
        let of = |influence| writer(&c, Platform::X, 0.0, influence);
        assert_eq!(priority(&incident, &c, of(59.0)), Priority::P2);
        assert_eq!(priority(&incident, &c, of(75.0)), Priority::P1);
    }

    #[test]
    fn a_wide_audience_on_any_platform_should_make_an_incident_p1() {
        let incident = classification(Label::Incident, 0.9, &[]);
        let with = |audience: Audience| {
            crate::test_support::contribution(
                Author {
                    audience,
                    ..Author::default()
                },
                None,
                ModerationState::Published,
            )
        };
        // A YouTube channel of 120,000 subscribers, on its first comment.
        let channel = with(Audience {
            subscribers: Some(120_000),
            ..Audience::default()
        });
        let on_youtube = writer(&channel, Platform::YouTube, 0.0, 0.0);
        assert_eq!(priority(&incident, &channel, on_youtube), Priority::P1);
        // A small channel: not on its own, but yes when the profile keeps a wide reach
        // measured elsewhere.
        let small = with(Audience {
            subscribers: Some(800),
            ..Audience::default()
        });
        assert_eq!(
            priority(
                &incident,
                &small,
                writer(&small, Platform::YouTube, 0.0, 0.0)
            ),
            Priority::P2
        );
        assert_eq!(
            priority(
                &incident,
                &small,
                writer(&small, Platform::YouTube, 80.0, 0.0)
            ),
            Priority::P1
        );
        // 50,000 followers passed on by a generic sender are still 50,000 people.
        let passed_on = with(Audience {
            followers: Some(50_000),
            ..Audience::default()
        });
        let sender = writer(&passed_on, Platform::StandardWebhooks, 0.0, 0.0);
        assert_eq!(priority(&incident, &passed_on, sender), Priority::P1);
        // A forum regular is heard, not by many: reach above zero, priority unchanged.
        let regular = with(Audience {
            trust_level: Some(3),
            ..Audience::default()
        });
        let member = writer(&regular, Platform::Discourse, 0.0, 0.0);
        assert!(member.reach > 0.0);
        assert_eq!(priority(&incident, &regular, member), Priority::P2);
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

    #[test]
    fn a_bloggers_or_associations_words_should_reach_marketing_and_their_incident_a_case() {
        let now: DateTime<Utc> = "2026-11-23T10:00:00Z".parse().unwrap();
        let marketing = Route::Question {
            owner: Team::Marketing,
            priority: Priority::P3,
            due_at: now + Duration::hours(24),
        };
        for voice in [Voice::Blogger, Voice::Association] {
            let writer = Writer {
                voice: Some(voice),
                ..Writer::default()
            };
            let routed = |label, rules: &Outcome| {
                let said = classification(label, 0.9, &[]);
                route(&said, &contribution(None, None), writer, rules, now)
            };
            let none = Outcome::default();
            for label in [Label::Praise, Label::Question, Label::Other] {
                assert_eq!(routed(label, &none), marketing, "{voice:?} {label:?}");
            }
            // A customer too: the incident is customer service's case; sales keep the intent.
            assert!(matches!(
                routed(Label::Incident, &none),
                Route::Case {
                    priority: Priority::P2,
                    ..
                }
            ));
            assert_eq!(routed(Label::PurchaseIntent, &none), Route::Opportunity);
            assert_eq!(routed(Label::Spam, &none), Route::Nothing);
            // The brand's rules still decide where they say.
            let support = Outcome {
                owner: Some(Team::Support),
                ..Outcome::default()
            };
            assert!(matches!(
                routed(Label::Question, &support),
                Route::Question {
                    owner: Team::Support,
                    ..
                }
            ));
            let quiet = Outcome {
                route: Some(RouteTo::Nothing),
                ..Outcome::default()
            };
            assert_eq!(routed(Label::Praise, &quiet), Route::Nothing);
        }
        // Anyone else's praise opens nothing.
        let praise = classification(Label::Praise, 0.9, &[]);
        let rules = Outcome::default();
        let routed = route(
            &praise,
            &contribution(None, None),
            Writer::default(),
            &rules,
            now,
        );
        assert_eq!(routed, Route::Nothing);
    }
}
