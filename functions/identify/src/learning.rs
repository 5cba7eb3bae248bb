//! The brand's own word model: the built-in naive Bayes trained again on the built-in
//! examples plus the brand's staff corrections (`shared::contracts::contributions::corrections`),
//! each counted [`STAFF_WEIGHT`] times, so that ten corrections of one kind of text move
//! the model for that brand and for no other (each brand is its own stack and its own
//! tables).
//!
//! Learning is incremental in the way naive Bayes is: a correction adds its words' counts;
//! nothing is tuned offline and nothing is redeployed. Each warm function reads the
//! corrections again at most once per `SETTINGS_CACHE_SECONDS` (one Query of the
//! `ByCorrection` index) and trains in a few milliseconds. An erased author's contributions
//! leave the index with them, so their examples leave the model at the next read.
//!
//! The brand's learned model only overrides the built-in classifier where the corrections
//! speak of the text and of this very mistake: the label it prefers is confident
//! ([`LEARNED_CONFIDENT`]), and at least [`AGREEING`] corrections from the built-in's label
//! to that one each share [`SHARED_TOKENS`] distinctive words or word pairs with the text.
//! Elsewhere the built-in decides, cues first, as it would without any correction: a few
//! corrections cannot unsettle what they say nothing about, and corrections of questions
//! never turn an incident into something else.

use std::collections::HashSet;
use std::time::Duration;

use shared::contracts::contributions::corrections::Example;
use shared::contracts::contributions::ContributionStore;
use shared::kit::cache::Cached;
use shared::Error;

use crate::classify::{self, bayes, Classification, Input, Label, LabelSource};

/// How many built-in examples one staff correction weighs: the built-in set has 71 to 255
/// examples a label, so ten corrections (50) weigh about as much as its smallest label's.
pub const STAFF_WEIGHT: usize = 5;
/// The learned model's probability needed to override the built-in classifier.
pub const LEARNED_CONFIDENT: f64 = 0.9;
/// Words and word pairs (`bayes::tokens`) a text must share with corrections to a label
/// for the learned model to give it that label: a product's name alone is not a kind of
/// text.
pub const SHARED_TOKENS: usize = 3;
/// Corrections of the same mistake that must speak of the text: one or two stray
/// corrections do not make a kind of text.
pub const AGREEING: usize = 3;
/// At most this many of the newest corrections are given to a hosted model as examples.
pub const FEW_SHOTS: usize = 8;

/// What the brand's staff taught, trained.
pub struct Learned {
    /// The corrections learned from, newest first (text, label).
    pub examples: Vec<(String, Label)>,
    /// `None` when there is nothing to learn from: the built-in model is the brand's.
    model: Option<bayes::Model>,
    /// Each correction's (label it had, label staff gave, distinctive tokens).
    taught: Vec<(Label, Label, HashSet<String>)>,
}

impl Learned {
    pub fn from_examples(examples: Vec<Example>) -> Learned {
        let taught = examples
            .iter()
            .map(|e| {
                let tokens = distinctive_tokens(&e.text).into_iter().collect();
                (e.correction.was, e.correction.label, tokens)
            })
            .collect();
        let examples: Vec<(String, Label)> = examples
            .into_iter()
            .map(|e| (e.text, e.correction.label))
            .collect();
        let model = (!examples.is_empty()).then(|| {
            let base = bayes::base_examples();
            let taught = examples.iter().flat_map(|(text, label)| {
                std::iter::repeat_n((text.as_str(), *label), STAFF_WEIGHT)
            });
            bayes::Model::train(base.iter().map(|(t, l)| (t.as_str(), *l)).chain(taught))
        });
        Learned {
            examples,
            model,
            taught,
        }
    }

    /// The built-in classifier's label, unless the brand's corrections say otherwise.
    pub fn classify(&self, input: Input<'_>) -> Classification {
        let built = classify::classify(input);
        let Some(model) = &self.model else {
            return built;
        };
        let Some((label, probability)) = model
            .posteriors(input.text)
            .into_iter()
            .max_by(|a, b| a.1.total_cmp(&b.1))
        else {
            return built;
        };
        if label == built.label || probability < LEARNED_CONFIDENT {
            return built;
        }
        let tokens = distinctive_tokens(input.text);
        let agreeing = self
            .taught
            .iter()
            .filter(|(was, is, taught)| {
                *was == built.label
                    && *is == label
                    && tokens.iter().filter(|t| taught.contains(*t)).count() >= SHARED_TOKENS
            })
            .count();
        if agreeing < AGREEING {
            return built;
        }
        Classification {
            label,
            confidence: probability.clamp(0.5, 0.99) as f32,
            cues: model
                .evidence(input.text, label, 5)
                .into_iter()
                .map(|w| format!("{}:learned:{w}", label.as_str()))
                .collect(),
            source: LabelSource::Learned,
        }
    }

    /// The newest corrections, for a hosted model's prompt.
    pub fn few_shots(&self) -> &[(String, Label)] {
        &self.examples[..self.examples.len().min(FEW_SHOTS)]
    }
}

