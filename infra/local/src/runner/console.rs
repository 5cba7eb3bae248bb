//! The console, locally: `console/dist` (what `npm run build` makes) at `/console/`, any
//! other path under it answered with `index.html` (the app routes in the browser), and
//! `/console/config.json` built from the stack's parameters, pointing at the runner's own
//! OpenID Connect provider. Every answer carries the security headers the CloudFront
//! distribution adds in AWS: a Content-Security-Policy without `unsafe-inline`, no framing,
//! no sniffing, no referrer.

use std::path::Path;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

/// The console's policy: its own scripts, styles, images and API calls only. The API and
/// the sign-in pages are on this same origin locally; in AWS the distribution's policy names
/// the API's and Cognito's origins instead.
pub const POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

/// What the console reads at start (`console/README.md`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Config {
    /// Empty: the same origin.
    pub api_base_url: String,
    pub authorize_url: String,
    pub token_url: String,
    pub logout_url: String,
    pub client_id: String,
    pub scope: String,
}

impl Config {
    /// The local stack's: the runner's API and its `/oidc` provider, for `client_id`.
    pub fn local(client_id: String) -> Self {
        Config {
            api_base_url: String::new(),
            authorize_url: "/oidc/authorize".into(),
            token_url: "/oidc/token".into(),
            logout_url: "/oidc/logout".into(),
            client_id,
            scope: "openid email profile".into(),
        }
    }
}

/// The routes under `/console`, serving `dist`.
pub fn router(config: Config, dist: &Path) -> Router {
    let index = dist.join("index.html");
    let router = Router::new().route("/config.json", get(move || async move { Json(config) }));
    let router = if index.is_file() {
        router.fallback_service(ServeDir::new(dist).fallback(ServeFile::new(index)))
    } else {
        router.fallback(|| async {
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "The console is not built: run `make console` (make dev builds it).\n",
            )
                .into_response()
        })
    };
    let set = |name, value: &'static str| {
        SetResponseHeaderLayer::overriding(name, HeaderValue::from_static(value))
    };
    router
        .layer(set(header::CONTENT_SECURITY_POLICY, POLICY))
        .layer(set(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(set(header::X_FRAME_OPTIONS, "DENY"))
        .layer(set(header::REFERRER_POLICY, "no-referrer"))
}
