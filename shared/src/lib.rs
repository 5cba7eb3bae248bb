//! Liaison's common crate: only what two or more functions need.
//!
//! - [`config`]: settings read from the environment (or, in the local runner, from the
//!   environment template.yaml gives one function), failing fast with the variable's name.
//! - [`auth`]: who may call an HTTP route: staff by group, the brand's site by scope.
//! - [`error`]: the one error type and its HTTP mapping (`{"error":{"code","message"}}`).
//! - [`http`]: API Gateway HTTP API v2 request/response helpers.
//! - [`aws`]: SDK configuration and clients that honour `AWS_ENDPOINT_URL_*`.
//! - [`telemetry`]: JSON logs through `tracing`, without personal data.
//! - [`batch`]: SQS partial-batch processing (`ReportBatchItemFailures`) and DLQ rejection.
//! - [`idempotency`]: conditional-write claims with a lease and a TTL.
//! - [`events`]: the versioned event types carried by the queues.
//! - [`source`]: webhook sources (one platform account each) and their table.
//! - [`clock`]: the one clock every decision reads (the local runner can move it).
//! - [`ids`]: random identifiers and secrets.
//! - [`json`]: JSON input whose errors name the failing field.
//! - [`ignored`]: verified webhook bodies accepted but not acted on, kept for a while.
//! - [`metrics`]: CloudWatch Embedded Metric Format counts.
//! - [`tokens`]: signed, expiring tokens for links in emails, and their key ring.
//! - [`secrets`]: the lookup key and the link keys, read once per process from SSM.
//! - [`lookup`]: keyed-hash lookup keys of emails, accounts and handles.
//! - [`moderation`]: moderation decisions and the callbacks that tell platforms.
//! - [`webhooks`]: signing outgoing Standard Webhooks requests.
//! - [`templates`]: staff-editable email templates and their defaults.
//! - [`campaigns`]: abandoned-cart relaunch campaigns: the model, time arithmetic, rendering.
//! - [`carts`]: carts as the carts function keeps them.
//! - [`relaunch`]: relaunch sends, their links and what happened to them after.
//! - [`cache`]: values a warm function reads at most once a while.
//! - [`pages`]: opaque pagination cursors for admin lists.
//! - [`referrals`]: referral codes and the suggestion each belongs to.
//! - [`rules`]: brand rules, the labels and priorities they give.
//! - [`contact`]: what a contact is to the brand (customer, prospect, journalist...).
//! - [`contacts`]: the contacts table's home: identities, lookups, profiles, scores.
//! - [`contributions`]: the contributions table's home, and the report counters it moves.
//! - [`text`]: text folded for matching (case, accents, punctuation).
//! - [`suppression`]: addresses never to write to again, by keyed hash.
//! - [`outbound`]: which staff-typed URLs Liaison may call (public HTTPS only).

pub mod auth;
pub mod aws;
pub mod batch;
pub mod cache;
pub mod campaigns;
pub mod carts;
pub mod clock;
pub mod config;
pub mod contact;
pub mod contacts;
pub mod contributions;
pub mod error;
pub mod events;
pub mod http;
pub mod idempotency;
pub mod ids;
pub mod ignored;
pub mod json;
pub mod lookup;
pub mod metrics;
pub mod moderation;
pub mod outbound;
pub mod pages;
pub mod referrals;
pub mod relaunch;
pub mod rules;
pub mod secrets;
pub mod source;
pub mod suppression;
pub mod telemetry;
pub mod templates;
pub mod text;
pub mod tokens;
pub mod webhooks;

pub use error::{Error, Result};
