//! Signing outgoing Standard Webhooks requests (standardwebhooks.com), as Liaison's own
//! callbacks are sent. Ingest verifies incoming ones in its `standard_webhooks` connector.

use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use shared::Error;

/// `webhook-signature` for `body`: `v1,` and the base64 HMAC-SHA256 of
/// `{id}.{timestamp}.{body}` keyed with the secret after `whsec_`, base64-decoded.
pub fn sign(secret: &str, id: &str, timestamp: i64, body: &[u8]) -> Result<String, Error> {
    let key = base64::engine::general_purpose::STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap_or(secret))
        .map_err(|_| Error::Internal("a signing secret is not whsec_ and base64".into()))?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key)
        .map_err(|_| Error::Internal("a signing secret is empty".into()))?;
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(body);
    Ok(format!(
        "v1,{}",
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The specification's published example.
    #[test]
    fn the_published_example_should_sign_alike() {
        let signature = sign(
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            br#"{"test": 2432232314}"#,
        )
        .unwrap();
        assert_eq!(signature, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }
}
