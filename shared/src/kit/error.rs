//! The one error type of Liaison, and how each kind maps to an HTTP status.

use crate::kit::config::ConfigError;

pub type Result<T, E = Error> = std::result::Result<T, E>;

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
            Error::Transient(_) => 503,
            Error::Internal(_) | Error::Config(_) => 500,
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
            Error::Transient(_) => "unavailable",
            Error::Internal(_) | Error::Config(_) => "internal",
        }
    }

    /// Whether a queue consumer should let the message come back rather than reject it.
    pub fn is_retryable(&self) -> bool {
        matches!(self, Error::Transient(_) | Error::Internal(_))
    }

    /// The body returned to the caller. Internal details stay in the logs.
    pub fn to_body(&self) -> serde_json::Value {
        let message = match self {
            Error::Internal(_) | Error::Config(_) => "internal error".to_string(),
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
    pub fn from_sdk<E, R>(operation: &str, err: aws_sdk_dynamodb::error::SdkError<E, R>) -> Self
    where
        E: aws_sdk_dynamodb::error::ProvideErrorMetadata + std::fmt::Debug,
        R: std::fmt::Debug,
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
        let code = match &err {
            SdkError::ServiceError(se) => se.err().code().unwrap_or("unknown").to_string(),
            SdkError::TimeoutError(_) => "timeout".into(),
            SdkError::DispatchFailure(_) => "dispatch_failure".into(),
            _ => "sdk_error".into(),
        };
        let message = format!("{operation} failed: {code}");
        if transient {
            Error::Transient(message)
        } else {
            Error::Internal(message)
        }
    }
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
