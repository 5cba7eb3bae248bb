//! `/admin/sources`: register, list, show, delete a webhook source, and rotate its secret.
//! Secrets are returned once, when Liaison generates them, and never again.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{json, Value};
use shared::kit::http::{self, Request, Response};
use shared::kit::ids;

use crate::platforms;
use shared::contracts::moderation::CALLBACK_SECRET_CREDENTIAL;
use shared::contracts::sources::{Platform, SigningSecret, Source, KIND};
use shared::Error;

use crate::Deps;

#[derive(Deserialize)]
struct CreateSource {
    platform: String,
    name: String,
    #[serde(default)]
    secret: Option<String>,
    #[serde(default)]
    settings: BTreeMap<String, Value>,
    #[serde(default)]
    credentials: BTreeMap<String, String>,
}

#[derive(Deserialize, Default)]
struct Rotate {
    #[serde(default)]
    secret: Option<String>,
}

const MAX_NAME: usize = 200;
const MAX_SETTINGS_BYTES: usize = 8 * 1024;

/// Settings are stored inside the source's item: at most [`MAX_SETTINGS_BYTES`] of JSON, and
/// no empty name at any depth (DynamoDB refuses a map with an empty key).
fn check_settings_size(settings: &BTreeMap<String, Value>) -> Result<(), Error> {
    fn has_empty_key(value: &Value) -> bool {
        match value {
            Value::Object(map) => map.iter().any(|(k, v)| k.is_empty() || has_empty_key(v)),
            Value::Array(items) => items.iter().any(has_empty_key),
            _ => false,
        }
    }
    if settings
        .iter()
        .any(|(k, v)| k.is_empty() || has_empty_key(v))
    {
        return Err(Error::validation("settings", "a setting's name is empty"));
    }
    if serde_json::to_vec(settings)
        .map(|v| v.len())
        .unwrap_or(usize::MAX)
        > MAX_SETTINGS_BYTES
    {
        return Err(Error::validation(
            "settings",
            format!("at most {MAX_SETTINGS_BYTES} bytes"),
        ));
    }
    Ok(())
}

pub async fn create(deps: &Deps, req: &Request) -> Result<Response, Error> {
    let body: CreateSource = http::json_body(req)?;
    let platform = Platform::parse(body.platform.trim()).ok_or_else(|| {
        let known: Vec<&str> = Platform::ALL.iter().map(|p| p.as_str()).collect();
        Error::validation(
            "platform",
            format!("unknown platform; expected one of: {}", known.join(", ")),
        )
    })?;
    let name = body.name.trim().to_string();
    if name.is_empty() || name.len() > MAX_NAME {
        return Err(Error::validation(
            "name",
            format!("must be 1 to {MAX_NAME} characters"),
        ));
    }
    check_settings_size(&body.settings)?;
    platforms::check_settings(platform, &body.settings, deps.allow_private_outbound)?;
    let (credentials, generated_credentials) =
        platforms::credentials(platform, body.credentials, &body.settings)?;
    let (secret, generated) = platforms::signing_secret(platform, body.secret)?;
    let now = deps.clock.now();
    let source = Source {
        id: ids::new_id("src")?,
        platform,
        name,
        created_at: now,
        secrets: vec![SigningSecret {
            value: secret.clone(),
            created_at: now,
            expires_at: None,
        }],
        settings: body.settings,
        credentials,
        version: 0,
        kind: KIND.to_string(),
        websub_requested_at: None,
    };
    deps.sources.create(&source).await?;
    tracing::info!(source_id = %source.id, platform = %platform, "source created");
    let mut out = view(deps, req, &source);
    if generated {
        out["secret"] = Value::String(secret.clone());
    }
    if !generated_credentials.is_empty() {
        out["generated_credentials"] = json!(generated_credentials);
    }
    if platform == Platform::Trustpilot {
        // The URL is the secret: shown once, like any generated secret.
        out["webhook_url"] = Value::String(token_url(&out, &secret));
    }
    Ok(http::json(201, &out))
}

