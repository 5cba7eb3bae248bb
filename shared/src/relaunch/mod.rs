//! Relaunch emails once a campaign step is due: the records the scheduler, the sender, the
//! tracking links and SES feedback share.
//!
//! - [`callbacks`]: `CallbacksTable`: "call me back" requests from relaunch emails.
//! - [`campaigns`]: campaigns as marketers write them (`/admin/campaigns`): the model, time
//!   arithmetic, rendering, stats.
//! - [`sends`]: `SendsTable`, one item per (cart, step): the claim that makes a step go out
//!   once, and the queue message that carries it to the sender.
//! - [`links`]: the signed tokens of click, unsubscribe and "call me back" links.
//! - [`engagement`]: what happened to a sent email (delivered, opened, clicked,
//!   unsubscribed, bounced, complained), recorded once on the email and in its step's stats.
//!
//! A relaunch email is an `EmailsTable` item (`kind = "relaunch"`) whose id derives from the
//! cart and the step ([`email_id`]), so every retry of a step names the same email. SES
//! carries that id back in its events as the `email_id` message tag.

pub mod callbacks;
pub mod campaigns;
pub mod engagement;
pub mod links;
pub mod sends;

use sha2::{Digest, Sha256};

/// The one email a (cart, step) may produce.
pub fn email_id(cart_id: &str, step: usize) -> String {
    let digest = Sha256::digest(format!("{cart_id}#{step}").as_bytes());
    format!("eml_rl_{}", hex::encode(&digest[..12]))
}

/// `kind` of relaunch emails in `EmailsTable`.
pub const EMAIL_KIND: &str = "relaunch";

/// The SES message tag carrying [`email_id`] (tag values allow `[A-Za-z0-9_.@-]`).
pub const EMAIL_TAG: &str = "email_id";
