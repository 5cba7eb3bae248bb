//! The optional hosted classifier: a small language model on Amazon Bedrock labels a
//! contribution the brand's rules did not, where the brand turned it on (`/admin/classifier`)
//! and within its daily budget. Built-in classification stays the default: with the setting
//! off, nothing is sent anywhere.
//!
//! Whatever goes wrong, the built-in classifier decides: the model throttled, failed, took
//! longer than the timeout, answered something that is not one of the labels, or the day's
//! budget is spent. Each call's cost (the tokens Bedrock counted at the model's list price,
//! [`price`]) is added to the day's counters (`shared::contracts::hosted`), which are read
//! before each call; calls, fall-backs by reason and cost are metrics too.
//!
//! - [`prompt`]: what the model is asked;
//! - [`converse`]: the Converse call;
//! - [`answer`]: what it answered, read strictly;
//! - [`price`]: what it cost.

pub mod answer;
pub mod converse;
pub mod price;
pub mod prompt;

use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use shared::contracts::contributions::{Classification, LabelSource};
use shared::contracts::hosted::{self as counters, Fallback, HostedSpec, Tally};
use shared::contracts::rules::Label;
use shared::kit::config::{self, Env};
use shared::Error;

use crate::rules::Compiled;
use crate::settings::Cached;
use converse::{Failure, Reply};
use price::Price;

/// A contribution to label, with what the model is told of the brand.
pub struct Ask<'a> {
    pub text: &'a str,
    /// A review's rating, 1 to 5.
    pub rating: Option<u8>,
    /// The brand's rules, as guidance.
    pub rules: &'a [Compiled],
    /// Contributions the brand's staff labelled, as examples.
    pub examples: &'a [(String, Label)],
}

pub struct Hosted {
    client: aws_sdk_bedrockruntime::Client,
    /// What is called: a foundation model or a cross-Region inference profile.
    model_id: String,
    price: Price,
    setting: Cached<HostedSpec>,
    dynamodb: aws_sdk_dynamodb::Client,
    reports_table: String,
    /// After a throttle or a timeout, this instance calls again only after `pause`.
    pause: Duration,
    paused_until: Mutex<Option<Instant>>,
}

/// The model's timeout by default: a contribution waits no longer for it.
pub const DEFAULT_TIMEOUT_MS: u64 = 2_000;
/// How long an instance leaves Bedrock alone after a throttle or a timeout.
pub const PAUSE: Duration = Duration::from_secs(10);

impl Hosted {
    /// From `HOSTED_MODEL_ID` (refused when Liaison does not know its price: its budget
    /// could not be kept) and `HOSTED_MODEL_TIMEOUT_MS`; the setting from `SETTINGS_TABLE`
    /// (kept `settings_ttl`), the counters in `REPORTS_TABLE`.
    pub fn from_env(
        env: &dyn Env,
        sdk: &shared::kit::aws::SdkConfig,
        dynamodb: aws_sdk_dynamodb::Client,
        settings_ttl: Duration,
    ) -> Result<Self, Error> {
        let model_id = config::required(env, "HOSTED_MODEL_ID")?;
        let price = price::of(&model_id).ok_or_else(|| {
            Error::from(config::ConfigError::Invalid {
                name: "HOSTED_MODEL_ID".into(),
                reason: format!(
                    "no list price known for {model_id} (known: {})",
                    price::known().join(", ")
                ),
            })
        })?;
        let timeout = Duration::from_millis(config::parsed_or(
            env,
            "HOSTED_MODEL_TIMEOUT_MS",
            DEFAULT_TIMEOUT_MS,
        )?);
        Ok(Hosted {
            client: converse::client(sdk, env, timeout),
            model_id,
            price,
            setting: Cached::new(
                dynamodb.clone(),
                config::required(env, "SETTINGS_TABLE")?,
                counters::PK,
                settings_ttl,
            ),
            dynamodb,
            reports_table: config::required(env, "REPORTS_TABLE")?,
            pause: PAUSE,
            paused_until: Mutex::new(None),
        })
    }

    /// The same, pausing `pause` after a throttle or a timeout (tests: none).
    pub fn with_pause(mut self, pause: Duration) -> Self {
        self.pause = pause;
        self
    }

    pub fn model_id(&self) -> &str {
        &self.model_id
    }

