//! The local runner: serves every function template.yaml declares, as AWS would call it.
//! - HTTP routes as API Gateway HTTP API v2 events (JWT routes verified with the dev key);
//! - SQS event sources polled with the template's batch size and partial-failure semantics;
//! - schedules fired per their expressions, and on demand (`POST /_local/schedules/{id}`);
//! - `GET /health`, `GET /_local/served` (what is served), `POST /_local/clock`;
//! - a development OpenID Connect provider under `/oidc` ([`oidc`]), which the console
//!   signs in with as it does with Cognito in AWS, and the console itself under `/console/`
//!   ([`console`]).

pub mod console;
mod events;
pub mod oidc;
mod routes;
pub mod schedule;
pub mod throttle;

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration as StdDuration;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use serde_json::{json, Value};
use shared::kit::clock::Clock;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::provision::Provisioned;
use crate::registry::{Invoke, Registry};
use crate::resolve::Resolver;
use crate::template::Template;
use routes::CompiledRoute;
use schedule::Schedule;

#[derive(Debug, thiserror::Error)]
pub enum RunnerError {
    #[error("function {function}: template.yaml names binary `{binary}`, which the runner has no code for")]
    UnknownBinary { function: String, binary: String },
    #[error("function {function}: {message}")]
    Function { function: String, message: String },
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: String,
        source: std::io::Error,
    },
}

pub struct RunnerConfig {
    pub template: Template,
    pub parameters: BTreeMap<String, String>,
    pub provisioned: Provisioned,
    /// AWS_REGION, credentials and endpoints every function gets.
    pub base_env: HashMap<String, String>,
    pub registry: Registry,
    pub clock: Clock,
    pub addr: SocketAddr,
    /// What signs and verifies tokens locally (the development RSA key).
    pub jwt_keys: &'static crate::jwt::Keys,
    /// The IAM gateway every function's calls go through.
    pub iam: crate::iam::Gateway,
}

struct LocalFunction {
    logical_id: String,
    invoke: Invoke,
    timeout: StdDuration,
}

struct Authorizer {
    issuer: String,
    audiences: Vec<String>,
}

struct ScheduleEntry {
    function: String,
    event_name: String,
    expression: String,
    schedule: Schedule,
    enabled: bool,
}

struct PollerEntry {
    function: String,
    event_name: String,
    queue: String,
    batch_size: u32,
}

struct RunnerState {
    functions: BTreeMap<String, Arc<LocalFunction>>,
    throttle: throttle::Throttle,
    routes: Vec<CompiledRoute>,
    authorizers: BTreeMap<String, Authorizer>,
    schedules: Vec<ScheduleEntry>,
    pollers: Vec<PollerEntry>,
    clock: Clock,
    jwt_keys: &'static crate::jwt::Keys,
    provisioned: Provisioned,
}

/// A running local system. Dropping it (or [`RunningSystem::stop`]) stops the server, the
/// pollers and the schedules.
pub struct RunningSystem {
    pub addr: SocketAddr,
    pub clock: Clock,
    /// The IAM gateway the functions reach AWS through: it runs as long as this does.
    _iam: crate::iam::Gateway,
    shutdown: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
    state: Arc<RunnerState>,
}

impl RunningSystem {
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// What is served, as `GET /_local/served` reports it.
    pub fn served(&self) -> Value {
        served(&self.state)
    }

    pub async fn stop(mut self) {
        let _ = self.shutdown.send(true);
        for task in self.tasks.drain(..) {
            let _ = task.await;
        }
    }
}

impl Drop for RunningSystem {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
        for task in &self.tasks {
            task.abort();
        }
    }
}

