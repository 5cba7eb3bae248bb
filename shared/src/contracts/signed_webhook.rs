//! Signing what Liaison sends as Standard Webhooks requests (standardwebhooks.com): the
//! moderation callbacks and the answers delivered to a Standard Webhooks source's reply URL.
//! Receivers verify with the specification's libraries; ingest verifies incoming ones in its
//! `standard_webhooks` connector.

use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::Error;

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

/// `webhook-signature` with one signature per secret, space-separated: while an endpoint's
/// secret is being rotated, a receiver that knows either one verifies the request.
pub fn sign_all<S: AsRef<str>>(
    secrets: &[S],
    id: &str,
    timestamp: i64,
    body: &[u8],
) -> Result<String, Error> {
    let signatures = secrets
        .iter()
        .map(|secret| sign(secret.as_ref(), id, timestamp, body))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(signatures.join(" "))
}

/// A POST of `body` (JSON) to `url` as the Standard Webhooks message `id`, signed with each
/// of `secrets` at `timestamp` (Unix seconds).
#[cfg(feature = "outbound-http")]
pub fn post<S: AsRef<str>>(
    http: &reqwest::Client,
    url: &str,
    secrets: &[S],
    id: &str,
    timestamp: i64,
    body: Vec<u8>,
) -> Result<reqwest::RequestBuilder, Error> {
    let signature = sign_all(secrets, id, timestamp, &body)?;
    Ok(http
        .post(url)
        .header("content-type", "application/json")
        .header("webhook-id", id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signature)
        .body(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The specification's published examples (from its official libraries' tests).
    #[test]
    fn the_published_examples_should_sign_alike() {
        let first = sign(
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            br#"{"test": 2432232314}"#,
        )
        .unwrap();
        assert_eq!(first, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
        let second = sign(
            "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD",
            "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk",
            1649367553,
            br#"{"email":"test@example.com","username":"test_user"}"#,
        )
        .unwrap();
        assert_eq!(second, "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=");
    }

    #[test]
    fn two_secrets_should_give_two_signatures_each_as_one_alone() {
        let (a, b) = (
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD",
        );
        let both = sign_all(&[a, b], "msg_1", 1, b"{}").unwrap();
        let alone = [
            sign(a, "msg_1", 1, b"{}").unwrap(),
            sign(b, "msg_1", 1, b"{}").unwrap(),
        ];
        assert_eq!(both, alone.join(" "));
    }

    #[test]
    fn a_secret_that_is_not_base64_should_be_an_error_not_a_panic() {
        assert!(sign("whsec_not base64!", "msg_1", 1, b"{}").is_err());
    }
}
