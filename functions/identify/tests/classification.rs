//! The classifier on the labelled sets (tests/data): incidents are what must not be missed.
//! The word model ships trained on the labelled set, so the numbers that mean something are
//! its cross-validation and the held-out set, written apart and never trained or tuned on.

use identify::classify::evaluate::{cross_validate, evaluate, read_examples, Example};
use identify::classify::Label;

fn load(name: &str) -> Vec<Example> {
    let path = format!("{}/../../tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    read_examples(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn incident_recall_under_cross_validation_should_be_at_least_0_95() {
    let examples = load("contributions-labelled.jsonl");
    assert!(
        examples.len() >= 300,
        "the set has {} contributions",
        examples.len()
    );
    let report = cross_validate(&examples, 5);
    let recall = report.recall(Label::Incident);
    assert!(
        recall >= 0.95,
        "incident recall {recall:.3}\n{}",
        report.markdown()
    );
    assert!(report.accuracy() > 0.75, "{}", report.markdown());
}

#[test]
fn the_held_out_set_should_not_regress() {
    // Floors a little under today's numbers (incident recall 0.875, accuracy 0.740): a change
    // that loses held-out incidents fails here.
    let report = evaluate(&load("contributions-holdout.jsonl"));
    assert!(
        report.recall(Label::Incident) >= 0.85,
        "{}",
        report.markdown()
    );
    assert!(report.accuracy() >= 0.70, "{}", report.markdown());
    for label in Label::ALL {
        assert!(
            report.recall(label) >= 0.5,
            "{} recall\n{}",
            label.as_str(),
            report.markdown()
        );
    }
}
