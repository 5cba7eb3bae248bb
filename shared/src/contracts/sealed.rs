//! The credentials a source holds (application passwords, API keys, OAuth tokens), sealed
//! in `SourcesTable`: a table read, a backup or a point-in-time export shows their names,
//! never their values, and only the functions given the credentials key can use them
//! (admin writes them, answers, ingest and moderation-callbacks read them; identify sees
//! only which exist).
//!
//! Each value is sealed on its own with AES-256-GCM (ring), under a key derived from
//! the stack's `credentials-key` secret (SHA-256 of it), a random 96-bit nonce, and the
//! source id and credential name as associated data: a sealed value copied to another
//! source or name does not open. Stored as `sealed:v1:` and the base64 of nonce, ciphertext
//! and tag. A value without the prefix (stored before sealing existed) is read as it is, and
//! sealed the next time the source's credentials are written.

use base64::Engine;
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use ring::rand::{SecureRandom, SystemRandom};
use sha2::{Digest, Sha256};

use crate::contracts::sources::Credentials;
use crate::Error;

/// What a sealed value starts with.
pub const PREFIX: &str = "sealed:v1:";

/// Seals and opens credential values. Debug never shows the key.
#[derive(Clone)]
pub struct Sealer {
    key: [u8; 32],
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer(…)")
    }
}

/// The associated data of a value: whose it is and what it is.
fn aad(source_id: &str, name: &str) -> Vec<u8> {
    [source_id.as_bytes(), &[0], name.as_bytes()].concat()
}

impl Sealer {
    /// A sealer keyed by `secret` (at least [`crate::contracts::tokens::MIN_KEY_BYTES`]).
    pub fn new(secret: &[u8]) -> Result<Sealer, Error> {
        if secret.len() < crate::contracts::tokens::MIN_KEY_BYTES {
            return Err(Error::Internal(format!(
                "the credentials key must be at least {} bytes of secret",
                crate::contracts::tokens::MIN_KEY_BYTES
            )));
        }
        Ok(Sealer {
            key: Sha256::digest(secret).into(),
        })
    }

    fn key(&self) -> Result<LessSafeKey, Error> {
        UnboundKey::new(&AES_256_GCM, &self.key)
            .map(LessSafeKey::new)
            .map_err(|_| Error::Internal("the credentials key could not be used".into()))
    }

    /// `value` sealed for credential `name` of source `source_id` (a sealed value as it is).
    pub fn seal(&self, source_id: &str, name: &str, value: &str) -> Result<String, Error> {
        if value.starts_with(PREFIX) {
            return Ok(value.to_string());
        }
        let mut nonce = [0u8; NONCE_LEN];
        SystemRandom::new()
            .fill(&mut nonce)
            .map_err(|_| Error::Internal("no randomness to seal a credential".into()))?;
        let mut sealed = value.as_bytes().to_vec();
        self.key()?
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(aad(source_id, name)),
                &mut sealed,
            )
            .map_err(|_| Error::Internal("a credential could not be sealed".into()))?;
        let stored = [nonce.as_slice(), &sealed].concat();
        Ok(format!(
            "{PREFIX}{}",
            base64::engine::general_purpose::STANDARD.encode(stored)
        ))
    }

    /// The value a stored credential holds.
    pub fn open(&self, source_id: &str, name: &str, stored: &str) -> Result<String, Error> {
        let Some(encoded) = stored.strip_prefix(PREFIX) else {
            return Ok(stored.to_string());
        };
        let unreadable = || {
            Error::Internal(format!(
                "credential {name} of source {source_id} does not open with this credentials key"
            ))
        };
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .map_err(|_| unreadable())?;
        if bytes.len() < NONCE_LEN {
            return Err(unreadable());
        }
        let (nonce, sealed) = bytes.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| unreadable())?;
        let mut in_out = sealed.to_vec();
        let plain = self
            .key()?
            .open_in_place(nonce, Aad::from(aad(source_id, name)), &mut in_out)
            .map_err(|_| unreadable())?;
        String::from_utf8(plain.to_vec()).map_err(|_| unreadable())
    }

    /// Every value of `credentials` sealed for source `source_id`.
    pub fn seal_all(
        &self,
        source_id: &str,
        credentials: &Credentials,
    ) -> Result<Credentials, Error> {
        self.map(credentials, |name, value| self.seal(source_id, name, value))
    }

    /// Every value of `credentials` opened.
    pub fn open_all(
        &self,
        source_id: &str,
        credentials: &Credentials,
    ) -> Result<Credentials, Error> {
        self.map(credentials, |name, value| self.open(source_id, name, value))
    }

    fn map(
        &self,
        credentials: &Credentials,
        f: impl Fn(&str, &str) -> Result<String, Error>,
    ) -> Result<Credentials, Error> {
        credentials
            .0
            .iter()
            .map(|(name, value)| Ok((name.clone(), f(name, value)?)))
            .collect::<Result<_, Error>>()
            .map(Credentials)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sealer() -> Sealer {
        Sealer::new(b"a credentials key of thirty-two bytes at least").unwrap()
    }

    #[test]
    fn a_sealed_value_should_open_only_where_it_was_sealed() {
        let s = sealer();
        let sealed = s.seal("src_1", "api_key", "AIzaTOPSECRET").unwrap();
        assert!(sealed.starts_with(PREFIX));
        assert!(!sealed.contains("AIzaTOPSECRET"));
        assert_eq!(
            s.open("src_1", "api_key", &sealed).unwrap(),
            "AIzaTOPSECRET"
        );
        // Another source, another name, another key: it does not open.
        assert!(s.open("src_2", "api_key", &sealed).is_err());
        assert!(s.open("src_1", "access_token", &sealed).is_err());
        let other = Sealer::new(b"another credentials key of thirty-two bytes").unwrap();
        assert!(other.open("src_1", "api_key", &sealed).is_err());
        // Two seals of one value differ (a nonce each), and a sealed value is not sealed twice.
        assert_ne!(s.seal("src_1", "api_key", "AIzaTOPSECRET").unwrap(), sealed);
        assert_eq!(s.seal("src_1", "api_key", &sealed).unwrap(), sealed);
    }

    #[test]
    fn a_tampered_or_truncated_value_should_be_an_error_not_a_panic() {
        let s = sealer();
        let sealed = s.seal("src_1", "k", "v").unwrap();
        let mut tampered = sealed.clone().into_bytes();
        let last = tampered.len() - 2;
        tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
        assert!(s
            .open("src_1", "k", &String::from_utf8(tampered).unwrap())
            .is_err());
        assert!(s.open("src_1", "k", "sealed:v1:AAAA").is_err());
        assert!(s.open("src_1", "k", "sealed:v1:not base64!").is_err());
    }

    #[test]
    fn a_value_stored_before_sealing_should_be_read_as_it_is() {
        assert_eq!(sealer().open("src_1", "k", "plain").unwrap(), "plain");
        assert!(Sealer::new(b"short").is_err());
        assert_eq!(format!("{:?}", sealer()), "Sealer(…)");
    }
}
