//! Referral attribution: every order comes on from the carts function, and becomes a
//! referral conversion when it carries a referral code (the landing of `/r/{code}` gives it to
//! the shop as `?ref=`, which the shop keeps on the order), or when its buyer was invited (the
//! customer, signed in on the site, said they shared the link) within the window. A visit of
//! the link alone never is: mail scanners, link previews and the referrer themselves open
//! links too. A person converts once.
//! The referrer's reward is a share of the order, pending until an approval delay longer
//! than the shop's return window has passed, and flagged, never paid, when an anti-fraud
//! rule matches ([`crate::fraud`]).

use chrono::{DateTime, Duration, Utc};
use rust_decimal::Decimal;
use shared::contracts::contacts::identity::{Identity, IdentityKind};
use shared::contracts::events::{Message, Order};
use shared::contracts::lookup::lookup_key;
use shared::kit::config::{self, Env};
use shared::Error;

use crate::conversions::{self, Conversion, Recorded, RewardState, Via};
use crate::fraud::{self, Facts, Prints};
use crate::suggestions::Invitation;
#[cfg(test)]
use crate::suggestions::Status;
use crate::Deps;

/// An order placed this long before its invitation still counts (the shop's clock).
const CLOCK_SKEW_MINUTES: i64 = 10;

/// The referral programme's terms.
#[derive(Debug, Clone, PartialEq)]
pub struct Terms {
    /// An invited person's order counts this many days after the invitation.
    pub window_days: i64,
    /// The shop's return window.
    pub return_window_days: i64,
    /// A reward is approved this many days after the order: more than the return window.
    pub approval_days: i64,
    /// The reward, in percent of the order's total.
    pub reward_percent: Decimal,
}

impl Terms {
    pub fn from_env(env: &dyn Env) -> Result<Self, Error> {
        let terms = Terms {
            window_days: config::parsed_or(env, "REFERRAL_WINDOW_DAYS", 30)?,
            return_window_days: config::parsed_or(env, "REFERRAL_RETURN_WINDOW_DAYS", 30)?,
            approval_days: config::parsed_or(env, "REFERRAL_APPROVAL_DAYS", 45)?,
            reward_percent: config::parsed_or(env, "REFERRAL_REWARD_PERCENT", Decimal::TEN)?,
        };
        terms.check()?;
        Ok(terms)
    }

    /// A reward approved before returns close could be paid for an order sent back: refuse
    /// to start with such terms.
    pub fn check(&self) -> Result<(), Error> {
        if self.approval_days <= self.return_window_days {
            return Err(Error::Internal(format!(
                "REFERRAL_APPROVAL_DAYS ({}) must exceed REFERRAL_RETURN_WINDOW_DAYS ({})",
                self.approval_days, self.return_window_days
            )));
        }
        if self.window_days < 1
            || self.reward_percent < Decimal::ZERO
            || self.reward_percent > Decimal::ONE_HUNDRED
        {
            return Err(Error::Internal(
                "REFERRAL_WINDOW_DAYS must be ≥ 1 and REFERRAL_REWARD_PERCENT 0 to 100".into(),
            ));
        }
        Ok(())
    }
}

/// Who referred an order, and how.
#[derive(Debug, Clone, PartialEq)]
pub struct Referral {
    pub referrer: String,
    pub code: String,
    pub via: Via,
}

/// The invitation an order's buyer answered, if any: the latest invitation (shared or
/// clicked) within `window_days` before the order. Pure.
pub fn latest_invitation(
    invitations: &[Invitation],
    placed_at: DateTime<Utc>,
    window_days: i64,
) -> Option<&Invitation> {
    let earliest = placed_at - Duration::days(window_days);
    let latest = placed_at + Duration::minutes(CLOCK_SKEW_MINUTES);
    invitations
        .iter()
        .filter_map(|i| i.invited_at().map(|at| (at, i)))
        .filter(|(at, _)| *at >= earliest && *at <= latest)
        .max_by_key(|(at, i)| (*at, i.code.clone()))
        .map(|(_, i)| i)
}

