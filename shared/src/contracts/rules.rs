//! Brand rules (`/admin/rules`), applied to a contribution before the built-in classifier,
//! like the automated rules of the social inboxes: when its text has one of some keywords
//! or matches a pattern, on some platforms, from an author of some influence, then give it a
//! label, a tag, a priority or a route.
//!
//! This module holds what admin stores and validates and identify evaluates: the rule, the
//! labels and the priorities. Patterns are `regex-lite` expressions: the syntax of the
//! `regex` crate without its Unicode tables (a tenth of its size in a binary), and the same
//! guarantee that matters for patterns typed by staff: matching runs in time linear in the
//! text, so no pattern can stall the function.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::contracts::sources::Platform;
use crate::Error;

/// What a contribution is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Label {
    Incident,
    PurchaseIntent,
    Question,
    Praise,
    Spam,
    Other,
}

impl Label {
    pub const ALL: [Label; 6] = [
        Label::Incident,
        Label::PurchaseIntent,
        Label::Question,
        Label::Praise,
        Label::Spam,
        Label::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Label::Incident => "incident",
            Label::PurchaseIntent => "purchase_intent",
            Label::Question => "question",
            Label::Praise => "praise",
            Label::Spam => "spam",
            Label::Other => "other",
        }
    }

    pub fn parse(name: &str) -> Option<Label> {
        Label::ALL.into_iter().find(|l| l.as_str() == name)
    }
}

/// A case's urgency; each has its SLA.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Priority {
    P1,
    P2,
    P3,
}

impl Priority {
    /// How long customer service has before the case is late.
    pub fn sla(self) -> chrono::Duration {
        match self {
            Priority::P1 => chrono::Duration::hours(1),
            Priority::P2 => chrono::Duration::hours(4),
            Priority::P3 => chrono::Duration::hours(24),
        }
    }
}

/// Where a rule sends a contribution, whatever its label would.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RouteTo {
    Case,
    Opportunity,
    /// The questions queue, for its owner (`then.owner`, else customer service).
    Question,
    Nothing,
}

/// Who answers a question: customer service (how do I, where is my order) or marketing
/// (what the brand sells, its offers, its partners), as a brand's rule says; and the
/// brand's press owner, who gets whatever a journalist writes (never customer service).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Team {
    #[default]
    Support,
    Marketing,
    Press,
}

impl Team {
    pub fn as_str(self) -> &'static str {
        match self {
            Team::Support => "support",
            Team::Marketing => "marketing",
            Team::Press => "press",
        }
    }

    pub fn parse(name: &str) -> Option<Team> {
        [Team::Support, Team::Marketing, Team::Press]
            .into_iter()
            .find(|t| t.as_str() == name)
    }
}

/// What must hold for a rule to apply: every condition given (at least one of keywords
/// or pattern).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct When {
    /// Any of these words or phrases, matched on whole words without regard to case or
    /// accents (`probleme` matches "Problème").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<String>,
    /// A regular expression, matched case-insensitively on the text as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    /// Only contributions from these platforms; all when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub platforms: Vec<Platform>,
    /// Only authors of at least this influence (0 to 100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_influence: Option<f64>,
}

/// What a rule does; at least one.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Then {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<Label>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<Priority>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route: Option<RouteTo>,
    /// Who owns the question it is (routed by its label or by `route: question`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<Team>,
}

/// A rule as staff write it (`POST` and `PUT /admin/rules`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    pub name: String,
    /// Rules apply lowest first; the first that gives a label, priority or route decides
    /// it; tags add up.
    #[serde(default)]
    pub order: i32,
    #[serde(default = "enabled")]
    pub enabled: bool,
    pub when: When,
    pub then: Then,
}

fn enabled() -> bool {
    true
}

/// A stored rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rule {
    pub id: String,
    #[serde(flatten)]
    pub spec: RuleSpec,
    pub updated_at: DateTime<Utc>,
    pub updated_by: String,
}

pub const MAX_KEYWORDS: usize = 100;
pub const MAX_PATTERN_LEN: usize = 500;
/// Compiled-program size cap: a pattern such as `(a{1000}){1000}` is refused, not built.
pub const PATTERN_SIZE_LIMIT: usize = 256 * 1024;

/// The pattern as matched: case-insensitive, within the size cap.
pub fn compile_pattern(pattern: &str) -> Result<regex_lite::Regex, regex_lite::Error> {
    regex_lite::RegexBuilder::new(pattern)
        .case_insensitive(true)
        .size_limit(PATTERN_SIZE_LIMIT)
        .nest_limit(50)
        .build()
}

