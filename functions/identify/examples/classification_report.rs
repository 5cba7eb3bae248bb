//! The classification report: per-label precision and recall and the confusion matrix of the
//! built-in classifier on the labelled set. `make classification-report` runs it.
//!
//!   cargo run -q -p identify --example classification_report [path/to/set.jsonl] [--misses]

use identify::classify::evaluate::{evaluate, read_examples};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = args
        .iter()
        .find(|a| !a.starts_with("--"))
        .cloned()
        .unwrap_or_else(|| {
            concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../tests/data/contributions-labelled.jsonl"
            )
            .to_string()
        });
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(2);
        }
    };
    let examples = match read_examples(&text) {
        Ok(examples) => examples,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(2);
        }
    };
    let report = evaluate(&examples);
    println!("{}", report.markdown());
    if args.iter().any(|a| a == "--misses") {
        let by_id: std::collections::HashMap<&str, &str> = examples
            .iter()
            .map(|e| (e.id.as_str(), e.text.as_str()))
            .collect();
        for (id, expected, predicted) in &report.misses {
            println!(
                "{id}\texpected {}\tgot {}\t{}",
                expected.as_str(),
                predicted.as_str(),
                by_id[id.as_str()]
            );
        }
    }
}
