//! The one error type of Liaison, and how each kind maps to an HTTP status.

use crate::kit::config::ConfigError;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The error of a dependency, kept whole behind an [`Error::Dependency`].
pub type Cause = Box<dyn std::error::Error + Send + Sync + 'static>;

/// What [`Error::from_sdk`] needs of an operation's error: its code and message, and to
/// be kept as a cause.
pub trait SdkOperationError:
    aws_sdk_dynamodb::error::ProvideErrorMetadata + std::error::Error + Send + Sync + 'static
{
}
impl<T> SdkOperationError for T where
    T: aws_sdk_dynamodb::error::ProvideErrorMetadata + std::error::Error + Send + Sync + 'static
{
}

/// What [`Error::from_sdk`] needs of the raw response an SDK error carries.
pub trait SdkResponse: std::fmt::Debug + Send + Sync + 'static {}
impl<T: std::fmt::Debug + Send + Sync + 'static> SdkResponse for T {}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The request is malformed or fails validation; `field` names the culprit when known.
    #[error("{message}")]
    Validation {
        field: Option<String>,
        message: String,
    },
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    MethodNotAllowed(String),
    #[error("{0}")]
    Conflict(String),
    /// No valid credential (no token, bad token, bad webhook signature).
    #[error("{0}")]
    Unauthorized(String),
    /// A valid credential that does not allow this.
    #[error("{0}")]
    Forbidden(String),
    /// It existed and no longer does (an expired link).
    #[error("{0}")]
    Gone(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    /// Worth retrying: throttling, timeouts, 5xx from a dependency.
    #[error("{0}")]
    Transient(String),
    #[error("{0}")]
    Internal(String),
    /// Something Liaison called failed: an AWS service, an encoder, a request builder.
    /// `context` says what was being done and, for AWS, the service's code and message;
    /// `source` is the dependency's own error, for whoever walks the chain.
    #[error("{context}")]
    Dependency {
        context: String,
        /// Worth retrying as it is (throttling, a timeout, a 5xx).
        transient: bool,
        #[source]
        source: Cause,
    },
    #[error(transparent)]
    Config(#[from] ConfigError),
}

impl Error {
    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Validation {
            field: Some(field.into()),
            message: message.into(),
        }
    }

    /// `what` failed because of `source` (`decode cart`, a serde error): an internal error
    /// that keeps its cause.
    pub fn caused(
        what: impl std::fmt::Display,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Error::Dependency {
            context: format!("{what}: {source}"),
            transient: false,
            source: Box::new(source),
        }
    }

    /// The same failure, worth retrying whatever its kind: where the caller's retry is the
    /// only recovery (a platform's webhook delivery, a queue message), an SQS refusal is
    /// answered 503 rather than 500.
    pub fn transient(self) -> Self {
        match self {
            Error::Dependency {
                context, source, ..
            } => Error::Dependency {
                context,
                transient: true,
                source,
            },
            Error::Internal(message) => Error::Transient(message),
            other => other,
        }
    }

    /// Whether waiting and trying again may succeed (throttling, a timeout, a 5xx).
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Error::Transient(_)
                | Error::Dependency {
                    transient: true,
                    ..
                }
        )
    }

    pub fn status(&self) -> u16 {
        match self {
            Error::Validation { .. } => 400,
            Error::Unauthorized(_) => 401,
            Error::Forbidden(_) => 403,
            Error::NotFound(_) => 404,
            Error::MethodNotAllowed(_) => 405,
            Error::Conflict(_) => 409,
            Error::Gone(_) => 410,
            Error::PayloadTooLarge(_) => 413,
            Error::Transient(_)
            | Error::Dependency {
                transient: true, ..
            } => 503,
            Error::Internal(_) | Error::Dependency { .. } | Error::Config(_) => 500,
        }
    }

    /// The input field a validation error names: what a log may say of refused input, whose
    /// message can quote the input itself (serde's "invalid type: string \"...\"").
    pub fn field(&self) -> Option<&str> {
        match self {
            Error::Validation { field, .. } => field.as_deref(),
            _ => None,
        }
    }

    /// The machine-readable code in `{"error":{"code"}}`.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Validation { .. } => "invalid_request",
            Error::Unauthorized(_) => "unauthorized",
            Error::Forbidden(_) => "forbidden",
            Error::NotFound(_) => "not_found",
            Error::MethodNotAllowed(_) => "method_not_allowed",
            Error::Conflict(_) => "conflict",
            Error::Gone(_) => "gone",
            Error::PayloadTooLarge(_) => "payload_too_large",
            Error::Transient(_)
            | Error::Dependency {
                transient: true, ..
            } => "unavailable",
            Error::Internal(_) | Error::Dependency { .. } | Error::Config(_) => "internal",
        }
    }

    /// Whether a queue consumer should let the message come back rather than reject it.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            Error::Transient(_) | Error::Internal(_) | Error::Dependency { .. }
        )
    }

    /// The body returned to the caller. Internal details stay in the logs.
    pub fn to_body(&self) -> serde_json::Value {
        let message = match self {
            Error::Internal(_) | Error::Config(_) => "internal error".to_string(),
            // What failed inside (a table, a service's message) is for the logs only.
            Error::Dependency {
                transient: true, ..
            } => "temporarily unavailable; retry".to_string(),
            Error::Dependency { .. } => "internal error".to_string(),
            other => other.to_string(),
        };
        let mut error = serde_json::json!({ "code": self.code(), "message": message });
        if let Error::Validation {
            field: Some(field), ..
        } = self
        {
            error["field"] = serde_json::Value::String(field.clone());
        }
        serde_json::json!({ "error": error })
    }

    /// Classifies an SDK error: throttling, timeouts and 5xx are transient, the rest internal.
    /// The service's code and message stay in the context (addresses in the message are
    /// masked: SES quotes them, and logs carry no personal data), the error itself as source.
    pub fn from_sdk<E, R>(operation: &str, err: aws_sdk_dynamodb::error::SdkError<E, R>) -> Self
    where
        E: SdkOperationError,
        R: SdkResponse,
    {
        use aws_sdk_dynamodb::error::SdkError;
        let transient = match &err {
            SdkError::TimeoutError(_)
            | SdkError::DispatchFailure(_)
            | SdkError::ResponseError(_) => true,
            SdkError::ServiceError(se) => matches!(
                se.err().code(),
                Some(
                    "ThrottlingException"
                        | "ProvisionedThroughputExceededException"
                        | "RequestLimitExceeded"
                        | "InternalServerError"
                        | "ServiceUnavailable"
                        | "TransactionConflictException"
                )
            ),
            _ => false,
        };
        let context = match &err {
            SdkError::ServiceError(se) => {
                let code = se.err().code().unwrap_or("unknown");
                match se.err().message() {
                    Some(message) => {
                        format!("{operation} failed: {code}: {}", mask_addresses(message))
                    }
                    None => format!("{operation} failed: {code}"),
                }
            }
            SdkError::TimeoutError(_) => format!("{operation} failed: timeout"),
            SdkError::DispatchFailure(_) => format!("{operation} failed: dispatch_failure"),
            _ => format!("{operation} failed: sdk_error"),
        };
        Error::Dependency {
            context,
            transient,
            source: Box::new(err),
        }
    }
}

