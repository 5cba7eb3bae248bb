//! A double of Amazon Bedrock Runtime's Converse API (written from the Bedrock API
//! Reference, `API_runtime_Converse`, and the SDK's service model):
//! - `POST /model/{modelId}/converse`, signed with SigV4 for service `bedrock`, a JSON body
//!   with `messages` (at least one; `role` `user` or `assistant`, the first `user`; `content`
//!   blocks), optional `system` blocks and `inferenceConfig` (`maxTokens` ≥ 1, `temperature`
//!   and `topP` from 0 to 1) → 200 `{"output":{"message":{"role":"assistant","content":
//!   [{"text"}]}},"stopReason","usage":{"inputTokens","outputTokens","totalTokens"},
//!   "metrics":{"latencyMs"}}`;
//! - errors as restJson1 services answer them: the status, the code in `x-amzn-ErrorType`
//!   and `{"message"}` (`ValidationException` 400, `AccessDeniedException` 403,
//!   `ResourceNotFoundException` 404, `ModelTimeoutException` 408, `ThrottlingException`
//!   429, `InternalServerException` 500, `ServiceUnavailableException` 503); an unsigned
//!   request gets `MissingAuthenticationTokenException` 403.
//!
//! As strict as AWS on IAM: a call signed with a function's access key (the local stack gives
//! each function its own, [`Role::of`]) needs `bedrock:InvokeModel` on the model's ARN in
//! that function's statements in template.yaml (for a cross-Region inference profile, on the
//! profile and on the model it routes to), else `AccessDeniedException`, with AWS's
//! message. Uses and refusals go to `LIAISON_IAM_LOG` like the IAM gateway's.
//!
//! What the model answers is scripted by the test ([`State::answer_next`],
//! [`State::fail_next`]); unscripted, it answers `{"label": "other", "confidence": 0.5}`.
//! Tokens are counted as Bedrock bills them, estimated at four characters a token.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, State as Shared};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use serde_json::{json, Value};

use super::{serve, Recorder};
use crate::iam::{Check, Policy};

/// The foundation models the double serves (any Region), by id.
pub const MODELS: [&str; 3] = [
    "amazon.nova-micro-v1:0",
    "amazon.nova-lite-v1:0",
    "anthropic.claude-3-haiku-20240307-v1:0",
];
const PROFILE_PREFIXES: [&str; 3] = ["eu.", "us.", "apac."];

/// One scripted answer of the model.
#[derive(Debug, Clone, PartialEq)]
pub struct Scripted {
    pub text: String,
    pub stop_reason: String,
    /// How long the model takes before answering.
    pub delay: Duration,
}

impl Scripted {
    /// `text`, ended by the model itself, at once.
    pub fn text(text: impl Into<String>) -> Self {
        Scripted {
            text: text.into(),
            stop_reason: "end_turn".into(),
            delay: Duration::ZERO,
        }
    }

    pub fn after(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }
}

/// A Converse error, as the service answers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    Validation,
    AccessDenied,
    ResourceNotFound,
    ModelTimeout,
    Throttling,
    InternalServer,
    ServiceUnavailable,
}

impl ErrorKind {
    fn status(self) -> u16 {
        match self {
            ErrorKind::Validation => 400,
            ErrorKind::AccessDenied => 403,
            ErrorKind::ResourceNotFound => 404,
            ErrorKind::ModelTimeout => 408,
            ErrorKind::Throttling => 429,
            ErrorKind::InternalServer => 500,
            ErrorKind::ServiceUnavailable => 503,
        }
    }

