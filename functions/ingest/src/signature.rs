//! Signature primitives shared by the connectors: HMAC over the exact bytes received, and
//! comparison of decoded signature bytes in constant time.

use base64::Engine;
use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::Sha256;
use shared::contracts::sources::Source;
use shared::Error;
use subtle::ConstantTimeEq;

use crate::request::HookRequest;

pub type HmacSha256 = Hmac<Sha256>;

/// HMAC-SHA256 of the concatenation of `parts` (no copy of the body is made).
pub fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    // HMAC accepts keys of any length; new_from_slice cannot fail for it.
    let mut mac = match HmacSha256::new_from_slice(key) {
        Ok(mac) => mac,
        Err(_) => return [0u8; 32],
    };
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

pub fn hmac_sha1(key: &[u8], body: &[u8]) -> [u8; 20] {
    let mut mac = match Hmac::<Sha1>::new_from_slice(key) {
        Ok(mac) => mac,
        Err(_) => return [0u8; 20],
    };
    mac.update(body);
    mac.finalize().into_bytes().into()
}

/// Constant-time equality of two byte strings (a length mismatch is not secret).
pub fn equal(expected: &[u8], given: &[u8]) -> bool {
    expected.len() == given.len() && bool::from(expected.ct_eq(given))
}

pub fn decode_base64(text: &str) -> Option<Vec<u8>> {
    base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .ok()
}

pub fn decode_hex(text: &str) -> Option<Vec<u8>> {
    hex::decode(text.trim()).ok()
}

/// How a platform writes the MAC in its header.
#[derive(Debug, Clone, Copy)]
pub enum Encoding {
    Base64,
    Hex,
}

#[derive(Debug, Clone, Copy)]
pub enum Algorithm {
    Sha256,
    Sha1,
}

/// The scheme most platforms use: one header holding `{prefix}{encoded HMAC(secret, body)}`,
/// keyed with the secret's bytes as typed. Tried against every secret still valid (a rotation
/// keeps the previous one for its grace period).
pub struct BodyHmac {
    pub header: &'static str,
    pub prefix: &'static str,
    pub encoding: Encoding,
    pub algorithm: Algorithm,
}

impl BodyHmac {
    pub fn verify(&self, req: &HookRequest<'_>, source: &Source) -> Result<(), Error> {
        let unauthorized = |m: String| Error::Unauthorized(m);
        let value = req
            .header(self.header)
            .ok_or_else(|| unauthorized(format!("missing {} header", self.header)))?;
        let encoded = strip_prefix_ignore_case(value.trim(), self.prefix).ok_or_else(|| {
            unauthorized(format!("{} must start with {:?}", self.header, self.prefix))
        })?;
        let given = match self.encoding {
            Encoding::Base64 => decode_base64(encoded),
            Encoding::Hex => decode_hex(encoded),
        }
        .ok_or_else(|| unauthorized(format!("{} is not {:?}", self.header, self.encoding)))?;
        let mut matched = false;
        for secret in source.active_secrets(req.now) {
            let key = secret.as_bytes();
            // No early exit: the time taken does not tell which secret matched.
            matched |= match self.algorithm {
                Algorithm::Sha256 => equal(&hmac_sha256(key, &[req.body]), &given),
                Algorithm::Sha1 => equal(&hmac_sha1(key, req.body), &given),
            };
        }
        if matched {
            Ok(())
        } else {
            Err(unauthorized("signature does not match".to_string()))
        }
    }
}

/// Whether `given` is the HMAC-SHA256 of the concatenated `parts` under one of the source's
/// valid secrets (keyed with its bytes as typed): every secret is tried, no early exit, so
/// the time taken does not tell which matched.
pub fn signed_by_a_secret(
    source: &Source,
    now: chrono::DateTime<chrono::Utc>,
    parts: &[&[u8]],
    given: &[u8],
) -> Result<(), Error> {
    let mut matched = false;
    for secret in source.active_secrets(now) {
        matched |= equal(&hmac_sha256(secret.as_bytes(), parts), given);
    }
    if matched {
        Ok(())
    } else {
        Err(Error::Unauthorized("signature does not match".to_string()))
    }
}

fn strip_prefix_ignore_case<'a>(value: &'a str, prefix: &str) -> Option<&'a str> {
    let head = value.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &value[prefix.len()..])
}

/// Constant-time comparison of a token carried in clear (a verify token, a URL token)
/// against every valid value.
pub fn token_matches<'a>(given: &str, valid: impl IntoIterator<Item = &'a str>) -> bool {
    valid.into_iter().fold(false, |found, v| {
        found | equal(v.as_bytes(), given.as_bytes())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_should_match_rfc4231_case_2() {
        let mac = hmac_sha256(b"Jefe", &[b"what do ya want ", b"for nothing?"]);
        assert_eq!(
            hex::encode(mac),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn hmac_sha1_should_match_rfc2202_case_2() {
        let mac = hmac_sha1(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(hex::encode(mac), "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
    }

    #[test]
    fn equal_should_refuse_different_lengths_and_bytes() {
        assert!(equal(b"abc", b"abc"));
        assert!(!equal(b"abc", b"abd"));
        assert!(!equal(b"abc", b"ab"));
    }

    #[test]
    fn prefixes_should_match_whatever_their_case() {
        assert_eq!(strip_prefix_ignore_case("SHA256=ab", "sha256="), Some("ab"));
        assert_eq!(strip_prefix_ignore_case("sha1=ab", "sha256="), None);
        assert_eq!(strip_prefix_ignore_case("é", "sha256="), None);
    }

    #[test]
    fn tokens_should_match_any_valid_value_only() {
        assert!(token_matches("b", ["a", "b"]));
        assert!(!token_matches("c", ["a", "b"]));
        assert!(!token_matches("", ["a"]));
    }
}
