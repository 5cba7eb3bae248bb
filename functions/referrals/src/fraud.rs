//! Referral anti-fraud: the rules that flag a conversion (pure, no I/O). A flagged reward is
//! never paid until staff clear it (`docs/referrals.md`, "Anti-fraud").
//!
//! - `self_referral`: the buyer is the referrer (the same contact), or shares one of the
//!   referrer's emails, full names, payment fingerprints or shipping addresses (compared as
//!   keyed hashes, [`Prints`]).
//! - `shared_ip`: [`SHARED_IP_MAX`] other conversions came from the buyer's IP in the
//!   [`SHARED_IP_HOURS`] before this order.
//! - `burst`: the referrer had [`BURST_MAX`] other conversions in the [`BURST_HOURS`] before.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use shared::contracts::text::fold;

/// This many other conversions from one IP within the window flag the next one.
pub const SHARED_IP_MAX: usize = 2;
pub const SHARED_IP_HOURS: i64 = 24;
/// This many other conversions of one referrer within the window flag the next one.
pub const BURST_MAX: usize = 3;
pub const BURST_HOURS: i64 = 1;

/// What identifies a person's orders, as keyed hashes (`shared::contracts::lookup::lookup_key`), never
/// the values.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prints {
    #[serde(default)]
    pub emails: BTreeSet<String>,
    #[serde(default)]
    pub names: BTreeSet<String>,
    #[serde(default)]
    pub payments: BTreeSet<String>,
    #[serde(default)]
    pub addresses: BTreeSet<String>,
}

impl Prints {
    pub fn is_empty(&self) -> bool {
        self.emails.is_empty()
            && self.names.is_empty()
            && self.payments.is_empty()
            && self.addresses.is_empty()
    }

    /// Which kinds of print the two share: `email`, `name`, `payment`, `address`.
    pub fn shared_with(&self, other: &Prints) -> Vec<&'static str> {
        [
            ("email", &self.emails, &other.emails),
            ("name", &self.names, &other.names),
            ("payment", &self.payments, &other.payments),
            ("address", &self.addresses, &other.addresses),
        ]
        .into_iter()
        .filter(|(_, a, b)| !a.is_disjoint(b))
        .map(|(kind, _, _)| kind)
        .collect()
    }
}

/// What the rules read of one conversion.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// The buyer is the referrer's own contact.
    pub same_contact: bool,
    pub buyer: Prints,
    pub referrer: Prints,
    /// Other conversions from the buyer's IP in the window (0 when the order has no IP).
    pub same_ip_recent: usize,
    /// Other conversions of the referrer in the burst window.
    pub referrer_recent: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flag {
    pub rule: String,
    pub detail: String,
}

fn flag(rule: &str, detail: String) -> Flag {
    Flag {
        rule: rule.to_string(),
        detail,
    }
}

/// Every rule the conversion breaks; empty when it may be rewarded after the approval delay.
pub fn flags(facts: &Facts) -> Vec<Flag> {
    let mut out = Vec::new();
    let shared = facts.buyer.shared_with(&facts.referrer);
    if facts.same_contact {
        out.push(flag(
            "self_referral",
            "the buyer is the referrer".to_string(),
        ));
    } else if !shared.is_empty() {
        out.push(flag(
            "self_referral",
            format!("the buyer shares the referrer's {}", shared.join(", ")),
        ));
    }
    if facts.same_ip_recent >= SHARED_IP_MAX {
        out.push(flag(
            "shared_ip",
            format!(
                "{} other referral orders from the same IP in {SHARED_IP_HOURS} h",
                facts.same_ip_recent
            ),
        ));
    }
    if facts.referrer_recent >= BURST_MAX {
        out.push(flag(
            "burst",
            format!(
                "{} other referral orders for this referrer in {BURST_HOURS} h",
                facts.referrer_recent
            ),
        ));
    }
    out
}

