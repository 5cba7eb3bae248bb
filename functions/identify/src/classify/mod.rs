//! The built-in classifier: what a contribution is, in French and English, with a
//! confidence and the cues that decided it (staff see them: a label must explain itself).
//!
//! Two explainable parts add up (docs/architecture.md, "Classification"):
//! - cues (`lexicon`): weighted words and phrases on folded text (`text::fold`), plus the
//!   shape of the message (links, shouting, emoji, a long wait, scare quotes) and a
//!   review's rating. A cue found only inside a longer cue counts as the longer one:
//!   "aucun problème" is praise, not the incident "problème". A praise word opening a
//!   complaint ("Super, …") is irony and counts for the incident;
//! - a word model (`bayes`): naive Bayes trained at start-up from the labelled set compiled
//!   in, whose tempered probability of each label, times [`MODEL_WEIGHT`], adds to that
//!   label's cues. It speaks where the cues are silent and outvotes weak cues.
//!
//! A label is given when its score reaches its minimum; of the labels that do, the highest
//! wins, an incident with a head start of [`INCIDENT_MARGIN`] (a missed incident costs a
//! customer, a false one a support agent's minute); with none, `other`. The minimums, the
//! weight, the margin, the question mark's weight and the model's temperature are chosen by
//! 5-fold cross-validation on the labelled set (`evaluate::tune`,
//! `make classification-report TUNE=1`), never on the held-out sets.
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

// From here to MODEL_TEMPERATURE: chosen by 5-fold cross-validation on the labelled set
// (`evaluate::tune`): the most accurate point whose incident recall is at least
// `evaluate::RECALL_FLOOR`. A test fails when they differ from what it chooses.
/// Score needed for spam.
const SPAM_MIN: f32 = 2.5;
/// Score needed for an incident.
const INCIDENT_MIN: f32 = 3.0;
/// Score needed for a purchase intent.
const INTENT_MIN: f32 = 3.0;
/// Score needed for a question.
const QUESTION_MIN: f32 = 3.0;
/// Score needed for praise.
const PRAISE_MIN: f32 = 3.0;
/// What the word model's probability of a label (0 to 1) adds to the label's cues.
const MODEL_WEIGHT: f32 = 8.0;
/// How far behind another label an incident may be and still win.
const INCIDENT_MARGIN: f32 = 1.0;
/// What a question mark adds to `question` (an intent or an incident is often asked too).
const QUESTION_MARK: f32 = 1.5;
/// The word model's temperature (`bayes::normalise`): naive Bayes is too sure of itself.
pub const MODEL_TEMPERATURE: f64 = 8.0;
/// The incident score from which a praise word opening the message ("Super, …") is read
/// as irony and counts for the incident: a cue's worth of complaint (fixed, not tuned).
const IRONY_MIN: f32 = 2.0;

/// The decision's constants, as one value so that cross-validation can try others.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    pub spam_min: f32,
    pub incident_min: f32,
    pub intent_min: f32,
    pub question_min: f32,
    pub praise_min: f32,
    pub model_weight: f32,
    pub incident_margin: f32,
    pub question_mark: f32,
}

impl Thresholds {
    pub const SHIPPED: Thresholds = Thresholds {
        spam_min: SPAM_MIN,
        incident_min: INCIDENT_MIN,
        intent_min: INTENT_MIN,
        question_min: QUESTION_MIN,
        praise_min: PRAISE_MIN,
        model_weight: MODEL_WEIGHT,
        incident_margin: INCIDENT_MARGIN,
        question_mark: QUESTION_MARK,
    };

    /// The cue lists alone.
    pub const CUES_ONLY: Thresholds = Thresholds {
        model_weight: 0.0,
        ..Thresholds::SHIPPED
    };

    fn min(&self, label: Label) -> f32 {
        match label {
            Label::Spam => self.spam_min,
            Label::Incident => self.incident_min,
            Label::PurchaseIntent => self.intent_min,
            Label::Question => self.question_min,
            Label::Praise => self.praise_min,
            Label::Other => f32::NEG_INFINITY,
        }
    }
}

fn index(label: Label) -> usize {
    Label::ALL.iter().position(|l| *l == label).unwrap_or(0)
}