    fn code(self) -> &'static str {
        match self {
            ErrorKind::Validation => "ValidationException",
            ErrorKind::AccessDenied => "AccessDeniedException",
            ErrorKind::ResourceNotFound => "ResourceNotFoundException",
            ErrorKind::ModelTimeout => "ModelTimeoutException",
            ErrorKind::Throttling => "ThrottlingException",
            ErrorKind::InternalServer => "InternalServerException",
            ErrorKind::ServiceUnavailable => "ServiceUnavailableException",
        }
    }

    fn message(self) -> &'static str {
        match self {
            ErrorKind::Validation => "The provided request is not valid",
            ErrorKind::AccessDenied => {
                "You don't have access to the model with the specified model ID."
            }
            ErrorKind::ResourceNotFound => "The requested resource could not be found.",
            ErrorKind::ModelTimeout => {
                "Model has timed out in processing the request. Try your request again."
            }
            ErrorKind::Throttling => "Too many requests, please wait before trying again.",
            ErrorKind::InternalServer => {
                "The server encountered an internal error while processing the request."
            }
            ErrorKind::ServiceUnavailable => "The service is unavailable. Try again later.",
        }
    }
}

/// A function's role, as the double authorises its calls.
#[derive(Debug, Clone)]
pub struct Role {
    pub access_key: String,
    pub function: String,
    pub role_arn: String,
    pub policy: Policy,
}

impl Role {
    /// The role template.yaml gives the function built from `binary`, resolved against the
    /// test's resources, with the access key its environment signs with.
    pub fn of(resources: &crate::harness::TestResources, binary: &str) -> Role {
        let resolver = crate::resolve::Resolver {
            template: &resources.template,
            parameters: &resources.parameters,
            provisioned: &resources.provisioned,
        };
        let def = resources
            .template
            .functions
            .iter()
            .find(|f| f.binary == binary)
            .unwrap_or_else(|| panic!("no function {binary} in template.yaml"));
        let policy = Policy::compile(&def.statements, &resolver)
            .unwrap_or_else(|e| panic!("{binary}'s policies: {e}"));
        let key = crate::iam::access_key(&resources.provisioned, def);
        Role {
            role_arn: format!(
                "arn:aws:sts::{}:assumed-role/{key}Role/{key}",
                resources.provisioned.account_id
            ),
            access_key: key,
            function: def.logical_id.clone(),
            policy,
        }
    }
}

/// A call the double refused on IAM.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Denial {
    pub function: String,
    pub check: Check,
}

pub struct State {
    region: String,
    account_id: String,
    roles: HashMap<String, Role>,
    script: Mutex<VecDeque<Result<Scripted, ErrorKind>>>,
    denials: Mutex<Vec<Denial>>,
}

impl State {
    /// The model's next answer.
    pub fn answer_next(&self, answer: Scripted) {
        self.script
            .lock()
            .expect("script lock")
            .push_back(Ok(answer));
    }

    /// The next call fails with `error`.
    pub fn fail_next(&self, error: ErrorKind) {
        self.script
            .lock()
            .expect("script lock")
            .push_back(Err(error));
    }

    /// Calls refused on IAM, oldest first.
    pub fn denials(&self) -> Vec<Denial> {
        self.denials.lock().expect("denials lock").clone()
    }

    /// What `model_id` is checked against: a foundation model's ARN in the Region, or an
    /// inference profile's and the model it routes to (here, in the same Region).
    fn checks(&self, model_id: &str) -> Vec<Check> {
        let model = |id: &str| {
            Check::new(
                "bedrock:InvokeModel",
                format!("arn:aws:bedrock:{}::foundation-model/{id}", self.region),
            )
        };
        match PROFILE_PREFIXES
            .iter()
            .find_map(|p| model_id.strip_prefix(p))
        {
            Some(base) => vec![
                Check::new(
                    "bedrock:InvokeModel",
                    format!(
                        "arn:aws:bedrock:{}:{}:inference-profile/{model_id}",
                        self.region, self.account_id
                    ),
                ),
                model(base),
            ],
            None => vec![model(model_id)],
        }
    }
}

/// The Bedrock Runtime double, listening.
pub struct Bedrock {
    /// `AWS_ENDPOINT_URL_BEDROCK_RUNTIME`.
    pub url: String,
    pub recorder: Arc<Recorder>,
    pub state: Arc<State>,
}

