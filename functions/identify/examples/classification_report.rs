//! The classification report: per-label precision and recall and the confusion matrix of the
//! classifier. `make classification-report` runs it.
//!
//!   cargo run -q -p identify --example classification_report [set.jsonl] [--misses] [--cross-validate]
//!
//! Without a path it prints three reports: the labelled set in-sample (the shipped word model
//! was trained on it, and the cue lists were written with it in view), the same set under
//! 5-fold cross-validation of the word model, and the held-out set (written apart from both,
//! never trained or tuned on): the last is the honest one.

use identify::classify::evaluate::{cross_validate, evaluate, read_examples, Example, Report};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/data");
    let Some(path) = args.iter().find(|a| !a.starts_with("--")).cloned() else {
        let labelled = load(&format!("{data}/contributions-labelled.jsonl"));
        let holdout = load(&format!("{data}/contributions-holdout.jsonl"));
        print_report("Labelled set, in-sample", &evaluate(&labelled));
        print_report(
            "Labelled set, 5-fold cross-validation of the word model",
            &cross_validate(&labelled, 5),
        );
        print_report(
            "Held-out set (never trained or tuned on)",
            &evaluate(&holdout),
        );
        return;
    };
    let examples = load(&path);
    let report = if args.iter().any(|a| a == "--cross-validate") {
        cross_validate(&examples, 5)
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