pub async fn start(config: RunnerConfig) -> Result<RunningSystem, RunnerError> {
    let resolver = Resolver {
        template: &config.template,
        parameters: &config.parameters,
        provisioned: &config.provisioned,
    };

    let mut functions = BTreeMap::new();
    let mut routes = Vec::new();
    let mut schedules = Vec::new();
    let mut pollers = Vec::new();
    for def in &config.template.functions {
        let factory =
            config
                .registry
                .get(&def.binary)
                .ok_or_else(|| RunnerError::UnknownBinary {
                    function: def.logical_id.clone(),
                    binary: def.binary.clone(),
                })?;
        let env = crate::function_env(def, &resolver, &config.base_env, &config.iam).map_err(
            |message| RunnerError::Function {
                function: def.logical_id.clone(),
                message,
            },
        )?;
        let invoke = factory(env, config.clock.clone())
            .await
            .map_err(|message| RunnerError::Function {
                function: def.logical_id.clone(),
                message,
            })?;
        functions.insert(
            def.logical_id.clone(),
            Arc::new(LocalFunction {
                logical_id: def.logical_id.clone(),
                invoke,
                timeout: StdDuration::from_secs(def.timeout_seconds.max(1)),
            }),
        );
        for route in &def.http_routes {
            routes.push(
                CompiledRoute::new(
                    &route.method,
                    &route.path,
                    &def.logical_id,
                    route.authorizer.clone(),
                )
                .with_scopes(route.scopes.clone()),
            );
        }
        for s in &def.schedules {
            let schedule =
                Schedule::parse(&s.expression).map_err(|message| RunnerError::Function {
                    function: def.logical_id.clone(),
                    message,
                })?;
            schedules.push(ScheduleEntry {
                function: def.logical_id.clone(),
                event_name: s.event_name.clone(),
                expression: s.expression.clone(),
                schedule,
                enabled: s.enabled,
            });
        }
        for source in &def.sqs_sources {
            pollers.push(PollerEntry {
                function: def.logical_id.clone(),
                event_name: source.event_name.clone(),
                queue: source.queue_logical_id.clone(),
                batch_size: source.batch_size,
            });
        }
    }
    let mut authorizers = BTreeMap::new();
    for (name, def) in &config.template.authorizers {
        let issuer = resolver
            .resolve(&def.issuer)
            .map_err(|e| RunnerError::Function {
                function: format!("authorizer {name}"),
                message: e.to_string(),
            })?;
        let audiences = def
            .audience
            .iter()
            .map(|a| resolver.resolve(a))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| RunnerError::Function {
                function: format!("authorizer {name}"),
                message: e.to_string(),
            })?;
        authorizers.insert(name.clone(), Authorizer { issuer, audiences });
    }

    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .map_err(|source| RunnerError::Bind {
            addr: config.addr.to_string(),
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| RunnerError::Bind {
        addr: config.addr.to_string(),
        source,
    })?;

    let limits = |(burst, rate): &(Value, Value)| -> Result<throttle::Limits, RunnerError> {
        let number = |v: &Value| {
            resolver
                .resolve(v)
                .ok()
                .and_then(|n| n.parse::<f64>().ok())
                .ok_or_else(|| RunnerError::Function {
                    function: "HttpApi".into(),
                    message: format!("throttling limit {v} is not a number"),
                })
        };
        Ok((number(burst)?, number(rate)?))
    };
    let specific = config
        .template
        .throttling
        .routes
        .iter()
        .map(|(key, l)| Ok((key.clone(), limits(l)?)))
        .collect::<Result<BTreeMap<_, _>, RunnerError>>()?;
    let default = config
        .template
        .throttling
        .default
        .as_ref()
        .map(limits)
        .transpose()?;
    let throttle = throttle::Throttle::new(
        routes.iter().map(CompiledRoute::route_key),
        &specific,
        default,
    );
    let state = Arc::new(RunnerState {
        functions,
        throttle,
        routes,
        authorizers,
        schedules,
        pollers,
        clock: config.clock.clone(),
        jwt_keys: config.jwt_keys,
        provisioned: config.provisioned.clone(),
    });
    let (shutdown, shutdown_rx) = watch::channel(false);
    let mut tasks = Vec::new();

    let parameter = |name: &str, default: &str| {
        config
            .parameters
            .get(name)
            .cloned()
            .unwrap_or_else(|| default.to_string())
    };
    let provider = oidc::Provider::new(
        parameter("JwtIssuer", "https://liaison.local/dev-issuer"),
        parameter("JwtAudience", "liaison-local"),
        parameter("JwtGroupsClaim", "cognito:groups"),
        config.clock.clone(),
    );
    let console = console::router(
        console::Config::local(parameter("JwtAudience", "liaison-local")),
        &crate::stack::repo_root().join("console/dist"),
    );
    let app = Router::new()
        .nest_service("/oidc", oidc::router(Arc::new(provider)))
        .nest_service("/console", console)
        .route("/health", get(health))
        .route("/_local/served", get(served_handler))
        .route("/_local/schedules/{id}", post(fire_schedule))
        .route("/_local/clock", post(move_clock).get(read_clock))
        .fallback(proxy)
        .layer(axum::extract::DefaultBodyLimit::max(10 * 1024 * 1024))
        .with_state(state.clone());
    let mut server_shutdown = shutdown_rx.clone();
    tasks.push(tokio::spawn(async move {
        let server = axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            let _ = server_shutdown.changed().await;
        });
        if let Err(e) = server.await {
            tracing::error!(error = %e, "local HTTP server stopped");
        }
    }));

    let sqs = shared::kit::aws::sqs(
        &shared::kit::aws::sdk_config(&config.base_env).await,
        &config.base_env,
    );
    for poller in &state.pollers {
        let queue = config.provisioned.queues.get(&poller.queue).cloned();
        let function = state.functions.get(&poller.function).cloned();
        let (Some(queue), Some(function)) = (queue, function) else {
            continue;
        };
        let report = config
            .template
            .functions
            .iter()
            .find(|f| f.logical_id == poller.function)
            .and_then(|f| {
                f.sqs_sources
                    .iter()
                    .find(|s| s.event_name == poller.event_name)
            })
            .map(|s| {
                (
                    s.report_batch_item_failures,
                    s.batch_size,
                    s.max_concurrency,
                )
            })
            .unwrap_or((false, 10, 1));
        let (report_failures, batch_size, pollers) = report;
        // As many pollers as Lambda would run batches at once (ScalingConfig).
        for _ in 0..pollers {
            tasks.push(tokio::spawn(poll_queue(
                sqs.clone(),
                queue.clone(),
                function.clone(),
                report_failures,
                batch_size,
                config.provisioned.region.clone(),
                shutdown_rx.clone(),
            )));
        }
    }
    tasks.push(tokio::spawn(run_schedules(
        state.clone(),
        shutdown_rx.clone(),
    )));

    Ok(RunningSystem {
        addr,
        _iam: config.iam.clone(),
        clock: config.clock,
        shutdown,
        tasks,
        state,
    })
}

