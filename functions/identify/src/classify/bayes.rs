//! A multinomial naive Bayes over words and word pairs, trained at start-up from the
//! labelled set (tests/data/contributions-labelled.jsonl, compiled in: about 60 KB, trained in
//! well under a millisecond). It generalises where the cue lists are silent; the cues stay
//! the explanation. Its evidence is the words that weighed most for the label.

use std::collections::HashMap;
use std::sync::LazyLock;

use super::evaluate::read_examples;
use super::text::fold;
use super::Label;

const TRAINING: &str = include_str!("../../../../tests/data/contributions-labelled.jsonl");

pub struct Model {
    /// log P(label)
    priors: HashMap<Label, f64>,
    /// log P(token | label), with add-one smoothing.
    likelihoods: HashMap<Label, HashMap<String, f64>>,
    /// log P(unseen token | label)
    unseen: HashMap<Label, f64>,
}

pub static MODEL: LazyLock<Model> = LazyLock::new(|| {
    Model::train(base_examples().iter().map(|(text, label)| (text.as_str(), *label)))
});

/// The labelled examples the shipped word model learns from; a brand's learned model
/// (`crate::learning`) learns from them and from its staff's corrections.
pub fn base_examples() -> Vec<(String, Label)> {
    read_examples(TRAINING)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|e| Label::parse(&e.label).map(|l| (e.text, l)))
        .collect()
}

/// Words of three letters or more (stop words carry little), and adjacent pairs.
pub fn tokens(text: &str) -> Vec<String> {
    let folded = fold(text);
    let words: Vec<&str> = folded.split_whitespace().collect();
    let mut out: Vec<String> = words
        .iter()
        .filter(|w| w.chars().count() >= 3)
        .map(|w| w.to_string())
        .collect();
    out.extend(
        words
            .windows(2)
            .map(|pair| format!("{} {}", pair[0], pair[1])),
    );
    out
}

impl Model {
    pub fn train<'a>(examples: impl Iterator<Item = (&'a str, Label)>) -> Model {
        let mut docs: HashMap<Label, usize> = HashMap::new();
        let mut counts: HashMap<Label, HashMap<String, usize>> = HashMap::new();
        let mut vocabulary: std::collections::HashSet<String> = std::collections::HashSet::new();
        let mut total = 0usize;
        for (text, label) in examples {
            total += 1;
            *docs.entry(label).or_default() += 1;
            let entry = counts.entry(label).or_default();
            for token in tokens(text) {
                vocabulary.insert(token.clone());
                *entry.entry(token).or_default() += 1;
            }
        }
        let v = vocabulary.len().max(1) as f64;
        let mut priors = HashMap::new();
        let mut likelihoods = HashMap::new();
        let mut unseen = HashMap::new();
        for label in Label::ALL {
            let n = docs.get(&label).copied().unwrap_or(0);
            priors.insert(label, ((n as f64 + 1.0) / (total as f64 + 6.0)).ln());
            let words = counts.remove(&label).unwrap_or_default();
            let sum: usize = words.values().sum();
            let denominator = sum as f64 + v;
            unseen.insert(label, (1.0 / denominator).ln());
            likelihoods.insert(
                label,
                words
                    .into_iter()
                    .map(|(w, c)| (w, ((c as f64 + 1.0) / denominator).ln()))
                    .collect(),
            );
        }
        Model {
            priors,
            likelihoods,
            unseen,
        }
    }

    /// P(label | text) for every label, summing to 1.
    pub fn posteriors(&self, text: &str) -> Vec<(Label, f64)> {
        let tokens = tokens(text);
        let scores: Vec<(Label, f64)> = Label::ALL
            .iter()
            .map(|label| {
                let table = &self.likelihoods[label];
                let unseen = self.unseen[label];
                let score = self.priors[label]
                    + tokens
                        .iter()
                        .map(|t| table.get(t).copied().unwrap_or(unseen))
                        .sum::<f64>();
                (*label, score)
            })
            .collect();
        let max = scores
            .iter()
            .map(|(_, s)| *s)
            .fold(f64::NEG_INFINITY, f64::max);
        let exp: Vec<(Label, f64)> = scores.iter().map(|(l, s)| (*l, (s - max).exp())).collect();
        let sum: f64 = exp.iter().map(|(_, e)| e).sum();
        exp.into_iter().map(|(l, e)| (l, e / sum)).collect()
    }

    /// The tokens of `text` that favour `label` most over the other labels.
    pub fn evidence(&self, text: &str, label: Label, most: usize) -> Vec<String> {
        let mut weighed: Vec<(f64, String)> = tokens(text)
            .into_iter()
            .filter_map(|t| {
                let mine = self.likelihoods[&label].get(&t).copied()?;
                let others = Label::ALL
                    .iter()
                    .filter(|l| **l != label)
                    .map(|l| {
                        self.likelihoods[l]
                            .get(&t)
                            .copied()
                            .unwrap_or(self.unseen[l])
                    })
                    .fold(f64::NEG_INFINITY, f64::max);
                (mine > others).then_some((mine - others, t))
            })
            .collect();
        weighed.sort_by(|a, b| b.0.total_cmp(&a.0));
        weighed.dedup_by(|a, b| a.1 == b.1);
        weighed.into_iter().take(most).map(|(_, t)| t).collect()
    }
}