    /// The hosted model's label for `ask`, or `None` for the built-in classifier to decide
    /// (the brand did not turn it on, or a fall-back, counted with its reason). An error
    /// only when the setting or the day's spending cannot be read: nothing was sent yet.
    pub async fn classify(
        &self,
        ask: &Ask<'_>,
        now: DateTime<Utc>,
    ) -> Result<Option<Classification>, Error> {
        let spec = self.setting.get(counters::from_partition).await?;
        if !spec.enabled {
            return Ok(None);
        }
        let day = now.date_naive();
        if self.paused() {
            return self
                .fall_back(Tally::default(), Fallback::Paused, now)
                .await;
        }
        let spent = counters::spent(&self.dynamodb, &self.reports_table, day).await?;
        if spent >= spec.budget_nano_usd() {
            return self
                .fall_back(Tally::default(), Fallback::Budget, now)
                .await;
        }
        let prompt = prompt::build(ask.text, ask.rating, ask.rules, ask.examples);
        let called = Tally {
            called: true,
            ..Tally::default()
        };
        match converse::ask(&self.client, &self.model_id, &prompt).await {
            Ok(reply) => self.read(reply, now).await,
            Err(Failure::Throttled) => {
                self.pause_calls();
                self.fall_back(called, Fallback::Throttled, now).await
            }
            Err(Failure::Timeout) => {
                self.pause_calls();
                self.fall_back(called, Fallback::Timeout, now).await
            }
            Err(Failure::Error(code)) => {
                tracing::warn!(model = %self.model_id, code, "hosted classifier failed; built-in decides");
                self.fall_back(called, Fallback::Error, now).await
            }
        }
    }

    /// The model's answer, used when it is exactly one of the labels.
    async fn read(
        &self,
        reply: Reply,
        now: DateTime<Utc>,
    ) -> Result<Option<Classification>, Error> {
        let cost_nano_usd = self
            .price
            .cost_nano_usd(reply.input_tokens, reply.output_tokens);
        let called = Tally {
            called: true,
            cost_nano_usd,
            ..Tally::default()
        };
        match answer::read(&reply.text, &reply.stop_reason) {
            Ok(answer) => {
                self.record(
                    Tally {
                        decided: true,
                        ..called
                    },
                    now,
                )
                .await;
                Ok(Some(Classification {
                    label: answer.label,
                    confidence: answer.confidence,
                    cues: vec![format!("hosted:{}", self.model_id)],
                    source: LabelSource::Hosted,
                }))
            }
            Err(refusal) => {
                // The reason only: what the model wrote may quote the contribution.
                tracing::warn!(
                    model = %self.model_id,
                    reason = refusal.as_str(),
                    stop_reason = %reply.stop_reason,
                    "the hosted model's answer is not a label; built-in decides"
                );
                self.fall_back(called, Fallback::Refused, now).await
            }
        }
    }

    async fn fall_back(
        &self,
        tally: Tally,
        reason: Fallback,
        now: DateTime<Utc>,
    ) -> Result<Option<Classification>, Error> {
        self.record(
            Tally {
                fallback: Some(reason),
                ..tally
            },
            now,
        )
        .await;
        Ok(None)
    }

    /// Counts `tally` (table and metrics). A counter that cannot be written is said, not
    /// retried: retrying the message would call the model, and pay, again.
    async fn record(&self, tally: Tally, now: DateTime<Utc>) {
        if tally.called {
            shared::kit::metrics::count("HostedClassifierCalls", 1, &[], now);
        }
        if let Some(reason) = tally.fallback {
            shared::kit::metrics::count(
                "HostedClassifierFallbacks",
                1,
                &[("Reason", reason.as_str())],
                now,
            );
        }
        if tally.cost_nano_usd > 0 {
            shared::kit::metrics::amount(
                "HostedClassifierCostUsd",
                tally.cost_nano_usd as f64 / 1e9,
                &[],
                now,
            );
        }
        let day = now.date_naive();
        if let Err(e) = counters::count(&self.dynamodb, &self.reports_table, day, tally).await {
            tracing::warn!(error = %e, "hosted classifier counters not updated");
        }
    }

    fn paused(&self) -> bool {
        let mut until = self.paused_until.lock().unwrap_or_else(|e| e.into_inner());
        match *until {
            Some(at) if Instant::now() < at => true,
            Some(_) => {
                *until = None;
                false
            }
            None => false,
        }
    }

    fn pause_calls(&self) {
        if self.pause.is_zero() {
            return;
        }
        let mut until = self.paused_until.lock().unwrap_or_else(|e| e.into_inner());
        *until = Some(Instant::now() + self.pause);
    }
}
