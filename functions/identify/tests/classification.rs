//! The classifier on the labelled sets (tests/data): incidents are what must not be missed.
//! The word model ships trained on the labelled set and the cue lists were written with part of
//! it in view, so the numbers that mean something are the held-out set's, written apart by
//! another writer before the classifier it measures was settled, and never trained or tuned on
//! (tests/data/README.md).

use identify::classify::bayes::Settings;
use identify::classify::evaluate::{
    cross_validate, evaluate, read_examples, tune, Example, Point, FOLDS, RECALL_FLOOR,
    RECALL_TARGET,
};
use identify::classify::Label;

fn load(name: &str) -> Vec<Example> {
    let path = format!("{}/../../tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    read_examples(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn incident_recall_under_cross_validation_should_be_at_least_0_97() {
    let examples = load("contributions-labelled.jsonl");
    assert!(
        examples.len() >= 700,
        "the set has {} contributions",
        examples.len()
    );
    let report = cross_validate(&examples, FOLDS);
    let recall = report.recall(Label::Incident);
    assert!(
        recall >= RECALL_FLOOR,
        "incident recall {recall:.3}\n{}",
        report.markdown()
    );
    // Today 0.937 and 0.911 (recall 0.975).
    assert!(report.accuracy() >= 0.92, "{}", report.markdown());
    assert!(
        report.precision(Label::Incident) >= 0.89,
        "{}",
        report.markdown()
    );
}

#[test]
fn the_shipped_constants_should_be_the_ones_cross_validation_chooses() {
    // Thresholds moved by hand (or tuned on a held-out set) fail here: change the cue lists
    // or the training set, then copy what `make classification-report TUNE=1` prints.
    let tuning = tune(&load("contributions-labelled.jsonl"), FOLDS);
    assert_eq!(tuning.settings, Settings::SHIPPED, "{tuning:#?}");
    assert_eq!(tuning.chosen, Point::SHIPPED, "{tuning:#?}");
}

/// The held-out set must keep incident recall at the target and the rest near today's
/// figures: a change that loses held-out incidents, or labels more of them falsely, fails
/// here. (Its floors hold what was measured; they were not tuned toward.)
fn held_out_should_not_regress(name: &str, accuracy: f64, incident_precision: f64) {
    let report = evaluate(&load(name));
    assert!(
        report.recall(Label::Incident) >= RECALL_TARGET,
        "{name}\n{}",
        report.markdown()
    );
    assert!(
        report.accuracy() >= accuracy,
        "{name}\n{}",
        report.markdown()
    );
    assert!(
        report.precision(Label::Incident) >= incident_precision,
        "{name}\n{}",
        report.markdown()
    );
    for label in Label::ALL {
        assert!(
            report.recall(label) >= 0.55,
            "{name}: {} recall\n{}",
            label.as_str(),
            report.markdown()
        );
    }
}

#[test]
fn the_held_out_set_should_not_regress() {
    // Today: accuracy 0.970, incident recall 1.000, incident precision 0.964.
    held_out_should_not_regress("contributions-holdout-5.jsonl", 0.95, 0.93);
}
