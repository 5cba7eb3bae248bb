//! Metrics as CloudWatch Embedded Metric Format: one JSON line on stdout per data point,
//! which CloudWatch Logs turns into a metric without an API call from the function.
//!
//! Every metric is in namespace `Liaison` with a `Service` dimension, the function's crate
//! name (set once by its `main.rs` through [`set_service`]; `local` in the local runner,
//! where every function shares one process and nothing reads the metrics). Other dimensions
//! are low-cardinality codes (platform, reason, label), never ids or personal data. The
//! dashboard (template.yaml) and docs/operations.md#dashboard list every metric with its
//! exact dimensions: a metric emitted with another set does not show there.

use std::sync::OnceLock;

use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};

pub const NAMESPACE: &str = "Liaison";

static SERVICE: OnceLock<String> = OnceLock::new();

/// Names the function every metric of this process comes from (first call wins).
pub fn set_service(name: &str) {
    let _ = SERVICE.set(name.to_string());
}

pub fn service() -> &'static str {
    SERVICE.get().map(String::as_str).unwrap_or("local")
}

/// The EMF document for `value` of `metric` (in `unit`) with `Service` and `dimensions` at
/// `now`.
pub fn document(
    metric: &str,
    value: f64,
    unit: &str,
    dimensions: &[(&str, &str)],
    now: DateTime<Utc>,
) -> Value {
    let mut names: Vec<&str> = vec!["Service"];
    names.extend(dimensions.iter().map(|(k, _)| *k));
    let mut doc = Map::new();
    doc.insert(
        "_aws".into(),
        json!({
            "Timestamp": now.timestamp_millis(),
            "CloudWatchMetrics": [{
                "Namespace": NAMESPACE,
                "Dimensions": [names],
                "Metrics": [{"Name": metric, "Unit": unit}],
            }],
        }),
    );
    doc.insert("Service".into(), Value::String(service().to_string()));
    for (name, value) in dimensions {
        doc.insert((*name).to_string(), Value::String((*value).to_string()));
    }
    doc.insert(metric.to_string(), json!(value));
    Value::Object(doc)
}

/// Writes `count` of `metric` on its own stdout line (Lambda ships stdout to CloudWatch
/// Logs, and does not re-wrap a line that is already JSON).
pub fn count(metric: &str, count: u64, dimensions: &[(&str, &str)], now: DateTime<Utc>) {
    println!(
        "{}",
        document(metric, count as f64, "Count", dimensions, now)
    );
}

/// Writes an amount (revenue: unit `None`).
pub fn amount(metric: &str, value: f64, dimensions: &[(&str, &str)], now: DateTime<Utc>) {
    if value.is_finite() {
        println!("{}", document(metric, value, "None", dimensions, now));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_count_should_be_a_valid_emf_document_with_its_service() {
        let now: DateTime<Utc> = "2026-11-23T10:00:00Z".parse().unwrap();
        let doc = document(
            "IgnoredEvents",
            2.0,
            "Count",
            &[("Platform", "meta"), ("Reason", "own_post")],
            now,
        );
        assert_eq!(doc["_aws"]["Timestamp"], 1_795_428_000_000i64);
        let directive = &doc["_aws"]["CloudWatchMetrics"][0];
        assert_eq!(directive["Namespace"], "Liaison");
        assert_eq!(
            directive["Dimensions"],
            json!([["Service", "Platform", "Reason"]])
        );
        assert_eq!(directive["Metrics"][0]["Name"], "IgnoredEvents");
        assert_eq!(directive["Metrics"][0]["Unit"], "Count");
        // Every dimension and the metric are top-level members, as EMF requires.
        assert_eq!(doc["Service"], service());
        assert_eq!(doc["Platform"], "meta");
        assert_eq!(doc["Reason"], "own_post");
        assert_eq!(doc["IgnoredEvents"], 2.0);
    }
}
