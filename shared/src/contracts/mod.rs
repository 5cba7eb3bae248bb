//! The contracts: what two or more functions agree on. Each shared table has one home here
//! that owns its key layout, its item types and its access patterns; no other code writes a
//! key, an attribute name or an update expression of that table.
//!
//! - [`answers`]: `AnswersTable`: staff's answers to contributions, as published on the
//!   platforms, and the `answers` queue's jobs.
//! - [`events`]: the versioned event types carried by the queues.
//! - [`deliveries`]: what Liaison tells the brand's systems (the `events` queue) and
//!   `DeliveriesTable`: endpoints, numbered events, lanes of pending deliveries, the log.
//! - [`sources`]: `SourcesTable`: webhook sources (one platform account each), their secrets.
//! - [`ignored`]: `IgnoredTable`: verified webhook bodies accepted but not acted on.
//! - [`received`]: `ReceivedTable`: the last deliveries each source received, and what
//!   ingest answered (accepted, duplicate, ignored, refused).
//! - [`contacts`]: `ContactsTable`: identities, lookups, profiles, scores, merges, and what
//!   a contact is to the brand.
//! - [`contributions`]: `ContributionsTable`: the record of each contribution, and the
//!   report counters it moves.
//! - [`emails`]: `EmailsTable`: the emails Liaison sent, on the contact's timeline.
//! - [`moderation`]: moderation decisions and the callbacks that tell platforms.
//! - [`work`]: `CasesTable`, `OpportunitiesTable` and `QuestionsTable`: what identify opens
//!   and staff work.
//! - [`plain_email`]: the plain-text emails that tell staff and ask authors to confirm.
//! - [`carts`]: `CartsTable`: carts as the carts function keeps them, and their due index.
//! - [`suppression`]: `SuppressionTable`: addresses never to write to again, by keyed hash.
//! - [`referrals`]: referral codes and the suggestion each belongs to.
//! - [`settings`]: `SettingsTable`: what staff configure (rules, templates), by partition.
//! - [`rules`]: brand rules, the labels and priorities they give.
//! - [`programmes`]: the brand's partner, reseller, affiliate, tester, media and association lists.
//! - [`hosted`]: the hosted classifier's setting and its daily calls, fall-backs and cost.
//! - [`templates`]: staff-editable email templates and their defaults.
//! - [`lookup`]: keyed-hash lookup keys of emails, accounts and handles.
//! - [`secrets`]: the lookup key and the link keys, read once per process from SSM.
//! - [`tokens`]: signed, expiring tokens for links in emails, and their key ring.
//! - [`text`]: text folded for matching (case, accents, punctuation).
//! - [`outbound`]: which staff-typed URLs Liaison may call (public HTTPS only).
//! - [`signed_webhook`]: the Standard Webhooks signature of what Liaison sends.

pub mod answers;
pub mod carts;
pub mod contacts;
pub mod contributions;
pub mod deliveries;
pub mod emails;
pub mod events;
pub mod hosted;
pub mod ignored;
pub mod lookup;
pub mod moderation;
pub mod outbound;
pub mod plain_email;
pub mod programmes;
pub mod received;
pub mod referrals;
pub mod rules;
pub mod sealed;
pub mod secrets;
pub mod settings;
pub mod signed_webhook;
pub mod sources;
pub mod suppression;
pub mod templates;
pub mod text;
pub mod tokens;
pub mod work;
