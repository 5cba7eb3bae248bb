//! Staff tokens, locally. On AWS the HTTP API's JWT authorizer verifies the token (issuer,
//! audience, signature from the issuer's JWKS) and hands the claims to the function. Locally
//! the runner does the same with a development key (HS256), and `make token` mints one.
//! The development key is not a secret and must never be trusted outside a laptop.

use std::collections::HashMap;

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde_json::{Map, Value};

/// `LIAISON_DEV_JWT_KEY`, or a fixed development key.
pub fn dev_key() -> Vec<u8> {
    std::env::var("LIAISON_DEV_JWT_KEY")
        .unwrap_or_else(|_| "liaison-local-development-key-never-use-in-aws".to_string())
        .into_bytes()
}

pub struct TokenRequest<'a> {
    pub subject: &'a str,
    pub groups: &'a [String],
    pub groups_claim: &'a str,
    pub issuer: &'a str,
    pub audience: &'a str,
    pub ttl_seconds: i64,
    pub now: i64,
}

pub fn issue(key: &[u8], req: &TokenRequest<'_>) -> Result<String, jsonwebtoken::errors::Error> {
    let mut claims = Map::new();
    claims.insert("sub".into(), req.subject.into());
    claims.insert("iss".into(), req.issuer.into());
    claims.insert("aud".into(), req.audience.into());
    claims.insert("iat".into(), req.now.into());
    claims.insert("exp".into(), (req.now + req.ttl_seconds).into());
    claims.insert("token_use".into(), "id".into());
    claims.insert(
        req.groups_claim.into(),
        Value::Array(req.groups.iter().cloned().map(Value::String).collect()),
    );
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(key),
    )
}

/// A machine client's access token, as Cognito's client-credentials grant issues it: no
/// `aud`, but `client_id` and the granted `scope`s (space-separated).
pub struct SiteTokenRequest<'a> {
    pub client_id: &'a str,
    pub issuer: &'a str,
    pub scope: &'a str,
    pub ttl_seconds: i64,
    pub now: i64,
}

pub fn issue_site(
    key: &[u8],
    req: &SiteTokenRequest<'_>,
) -> Result<String, jsonwebtoken::errors::Error> {
    let mut claims = Map::new();
    claims.insert("sub".into(), req.client_id.into());
    claims.insert("client_id".into(), req.client_id.into());
    claims.insert("iss".into(), req.issuer.into());
    claims.insert("iat".into(), req.now.into());
    claims.insert("exp".into(), (req.now + req.ttl_seconds).into());
    claims.insert("token_use".into(), "access".into());
    claims.insert("scope".into(), req.scope.into());
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(key),
    )
}

/// Verifies `Authorization: Bearer <jwt>` like API Gateway's JWT authorizer and returns the
/// claims as API Gateway hands them to the function (every value a string; arrays as
/// `[a b]`). `None` means API Gateway would answer 401.
pub fn verify(
    key: &[u8],
    authorization: Option<&str>,
    issuer: &str,
    audiences: &[String],
) -> Option<HashMap<String, String>> {
    let token = authorization?
        .strip_prefix("Bearer ")
        .or_else(|| authorization?.strip_prefix("bearer "))?;
    let mut validation = Validation::new(Algorithm::HS256);
    validation.set_issuer(&[issuer]);
    // API Gateway matches `aud`, or `client_id` when the token has no `aud` (access
    // tokens): checked below.
    validation.validate_aud = false;
    validation.set_required_spec_claims(&["exp", "iss"]);
    let data = jsonwebtoken::decode::<Map<String, Value>>(
        token.trim(),
        &DecodingKey::from_secret(key),
        &validation,
    )
    .ok()?;
    let audience_matches = match data.claims.get("aud") {
        Some(Value::String(aud)) => audiences.contains(aud),
        Some(Value::Array(auds)) => auds
            .iter()
            .filter_map(Value::as_str)
            .any(|a| audiences.iter().any(|x| x == a)),
        Some(_) => false,
        None => data
            .claims
            .get("client_id")
            .and_then(Value::as_str)
            .is_some_and(|c| audiences.iter().any(|x| x == c)),
    };
    if !audience_matches {
        return None;
    }
    Some(
        data.claims
            .into_iter()
            .map(|(k, v)| (k, claim_string(&v)))
            .collect(),
    )
}

fn claim_string(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(items) => format!(
            "[{}]",
            items.iter().map(claim_string).collect::<Vec<_>>().join(" ")
        ),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(issuer: &str, audience: &str, ttl: i64) -> String {
        let now = chrono::Utc::now().timestamp();
        issue(
            b"k",
            &TokenRequest {
                subject: "dev",
                groups: &["liaison-admin".to_string(), "liaison-marketer".to_string()],
                groups_claim: "cognito:groups",
                issuer,
                audience,
                ttl_seconds: ttl,
                now,
            },
        )
        .unwrap()
    }

    #[test]
    fn a_valid_token_should_yield_claims_as_api_gateway_flattens_them() {
        let header = format!("Bearer {}", token("iss", "aud", 60));
        let claims = verify(b"k", Some(&header), "iss", &["aud".into()]).unwrap();
        assert_eq!(claims["cognito:groups"], "[liaison-admin liaison-marketer]");
        assert_eq!(claims["sub"], "dev");
    }

    #[test]
    fn wrong_issuer_audience_key_expiry_or_absence_should_be_refused() {
        let good = format!("Bearer {}", token("iss", "aud", 60));
        assert!(verify(b"k", Some(&good), "other", &["aud".into()]).is_none());
        assert!(verify(b"k", Some(&good), "iss", &["other".into()]).is_none());
        assert!(verify(b"other-key", Some(&good), "iss", &["aud".into()]).is_none());
        let expired = format!("Bearer {}", token("iss", "aud", -3600));
        assert!(verify(b"k", Some(&expired), "iss", &["aud".into()]).is_none());
        assert!(verify(b"k", None, "iss", &["aud".into()]).is_none());
        assert!(verify(b"k", Some("Basic abc"), "iss", &["aud".into()]).is_none());
    }

    #[test]
    fn an_access_token_should_match_its_client_id_against_the_audiences() {
        let now = chrono::Utc::now().timestamp();
        let site = issue_site(
            b"k",
            &SiteTokenRequest {
                client_id: "site",
                issuer: "iss",
                scope: "liaison/referrals",
                ttl_seconds: 60,
                now,
            },
        )
        .unwrap();
        let header = format!("Bearer {site}");
        let claims = verify(b"k", Some(&header), "iss", &["site".into()]).unwrap();
        assert_eq!(claims["scope"], "liaison/referrals");
        // The staff authorizer's audience is another client: refused.
        assert!(verify(b"k", Some(&header), "iss", &["staff".into()]).is_none());
    }
}