pub async fn list(deps: &Deps, req: &Request) -> Result<Response, Error> {
    let limit = crate::listing::page_limit(req)?;
    let (sources, next) = deps
        .sources
        .list(limit, http::query_param(req, "after"))
        .await?;
    let items: Vec<Value> = sources.iter().map(|s| view(deps, req, s)).collect();
    Ok(http::json(200, &json!({ "sources": items, "next": next })))
}

pub async fn get(deps: &Deps, req: &Request, id: &str) -> Result<Response, Error> {
    let source = find(deps, id).await?;
    Ok(http::json(200, &view(deps, req, &source)))
}

pub async fn delete(deps: &Deps, id: &str) -> Result<Response, Error> {
    if !deps.sources.delete(id).await? {
        return Err(Error::NotFound("no such source".into()));
    }
    tracing::info!(source_id = %id, "source deleted");
    Ok(http::empty(204))
}

pub async fn rotate(deps: &Deps, req: &Request, id: &str) -> Result<Response, Error> {
    let body: Rotate = if req.body.as_deref().is_none_or(|b| b.trim().is_empty()) {
        Rotate::default()
    } else {
        http::json_body(req)?
    };
    let source = find(deps, id).await?;
    let (secret, generated) = platforms::signing_secret(source.platform, body.secret)?;
    let now = deps.clock.now();
    let secrets = source.rotated(secret.clone(), now, deps.rotation_grace);
    deps.sources
        .replace_secrets(&source.id, source.version, &secrets)
        .await?;
    tracing::info!(source_id = %source.id, "source secret rotated");
    let previous_valid_until = secrets.get(1).and_then(|s| s.expires_at);
    let mut out = json!({
        "id": source.id,
        "rotated_at": now,
        "previous_secret_valid_until": previous_valid_until,
    });
    if source.platform == Platform::Trustpilot {
        out["webhook_url"] = Value::String(token_url(&view(deps, req, &source), &secret));
    }
    if generated {
        out["secret"] = Value::String(secret);
    }
    Ok(http::json(200, &out))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Access {
    #[serde(default)]
    credentials: BTreeMap<String, String>,
    #[serde(default)]
    settings: BTreeMap<String, Value>,
}

/// `PUT /admin/sources/{id}/credentials`: sets the named credentials (an expired token, a
/// new application password) and settings, keeping the others, the URL and the signing
/// secret: the source stays the same source, with the same dedupe keys. The values are
/// checked as at registration and never returned.
pub async fn update_access(deps: &Deps, req: &Request, id: &str) -> Result<Response, Error> {
    let body: Access = http::json_body(req)?;
    if body.credentials.is_empty() && body.settings.is_empty() {
        return Err(Error::validation(
            "credentials",
            "give the credentials or settings to set",
        ));
    }
    let source = find(deps, id).await?;
    let mut settings = source.settings.clone();
    settings.extend(body.settings);
    // A setting given as null is removed, not kept as null.
    settings.retain(|_, value| !value.is_null());
    check_settings_size(&settings)?;
    platforms::check_settings(source.platform, &settings, deps.allow_private_outbound)?;
    let mut given = source.credentials.0.clone();
    if body.credentials.contains_key("access_token") {
        // A new token's lifetime is not the old one's.
        given.remove(platforms::EXPIRES_AT);
    }
    if !body.credentials.contains_key(CALLBACK_SECRET_CREDENTIAL)
        && !platforms::calls_back(&settings)
    {
        // The callback URLs are gone: the secret that signed what went there goes with them
        // (a secret given in this request without a URL is still refused, by name).
        given.remove(CALLBACK_SECRET_CREDENTIAL);
    }
    given.extend(body.credentials);
    let (credentials, generated) = platforms::credentials(source.platform, given, &settings)?;
    deps.sources
        .replace_access(&source.id, source.version, &credentials, &settings)
        .await?;
    tracing::info!(source_id = %source.id, "source credentials updated");
    let mut out = json!({
        "id": source.id,
        "credentials": credentials.0.keys().collect::<Vec<_>>(),
        "settings": settings,
    });
    if !generated.is_empty() {
        out["generated_credentials"] = json!(generated);
    }
    Ok(http::json(200, &out))
}

/// What a source sent that Liaison accepted without acting on it, newest first, with the
/// raw bodies: so an owner can see why an event "did not arrive".
pub async fn ignored(deps: &Deps, req: &Request, id: &str) -> Result<Response, Error> {
    let limit = crate::listing::page_limit(req)?;
    let source = find(deps, id).await?;
    let records = deps
        .ignored
        .list(&source.id, limit, deps.clock.now())
        .await?;
    let items: Vec<Value> = records
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "received_at": r.received_at,
                "event": r.event,
                "reasons": r.reasons,
                "body": r.body,
                "body_base64": r.body_base64,
            })
        })
        .collect();
    Ok(http::json(200, &json!({ "ignored": items })))
}

