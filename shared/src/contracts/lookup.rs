//! Keyed hashes that index people without naming them: the lookup key of an email, a
//! platform account or a handle is `{kind}#{hex HMAC-SHA256(lookup key, kind \0 value)}`.
//! `identify` writes lookups; `admin` finds and erases contacts by the same keys.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// How an email's lookup key begins.
pub const EMAIL_KIND_PREFIX: &str = "email#";

/// `email`, `account` or `handle` (the key's prefix).
pub fn lookup_key(hash_key: &[u8], kind: &str, value: &str) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(hash_key) {
        Ok(mac) => mac,
        // HMAC takes keys of any length: never reached.
        Err(_) => return format!("{kind}#invalid"),
    };
    mac.update(kind.as_bytes());
    mac.update(b"\0");
    mac.update(value.as_bytes());
    format!("{kind}#{}", hex::encode(mac.finalize().into_bytes()))
}

/// A normalised email, or `None` when the text is not one: trimmed, lower case (the domain
/// is case-insensitive, and every mail provider that matters treats the local part so too).
pub fn normalise_email(raw: &str) -> Option<String> {
    let email = raw.trim().trim_start_matches("mailto:").to_lowercase();
    let (local, domain) = email.split_once('@')?;
    let ok = !local.is_empty()
        && local.len() <= 64
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && email.len() <= 254
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && !domain.contains('@');
    ok.then_some(email)
}

/// The namespace of a platform's account ids and handles, as identities spell them. A
/// platform's own ids are global to it (an X user id is the same user whoever relays it); a
/// generic sender's (Standard Webhooks) belong to that source alone, so that one source cannot
/// speak for, or vouch for, the users of another: `standard-webhooks@{source_id}`.
pub fn namespace(platform: &str, source_id: &str) -> String {
    if platform == "standard-webhooks" {
        format!("{platform}@{source_id}")
    } else {
        platform.to_string()
    }
}

/// `{platform}:{handle}`, lower case, without a leading `@`.
pub fn normalise_handle(platform: &str, handle: &str) -> Option<String> {
    let handle = handle.trim().trim_start_matches('@').to_lowercase();
    (!handle.is_empty()).then(|| format!("{platform}:{handle}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generic_senders_ids_should_be_its_own_and_a_platforms_global() {
        assert_eq!(namespace("x", "src_1"), "x");
        assert_eq!(
            namespace("standard-webhooks", "src_1"),
            "standard-webhooks@src_1"
        );
        assert_ne!(
            namespace("standard-webhooks", "src_1"),
            namespace("standard-webhooks", "src_2")
        );
    }

    #[test]
    fn emails_should_normalise_or_be_refused() {
        assert_eq!(
            normalise_email("  Ada@Example.COM "),
            Some("ada@example.com".into())
        );
        assert_eq!(normalise_email("mailto:a@b.fr"), Some("a@b.fr".into()));
        for bad in ["nope", "a@b", "@b.fr", "a@.fr", "a b@c.fr", "a@b@c.fr"] {
            assert_eq!(normalise_email(bad), None, "{bad}");
        }
    }

    #[test]
    fn keys_should_be_keyed_and_kind_specific() {
        let key = lookup_key(b"k1", "email", "ada@example.com");
        assert!(key.starts_with("email#") && !key.contains("ada"));
        assert_ne!(key, lookup_key(b"k2", "email", "ada@example.com"));
        assert_ne!(key, lookup_key(b"k1", "handle", "ada@example.com"));
        assert_eq!(normalise_handle("x", "@AdaL"), Some("x:adal".into()));
    }
}
