//! Metrics as CloudWatch Embedded Metric Format: one JSON line on stdout per data point,
//! which CloudWatch Logs turns into a metric without an API call from the function.
//! Dimensions are low-cardinality codes (platform, reason), never ids or personal data.

use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};

pub const NAMESPACE: &str = "Liaison";

/// The EMF document for `count` of `metric` with `dimensions` at `now`.
pub fn document(
    metric: &str,
    count: u64,
    dimensions: &[(&str, &str)],
    now: DateTime<Utc>,
) -> Value {
    let names: Vec<&str> = dimensions.iter().map(|(k, _)| *k).collect();
    let mut doc = Map::new();
    doc.insert(
        "_aws".into(),
        json!({
            "Timestamp": now.timestamp_millis(),
            "CloudWatchMetrics": [{
                "Namespace": NAMESPACE,
                "Dimensions": [names],
                "Metrics": [{"Name": metric, "Unit": "Count"}],
            }],
        }),
    );
    for (name, value) in dimensions {
        doc.insert((*name).to_string(), Value::String((*value).to_string()));
    }
    doc.insert(metric.to_string(), json!(count));
    Value::Object(doc)
}

/// Writes the document on its own stdout line (Lambda ships stdout to CloudWatch Logs).
pub fn count(metric: &str, count: u64, dimensions: &[(&str, &str)], now: DateTime<Utc>) {
    println!("{}", document(metric, count, dimensions, now));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_count_should_be_a_valid_emf_document() {
        let now: DateTime<Utc> = "2026-11-23T10:00:00Z".parse().unwrap();
        let doc = document(
            "IgnoredEvents",
            2,
            &[("Platform", "meta"), ("Reason", "own_post")],
            now,
        );
        assert_eq!(doc["_aws"]["Timestamp"], 1_795_428_000_000i64);
        let directive = &doc["_aws"]["CloudWatchMetrics"][0];
        assert_eq!(directive["Namespace"], "Liaison");
        assert_eq!(directive["Dimensions"], json!([["Platform", "Reason"]]));
        assert_eq!(directive["Metrics"][0]["Name"], "IgnoredEvents");
        // Every dimension and the metric are top-level members, as EMF requires.
        assert_eq!(doc["Platform"], "meta");
        assert_eq!(doc["Reason"], "own_post");
        assert_eq!(doc["IgnoredEvents"], 2);
    }
}
