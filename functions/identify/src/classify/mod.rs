//! The built-in classifier: what a contribution is, in French and English, with a
//! confidence and the cues that decided it (staff see them: a label must explain itself).
//!
//! Two explainable parts (docs/architecture.md, "Classification"):
//! - cues (`lexicon`): weighted words and phrases on folded text (`text::fold`), plus the
//!   shape of the message (links, question marks, shouting, emoji) and a review's rating.
//!   Labels are decided in a fixed order that puts the costly mistakes last: spam first
//!   (only on strong evidence), then incidents (on moderate evidence: recall matters most),
//!   purchase intents, questions, praise, and `other`;
//! - a word model (`bayes`): naive Bayes trained at start-up from the labelled set compiled
//!   in, for what the cues do not cover, and to raise incidents the cues missed.
//!
//! The brand's own rules (`crate::rules`) run before this and, when one gives a label, this
//! is not called.

pub mod bayes;
pub mod evaluate;
pub mod lexicon;
pub use shared::contracts::text;

pub use shared::contracts::rules::Label;

/// What the classifier reads of a contribution.
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    pub text: &'a str,
    /// A review's rating, 1 to 5.
    pub rating: Option<u8>,
}

pub use shared::contracts::contributions::{Classification, LabelSource};

/// Evidence needed for each label.
const SPAM_MIN: f32 = 3.0;
const INCIDENT_MIN: f32 = 2.0;
const INTENT_MIN: f32 = 2.0;
const QUESTION_MIN: f32 = 2.0;
const PRAISE_MIN: f32 = 2.0;

#[derive(Debug, Default)]
struct Evidence {
    score: f32,
    cues: Vec<String>,
}

impl Evidence {
    fn add(&mut self, weight: f32, cue: impl Into<String>) {
        self.score += weight;
        self.cues.push(cue.into());
    }
}

fn matched(folded: &str, cues: lexicon::Cues, into: &mut Evidence) {
    for (cue, weight) in cues {
        if folded.contains(cue) {
            into.add(*weight, cue.trim());
        }
    }
}

/// The cue lists alone.
pub fn by_cues(input: Input<'_>) -> Classification {
    let folded = text::fold(input.text);
    let shape = text::shape(input.text);
    let mut incident = Evidence::default();
    let mut intent = Evidence::default();
    let mut question = Evidence::default();
    let mut praise = Evidence::default();
    let mut spam = Evidence::default();
    matched(&folded, lexicon::INCIDENT, &mut incident);
    matched(&folded, lexicon::PURCHASE_INTENT, &mut intent);
    matched(&folded, lexicon::QUESTION, &mut question);
    matched(&folded, lexicon::PRAISE, &mut praise);
    matched(&folded, lexicon::SPAM, &mut spam);

    if shape.links > 0 {
        spam.add(
            2.0 * shape.links.min(3) as f32,
            format!("{} link(s)", shape.links),
        );
    }
    if shape.questions > 0 {
        question.add(2.0, "?");
    }
    if shape.angry_emoji > 0 {
        incident.add(2.0, "angry emoji");
    }
    if shape.happy_emoji > 0 {
        praise.add(1.5, "happy emoji");
    }
    if shape.order_reference {
        incident.add(1.5, "order number");
    }
    if shape.upper_percent >= 60 {
        incident.add(1.0, "shouting");
    }
    match input.rating {
        Some(1 | 2) => incident.add(3.0, "low rating"),
        Some(3) => incident.add(1.0, "middling rating"),
        Some(4 | 5) => praise.add(3.0, "high rating"),
        _ => {}
    }
    // Praise that mentions delivery is not an incident: "livraison rapide, au top".
    // Without a cue of damage or loss (weight ≥ 2.5), strong praise wins.
    let strong_incident = incident.cues.len() > 1 || incident.score >= 3.0;

    let decide = |label: Label, ev: &Evidence, min: f32| {
        let confidence = (0.5 + (ev.score - min) / (2.0 * (ev.score + 1.0))).clamp(0.5, 0.99);
        Classification {
            label,
            confidence,
            cues: ev
                .cues
                .iter()
                .map(|c| format!("{}:{c}", label.as_str()))
                .collect(),
            source: LabelSource::Builtin,
        }
    };
    if spam.score >= SPAM_MIN && spam.score > incident.score {
        return decide(Label::Spam, &spam, SPAM_MIN);
    }
    if incident.score >= INCIDENT_MIN && (strong_incident || praise.score < incident.score + 2.0) {
        return decide(Label::Incident, &incident, INCIDENT_MIN);
    }
    if intent.score >= INTENT_MIN && intent.score + 1.0 >= question.score {
        return decide(Label::PurchaseIntent, &intent, INTENT_MIN);
    }
    if praise.score >= PRAISE_MIN && praise.score >= question.score {
        return decide(Label::Praise, &praise, PRAISE_MIN);
    }
    if question.score >= QUESTION_MIN {
        return decide(Label::Question, &question, QUESTION_MIN);
    }
    if praise.score >= PRAISE_MIN {
        return decide(Label::Praise, &praise, PRAISE_MIN);
    }
    Classification {
        label: Label::Other,
        confidence: 0.5,
        cues: Vec::new(),
        source: LabelSource::Builtin,
    }
}

