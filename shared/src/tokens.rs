//! Signed, expiring tokens for links in emails (`/t/verify/{token}` now; unsubscribe and
//! click links later): `base64url(payload JSON).base64url(HMAC-SHA256(key, payload))`.
//! The payload is readable (it holds ids, never an email); it cannot be forged or extended,
//! and the signature is checked in constant time before the payload is even parsed.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde::de::DeserializeOwned;
use serde::Serialize;
use sha2::Sha256;

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
pub fn derive_key(secret: &[u8], purpose: &str) -> Vec<u8> {
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

pub fn sign<T: Serialize>(
    key: &[u8],
    purpose: &str,
    data: &T,
    expires_at: DateTime<Utc>,
) -> String {
    let envelope = Envelope {
        purpose: purpose.to_string(),
        exp: expires_at.timestamp(),
        data,
    };
    let payload = serde_json::to_vec(&envelope).unwrap_or_default();
    let encoded = URL_SAFE_NO_PAD.encode(&payload);
    let signature = URL_SAFE_NO_PAD.encode(mac(key, encoded.as_bytes()));
    format!("{encoded}.{signature}")
}

pub fn verify<T: DeserializeOwned>(
    key: &[u8],
    purpose: &str,
    token: &str,
    now: DateTime<Utc>,
) -> Result<T, TokenError> {
    use subtle::ConstantTimeEq;
    if token.len() > 2048 {
        return Err(TokenError::Malformed);
    }
    let (encoded, signature) = token.split_once('.').ok_or(TokenError::Malformed)?;
    let given = URL_SAFE_NO_PAD
        .decode(signature)
        .map_err(|_| TokenError::Malformed)?;
    let expected = mac(key, encoded.as_bytes());
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

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;

    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Data {
        contact_id: String,
    }

    #[test]
    fn a_token_should_verify_until_it_expires_and_only_for_its_purpose() {
        let now = Utc::now();
        let data = Data {
            contact_id: "ct_1".into(),
        };
        let token = sign(b"key", "verify", &data, now + Duration::days(7));
        assert_eq!(verify::<Data>(b"key", "verify", &token, now), Ok(data));
        assert_eq!(
            verify::<Data>(b"key", "verify", &token, now + Duration::days(8)),
            Err(TokenError::Expired)
        );
        assert_eq!(
            verify::<Data>(b"key", "unsubscribe", &token, now),
            Err(TokenError::BadSignature)
        );
        assert_eq!(
            verify::<Data>(b"other", "verify", &token, now),
            Err(TokenError::BadSignature)
        );
    }

    #[test]
    fn a_tampered_or_garbled_token_should_be_refused() {
        let now = Utc::now();
        let token = sign(
            b"key",
            "verify",
            &Data {
                contact_id: "ct_1".into(),
            },
            now + Duration::days(1),
        );
        let (payload, signature) = token.split_once('.').unwrap();
        let forged_payload = URL_SAFE_NO_PAD
            .encode(br#"{"purpose":"verify","exp":9999999999,"data":{"contact_id":"ct_2"}}"#);
        assert_eq!(
            verify::<Data>(
                b"key",
                "verify",
                &format!("{forged_payload}.{signature}"),
                now
            ),
            Err(TokenError::BadSignature)
        );
        for garbled in ["", "abc", "a.b.c", &format!("{payload}.!!")] {
            assert!(
                verify::<Data>(b"key", "verify", garbled, now).is_err(),
                "{garbled}"
            );
        }
    }
}