fn served(state: &RunnerState) -> Value {
    let routes: Vec<Value> = state
        .routes
        .iter()
        .map(
            |r| json!({"route": r.route_key(), "function": r.function, "authorizer": r.authorizer}),
        )
        .collect();
    let queues: Vec<Value> = state
        .pollers
        .iter()
        .map(|p| json!({"queue": p.queue, "function": p.function, "event": p.event_name, "batch_size": p.batch_size}))
        .collect();
    let schedules: Vec<Value> = state
        .schedules
        .iter()
        .map(|s| json!({"function": s.function, "event": s.event_name, "expression": s.expression, "enabled": s.enabled}))
        .collect();
    json!({
        "functions": state.functions.keys().collect::<Vec<_>>(),
        "routes": routes,
        "queues": queues,
        "schedules": schedules,
    })
}

async fn health(State(state): State<Arc<RunnerState>>) -> Json<Value> {
    Json(json!({"status": "ok", "functions": state.functions.len(), "now": state.clock.now()}))
}

async fn served_handler(State(state): State<Arc<RunnerState>>) -> Json<Value> {
    Json(served(&state))
}

async fn read_clock(State(state): State<Arc<RunnerState>>) -> Json<Value> {
    Json(json!({"now": state.clock.now()}))
}

async fn move_clock(State(state): State<Arc<RunnerState>>, body: Bytes) -> Response {
    let seconds = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|v| v.get("advance_seconds").and_then(Value::as_i64))
        .filter(|s| *s >= 0);
    match seconds {
        Some(s) => {
            state.clock.advance(chrono::Duration::seconds(s));
            Json(json!({"now": state.clock.now()})).into_response()
        }
        None => local_error(
            StatusCode::BAD_REQUEST,
            "body must be {\"advance_seconds\": <non-negative integer>}",
        ),
    }
}

async fn fire_schedule(State(state): State<Arc<RunnerState>>, Path(id): Path<String>) -> Response {
    let matching: Vec<&ScheduleEntry> = state
        .schedules
        .iter()
        .filter(|s| {
            s.function == id
                || s.event_name == id
                || format!("{}.{}", s.function, s.event_name) == id
        })
        .collect();
    if matching.is_empty() {
        return local_error(
            StatusCode::NOT_FOUND,
            &format!("no schedule for {id} in template.yaml"),
        );
    }
    let mut results = Vec::new();
    for entry in matching {
        let outcome = invoke_schedule(&state, entry).await;
        results.push(
            json!({"function": entry.function, "event": entry.event_name, "result": outcome}),
        );
    }
    (StatusCode::OK, Json(json!({ "fired": results }))).into_response()
}

