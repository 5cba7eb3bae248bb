//! A fault-injecting HTTP layer for the AWS SDK clients in tests: the faults the emulators
//! cannot produce (design.md §5), in front of the real emulators.
//!
//! Two faults, for the requests of a named operation (`TransactWriteItems`, `SendEmail`):
//! - [`Fault::Throttle`]: answered at once with the service's throttling error, never sent;
//!   the SDK's retry strategy sees exactly what AWS would send.
//! - [`Fault::LoseResponse`]: sent to the emulator (so it takes effect), then answered with
//!   a 500, as when a response is lost on its way back: the SDK retries a request that
//!   already happened, and only conditional writes keep that to one effect.
//!
//! Build an `SdkConfig` with [`Faults::config`] and give it to a function's `Deps`.

use std::sync::{Arc, Mutex};

use aws_config::SdkConfig;
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_runtime_api::http::StatusCode;
use aws_smithy_types::body::SdkBody;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    Throttle,
    LoseResponse,
}

#[derive(Debug)]
struct Rule {
    operation: String,
    fault: Fault,
    remaining: usize,
}

/// The faults still to inject, and what was injected.
#[derive(Debug, Default)]
pub struct Faults {
    rules: Mutex<Vec<Rule>>,
    injected: Mutex<Vec<(String, Fault)>>,
}

impl Faults {
    pub fn new() -> Arc<Faults> {
        Arc::default()
    }

    /// The next `times` requests of `operation` meet `fault`.
    pub fn inject(&self, operation: &str, fault: Fault, times: usize) {
        self.rules.lock().unwrap().push(Rule {
            operation: operation.to_string(),
            fault,
            remaining: times,
        });
    }

    /// Every fault injected so far, in order.
    pub fn injected(&self) -> Vec<(String, Fault)> {
        self.injected.lock().unwrap().clone()
    }

    /// `sdk` with this layer in front of a real HTTP client, and retries quick (the
    /// standard strategy and its three attempts, with a 10 ms first backoff, so that tests
    /// are not slow).
    pub fn config(self: &Arc<Self>, sdk: &SdkConfig) -> SdkConfig {
        let inner = shared::kit::aws::https_client();
        sdk.to_builder()
            .http_client(FaultyClient {
                inner,
                faults: self.clone(),
            })
            .retry_config(
                aws_config::retry::RetryConfig::standard()
                    .with_initial_backoff(std::time::Duration::from_millis(10)),
            )
            .build()
    }

    fn take(&self, operation: &str) -> Option<Fault> {
        let mut rules = self.rules.lock().unwrap();
        let rule = rules
            .iter_mut()
            .find(|r| r.remaining > 0 && r.operation == operation)?;
        rule.remaining -= 1;
        let fault = rule.fault;
        self.injected
            .lock()
            .unwrap()
            .push((operation.to_string(), fault));
        Some(fault)
    }
}

#[derive(Debug, Clone)]
struct FaultyClient {
    inner: SharedHttpClient,
    faults: Arc<Faults>,
}

impl HttpClient for FaultyClient {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(FaultyConnector {
            inner: self.inner.http_connector(settings, components),
            faults: self.faults.clone(),
        })
    }
}

#[derive(Debug)]
struct FaultyConnector {
    inner: SharedHttpConnector,
    faults: Arc<Faults>,
}

/// The operation a request calls: `X-Amz-Target` for the JSON protocols (DynamoDB, SQS),
/// `Action=` in the body for the query protocol (SES).
fn operation(request: &HttpRequest) -> (Protocol, String) {
    if let Some(target) = request.headers().get("x-amz-target") {
        let op = target.rsplit('.').next().unwrap_or_default().to_string();
        return (Protocol::Json, op);
    }
    let body = request
        .body()
        .bytes()
        .map(|b| String::from_utf8_lossy(b).into_owned())
        .unwrap_or_default();
    let op = body
        .split('&')
        .find_map(|pair| pair.strip_prefix("Action="))
        .unwrap_or_default()
        .to_string();
    (Protocol::Query, op)
}

#[derive(Debug, Clone, Copy)]
enum Protocol {
    Json,
    Query,
}

fn response(status: u16, content_type: &str, body: String) -> HttpResponse {
    let mut response = HttpResponse::new(
        StatusCode::try_from(status).expect("a valid status"),
        SdkBody::from(body),
    );
    response
        .headers_mut()
        .insert("content-type", content_type.to_string());
    response
}

/// What AWS answers a throttled request, per protocol.
fn throttled(protocol: Protocol) -> HttpResponse {
    match protocol {
        Protocol::Json => response(
            400,
            "application/x-amz-json-1.0",
            r#"{"__type":"com.amazonaws.dynamodb.v20120810#ThrottlingException","message":"Rate of requests exceeds the allowed throughput."}"#.into(),
        ),
        Protocol::Query => response(
            400,
            "text/xml",
            "<ErrorResponse xmlns=\"http://ses.amazonaws.com/doc/2010-12-01/\"><Error><Type>Sender</Type><Code>Throttling</Code><Message>Maximum sending rate exceeded.</Message></Error><RequestId>fault</RequestId></ErrorResponse>".into(),
        ),
    }
}

fn internal_error(protocol: Protocol) -> HttpResponse {
    match protocol {
        Protocol::Json => response(
            500,
            "application/x-amz-json-1.0",
            r#"{"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError","message":"Internal server error"}"#.into(),
        ),
        Protocol::Query => response(
            500,
            "text/xml",
            "<ErrorResponse><Error><Type>Receiver</Type><Code>InternalFailure</Code><Message>Internal failure</Message></Error><RequestId>fault</RequestId></ErrorResponse>".into(),
        ),
    }
}

impl HttpConnector for FaultyConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let (protocol, op) = operation(&request);
        match self.faults.take(&op) {
            None => self.inner.call(request),
            Some(Fault::Throttle) => HttpConnectorFuture::ready(Ok(throttled(protocol))),
            Some(Fault::LoseResponse) => {
                let sent = self.inner.call(request);
                HttpConnectorFuture::new(async move {
                    let _ = sent.await;
                    Ok(internal_error(protocol))
                })
            }
        }
    }
}
