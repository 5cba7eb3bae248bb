//! JSON input with errors that name the field: `data.author.email`, `lines[0].quantity`.
//! A sender must be able to fix its payload from the 400 alone.

use serde::de::DeserializeOwned;

use crate::kit::error::Error;

/// Deserialises `bytes`; a failure is a validation error naming the field, prefixed with
/// `prefix` (the path of `bytes` inside a larger document, or "" at the top).
pub fn from_slice<T: DeserializeOwned>(bytes: &[u8], prefix: &str) -> Result<T, Error> {
    // The path tracking costs about half the parse time: pay it only to explain a failure.
    if let Ok(value) = serde_json::from_slice(bytes) {
        return Ok(value);
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if inner.is_syntax() || inner.is_eof() {
            return Error::validation("body", format!("body is not valid JSON: {inner}"));
        }
        // serde's own words ("missing field `id`"), without the position.
        let text = inner.to_string();
        let message = text.split(" at line ").next().unwrap_or(&text).to_string();
        let mut parts: Vec<String> = Vec::new();
        if !prefix.is_empty() {
            parts.push(prefix.to_string());
        }
        if path != "." {
            parts.push(path);
        }
        if let Some(missing) = message
            .strip_prefix("missing field `")
            .and_then(|rest| rest.strip_suffix('`'))
        {
            parts.push(missing.to_string());
        }
        let field = if parts.is_empty() {
            "body".to_string()
        } else {
            parts.join(".")
        };
        Error::validation(field, message)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Outer {
        kind: String,
        inner: Inner,
    }

    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Inner {
        count: u32,
    }

    fn field(body: &str, prefix: &str) -> String {
        match from_slice::<Outer>(body.as_bytes(), prefix).unwrap_err() {
            Error::Validation { field, .. } => field.unwrap_or_default(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn errors_should_name_the_field() {
        assert_eq!(field(r#"{"inner":{"count":1}}"#, ""), "kind");
        assert_eq!(
            field(r#"{"kind":"a","inner":{"count":-1}}"#, ""),
            "inner.count"
        );
        assert_eq!(
            field(r#"{"kind":"a","inner":{}}"#, "data"),
            "data.inner.count"
        );
        assert_eq!(field(r#"{"kind":"a""#, ""), "body");
    }
}
