//! Compacts the labelled set (tests/data/contributions-labelled.jsonl) into the lines the word
//! model trains from, `{label's place in Label::ALL}<TAB>text`, deflated, for
//! `classify::bayes` to compile in and inflate at its first use. The JSON's other fields (id,
//! language, platform, kind, rating) and its keys were more than half of each line and the
//! word model reads none of them; deflate takes the rest to about a third: the bootstrap
//! stays within its budget as the set grows (docs/architecture.md, "Classification").

use std::fmt::Write as _;

/// In `Label::ALL` order (a test in `classify::bayes` reads every line back).
const LABELS: [&str; 6] = [
    "incident",
    "purchase_intent",
    "question",
    "praise",
    "spam",
    "other",
];

fn main() {
    let source = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/data/contributions-labelled.jsonl"
    );
    println!("cargo:rerun-if-changed={source}");
    let jsonl = std::fs::read_to_string(source).expect("tests/data/contributions-labelled.jsonl");
    let mut compact = String::with_capacity(jsonl.len() / 2);
    for (n, line) in jsonl
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let item: serde_json::Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("contributions-labelled.jsonl line {}: {e}", n + 1));
        let field = |name: &str| {
            item.get(name)
                .and_then(serde_json::Value::as_str)
                .unwrap_or_else(|| panic!("contributions-labelled.jsonl line {}: no {name}", n + 1))
        };
        let label = field("label");
        let place = LABELS
            .iter()
            .position(|known| *known == label)
            .unwrap_or_else(|| {
                panic!(
                    "contributions-labelled.jsonl line {}: unknown label {label}",
                    n + 1
                )
            });
        // Tabs and line breaks are whitespace to the word model's tokens.
        let text: String = field("text")
            .chars()
            .map(|c| if c.is_whitespace() { ' ' } else { c })
            .collect();
        let _ = writeln!(compact, "{place}\t{text}");
    }
    let out = std::path::Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR"))
        .join("training.tsv.deflate");
    let deflated = miniz_oxide::deflate::compress_to_vec(compact.as_bytes(), 10);
    std::fs::write(out, deflated).expect("write training.tsv.deflate");
}
