//! Abandoned-cart relaunch campaigns, as marketers write them (`/admin/campaigns`) and as
//! carts, the scheduler and the sender read them.
//!
//! - [`CampaignSpec`]: what a marketer writes, checked by [`CampaignSpec::validate`] with a
//!   400 that names the field (and, for a template, its line).
//! - [`schedule`]: the time arithmetic (abandonment, step due times, send windows in a time
//!   zone, the frequency cap), pure functions.
//! - [`plan`]: a cart's next step and when it is due.
//! - [`render`]: a step's email for a cart, with tracked links.
//! - [`stats`]: the counters of a campaign's steps and variants.
//! - [`store`]: where campaigns are kept (`CampaignsTable`).

pub mod plan;
pub mod render;
pub mod schedule;
pub mod stats;
pub mod store;

use chrono::{DateTime, NaiveTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::Error;

/// What a marketer writes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CampaignSpec {
    pub name: String,
    /// When several active campaigns fit a cart, the highest priority applies (then the
    /// oldest campaign).
    #[serde(default)]
    pub priority: i32,
    pub schedule: Schedule,
    pub entry: Entry,
    pub steps: Vec<Step>,
    /// Quiet hours: emails go only between `start` and `end`, local time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send_window: Option<SendWindow>,
    #[serde(default)]
    pub consent: ConsentRule,
    /// Days after an email within which an order counts as recovered by it.
    #[serde(default = "default_attribution_days")]
    pub attribution_window_days: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub utm: Option<Utm>,
}

fn default_attribution_days() -> u32 {
    5
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Schedule {
    pub starts_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ends_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// A cart without activity for this long is abandoned.
    pub abandoned_after_minutes: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_value: Option<Decimal>,
    /// ISO 4217 codes; any when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub currencies: Vec<String>,
    /// Source ids; any when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Content {
    pub subject: String,
    pub html: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// Minutes after abandonment.
    pub delay_minutes: u32,
    #[serde(flatten)]
    pub content: Content,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incentive_code: Option<String>,
    /// An A/B test of this step: `percent` of carts get `content` B instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant_b: Option<VariantB>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VariantB {
    pub percent: u8,
    #[serde(flatten)]
    pub content: Content,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SendWindow {
    /// `HH:MM`, local time.
    pub start: String,
    pub end: String,
    /// IANA zone, for recipients whose own zone is unknown.
    pub time_zone: String,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsentRule {
    /// Only contacts who accepted marketing get any step.
    #[default]
    Required,
    /// Others get the first step only (a service reminder), consenting contacts all.
    FirstStepOnly,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Utm {
    pub source: String,
    pub medium: String,
    pub campaign: String,
}

/// What a marketer controls of a campaign's life; `active` and `ended` also follow from
/// the schedule ([`effective_status`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Draft,
    Scheduled,
    Active,
    Paused,
    Ended,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Scheduled => "scheduled",
            Status::Active => "active",
            Status::Paused => "paused",
            Status::Ended => "ended",
        }
    }
}

/// A stored campaign.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Campaign {
    pub id: String,
    /// `draft`, `scheduled`, `paused` or `ended` as last set; see [`effective_status`].
    pub status: Status,
    #[serde(flatten)]
    pub spec: CampaignSpec,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub updated_by: String,
}

/// The status at `now`: a scheduled campaign is active between its start and its end, and
/// ended after it.
pub fn effective_status(campaign: &Campaign, now: DateTime<Utc>) -> Status {
    let schedule = &campaign.spec.schedule;
    match campaign.status {
        Status::Scheduled | Status::Active => {
            if schedule.ends_at.is_some_and(|end| now >= end) {
                Status::Ended
            } else if now >= schedule.starts_at {
                Status::Active
            } else {
                Status::Scheduled
            }
        }
        Status::Paused if schedule.ends_at.is_some_and(|end| now >= end) => Status::Ended,
        other => other,
    }
}

pub const MAX_STEPS: usize = 5;
const MAX_TEMPLATE: usize = 100_000;

fn field(prefix: &str, name: &str) -> String {
    format!("{prefix}.{name}")
}

pub fn parse_time(hhmm: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(hhmm, "%H:%M").ok()
}

