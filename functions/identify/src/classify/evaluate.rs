//! Precision, recall and the confusion matrix of the classifier on a labelled set
//! (`tests/data/contributions-labelled.jsonl`), for the report command and the test that
//! holds incident recall at 0.95 or more.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{classify, Input, Label};

#[derive(Debug, Deserialize)]
pub struct Example {
    pub id: String,
    #[serde(default)]
    pub lang: String,
    pub text: String,
    #[serde(default)]
    pub rating: Option<u8>,
    pub label: String,
}

/// `confusion[expected][predicted]` = count.
#[derive(Debug, Default)]
pub struct Report {
    pub confusion: BTreeMap<Label, BTreeMap<Label, usize>>,
    pub total: usize,
    /// (id, expected, predicted) of every miss.
    pub misses: Vec<(String, Label, Label)>,
}

impl Report {
    pub fn precision(&self, label: Label) -> f64 {
        let predicted: usize = self
            .confusion
            .values()
            .map(|row| row.get(&label).copied().unwrap_or(0))
            .sum();
        let right = self.cell(label, label);
        if predicted == 0 {
            0.0
        } else {
            right as f64 / predicted as f64
        }
    }

    pub fn recall(&self, label: Label) -> f64 {
        let expected: usize = self
            .confusion
            .get(&label)
            .map(|row| row.values().sum())
            .unwrap_or(0);
        let right = self.cell(label, label);
        if expected == 0 {
            0.0
        } else {
            right as f64 / expected as f64
        }
    }

    pub fn accuracy(&self) -> f64 {
        let right: usize = Label::ALL.iter().map(|l| self.cell(*l, *l)).sum();
        right as f64 / self.total.max(1) as f64
    }

    pub fn cell(&self, expected: Label, predicted: Label) -> usize {
        self.confusion
            .get(&expected)
            .and_then(|row| row.get(&predicted))
            .copied()
            .unwrap_or(0)
    }

    /// The report as Markdown tables.
    pub fn markdown(&self) -> String {
        let mut out = String::new();
        out.push_str(&format!(
            "{} contributions, accuracy {:.3}\n\n",
            self.total,
            self.accuracy()
        ));
        out.push_str("| label | support | precision | recall |\n| --- | --- | --- | --- |\n");
        for label in Label::ALL {
            let support: usize = self
                .confusion
                .get(&label)
                .map(|r| r.values().sum())
                .unwrap_or(0);
            out.push_str(&format!(
                "| {} | {support} | {:.3} | {:.3} |\n",
                label.as_str(),
                self.precision(label),
                self.recall(label)
            ));
        }
        out.push_str("\nConfusion matrix (rows: expected, columns: predicted)\n\n| |");
        for label in Label::ALL {
            out.push_str(&format!(" {} |", label.as_str()));
        }
        out.push_str("\n|---|");
        for _ in Label::ALL {
            out.push_str("---|");
        }
        out.push('\n');
        for expected in Label::ALL {
            out.push_str(&format!("| {} |", expected.as_str()));
            for predicted in Label::ALL {
                out.push_str(&format!(" {} |", self.cell(expected, predicted)));
            }
            out.push('\n');
        }
        out
    }
}

/// Reads JSON lines; an invalid line or label is an error naming the line.
pub fn read_examples(jsonl: &str) -> Result<Vec<Example>, String> {
    jsonl
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(i, line)| {
            let example: Example =
                serde_json::from_str(line).map_err(|e| format!("line {}: {e}", i + 1))?;
            Label::parse(&example.label)
                .ok_or_else(|| format!("line {}: unknown label {:?}", i + 1, example.label))?;
            Ok(example)
        })
        .collect()
}

pub fn evaluate(examples: &[Example]) -> Report {
    let refs: Vec<&Example> = examples.iter().collect();
    evaluate_with(&refs, |input| classify(input).label)
}

/// k-fold cross-validation of the whole classifier: the word model of each fold is trained
/// on the other folds only, so the report says how it does on text it has not seen (the cue
/// lists, written with the whole set in view, still have).
pub fn cross_validate(examples: &[Example], folds: usize) -> Report {
    let mut report = Report::default();
    for fold in 0..folds {
        let training = examples
            .iter()
            .enumerate()
            .filter(|(i, _)| i % folds != fold)
            .filter_map(|(_, e)| Label::parse(&e.label).map(|l| (e.text.as_str(), l)));
        let model = super::bayes::Model::train(training);
        let test: Vec<&Example> = examples
            .iter()
            .enumerate()
            .filter(|(i, _)| i % folds == fold)
            .map(|(_, e)| e)
            .collect();
        let part = evaluate_with(&test, |input| super::classify_with(&model, input).label);
        for (expected, row) in part.confusion {
            for (predicted, n) in row {
                *report
                    .confusion
                    .entry(expected)
                    .or_default()
                    .entry(predicted)
                    .or_default() += n;
            }
        }
        report.total += part.total;
        report.misses.extend(part.misses);
    }
    report
}

fn evaluate_with(examples: &[&Example], predict: impl Fn(Input<'_>) -> Label) -> Report {
    let mut report = Report::default();
    for example in examples {
        let Some(expected) = Label::parse(&example.label) else {
            continue;
        };
        let predicted = predict(Input {
            text: &example.text,
            rating: example.rating,
        });
        *report
            .confusion
            .entry(expected)
            .or_default()
            .entry(predicted)
            .or_default() += 1;
        report.total += 1;
        if expected != predicted {
            report
                .misses
                .push((example.id.clone(), expected, predicted));
        }
    }
    report
}
