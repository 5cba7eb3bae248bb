//! The IAM gateway: a proxy in front of DynamoDB Local and moto that authorises each call a
//! function makes against the function's role, as AWS does, before the emulator sees it.
//!
//! Lambda gives each function its own role; locally each function gets its own access key
//! id, which the gateway reads from the request's SigV4 `Credential=` and maps to the policy
//! compiled from template.yaml. A key the gateway does not know (the harness's, the runner's
//! own queue pollers, which play Lambda's event source mapping) passes unchecked, as an
//! administrator's would. A refused call gets the error AWS gives for it, in the protocol
//! the client speaks, so that the function's own handling of `AccessDenied` runs.

use std::collections::{BTreeSet, HashMap};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, RwLock};

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use tokio::sync::watch;

use super::policy::{Check, Policy};
use super::request::{authorization, Authorization, Protocol, Scope};

/// The access key id every forwarded request carries: DynamoDB Local keeps one database per
/// access key and region, and every function must see the same tables.
const UPSTREAM_ACCESS_KEY: &str = "local";

/// One function's identity: its role and what it allows.
#[derive(Debug, Clone)]
pub struct Principal {
    pub function: String,
    pub role_arn: String,
    pub policy: Policy,
}

/// A call the gateway refused, kept for tests and the report.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Denial {
    pub function: String,
    pub operation: String,
    pub check: Check,
}

#[derive(Default)]
struct Ledger {
    principals: RwLock<HashMap<String, Arc<Principal>>>,
    denials: Mutex<Vec<Denial>>,
    /// (function, check) of every call allowed, for grants no call used.
    used: Mutex<BTreeSet<(String, Check)>>,
    /// `LIAISON_IAM_LOG`: every first use and every denial as a JSON line, appended, so
    /// that a whole test run (many processes) can be summed up by `liaison-local iam-report`.
    log: Option<Mutex<std::fs::File>>,
}

impl Ledger {
    fn from_env() -> Self {
        let log = std::env::var_os("LIAISON_IAM_LOG").and_then(|path| {
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .ok()
                .map(Mutex::new)
        });
        Ledger {
            log,
            ..Ledger::default()
        }
    }

    fn write(&self, kind: &str, function: &str, operation: &str, check: &Check) {
        use std::io::Write;
        let Some(log) = &self.log else { return };
        let line = serde_json::json!({
            "kind": kind,
            "function": function,
            "operation": operation,
            "action": check.action,
            "resource": check.resource,
        });
        if let Ok(mut file) = log.lock() {
            // One write per line: appends from several processes do not interleave.
            let _ = file.write_all(format!("{line}\n").as_bytes());
        }
    }
}

struct Upstream {
    base: String,
    scope: Scope,
    ledger: Arc<Ledger>,
    client: reqwest::Client,
}

/// A handle on the running gateway; clones share it. The last one dropped stops it.
#[derive(Clone)]
pub struct Gateway {
    inner: Arc<Inner>,
}

struct Inner {
    dynamodb_endpoint: String,
    moto_endpoint: String,
    ledger: Arc<Ledger>,
    _shutdown: watch::Sender<bool>,
}

