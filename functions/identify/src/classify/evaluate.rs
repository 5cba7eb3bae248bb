//! Precision, recall and the confusion matrix of the classifier on a labelled set, its
//! cross-validation, and the cross-validated search that chooses its constants ([`tune`]):
//! for the report command (`make classification-report`) and the tests that hold its floors.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::bayes::{self, Settings};
use super::{classify, weigh_cues, Input, Label, Scores, Thresholds};

/// Folds of the cross-validation.
pub const FOLDS: usize = 5;
/// The incident recall the classifier must reach on text it has not seen (issue 19): a missed
/// incident is a customer left waiting.
pub const RECALL_TARGET: f64 = 0.97;
/// The incident recall the thresholds must reach under cross-validation, accuracy being
/// sought only among those that reach it: half a point above [`RECALL_TARGET`], because the
/// point chosen among hundreds is the one cross-validation flatters most (held-out set 3,
/// measured at a point chosen at 0.970, came in at 0.963).
pub const RECALL_FLOOR: f64 = 0.975;

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

impl Report {
    fn add(&mut self, expected: Label, predicted: Label, id: &str) {
        *self
            .confusion
            .entry(expected)
            .or_default()
            .entry(predicted)
            .or_default() += 1;
        self.total += 1;
        if expected != predicted {
            self.misses.push((id.to_string(), expected, predicted));
        }
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
        let model = bayes::Model::train(training(examples, folds, fold));
        for example in in_fold(examples, folds, fold) {
            if let Some(expected) = Label::parse(&example.label) {
                let input = Input {
                    text: &example.text,
                    rating: example.rating,
                };
                let predicted = super::classify_with(&model, input).label;
                report.add(expected, predicted, &example.id);
            }
        }
    }
    report
}

fn in_fold(examples: &[Example], folds: usize, fold: usize) -> impl Iterator<Item = &Example> {
    examples
        .iter()
        .enumerate()
        .filter(move |(i, _)| i % folds == fold)
        .map(|(_, e)| e)
}

fn training(
    examples: &[Example],
    folds: usize,
    fold: usize,
) -> impl Iterator<Item = (&str, Label)> {
    examples
        .iter()
        .enumerate()
        .filter(move |(i, _)| i % folds != fold)
        .filter_map(|(_, e)| Label::parse(&e.label).map(|l| (e.text.as_str(), l)))
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
        report.add(expected, predicted, &example.id);
    }
    report
}

/// The word model's settings tried, and the values of the decision's constants.
const SMOOTHINGS: [f64; 5] = [0.1, 0.2, 0.3, 0.5, 1.0];
const STEMS: [usize; 4] = [0, 5, 6, 7];
const TEMPERATURES: [f64; 5] = [1.0, 2.0, 4.0, 8.0, 16.0];
const MINIMUMS: [f32; 6] = [1.0, 1.5, 2.0, 2.5, 3.0, 4.0];
const WEIGHTS: [f32; 9] = [0.0, 1.0, 2.0, 3.0, 4.0, 6.0, 8.0, 10.0, 12.0];
const MARGINS: [f32; 7] = [0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0];
const QUESTION_MARKS: [f32; 5] = [0.5, 1.0, 1.5, 2.0, 2.5];

/// How the word model alone did under cross-validation with one setting.
#[derive(Debug, Clone)]
pub struct WordModelTrial {
    pub settings: Settings,
    pub accuracy: f64,
}

/// The word model's settings by the accuracy of the word model alone under cross-validation
/// (its most probable label against the expected one), best first; ties keep the order
/// tried (each stem of [`STEMS`], each smoothing of [`SMOOTHINGS`]).
pub fn tune_word_model(examples: &[Example], folds: usize) -> Vec<WordModelTrial> {
    let mut trials = Vec::new();
    for stem in STEMS {
        for smoothing in SMOOTHINGS {
            let settings = Settings { smoothing, stem };
            let mut right = 0usize;
            for fold in 0..folds {
                let model = bayes::Model::train_with(training(examples, folds, fold), settings);
                for example in in_fold(examples, folds, fold) {
                    let (scores, _) = model.log_scores(&example.text);
                    let best = Label::ALL
                        .into_iter()
                        .zip(scores)
                        .max_by(|a, b| a.1.total_cmp(&b.1))
                        .map(|(l, _)| l);
                    right += usize::from(best == Label::parse(&example.label));
                }
            }
            trials.push(WordModelTrial {
                settings,
                accuracy: right as f64 / examples.len().max(1) as f64,
            });
        }
    }
    trials.sort_by(|a, b| b.accuracy.total_cmp(&a.accuracy));
    trials
}

