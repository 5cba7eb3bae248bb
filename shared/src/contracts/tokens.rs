//! Signed, expiring tokens for links in emails (`/t/verify/{token}`, the relaunch links):
//! `{key id}.{base64url(payload JSON)}.{base64url(HMAC-SHA256(key, key id "." payload))}`.
//! The payload is readable (it holds ids, never an email); it cannot be forged or extended,
//! and the signature is checked in constant time before the payload is even parsed.
//!
//! The signing keys form a [`Keyring`]: new tokens are signed with the current key and name
//! it, so a rotation adds a key and breaks no link in flight; retiring a key ends only the
//! links it signed. Tokens of two parts (`payload.signature`, before key ids) are read with
//! the key [`LEGACY_KEY_ID`], which a migrated deployment holds (docs/operations.md).

use std::collections::BTreeMap;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde::de::DeserializeOwned;
use serde::Serialize;
use sha2::Sha256;

/// The key id of tokens signed before tokens named their key.
pub const LEGACY_KEY_ID: &str = "k0";

/// A signing key must be at least this long: 256 bits of HMAC-SHA256.
pub const MIN_KEY_BYTES: usize = 32;

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the link is malformed")]
    Malformed,
    #[error("the link's signature does not match")]
    BadSignature,
    #[error("the link has expired")]
    Expired,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Envelope<T> {
    /// What the token is for: a verify token is no unsubscribe token.
    purpose: String,
    exp: i64,
    data: T,
}

/// A key for one purpose, derived from a secret, so one secret can serve several.
fn derive_key(secret: &[u8], purpose: &str) -> Vec<u8> {
    mac(secret, purpose.as_bytes()).to_vec()
}

fn mac(key: &[u8], data: &[u8]) -> [u8; 32] {
    let mut m = match Hmac::<Sha256>::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => return [0; 32],
    };
    m.update(data);
    m.finalize().into_bytes().into()
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum KeyringError {
    #[error("the key ring is not a JSON object of key ids to keys")]
    NotAnObject,
    #[error("the key ring has no \"current\" key id")]
    NoCurrent,
    #[error("the current key id {0:?} has no key")]
    CurrentMissing(String),
    #[error("key id {0:?} must be 1 to 16 letters, digits, '-' or '_'")]
    BadId(String),
    #[error("key {0:?} is shorter than 32 bytes")]
    TooShort(String),
}

/// The link-signing keys by id, and which one signs new tokens. Stored as one JSON object:
/// `{"current":"k2","k2":"…","k1":"…"}` (docs/operations.md, rotating the link keys).
#[derive(Clone)]
pub struct Keyring {
    current: String,
    keys: BTreeMap<String, Vec<u8>>,
}