#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    #[error("IAM gateway: cannot listen: {0}")]
    Bind(#[source] std::io::Error),
    #[error("IAM gateway: cannot start its thread: {0}")]
    Thread(#[source] std::io::Error),
}

impl Gateway {
    /// Starts the gateway on two loopback ports (one per emulator) in a thread of its own,
    /// so that it outlives any one test's runtime.
    pub fn start(
        dynamodb_upstream: &str,
        moto_upstream: &str,
        scope: Scope,
    ) -> Result<Self, GatewayError> {
        let bind = || {
            let listener =
                std::net::TcpListener::bind("127.0.0.1:0").map_err(GatewayError::Bind)?;
            listener.set_nonblocking(true).map_err(GatewayError::Bind)?;
            Ok::<_, GatewayError>(listener)
        };
        let (dynamodb, moto) = (bind()?, bind()?);
        let endpoint = |l: &std::net::TcpListener| {
            l.local_addr()
                .map(|a: SocketAddr| format!("http://{a}"))
                .map_err(GatewayError::Bind)
        };
        let (dynamodb_endpoint, moto_endpoint) = (endpoint(&dynamodb)?, endpoint(&moto)?);
        let ledger = Arc::new(Ledger::from_env());
        let (shutdown, mut stop) = watch::channel(false);
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_default();
        let upstreams = [
            (dynamodb, dynamodb_upstream.to_string()),
            (moto, moto_upstream.to_string()),
        ]
        .map(|(listener, base)| {
            (
                listener,
                Arc::new(Upstream {
                    base: base.trim_end_matches('/').to_string(),
                    scope: scope.clone(),
                    ledger: ledger.clone(),
                    client: client.clone(),
                }),
            )
        });
        std::thread::Builder::new()
            .name("iam-gateway".into())
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .thread_name("iam-gateway")
                    .enable_all()
                    .build()
                {
                    Ok(rt) => rt,
                    Err(e) => {
                        tracing::error!(error = %e, "IAM gateway: no runtime");
                        return;
                    }
                };
                runtime.block_on(async move {
                    let mut servers = Vec::new();
                    for (listener, upstream) in upstreams {
                        let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
                            tracing::error!("IAM gateway: cannot adopt its listener");
                            return;
                        };
                        let app = Router::new()
                            .fallback(forward)
                            .layer(axum::extract::DefaultBodyLimit::max(32 * 1024 * 1024))
                            .with_state(upstream);
                        servers.push(tokio::spawn(async move {
                            let _ = axum::serve(listener, app).await;
                        }));
                    }
                    // Runs until every handle is dropped (or the process ends).
                    while stop.changed().await.is_ok() {}
                    for server in servers {
                        server.abort();
                    }
                });
            })
            .map_err(GatewayError::Thread)?;
        Ok(Gateway {
            inner: Arc::new(Inner {
                dynamodb_endpoint,
                moto_endpoint,
                ledger,
                _shutdown: shutdown,
            }),
        })
    }

    pub fn dynamodb_endpoint(&self) -> &str {
        &self.inner.dynamodb_endpoint
    }

    /// SQS and SES (moto serves both).
    pub fn moto_endpoint(&self) -> &str {
        &self.inner.moto_endpoint
    }

    /// From now on, calls signed with `access_key` are authorised as `principal`.
    pub fn register(&self, access_key: &str, principal: Principal) {
        if let Ok(mut map) = self.inner.ledger.principals.write() {
            map.insert(access_key.to_string(), Arc::new(principal));
        }
    }

    /// Every call refused so far, oldest first.
    pub fn denials(&self) -> Vec<Denial> {
        self.inner
            .ledger
            .denials
            .lock()
            .map(|d| d.clone())
            .unwrap_or_default()
    }

    /// Every (function, check) allowed so far.
    pub fn used(&self) -> BTreeSet<(String, Check)> {
        self.inner
            .ledger
            .used
            .lock()
            .map(|u| u.clone())
            .unwrap_or_default()
    }
}