/// One of the decision's constants, for the search: its name and the values it may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Knob {
    SpamMin,
    IncidentMin,
    IntentMin,
    QuestionMin,
    PraiseMin,
    ModelWeight,
    IncidentMargin,
    Temperature,
    QuestionMark,
}

impl Knob {
    pub const ALL: [Knob; 9] = [
        Knob::ModelWeight,
        Knob::Temperature,
        Knob::QuestionMark,
        Knob::IncidentMargin,
        Knob::IncidentMin,
        Knob::SpamMin,
        Knob::IntentMin,
        Knob::QuestionMin,
        Knob::PraiseMin,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Knob::SpamMin => "SPAM_MIN",
            Knob::IncidentMin => "INCIDENT_MIN",
            Knob::IntentMin => "INTENT_MIN",
            Knob::QuestionMin => "QUESTION_MIN",
            Knob::PraiseMin => "PRAISE_MIN",
            Knob::ModelWeight => "MODEL_WEIGHT",
            Knob::IncidentMargin => "INCIDENT_MARGIN",
            Knob::Temperature => "MODEL_TEMPERATURE",
            Knob::QuestionMark => "QUESTION_MARK",
        }
    }

    pub fn values(self) -> Vec<f64> {
        let widen = |v: &[f32]| v.iter().map(|x| f64::from(*x)).collect();
        match self {
            Knob::ModelWeight => widen(&WEIGHTS),
            Knob::IncidentMargin => widen(&MARGINS),
            Knob::Temperature => TEMPERATURES.to_vec(),
            Knob::QuestionMark => widen(&QUESTION_MARKS),
            _ => widen(&MINIMUMS),
        }
    }

    pub fn get(self, point: &Point) -> f64 {
        let t = &point.thresholds;
        match self {
            Knob::SpamMin => f64::from(t.spam_min),
            Knob::IncidentMin => f64::from(t.incident_min),
            Knob::IntentMin => f64::from(t.intent_min),
            Knob::QuestionMin => f64::from(t.question_min),
            Knob::PraiseMin => f64::from(t.praise_min),
            Knob::ModelWeight => f64::from(t.model_weight),
            Knob::IncidentMargin => f64::from(t.incident_margin),
            Knob::Temperature => point.temperature,
            Knob::QuestionMark => f64::from(t.question_mark),
        }
    }

    fn set(self, point: &mut Point, value: f64) {
        let t = &mut point.thresholds;
        let narrow = value as f32;
        match self {
            Knob::SpamMin => t.spam_min = narrow,
            Knob::IncidentMin => t.incident_min = narrow,
            Knob::IntentMin => t.intent_min = narrow,
            Knob::QuestionMin => t.question_min = narrow,
            Knob::PraiseMin => t.praise_min = narrow,
            Knob::ModelWeight => t.model_weight = narrow,
            Knob::IncidentMargin => t.incident_margin = narrow,
            Knob::Temperature => point.temperature = value,
            Knob::QuestionMark => t.question_mark = narrow,
        }
    }
}

/// The decision's constants and the word model's temperature: one point of the search.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub thresholds: Thresholds,
    pub temperature: f64,
}

impl Point {
    pub const SHIPPED: Point = Point {
        thresholds: Thresholds::SHIPPED,
        temperature: super::MODEL_TEMPERATURE,
    };
}

/// What cross-validation makes of a point: incident recall first (to the floor), then
/// accuracy, then incident precision.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Score {
    pub accuracy: f64,
    pub incident_recall: f64,
    pub incident_precision: f64,
}

impl Score {
    fn key(&self) -> (bool, f64, f64, f64) {
        let floor = self.incident_recall >= RECALL_FLOOR;
        if floor {
            (
                true,
                self.accuracy,
                self.incident_precision,
                self.incident_recall,
            )
        } else {
            (
                false,
                self.incident_recall,
                self.accuracy,
                self.incident_precision,
            )
        }
    }