impl std::fmt::Debug for Keyring {
    // Never the keys themselves: a Debug print can reach a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keyring")
            .field("current", &self.current)
            .field("ids", &self.keys.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl Keyring {
    pub fn from_json(text: &str) -> Result<Self, KeyringError> {
        let object: BTreeMap<String, String> =
            serde_json::from_str(text).map_err(|_| KeyringError::NotAnObject)?;
        let mut keys = BTreeMap::new();
        let mut current = None;
        for (id, value) in object {
            if id == "current" {
                current = Some(value);
                continue;
            }
            let id_ok = (1..=16).contains(&id.len())
                && id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
            if !id_ok {
                return Err(KeyringError::BadId(id));
            }
            if value.len() < MIN_KEY_BYTES {
                return Err(KeyringError::TooShort(id));
            }
            keys.insert(id, value.into_bytes());
        }
        let current = current.ok_or(KeyringError::NoCurrent)?;
        if !keys.contains_key(&current) {
            return Err(KeyringError::CurrentMissing(current));
        }
        Ok(Keyring { current, keys })
    }

    /// The id new tokens are signed with.
    pub fn current(&self) -> &str {
        &self.current
    }

    /// A signed token for `purpose`, with its own key derived from the current key.
    pub fn sign<T: Serialize>(&self, purpose: &str, data: &T, expires_at: DateTime<Utc>) -> String {
        let envelope = Envelope {
            purpose: purpose.to_string(),
            exp: expires_at.timestamp(),
            data,
        };
        let payload = serde_json::to_vec(&envelope).unwrap_or_default();
        let signed = format!("{}.{}", self.current, URL_SAFE_NO_PAD.encode(&payload));
        // `from_json` checked that the current id has a key.
        let current = self.keys.get(&self.current).map(Vec::as_slice);
        let key = derive_key(current.unwrap_or_default(), purpose);
        let signature = URL_SAFE_NO_PAD.encode(mac(&key, signed.as_bytes()));
        format!("{signed}.{signature}")
    }

    /// The data of a token for `purpose`, if one of the ring's keys signed it and it has
    /// not expired.
    pub fn verify<T: DeserializeOwned>(
        &self,
        purpose: &str,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<T, TokenError> {
        use subtle::ConstantTimeEq;
        if token.len() > 2048 {
            return Err(TokenError::Malformed);
        }
        let (signed, signature) = token.rsplit_once('.').ok_or(TokenError::Malformed)?;
        let (key_id, encoded) = match signed.split_once('.') {
            Some((id, encoded)) => (id, encoded),
            None => (LEGACY_KEY_ID, signed),
        };
        // An unknown key id is a retired key: as unsigned as a wrong signature.
        let secret = self.keys.get(key_id).ok_or(TokenError::BadSignature)?;
        let given = URL_SAFE_NO_PAD
            .decode(signature)
            .map_err(|_| TokenError::Malformed)?;
        let expected = mac(&derive_key(secret, purpose), signed.as_bytes());
        if given.len() != expected.len() || !bool::from(expected.ct_eq(&given)) {
            return Err(TokenError::BadSignature);
        }
        let payload = URL_SAFE_NO_PAD
            .decode(encoded)
            .map_err(|_| TokenError::Malformed)?;
        let envelope: Envelope<T> =
            serde_json::from_slice(&payload).map_err(|_| TokenError::Malformed)?;
        if envelope.purpose != purpose {
            return Err(TokenError::BadSignature);
        }
        if now.timestamp() >= envelope.exp {
            return Err(TokenError::Expired);
        }
        Ok(envelope.data)
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;

    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Data {
        contact_id: String,
    }

    const K1: &str = "first-key-of-thirty-two-bytes-or-more";
    const K2: &str = "second-key-of-thirty-two-bytes-or-more";

    fn ring(current: &str, keys: &[(&str, &str)]) -> Keyring {
        let mut object = serde_json::Map::new();
        object.insert("current".into(), current.into());
        for (id, key) in keys {
            object.insert((*id).into(), (*key).into());
        }
        Keyring::from_json(&serde_json::Value::Object(object).to_string()).unwrap()
    }

    fn data() -> Data {
        Data {
            contact_id: "ct_1".into(),
        }
    }

    #[test]
    fn a_token_should_verify_until_it_expires_and_only_for_its_purpose() {
        let now = Utc::now();
        let keys = ring("k1", &[("k1", K1)]);
        let token = keys.sign("verify", &data(), now + Duration::days(7));
        assert!(token.starts_with("k1."), "{token}");
        assert_eq!(keys.verify::<Data>("verify", &token, now), Ok(data()));
        assert_eq!(
            keys.verify::<Data>("verify", &token, now + Duration::days(8)),
            Err(TokenError::Expired)
        );
        assert_eq!(
            keys.verify::<Data>("unsubscribe", &token, now),
            Err(TokenError::BadSignature)
        );
        let other = ring("k1", &[("k1", K2)]);
        assert_eq!(
            other.verify::<Data>("verify", &token, now),
            Err(TokenError::BadSignature)
        );
    }

    #[test]
    fn a_rotation_should_keep_links_in_flight_and_a_retired_key_end_its_own() {
        let now = Utc::now();
        let before = ring("k1", &[("k1", K1)]);
        let old_link = before.sign("verify", &data(), now + Duration::days(7));
        let rotated = ring("k2", &[("k1", K1), ("k2", K2)]);
        let new_link = rotated.sign("verify", &data(), now + Duration::days(7));
        assert!(new_link.starts_with("k2."), "{new_link}");
        assert_eq!(rotated.verify::<Data>("verify", &old_link, now), Ok(data()));
        assert_eq!(rotated.verify::<Data>("verify", &new_link, now), Ok(data()));
        let retired = ring("k2", &[("k2", K2)]);
        assert_eq!(
            retired.verify::<Data>("verify", &old_link, now),
            Err(TokenError::BadSignature)
        );
        assert_eq!(retired.verify::<Data>("verify", &new_link, now), Ok(data()));
        // A link cannot claim another key id than the one that signed it.
        let relabelled = new_link.replacen("k2.", "k1.", 1);
        assert_eq!(
            rotated.verify::<Data>("verify", &relabelled, now),
            Err(TokenError::BadSignature)
        );
    }

    #[test]
    fn a_link_from_before_key_ids_should_verify_with_the_legacy_key() {
        // The shape every link had before key ids: payload.HMAC(derive(secret, purpose), payload).
        let now = Utc::now();
        let envelope = serde_json::json!({
            "purpose": "verify", "exp": (now + Duration::days(1)).timestamp(),
            "data": {"contact_id": "ct_1"},
        });
        let encoded = URL_SAFE_NO_PAD.encode(envelope.to_string());
        let signature = URL_SAFE_NO_PAD.encode(mac(
            &derive_key(K1.as_bytes(), "verify"),
            encoded.as_bytes(),
        ));
        let legacy = format!("{encoded}.{signature}");
        let migrated = ring("k1", &[(LEGACY_KEY_ID, K1), ("k1", K2)]);
        assert_eq!(migrated.verify::<Data>("verify", &legacy, now), Ok(data()));
        let fresh = ring("k1", &[("k1", K1)]);
        assert_eq!(
            fresh.verify::<Data>("verify", &legacy, now),
            Err(TokenError::BadSignature)
        );
    }

    #[test]
    fn a_tampered_or_garbled_token_should_be_refused() {
        let now = Utc::now();
        let keys = ring("k1", &[("k1", K1)]);
        let token = keys.sign("verify", &data(), now + Duration::days(1));
        let (signed, signature) = token.rsplit_once('.').unwrap();
        let forged_payload = URL_SAFE_NO_PAD
            .encode(br#"{"purpose":"verify","exp":9999999999,"data":{"contact_id":"ct_2"}}"#);
        assert_eq!(
            keys.verify::<Data>("verify", &format!("k1.{forged_payload}.{signature}"), now),
            Err(TokenError::BadSignature)
        );
        for garbled in ["", "abc", "a.b.c", "k1..", &format!("{signed}.!!")] {
            assert!(
                keys.verify::<Data>("verify", garbled, now).is_err(),
                "{garbled}"
            );
        }
    }

    #[test]
    fn a_key_ring_should_be_refused_unless_every_key_is_long_and_current_named() {
        for (text, expected) in [
            ("[]", KeyringError::NotAnObject),
            (
                r#"{"k1":"first-key-of-thirty-two-bytes-or-more"}"#,
                KeyringError::NoCurrent,
            ),
            (
                r#"{"current":"k2","k1":"first-key-of-thirty-two-bytes-or-more"}"#,
                KeyringError::CurrentMissing("k2".into()),
            ),
            (
                r#"{"current":"k1","k1":"short"}"#,
                KeyringError::TooShort("k1".into()),
            ),
            (
                r#"{"current":"k.1","k.1":"first-key-of-thirty-two-bytes-or-more"}"#,
                KeyringError::BadId("k.1".into()),
            ),
        ] {
            assert_eq!(Keyring::from_json(text).err(), Some(expected), "{text}");
        }
        let debug = format!("{:?}", ring("k1", &[("k1", K1)]));
        assert!(!debug.contains(K1), "{debug}");
    }
}