/// `message` with every word that holds an `@` replaced by `<address>`.
fn mask_addresses(message: &str) -> String {
    message
        .split(' ')
        .map(|word| {
            if word.contains('@') {
                "<address>"
            } else {
                word
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn when_validation_fails_body_should_name_the_field() {
        let err = Error::validation("data.author.email", "must be an email address");
        assert_eq!(err.status(), 400);
        let body = err.to_body();
        assert_eq!(body["error"]["code"], "invalid_request");
        assert_eq!(body["error"]["field"], "data.author.email");
        assert_eq!(body["error"]["message"], "must be an email address");
    }

    #[test]
    fn when_error_is_internal_body_should_not_leak_details() {
        let err = Error::Internal("PutItem failed on table secret-table".into());
        assert_eq!(err.status(), 500);
        assert_eq!(err.to_body()["error"]["message"], "internal error");
    }

    #[test]
    fn a_caused_error_should_keep_its_source_and_hide_it_from_the_caller() {
        let parse = "x".parse::<u32>().unwrap_err();
        let err = Error::caused("decode cart", parse.clone());
        assert_eq!(err.to_string(), format!("decode cart: {parse}"));
        let source = std::error::Error::source(&err).expect("the cause is kept");
        assert_eq!(source.to_string(), parse.to_string());
        assert_eq!(err.status(), 500);
        assert!(err.is_retryable() && !err.is_transient());
        assert_eq!(err.to_body()["error"]["message"], "internal error");
    }

    #[test]
    fn an_sdk_error_should_keep_its_code_and_message_without_addresses() {
        use aws_sdk_dynamodb::error::SdkError;
        use aws_sdk_ses::operation::send_raw_email::SendRawEmailError;
        use aws_sdk_ses::types::error::MessageRejected;
        use aws_smithy_runtime_api::http::{Response, StatusCode};
        use aws_smithy_types::body::SdkBody;
        let rejected = MessageRejected::builder()
            .message("Email address is not verified: ada@example.fr")
            .meta(
                aws_smithy_types::error::ErrorMetadata::builder()
                    .code("MessageRejected")
                    .message("Email address is not verified: ada@example.fr")
                    .build(),
            )
            .build();
        let response = Response::new(StatusCode::try_from(400).unwrap(), SdkBody::empty());
        let err = Error::from_sdk(
            "SendRawEmail",
            SdkError::service_error(SendRawEmailError::MessageRejected(rejected), response),
        );
        let shown = err.to_string();
        assert!(
            shown
                .starts_with("SendRawEmail failed: MessageRejected: Email address is not verified"),
            "{shown}"
        );
        assert!(!shown.contains("ada@"), "{shown}");
        assert!(std::error::Error::source(&err).is_some());
        assert!(!err.is_transient());
    }

    #[test]
    fn each_kind_should_map_to_its_status() {
        let cases = [
            (Error::NotFound("x".into()), 404),
            (Error::Conflict("x".into()), 409),
            (Error::MethodNotAllowed("x".into()), 405),
            (Error::Unauthorized("x".into()), 401),
            (Error::Forbidden("x".into()), 403),
            (Error::PayloadTooLarge("x".into()), 413),
            (Error::Transient("x".into()), 503),
        ];
        for (err, status) in cases {
            assert_eq!(err.status(), status, "{err:?}");
        }
    }
}
