//! The poller's HTTP client: timeouts on connect and on the whole request, a size limit on
//! bodies, and errors sorted into what the backoff needs to know.

use std::time::Duration as StdDuration;

use chrono::Duration;
use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::{Client, RequestBuilder, StatusCode};
use serde::de::DeserializeOwned;

/// Bodies beyond this are refused: a page of 100 comments or orders is far smaller.
const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("the platform refused our credentials ({0})")]
    Unauthorized(StatusCode),
    #[error("rate limited or quota exceeded ({0})")]
    RateLimited(StatusCode, Option<Duration>),
    #[error("the platform answered {0}")]
    Status(StatusCode),
    #[error("network error: {0}")]
    Network(String),
    #[error("unexpected response body: {0}")]
    Body(String),
    /// A staff-typed URL Liaison does not call (shared::contracts::outbound).
    #[error("the site's URL {0}")]
    Destination(&'static str),
}

impl FetchError {
    /// How long the platform asked us to wait, if it did.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            FetchError::RateLimited(_, after) => *after,
            _ => None,
        }
    }
}

#[derive(Clone)]
pub struct Fetcher {
    client: Client,
    /// `OUTBOUND_ALLOW_PRIVATE`: the local stack's doubles listen on loopback, over HTTP.
    allow_private: bool,
}

/// A successful response: the decoded body and the headers (for pagination).
pub struct Page<T> {
    pub body: T,
    pub headers: HeaderMap,
}

impl Fetcher {
    /// Redirects are not followed: a site's URL was checked, where it redirects was not (and
    /// the credentials would follow). Names resolve to public addresses only, unless
    /// `allow_private`.
    pub fn new(timeout: StdDuration, allow_private: bool) -> Result<Self, shared::Error> {
        let client = shared::contracts::outbound::client(
            concat!("Liaison-poll/", env!("CARGO_PKG_VERSION")),
            timeout,
            allow_private,
        )?;
        Ok(Fetcher {
            client,
            allow_private,
        })
    }

    /// Whether a staff-typed URL may be called (with credentials: HTTPS, a public address).
    pub fn destination(&self, url: &str) -> Result<(), FetchError> {
        shared::contracts::outbound::check_url(url, self.allow_private)
            .map_err(FetchError::Destination)
    }

    pub fn get(&self, url: &str) -> RequestBuilder {
        self.client.get(url)
    }

    pub fn post(&self, url: &str) -> RequestBuilder {
        self.client.post(url)
    }

    /// Sends and decodes a JSON body.
    pub async fn json<T: DeserializeOwned>(
        &self,
        request: RequestBuilder,
    ) -> Result<Page<T>, FetchError> {
        let (headers, bytes) = self.send(request).await?;
        let body = serde_json::from_slice(&bytes).map_err(|e| FetchError::Body(e.to_string()))?;
        Ok(Page { body, headers })
    }

    /// Sends; any 2xx is success.
    pub async fn send(&self, request: RequestBuilder) -> Result<(HeaderMap, Vec<u8>), FetchError> {
        let response = request
            .send()
            .await
            .map_err(|e| FetchError::Network(without_url(&e)))?;
        let status = response.status();
        let headers = response.headers().clone();
        if !status.is_success() {
            return Err(classify(status, &headers));
        }
        Ok((headers, read_body(response).await?))
    }

    /// Sends, and gives back the status and the body whatever the status: for a platform
    /// that says in the body what went wrong (the Graph API answers 400 to every error).
    pub async fn exchange(
        &self,
        request: RequestBuilder,
    ) -> Result<(StatusCode, Vec<u8>), FetchError> {
        let response = request
            .send()
            .await
            .map_err(|e| FetchError::Network(without_url(&e)))?;
        let status = response.status();
        if status == StatusCode::TOO_MANY_REQUESTS {
            return Err(classify(status, response.headers()));
        }
        Ok((status, read_body(response).await?))
    }
}

/// A response's body, at most [`MAX_BODY_BYTES`].
async fn read_body(mut response: reqwest::Response) -> Result<Vec<u8>, FetchError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| FetchError::Network(without_url(&e)))?
    {
        if bytes.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(FetchError::Body(format!(
                "larger than {MAX_BODY_BYTES} bytes"
            )));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

/// reqwest's messages include the URL, which carries API keys: keep only the kind of error.
fn without_url(err: &reqwest::Error) -> String {
    if err.is_timeout() {
        return "timed out".into();
    }
    if err.is_connect() {
        return "could not connect".into();
    }
    let text = err.to_string();
    match err.url() {
        Some(url) => text.replace(url.as_str(), "<url>"),
        None => text,
    }
}

fn classify(status: StatusCode, headers: &HeaderMap) -> FetchError {
    let retry_after = headers
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<i64>().ok())
        .map(Duration::seconds);
    match status {
        StatusCode::UNAUTHORIZED => FetchError::Unauthorized(status),
        // YouTube answers 403 with reason quotaExceeded when the daily quota is spent; other
        // platforms answer 403 for a login without the right capability.
        StatusCode::FORBIDDEN => FetchError::Unauthorized(status),
        StatusCode::TOO_MANY_REQUESTS => FetchError::RateLimited(status, retry_after),
        s if s.is_server_error() => match retry_after {
            Some(after) => FetchError::RateLimited(s, Some(after)),
            None => FetchError::Status(s),
        },
        s => FetchError::Status(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_should_sort_into_what_backoff_needs() {
        let mut h = HeaderMap::new();
        assert!(matches!(
            classify(StatusCode::UNAUTHORIZED, &h),
            FetchError::Unauthorized(_)
        ));
        h.insert(RETRY_AFTER, "120".parse().unwrap());
        let limited = classify(StatusCode::TOO_MANY_REQUESTS, &h);
        assert_eq!(limited.retry_after(), Some(Duration::seconds(120)));
        assert!(matches!(
            classify(StatusCode::BAD_GATEWAY, &HeaderMap::new()),
            FetchError::Status(_)
        ));
    }
}

#[cfg(test)]
mod destination_tests {
    use super::*;

    #[test]
    fn credentials_should_go_only_to_a_public_https_site() {
        let strict = Fetcher::new(StdDuration::from_secs(1), false).unwrap();
        for url in [
            "http://blog.example/wp-json/wp/v2/comments",
            "https://127.0.0.1/wp-json",
            "https://169.254.169.254/",
        ] {
            assert!(
                matches!(strict.destination(url), Err(FetchError::Destination(_))),
                "{url}"
            );
        }
        assert!(strict
            .destination("https://blog.example/wp-json/wp/v2/comments")
            .is_ok());
        let local = Fetcher::new(StdDuration::from_secs(1), true).unwrap();
        assert!(local.destination("http://127.0.0.1:8080/wp-json").is_ok());
    }
}
