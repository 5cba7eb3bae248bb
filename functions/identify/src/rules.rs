//! Brand rules (`shared::contracts::rules`, stored in `SettingsTable` by `/admin/rules`) applied to a
//! contribution before the built-in classifier.
//!
//! Rules apply lowest `order` first. Every enabled rule whose conditions all hold adds its
//! tag; the first matching rule that gives a label decides the label, and likewise for the
//! priority and the route. A rule's label is certain (confidence 1) and its cue names the
//! rule, so staff see why.
//!
//! Rules are read with one Query and kept for a while (`settings::Cached`), not read for
//! every message.

use std::sync::Arc;
use std::time::Duration;

use crate::classify::text::fold;
use crate::settings::{Cached, Item};
use shared::contracts::rules::{compile_pattern, Label, Priority, RouteTo, Rule, Team};
use shared::contracts::sources::Platform;
use shared::Error;

/// A stored rule, ready to match.
#[derive(Debug)]
pub struct Compiled {
    pub rule: Rule,
    /// Folded, with a space at each end: whole words on folded text.
    keywords: Vec<String>,
    pattern: Option<regex_lite::Regex>,
}

impl Compiled {
    pub fn new(rule: Rule) -> Result<Compiled, regex_lite::Error> {
        let pattern = rule
            .spec
            .when
            .pattern
            .as_deref()
            .map(compile_pattern)
            .transpose()?;
        let keywords = rule.spec.when.keywords.iter().map(|k| fold(k)).collect();
        Ok(Compiled {
            rule,
            keywords,
            pattern,
        })
    }

    fn matches(&self, facts: &Facts<'_>) -> bool {
        let when = &self.rule.spec.when;
        if !when.platforms.is_empty() && !when.platforms.contains(&facts.platform) {
            return false;
        }
        if when.min_influence.is_some_and(|min| facts.influence < min) {
            return false;
        }
        let keyword = self.keywords.is_empty()
            || self
                .keywords
                .iter()
                .any(|k| facts.folded.contains(k.as_str()));
        let pattern = self.pattern.as_ref().is_none_or(|p| p.is_match(facts.text));
        keyword && pattern
    }
}

/// What the rules read of a contribution.
pub struct Facts<'a> {
    pub text: &'a str,
    /// `classify::text::fold(text)`.
    pub folded: &'a str,
    pub platform: Platform,
    /// The author's influence, 0 when unknown.
    pub influence: f64,
}

/// What the matching rules decided; `None` leaves it to the classifier and routing.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Outcome {
    /// The label and the id of the rule that gave it.
    pub label: Option<(Label, String)>,
    pub priority: Option<Priority>,
    pub route: Option<RouteTo>,
    /// Who owns it if it is a question.
    pub owner: Option<Team>,
    pub tags: Vec<String>,
    /// Every rule that matched, in order.
    pub matched: Vec<String>,
}

/// `rules` in the order they apply.
pub fn apply(rules: &[Compiled], facts: &Facts<'_>) -> Outcome {
    let mut outcome = Outcome::default();
    for compiled in rules.iter().filter(|c| c.rule.spec.enabled) {
        if !compiled.matches(facts) {
            continue;
        }
        let then = &compiled.rule.spec.then;
        let id = &compiled.rule.id;
        if outcome.label.is_none() {
            outcome.label = then.label.map(|l| (l, id.clone()));
        }
        outcome.priority = outcome.priority.or(then.priority);
        outcome.route = outcome.route.or(then.route);
        outcome.owner = outcome.owner.or(then.owner);
        if let Some(tag) = &then.tag {
            if !outcome.tags.contains(tag) {
                outcome.tags.push(tag.clone());
            }
        }
        outcome.matched.push(id.clone());
    }
    outcome
}

/// The partition of `SettingsTable` that holds the rules, one item per rule (`sk` = id).
pub const RULES_PK: &str = shared::contracts::settings::RULES;

/// The brand's rules in the order they apply.
pub struct RuleBook {
    cached: Cached<Vec<Compiled>>,
}

impl RuleBook {
    pub fn new(client: aws_sdk_dynamodb::Client, table: impl Into<String>, ttl: Duration) -> Self {
        RuleBook {
            cached: Cached::new(client, table, RULES_PK, ttl),
        }
    }

    pub async fn current(&self) -> Result<Arc<Vec<Compiled>>, Error> {
        self.cached.get(compile_all).await
    }
}

