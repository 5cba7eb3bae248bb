//! `/admin/sources`: register, list, show, delete a webhook source, and rotate its secret.
//! Secrets are returned once, when Liaison generates them, and never again.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{json, Value};
use shared::http::{self, Request, Response};
use shared::ids;
use shared::source::{Platform, SigningSecret, Source, KIND};
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
}

#[derive(Deserialize, Default)]
struct Rotate {
    #[serde(default)]
    secret: Option<String>,
}

const MAX_NAME: usize = 200;
const MAX_SETTINGS_BYTES: usize = 8 * 1024;

pub async fn create(deps: &Deps, req: &Request) -> Result<Response, Error> {
    let body: CreateSource = json_body(req)?;
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
    if serde_json::to_vec(&body.settings)
        .map(|v| v.len())
        .unwrap_or(usize::MAX)
        > MAX_SETTINGS_BYTES
    {
        return Err(Error::validation(
            "settings",
            format!("at most {MAX_SETTINGS_BYTES} bytes"),
        ));
    }
    let (secret, generated) = secret_for(platform, body.secret)?;
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
        version: 0,
        kind: KIND.to_string(),
    };
    deps.sources.create(&source).await?;
    tracing::info!(source_id = %source.id, platform = %platform, "source created");
    let mut out = view(deps, req, &source);
    if generated {
        out["secret"] = Value::String(secret);
    }
    Ok(http::json(201, &out))
}

pub async fn list(deps: &Deps, req: &Request) -> Result<Response, Error> {
    let limit = match http::query_param(req, "limit") {
        None => 50,
        Some(raw) => raw
            .parse::<i32>()
            .ok()
            .filter(|n| (1..=100).contains(n))
            .ok_or_else(|| Error::validation("limit", "must be 1 to 100"))?,
    };
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
        json_body(req)?
    };
    let source = find(deps, id).await?;
    let (secret, generated) = secret_for(source.platform, body.secret)?;
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
    if generated {
        out["secret"] = Value::String(secret);
    }
    Ok(http::json(200, &out))
}

async fn find(deps: &Deps, id: &str) -> Result<Source, Error> {
    deps.sources
        .get(id)
        .await?
        .ok_or_else(|| Error::NotFound("no such source".into()))
}

/// A source as staff see it: no secret values, only when each was created and expires.
fn view(deps: &Deps, req: &Request, source: &Source) -> Value {
    let base = deps
        .public_base_url
        .clone()
        .or_else(|| http::base_url(req))
        .unwrap_or_default();
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
    })
}

/// The signing secret to store: the one given (checked for the platform's format) or a
/// new one; `true` when Liaison generated it (and so must show it once).
fn secret_for(platform: Platform, given: Option<String>) -> Result<(String, bool), Error> {
    match (platform, given) {
        (Platform::StandardWebhooks, None) => Ok((ids::new_whsec()?, true)),
        (Platform::StandardWebhooks, Some(secret)) => {
            let key = secret
                .strip_prefix("whsec_")
                .and_then(|b64| {
                    use base64::Engine;
                    base64::engine::general_purpose::STANDARD.decode(b64).ok()
                })
                .ok_or_else(|| Error::validation("secret", "must be whsec_ followed by base64"))?;
            if !(24..=64).contains(&key.len()) {
                return Err(Error::validation("secret", "must decode to 24 to 64 bytes"));
            }
            Ok((secret, false))
        }
    }
}

fn json_body<T: serde::de::DeserializeOwned>(req: &Request) -> Result<T, Error> {
    shared::json::from_slice(&http::raw_body(req)?, "")
}