    /// Strictly better: ties keep what was found first.
    pub fn beats(&self, other: &Score) -> bool {
        self.key() > other.key()
    }
}

/// An example as cross-validation sees it: its cues, and the word model of the fold that
/// did not learn from it.
struct Seen {
    expected: Label,
    scores: Scores,
    log_scores: [f64; 6],
}

impl Seen {
    fn predict(&self, point: &Point) -> Label {
        let mut scores = self.scores;
        for (to, p) in scores
            .model
            .iter_mut()
            .zip(bayes::normalise(&self.log_scores, point.temperature))
        {
            *to = p as f32;
        }
        scores.decide(&point.thresholds).0
    }
}

fn score(seen: &[Seen], point: &Point) -> Score {
    let incident = |l: Label| l == Label::Incident;
    let (mut right, mut found, mut expected, mut predicted) = (0usize, 0usize, 0usize, 0usize);
    for s in seen {
        let label = s.predict(point);
        right += usize::from(label == s.expected);
        expected += usize::from(incident(s.expected));
        predicted += usize::from(incident(label));
        found += usize::from(incident(label) && incident(s.expected));
    }
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    Score {
        accuracy: ratio(right, seen.len()),
        incident_recall: ratio(found, expected),
        incident_precision: ratio(found, predicted),
    }
}

/// The search's outcome: the word model's settings, each step that improved the point, the
/// chosen point, and, around it, the score of every value of each constant.
#[derive(Debug)]
pub struct Tuning {
    pub word_model: Vec<WordModelTrial>,
    pub settings: Settings,
    pub steps: Vec<(Knob, f64, Score)>,
    pub chosen: Point,
    pub score: Score,
    pub around: Vec<(Knob, Vec<(f64, Score)>)>,
}

/// Chooses the classifier's constants by `folds`-fold cross-validation on `examples`: first
/// the word model's smoothing and stems ([`tune_word_model`]); then the decision's constants
/// and the model's temperature: a full grid of the four that move it most ([`GRIDDED`]), then
/// a coordinate search (one constant at a time over its values, until no change improves
/// the [`Score`]) from the grid's best and from the shipped point. Ties keep what was found
/// first, so tuning again from the chosen constants chooses them again. The held-out sets
/// are never read here.
pub fn tune(examples: &[Example], folds: usize) -> Tuning {
    let word_model = tune_word_model(examples, folds);
    let settings = word_model
        .first()
        .map_or(Settings::SHIPPED, |trial| trial.settings);
    let mut seen = Vec::with_capacity(examples.len());
    for fold in 0..folds {
        let model = bayes::Model::train_with(training(examples, folds, fold), settings);
        for example in in_fold(examples, folds, fold) {
            let Some(expected) = Label::parse(&example.label) else {
                continue;
            };
            let input = Input {
                text: &example.text,
                rating: example.rating,
            };
            seen.push(Seen {
                expected,
                scores: weigh_cues(input).scores,
                log_scores: model.log_scores(&example.text).0,
            });
        }
    }
    let (gridded, _) = grid(&seen);
    let mut best: Option<Climbed> = None;
    for start in [Point::SHIPPED, gridded] {
        let (point, score, steps) = climb(&seen, start);
        if best.as_ref().is_none_or(|(_, s, _)| score.beats(s)) {
            best = Some((point, score, steps));
        }
    }
    let Some((chosen, best_score, steps)) = best else {
        unreachable!("two starts were climbed")
    };
    let around = Knob::ALL
        .into_iter()
        .map(|knob| {
            let values = knob
                .values()
                .into_iter()
                .map(|v| {
                    let mut p = chosen;
                    knob.set(&mut p, v);
                    (v, score(&seen, &p))
                })
                .collect();
            (knob, values)
        })
        .collect();
    Tuning {
        word_model,
        settings,
        steps,
        chosen,
        score: best_score,
        around,
    }
}

/// The constants that move the decision most, tried together on their whole grid; the
/// others at the middle of theirs.
const GRIDDED: [Knob; 4] = [
    Knob::ModelWeight,
    Knob::Temperature,
    Knob::IncidentMargin,
    Knob::IncidentMin,
];