/// Whether an order placed at `placed_at` may still use a code suggested then shared as
/// `invitation` says: within the window of the sharing (or of the suggestion). Visits do not
/// extend it: anyone's GET would. Pure.
pub fn code_valid(invitation: &Invitation, placed_at: DateTime<Utc>, window_days: i64) -> bool {
    let touched = invitation.invited_at().unwrap_or(invitation.suggested_at);
    placed_at >= invitation.suggested_at - Duration::minutes(CLOCK_SKEW_MINUTES)
        && placed_at <= touched + Duration::days(window_days)
}

/// The buyer's identities as the order gives them (the carts function created the contact).
fn buyer_identities(message: &Message, order: &Order) -> Vec<Identity> {
    shared::contracts::contacts::identity::of_customer(
        order.customer.email.as_deref(),
        order.customer.id.as_deref(),
        message.platform.as_str(),
        true,
    )
}

/// The order's prints, as keyed hashes.
pub fn order_prints(hash_key: &[u8], identities: &[Identity], order: &Order) -> Prints {
    let mut prints = Prints::default();
    for identity in identities {
        if identity.kind == IdentityKind::Email {
            prints.emails.insert(identity.lookup_key(hash_key));
        }
    }
    if let Some(name) = fraud::name_print(
        order.customer.first_name.as_deref(),
        order.customer.last_name.as_deref(),
    ) {
        prints.names.insert(lookup_key(hash_key, "name", &name));
    }
    if let Some(fp) = order
        .signals
        .payment_fingerprint
        .as_deref()
        .map(str::trim)
        .filter(|f| !f.is_empty())
    {
        prints.payments.insert(lookup_key(hash_key, "payment", fp));
    }
    if let Some(address) = order
        .signals
        .shipping_address
        .as_ref()
        .and_then(fraud::address_print)
    {
        prints
            .addresses
            .insert(lookup_key(hash_key, "address", &address));
    }
    prints
}

async fn referral_of(
    deps: &Deps,
    order: &Order,
    buyer: Option<&str>,
) -> Result<Option<Referral>, Error> {
    let store = deps.suggestions();
    let window = deps.terms.window_days;
    if let Some(code) = order.referral_code.as_deref() {
        let found = store
            .by_code(code)
            .await?
            .map(|(referrer, stored)| (stored.invitation(&referrer), referrer));
        return Ok(match found {
            Some((invitation, referrer)) if code_valid(&invitation, order.placed_at, window) => {
                Some(Referral {
                    referrer,
                    code: code.to_string(),
                    via: Via::Code,
                })
            }
            Some(_) => {
                tracing::info!(order = %order.order_id, "referral code outside its window");
                None
            }
            None => {
                tracing::info!(order = %order.order_id, "unknown referral code");
                None
            }
        });
    }
    let Some(buyer) = buyer else {
        return Ok(None);
    };
    let invitations = store.invitations_of(buyer).await?;
    Ok(
        latest_invitation(&invitations, order.placed_at, window).map(|i| Referral {
            referrer: i.referrer.clone(),
            code: i.code.clone(),
            via: Via::Invitation,
        }),
    )
}