/// A name as anti-fraud compares it: a first and a last name, case, accents, punctuation
/// and order folded ("Dupont, Jean" is "jean dupont"). `None` for a lone first name: too
/// common to say anything.
pub fn name_print(first: Option<&str>, last: Option<&str>) -> Option<String> {
    let folded = fold(&format!("{} {}", first?, last?));
    let mut words = letters_and_digits(&folded);
    if words.len() < 2 {
        return None;
    }
    words.sort();
    Some(words.join(" "))
}

/// An address as anti-fraud compares it: its first line, postal code and country, letters
/// and digits only, case and accents folded. `None` without a first line and a postal code.
pub fn address_print(address: &shared::contracts::events::Address) -> Option<String> {
    let norm = |s: Option<&str>| letters_and_digits(&fold(s.unwrap_or_default())).concat();
    let line1 = norm(address.line1.as_deref());
    let postal = norm(address.postal_code.as_deref());
    if line1.is_empty() || postal.is_empty() {
        return None;
    }
    Some(format!(
        "{line1}|{postal}|{}",
        norm(address.country.as_deref())
    ))
}

/// The words of folded text, letters and digits only (the classifier's folding keeps a few
/// symbols, `€ $ % @ #`, that say nothing of a name or an address).
fn letters_and_digits(folded: &str) -> Vec<&str> {
    folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::contracts::events::Address;

    fn prints(kind: &str, value: &str) -> Prints {
        let mut p = Prints::default();
        let set = match kind {
            "email" => &mut p.emails,
            "name" => &mut p.names,
            "payment" => &mut p.payments,
            _ => &mut p.addresses,
        };
        set.insert(value.to_string());
        p
    }

    #[test]
    fn a_clean_conversion_should_have_no_flag() {
        let facts = Facts {
            buyer: prints("email", "email#a"),
            referrer: prints("email", "email#b"),
            same_ip_recent: 1,
            referrer_recent: 2,
            ..Facts::default()
        };
        assert!(flags(&facts).is_empty());
    }

    #[test]
    fn any_shared_print_should_flag_a_self_referral() {
        for kind in ["email", "name", "payment", "address"] {
            let facts = Facts {
                buyer: prints(kind, "same"),
                referrer: prints(kind, "same"),
                ..Facts::default()
            };
            let found = flags(&facts);
            assert_eq!(found.len(), 1, "{kind}");
            assert_eq!(found[0].rule, "self_referral");
            assert!(found[0].detail.contains(kind), "{}", found[0].detail);
        }
        let same = Facts {
            same_contact: true,
            ..Facts::default()
        };
        assert_eq!(flags(&same)[0].detail, "the buyer is the referrer");
    }

    #[test]
    fn several_orders_from_one_ip_or_a_burst_should_be_flagged() {
        let ip = Facts {
            same_ip_recent: SHARED_IP_MAX,
            ..Facts::default()
        };
        assert_eq!(flags(&ip)[0].rule, "shared_ip");
        let burst = Facts {
            referrer_recent: BURST_MAX,
            ..Facts::default()
        };
        assert_eq!(flags(&burst)[0].rule, "burst");
    }

    #[test]
    fn names_should_compare_folded_and_in_any_order() {
        assert_eq!(
            name_print(Some("Hélène"), Some("Lefèvre")),
            name_print(Some("lefevre"), Some("HELENE"))
        );
        assert_eq!(
            name_print(Some("Jean-Paul"), Some("Dupont")).as_deref(),
            Some("dupont jean paul")
        );
        assert_eq!(name_print(Some("Jean"), None), None);
        assert_eq!(name_print(Some("Jean"), Some("  ")), None);
    }

    #[test]
    fn addresses_should_compare_on_line_postal_code_and_country() {
        let a = Address {
            line1: Some("8, Place Bellecour".into()),
            city: Some("Lyon".into()),
            postal_code: Some("69002".into()),
            country: Some("FR".into()),
            ..Address::default()
        };
        let b = Address {
            line1: Some("8 place bellecour".into()),
            line2: Some("Bât. B".into()),
            city: Some("LYON".into()),
            ..a.clone()
        };
        assert_eq!(address_print(&a), address_print(&b));
        assert!(address_print(&Address {
            postal_code: None,
            ..a
        })
        .is_none());
    }
}
