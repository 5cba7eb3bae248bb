//! The kit: what any Liaison function needs, whatever its job. Nothing here knows a table,
//! a platform or an event.
//!
//! - [`config`]: settings read from the environment (or, in the local runner, from the
//!   environment template.yaml gives one function), failing fast with the variable's name.
//! - [`error`]: the one error type and its HTTP mapping (`{"error":{"code","message"}}`).
//! - [`http`]: API Gateway HTTP API v2 request/response helpers.
//! - [`json`]: JSON input whose errors name the failing field.
//! - [`auth`]: who may call an HTTP route: staff by group, the brand's site by scope.
//! - [`aws`]: SDK configuration and clients that honour `AWS_ENDPOINT_URL_*`.
//! - [`dynamo`]: conditional writes and transactions read as outcomes, items encoded and
//!   decoded with their table named in the error.
//! - [`batch`]: SQS partial-batch processing (`ReportBatchItemFailures`) and DLQ rejection.
//! - [`cache`]: values a warm function reads at most once a while.
//! - [`pages`]: opaque pagination cursors for admin lists.
//! - [`clock`]: the one clock every decision reads (the local runner can move it).
//! - [`ids`]: random identifiers and secrets.
//! - [`telemetry`]: JSON logs through `tracing`, without personal data.
//! - [`metrics`]: CloudWatch Embedded Metric Format counts.

pub mod auth;
pub mod aws;
pub mod batch;
pub mod cache;
pub mod clock;
pub mod config;
pub mod dynamo;
pub mod error;
pub mod http;
pub mod ids;
pub mod json;
pub mod metrics;
pub mod pages;
pub mod telemetry;