async fn invoke_schedule(state: &RunnerState, entry: &ScheduleEntry) -> Value {
    let Some(function) = state.functions.get(&entry.function) else {
        return json!({"error": "function not served"});
    };
    let p = &state.provisioned;
    let rule_arn = format!(
        "arn:aws:events:{}:{}:rule/{}-{}",
        p.region, p.account_id, entry.function, entry.event_name
    );
    let id = shared::kit::ids::new_id("evt").unwrap_or_default();
    let event =
        events::scheduled_event(&rule_arn, &p.account_id, &p.region, &id, state.clock.now());
    match invoke(function, event).await {
        Ok(v) => v,
        Err(e) => json!({"error": e}),
    }
}

async fn run_schedules(state: Arc<RunnerState>, mut shutdown: watch::Receiver<bool>) {
    let mut next: Vec<Option<chrono::DateTime<chrono::Utc>>> = state
        .schedules
        .iter()
        .map(|s| s.schedule.next_after(state.clock.now()))
        .collect();
    loop {
        tokio::select! {
            _ = shutdown.changed() => return,
            _ = tokio::time::sleep(StdDuration::from_millis(250)) => {}
        }
        let now = state.clock.now();
        for (i, entry) in state.schedules.iter().enumerate() {
            if !entry.enabled || next[i].is_none_or(|due| now < due) {
                continue;
            }
            // Like EventBridge, a schedule that was due several times while the clock jumped
            // fires once, then resumes from now.
            let outcome = invoke_schedule(&state, entry).await;
            tracing::info!(function = %entry.function, schedule = %entry.event_name, result = %outcome, "schedule fired");
            next[i] = entry.schedule.next_after(now);
        }
    }
}

async fn invoke(function: &LocalFunction, event: Value) -> Result<Value, String> {
    match tokio::time::timeout(function.timeout, (function.invoke)(event)).await {
        Ok(result) => result,
        Err(_) => Err(format!(
            "{} timed out after {:?}",
            function.logical_id, function.timeout
        )),
    }
}