/// The numbers a decision is made from: each label's cue score, the word model's
/// tempered probability of each label, and whether the text asks something.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Scores {
    /// In `Label::ALL` order.
    pub cues: [f32; 6],
    pub model: [f32; 6],
    /// A question mark: what it adds to `question` is a constant of its own.
    pub asks: bool,
}

impl Scores {
    fn score(&self, label: Label, thresholds: &Thresholds) -> f32 {
        let i = index(label);
        let asks = if label == Label::Question && self.asks {
            thresholds.question_mark
        } else {
            0.0
        };
        self.cues[i] + asks + thresholds.model_weight * self.model[i]
    }

    /// The label, and its score's lead over the next label that reached its minimum.
    pub fn decide(&self, thresholds: &Thresholds) -> (Label, f32) {
        let mut best = (Label::Other, f32::NEG_INFINITY);
        let mut runner_up = f32::NEG_INFINITY;
        for label in Label::ALL {
            let score = self.score(label, thresholds);
            if score < thresholds.min(label) {
                continue;
            }
            let ranked = score
                + if label == Label::Incident {
                    thresholds.incident_margin
                } else {
                    0.0
                };
            if ranked > best.1 {
                runner_up = best.1;
                best = (label, ranked);
            } else if ranked > runner_up {
                runner_up = ranked;
            }
        }
        let lead = if runner_up.is_finite() {
            best.1 - runner_up
        } else {
            best.1
        };
        (best.0, lead)
    }
}

/// What the cues and the word model found in a contribution, before any threshold: the
/// scores, and the cues behind them (the explanation).
#[derive(Debug, Clone, Default)]
pub struct Weighed {
    pub scores: Scores,
    /// The cues found for each label, in `Label::ALL` order.
    pub found: [Vec<String>; 6],
}

/// The cues of a contribution, without the word model.
pub fn weigh_cues(input: Input<'_>) -> Weighed {
    let folded = text::fold(input.text);
    let shape = text::shape(input.text);
    let mut weighed = Weighed::default();
    for (label, cue, weight) in lexicon::found(&folded) {
        weighed.add(label, weight, cue.trim());
    }
    if shape.links > 0 {
        weighed.add(
            Label::Spam,
            2.0 * shape.links.min(3) as f32,
            format!("{} link(s)", shape.links),
        );
    }
    weighed.scores.asks = shape.questions > 0;
    if shape.angry_emoji > 0 {
        weighed.add(Label::Incident, 2.0, "angry emoji");
    }
    if shape.happy_emoji > 0 {
        weighed.add(Label::Praise, 1.5, "happy emoji");
    }
    if shape.order_reference {
        weighed.add(Label::Incident, 1.5, "order number");
    }
    if shape.upper_percent >= 60 {
        weighed.add(Label::Incident, 1.0, "shouting");
    }
    if let Some(wait) = lexicon::long_wait(&folded) {
        weighed.add(Label::Incident, 1.5, wait);
    }
    if lexicon::scare_quotes(input.text) {
        weighed.add(Label::Incident, 1.0, "scare quotes");
    }
    if let Some(word) = lexicon::opener(input.text) {
        weighed.irony(&word);
    }
    match input.rating {
        Some(1 | 2) => weighed.add(Label::Incident, 3.0, "low rating"),
        Some(3) => weighed.add(Label::Incident, 1.0, "middling rating"),
        Some(4 | 5) => weighed.add(Label::Praise, 3.0, "high rating"),
        _ => {}
    }
    weighed
}

impl Weighed {
    fn add(&mut self, label: Label, weight: f32, cue: impl Into<String>) {
        let i = index(label);
        self.scores.cues[i] += weight;
        self.found[i].push(cue.into());
    }

    /// "Super, la couette est arrivée trempée": the opening praise word of a complaint
    /// counts for the incident.
    fn irony(&mut self, word: &str) {
        let (incident, praise) = (index(Label::Incident), index(Label::Praise));
        if self.scores.cues[incident] < IRONY_MIN {
            return;
        }
        let Some(at) = self.found[praise].iter().position(|c| c == word) else {
            return;
        };
        let weight = lexicon::PRAISE
            .iter()
            .find(|(cue, _)| cue.trim() == word)
            .map_or(0.0, |(_, w)| *w);
        self.found[praise].remove(at);
        self.scores.cues[praise] -= weight;
        self.add(Label::Incident, weight, format!("irony: {word}"));
    }
}

