//! A small OpenID Connect provider inside the runner, so that the console signs in locally
//! the way it does against Cognito's managed login: the authorization code flow with PKCE
//! (S256 only), a sign-in page where a developer types an address and picks a staff group,
//! RS256 ID tokens signed with the development key, and that key's JWKS.
//!
//! | route | what |
//! | --- | --- |
//! | `GET /oidc/.well-known/openid-configuration` | discovery: the endpoints below |
//! | `GET /oidc/jwks.json` | the development key's public half |
//! | `GET /oidc/authorize` | the sign-in page (after the request is checked) |
//! | `POST /oidc/authorize` | signs in: a one-time code, back to `redirect_uri` |
//! | `POST /oidc/token` | the code and its PKCE verifier for the tokens |
//! | `GET /oidc/logout` | back to `logout_uri` (the console forgets its tokens itself) |
//!
//! Only the console's client (`JwtAudience`) is known, and it may only be sent back to a
//! loopback address (`http://127.0.0.1:…`, `http://localhost:…`): a request naming another
//! client or another place is refused on a page, never redirected. A code lives a minute
//! and is used once. Nothing here is a secret: it is for a laptop, never for AWS.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Json, Router};
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use shared::kit::auth::Group;
use shared::kit::clock::Clock;

use crate::jwt::{self, Keys};

/// How long a code may wait for its exchange.
const CODE_TTL_SECONDS: i64 = 60;
/// How long an ID token lasts (Cognito's default is an hour).
const TOKEN_TTL_SECONDS: i64 = 3600;
/// The groups the sign-in page offers.
const GROUPS: [Group; 4] = [Group::Marketer, Group::Support, Group::Sales, Group::Admin];
/// The sign-in page runs no script and loads nothing; its form goes to this provider only.
const PAGE_POLICY: &str = "default-src 'none'; style-src 'self'; form-action 'self' http://127.0.0.1:* http://localhost:*; frame-ancestors 'none'; base-uri 'none'";

/// The provider: who it is, the one client it knows, the codes waiting to be exchanged.
pub struct Provider {
    pub issuer: String,
    pub client_id: String,
    pub groups_claim: String,
    pub keys: &'static Keys,
    pub clock: Clock,
    codes: Mutex<HashMap<String, Grant>>,
}

/// What a code stands for until it is exchanged.
struct Grant {
    client_id: String,
    redirect_uri: String,
    challenge: String,
    email: String,
    group: Group,
    nonce: Option<String>,
    expires_at: DateTime<Utc>,
}

impl Provider {
    pub fn new(issuer: String, client_id: String, groups_claim: String, clock: Clock) -> Self {
        Provider {
            issuer,
            client_id,
            groups_claim,
            keys: jwt::dev_keys(),
            clock,
            codes: Mutex::new(HashMap::new()),
        }
    }
}

/// The provider's routes, under `/oidc`.
pub fn router(provider: Arc<Provider>) -> Router {
    Router::new()
        .route("/.well-known/openid-configuration", get(discovery))
        .route("/jwks.json", get(jwks))
        .route("/authorize", get(sign_in_page).post(sign_in))
        .route("/token", axum::routing::post(token))
        .route("/logout", get(logout))
        .route("/style.css", get(style))
        .with_state(provider)
}

/// An authorization request, as the console sends it (query on GET, form on POST).
#[derive(Debug, Deserialize, Default)]
pub struct Authorization {
    #[serde(default)]
    response_type: String,
    #[serde(default)]
    client_id: String,
    #[serde(default)]
    redirect_uri: String,
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    nonce: Option<String>,
    #[serde(default)]
    code_challenge: String,
    #[serde(default)]
    code_challenge_method: String,
    #[serde(default)]
    scope: Option<String>,
    /// The sign-in page's fields (POST only).
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    group: Option<String>,
}

impl Provider {
    /// Why `request` is refused, before anything is shown or redirected.
    fn refusal(&self, request: &Authorization) -> Option<&'static str> {
        if request.client_id != self.client_id {
            return Some("unknown client_id");
        }
        if !loopback(&request.redirect_uri) {
            return Some("redirect_uri must be an http address on 127.0.0.1 or localhost");
        }
        if request.response_type != "code" {
            return Some("response_type must be code");
        }
        if request.code_challenge_method != "S256" || !is_challenge(&request.code_challenge) {
            return Some("PKCE is required: code_challenge (43 base64url characters) with code_challenge_method S256");
        }
        if request
            .scope
            .as_deref()
            .is_some_and(|s| !s.split_whitespace().any(|s| s == "openid"))
        {
            return Some("scope must include openid");
        }
        None
    }
}

