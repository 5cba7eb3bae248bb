//! Standard Webhooks (standardwebhooks.com): the generic signing scheme any platform or a
//! brand's own site can use, carrying Liaison's generic envelope (docs/ingest.md).
//!
//! `webhook-signature` is a space-separated list of `v1,<base64 HMAC-SHA256>` over
//! `{webhook-id}.{webhook-timestamp}.{body}`, keyed with the base64-decoded secret (without
//! `whsec_`). Any matching `v1` entry is enough; other versions are ignored. The timestamp
//! must be within ±5 minutes. `webhook-id` is the deduplication key.

use shared::contracts::sources::Source;
use shared::Error;

use super::Connector;
use crate::request::Limits;
use crate::request::{HookRequest, Parsed};
use crate::signature::{decode_base64, equal, hmac_sha256};
use crate::{envelope, social};

pub struct StandardWebhooks;

/// Accepted clock difference between the sender and us, in seconds.
pub const TOLERANCE_SECONDS: i64 = 300;
const MAX_ID_LEN: usize = 256;

impl Connector for StandardWebhooks {
    fn verify(&self, req: &HookRequest<'_>, source: &Source) -> Result<(), Error> {
        let unauthorized = |m: &str| Error::Unauthorized(m.to_string());
        let id = req
            .header("webhook-id")
            .ok_or_else(|| unauthorized("missing webhook-id header"))?;
        let timestamp = req
            .header("webhook-timestamp")
            .ok_or_else(|| unauthorized("missing webhook-timestamp header"))?;
        let signatures = req
            .header("webhook-signature")
            .ok_or_else(|| unauthorized("missing webhook-signature header"))?;
        let sent_at: i64 = timestamp
            .trim()
            .parse()
            .map_err(|_| unauthorized("webhook-timestamp is not a Unix timestamp"))?;
        if (req.now.timestamp() - sent_at).abs() > TOLERANCE_SECONDS {
            return Err(unauthorized(
                "webhook-timestamp is outside the 5-minute tolerance",
            ));
        }
        let candidates: Vec<Vec<u8>> = signatures
            .split_whitespace()
            .filter_map(|entry| entry.strip_prefix("v1,"))
            .filter_map(decode_base64)
            .collect();
        if candidates.is_empty() {
            return Err(unauthorized("webhook-signature has no v1 signature"));
        }
        for secret in source.active_secrets(req.now) {
            let Some(key) = decode_base64(secret.strip_prefix("whsec_").unwrap_or(secret)) else {
                continue;
            };
            let expected = hmac_sha256(
                &key,
                &[id.as_bytes(), b".", timestamp.as_bytes(), b".", req.body],
            );
            // Check every candidate: no early exit that would time which entry matched.
            let matched = candidates
                .iter()
                .fold(false, |found, given| found | equal(&expected, given));
            if matched {
                return Ok(());
            }
        }
        Err(unauthorized("signature does not match"))
    }

    fn strict(&self) -> bool {
        true
    }

    fn parse(&self, req: &HookRequest<'_>, _source: &Source) -> Result<Parsed, Error> {
        let id = req
            .header("webhook-id")
            .ok_or_else(|| Error::validation("webhook-id", "missing webhook-id header"))?;
        if id.is_empty() || id.len() > MAX_ID_LEN {
            return Err(Error::validation(
                "webhook-id",
                format!("must be 1 to {MAX_ID_LEN} characters"),
            ));
        }
        let (event, report) = envelope::parse_with_report(req.body)?;
        Ok(Parsed {
            report,
            ..Parsed::one(id, event)
        })
    }