/// Attributes one order (redelivered or not: the conversion is written once).
pub async fn order(deps: &Deps, message: &Message, order: &Order) -> Result<(), Error> {
    let identities = buyer_identities(message, order);
    let buyer = deps
        .contacts
        .lookup(&identities)
        .await?
        .into_iter()
        .flatten()
        .map(|k| k.contact_id)
        .next();
    let prints = order_prints(&deps.hash_key, &identities, order);
    let store = deps.conversions();
    if let Some(buyer) = &buyer {
        // Kept for the day this buyer refers someone (self-referral checks).
        store.add_prints(buyer, &prints).await?;
    }
    let Some(referral) = referral_of(deps, order, buyer.as_deref()).await? else {
        return Ok(());
    };
    let ip_key = order
        .signals
        .client_ip
        .as_deref()
        .map(|ip| lookup_key(&deps.hash_key, "ip", ip.trim()));
    let mut referrer_prints = store.prints(&referral.referrer).await?;
    referrer_prints
        .emails
        .extend(deps.facts().email_keys(&referral.referrer).await?);
    let same_ip_recent = match &ip_key {
        Some(key) => {
            store
                .count_between(
                    conversions::BY_IP_INDEX,
                    "ip_key",
                    key,
                    order.placed_at - Duration::hours(fraud::SHARED_IP_HOURS),
                    order.placed_at,
                )
                .await?
        }
        None => 0,
    };
    let referrer_recent = store
        .count_between(
            conversions::BY_REFERRER_INDEX,
            "referrer",
            &referral.referrer,
            order.placed_at - Duration::hours(fraud::BURST_HOURS),
            order.placed_at,
        )
        .await?;
    let flags = fraud::flags(&Facts {
        same_contact: buyer.as_deref() == Some(referral.referrer.as_str()),
        buyer: prints,
        referrer: referrer_prints,
        same_ip_recent,
        referrer_recent,
    });
    let now = deps.clock.now();
    let conversion = Conversion {
        id: conversions::conversion_id(&message.source_id, &order.order_id),
        referrer: referral.referrer.clone(),
        referred: buyer,
        code: referral.code,
        via: referral.via,
        source_id: message.source_id.clone(),
        order_id: order.order_id.clone(),
        currency: order.currency.clone(),
        total: order.total,
        reward: conversions::reward(order.total, deps.terms.reward_percent),
        placed_at: order.placed_at,
        recorded_at: now,
        approve_at: conversions::approve_at(order.placed_at, deps.terms.approval_days),
        reward_state: if flags.is_empty() {
            RewardState::Pending
        } else {
            RewardState::Flagged
        },
        flags,
        decisions: Vec::new(),
        ip_key,
    };
    let recorded = store.record(&conversion).await?;
    // Told at every delivery of the order (the event's id is the conversion's): once.
    deps.events
        .publish(&shared::contracts::deliveries::Event::new(
            shared::contracts::deliveries::EventType::ReferralConverted,
            &conversion.id,
            now,
            Some(&conversion.referrer),
            serde_json::json!({ "conversion": {
                "id": conversion.id,
                "referrer": conversion.referrer,
                "referred": conversion.referred,
                "code": conversion.code,
                "source_id": conversion.source_id,
                "order_id": conversion.order_id,
                "currency": conversion.currency,
                "total": conversion.total,
                "reward": conversion.reward,
                "placed_at": conversion.placed_at,
                "reward_state": conversion.reward_state.as_str(),
                "flags": conversion.flags.iter().map(|f| f.rule.as_str()).collect::<Vec<_>>(),
            }}),
        ))
        .await?;
    // Ids and rule names only.
    tracing::info!(
        event_id = %message.id,
        conversion = %conversion.id,
        referrer = %conversion.referrer,
        via = ?conversion.via,
        state = conversion.reward_state.as_str(),
        flags = ?conversion.flags.iter().map(|f| f.rule.as_str()).collect::<Vec<_>>(),
        recorded = ?recorded,
        "referral order"
    );
    if recorded == Recorded::New {
        shared::kit::metrics::count(
            "ReferralConversions",
            1,
            &[("State", conversion.reward_state.as_str())],
            now,
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn invitation(
        code: &str,
        suggested: &str,
        sent: Option<&str>,
        clicked: Option<&str>,
    ) -> Invitation {
        Invitation {
            referrer: format!("c_{code}"),
            code: code.into(),
            status: if sent.is_some() {
                Status::Sent
            } else {
                Status::Suggested
            },
            suggested_at: at(suggested),
            updated_at: sent.map(at),
            clicked_at: clicked.map(at),
        }
    }

    #[test]
    fn the_latest_invitation_within_the_window_should_win() {
        let invitations = [
            invitation(
                "a",
                "2026-10-01T00:00:00Z",
                Some("2026-10-02T00:00:00Z"),
                None,
            ),
            invitation(
                "b",
                "2026-10-20T00:00:00Z",
                Some("2026-10-25T00:00:00Z"),
                None,
            ),
            // Its link opened (by a scanner, the referrer, anyone): not an invitation.
            invitation(
                "c",
                "2026-10-26T00:00:00Z",
                None,
                Some("2026-10-28T00:00:00Z"),
            ),
            // Suggested only: never shared, not an invitation.
            invitation("d", "2026-10-28T00:00:00Z", None, None),
        ];
        let chosen = latest_invitation(&invitations, at("2026-10-30T00:00:00Z"), 30).unwrap();
        assert_eq!(chosen.code, "b");
        assert!(latest_invitation(&invitations[2..], at("2026-10-30T00:00:00Z"), 30).is_none());
        // 40 days after the sharing: outside a 30-day window.
        assert!(latest_invitation(&invitations[1..2], at("2026-12-04T00:00:00Z"), 30).is_none());
        // An order before the invitation is not its answer.
        assert!(latest_invitation(&invitations[1..2], at("2026-10-24T00:00:00Z"), 30).is_none());
    }

    #[test]
    fn a_code_should_hold_from_its_suggestion_to_the_window_after_its_sharing() {
        let typed = invitation("a", "2026-10-01T00:00:00Z", None, None);
        assert!(code_valid(&typed, at("2026-10-15T00:00:00Z"), 30));
        assert!(!code_valid(&typed, at("2026-11-15T00:00:00Z"), 30));
        assert!(!code_valid(&typed, at("2026-09-15T00:00:00Z"), 30));
        let shared = invitation(
            "a",
            "2026-10-01T00:00:00Z",
            Some("2026-11-01T00:00:00Z"),
            None,
        );
        assert!(code_valid(&shared, at("2026-11-15T00:00:00Z"), 30));
        // A visit does not stretch it: anyone's GET would.
        let visited = invitation(
            "a",
            "2026-10-01T00:00:00Z",
            None,
            Some("2026-11-01T00:00:00Z"),
        );
        assert!(!code_valid(&visited, at("2026-11-15T00:00:00Z"), 30));
    }

    #[test]
    fn terms_should_refuse_an_approval_before_returns_close() {
        let terms = Terms {
            window_days: 30,
            return_window_days: 30,
            approval_days: 30,
            reward_percent: Decimal::TEN,
        };
        assert!(terms.check().is_err());
        assert!(Terms {
            approval_days: 31,
            ..terms.clone()
        }
        .check()
        .is_ok());
        assert!(Terms {
            approval_days: 45,
            reward_percent: Decimal::new(101, 0),
            ..terms
        }
        .check()
        .is_err());
    }

    #[test]
    fn prints_should_be_keyed_hashes_of_what_the_order_says() {
        let order: Order = serde_json::from_value(serde_json::json!({
            "order_id": "o1", "currency": "EUR", "lines": [], "total": "10",
            "placed_at": "2026-11-01T00:00:00Z",
            "customer": {"email": "Ada@Example.com", "first_name": "Ada", "last_name": "Lovelace"},
            "signals": {"client_ip": "203.0.113.9", "payment_fingerprint": "fp_1",
                        "shipping_address": {"line1": "1 Main St", "postal_code": "N1", "country": "GB"}}
        }))
        .unwrap();
        let identities = vec![Identity {
            kind: IdentityKind::Email,
            value: "ada@example.com".into(),
            verified: true,
        }];
        let prints = order_prints(b"key", &identities, &order);
        assert_eq!(prints.emails.len(), 1);
        assert_eq!(prints.names.len(), 1);
        assert_eq!(prints.payments.len(), 1);
        assert_eq!(prints.addresses.len(), 1);
        let text = format!("{prints:?}");
        for clear in ["ada", "Lovelace", "fp_1", "Main", "203.0.113.9"] {
            assert!(!text.contains(clear), "{clear} in {text}");
        }
    }
}
