//! A decision for each contribution that arrived held for moderation (a pending WordPress
//! comment, a hidden Discourse post): approve, hold for a person, or spam, with its reasons.
//! Staff see and change it through `/admin/moderation`; a source with a moderation
//! callback URL is told each decision as a signed webhook (`shared::contracts::moderation`).

use chrono::{DateTime, Utc};
use shared::contracts::events::{Contribution, ModerationState};

use crate::classify::{Classification, Label};

pub use shared::contracts::moderation::{Decision, Moderation};

/// Below this confidence, nothing is approved or marked spam without a person.
const SURE: f32 = 0.7;

/// `None` for a contribution that was not held.
pub fn decide(
    contribution: &Contribution,
    classification: &Classification,
    now: DateTime<Utc>,
) -> Option<Moderation> {
    if contribution.moderation != ModerationState::Pending {
        return None;
    }
    let sure = classification.confidence >= SURE;
    let label = classification.label.as_str();
    let (decision, reason) = match classification.label {
        Label::Spam if sure => (Decision::Spam, format!("classified {label}")),
        Label::Incident => (
            Decision::Hold,
            "an incident: answer it privately first".to_string(),
        ),
        _ if !sure => (
            Decision::Hold,
            format!(
                "classified {label} with confidence {:.2}",
                classification.confidence
            ),
        ),
        Label::Spam => (Decision::Hold, "probably spam".to_string()),
        _ => (Decision::Approve, format!("classified {label}")),
    };
    let mut reasons = vec![reason];
    reasons.extend(classification.cues.iter().take(5).cloned());
    Some(Moderation {
        decision,
        reasons,
        decided_at: now,
        decided_by: "liaison".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::contracts::events::Author;

    fn held(moderation: ModerationState) -> Contribution {
        crate::test_support::contribution(Author::default(), None, moderation)
    }

    fn class(label: Label, confidence: f32) -> Classification {
        Classification {
            label,
            confidence,
            cues: vec![format!("{}:cue", label.as_str())],
            source: Default::default(),
        }
    }

    #[test]
    fn held_comments_should_get_a_decision_with_reasons() {
        let now = Utc::now();
        let pending = held(ModerationState::Pending);
        let d = |label, confidence| {
            decide(&pending, &class(label, confidence), now)
                .unwrap()
                .decision
        };
        assert_eq!(d(Label::Spam, 0.9), Decision::Spam);
        assert_eq!(d(Label::Spam, 0.55), Decision::Hold);
        assert_eq!(d(Label::Incident, 0.99), Decision::Hold);
        assert_eq!(d(Label::Praise, 0.9), Decision::Approve);
        assert_eq!(d(Label::Question, 0.6), Decision::Hold);
        let m = decide(&pending, &class(Label::Praise, 0.9), now).unwrap();
        assert_eq!(m.reasons, ["classified praise", "praise:cue"]);
        assert_eq!(m.decided_by, "liaison");
    }

    #[test]
    fn published_contributions_should_need_no_decision() {
        assert!(decide(
            &held(ModerationState::Published),
            &class(Label::Spam, 0.99),
            Utc::now()
        )
        .is_none());
    }
}
