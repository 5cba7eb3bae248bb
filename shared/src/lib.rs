//! Liaison's common crate: only what two or more functions need, in three layers that each
//! use only the ones above them.
//!
//! - [`kit`]: what any Lambda function needs whatever it does: configuration, the error
//!   type, HTTP answers, SQS batches, DynamoDB helpers, telemetry.
//! - [`contracts`]: what functions agree on: the events their queues carry and one home per
//!   shared table, which owns its keys, item types and reads and writes.
//! - [`relaunch`]: the abandoned-cart relaunch domain (campaigns, sends, links, engagement)
//!   that the carts, relaunch, tracking, SES-feedback and admin functions share.
//!
//! Each module lists its own parts; the README's layout table names every one of them.

pub mod contracts;
pub mod kit;
pub mod relaunch;

pub use kit::error::{Error, Result};