impl CampaignSpec {
    /// Every problem a 400 names, before anything is stored.
    pub fn validate(&self) -> Result<(), Error> {
        if self.name.trim().is_empty() || self.name.len() > 200 {
            return Err(Error::validation("name", "1 to 200 characters"));
        }
        if let Some(end) = self.schedule.ends_at {
            if end <= self.schedule.starts_at {
                return Err(Error::validation(
                    "schedule.ends_at",
                    "must be after starts_at",
                ));
            }
        }
        let entry = &self.entry;
        if !(5..=10_080).contains(&entry.abandoned_after_minutes) {
            return Err(Error::validation(
                "entry.abandoned_after_minutes",
                "5 minutes to 7 days",
            ));
        }
        if entry.min_value.is_some_and(|v| v.is_sign_negative()) {
            return Err(Error::validation("entry.min_value", "must not be negative"));
        }
        if let Some(bad) = entry.currencies.iter().find(|c| !schedule::is_currency(c)) {
            return Err(Error::validation(
                "entry.currencies",
                format!("{bad:?} is not an ISO 4217 code (3 capital letters)"),
            ));
        }
        if self.steps.is_empty() || self.steps.len() > MAX_STEPS {
            return Err(Error::validation(
                "steps",
                format!("1 to {MAX_STEPS} steps"),
            ));
        }
        let mut previous = None;
        for (i, step) in self.steps.iter().enumerate() {
            let prefix = format!("steps[{i}]");
            if step.delay_minutes > 60 * 24 * 30 {
                return Err(Error::validation(
                    field(&prefix, "delay_minutes"),
                    "at most 30 days",
                ));
            }
            if previous.is_some_and(|p| step.delay_minutes <= p) {
                return Err(Error::validation(
                    field(&prefix, "delay_minutes"),
                    "each step comes after the one before",
                ));
            }
            previous = Some(step.delay_minutes);
            check_content(&step.content, &prefix)?;
            if let Some(b) = &step.variant_b {
                if !(1..=99).contains(&b.percent) {
                    return Err(Error::validation(
                        field(&prefix, "variant_b.percent"),
                        "1 to 99",
                    ));
                }
                check_content(&b.content, &field(&prefix, "variant_b"))?;
            }
            if step
                .incentive_code
                .as_ref()
                .is_some_and(|c| c.trim().is_empty() || c.len() > 50)
            {
                return Err(Error::validation(
                    field(&prefix, "incentive_code"),
                    "1 to 50 characters",
                ));
            }
        }
        if let Some(window) = &self.send_window {
            let (Some(start), Some(end)) = (parse_time(&window.start), parse_time(&window.end))
            else {
                return Err(Error::validation("send_window", "start and end are HH:MM"));
            };
            if start == end {
                return Err(Error::validation(
                    "send_window",
                    "start and end must differ",
                ));
            }
            if !schedule::is_zone(&window.time_zone) {
                return Err(Error::validation(
                    "send_window.time_zone",
                    "an IANA time zone such as Europe/Paris",
                ));
            }
        }
        if !(1..=30).contains(&self.attribution_window_days) {
            return Err(Error::validation("attribution_window_days", "1 to 30"));
        }
        if let Some(utm) = &self.utm {
            for (name, value) in [
                ("source", &utm.source),
                ("medium", &utm.medium),
                ("campaign", &utm.campaign),
            ] {
                if value.trim().is_empty() || value.len() > 100 {
                    return Err(Error::validation(
                        format!("utm.{name}"),
                        "1 to 100 characters",
                    ));
                }
            }
        }
        Ok(())
    }
}

/// One email's content checked as a step's is: lengths, then the template's syntax, the
/// error naming `prefix.subject`, `prefix.html` or `prefix.text`.
pub fn check_content(content: &Content, prefix: &str) -> Result<(), Error> {
    for (name, value, max) in [
        ("subject", &content.subject, 200),
        ("html", &content.html, MAX_TEMPLATE),
        ("text", &content.text, MAX_TEMPLATE),
    ] {
        if value.trim().is_empty() || value.len() > max {
            return Err(Error::validation(
                field(prefix, name),
                format!("1 to {max} characters"),
            ));
        }
    }
    render::check(content).map_err(|e| Error::validation(field(prefix, e.part), e.message))
}

#[cfg(test)]
mod tests;
