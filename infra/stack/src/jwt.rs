//! Staff tokens, locally. On AWS the HTTP API's JWT authorizer verifies the token (issuer,
//! audience, RS256 signature from the issuer's JWKS) and hands the claims to the function.
//! Locally the runner does the same with a development RSA key, whose public half its OIDC
//! provider serves as a JWKS; `make token` and the sign-in page mint tokens with it. The
//! development key is committed, not a secret, and must never be trusted outside a laptop.

use std::collections::HashMap;
use std::sync::OnceLock;

use jsonwebtoken::jwk::{Jwk, JwkSet};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde_json::{Map, Value};

/// The development signing key (RSA 2048, PKCS#8).
const DEV_KEY_PEM: &str = include_str!("../dev-oidc-key.pem");
/// Its `kid`, in each token's header and in the JWKS.
pub const DEV_KEY_ID: &str = "liaison-local-1";

/// A signing key and what verifies it.
pub struct Keys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    jwk: Jwk,
}

impl Keys {
    /// The public keys, as an issuer's `jwks_uri` serves them.
    pub fn jwks(&self) -> JwkSet {
        JwkSet {
            keys: vec![self.jwk.clone()],
        }
    }

    fn header(&self) -> Header {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(DEV_KEY_ID.into());
        header
    }
}

/// The development keys, read once from the committed PEM.
pub fn dev_keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let encoding = EncodingKey::from_rsa_pem(DEV_KEY_PEM.as_bytes())
            .expect("the committed development key is an RSA PEM");
        let mut jwk = Jwk::from_encoding_key(&encoding, Algorithm::RS256)
            .expect("an RSA key has a public JWK");
        jwk.common.key_id = Some(DEV_KEY_ID.into());
        let decoding = DecodingKey::from_jwk(&jwk).expect("a public JWK verifies");
        Keys {
            encoding,
            decoding,
            jwk,
        }
    })
}

pub struct TokenRequest<'a> {
    pub subject: &'a str,
    /// The signed-in person's address (the sign-in page's), when there is one.
    pub email: Option<&'a str>,
    /// The client's `nonce` from its authorization request, echoed in the ID token.
    pub nonce: Option<&'a str>,
    pub groups: &'a [String],
    pub groups_claim: &'a str,
    pub issuer: &'a str,
    pub audience: &'a str,
    pub ttl_seconds: i64,
    pub now: i64,
}

pub fn issue(keys: &Keys, req: &TokenRequest<'_>) -> Result<String, jsonwebtoken::errors::Error> {
    let mut claims = Map::new();
    for (name, value) in [("email", req.email), ("nonce", req.nonce)] {
        if let Some(value) = value {
            claims.insert(name.into(), value.into());
        }
    }
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
    jsonwebtoken::encode(&keys.header(), &claims, &keys.encoding)
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
    keys: &Keys,
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
    jsonwebtoken::encode(&keys.header(), &claims, &keys.encoding)
}

/// Verifies `Authorization: Bearer <jwt>` like API Gateway's JWT authorizer and returns the
/// claims as API Gateway hands them to the function (every value a string; arrays as
/// `[a b]`). `None` means API Gateway would answer 401.
pub fn verify(
    keys: &Keys,
    authorization: Option<&str>,
    issuer: &str,
    audiences: &[String],
) -> Option<HashMap<String, String>> {
    let token = authorization?
        .strip_prefix("Bearer ")
        .or_else(|| authorization?.strip_prefix("bearer "))?;
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_issuer(&[issuer]);
    // API Gateway matches `aud`, or `client_id` when the token has no `aud` (access
    // tokens): checked below.
    validation.validate_aud = false;
    validation.set_required_spec_claims(&["exp", "iss"]);
    let data =
        jsonwebtoken::decode::<Map<String, Value>>(token.trim(), &keys.decoding, &validation)
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
            dev_keys(),
            &TokenRequest {
                subject: "dev",
                email: None,
                nonce: None,
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
        let claims = verify(dev_keys(), Some(&header), "iss", &["aud".into()]).unwrap();
        assert_eq!(claims["cognito:groups"], "[liaison-admin liaison-marketer]");
        assert_eq!(claims["sub"], "dev");
    }

    #[test]
    fn wrong_issuer_audience_key_expiry_or_absence_should_be_refused() {
        let good = format!("Bearer {}", token("iss", "aud", 60));
        assert!(verify(dev_keys(), Some(&good), "other", &["aud".into()]).is_none());
        assert!(verify(dev_keys(), Some(&good), "iss", &["other".into()]).is_none());
        let (header, _) = good.rsplit_once('.').unwrap();
        let forged = format!("{header}.c2lnbmF0dXJl");
        assert!(verify(dev_keys(), Some(&forged), "iss", &["aud".into()]).is_none());
        let hs256 = jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &serde_json::json!({"iss": "iss", "aud": "aud", "exp": 9_999_999_999_i64}),
            &EncodingKey::from_secret(b"k"),
        )
        .unwrap();
        let hs256 = format!("Bearer {hs256}");
        assert!(verify(dev_keys(), Some(&hs256), "iss", &["aud".into()]).is_none());
        let expired = format!("Bearer {}", token("iss", "aud", -3600));
        assert!(verify(dev_keys(), Some(&expired), "iss", &["aud".into()]).is_none());
        assert!(verify(dev_keys(), None, "iss", &["aud".into()]).is_none());
        assert!(verify(dev_keys(), Some("Basic abc"), "iss", &["aud".into()]).is_none());
    }

    #[test]
    fn an_access_token_should_match_its_client_id_against_the_audiences() {
        let now = chrono::Utc::now().timestamp();
        let site = issue_site(
            dev_keys(),
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
        let claims = verify(dev_keys(), Some(&header), "iss", &["site".into()]).unwrap();
        assert_eq!(claims["scope"], "liaison/referrals");
        // The staff authorizer's audience is another client: refused.
        assert!(verify(dev_keys(), Some(&header), "iss", &["staff".into()]).is_none());
    }
}
