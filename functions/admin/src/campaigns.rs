//! `/admin/campaigns`: marketers write, schedule, pause, resume, end, duplicate, delete
//! and preview abandoned-cart relaunch campaigns (`shared::relaunch::campaigns`).
//!
//! A campaign is saved as a draft; `schedule` launches it (active from its start date,
//! ended after its end date); `pause` stops its sends (the sender re-reads the campaign
//! before every email); `resume` schedules it again. Every change is conditional on the
//! version read (`updated_at`): two marketers editing at once get a 409, not a lost edit.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use serde::Deserialize;
use serde_json::{json, Value};
use shared::kit::http::{self, Request, Response};
use shared::relaunch::campaigns::render::{render, Values};
use shared::relaunch::campaigns::store::CampaignStore;
use shared::relaunch::campaigns::{
    check_content, effective_status, Campaign, CampaignSpec, Content, Status,
};
use shared::Error;

use shared::kit::auth::Caller;

pub struct Campaigns {
    pub store: CampaignStore,
    pub carts_table: String,
    pub clock: shared::kit::clock::Clock,
}

/// A campaign as marketers see it: what they wrote, and its status now.
fn view(campaign: &Campaign, now: chrono::DateTime<chrono::Utc>) -> Value {
    let mut out = json!(campaign);
    out["status"] = json!(effective_status(campaign, now));
    out
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PreviewRequest {
    #[serde(default)]
    step: usize,
    #[serde(default)]
    variant: Option<String>,
    /// A real cart (`crt_...`); the sample cart when absent.
    #[serde(default)]
    cart_id: Option<String>,
    /// The content as the marketer is editing it, not yet saved: rendered instead of the
    /// step's (and checked as a step's would be), so the preview follows each keystroke.
    #[serde(default)]
    content: Option<Content>,
}

impl Campaigns {
    pub async fn list(&self) -> Result<Response, Error> {
        let now = self.clock.now();
        let campaigns: Vec<Value> = self
            .store
            .all()
            .await?
            .iter()
            .map(|c| view(c, now))
            .collect();
        Ok(http::json(200, &json!({ "campaigns": campaigns })))
    }

    pub async fn create(&self, req: &Request, caller: &Caller) -> Result<Response, Error> {
        let spec: CampaignSpec = http::json_body(req)?;
        spec.validate()?;
        let now = self.clock.now();
        let campaign = Campaign {
            id: shared::kit::ids::new_id("cmp")?,
            status: Status::Draft,
            spec,
            created_at: now,
            updated_at: now,
            updated_by: caller.subject.clone(),
        };
        self.write_new(&campaign).await?;
        tracing::info!(campaign_id = %campaign.id, "campaign created");
        Ok(http::json(201, &view(&campaign, now)))
    }

    pub async fn get(&self, id: &str) -> Result<Response, Error> {
        let campaign = self.find(id).await?;
        Ok(http::json(200, &view(&campaign, self.clock.now())))
    }

    /// Replaces what the marketer wrote; the status stays.
    pub async fn replace(
        &self,
        req: &Request,
        id: &str,
        caller: &Caller,
    ) -> Result<Response, Error> {
        let spec: CampaignSpec = http::json_body(req)?;
        spec.validate()?;
        let read = self.find(id).await?;
        let changed = Campaign {
            spec,
            ..read.clone()
        };
        self.write_over(&read, changed, caller).await
    }

    /// `schedule`, `pause`, `resume` or `end`.
    pub async fn transition(
        &self,
        id: &str,
        action: &str,
        caller: &Caller,
    ) -> Result<Response, Error> {
        let read = self.find(id).await?;
        let now = self.clock.now();
        let current = effective_status(&read, now);
        let next = match (action, current) {
            ("schedule", Status::Draft) => Status::Scheduled,
            ("pause", Status::Scheduled | Status::Active) => Status::Paused,
            ("resume", Status::Paused) => Status::Scheduled,
            ("end", Status::Scheduled | Status::Active | Status::Paused) => Status::Ended,
            _ => {
                return Err(Error::Conflict(format!(
                    "a {} campaign cannot be {action}d",
                    current.as_str()
                )))
            }
        };
        let changed = Campaign {
            status: next,
            ..read.clone()
        };
        tracing::info!(campaign_id = %id, action, "campaign status changed");
        self.write_over(&read, changed, caller).await
    }

    /// A draft copy, to adapt and schedule.
    pub async fn duplicate(&self, id: &str, caller: &Caller) -> Result<Response, Error> {
        let original = self.find(id).await?;
        let now = self.clock.now();
        let mut spec = original.spec.clone();
        spec.name = format!("{} (copy)", spec.name.chars().take(190).collect::<String>());
        let copy = Campaign {
            id: shared::kit::ids::new_id("cmp")?,
            status: Status::Draft,
            spec,
            created_at: now,
            updated_at: now,
            updated_by: caller.subject.clone(),
        };
        self.write_new(&copy).await?;
        Ok(http::json(201, &view(&copy, now)))
    }

    pub async fn delete(&self, id: &str) -> Result<Response, Error> {
        if !self.store.delete(id).await? {
            return Err(Error::NotFound("no such campaign".into()));
        }
        tracing::info!(campaign_id = %id, "campaign deleted");
        Ok(http::empty(204))
    }

    /// `{"step": 0, "variant": "A"|"B", "cart_id": "crt_..."}`: the step's email as it
    /// would go out now, for the sample cart or a real one; with `"content"`, that content
    /// as the marketer is typing it instead. Links are shown untracked.
    pub async fn preview(&self, req: &Request, id: &str) -> Result<Response, Error> {
        let ask: PreviewRequest = http::json_body(req)?;
        let campaign = self.find(id).await?;
        let step = campaign.spec.steps.get(ask.step).ok_or_else(|| {
            Error::validation("step", format!("0 to {}", campaign.spec.steps.len() - 1))
        })?;
        let content = match (&ask.content, ask.variant.as_deref()) {
            (_, Some(other)) if !matches!(other, "A" | "B") => {
                return Err(Error::validation("variant", "A or B"))
            }
            (Some(editing), _) => {
                check_content(editing, "content")?;
                editing
            }
            (None, Some("B")) => {
                &step
                    .variant_b
                    .as_ref()
                    .ok_or_else(|| Error::validation("variant", "this step has no variant B"))?
                    .content
            }
            (None, _) => &step.content,
        };
        let unsubscribe = "https://liaison.example/t/u/PREVIEW".to_string();
        let callback = "https://liaison.example/t/b/PREVIEW".to_string();
        let values = match ask.cart_id {
            None => Values::sample(),
            Some(cart_id) => {
                let cart =
                    shared::contracts::carts::get(&self.store.client, &self.carts_table, &cart_id)
                        .await?
                        .ok_or_else(|| Error::validation("cart_id", "no such cart"))?;
                Values::for_cart(&cart, step.incentive_code.clone(), unsubscribe, callback)
            }
        };
        // An error in the content being edited is named as the request named it.
        let prefix = if ask.content.is_some() {
            "content."
        } else {
            ""
        };
        let rendered = render(content, &values, &|url| url.to_string())
            .map_err(|e| Error::validation(format!("{prefix}{}", e.part), e.message))?;
        Ok(http::json(
            200,
            &json!({"subject": rendered.subject, "html": rendered.html, "text": rendered.text}),
        ))
    }

    async fn find(&self, id: &str) -> Result<Campaign, Error> {
        self.store
            .get(id)
            .await?
            .ok_or_else(|| Error::NotFound("no such campaign".into()))
    }

    async fn write_new(&self, campaign: &Campaign) -> Result<(), Error> {
        if !self
            .store
            .put(campaign, "attribute_not_exists(id)", HashMap::new())
            .await?
        {
            return Err(Error::Conflict(
                "a campaign with this id exists; try again".into(),
            ));
        }
        Ok(())
    }

    /// Writes `changed` in place of `read`, if nobody changed it meanwhile.
    async fn write_over(
        &self,
        read: &Campaign,
        mut changed: Campaign,
        caller: &Caller,
    ) -> Result<Response, Error> {
        let now = self.clock.now();
        changed.updated_at = now.max(read.updated_at + chrono::Duration::microseconds(1));
        changed.updated_by = caller.subject.clone();
        let read_version = serde_dynamo::to_attribute_value::<_, AttributeValue>(read.updated_at)
            .map_err(|e| Error::caused("encode version", e))?;
        let written = self
            .store
            .put(
                &changed,
                "updated_at = :read",
                HashMap::from([(":read".to_string(), read_version)]),
            )
            .await?;
        if !written {
            return Err(Error::Conflict(
                "the campaign changed meanwhile; read it again".into(),
            ));
        }
        Ok(http::json(200, &view(&changed, now)))
    }
}
