//! Doubles of the platforms' APIs that cannot run here (Meta's Graph API, X, YouTube,
//! Discourse, Trustpilot, Zendesk, HubSpot, Slack and Microsoft Teams incoming webhooks, and
//! Amazon Bedrock Runtime's Converse API for the hosted classifier), each written from the platform's published API reference:
//! it checks what a request must carry (path, method, auth header, body fields) and answers
//! with the platform's documented success and error bodies.
//!
//! This module is what they share: every request is recorded (for tests to read back what
//! was sent, and how many times), and a test can make the next requests fail the way
//! platforms fail ([`Fault`]): a status with the platform's error body and `Retry-After`, or
//! a connection dropped *after* the platform acted (the handler runs, then the answer is cut
//! off mid-body: the caller cannot know it was done).

pub mod bedrock;
pub mod chat;
pub mod discourse;
pub mod hubspot;
pub mod meta;
pub mod oauth;
pub mod trustpilot;
pub mod x;
pub mod youtube;
pub mod zendesk;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use serde_json::Value;

/// One request as the double received it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: Method,
    pub path: String,
    pub query: Option<String>,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The body as JSON (`Null` when it is not).
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    /// The body as `application/x-www-form-urlencoded` pairs.
    pub fn form(&self) -> Vec<(String, String)> {
        url::form_urlencoded::parse(&self.body)
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }

    /// The query string's pairs.
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        url::form_urlencoded::parse(self.query.as_deref().unwrap_or("").as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }
}

/// How the double fails the next request instead of answering it.
#[derive(Debug, Clone)]
pub enum Fault {
    /// Answers `status` with `body` (the platform's error body) and, when given,
    /// `Retry-After`, without acting.
    Status {
        status: u16,
        body: Value,
        retry_after: Option<u64>,
    },
    /// Acts (the handler runs: the reply exists on the platform), then cuts the connection
    /// in the middle of its answer.
    DropAfterActing,
}

/// A queued fault, and the requests it waits for (`None`: the next one, whatever it is).
type Queued = (Option<(Method, String)>, Fault);

/// The recorder and fault queue behind one double.
#[derive(Default)]
pub struct Recorder {
    requests: Mutex<Vec<Recorded>>,
    faults: Mutex<VecDeque<Queued>>,
}

impl Recorder {
    /// Every request so far, in order.
    pub fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().expect("recorder lock").clone()
    }

    /// The requests whose path is `path` and method `method`.
    pub fn requests_to(&self, method: Method, path: &str) -> Vec<Recorded> {
        self.requests()
            .into_iter()
            .filter(|r| r.method == method && r.path == path)
            .collect()
    }

    /// Fails the next request (faults queue up, one per request).
    pub fn fail_next(&self, fault: Fault) {
        self.faults
            .lock()
            .expect("recorder lock")
            .push_back((None, fault));
    }

    /// Fails the next `method` request to `path`, letting others through (a platform call
    /// that comes after reads of its own).
    pub fn fail_next_to(&self, method: Method, path: &str, fault: Fault) {
        self.faults
            .lock()
            .expect("recorder lock")
            .push_back((Some((method, path.to_string())), fault));
    }

    /// The first queued fault for a `method` request to `path`, taken off the queue.
    fn take_fault(&self, method: &Method, path: &str) -> Option<Fault> {
        let mut faults = self.faults.lock().expect("recorder lock");
        let at = faults.iter().position(|(target, _)| match target {
            None => true,
            Some((m, p)) => m == method && p == path,
        })?;
        faults.remove(at).map(|(_, fault)| fault)
    }
}

/// A double listening on 127.0.0.1: its base URL and what it recorded.
pub struct Served {
    pub url: String,
    pub recorder: Arc<Recorder>,
}

/// Serves `router` on a free local port, every request recorded and subject to the faults
/// queued on the returned recorder.
pub async fn serve(router: Router) -> std::io::Result<Served> {
    let recorder = Arc::new(Recorder::default());
    let app = router.layer(middleware::from_fn_with_state(recorder.clone(), record));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!(error = %e, "platform double stopped");
        }
    });
    Ok(Served { url, recorder })
}

async fn record(State(recorder): State<Arc<Recorder>>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 4 * 1024 * 1024).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "body too large").into_response();
    };
    recorder
        .requests
        .lock()
        .expect("recorder lock")
        .push(Recorded {
            method: parts.method.clone(),
            path: parts.uri.path().to_string(),
            query: parts.uri.query().map(str::to_string),
            headers: parts.headers.clone(),
            body: bytes.clone(),
        });
    let fault = recorder.take_fault(&parts.method, parts.uri.path());
    match fault {
        Some(Fault::Status {
            status,
            body,
            retry_after,
        }) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let mut response = (status, axum::Json(body)).into_response();
            if let Some(seconds) = retry_after {
                response
                    .headers_mut()
                    .insert("retry-after", seconds.to_string().parse().expect("digits"));
            }
            response
        }
        Some(Fault::DropAfterActing) => {
            let acted = next
                .run(Request::from_parts(parts, Body::from(bytes)))
                .await;
            let (head, _) = acted.into_parts();
            // The status line goes out, then the body fails: hyper aborts the connection.
            let cut = futures_util::stream::once(async {
                Err::<Bytes, std::io::Error>(std::io::Error::new(
                    std::io::ErrorKind::ConnectionReset,
                    "the double cut the connection",
                ))
            });
            let mut head = head;
            head.headers.remove("content-length");
            Response::from_parts(head, Body::from_stream(cut))
        }
        None => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
    }
}

/// A platform's error, as the doubles answer it.
pub fn error(status: u16, body: Value) -> Response {
    (
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        axum::Json(body),
    )
        .into_response()
}

/// The bearer token of a request, if it carries one.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
}