/// Every other request: route it like API Gateway would.
async fn proxy(
    State(state): State<Arc<RunnerState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some((route, params)) = routes::find(&state.routes, method.as_str(), uri.path()) else {
        return gateway_message(StatusCode::NOT_FOUND, "Not Found");
    };
    // The stage's throttling comes first, before the authorizer: as API Gateway does.
    if !state.throttle.allow(&route.route_key()) {
        return gateway_message(StatusCode::TOO_MANY_REQUESTS, "Too Many Requests");
    }
    let claims = match &route.authorizer {
        None => None,
        Some(name) => {
            let Some(auth) = state.authorizers.get(name) else {
                return gateway_message(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error");
            };
            let header = headers.get("authorization").and_then(|v| v.to_str().ok());
            match crate::jwt::verify(state.jwt_keys, header, &auth.issuer, &auth.audiences) {
                Some(claims) => {
                    // A valid token without one of the route's scopes: API Gateway's 403.
                    if route.granted_scopes(&claims).is_none() {
                        return gateway_message(StatusCode::FORBIDDEN, "Forbidden");
                    }
                    Some(claims)
                }
                None => return gateway_message(StatusCode::UNAUTHORIZED, "Unauthorized"),
            }
        }
    };
    let Some(function) = state.functions.get(&route.function) else {
        return gateway_message(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error");
    };
    let host = headers
        .get("host")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("127.0.0.1")
        .to_string();
    let request_id = shared::kit::ids::new_id("req").unwrap_or_default();
    let route_key = route.route_key();
    let source_ip = peer.ip().to_string();
    let ctx = events::HttpContext {
        route_key: &route_key,
        path_parameters: &params,
        claims: claims.as_ref(),
        host: &host,
        source_ip: &source_ip,
        request_id: &request_id,
        account_id: &state.provisioned.account_id,
        now: state.clock.now(),
    };
    let event = events::http_event(&method, &uri, &headers, &body, &ctx);
    match invoke(function, event).await {
        Ok(output) => gateway_response(&output),
        Err(e) => {
            tracing::error!(function = %function.logical_id, error = %e, "invocation failed");
            gateway_message(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error")
        }
    }
}

/// Turns a function's payload v2 response into an HTTP response.
fn gateway_response(output: &Value) -> Response {
    let status = output
        .get("statusCode")
        .and_then(Value::as_u64)
        .and_then(|s| StatusCode::from_u16(s as u16).ok())
        .unwrap_or(StatusCode::OK);
    let body_text = output.get("body").and_then(Value::as_str).unwrap_or("");
    let body = if output
        .get("isBase64Encoded")
        .and_then(Value::as_bool)
        .unwrap_or(false)
    {
        base64::engine::general_purpose::STANDARD
            .decode(body_text)
            .unwrap_or_default()
    } else {
        body_text.as_bytes().to_vec()
    };
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    if let Some(map) = output.get("headers").and_then(Value::as_object) {
        for (k, v) in map {
            if let (Ok(name), Some(Ok(value))) = (
                HeaderName::try_from(k.as_str()),
                v.as_str().map(HeaderValue::from_str),
            ) {
                headers.insert(name, value);
            }
        }
    }
    if let Some(cookies) = output.get("cookies").and_then(Value::as_array) {
        for cookie in cookies.iter().filter_map(Value::as_str) {
            if let Ok(value) = HeaderValue::from_str(cookie) {
                headers.append("set-cookie", value);
            }
        }
    }
    response
}

/// API Gateway's own answers (`{"message": "..."}`), marked so tests can tell them apart
/// from a function's.
fn gateway_message(status: StatusCode, message: &str) -> Response {
    let mut response = (status, Json(json!({ "message": message }))).into_response();
    response
        .headers_mut()
        .insert("x-liaison-gateway", HeaderValue::from_static("1"));
    response
}

fn local_error(status: StatusCode, message: &str) -> Response {
    (
        status,
        Json(json!({"error": {"code": "local_runner", "message": message}})),
    )
        .into_response()
}

async fn poll_queue(
    sqs: aws_sdk_sqs::Client,
    queue: crate::provision::QueueInfo,
    function: Arc<LocalFunction>,
    report_failures: bool,
    batch_size: u32,
    region: String,
    mut shutdown: watch::Receiver<bool>,
) {
    use aws_sdk_sqs::types::{DeleteMessageBatchRequestEntry, MessageSystemAttributeName};
    loop {
        if *shutdown.borrow() {
            return;
        }
        let mut batch = Vec::new();
        while (batch.len() as u32) < batch_size.max(1) {
            let want = (batch_size.max(1) - batch.len() as u32).min(10) as i32;
            let wait = if batch.is_empty() { 1 } else { 0 };
            let received = tokio::select! {
                _ = shutdown.changed() => return,
                r = sqs
                    .receive_message()
                    .queue_url(&queue.url)
                    .max_number_of_messages(want)
                    .wait_time_seconds(wait)
                    .message_system_attribute_names(MessageSystemAttributeName::All)
                    .message_attribute_names("All")
                    .send() => r,
            };
            match received {
                Ok(out) => {
                    let messages = out.messages.unwrap_or_default();
                    if messages.is_empty() {
                        break;
                    }
                    batch.extend(messages);
                }
                Err(e) => {
                    tracing::warn!(queue = %queue.name, error = %e.into_service_error(), "ReceiveMessage failed");
                    tokio::time::sleep(StdDuration::from_millis(500)).await;
                    break;
                }
            }
        }
        if batch.is_empty() {
            continue;
        }
        let event = events::sqs_event(&batch, &queue.arn, &region);
        let failed: Option<Vec<String>> = match invoke(&function, event).await {
            Ok(output) if report_failures => {
                let ids: Vec<String> = output
                    .get("batchItemFailures")
                    .and_then(Value::as_array)
                    .map(|items| {
                        items
                            .iter()
                            .filter_map(|i| {
                                i.get("itemIdentifier")
                                    .and_then(Value::as_str)
                                    .map(str::to_string)
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                // As in Lambda: an identifier that is not in the batch fails the whole batch.
                let known = ids
                    .iter()
                    .all(|id| batch.iter().any(|m| m.message_id() == Some(id.as_str())));
                if known {
                    Some(ids)
                } else {
                    None
                }
            }
            Ok(_) => Some(Vec::new()),
            Err(e) => {
                tracing::error!(function = %function.logical_id, error = %e, "batch failed; every message will come back");
                None
            }
        };
        let Some(failed) = failed else { continue };
        let done: Vec<_> = batch
            .iter()
            .filter(|m| !failed.iter().any(|f| m.message_id() == Some(f.as_str())))
            .collect();
        for chunk in done.chunks(10) {
            let entries = chunk
                .iter()
                .enumerate()
                .filter_map(|(i, m)| {
                    DeleteMessageBatchRequestEntry::builder()
                        .id(i.to_string())
                        .receipt_handle(m.receipt_handle().unwrap_or_default())
                        .build()
                        .ok()
                })
                .collect::<Vec<_>>();
            if let Err(e) = sqs
                .delete_message_batch()
                .queue_url(&queue.url)
                .set_entries(Some(entries))
                .send()
                .await
            {
                tracing::warn!(queue = %queue.name, error = %e.into_service_error(), "DeleteMessageBatch failed; messages will come back");
            }
        }
    }
}