impl RuleSpec {
    /// Every problem a 400 names, before anything is stored.
    pub fn validate(&self) -> Result<(), Error> {
        if self.name.trim().is_empty() || self.name.len() > 200 {
            return Err(Error::validation("name", "1 to 200 characters"));
        }
        let when = &self.when;
        if when.keywords.is_empty() && when.pattern.is_none() {
            return Err(Error::validation(
                "when",
                "give keywords or a pattern to match",
            ));
        }
        if when.keywords.len() > MAX_KEYWORDS {
            return Err(Error::validation(
                "when.keywords",
                format!("at most {MAX_KEYWORDS}"),
            ));
        }
        if when
            .keywords
            .iter()
            .any(|k| k.trim().is_empty() || k.len() > 100)
        {
            return Err(Error::validation(
                "when.keywords",
                "each keyword is 1 to 100 characters",
            ));
        }
        if let Some(pattern) = &when.pattern {
            if pattern.len() > MAX_PATTERN_LEN {
                return Err(Error::validation(
                    "when.pattern",
                    format!("at most {MAX_PATTERN_LEN} characters"),
                ));
            }
            compile_pattern(pattern)
                .map_err(|e| Error::validation("when.pattern", format!("not a pattern: {e}")))?;
        }
        if let Some(min) = when.min_influence {
            // DynamoDB keeps no number closer to 0 than 1e-130: refused here, not a 500 there.
            if !(0.0..=100.0).contains(&min) || (min != 0.0 && min < 1e-130) {
                return Err(Error::validation("when.min_influence", "0 to 100"));
            }
        }
        let then = &self.then;
        if then.label.is_none()
            && then.tag.is_none()
            && then.priority.is_none()
            && then.route.is_none()
            && then.owner.is_none()
        {
            return Err(Error::validation(
                "then",
                "give a label, tag, priority, route or owner",
            ));
        }
        if let Some(tag) = &then.tag {
            let ok = !tag.is_empty()
                && tag.len() <= 50
                && tag
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '-' || c == '_');
            if !ok {
                return Err(Error::validation(
                    "then.tag",
                    "1 to 50 letters, digits, - or _",
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(json: serde_json::Value) -> Result<(), Error> {
        let spec: RuleSpec =
            serde_json::from_value(json).map_err(|e| Error::Internal(e.to_string()))?;
        spec.validate()
    }

    #[test]
    fn a_complete_rule_should_be_valid() {
        spec(serde_json::json!({
            "name": "Broken lids are P1",
            "when": {"keywords": ["couvercle", "lid"], "pattern": "cass(e|é)", "platforms": ["wordpress"], "min_influence": 20},
            "then": {"label": "incident", "tag": "lids", "priority": "P1", "route": "case", "owner": "marketing"}
        }))
        .unwrap();
    }

    #[test]
    fn rules_that_match_nothing_or_do_nothing_should_be_refused() {
        let err = |json| match spec(json) {
            Err(Error::Validation { field, .. }) => field.unwrap_or_default(),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            err(serde_json::json!({"name": "x", "when": {}, "then": {"tag": "t"}})),
            "when"
        );
        assert_eq!(
            err(serde_json::json!({"name": "x", "when": {"keywords": ["a"]}, "then": {}})),
            "then"
        );
        assert_eq!(
            err(
                serde_json::json!({"name": "x", "when": {"pattern": "(unclosed"}, "then": {"tag": "t"}})
            ),
            "when.pattern"
        );
        assert_eq!(
            err(
                serde_json::json!({"name": "x", "when": {"pattern": "(a{1000}){1000}"}, "then": {"tag": "t"}})
            ),
            "when.pattern"
        );
        assert_eq!(
            err(
                serde_json::json!({"name": "x", "when": {"keywords": ["a"], "min_influence": 101}, "then": {"tag": "t"}})
            ),
            "when.min_influence"
        );
        // Schemathesis's find: a number DynamoDB cannot keep was a 500.
        assert_eq!(
            err(
                serde_json::json!({"name": "x", "when": {"keywords": ["a"], "min_influence": 1.1125369292536007e-308}, "then": {"tag": "t"}})
            ),
            "when.min_influence"
        );
        assert_eq!(
            err(
                serde_json::json!({"name": "x", "when": {"keywords": ["a"]}, "then": {"tag": "two words"}})
            ),
            "then.tag"
        );
    }

    #[test]
    fn names_should_match_what_serde_writes() {
        for label in Label::ALL {
            assert_eq!(serde_json::to_value(label).unwrap(), label.as_str());
            assert_eq!(Label::parse(label.as_str()), Some(label));
        }
    }
}
