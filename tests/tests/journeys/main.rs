//! The end-to-end journeys, one module per capability, in one test binary: each binary links
//! every function and the AWS SDK (about 150 MB in debug), so one binary instead of twenty-one
//! keeps a fresh CI build within its disk and saves twenty links. `logs.rs` stays alone: it
//! installs a tracing subscriber, and tracing's callsite interest is global to the process.

mod admin;
mod answers;
mod answers_meta;
mod api_contract;
mod browser;
mod campaigns;
mod carts;
mod cases;
mod classifier;
mod console_served;
mod contacts;
mod dead_letters;
mod hubspot;
mod iam;
mod identify;
mod ingest;
mod known_customer;
mod learning;
mod moderation;
mod notifications;
mod order_news;
mod platforms;
mod polling;
mod programmes;
mod questions;
mod reach;
mod redrive;
mod referral_journey;
mod referrals;
mod relaunch;
mod relaunch_admin;
mod rules;
mod runner_serves_template;
mod ses_events;
mod sign_in;
mod social;
mod verification;
mod webhooks;
mod zendesk;