/// The deliveries a source received in the last days, newest first, and what ingest
/// answered each ("is my webhook working?"); `?limit=`, `?after=`.
pub async fn received(deps: &Deps, req: &Request, id: &str) -> Result<Response, Error> {
    let source = find(deps, id).await?;
    let query = deps.received.newest_first(&source.id);
    let keys = ["source_id", "id"];
    let (items, next) = crate::listing::page(req, query, &keys, "Query receipts").await?;
    let now = deps.clock.now().timestamp();
    // TTL deletion is lazy: an expired receipt is already gone as far as readers go.
    let items: Vec<Value> = items
        .into_iter()
        .filter(|r| r["ttl"].as_i64().is_none_or(|ttl| ttl > now))
        .map(|mut r| {
            if let Some(fields) = r.as_object_mut() {
                fields.remove("ttl");
                fields.remove("source_id");
            }
            r
        })
        .collect();
    Ok(http::json(200, &json!({ "received": items, "next": next })))
}

async fn find(deps: &Deps, id: &str) -> Result<Source, Error> {
    deps.sources
        .get(id)
        .await?
        .ok_or_else(|| Error::NotFound("no such source".into()))
}

/// A source as staff see it: no secret values, only when each was created and expires.
fn view(deps: &Deps, req: &Request, source: &Source) -> Value {
    let base = http::public_base_url(deps.public_base_url.as_deref(), req);
    let secrets: Vec<Value> = source
        .secrets
        .iter()
        .map(|s| json!({"created_at": s.created_at, "expires_at": s.expires_at}))
        .collect();
    json!({
        "id": source.id,
        "platform": source.platform,
        "name": source.name,
        "created_at": source.created_at,
        "webhook_url": format!("{}/hooks/{}", base.trim_end_matches('/'), source.id),
        "settings": source.settings,
        "secrets": secrets,
        // Names only: values are never shown after creation.
        "credentials": source.credentials.0.keys().collect::<Vec<_>>(),
    })
}

/// A Trustpilot webhook URL: the source's URL with its token.
fn token_url(view: &Value, token: &str) -> String {
    format!(
        "{}?token={token}",
        view["webhook_url"].as_str().unwrap_or_default()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_setting_without_a_name_at_any_depth_should_be_refused_before_dynamodb_sees_it() {
        let settings =
            |json: Value| -> BTreeMap<String, Value> { serde_json::from_value(json).unwrap() };
        let refused = |json: Value| match check_settings_size(&settings(json)) {
            Err(Error::Validation { field, .. }) => field.as_deref() == Some("settings"),
            _ => false,
        };
        assert!(refused(serde_json::json!({"": []})));
        assert!(refused(serde_json::json!({"a": {"b": [{"": 1}]}})));
        assert!(
            check_settings_size(&settings(serde_json::json!({"site_url": "https://x"}))).is_ok()
        );
    }
}