fn loopback(uri: &str) -> bool {
    url::Url::parse(uri).is_ok_and(|u| {
        u.scheme() == "http"
            && matches!(u.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"))
            && u.username().is_empty()
            && u.fragment().is_none()
    })
}

/// A PKCE S256 challenge: the base64url of a SHA-256, unpadded.
fn is_challenge(challenge: &str) -> bool {
    challenge.len() == 43
        && challenge
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

async fn discovery(State(p): State<Arc<Provider>>) -> Json<serde_json::Value> {
    // The endpoints are this runner's own, relative to where the issuer's paths are served:
    // the issuer is a name (the `JwtIssuer` parameter), the console reads config.json.
    Json(json!({
        "issuer": p.issuer,
        "authorization_endpoint": "/oidc/authorize",
        "token_endpoint": "/oidc/token",
        "jwks_uri": "/oidc/jwks.json",
        "end_session_endpoint": "/oidc/logout",
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code"],
        "code_challenge_methods_supported": ["S256"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["openid", "email", "profile"],
        "token_endpoint_auth_methods_supported": ["none"],
    }))
}

async fn jwks(State(p): State<Arc<Provider>>) -> Json<jsonwebtoken::jwk::JwkSet> {
    Json(p.keys.jwks())
}

async fn style() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        "body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem}\
         fieldset{border:1px solid #ccc;padding:1rem;margin:1rem 0}\
         label{display:block;margin:.4rem 0}input[type=email]{width:100%;padding:.4rem}\
         button{padding:.5rem 1.2rem}.dev{color:#8a5a00}",
    )
        .into_response()
}

/// HTML with every character that could end an attribute or start markup escaped.
fn escape(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '&' => "&amp;".to_string(),
            '<' => "&lt;".to_string(),
            '>' => "&gt;".to_string(),
            '"' => "&quot;".to_string(),
            '\'' => "&#39;".to_string(),
            c => c.to_string(),
        })
        .collect()
}

fn page(status: StatusCode, body: String) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CONTENT_SECURITY_POLICY, PAGE_POLICY),
            (header::CACHE_CONTROL, "no-store"),
            (header::X_FRAME_OPTIONS, "DENY"),
        ],
        format!(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>Sign in to Liaison (development)</title>\
             <link rel=\"stylesheet\" href=\"/oidc/style.css\"></head><body>{body}</body></html>"
        ),
    )
        .into_response()
}

fn refused_page(reason: &str) -> Response {
    page(
        StatusCode::BAD_REQUEST,
        format!(
            "<h1>This sign-in request is refused</h1><p>{}</p>",
            escape(reason)
        ),
    )
}

async fn sign_in_page(
    State(p): State<Arc<Provider>>,
    Query(request): Query<Authorization>,
) -> Response {
    if let Some(reason) = p.refusal(&request) {
        return refused_page(reason);
    }
    let hidden = |name: &str, value: &str| {
        format!(
            "<input type=\"hidden\" name=\"{name}\" value=\"{}\">",
            escape(value)
        )
    };
    let mut fields = [
        ("response_type", request.response_type.as_str()),
        ("client_id", &request.client_id),
        ("redirect_uri", &request.redirect_uri),
        ("code_challenge", &request.code_challenge),
        ("code_challenge_method", &request.code_challenge_method),
    ]
    .iter()
    .map(|(name, value)| hidden(name, value))
    .collect::<String>();
    for (name, value) in [("state", &request.state), ("nonce", &request.nonce)] {
        if let Some(value) = value {
            fields.push_str(&hidden(name, value));
        }
    }
    let groups = GROUPS
        .iter()
        .enumerate()
        .map(|(i, g)| {
            format!(
                "<label><input type=\"radio\" name=\"group\" value=\"{0}\"{1}> {0}</label>",
                g.name(),
                if i == 0 { " checked" } else { "" }
            )
        })
        .collect::<String>();
    page(
        StatusCode::OK,
        format!(
            "<main><h1>Sign in to Liaison</h1>\
             <p class=\"dev\">Development sign-in: no password. In AWS, staff sign in with Cognito's managed login.</p>\
             <form method=\"post\" action=\"/oidc/authorize\">{fields}\
             <label for=\"email\">Email</label>\
             <input id=\"email\" type=\"email\" name=\"email\" value=\"dev@liaison.local\" required autocomplete=\"username\">\
             <fieldset><legend>Group</legend>{groups}</fieldset>\
             <button type=\"submit\">Sign in</button></form></main>"
        ),
    )
}