/// A text's distinct distinctive tokens.
fn distinctive_tokens(text: &str) -> Vec<String> {
    let mut tokens = bayes::tokens(text);
    tokens.retain(|t| distinctive(t));
    tokens.sort();
    tokens.dedup();
    tokens
}

/// A token that says something of a text: a word of four letters or more, or a pair with
/// one ("the", "does the" and "with" are in every question).
fn distinctive(token: &str) -> bool {
    token.split(' ').any(|word| word.chars().count() >= 4)
}

/// The brand's learned model, read again at most once per `ttl`.
pub struct Learning {
    contributions: ContributionStore,
    cache: Cached<Learned>,
}

impl Learning {
    pub fn new(contributions: ContributionStore, ttl: Duration) -> Learning {
        Learning {
            contributions,
            cache: Cached::new(ttl),
        }
    }

    pub async fn current(&self) -> Result<std::sync::Arc<Learned>, Error> {
        self.cache
            .get(|| async {
                let examples = self.contributions.examples().await?;
                Ok(Learned::from_examples(examples))
            })
            .await
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use shared::contracts::contributions::corrections::{Correction, CorrectionKind};

    use super::*;

    fn example(text: &str, label: Label, was: Label) -> Example {
        Example {
            contribution_id: format!("evt_{}", text.len()),
            text: text.into(),
            correction: Correction {
                label,
                was,
                was_source: LabelSource::Builtin,
                how: CorrectionKind::Relabel,
                by: "staff".into(),
                at: Utc::now(),
            },
        }
    }

    fn label(learned: &Learned, text: &str) -> Classification {
        learned.classify(Input { text, rating: None })
    }

    /// A brand whose staff treat smart-home compatibility questions as pre-sales: ten
    /// relabels of what the built-in calls questions.
    fn ten_corrections() -> Vec<Example> {
        [
            "Does the Lumo lamp work with a Hue bridge?",
            "Is the Lumo desk lamp compatible with Alexa?",
            "Can the Lumo lamp be paired with Google Home?",
            "Does the Lumo floor lamp work with HomeKit?",
            "Will the Lumo lamp connect to my SmartThings hub?",
            "Is the Lumo bulb compatible with Zigbee?",
            "Can I control the Lumo lamp with the Hue app?",
            "Does the Lumo pendant work with Alexa routines?",
            "Is the Lumo lamp compatible with a Nest hub?",
            "Can the Lumo lamp be dimmed from HomeKit?",
        ]
        .into_iter()
        .map(|t| example(t, Label::PurchaseIntent, Label::Question))
        .collect()
    }

    #[test]
    fn ten_corrections_should_relabel_the_same_kind_of_text_for_this_brand_only() {
        let text = "Does the Lumo reading lamp work with Google Assistant?";
        let untaught = Learned::from_examples(Vec::new());
        assert_eq!(
            label(&untaught, text).label,
            Label::Question,
            "the built-in label"
        );
        let taught = Learned::from_examples(ten_corrections());
        let c = label(&taught, text);
        assert_eq!(c.label, Label::PurchaseIntent, "{c:?}");
        assert_eq!(c.source, LabelSource::Learned);
        assert!(
            c.cues
                .iter()
                .any(|cue| cue.starts_with("purchase_intent:learned:")),
            "{c:?}"
        );
    }

    #[test]
    fn corrections_should_not_move_what_they_say_nothing_about() {
        let taught = Learned::from_examples(ten_corrections());
        for (text, expected) in [
            (
                "The lamp arrived broken and nobody answers my emails",
                Label::Incident,
            ),
            (
                "Colis jamais reçu, 3 semaines et toujours rien",
                Label::Incident,
            ),
            ("How do I clean the Lumo lampshade?", Label::Question),
            (
                "Earn $500 per day from home, check my profile https://x.example",
                Label::Spam,
            ),
        ] {
            let c = label(&taught, text);
            let built = classify::classify(Input { text, rating: None });
            assert_eq!(c, built, "{text}");
            assert_eq!(c.label, expected, "{text}: {c:?}");
        }
    }

    #[test]
    fn two_corrections_should_not_make_a_kind_of_text() {
        let two = Learned::from_examples(ten_corrections().into_iter().take(2).collect());
        let text = "Does the Lumo reading lamp work with Google Assistant?";
        assert_eq!(label(&two, text).label, Label::Question);
    }

    #[test]
    fn corrections_of_questions_should_not_turn_an_incident_into_an_intent() {
        let taught = Learned::from_examples(ten_corrections());
        let text = "Does the Lumo lamp work at all? Mine arrived broken, order 1234, refund please";
        let built = classify::classify(Input { text, rating: None });
        assert_eq!(built.label, Label::Incident);
        assert_eq!(label(&taught, text), built);
    }

    #[test]
    fn few_shots_should_be_the_newest_corrections() {
        let taught = Learned::from_examples(ten_corrections());
        assert_eq!(taught.few_shots().len(), FEW_SHOTS);
        assert!(taught.few_shots()[0]
            .0
            .starts_with("Does the Lumo lamp work"));
        assert!(Learned::from_examples(Vec::new()).few_shots().is_empty());
    }
}
