//! One call to Bedrock Runtime's Converse API, and what came of it, read as the hosted step
//! needs it: the answer's text, stop reason and token counts; or why there is none
//! (throttled, timed out, any other failure), to fall back on the built-in classifier.
//!
//! The client never retries and gives up after the timeout: a contribution waits for no
//! model, the built-in classifier answers at once.

use std::time::Duration;

use aws_sdk_bedrockruntime::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_bedrockruntime::operation::converse::ConverseError;
use aws_sdk_bedrockruntime::types::{
    ContentBlock, ConversationRole, ConverseOutput as Output, InferenceConfiguration, Message,
    SystemContentBlock,
};

use super::prompt::{Prompt, MAX_ANSWER_TOKENS};
use shared::kit::config::Env;

/// What the model answered.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub text: String,
    pub stop_reason: String,
    pub input_tokens: u64,
    pub output_tokens: u64,
}

/// Why there is no answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// `ThrottlingException` (429).
    Throttled,
    /// No answer within the timeout, or the model's own (`ModelTimeoutException`, 408).
    Timeout,
    /// Anything else, by its error code (`AccessDeniedException`, `ValidationException`...,
    /// or `network` when no answer came at all).
    Error(String),
}

/// The Bedrock Runtime client, at `AWS_ENDPOINT_URL_BEDROCK_RUNTIME` when set (the local
/// stack's double), without retries and with `timeout` for the whole call.
pub fn client(
    sdk: &shared::kit::aws::SdkConfig,
    env: &dyn Env,
    timeout: Duration,
) -> aws_sdk_bedrockruntime::Client {
    let mut conf = aws_sdk_bedrockruntime::config::Builder::from(sdk)
        .retry_config(aws_sdk_bedrockruntime::config::retry::RetryConfig::disabled())
        .timeout_config(
            aws_sdk_bedrockruntime::config::timeout::TimeoutConfig::builder()
                .operation_timeout(timeout)
                .build(),
        );
    if let Some(url) = shared::kit::aws::endpoint(env, "BEDROCK_RUNTIME") {
        conf = conf.endpoint_url(url);
    }
    aws_sdk_bedrockruntime::Client::from_conf(conf.build())
}

/// Asks `model_id` the `prompt`.
pub async fn ask(
    client: &aws_sdk_bedrockruntime::Client,
    model_id: &str,
    prompt: &Prompt,
) -> Result<Reply, Failure> {
    let message = Message::builder()
        .role(ConversationRole::User)
        .content(ContentBlock::Text(prompt.user.clone()))
        .build()
        .map_err(|_| Failure::Error("request".into()))?;
    let answered = client
        .converse()
        .model_id(model_id)
        .system(SystemContentBlock::Text(prompt.system.clone()))
        .messages(message)
        .inference_config(
            InferenceConfiguration::builder()
                .max_tokens(MAX_ANSWER_TOKENS)
                .temperature(0.0)
                .build(),
        )
        .send()
        .await;
    let out = answered.map_err(failure)?;
    let text = match out.output() {
        Some(Output::Message(message)) => message
            .content()
            .iter()
            .filter_map(|block| block.as_text().ok())
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(""),
        _ => String::new(),
    };
    let (input_tokens, output_tokens) = out.usage().map_or((0, 0), |u| {
        (
            u64::try_from(u.input_tokens()).unwrap_or(0),
            u64::try_from(u.output_tokens()).unwrap_or(0),
        )
    });
    Ok(Reply {
        text,
        stop_reason: out.stop_reason().as_str().to_string(),
        input_tokens,
        output_tokens,
    })
}

fn failure<R>(err: SdkError<ConverseError, R>) -> Failure {
    match err {
        SdkError::TimeoutError(_) => Failure::Timeout,
        SdkError::ServiceError(service) => match service.into_err() {
            ConverseError::ThrottlingException(_) => Failure::Throttled,
            ConverseError::ModelTimeoutException(_) => Failure::Timeout,
            other => Failure::Error(other.code().unwrap_or("unknown").to_string()),
        },
        SdkError::DispatchFailure(e) if e.is_timeout() => Failure::Timeout,
        SdkError::DispatchFailure(_) | SdkError::ResponseError(_) => {
            Failure::Error("network".into())
        }
        _ => Failure::Error("request".into()),
    }
}
