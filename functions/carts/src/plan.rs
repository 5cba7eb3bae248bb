//! Pure decisions about a cart: what is wrong with a snapshot, and which relaunch step is
//! due when.

use rust_decimal::Decimal;
use shared::contracts::events::CartSnapshot;
use shared::relaunch::campaigns::schedule::is_currency;

/// Why a snapshot cannot be relaunched; empty when it can. The cart is kept either way.
pub fn problems(snapshot: &CartSnapshot) -> Vec<String> {
    let mut found = Vec::new();
    let has_email = snapshot
        .customer
        .email
        .as_deref()
        .and_then(shared::contracts::lookup::normalise_email)
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
    }
}
