//! The last checks before a relaunch email, on data read just now: skip it, defer it, or
//! send it. Pure: every fact is passed in, `now` included.

use chrono::{DateTime, Utc};
use shared::contracts::carts::{CartRecord, CartStatus};
use shared::relaunch::campaigns::schedule::{capped_until, next_allowed, variant};
use shared::relaunch::campaigns::{effective_status, Campaign, ConsentRule, Status};
use shared::relaunch::sends::SendRecord;

/// What the sender knows of the contact (their profile in `ContactsTable`).
pub use shared::contracts::contacts::profile::RelaunchFacts as ContactFacts;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    /// The frequency cap shared by all campaigns.
    Cap,
    /// Quiet hours in the recipient's time zone.
    Quiet,
    /// The cart changed since: abandoned later than when the step was claimed.
    Activity,
}

impl Why {
    /// The stats counter.
    pub fn counter(self) -> &'static str {
        match self {
            Why::Cap => "deferred_cap",
            Why::Quiet => "deferred_quiet",
            Why::Activity => "deferred_activity",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// No email; `reason` is counted as `skipped_{reason}`. `stop`: the cart's relaunches
    /// end here (else the cart has moved on and is left as it is).
    Skip {
        reason: &'static str,
        stop: bool,
    },
    Defer {
        until: DateTime<Utc>,
        why: Why,
    },
    Send {
        variant: &'static str,
    },
}

pub struct Facts<'a> {
    pub send: &'a SendRecord,
    pub cart: Option<&'a CartRecord>,
    pub campaign: Option<&'a Campaign>,
    pub contact: Option<&'a ContactFacts>,
    pub suppressed: bool,
    pub cap_hours: u32,
}

fn skip(reason: &'static str) -> Decision {
    Decision::Skip { reason, stop: true }
}

