//! Who wrote a contribution: the identities it carries (an email, a platform account, a
//! handle), normalised, and the decision of which contact they belong to.
//!
//! Lookups never hold an email or a handle in clear: their key is a keyed hash
//! (HMAC-SHA256 with the lookup key, `crate::contracts::secrets`) of the normalised value, so the
//! table cannot be read back into a mailing list, and erasure can find every key from the values alone.
//!
//! Rules (docs/architecture.md): an identity the platform authenticated is verified; an
//! email typed under a comment is not. Two contacts each matched by a verified identity are
//! never merged automatically: the contribution goes to the one its strongest identity
//! names, and a merge candidate is recorded for staff.

use crate::contracts::events::Author;
use crate::contracts::sources::Platform;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdentityKind {
    Email,
    /// A platform's user id: stable, survives a renamed handle.
    Account,
    Handle,
}

/// One identity found on a contribution, normalised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub kind: IdentityKind,
    /// `ada@example.com`, `x:1580003419921735680`, `discourse:jdupont`.
    pub value: String,
    pub verified: bool,
}

/// The identities a shop or site gives for its customer: their email (verified when the
/// shop vouches for it: an order, an account) and their account on `platform` (the shop's
/// own customer id, which the shop authenticated).
pub fn of_customer(
    email: Option<&str>,
    customer_id: Option<&str>,
    platform: &str,
    email_vouched: bool,
) -> Vec<Identity> {
    let mut identities = Vec::new();
    if let Some(email) = email.and_then(crate::contracts::lookup::normalise_email) {
        identities.push(Identity {
            kind: IdentityKind::Email,
            value: email,
            verified: email_vouched,
        });
    }
    if let Some(id) = customer_id.map(str::trim).filter(|s| !s.is_empty()) {
        identities.push(Identity {
            kind: IdentityKind::Account,
            value: format!("{platform}:{id}"),
            verified: true,
        });
    }
    identities
}

impl Identity {
    /// How much this identity says about who wrote: an authenticated account most, then a
    /// verified email, then a handle, then a typed email.
    pub fn strength(&self) -> u8 {
        match (self.kind, self.verified) {
            (IdentityKind::Account, true) => 4,
            (IdentityKind::Email, true) => 3,
            (IdentityKind::Handle, true) => 2,
            (IdentityKind::Account, false) => 2,
            (IdentityKind::Handle, false) => 1,
            (IdentityKind::Email, false) => 1,
        }
    }

    /// The lookup key: `email#<hex HMAC>` and so on (`crate::contracts::lookup`).
    pub fn lookup_key(&self, hash_key: &[u8]) -> String {
        let kind = match self.kind {
            IdentityKind::Email => "email",
            IdentityKind::Account => "account",
            IdentityKind::Handle => "handle",
        };
        crate::contracts::lookup::lookup_key(hash_key, kind, &self.value)
    }
}

pub use crate::contracts::lookup::normalise_email;

/// The identities an author carries on `platform`, as `source_id` sent them (a generic
/// sender's account ids and handles are its own: `crate::contracts::lookup::namespace`).
pub fn identities(platform: Platform, source_id: &str, author: &Author) -> Vec<Identity> {
    let namespace = crate::contracts::lookup::namespace(platform.as_str(), source_id);
    let mut found = Vec::new();
    if let Some(email) = author.email.as_deref().and_then(normalise_email) {
        found.push(Identity {
            kind: IdentityKind::Email,
            value: email,
            verified: author.verified,
        });
    }
    if let Some(id) = author
        .platform_user_id
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        found.push(Identity {
            kind: IdentityKind::Account,
            value: format!("{namespace}:{id}"),
            verified: author.verified,
        });
    }
    if let Some(value) = author
        .handle
        .as_deref()
        .and_then(|h| crate::contracts::lookup::normalise_handle(&namespace, h))
    {
        found.push(Identity {
            kind: IdentityKind::Handle,
            value,
            verified: author.verified,
        });
    }
    found
}

/// What a lookup says about an identity already known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Known {
    pub contact_id: String,
    pub verified: bool,
}