/// Starts the double for the local stack's Region and account, authorising `roles`' calls
/// (a key it does not know passes, as an administrator's would).
pub async fn start(roles: Vec<Role>) -> std::io::Result<Bedrock> {
    let state = Arc::new(State {
        region: crate::REGION.into(),
        account_id: crate::provision::ACCOUNT_ID.into(),
        roles: roles
            .into_iter()
            .map(|r| (r.access_key.clone(), r))
            .collect(),
        script: Mutex::default(),
        denials: Mutex::default(),
    });
    let router = Router::new()
        .route("/model/{model_id}/converse", post(converse))
        .with_state(state.clone());
    let served = serve(router).await?;
    Ok(Bedrock {
        url: served.url,
        recorder: served.recorder,
        state,
    })
}

fn failure(kind: ErrorKind, message: &str) -> Response {
    failure_coded(kind.status(), kind.code(), message)
}

fn failure_coded(status: u16, code: &str, message: &str) -> Response {
    let mut response = (
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        json!({ "message": message }).to_string(),
    )
        .into_response();
    let headers = response.headers_mut();
    headers.insert("content-type", HeaderValue::from_static("application/json"));
    if let Ok(value) = HeaderValue::from_str(&format!(
        "{code}:http://internal.amazon.com/coral/com.amazon.bedrock/"
    )) {
        headers.insert("x-amzn-errortype", value);
    }
    response
}

/// The access key and signing service of a SigV4 `Authorization` header.
fn credential(headers: &HeaderMap) -> Option<(String, String)> {
    let auth = headers.get("authorization")?.to_str().ok()?;
    let rest = auth.strip_prefix("AWS4-HMAC-SHA256 ")?;
    let credential = rest.split("Credential=").nth(1)?.split(',').next()?;
    // KEY/yyyymmdd/region/service/aws4_request
    let parts: Vec<&str> = credential.split('/').collect();
    match parts.as_slice() {
        [key, _, _, service, "aws4_request"] => Some((key.to_string(), service.to_string())),
        _ => None,
    }
}