/// Below this, the word model's opinion is not worth overriding the cues.
const MODEL_CONFIDENT: f64 = 0.6;
/// Incidents are taken from the word model at a lower probability: recall matters most.
const MODEL_INCIDENT: f64 = 0.35;

/// The cues decide when they have evidence; when they have none (`other`), or when the word
/// model sees an incident the cues missed, the word model decides, and its words are the cues.
pub fn classify(input: Input<'_>) -> Classification {
    classify_with(&bayes::MODEL, input)
}

/// [`classify`] with another word model (cross-validation trains one per fold).
pub fn classify_with(model: &bayes::Model, input: Input<'_>) -> Classification {
    let by_cues = by_cues(input);
    let posteriors = model.posteriors(input.text);
    let p = |label: Label| {
        posteriors
            .iter()
            .find(|(l, _)| *l == label)
            .map_or(0.0, |(_, p)| *p)
    };
    let (best, best_p) = posteriors
        .iter()
        .copied()
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .unwrap_or((Label::Other, 0.0));
    let from_model = |label: Label, probability: f64| Classification {
        label,
        confidence: probability.clamp(0.5, 0.99) as f32,
        cues: model
            .evidence(input.text, label, 5)
            .into_iter()
            .map(|w| format!("{}:words:{w}", label.as_str()))
            .collect(),
        source: LabelSource::Builtin,
    };
    let incident_p = p(Label::Incident);
    if by_cues.label != Label::Incident
        && by_cues.label != Label::Spam
        && incident_p >= MODEL_INCIDENT
    {
        return from_model(Label::Incident, incident_p);
    }
    if by_cues.label == Label::Other && best != Label::Other && best_p >= MODEL_CONFIDENT {
        return from_model(best, best_p);
    }
    by_cues
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(text: &str) -> Label {
        classify(Input { text, rating: None }).label
    }

    #[test]
    fn incidents_should_be_found_in_french_and_english() {
        assert_eq!(
            label("Colis jamais reçu, 3 semaines et toujours rien"),
            Label::Incident
        );
        assert_eq!(
            label("The lamp arrived broken and nobody answers my emails"),
            Label::Incident
        );
        assert_eq!(
            label("la lampe clignote depuis le 2e jour"),
            Label::Incident
        );
    }

    #[test]
    fn praise_about_delivery_should_not_be_an_incident() {
        assert_eq!(
            label("Livraison rapide, produit au top, merci !"),
            Label::Praise
        );
    }

    #[test]
    fn buying_questions_should_be_purchase_intents() {
        assert_eq!(
            label("Dispo en noir ? Je vais craquer"),
            Label::PurchaseIntent
        );
        assert_eq!(
            label("Do you ship to Canada? How much is shipping?"),
            Label::PurchaseIntent
        );
    }

    #[test]
    fn links_and_money_talk_should_be_spam() {
        assert_eq!(
            label("Earn $500 per day from home, check my profile https://x.example"),
            Label::Spam
        );
    }

    #[test]
    fn a_low_rating_should_count_and_the_cues_should_say_why() {
        let c = classify(Input {
            text: "Bof.",
            rating: Some(1),
        });
        assert_eq!(c.label, Label::Incident);
        assert!(c.cues.contains(&"incident:low rating".to_string()), "{c:?}");
        assert!(c.confidence >= 0.5 && c.confidence < 1.0);
    }
}