async fn sign_in(State(p): State<Arc<Provider>>, Form(request): Form<Authorization>) -> Response {
    if let Some(reason) = p.refusal(&request) {
        return refused_page(reason);
    }
    let email = request.email.as_deref().unwrap_or_default().trim();
    if email.is_empty() || email.len() > 254 || !email.contains('@') {
        return refused_page("type an email address");
    }
    let Some(group) = request
        .group
        .as_deref()
        .and_then(|name| GROUPS.into_iter().find(|g| g.name() == name))
    else {
        return refused_page("pick one of the staff groups");
    };
    let Ok(code) = shared::kit::ids::new_id("code") else {
        return refused_page("no randomness for a code");
    };
    let now = p.clock.now();
    let grant = Grant {
        client_id: request.client_id.clone(),
        redirect_uri: request.redirect_uri.clone(),
        challenge: request.code_challenge.clone(),
        email: email.to_string(),
        group,
        nonce: request.nonce.clone(),
        expires_at: now + Duration::seconds(CODE_TTL_SECONDS),
    };
    if let Ok(mut codes) = p.codes.lock() {
        codes.retain(|_, g| g.expires_at > now);
        codes.insert(code.clone(), grant);
    }
    let mut back = match url::Url::parse(&request.redirect_uri) {
        Ok(url) => url,
        Err(_) => return refused_page("redirect_uri is not a URL"),
    };
    back.query_pairs_mut().append_pair("code", &code);
    if let Some(state) = &request.state {
        back.query_pairs_mut().append_pair("state", state);
    }
    (
        StatusCode::SEE_OTHER,
        [
            (header::LOCATION, back.to_string()),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
    )
        .into_response()
}

/// A token request (RFC 6749 §4.1.3 with RFC 7636's verifier).
#[derive(Debug, Deserialize)]
pub struct TokenRequest {
    #[serde(default)]
    grant_type: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    redirect_uri: String,
    #[serde(default)]
    client_id: String,
    #[serde(default)]
    code_verifier: String,
}

/// An OAuth error as RFC 6749 §5.2 words it.
fn oauth_error(error: &str, description: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        [(header::CACHE_CONTROL, "no-store")],
        Json(json!({"error": error, "error_description": description})),
    )
        .into_response()
}

async fn token(State(p): State<Arc<Provider>>, Form(request): Form<TokenRequest>) -> Response {
    if request.grant_type != "authorization_code" {
        return oauth_error(
            "unsupported_grant_type",
            "only authorization_code is offered",
        );
    }
    // Taken out first: a code is good for one exchange, right or wrong.
    let grant = p
        .codes
        .lock()
        .ok()
        .and_then(|mut codes| codes.remove(&request.code));
    let now = p.clock.now();
    let Some(grant) = grant.filter(|g| g.expires_at > now) else {
        return oauth_error("invalid_grant", "unknown, used or expired code");
    };
    if grant.client_id != request.client_id || grant.redirect_uri != request.redirect_uri {
        return oauth_error(
            "invalid_grant",
            "client_id or redirect_uri differ from the authorization request",
        );
    }
    let computed = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(Sha256::digest(request.code_verifier.as_bytes()));
    let verifier_ok = (43..=128).contains(&request.code_verifier.len());
    if !verifier_ok || computed != grant.challenge {
        return oauth_error(
            "invalid_grant",
            "code_verifier does not match the code_challenge",
        );
    }
    let groups = vec![grant.group.name().to_string()];
    let subject = shared::kit::ids::derived("dev", "local-oidc", &grant.email);
    let id_token = jwt::issue(
        p.keys,
        &jwt::TokenRequest {
            subject: &subject,
            email: Some(&grant.email),
            nonce: grant.nonce.as_deref(),
            groups: &groups,
            groups_claim: &p.groups_claim,
            issuer: &p.issuer,
            audience: &p.client_id,
            ttl_seconds: TOKEN_TTL_SECONDS,
            now: now.timestamp(),
        },
    );
    match id_token {
        Ok(id_token) => (
            StatusCode::OK,
            [(header::CACHE_CONTROL, "no-store")],
            Json(json!({
                "id_token": id_token,
                // The staff API's authorizer takes the ID token (it carries the groups), as
                // with Cognito; the access token is the same here.
                "access_token": id_token,
                "token_type": "Bearer",
                "expires_in": TOKEN_TTL_SECONDS,
                "scope": "openid email profile",
            })),
        )
            .into_response(),
        Err(e) => oauth_error("server_error", &e.to_string()),
    }
}

#[derive(Debug, Deserialize)]
pub struct Logout {
    #[serde(default)]
    client_id: String,
    #[serde(default)]
    logout_uri: String,
}

/// Cognito's `/logout` (client id and where to go after): nothing is kept here to forget.
async fn logout(State(p): State<Arc<Provider>>, Query(request): Query<Logout>) -> Response {
    if request.client_id != p.client_id || !loopback(&request.logout_uri) {
        return refused_page("unknown client_id, or a logout_uri that is not on loopback");
    }
    (
        StatusCode::SEE_OTHER,
        [(header::LOCATION, request.logout_uri)],
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_http_addresses_should_be_sent_back_to() {
        assert!(loopback("http://127.0.0.1:3000/console/"));
        assert!(loopback("http://localhost:5173/console/callback"));
        assert!(!loopback("https://evil.example/console/"));
        assert!(!loopback("http://127.0.0.1.evil.example/"));
        assert!(!loopback("http://user@127.0.0.1/"));
        assert!(!loopback("javascript:alert(1)"));
        assert!(!loopback("/console/"));
    }

    #[test]
    fn reflected_values_should_be_escaped() {
        assert_eq!(
            escape("\"><script>x</script>'&"),
            "&quot;&gt;&lt;script&gt;x&lt;/script&gt;&#39;&amp;"
        );
    }

    #[test]
    fn a_challenge_should_be_43_base64url_characters() {
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        let challenge =
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier));
        // RFC 7636 appendix B.
        assert_eq!(challenge, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
        assert!(is_challenge(&challenge));
        assert!(!is_challenge("plain"));
        assert!(!is_challenge(&format!("{}=", &challenge[..42])));
    }
}
