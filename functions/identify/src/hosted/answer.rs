//! What the hosted model answered, read strictly: one JSON object whose `label` is exactly
//! one of the six labels and whose `confidence` is a number from 0 to 1, from an answer that
//! ended by itself. Anything else is refused with its reason (logged, never the text) and
//! the built-in classifier decides: a model's prose is never stored as a label.

use serde_json::Value;
use shared::contracts::rules::Label;

/// The model's label and how sure it said it was.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Answer {
    pub label: Label,
    pub confidence: f32,
}

/// Why an answer was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The answer did not end by itself (`max_tokens`, `content_filtered`...): its stop reason.
    Stopped(String),
    /// No text at all.
    Empty,
    /// Not one JSON object.
    NotJson,
    /// No `label` string.
    NoLabel,
    /// A `label` that is not exactly one of the six (case and spelling included).
    UnknownLabel,
    /// No `confidence` number from 0 to 1.
    BadConfidence,
}

impl Refusal {
    /// The reason as logged: a code, never what the model wrote.
    pub fn as_str(&self) -> &str {
        match self {
            Refusal::Stopped(_) => "stopped",
            Refusal::Empty => "empty",
            Refusal::NotJson => "not_json",
            Refusal::NoLabel => "no_label",
            Refusal::UnknownLabel => "unknown_label",
            Refusal::BadConfidence => "bad_confidence",
        }
    }
}

/// Reads the model's `text`, which stopped for `stop_reason` (Converse's `stopReason`).
pub fn read(text: &str, stop_reason: &str) -> Result<Answer, Refusal> {
    if stop_reason != "end_turn" && stop_reason != "stop_sequence" {
        return Err(Refusal::Stopped(stop_reason.to_string()));
    }
    let body = unfenced(text.trim());
    if body.is_empty() {
        return Err(Refusal::Empty);
    }
    let value: Value = serde_json::from_str(body).map_err(|_| Refusal::NotJson)?;
    let object = value.as_object().ok_or(Refusal::NotJson)?;
    let name = object
        .get("label")
        .and_then(Value::as_str)
        .ok_or(Refusal::NoLabel)?;
    let label = Label::parse(name).ok_or(Refusal::UnknownLabel)?;
    let confidence = object
        .get("confidence")
        .and_then(Value::as_f64)
        .filter(|c| (0.0..=1.0).contains(c))
        .ok_or(Refusal::BadConfidence)?;
    Ok(Answer {
        label,
        confidence: confidence as f32,
    })
}

/// The JSON inside one Markdown code fence (```json ... ```), which some models put around
/// an answer asked to be JSON alone; the text as it is otherwise.
fn unfenced(text: &str) -> &str {
    let Some(inner) = text.strip_prefix("```") else {
        return text;
    };
    let inner = inner.strip_prefix("json").unwrap_or(inner);
    inner.strip_suffix("```").unwrap_or(inner).trim()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_exact_label_should_be_read_with_its_confidence() {
        let answer = read(
            r#"{"label": "purchase_intent", "confidence": 0.82}"#,
            "end_turn",
        );
        assert_eq!(
            answer,
            Ok(Answer {
                label: Label::PurchaseIntent,
                confidence: 0.82
            })
        );
        let fenced = "```json\n{\"label\": \"spam\", \"confidence\": 1}\n```";
        assert_eq!(read(fenced, "end_turn").map(|a| a.label), Ok(Label::Spam));
    }

    #[test]
    fn anything_but_one_of_the_labels_should_be_refused_with_its_reason() {
        let cases = [
            (
                r#"{"label": "Incident", "confidence": 0.9}"#,
                Refusal::UnknownLabel,
            ),
            (
                r#"{"label": "complaint", "confidence": 0.9}"#,
                Refusal::UnknownLabel,
            ),
            (r#"{"label": "incident "}"#, Refusal::UnknownLabel),
            (
                r#"{"label": ["incident"], "confidence": 0.9}"#,
                Refusal::NoLabel,
            ),
            (r#"{"confidence": 0.9}"#, Refusal::NoLabel),
            (r#"{"label": "praise"}"#, Refusal::BadConfidence),
            (
                r#"{"label": "praise", "confidence": 1.5}"#,
                Refusal::BadConfidence,
            ),
            (
                r#"{"label": "praise", "confidence": "high"}"#,
                Refusal::BadConfidence,
            ),
            ("It is an incident.", Refusal::NotJson),
            (r#"["incident"]"#, Refusal::NotJson),
            (
                r#"{"label": "praise", "confidence": 0.9} and more"#,
                Refusal::NotJson,
            ),
            ("   ", Refusal::Empty),
        ];
        for (text, refusal) in cases {
            assert_eq!(read(text, "end_turn"), Err(refusal), "{text}");
        }
        assert_eq!(
            read(r#"{"label": "praise", "confi"#, "max_tokens"),
            Err(Refusal::Stopped("max_tokens".into()))
        );
        assert_eq!(
            read(
                r#"{"label": "praise", "confidence": 1}"#,
                "content_filtered"
            )
            .map_err(|r| r.as_str().to_string()),
            Err("stopped".to_string())
        );
    }
}