/// What to do with a contribution's identities, given which are already known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    /// Nobody this contribution may claim: a new prospect with the identities at `hold` (those
    /// nobody holds yet), and `merge_candidates` for staff when an identity it typed is a
    /// verified one of someone else.
    NewContact {
        hold: Vec<usize>,
        merge_candidates: Vec<String>,
    },
    /// The contribution is this contact's; `link` are the identities to add to it.
    Existing {
        contact_id: String,
        link: Vec<usize>,
        /// Other contacts the identities also point to: candidates for a merge that staff
        /// decide, never an automatic one.
        merge_candidates: Vec<String>,
    },
    /// Nothing to identify (no email, account or handle).
    Anonymous,
}

/// Whether a contribution may be someone's on the strength of this identity. A claim the
/// platform vouched for may; a typed one may only join someone nobody verified either: an
/// email typed under a comment or at a checkout never makes the contribution a verified
/// customer's (anyone can type anyone's address).
fn may_claim(identity: &Identity, known: &Known) -> bool {
    identity.verified || !known.verified
}

/// `known[i]` is what the lookup of `identities[i]` found.
pub fn resolve(identities: &[Identity], known: &[Option<Known>]) -> Resolution {
    if identities.is_empty() {
        return Resolution::Anonymous;
    }
    let found = || {
        identities
            .iter()
            .zip(known)
            .filter_map(|(identity, k)| k.as_ref().map(|k| (identity, k)))
    };
    // The contact named by the strongest identity that may claim it (ties: the first listed).
    let best = found()
        .filter(|(identity, k)| may_claim(identity, k))
        .max_by_key(|(identity, k)| {
            (
                u8::from(k.verified) * 10 + identity.strength(),
                std::cmp::Reverse(k.contact_id.clone()),
            )
        });
    let others = |except: Option<&str>| {
        let mut ids: Vec<String> = found()
            .map(|(_, k)| k.contact_id.clone())
            .filter(|id| Some(id.as_str()) != except)
            .collect();
        ids.sort();
        ids.dedup();
        ids
    };
    // New identities join the chosen contact only when nothing contradicts it: an identity
    // that already names someone else stays where it is.
    let unheld: Vec<usize> = known
        .iter()
        .enumerate()
        .filter(|(_, k)| k.is_none())
        .map(|(i, _)| i)
        .collect();
    let Some((_, chosen)) = best else {
        return Resolution::NewContact {
            hold: unheld,
            merge_candidates: others(None),
        };
    };
    let contact_id = chosen.contact_id.clone();
    Resolution::Existing {
        merge_candidates: others(Some(&contact_id)),
        contact_id,
        link: unheld,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(kind: IdentityKind, value: &str, verified: bool) -> Identity {
        Identity {
            kind,
            value: value.into(),
            verified,
        }
    }

    fn known(contact: &str, verified: bool) -> Option<Known> {
        Some(Known {
            contact_id: contact.into(),
            verified,
        })
    }

    #[test]
    fn a_shop_customer_should_give_an_email_and_an_account() {
        let ids = of_customer(Some(" Ada@Example.COM "), Some(" 42 "), "shopify", false);
        assert_eq!(ids.len(), 2);
        assert_eq!(
            (ids[0].kind, ids[0].value.as_str(), ids[0].verified),
            (IdentityKind::Email, "ada@example.com", false)
        );
        assert_eq!(
            (ids[1].kind, ids[1].value.as_str(), ids[1].verified),
            (IdentityKind::Account, "shopify:42", true)
        );
        assert!(of_customer(Some("not an email"), Some("  "), "shopify", true).is_empty());
    }

    #[test]
    fn lookup_keys_should_be_keyed_hashes_without_the_value() {
        let email = id(IdentityKind::Email, "ada@example.com", false);
        let key = email.lookup_key(b"k1");
        assert!(key.starts_with("email#") && !key.contains("ada"));
        assert_eq!(key, email.lookup_key(b"k1"));
        assert_ne!(key, email.lookup_key(b"k2"));
        // Same value, other kind: another key.
        assert_ne!(
            key,
            id(IdentityKind::Handle, "ada@example.com", false).lookup_key(b"k1")
        );
    }

    #[test]
    fn an_author_should_give_normalised_identities() {
        let author = Author {
            email: Some("Ada@Example.com".into()),
            handle: Some("@AdaL".into()),
            platform_user_id: Some("42".into()),
            verified: true,
            ..Author::default()
        };
        let found = identities(Platform::X, "src_x", &author);
        assert_eq!(
            found,
            vec![
                id(IdentityKind::Email, "ada@example.com", true),
                id(IdentityKind::Account, "x:42", true),
                id(IdentityKind::Handle, "x:adal", true),
            ]
        );
    }

    #[test]
    fn unknown_identities_should_make_a_new_contact() {
        let ids = [id(IdentityKind::Email, "a@b.fr", false)];
        assert_eq!(
            resolve(&ids, &[None]),
            Resolution::NewContact {
                hold: vec![0],
                merge_candidates: vec![]
            }
        );
        assert_eq!(resolve(&[], &[]), Resolution::Anonymous);
    }

    #[test]
    fn a_known_identity_should_bring_the_new_ones_to_its_contact() {
        let ids = [
            id(IdentityKind::Account, "x:42", true),
            id(IdentityKind::Email, "a@b.fr", false),
        ];
        assert_eq!(
            resolve(&ids, &[known("c1", true), None]),
            Resolution::Existing {
                contact_id: "c1".into(),
                link: vec![1],
                merge_candidates: vec![]
            }
        );
    }

    #[test]
    fn two_verified_contacts_should_never_be_merged_but_proposed() {
        let ids = [
            id(IdentityKind::Account, "shopify:7", true),
            id(IdentityKind::Email, "a@b.fr", true),
        ];
        let r = resolve(&ids, &[known("c_account", true), known("c_email", true)]);
        assert_eq!(
            r,
            Resolution::Existing {
                contact_id: "c_account".into(),
                link: vec![],
                merge_candidates: vec!["c_email".into()]
            }
        );
    }

    #[test]
    fn a_typed_email_should_not_pull_a_verified_account_elsewhere() {
        // The account is verified on c1; the typed email names c2: the contribution is c1's.
        let ids = [
            id(IdentityKind::Email, "a@b.fr", false),
            id(IdentityKind::Account, "discourse:9", true),
        ];
        let r = resolve(&ids, &[known("c2", false), known("c1", true)]);
        assert!(
            matches!(r, Resolution::Existing { ref contact_id, .. } if contact_id == "c1"),
            "{r:?}"
        );
    }

    #[test]
    fn a_typed_email_of_a_verified_customer_should_make_a_new_prospect_and_a_candidate() {
        // A stranger types the customer's address under a comment, with their own handle.
        let ids = [
            id(IdentityKind::Email, "customer@b.fr", false),
            id(IdentityKind::Handle, "wordpress:stranger", false),
        ];
        assert_eq!(
            resolve(&ids, &[known("c_customer", true), None]),
            Resolution::NewContact {
                hold: vec![1],
                merge_candidates: vec!["c_customer".into()]
            }
        );
        // The same address typed by someone who is only a prospect so far joins them.
        assert!(matches!(
            resolve(&ids[..1], &[known("c_prospect", false)]),
            Resolution::Existing { ref contact_id, .. } if contact_id == "c_prospect"
        ));
        // Vouched for by the platform, it is the customer's.
        let vouched = [id(IdentityKind::Email, "customer@b.fr", true)];
        assert!(matches!(
            resolve(&vouched, &[known("c_customer", true)]),
            Resolution::Existing { ref contact_id, .. } if contact_id == "c_customer"
        ));
    }

    #[test]
    fn two_generic_sources_should_not_share_accounts_or_handles() {
        let author = Author {
            handle: Some("@ada".into()),
            platform_user_id: Some("42".into()),
            verified: true,
            ..Author::default()
        };
        let a = identities(Platform::StandardWebhooks, "src_a", &author);
        let b = identities(Platform::StandardWebhooks, "src_b", &author);
        assert_eq!(a[0].value, "standard-webhooks@src_a:42");
        assert_eq!(a[1].value, "standard-webhooks@src_a:ada");
        assert!(a.iter().all(|i| !b.contains(i)));
    }
}
