//! Pure decisions about a cart: what is wrong with a snapshot, and which relaunch step is
//! due when.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use shared::campaigns::schedule::{abandoned_at, bucket, choose, is_currency, step_due, CartFacts};
use shared::campaigns::{Campaign, ConsentRule};
use shared::carts::{CartRecord, CartStatus};
use shared::events::CartSnapshot;

/// Why a snapshot cannot be relaunched; empty when it can. The cart is kept either way.
pub fn problems(snapshot: &CartSnapshot) -> Vec<String> {
    let mut found = Vec::new();
    let has_email = snapshot
        .customer
        .email
        .as_deref()
        .and_then(shared::lookup::normalise_email)
        .is_some();
    if !has_email {
        found.push("no email: nobody to write to".to_string());
    }
    if !is_currency(&snapshot.currency) {
        found.push(format!(
            "unknown currency {:?}: not an ISO 4217 code",
            snapshot.currency
        ));
    }
    if snapshot.total < Decimal::ZERO || snapshot.lines.iter().any(|l| l.unit_price < Decimal::ZERO)
    {
        found.push("negative prices: the amounts cannot be trusted".to_string());
    }
    found
}

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
    if cart.cart_status != CartStatus::Open || !cart.problems.is_empty() || cart.lines.is_empty() {
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

/// `cart` with `plan` written on it (or its schedule cleared).
pub fn apply(cart: &mut CartRecord, plan: Option<Plan>) {
    match plan {
        Some(p) => {
            cart.campaign_id = Some(p.campaign_id);
            cart.next_step = Some(p.next_step);
            cart.due_bucket = Some(bucket(p.due_at));
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
    fn bad_snapshots_should_be_explained() {
        let snapshot: CartSnapshot = serde_json::from_value(json!({
            "stage": "checkout", "cart_id": "c1", "customer": {},
            "currency": "euro", "total": "-1", "updated_at": "2026-11-23T10:00:00Z",
            "lines": [{"title": "x", "quantity": 1, "unit_price": "-5"}]
        }))
        .unwrap();
        let found = problems(&snapshot);
        assert_eq!(found.len(), 3, "{found:?}");
        let mut converted = cart(Some(true));
        converted.cart_status = CartStatus::Converted;
        assert!(plan(
            &converted,
            &[campaign("required")],
            at("2026-11-23T10:00:00Z")
        )
        .is_none());
    }
}