/// The access key id of a SigV4 `Authorization` header.
fn access_key(headers: &HeaderMap) -> Option<&str> {
    let auth = headers.get("authorization")?.to_str().ok()?;
    let credential = auth.split("Credential=").nth(1)?;
    credential.split('/').next()
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

async fn forward(
    State(upstream): State<Arc<Upstream>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let principal = access_key(&headers).and_then(|key| {
        upstream
            .ledger
            .principals
            .read()
            .ok()
            .and_then(|m| m.get(key).cloned())
    });
    if let Some(principal) = principal {
        let asked = authorization(
            header(&headers, "x-amz-target"),
            header(&headers, "content-type"),
            &body,
            &upstream.scope,
        );
        match asked {
            Ok(asked) => {
                if let Some(refused) = asked.checks.iter().find(|c| !principal.policy.allows(c)) {
                    return deny(&upstream.ledger, &principal, &asked, refused);
                }
                for check in &asked.checks {
                    let first = upstream.ledger.used.lock().is_ok_and(|mut used| {
                        used.insert((principal.function.clone(), check.clone()))
                    });
                    if first {
                        upstream
                            .ledger
                            .write("used", &principal.function, &asked.operation, check);
                    }
                }
            }
            // What the gateway cannot read, the service could not authorise either.
            Err(e) => {
                return (
                    StatusCode::BAD_REQUEST,
                    format!("IAM gateway: {e} (from {})", principal.function),
                )
                    .into_response()
            }
        }
    }
    let path = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    let mut request = upstream
        .client
        .request(method, format!("{}{path}", upstream.base));
    for (name, value) in &headers {
        match name.as_str() {
            "host" | "content-length" | "connection" | "transfer-encoding" => {}
            "authorization" => {
                let rewritten = value.to_str().ok().and_then(|auth| {
                    let key = access_key(&headers)?;
                    HeaderValue::from_str(&auth.replacen(
                        &format!("Credential={key}/"),
                        &format!("Credential={UPSTREAM_ACCESS_KEY}/"),
                        1,
                    ))
                    .ok()
                });
                request = request.header(name, rewritten.unwrap_or_else(|| value.clone()));
            }
            _ => request = request.header(name, value),
        }
    }
    let answer = match request.body(body).send().await {
        Ok(answer) => answer,
        Err(e) => {
            return (
                StatusCode::BAD_GATEWAY,
                format!("IAM gateway: {} unreachable: {e}", upstream.base),
            )
                .into_response()
        }
    };
    let status = answer.status();
    let mut out_headers = HeaderMap::new();
    for (name, value) in answer.headers() {
        if !matches!(
            name.as_str(),
            "connection" | "transfer-encoding" | "content-length"
        ) {
            out_headers.append(name, value.clone());
        }
    }
    match answer.bytes().await {
        Ok(bytes) => {
            let mut response = Response::new(Body::from(bytes));
            *response.status_mut() = status;
            *response.headers_mut() = out_headers;
            response
        }
        Err(e) => (
            StatusCode::BAD_GATEWAY,
            format!("IAM gateway: {} answer lost: {e}", upstream.base),
        )
            .into_response(),
    }
}

/// AWS's refusal, in the shape the client's protocol expects.
fn deny(ledger: &Ledger, principal: &Principal, asked: &Authorization, check: &Check) -> Response {
    let message = format!(
        "User: {} is not authorized to perform: {} on resource: {} because no identity-based policy allows the {} action",
        principal.role_arn, check.action, check.resource, check.action
    );
    tracing::warn!(
        function = %principal.function,
        operation = %asked.operation,
        action = %check.action,
        resource = %check.resource,
        "IAM: access denied (the function's role in template.yaml does not grant it)"
    );
    ledger.write("denied", &principal.function, &asked.operation, check);
    if let Ok(mut denials) = ledger.denials.lock() {
        denials.push(Denial {
            function: principal.function.clone(),
            operation: asked.operation.clone(),
            check: check.clone(),
        });
    }
    let request_id = uuid_like();
    let json = |status: StatusCode, extra: Option<(&'static str, &'static str)>| {
        let body = serde_json::json!({
            "__type": "com.amazon.coral.service#AccessDeniedException",
            "Message": message,
            "message": message,
        });
        let mut response = (status, body.to_string()).into_response();
        let headers = response.headers_mut();
        headers.insert(
            "content-type",
            HeaderValue::from_static("application/x-amz-json-1.0"),
        );
        if let Ok(id) = HeaderValue::from_str(&request_id) {
            headers.insert("x-amzn-requestid", id);
        }
        if let Some((name, value)) = extra {
            if let Ok(value) = HeaderValue::from_str(value) {
                headers.insert(name, value);
            }
        }
        response
    };
    match asked.protocol {
        Protocol::DynamoDb | Protocol::SsmJson => json(StatusCode::BAD_REQUEST, None),
        // SQS's JSON protocol keeps its query-era code in this header (awsQueryCompatible).
        Protocol::SqsJson => json(
            StatusCode::FORBIDDEN,
            Some(("x-amzn-query-error", "AccessDenied;Sender")),
        ),
        Protocol::Query { ses } => {
            let namespace = if ses {
                "http://ses.amazonaws.com/doc/2010-12-01/"
            } else {
                "http://queue.amazonaws.com/doc/2012-11-05/"
            };
            let body = format!(
                "<ErrorResponse xmlns=\"{namespace}\"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>{}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>",
                xml_escape(&message)
            );
            let mut response = (StatusCode::FORBIDDEN, body).into_response();
            response
                .headers_mut()
                .insert("content-type", HeaderValue::from_static("text/xml"));
            response
        }
    }
}

fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A request id of AWS's shape; unique within the process is all a log needs.
fn uuid_like() -> String {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("00000000-0000-4000-8000-{n:012x}")
}