    /// A `social.connected` chunk (up to 5,000 connections) may be larger than other
    /// events: up to `Limits::max_social_body_bytes`. Its `type` is only read when the
    /// body is over the ordinary limit.
    fn check_size(&self, req: &HookRequest<'_>, limits: &Limits) -> Result<(), Error> {
        let len = req.body.len();
        if len <= limits.max_body_bytes
            || envelope::type_of(req.body).as_deref() != Some(envelope::SOCIAL_CONNECTED)
        {
            return limits.check_body(len);
        }
        if len <= limits.max_social_body_bytes {
            return Ok(());
        }
        Err(Error::PayloadTooLarge(format!(
            "body is {len} bytes; a social.connected request is limited to {} bytes and {} connections: send the list in chunks (data.chunk.index / data.chunk.count)",
            limits.max_social_body_bytes,
            social::MAX_CONNECTIONS
        )))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use aws_lambda_events::http::{HeaderMap, HeaderValue};
    use aws_lambda_events::query_map::QueryMap;
    use chrono::{DateTime, Duration, TimeZone, Utc};
    use shared::contracts::sources::{Platform, SigningSecret, Source, KIND};

    use super::*;

    const SECRET_1: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const ID_1: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const TS_1: i64 = 1614265330;
    const BODY_1: &str = r#"{"test": 2432232314}"#;
    const SIG_1: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    fn source(secrets: &[&str]) -> Source {
        Source {
            id: "src_test".into(),
            platform: Platform::StandardWebhooks,
            name: "t".into(),
            created_at: Utc::now(),
            secrets: secrets
                .iter()
                .map(|s| SigningSecret {
                    value: s.to_string(),
                    created_at: Utc::now(),
                    expires_at: None,
                })
                .collect(),
            settings: BTreeMap::new(),
            credentials: Default::default(),
            version: 0,
            kind: KIND.into(),
            websub_requested_at: None,
        }
    }

    fn at(ts: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(ts, 0).single().unwrap()
    }

    fn verify(
        secret: &str,
        id: Option<&str>,
        ts: Option<&str>,
        sig: Option<&str>,
        body: &str,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        let mut headers = HeaderMap::new();
        for (name, value) in [
            ("webhook-id", id),
            ("webhook-timestamp", ts),
            ("webhook-signature", sig),
        ] {
            if let Some(v) = value {
                headers.insert(name, HeaderValue::from_str(v).unwrap());
            }
        }
        let query = QueryMap::default();
        let req = HookRequest {
            url: "https://liaison.example/hooks/src_test",
            method: "POST",
            headers: &headers,
            query: &query,
            body: body.as_bytes(),
            now,
        };
        StandardWebhooks.verify(&req, &source(&[secret]))
    }

    fn vector_1(sig: Option<&str>, ts: Option<&str>, now: DateTime<Utc>) -> Result<(), Error> {
        verify(SECRET_1, Some(ID_1), ts, sig, BODY_1, now)
    }

    #[test]
    fn published_vector_1_should_verify() {
        assert!(vector_1(Some(SIG_1), Some(&TS_1.to_string()), at(TS_1)).is_ok());
    }

    #[test]
    fn published_vector_2_should_verify() {
        let result = verify(
            "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD",
            Some("msg_27UH4WbU6Z5A5EzD8u03UvzRbpk"),
            Some("1649367553"),
            Some("v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw="),
            r#"{"email":"test@example.com","username":"test_user"}"#,
            at(1649367553),
        );
        assert!(result.is_ok(), "{result:?}");
    }

    #[test]
    fn when_signature_is_altered_should_reject() {
        let ts = TS_1.to_string();
        let altered = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OA=";
        for sig in [
            altered,
            "v1,",
            "v1,g0hM9SsE+OTPJTGt/tmIK",
            "v1a,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
        ] {
            let err = vector_1(Some(sig), Some(&ts), at(TS_1)).unwrap_err();
            assert_eq!(err.status(), 401, "{sig} must be refused");
        }
    }

    #[test]
    fn when_a_header_is_missing_should_reject() {
        let ts = TS_1.to_string();
        assert_eq!(
            vector_1(None, Some(&ts), at(TS_1)).unwrap_err().status(),
            401
        );
        assert_eq!(
            vector_1(Some(SIG_1), None, at(TS_1)).unwrap_err().status(),
            401
        );
        assert_eq!(
            verify(SECRET_1, None, Some(&ts), Some(SIG_1), BODY_1, at(TS_1))
                .unwrap_err()
                .status(),
            401
        );
    }

    #[test]
    fn when_timestamp_is_not_a_number_should_reject() {
        assert_eq!(
            vector_1(Some(SIG_1), Some("hello"), at(TS_1))
                .unwrap_err()
                .status(),
            401
        );
    }

    #[test]
    fn when_timestamp_is_stale_or_ahead_by_301_seconds_should_reject() {
        let ts = TS_1.to_string();
        assert!(vector_1(Some(SIG_1), Some(&ts), at(TS_1 + 301)).is_err());
        assert!(vector_1(Some(SIG_1), Some(&ts), at(TS_1 - 301)).is_err());
        assert!(vector_1(Some(SIG_1), Some(&ts), at(TS_1 + 300)).is_ok());
        assert!(vector_1(Some(SIG_1), Some(&ts), at(TS_1 - 300)).is_ok());
    }

    #[test]
    fn when_one_of_several_entries_is_valid_should_accept() {
        let header = format!(
            "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= v2,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= {SIG_1}"
        );
        assert!(vector_1(Some(&header), Some(&TS_1.to_string()), at(TS_1)).is_ok());
    }

    #[test]
    fn when_the_body_changes_by_one_byte_should_reject() {
        let ts = TS_1.to_string();
        let result = verify(
            SECRET_1,
            Some(ID_1),
            Some(&ts),
            Some(SIG_1),
            r#"{"test": 2432232315}"#,
            at(TS_1),
        );
        assert!(result.is_err());
    }

    #[test]
    fn a_rotated_secret_should_verify_during_its_grace_only() {
        let now = at(TS_1);
        let old = source(&[SECRET_1]);
        let rotated = Source {
            secrets: old.rotated(
                "whsec_bmV3LXNlY3JldC1uZXctc2VjcmV0".into(),
                now,
                Duration::hours(1),
            ),
            ..old.clone()
        };
        let mut headers = HeaderMap::new();
        headers.insert("webhook-id", HeaderValue::from_static(ID_1));
        headers.insert("webhook-signature", HeaderValue::from_static(SIG_1));
        let query = QueryMap::default();
        let check = |now: DateTime<Utc>| {
            let mut h = headers.clone();
            h.insert(
                "webhook-timestamp",
                HeaderValue::from_str(&now.timestamp().to_string()).unwrap(),
            );
            // Re-sign for this timestamp with the old secret.
            let key = decode_base64(SECRET_1.strip_prefix("whsec_").unwrap()).unwrap();
            let ts = now.timestamp().to_string();
            let mac = hmac_sha256(
                &key,
                &[
                    ID_1.as_bytes(),
                    b".",
                    ts.as_bytes(),
                    b".",
                    BODY_1.as_bytes(),
                ],
            );
            use base64::Engine;
            let sig = format!(
                "v1,{}",
                base64::engine::general_purpose::STANDARD.encode(mac)
            );
            h.insert("webhook-signature", HeaderValue::from_str(&sig).unwrap());
            let req = HookRequest {
                url: "https://liaison.example/hooks/src_test",
                method: "POST",
                headers: &h,
                query: &query,
                body: BODY_1.as_bytes(),
                now,
            };
            StandardWebhooks.verify(&req, &rotated)
        };
        assert!(check(now + Duration::minutes(59)).is_ok());
        assert!(check(now + Duration::minutes(61)).is_err());
    }
}