/// The cues and the word model's opinion of a contribution.
pub fn weigh(model: &bayes::Model, input: Input<'_>, temperature: f64) -> Weighed {
    let mut weighed = weigh_cues(input);
    let (scores, _) = model.log_scores(input.text);
    for (to, p) in weighed
        .scores
        .model
        .iter_mut()
        .zip(bayes::normalise(&scores, temperature))
    {
        *to = p as f32;
    }
    weighed
}

/// The cue lists alone.
pub fn by_cues(input: Input<'_>) -> Classification {
    let weighed = weigh_cues(input);
    explain(&weighed, &Thresholds::CUES_ONLY, None, input.text)
}

pub fn classify(input: Input<'_>) -> Classification {
    classify_with(&bayes::MODEL, input)
}

/// [`classify`] with another word model (cross-validation trains one per fold).
pub fn classify_with(model: &bayes::Model, input: Input<'_>) -> Classification {
    let weighed = weigh(model, input, MODEL_TEMPERATURE);
    explain(&weighed, &Thresholds::SHIPPED, Some(model), input.text)
}

/// The label with its confidence and the cues behind it: the label's cues, then the words
/// the model weighed for it when its opinion counted.
fn explain(
    weighed: &Weighed,
    thresholds: &Thresholds,
    model: Option<&bayes::Model>,
    text: &str,
) -> Classification {
    let (label, lead) = weighed.scores.decide(thresholds);
    let i = index(label);
    let score = weighed.scores.score(label, thresholds).max(0.0);
    let mut cues: Vec<String> = weighed.found[i]
        .iter()
        .map(|c| format!("{}:{c}", label.as_str()))
        .collect();
    if label == Label::Question && weighed.scores.asks {
        cues.push("question:?".to_string());
    }
    if let Some(model) = model {
        if thresholds.model_weight * weighed.scores.model[i] >= 0.5 {
            cues.extend(
                model
                    .evidence(text, label, 5)
                    .into_iter()
                    .map(|w| format!("{}:words:{w}", label.as_str())),
            );
        }
    }
    Classification {
        label,
        confidence: (0.5 + lead.max(0.0) / (2.0 * (score + 1.0))).clamp(0.5, 0.99),
        cues,
        source: LabelSource::Builtin,
    }
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
    fn short_replies_should_be_other_not_incidents() {
        for text in [
            "First!",
            "Same here!",
            "lol",
            "mdr",
            "Premier commentaire !!",
        ] {
            assert_eq!(label(text), Label::Other, "{text}");
        }
    }

    #[test]
    fn a_problem_solved_or_denied_should_be_praise() {
        assert_eq!(
            label("Customer service sorted my issue in 5 minutes. Impressed."),
            Label::Praise
        );
        assert_eq!(
            label("Livraison ultra rapide et emballage soigné, rien à dire"),
            Label::Praise
        );
        assert_eq!(
            label("Aucun problème avec ma commande, tout est parfait"),
            Label::Praise
        );
    }

    #[test]
    fn praise_words_around_a_complaint_should_be_an_incident() {
        let c = classify(Input {
            text: "Super, my express delivery took 12 days. Great job guys.",
            rating: None,
        });
        assert_eq!(c.label, Label::Incident, "{c:?}");
        assert!(
            c.cues.iter().any(|cue| cue == "incident:irony: super"),
            "{c:?}"
        );
        assert!(c.cues.iter().any(|cue| cue == "incident:12 days"), "{c:?}");
    }

    #[test]
    fn a_question_should_say_it_asks() {
        let c = classify(Input {
            text: "Does the lamp work with a dimmer switch?",
            rating: None,
        });
        assert_eq!(c.label, Label::Question);
        assert!(c.cues.contains(&"question:?".to_string()), "{c:?}");
    }

    #[test]
    fn the_word_model_should_decide_where_the_cues_are_silent() {
        let cues = by_cues(Input {
            text: "the hinge snapped off and the door hangs loose",
            rating: None,
        });
        let both = classify(Input {
            text: "the hinge snapped off and the door hangs loose",
            rating: None,
        });
        assert_eq!(both.label, Label::Incident, "{both:?}");
        assert!(cues.cues.iter().all(|c| !c.contains(":words:")), "{cues:?}");
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
        assert_eq!(c.source, LabelSource::Builtin);
    }
}
