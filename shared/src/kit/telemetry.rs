//! JSON logs through `tracing`.
//!
//! Rule: no personal data (emails, names, contribution text) and no secrets in any field.
//! Log ids (source id, event id, correlation id), counts, codes and durations only.

use tracing_subscriber::EnvFilter;

/// What a function's `main.rs` does first: JSON logs, its name on every metric, and one
/// `ColdStart` (an execution environment starting).
pub fn init_function(service: &str) {
    init();
    crate::kit::metrics::set_service(service);
    crate::kit::metrics::count("ColdStart", 1, &[], chrono::Utc::now());
}

/// Installs the JSON subscriber once; `RUST_LOG` (or `AWS_LAMBDA_LOG_LEVEL`) sets the level.
pub fn init() {
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| {
            std::env::var("AWS_LAMBDA_LOG_LEVEL")
                .map_err(|_| ())
                .and_then(|l| EnvFilter::try_new(l.to_lowercase()).map_err(|_| ()))
        })
        .unwrap_or_else(|_| EnvFilter::new("info"));
    // A second init (tests, the local runner) is harmless: keep the first subscriber.
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_current_span(false)
        .with_span_list(false)
        .flatten_event(true)
        .with_target(false)
        .without_time()
        .try_init();
}
