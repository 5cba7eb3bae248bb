//! Configuration from the environment.
//!
//! Functions read their settings through [`Env`] rather than `std::env` directly so that the
//! local runner can hand each function exactly the environment template.yaml declares for it,
//! while several functions share one process.

use std::collections::HashMap;

/// A source of environment variables.
pub trait Env: Send + Sync {
    fn var(&self, name: &str) -> Option<String>;
}

/// The process environment, as on Lambda.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProcessEnv;

impl Env for ProcessEnv {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok().filter(|v| !v.is_empty())
    }
}

impl Env for HashMap<String, String> {
    fn var(&self, name: &str) -> Option<String> {
        self.get(name).filter(|v| !v.is_empty()).cloned()
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error("environment variable {0} is required")]
    Missing(String),
    #[error("environment variable {name} is invalid: {reason}")]
    Invalid { name: String, reason: String },
}

/// A required variable: missing or empty is an error naming it.
pub fn required(env: &dyn Env, name: &str) -> Result<String, ConfigError> {
    env.var(name)
        .ok_or_else(|| ConfigError::Missing(name.to_string()))
}

/// Where the links in emails point: `PUBLIC_BASE_URL` (a custom domain) when set, else
/// `API_BASE_URL` (the API's own URL, which template.yaml always gives).
pub fn link_base(env: &dyn Env) -> Result<String, ConfigError> {
    ["PUBLIC_BASE_URL", "API_BASE_URL"]
        .iter()
        .find_map(|name| env.var(name).filter(|v| !v.trim().is_empty()))
        .ok_or_else(|| ConfigError::Missing("API_BASE_URL".to_string()))
}

/// An optional variable parsed with `FromStr`, with a default when absent.
pub fn parsed_or<T: std::str::FromStr>(
    env: &dyn Env,
    name: &str,
    default: T,
) -> Result<T, ConfigError>
where
    T::Err: std::fmt::Display,
{
    match env.var(name) {
        None => Ok(default),
        Some(raw) => raw.parse().map_err(|e: T::Err| ConfigError::Invalid {
            name: name.to_string(),
            reason: e.to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn when_variable_is_missing_or_empty_should_name_it() {
        let e = env(&[("EMPTY", "")]);
        assert_eq!(
            required(&e, "TABLE"),
            Err(ConfigError::Missing("TABLE".into()))
        );
        assert_eq!(
            required(&e, "EMPTY"),
            Err(ConfigError::Missing("EMPTY".into()))
        );
    }

    #[test]
    fn when_variable_does_not_parse_should_say_which() {
        let e = env(&[("GRACE", "soon")]);
        let err = parsed_or::<u64>(&e, "GRACE", 3600).unwrap_err();
        assert!(matches!(err, ConfigError::Invalid { ref name, .. } if name == "GRACE"));
        assert_eq!(parsed_or::<u64>(&e, "OTHER", 7), Ok(7));
    }
}
