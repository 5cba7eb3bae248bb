//! The classification report: per-label precision and recall and the confusion matrix of the
//! classifier. `make classification-report` runs it (`TUNE=1` for the search of its constants).
//!
//!   cargo run -q -p identify --example classification_report [set.jsonl] [--misses] [--cross-validate]
//!   cargo run -q -p identify --example classification_report -- --tune
//!
//! Without a path it prints three reports: the labelled set in-sample (the shipped word model
//! was trained on it, and the cue lists were written with part of it in view), the same set
//! under 5-fold cross-validation (each fold's word model trained on the other folds; the cue
//! lists and constants still saw it all), and the held-out set, written apart by another
//! writer and never trained or tuned on: the honest one (tests/data/README.md). `--tune` runs the cross-validated search that chose the
//! constants of `classify` and `classify::bayes`, on the labelled set alone.

use identify::classify::bayes::Settings;
use identify::classify::evaluate::{
    cross_validate, evaluate, read_examples, tune, Example, Point, Report, FOLDS, RECALL_FLOOR,
};
use identify::classify::Label;

/// The targets on the held-out sets (issue 19).
const TARGETS: (f64, f64, f64) = (0.90, 0.97, 0.90);

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/data");
    let labelled = || load(&format!("{data}/contributions-labelled.jsonl"));
    if args.iter().any(|a| a == "--tune") {
        print_tuning(&labelled());
        return;
    }
    let Some(path) = args.iter().find(|a| !a.starts_with("--")).cloned() else {
        let labelled = labelled();
        let reports = [
            ("Labelled set, in-sample", evaluate(&labelled)),
            (
                "Labelled set, 5-fold cross-validation",
                cross_validate(&labelled, FOLDS),
            ),
            (
                "Held-out set 5 (contributions-holdout-5.jsonl; written apart, never trained or tuned on)",
                evaluate(&load(&format!("{data}/contributions-holdout-5.jsonl"))),
            ),
        ];
        print_summary(&reports);
        print_timing(&labelled);
        for (title, report) in &reports {
            print_report(title, report);
        }
        return;
    };
    let examples = load(&path);
    let report = if args.iter().any(|a| a == "--cross-validate") {
        cross_validate(&examples, FOLDS)
    } else {
        evaluate(&examples)
    };
    print_report(&path, &report);
    if args.iter().any(|a| a == "--misses") {
        for (id, expected, predicted) in &report.misses {
            let text = examples
                .iter()
                .find(|e| &e.id == id)
                .map_or("", |e| e.text.as_str());
            println!(
                "{id}\texpected {}\tgot {}\t{text}",
                expected.as_str(),
                predicted.as_str()
            );
        }
    }
}

fn print_summary(reports: &[(&str, Report)]) {
    let (accuracy, recall, precision) = TARGETS;
    println!("## Summary\n");
    println!(
        "Targets on the held-out set: accuracy ≥ {accuracy:.2}, incident recall ≥ {recall:.2}, \
         incident precision ≥ {precision:.2}.\n"
    );
    println!("| set | contributions | accuracy | incident recall | incident precision |");
    println!("| --- | --- | --- | --- | --- |");
    for (title, report) in reports {
        let mark = |value: f64, target: f64| {
            let met = if value >= target { "" } else { " (below)" };
            format!("{value:.3}{met}")
        };
        let held_out = title.starts_with("Held-out");
        let cell = |value: f64, target: f64| {
            if held_out {
                mark(value, target)
            } else {
                format!("{value:.3}")
            }
        };
        println!(
            "| {} | {} | {} | {} | {} |",
            title.split(" (").next().unwrap_or(title),
            report.total,
            cell(report.accuracy(), accuracy),
            cell(report.recall(Label::Incident), recall),
            cell(report.precision(Label::Incident), precision),
        );
    }
    println!();
}