fn compile_all(items: Vec<Item>) -> Vec<Compiled> {
    let mut rules = Vec::new();
    for item in items {
        let rule: Result<Rule, _> = serde_dynamo::from_item(item);
        // Admin validated every rule it stored; one that no longer reads is skipped (and
        // said), never a reason to stop classifying.
        match rule.map(Compiled::new) {
            Ok(Ok(compiled)) => rules.push(compiled),
            Ok(Err(e)) => tracing::warn!(error = %e, "a stored rule's pattern does not compile"),
            Err(e) => tracing::warn!(error = %e, "a stored rule does not read"),
        }
    }
    rules.sort_by(|a, b| (a.rule.spec.order, &a.rule.id).cmp(&(b.rule.spec.order, &b.rule.id)));
    rules
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rule(id: &str, order: i32, spec: serde_json::Value) -> Compiled {
        let mut value = spec;
        value["id"] = json!(id);
        value["order"] = json!(order);
        value["updated_at"] = json!("2026-11-23T10:00:00Z");
        value["updated_by"] = json!("staff");
        Compiled::new(serde_json::from_value(value).unwrap()).unwrap()
    }

    fn facts<'a>(text: &'a str, folded: &'a str, platform: Platform, influence: f64) -> Facts<'a> {
        Facts {
            text,
            folded,
            platform,
            influence,
        }
    }

    fn outcome(rules: &[Compiled], text: &str, platform: Platform, influence: f64) -> Outcome {
        let folded = fold(text);
        apply(rules, &facts(text, &folded, platform, influence))
    }

    #[test]
    fn keywords_should_match_whole_words_whatever_the_accents_and_case() {
        let rules = [rule(
            "r1",
            0,
            json!({"name": "lids", "when": {"keywords": ["couvercle cassé"]}, "then": {"label": "incident", "tag": "lids"}}),
        )];
        let hit = outcome(
            &rules,
            "Le COUVERCLE CASSE dès l'arrivée",
            Platform::WordPress,
            0.0,
        );
        assert_eq!(hit.label, Some((Label::Incident, "r1".into())));
        assert_eq!(hit.tags, ["lids"]);
        // "couvercles cassés" is another word: no partial match on word starts.
        assert_eq!(
            outcome(&rules, "des couvercles cassésx", Platform::WordPress, 0.0).label,
            None
        );
    }

    #[test]
    fn every_condition_should_hold_platform_influence_and_pattern() {
        let rules = [rule(
            "r1",
            0,
            json!({"name": "press", "when": {"pattern": r"\bjournaliste?\b", "platforms": ["x"], "min_influence": 50},
                   "then": {"priority": "P1", "route": "case"}}),
        )];
        let text = "Je suis journaliste, pouvez-vous répondre ?";
        let hit = outcome(&rules, text, Platform::X, 60.0);
        assert_eq!(
            (hit.priority, hit.route),
            (Some(Priority::P1), Some(RouteTo::Case))
        );
        assert_eq!(
            hit.label, None,
            "a rule without a label leaves it to the classifier"
        );
        assert!(outcome(&rules, text, Platform::X, 10.0).matched.is_empty());
        assert!(outcome(&rules, text, Platform::Meta, 60.0)
            .matched
            .is_empty());
        assert!(outcome(&rules, "rien", Platform::X, 60.0)
            .matched
            .is_empty());
    }

    #[test]
    fn the_first_rule_should_decide_and_tags_should_add_up() {
        let rules = [
            rule(
                "a",
                1,
                json!({"name": "1", "when": {"keywords": ["remboursement"]}, "then": {"label": "incident", "tag": "refund"}}),
            ),
            rule(
                "b",
                2,
                json!({"name": "2", "when": {"keywords": ["remboursement"]}, "then": {"label": "question", "tag": "money", "priority": "P3", "owner": "marketing"}}),
            ),
            rule(
                "c",
                3,
                json!({"name": "3", "enabled": false, "when": {"keywords": ["remboursement"]}, "then": {"tag": "off"}}),
            ),
        ];
        let hit = outcome(
            &rules,
            "Où en est mon remboursement ?",
            Platform::Discourse,
            0.0,
        );
        assert_eq!(hit.label, Some((Label::Incident, "a".into())));
        assert_eq!(hit.priority, Some(Priority::P3));
        assert_eq!(hit.owner, Some(Team::Marketing));
        assert_eq!(hit.tags, ["refund", "money"]);
        assert_eq!(hit.matched, ["a", "b"]);
    }
}
