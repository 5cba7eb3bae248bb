//! A cart's next relaunch: which campaign, which step, when. Written on the cart by the
//! carts function when a snapshot arrives, and by the sender after each step.

use chrono::{DateTime, Utc};

use super::schedule::{abandoned_at, bucket, choose, step_due, CartFacts};
use super::{Campaign, ConsentRule};
use crate::contracts::carts::{CartRecord, CartStatus};

/// What to relaunch next: the campaign, the step (index), when.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub campaign_id: String,
    pub next_step: usize,
    pub due_at: DateTime<Utc>,
}

/// The next relaunch of `cart` as it now is, if any. A cart keeps its campaign once it
/// has one (its steps continue where they were); else the campaign that takes it now.
pub fn plan(cart: &CartRecord, campaigns: &[Campaign], now: DateTime<Utc>) -> Option<Plan> {
    if cart.cart_status != CartStatus::Open
        || !cart.problems.is_empty()
        || cart.lines.is_empty()
        || cart.relaunch_stopped.is_some()
    {
        return None;
    }
    let campaign = match &cart.campaign_id {
        Some(id) => campaigns.iter().find(|c| &c.id == id)?,
        None => choose(
            campaigns,
            &CartFacts {
                source_id: &cart.source_id,
                currency: &cart.currency,
                total: cart.total,
            },
            now,
        )?,
    };
    let next_step = if cart.campaign_id.as_ref() == Some(&campaign.id) {
        cart.next_step.unwrap_or(0)
    } else {
        0
    };
    let consenting = cart.accepts_marketing == Some(true);
    let allowed = match campaign.spec.consent {
        ConsentRule::Required => consenting,
        ConsentRule::FirstStepOnly => consenting || next_step == 0,
    };
    if !allowed {
        return None;
    }
    let step = campaign.spec.steps.get(next_step)?;
    let due_at = step_due(abandoned_at(cart.last_activity, &campaign.spec.entry), step);
    Some(Plan {
        campaign_id: campaign.id.clone(),
        next_step,
        due_at,
    })
}

/// `cart` with `plan` written on it (or its schedule cleared). A step already due goes in
/// the bucket of `now`: the scheduler has read past buckets and will not read them again.
pub fn apply(cart: &mut CartRecord, plan: Option<Plan>, now: DateTime<Utc>) {
    match plan {
        Some(p) => {
            cart.campaign_id = Some(p.campaign_id);
            cart.next_step = Some(p.next_step);
            cart.due_bucket = Some(bucket(p.due_at.max(now)));
            cart.due_at = Some(p.due_at);
        }
        None => {
            cart.due_at = None;
            cart.due_bucket = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn campaign(consent: &str) -> Campaign {
        serde_json::from_value(json!({
            "id": "cmp_1", "status": "scheduled",
            "created_at": "2026-11-01T00:00:00Z", "updated_at": "2026-11-01T00:00:00Z", "updated_by": "m",
            "name": "c", "schedule": {"starts_at": "2026-11-01T00:00:00Z"},
            "entry": {"abandoned_after_minutes": 60},
            "steps": [
                {"delay_minutes": 0, "subject": "s", "html": "h", "text": "t"},
                {"delay_minutes": 1440, "subject": "s", "html": "h", "text": "t"}
            ],
            "consent": consent
        }))
        .unwrap()
    }

    fn cart(consent: Option<bool>) -> CartRecord {
        serde_json::from_value(json!({
            "id": "crt_1", "source_id": "src_1", "platform": "shopify", "cart_id": "c1",
            "currency": "EUR", "total": "50.00", "accepts_marketing": consent,
            "lines": [{"title": "Lampe", "quantity": 1, "unit_price": "50.00"}],
            "last_activity": "2026-11-23T10:00:00Z", "cart_status": "open",
            "updated_at": "2026-11-23T10:00:00Z"
        }))
        .unwrap()
    }

    #[test]
    fn an_abandoned_cart_should_get_its_first_step_an_hour_after_its_last_activity() {
        let now = at("2026-11-23T10:00:00Z");
        let p = plan(&cart(Some(true)), &[campaign("required")], now).unwrap();
        assert_eq!((p.next_step, p.due_at), (0, at("2026-11-23T11:00:00Z")));
        let mut later = cart(Some(true));
        later.campaign_id = Some("cmp_1".into());
        later.next_step = Some(1);
        let p = plan(&later, &[campaign("required")], now).unwrap();
        assert_eq!(p.due_at, at("2026-11-24T11:00:00Z"));
    }

    #[test]
    fn consent_should_decide_which_steps_go() {
        let now = at("2026-11-23T10:00:00Z");
        assert!(plan(&cart(None), &[campaign("required")], now).is_none());
        assert!(plan(&cart(Some(false)), &[campaign("first_step_only")], now).is_some());
        let mut second = cart(Some(false));
        second.campaign_id = Some("cmp_1".into());
        second.next_step = Some(1);
        assert!(plan(&second, &[campaign("first_step_only")], now).is_none());
    }

    #[test]
    fn a_converted_cart_should_get_no_step() {
        let mut converted = cart(Some(true));
        converted.cart_status = CartStatus::Converted;
        assert!(plan(
            &converted,
            &[campaign("required")],
            at("2026-11-23T10:00:00Z")
        )
        .is_none());
    }

    #[test]
    fn a_step_already_due_should_go_in_the_current_bucket() {
        let now = at("2026-11-23T15:20:00Z");
        let mut c = cart(Some(true));
        let p = plan(&c, &[campaign("required")], now);
        apply(&mut c, p, now);
        assert_eq!(c.due_at, Some(at("2026-11-23T11:00:00Z")));
        assert_eq!(c.due_bucket.as_deref(), Some("2026-11-23T15"));
    }
}
