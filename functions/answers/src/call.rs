//! What became of one call to a platform's API, read from its HTTP outcome alone (pure, so
//! every case is tested). The line that matters is whether the request may have reached the
//! platform: an answer that may have been published is never sent again blindly.

use std::time::Duration;

/// How one call ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Call<T> {
    /// The platform did it; `T` is what it said (the id of what it published).
    Done(T),
    /// It did not happen, and may if tried again later: a rate limit, a quota, a platform
    /// that said it is unavailable, a connection that never opened. `after` is the
    /// platform's `Retry-After` when it gave one.
    Retry {
        after: Option<Duration>,
        reason: String,
    },
    /// The platform refused it for a reason that trying again will not change (a deleted
    /// comment, text it does not take); `credentials` when it refused the brand's
    /// credentials (expired, revoked), which an alarm reports.
    Refused { reason: String, credentials: bool },
    /// It may have happened: the connection dropped after the request was sent, the
    /// platform failed while handling it, or it said yes in words we cannot read.
    Unknown { reason: String },
}

impl<T> Call<T> {
    /// Refused before or by the platform for `why`, with the brand's credentials not in
    /// question.
    pub fn refused(why: impl Into<String>) -> Self {
        Call::Refused {
            reason: why.into(),
            credentials: false,
        }
    }

    /// Not attempted because something Liaison reads first failed (nothing was sent).
    pub fn not_yet(error: shared::Error) -> Self {
        Call::Retry {
            after: None,
            reason: error.to_string(),
        }
    }

    /// What the platform said, read by `f` (which may still find it unreadable).
    pub fn and_then<U>(self, f: impl FnOnce(T) -> Call<U>) -> Call<U> {
        match self {
            Call::Done(value) => f(value),
            Call::Retry { after, reason } => Call::Retry { after, reason },
            Call::Refused {
                reason,
                credentials,
            } => Call::Refused {
                reason,
                credentials,
            },
            Call::Unknown { reason } => Call::Unknown { reason },
        }
    }
}

/// How a call that got an HTTP answer ended. `status` and `retry_after` (the header, as
/// sent) decide; `message` is the platform's own reason, for staff.
pub fn from_status<T>(status: u16, retry_after: Option<&str>, message: String) -> Call<T> {
    let after = retry_after.and_then(parse_retry_after);
    match status {
        // Not handled: the platform says so.
        408 | 429 | 503 => Call::Retry {
            after,
            reason: format!("{status}: {message}"),
        },
        401 | 403 => Call::Refused {
            reason: format!("{status}: {message}"),
            credentials: true,
        },
        400..=499 => Call::Refused {
            reason: format!("{status}: {message}"),
            credentials: false,
        },
        // A 500, 502, 504 may come after the platform wrote: it is not known.
        _ => Call::Unknown {
            reason: format!("{status}: {message}"),
        },
    }
}

/// How a call that got no HTTP answer ended: a connection that never opened sent nothing;
/// any other failure (a timeout, a reset mid-answer) may have come after the platform acted.
pub fn from_transport<T>(connect_failed: bool, what: String) -> Call<T> {
    if connect_failed {
        Call::Retry {
            after: None,
            reason: format!("no connection: {what}"),
        }
    } else {
        Call::Unknown {
            reason: format!("no answer after sending: {what}"),
        }
    }
}

/// Sends `request` and reads its JSON answer: `Done` with the body on a 2xx, else what
/// the status or the failure says.
pub async fn json(request: reqwest::RequestBuilder) -> Call<serde_json::Value> {
    let response = match request.send().await {
        Ok(response) => response,
        // The URL may carry a token: never in a reason or a log.
        Err(e) => return from_transport(e.is_connect(), e.without_url().to_string()),
    };
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let body = response.bytes().await;
    match (status, body) {
        (200..=299, Ok(body)) => match serde_json::from_slice(&body) {
            Ok(value) => Call::Done(value),
            Err(_) => Call::Unknown {
                reason: format!("{status} with an answer that is not JSON"),
            },
        },
        (200..=299, Err(e)) => Call::Unknown {
            reason: format!("{status}, then the answer was lost: {}", e.without_url()),
        },
        (_, body) => {
            let message = body.map(|b| platform_message(&b)).unwrap_or_default();
            from_status(status, retry_after.as_deref(), message)
        }
    }
}

/// The reason an API gave in its error body (`message`, `error.message`, `errors[0].message`,
/// `detail`, or its start), for staff to read.
pub fn platform_message(body: &[u8]) -> String {
    let reason = serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| {
            [
                "/message",
                "/error/message",
                "/errors/0/message",
                "/detail",
                "/errors/0",
            ]
            .iter()
            .find_map(|p| v.pointer(p).and_then(|m| m.as_str()).map(str::to_string))
        })
        .unwrap_or_else(|| String::from_utf8_lossy(body).into_owned());
    reason.chars().take(300).collect()
}

/// `Retry-After` in seconds (the HTTP-date form is rare on APIs and read as absent).
fn parse_retry_after(value: &str) -> Option<Duration> {
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rate_limit_should_be_retried_after_what_the_platform_said() {
        let call: Call<()> = from_status(429, Some("120"), "slow down".into());
        assert_eq!(
            call,
            Call::Retry {
                after: Some(Duration::from_secs(120)),
                reason: "429: slow down".into()
            }
        );
        assert!(matches!(
            from_status::<()>(503, None, String::new()),
            Call::Retry { after: None, .. }
        ));
    }

    #[test]
    fn refused_credentials_should_be_told_from_other_refusals() {
        assert!(matches!(
            from_status::<()>(401, None, "expired".into()),
            Call::Refused {
                credentials: true,
                ..
            }
        ));
        assert!(matches!(
            from_status::<()>(404, None, "no comment".into()),
            Call::Refused {
                credentials: false,
                ..
            }
        ));
    }

    #[test]
    fn the_platforms_reason_should_be_read_from_its_error_body() {
        let wordpress = br#"{"code":"rest_comment_invalid_post_id","message":"Sorry, you are not allowed to create this comment without a post.","data":{"status":403}}"#;
        assert_eq!(
            platform_message(wordpress),
            "Sorry, you are not allowed to create this comment without a post."
        );
        let graph = br#"{"error":{"message":"(#10) This message is sent outside of allowed window.","type":"OAuthException","code":10}}"#;
        assert_eq!(
            platform_message(graph),
            "(#10) This message is sent outside of allowed window."
        );
        let discourse = br#"{"errors":["Body is too short"],"error_type":"invalid_parameters"}"#;
        assert_eq!(platform_message(discourse), "Body is too short");
        assert_eq!(platform_message(b"Bad gateway"), "Bad gateway");
    }

    #[test]
    fn a_server_error_or_a_dropped_answer_should_be_unknown_and_a_refused_connection_retried() {
        for status in [500, 502, 504] {
            assert!(matches!(
                from_status::<()>(status, None, String::new()),
                Call::Unknown { .. }
            ));
        }
        assert!(matches!(
            from_transport::<()>(false, "reset".into()),
            Call::Unknown { .. }
        ));
        assert!(matches!(
            from_transport::<()>(true, "refused".into()),
            Call::Retry { .. }
        ));
    }
}