fn grid(seen: &[Seen]) -> (Point, Score) {
    let mut middle = Point::SHIPPED;
    for knob in Knob::ALL {
        let values = knob.values();
        knob.set(&mut middle, values[values.len() / 2]);
    }
    let mut points = vec![middle];
    for knob in GRIDDED {
        points = points
            .into_iter()
            .flat_map(|p| {
                knob.values().into_iter().map(move |v| {
                    let mut q = p;
                    knob.set(&mut q, v);
                    q
                })
            })
            .collect();
    }
    let mut best = (middle, score(seen, &middle));
    for point in points {
        let s = score(seen, &point);
        if s.beats(&best.1) {
            best = (point, s);
        }
    }
    best
}

/// Where a coordinate search ended, its score, and each step that improved it.
type Climbed = (Point, Score, Vec<(Knob, f64, Score)>);

fn climb(seen: &[Seen], start: Point) -> Climbed {
    let mut point = start;
    let mut best = score(seen, &point);
    let mut steps = Vec::new();
    loop {
        let mut moved = false;
        for knob in Knob::ALL {
            for value in knob.values() {
                let mut candidate = point;
                knob.set(&mut candidate, value);
                let s = score(seen, &candidate);
                if s.beats(&best) {
                    point = candidate;
                    best = s;
                    steps.push((knob, value, s));
                    moved = true;
                }
            }
        }
        if !moved {
            return (point, best, steps);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example(id: &str, text: &str, label: &str) -> Example {
        Example {
            id: id.to_string(),
            lang: "en".to_string(),
            text: text.to_string(),
            rating: None,
            label: label.to_string(),
        }
    }

    #[test]
    fn incident_recall_should_come_first_then_accuracy() {
        let score = |accuracy, incident_recall, incident_precision| Score {
            accuracy,
            incident_recall,
            incident_precision,
        };
        // Below the floor (0.975), recall decides; above it, accuracy, then precision.
        assert!(score(0.80, 0.96, 0.9).beats(&score(0.95, 0.90, 0.9)));
        assert!(score(0.85, 0.975, 0.8).beats(&score(0.99, 0.97, 0.9)));
        assert!(score(0.90, 0.975, 0.8).beats(&score(0.89, 0.99, 0.9)));
        assert!(score(0.90, 0.98, 0.9).beats(&score(0.90, 0.98, 0.8)));
        assert!(!score(0.90, 0.98, 0.9).beats(&score(0.90, 0.98, 0.9)));
    }

    #[test]
    fn a_report_should_count_precision_recall_and_misses() {
        let examples = [
            example("a", "The lamp arrived broken", "incident"),
            example("b", "Never arrived, where is my order?", "incident"),
            example("c", "Love it, thank you!", "praise"),
            example("d", "lol", "incident"),
        ];
        let report = evaluate(&examples);
        assert_eq!(report.total, 4);
        assert_eq!(report.cell(Label::Incident, Label::Incident), 2);
        assert!((report.recall(Label::Incident) - 2.0 / 3.0).abs() < 1e-9);
        assert!((report.precision(Label::Incident) - 1.0).abs() < 1e-9);
        assert_eq!(
            report.misses,
            vec![("d".to_string(), Label::Incident, Label::Other)]
        );
        assert!(report
            .markdown()
            .contains("| incident | 3 | 1.000 | 0.667 |"));
    }

    #[test]
    fn a_bad_line_should_be_an_error_naming_it() {
        let jsonl = "{\"id\":\"a\",\"text\":\"x\",\"label\":\"praise\"}\n{\"id\":\"b\",\"text\":\"y\",\"label\":\"happy\"}";
        let error = read_examples(jsonl).err().unwrap_or_default();
        assert!(error.starts_with("line 2: unknown label"), "{error}");
    }

    #[test]
    fn every_knob_should_set_and_read_back_each_of_its_values() {
        for knob in Knob::ALL {
            for value in knob.values() {
                let mut point = Point::SHIPPED;
                knob.set(&mut point, value);
                assert!((knob.get(&point) - value).abs() < 1e-6, "{}", knob.name());
            }
            let shipped = knob.get(&Point::SHIPPED);
            assert!(
                knob.values().iter().any(|v| (v - shipped).abs() < 1e-6),
                "{} ships a value the search never tries",
                knob.name()
            );
        }
    }
}
