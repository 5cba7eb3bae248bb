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
    from_status_after(status, retry_after.and_then(parse_retry_after), message)
}

/// [`from_status`] with the wait already read (from `Retry-After` or a platform's own header).
pub fn from_status_after<T>(status: u16, after: Option<Duration>, message: String) -> Call<T> {
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

/// An HTTP answer, whole: what a platform module reads before deciding (an error body
/// whose reason changes the outcome, a 401 worth a token refresh).
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    /// How long the platform asked to wait: `Retry-After`, else X's `x-rate-limit-reset`.
    pub after: Option<Duration>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The body as JSON (`Null` when empty or not JSON).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }

    /// What this answer means by its status alone: `Done` with the JSON body on a 2xx (`Null`
    /// when the platform answered nothing, as a 201 or 204 may), else what the status says.
    pub fn outcome(self) -> Call<serde_json::Value> {
        if !self.is_success() {
            let message = platform_message(&self.body);
            return from_status_after(self.status, self.after, message);
        }
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Call::Done(serde_json::Value::Null);
        }
        match serde_json::from_slice(&self.body) {
            Ok(value) => Call::Done(value),
            Err(_) => Call::Unknown {
                reason: format!("{} with an answer that is not JSON", self.status),
            },
        }
    }
}

/// Sends `request` and reads its whole answer; `Err` with the outcome when none came back
/// (or a 2xx whose body was lost: done, but not known how).
pub async fn send<T>(request: reqwest::RequestBuilder) -> Result<Response, Call<T>> {
    let response = match request.send().await {
        Ok(response) => response,
        // The URL may carry a token: never in a reason or a log.
        Err(e) => return Err(from_transport(e.is_connect(), e.without_url().to_string())),
    };
    let status = response.status().as_u16();
    let after = wait_asked(response.headers(), now_epoch_seconds());
    match response.bytes().await {
        Ok(body) => Ok(Response {
            status,
            after,
            body: body.to_vec(),
        }),
        Err(e) if (200..300).contains(&status) => Err(Call::Unknown {
            reason: format!("{status}, then the answer was lost: {}", e.without_url()),
        }),
        // An error whose body was lost is still the error its status says.
        Err(_) => Ok(Response {
            status,
            after,
            body: Vec::new(),
        }),
    }
}

/// Sends `request` and reads its JSON answer: `Done` with the body on a 2xx, else what
/// the status or the failure says.
pub async fn json(request: reqwest::RequestBuilder) -> Call<serde_json::Value> {
    match send(request).await {
        Ok(response) => response.outcome(),
        Err(call) => call,
    }
}

/// The wait a response asks for: `Retry-After` (seconds), else X's `x-rate-limit-reset`
/// (the Unix time its window reopens), counted from `now` (Unix seconds).
pub fn wait_asked(headers: &reqwest::header::HeaderMap, now: i64) -> Option<Duration> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    header("retry-after")
        .and_then(parse_retry_after)
        .or_else(|| header("x-rate-limit-reset").and_then(|reset| until_reset(reset, now)))
}

/// Seconds from `now` until the Unix time `reset` (a second at least: a window that has
/// just reopened is still worth the wait of a moment).
pub fn until_reset(reset: &str, now: i64) -> Option<Duration> {
    let reset = reset.trim().parse::<i64>().ok()?;
    let seconds = reset.saturating_sub(now).max(1);
    Some(Duration::from_secs(seconds.unsigned_abs()))
}

fn now_epoch_seconds() -> i64 {
    chrono::Utc::now().timestamp()
}

/// The reason an API gave in its error body (`message`, `error.message`, `errors[0].message`,
/// `detail`, OAuth's `error_description`, an Apigee gateway's `fault.faultstring` (Trustpilot),
/// or its start), for staff to read.
pub fn platform_message(body: &[u8]) -> String {
    let reason = serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| {
            [
                "/message",
                "/error/message",
                "/errors/0/message",
                "/detail",
                "/error_description",
                "/fault/faultstring",
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
        let x = br#"{"title":"Forbidden","type":"about:blank","status":403,"detail":"You cannot send messages to this user."}"#;
        assert_eq!(
            platform_message(x),
            "You cannot send messages to this user."
        );
        let apigee = br#"{"fault":{"faultstring":"Invalid access token","detail":{"errorcode":"oauth.v2.InvalidAccessToken"}}}"#;
        assert_eq!(platform_message(apigee), "Invalid access token");
    }

    #[test]
    fn xs_rate_limit_reset_should_say_how_long_to_wait() {
        assert_eq!(
            until_reset("1705420800", 1_705_420_500),
            Some(Duration::from_secs(300))
        );
        // A reset already past: try again in a moment, not never.
        assert_eq!(
            until_reset("1705420800", 1_705_420_900),
            Some(Duration::from_secs(1))
        );
        assert_eq!(until_reset("soon", 0), None);
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("x-rate-limit-reset", "1000".parse().unwrap());
        assert_eq!(wait_asked(&headers, 940), Some(Duration::from_secs(60)));
        headers.insert("retry-after", "5".parse().unwrap());
        assert_eq!(wait_asked(&headers, 940), Some(Duration::from_secs(5)));
    }

    #[test]
    fn an_empty_success_should_be_done_and_an_unreadable_one_unknown() {
        let answered = |status, body: &[u8]| Response {
            status,
            after: None,
            body: body.to_vec(),
        };
        assert_eq!(
            answered(204, b"").outcome(),
            Call::Done(serde_json::Value::Null)
        );
        assert!(matches!(
            answered(201, b"<html>").outcome(),
            Call::Unknown { .. }
        ));
        assert_eq!(
            answered(429, br#"{"detail":"Too Many Requests"}"#).outcome(),
            Call::Retry {
                after: None,
                reason: "429: Too Many Requests".into()
            }
        );
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
