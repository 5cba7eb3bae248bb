//! AdminFunction: the staff API under `/admin`, behind API Gateway's JWT authorizer.
//! The function checks the caller's group for each route.

pub mod auth;
pub mod platforms;
pub mod sources;

use chrono::Duration;
use shared::clock::Clock;
use shared::config::{self, Env};
use shared::http::{self, Request, Response};
use shared::ignored::IgnoredStore;
use shared::source::SourceStore;
use shared::Error;

use auth::{Caller, Group};

pub struct Deps {
    pub sources: SourceStore,
    pub ignored: IgnoredStore,
    pub groups_claim: String,
    pub rotation_grace: Duration,
    /// Set when a custom domain fronts the API; else the URL the request came in on.
    pub public_base_url: Option<String>,
    pub clock: Clock,
}

impl Deps {
    pub async fn from_env(env: &dyn Env, clock: Clock) -> Result<Self, Error> {
        let table = config::required(env, "SOURCES_TABLE")?;
        let ignored_table = config::required(env, "IGNORED_TABLE")?;
        let grace_seconds: i64 = config::parsed_or(env, "ROTATION_GRACE_SECONDS", 3600)?;
        let sdk = shared::aws::sdk_config(env).await;
        let dynamodb = shared::aws::dynamodb(&sdk, env);
        Ok(Deps {
            sources: SourceStore::new(dynamodb.clone(), table),
            ignored: IgnoredStore::new(dynamodb, ignored_table),
            groups_claim: env
                .var("JWT_GROUPS_CLAIM")
                .unwrap_or_else(|| "cognito:groups".into()),
            rotation_grace: Duration::seconds(grace_seconds),
            public_base_url: env.var("PUBLIC_BASE_URL"),
            clock,
        })
    }
}

pub async fn handle(deps: &Deps, req: Request) -> Response {
    match route(deps, &req).await {
        Ok(response) => response,
        Err(err) => {
            if err.status() >= 500 {
                tracing::error!(error = %err, status = err.status(), "admin request failed");
            } else {
                tracing::info!(
                    code = err.code(),
                    status = err.status(),
                    "admin request refused"
                );
            }
            http::error(&err)
        }
    }
}

async fn route(deps: &Deps, req: &Request) -> Result<Response, Error> {
    let caller = Caller::from_request(req, &deps.groups_claim)?;
    let route_key = req.route_key.clone().unwrap_or_default();
    let id = http::path_param(req, "id").unwrap_or_default().to_string();
    match route_key.as_str() {
        "GET /admin/sources" => {
            caller.require(&[Group::Admin])?;
            sources::list(deps, req).await
        }
        "POST /admin/sources" => {
            caller.require(&[Group::Admin])?;
            sources::create(deps, req).await
        }
        "GET /admin/sources/{id}" => {
            caller.require(&[Group::Admin])?;
            sources::get(deps, req, &id).await
        }
        "DELETE /admin/sources/{id}" => {
            caller.require(&[Group::Admin])?;
            sources::delete(deps, &id).await
        }
        "POST /admin/sources/{id}/rotate" => {
            caller.require(&[Group::Admin])?;
            sources::rotate(deps, req, &id).await
        }
        "GET /admin/sources/{id}/ignored" => {
            caller.require(&[Group::Admin])?;
            sources::ignored(deps, req, &id).await
        }
        _ => Err(Error::NotFound(format!("no admin route {route_key}"))),
    }
}