pub fn decide(facts: &Facts<'_>, now: DateTime<Utc>) -> Decision {
    let send = facts.send;
    let Some(cart) = facts.cart else {
        return Decision::Skip {
            reason: "cart_gone",
            stop: false,
        };
    };
    if cart.campaign_id.as_deref() != Some(send.campaign_id.as_str())
        || cart.next_step != Some(send.step)
    {
        return Decision::Skip {
            reason: "moved_on",
            stop: false,
        };
    }
    match cart.cart_status {
        CartStatus::Converted => return skip("converted"),
        CartStatus::Emptied => return skip("emptied"),
        CartStatus::Open => {}
    }
    let Some(campaign) = facts.campaign else {
        return skip("campaign_deleted");
    };
    match effective_status(campaign, now) {
        Status::Active => {}
        Status::Paused => return skip("campaign_paused"),
        _ => return skip("campaign_ended"),
    }
    let Some(step) = campaign.spec.steps.get(send.step) else {
        return skip("step_removed");
    };
    if cart.email.is_none() || !cart.problems.is_empty() {
        return skip("not_sendable");
    }
    // The contact's own unsubscribe first (the reason marketers read in the stats), then
    // the address's suppression (a bounce, a complaint, or an unsubscribe made under
    // another contact before a merge).
    let contact = facts.contact.cloned().unwrap_or_default();
    if contact.unsubscribed {
        return skip("unsubscribed");
    }
    if facts.suppressed {
        return skip("suppressed");
    }
    let consenting = contact.consent.or(cart.accepts_marketing) == Some(true);
    let allowed = match campaign.spec.consent {
        ConsentRule::Required => consenting,
        ConsentRule::FirstStepOnly => consenting || send.step == 0,
    };
    if !allowed {
        return skip("no_consent");
    }
    if let Some(due) = cart.due_at.filter(|due| *due > now) {
        return Decision::Defer {
            until: due,
            why: Why::Activity,
        };
    }
    if let Some(window) = &campaign.spec.send_window {
        let zone = cart.time_zone.as_deref().or(contact.time_zone.as_deref());
        let open = next_allowed(now, window, zone);
        if open > now {
            return Decision::Defer {
                until: open,
                why: Why::Quiet,
            };
        }
    }
    // A retry of this very send is not capped by its own claim.
    if contact.last_relaunch_send.as_deref() != Some(send.id.as_str()) {
        if let Some(until) = capped_until(contact.last_relaunch_at, facts.cap_hours, now) {
            return Decision::Defer {
                until,
                why: Why::Cap,
            };
        }
    }
    Decision::Send {
        variant: variant(
            &cart.id,
            send.step,
            step.variant_b.as_ref().map(|b| b.percent),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn campaign() -> Campaign {
        serde_json::from_value(json!({
            "id": "cmp_1", "status": "scheduled",
            "created_at": "2026-11-01T00:00:00Z", "updated_at": "2026-11-01T00:00:00Z", "updated_by": "m",
            "name": "c", "schedule": {"starts_at": "2026-11-01T00:00:00Z"},
            "entry": {"abandoned_after_minutes": 60},
            "steps": [
                {"delay_minutes": 0, "subject": "s", "html": "h", "text": "t"},
                {"delay_minutes": 1440, "subject": "s", "html": "h", "text": "t"}
            ],
            "send_window": {"start": "09:00", "end": "20:00", "time_zone": "Europe/Paris"},
            "consent": "first_step_only"
        }))
        .unwrap()
    }

    fn cart() -> CartRecord {
        serde_json::from_value(json!({
            "id": "crt_1", "source_id": "src_1", "platform": "shopify", "cart_id": "c1",
            "email": "a@b.example", "currency": "EUR", "total": "50.00",
            "lines": [{"title": "Lampe", "quantity": 1, "unit_price": "50.00"}],
            "last_activity": "2026-11-23T09:00:00Z", "cart_status": "open",
            "campaign_id": "cmp_1", "next_step": 0, "due_at": "2026-11-23T10:00:00Z",
            "updated_at": "2026-11-23T09:00:00Z"
        }))
        .unwrap()
    }

    fn send(step: usize) -> SendRecord {
        serde_json::from_value(json!({
            "id": format!("crt_1#{step}"), "cart_id": "crt_1", "campaign_id": "cmp_1", "step": step,
            "status": "queued", "due_at": "2026-11-23T10:00:00Z", "queued_at": "2026-11-23T10:00:00Z"
        }))
        .unwrap()
    }

    fn decide_with(
        cart: &CartRecord,
        send: &SendRecord,
        contact: &ContactFacts,
        now: &str,
    ) -> Decision {
        let campaign = campaign();
        decide(
            &Facts {
                send,
                cart: Some(cart),
                campaign: Some(&campaign),
                contact: Some(contact),
                suppressed: false,
                cap_hours: 24,
            },
            at(now),
        )
    }

    #[test]
    fn a_due_step_in_the_window_should_go() {
        let d = decide_with(
            &cart(),
            &send(0),
            &ContactFacts::default(),
            "2026-11-23T10:00:00Z",
        );
        assert!(matches!(d, Decision::Send { .. }), "{d:?}");
    }

    #[test]
    fn quiet_hours_should_defer_to_the_next_opening_in_the_recipients_zone() {
        let mut c = cart();
        c.time_zone = Some("America/New_York".into());
        // 10:00 UTC is 05:00 in New York: the window opens at 09:00 there, 14:00 UTC.
        let d = decide_with(
            &c,
            &send(0),
            &ContactFacts::default(),
            "2026-11-23T10:00:00Z",
        );
        assert_eq!(
            d,
            Decision::Defer {
                until: at("2026-11-23T14:00:00Z"),
                why: Why::Quiet
            }
        );
    }

    #[test]
    fn the_cap_should_defer_but_not_a_retry_of_the_same_send() {
        let contact = ContactFacts {
            last_relaunch_at: Some(at("2026-11-23T08:00:00Z")),
            last_relaunch_send: Some("crt_9#0".into()),
            ..ContactFacts::default()
        };
        let d = decide_with(&cart(), &send(0), &contact, "2026-11-23T10:00:00Z");
        assert_eq!(
            d,
            Decision::Defer {
                until: at("2026-11-24T08:00:00Z"),
                why: Why::Cap
            }
        );
        let retry = ContactFacts {
            last_relaunch_send: Some("crt_1#0".into()),
            ..contact
        };
        let d = decide_with(&cart(), &send(0), &retry, "2026-11-23T10:00:00Z");
        assert!(matches!(d, Decision::Send { .. }), "{d:?}");
    }

    #[test]
    fn fresh_data_should_stop_or_move_the_step() {
        let now = "2026-11-23T10:00:00Z";
        let mut converted = cart();
        converted.cart_status = CartStatus::Converted;
        assert_eq!(
            decide_with(&converted, &send(0), &ContactFacts::default(), now),
            skip("converted")
        );
        let unsubscribed = ContactFacts {
            unsubscribed: true,
            ..ContactFacts::default()
        };
        assert_eq!(
            decide_with(&cart(), &send(0), &unsubscribed, now),
            skip("unsubscribed")
        );
        let mut later = cart();
        later.due_at = Some(at("2026-11-23T12:00:00Z"));
        assert_eq!(
            decide_with(&later, &send(0), &ContactFacts::default(), now),
            Decision::Defer {
                until: at("2026-11-23T12:00:00Z"),
                why: Why::Activity
            }
        );
        let mut moved = cart();
        moved.next_step = Some(1);
        assert_eq!(
            decide_with(&moved, &send(0), &ContactFacts::default(), now),
            Decision::Skip {
                reason: "moved_on",
                stop: false
            }
        );
    }

    #[test]
    fn without_consent_only_the_first_step_should_go() {
        let now = "2026-11-24T10:00:00Z";
        let mut second = cart();
        second.next_step = Some(1);
        second.due_at = Some(at("2026-11-24T10:00:00Z"));
        assert_eq!(
            decide_with(&second, &send(1), &ContactFacts::default(), now),
            skip("no_consent")
        );
        let consenting = ContactFacts {
            consent: Some(true),
            ..ContactFacts::default()
        };
        assert!(matches!(
            decide_with(&second, &send(1), &consenting, now),
            Decision::Send { .. }
        ));
    }
}
