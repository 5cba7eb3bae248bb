//! The classifier on the labelled set (tests/data/contributions-labelled.jsonl): incidents are
//! what must not be missed.

use identify::classify::evaluate::{evaluate, read_examples};
use identify::classify::Label;

#[test]
fn incident_recall_on_the_labelled_set_should_be_at_least_0_95() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/data/contributions-labelled.jsonl"
    );
    let examples = read_examples(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert!(
        examples.len() >= 300,
        "the set has {} contributions",
        examples.len()
    );
    let report = evaluate(&examples);
    let recall = report.recall(Label::Incident);
    assert!(
        recall >= 0.95,
        "incident recall {recall:.3}\n{}",
        report.markdown()
    );
    // Every other label must be found at all, and the whole must beat a coin by far.
    for label in Label::ALL {
        assert!(
            report.recall(label) > 0.5,
            "{} recall\n{}",
            label.as_str(),
            report.markdown()
        );
    }
    assert!(report.accuracy() > 0.75, "{}", report.markdown());
}