async fn converse(
    Shared(state): Shared<Arc<State>>,
    Path(model_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some((key, service)) = credential(&headers) else {
        return failure_coded(
            403,
            "MissingAuthenticationTokenException",
            "Missing Authentication Token",
        );
    };
    if service != "bedrock" {
        return failure_coded(
            403,
            "InvalidSignatureException",
            &format!("Credential should be scoped to correct service: 'bedrock', not '{service}'"),
        );
    }
    if let Some(role) = state.roles.get(&key) {
        for check in state.checks(&model_id) {
            let allowed = role.policy.allows(&check);
            log_iam(
                if allowed { "used" } else { "denied" },
                &role.function,
                &check,
            );
            if !allowed {
                state.denials.lock().expect("denials lock").push(Denial {
                    function: role.function.clone(),
                    check: check.clone(),
                });
                let message = format!(
                    "User: {} is not authorized to perform: {} on resource: {} because no identity-based policy allows the {} action",
                    role.role_arn, check.action, check.resource, check.action
                );
                return failure(ErrorKind::AccessDenied, &message);
            }
        }
    }
    let base = PROFILE_PREFIXES
        .iter()
        .find_map(|p| model_id.strip_prefix(p))
        .unwrap_or(&model_id);
    if !MODELS.contains(&base) {
        return failure(
            ErrorKind::Validation,
            "The provided model identifier is invalid.",
        );
    }
    let request: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(_) => return failure(ErrorKind::Validation, "The request body is not valid JSON."),
    };
    if let Err(problem) = valid(&request) {
        return failure(ErrorKind::Validation, &problem);
    }
    let next = state.script.lock().expect("script lock").pop_front();
    let scripted = match next {
        Some(Err(kind)) => return failure(kind, kind.message()),
        Some(Ok(scripted)) => scripted,
        None => Scripted::text(r#"{"label": "other", "confidence": 0.5}"#),
    };
    tokio::time::sleep(scripted.delay).await;
    let input_tokens = tokens(&prompt_text(&request));
    let output_tokens = tokens(&scripted.text).max(1);
    let answer = json!({
        "output": {"message": {"role": "assistant", "content": [{"text": scripted.text}]}},
        "stopReason": scripted.stop_reason,
        "usage": {
            "inputTokens": input_tokens,
            "outputTokens": output_tokens,
            "totalTokens": input_tokens + output_tokens,
        },
        "metrics": {"latencyMs": scripted.delay.as_millis() as u64 + 120},
    });
    let mut response = (StatusCode::OK, answer.to_string()).into_response();
    response
        .headers_mut()
        .insert("content-type", HeaderValue::from_static("application/json"));
    response
}

/// The request's shape, as Converse validates it.
fn valid(request: &Value) -> Result<(), String> {
    let messages = request["messages"]
        .as_array()
        .filter(|m| !m.is_empty())
        .ok_or("messages: at least one message is required")?;
    for (i, message) in messages.iter().enumerate() {
        let role = message["role"].as_str().unwrap_or_default();
        if !matches!(role, "user" | "assistant") || (i == 0 && role != "user") {
            return Err(format!("messages[{i}].role: a conversation must start with a user message; roles are user or assistant"));
        }
        let content = message["content"]
            .as_array()
            .filter(|c| !c.is_empty())
            .ok_or(format!("messages[{i}].content: at least one content block"))?;
        if content
            .iter()
            .any(|block| block.as_object().is_none_or(|b| b.len() != 1))
        {
            return Err(format!(
                "messages[{i}].content: each block is one member (text, image...)"
            ));
        }
    }
    if let Some(system) = request.get("system") {
        let blocks = system.as_array().ok_or("system: a list of blocks")?;
        if blocks.iter().any(|b| {
            !b["text"].is_string()
                && b.get("guardContent").is_none()
                && b.get("cachePoint").is_none()
        }) {
            return Err("system: each block is text, guardContent or cachePoint".into());
        }
    }
    if let Some(config) = request.get("inferenceConfig") {
        if config["maxTokens"].as_i64().is_some_and(|n| n < 1) {
            return Err("inferenceConfig.maxTokens: at least 1".into());
        }
        for name in ["temperature", "topP"] {
            if config[name]
                .as_f64()
                .is_some_and(|v| !(0.0..=1.0).contains(&v))
            {
                return Err(format!("inferenceConfig.{name}: from 0 to 1"));
            }
        }
    }
    Ok(())
}

/// The text the model reads: the system blocks and every message's text blocks.
fn prompt_text(request: &Value) -> String {
    let mut text = String::new();
    let blocks = request["system"].as_array().into_iter().flatten().chain(
        request["messages"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|m| m["content"].as_array().into_iter().flatten()),
    );
    for block in blocks {
        if let Some(t) = block["text"].as_str() {
            text.push_str(t);
        }
    }
    text
}

/// Tokens as the models' tokenizers count English and French prose, about four characters
/// each.
pub fn tokens(text: &str) -> u64 {
    (text.chars().count() as u64).div_ceil(4)
}

/// A use or a refusal, in the IAM gateway's log format (`LIAISON_IAM_LOG`).
fn log_iam(kind: &str, function: &str, check: &Check) {
    use std::io::Write;
    let Some(path) = std::env::var_os("LIAISON_IAM_LOG") else {
        return;
    };
    let line = json!({
        "kind": kind,
        "function": function,
        "operation": "Converse",
        "action": check.action,
        "resource": check.resource,
    });
    if let Ok(mut file) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
    {
        let _ = file.write_all(format!("{line}\n").as_bytes());
    }
}