/// What the word model costs a cold start, and a classification, in this build (measured
/// here rather than asserted in a timed test; docs/architecture.md quotes it in release).
fn print_timing(labelled: &[Example]) {
    use identify::classify::{bayes, classify, Input};
    const RUNS: u32 = 20;
    let base = bayes::base_examples();
    let started = std::time::Instant::now();
    for _ in 0..RUNS {
        std::hint::black_box(bayes::Model::train(
            base.iter().map(|(text, label)| (text.as_str(), *label)),
        ));
    }
    let training = started.elapsed() / RUNS;
    let started = std::time::Instant::now();
    for example in labelled {
        std::hint::black_box(classify(Input {
            text: &example.text,
            rating: example.rating,
        }));
    }
    let each = started.elapsed() / labelled.len().max(1) as u32;
    println!(
        "Word model: {} examples trained in {training:.1?}; a classification takes {each:.1?}.\n",
        base.len()
    );
}

fn print_tuning(examples: &[Example]) {
    println!(
        "## Tuning on the labelled set ({} contributions, {FOLDS}-fold cross-validation)\n",
        examples.len()
    );
    let tuning = tune(examples, FOLDS);
    println!("Word model alone (accuracy of its most probable label), best first:\n");
    println!("| smoothing | stem | accuracy |\n| --- | --- | --- |");
    for trial in &tuning.word_model {
        let stem = match trial.settings.stem {
            0 => "whole words".to_string(),
            n => n.to_string(),
        };
        println!(
            "| {} | {stem} | {:.3} |",
            trial.settings.smoothing, trial.accuracy
        );
    }
    println!(
        "\nDecision: the most accurate point whose incident recall is at least {RECALL_FLOOR}.\n"
    );
    if tuning.steps.is_empty() {
        println!("Coordinate search: no change to the best start improved it.\n");
    } else {
        println!("Coordinate search, each change that improved the point:\n");
        println!("| constant | value | accuracy | incident recall | incident precision |");
        println!("| --- | --- | --- | --- | --- |");
        for (knob, value, score) in &tuning.steps {
            println!(
                "| {} | {value} | {:.3} | {:.3} | {:.3} |",
                knob.name(),
                score.accuracy,
                score.incident_recall,
                score.incident_precision
            );
        }
        println!();
    }
    println!("Around the chosen point, each constant alone (accuracy / incident recall):\n");
    for (knob, values) in &tuning.around {
        let cells: Vec<String> = values
            .iter()
            .map(|(v, s)| {
                let chosen = if (*v - knob.get(&tuning.chosen)).abs() < 1e-9 {
                    "*"
                } else {
                    ""
                };
                format!("{v}{chosen}: {:.3}/{:.3}", s.accuracy, s.incident_recall)
            })
            .collect();
        println!("- {}: {}", knob.name(), cells.join(", "));
    }
    let t = &tuning.chosen.thresholds;
    println!(
        "\nChosen (cross-validated accuracy {:.3}, incident recall {:.3}, incident precision {:.3}):\n",
        tuning.score.accuracy, tuning.score.incident_recall, tuning.score.incident_precision
    );
    println!("```rust");
    println!("// functions/identify/src/classify/bayes.rs");
    println!(
        "pub const SMOOTHING: f64 = {:?};",
        tuning.settings.smoothing
    );
    println!("pub const STEM: usize = {};", tuning.settings.stem);
    println!("// functions/identify/src/classify/mod.rs");
    for (name, value) in [
        ("SPAM_MIN", t.spam_min),
        ("INCIDENT_MIN", t.incident_min),
        ("INTENT_MIN", t.intent_min),
        ("QUESTION_MIN", t.question_min),
        ("PRAISE_MIN", t.praise_min),
        ("MODEL_WEIGHT", t.model_weight),
        ("INCIDENT_MARGIN", t.incident_margin),
        ("QUESTION_MARK", t.question_mark),
    ] {
        println!("const {name}: f32 = {value:?};");
    }
    println!(
        "const MODEL_TEMPERATURE: f64 = {:?};",
        tuning.chosen.temperature
    );
    println!("```\n");
    let shipped = tuning.chosen == Point::SHIPPED && tuning.settings == Settings::SHIPPED;
    println!(
        "{}",
        if shipped {
            "The shipped constants are these."
        } else {
            "The shipped constants differ: copy these into the sources."
        }
    );
}

fn print_report(title: &str, report: &Report) {
    println!("## {title}\n\n{}", report.markdown());
}

fn load(path: &str) -> Vec<Example> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| {
        eprintln!("{path}: {e}");
        std::process::exit(2);
    });
    read_examples(&text).unwrap_or_else(|e| {
        eprintln!("{path}: {e}");
        std::process::exit(2);
    })
}
