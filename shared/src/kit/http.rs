//! API Gateway HTTP API (payload v2) helpers shared by the HTTP-facing functions.

use aws_lambda_events::apigw::{ApiGatewayV2httpRequest, ApiGatewayV2httpResponse};
use aws_lambda_events::encodings::Body;
use aws_lambda_events::http::{HeaderMap, HeaderValue};
use base64::Engine;
use serde::Serialize;

use crate::kit::error::Error;

pub type Request = ApiGatewayV2httpRequest;
pub type Response = ApiGatewayV2httpResponse;

/// The request's HTTP method (`requestContext.http.method`), upper case.
pub fn method(req: &Request) -> &str {
    req.request_context.http.method.as_str()
}

/// A header value by case-insensitive name (HTTP/2 lowercases names; HeaderMap ignores case).
pub fn header<'a>(req: &'a Request, name: &str) -> Option<&'a str> {
    req.headers.get(name).and_then(|v| v.to_str().ok())
}

pub fn path_param<'a>(req: &'a Request, name: &str) -> Option<&'a str> {
    req.path_parameters.get(name).map(String::as_str)
}

pub fn query_param<'a>(req: &'a Request, name: &str) -> Option<&'a str> {
    req.query_string_parameters.first(name)
}

/// The exact bytes the caller sent: signatures are computed over these, never over a
/// re-serialisation. API Gateway base64-encodes bodies it considers binary.
pub fn raw_body(req: &Request) -> Result<Vec<u8>, Error> {
    match (&req.body, req.is_base64_encoded) {
        (None, _) => Ok(Vec::new()),
        (Some(body), false) => Ok(body.as_bytes().to_vec()),
        (Some(body), true) => base64::engine::general_purpose::STANDARD
            .decode(body)
            .map_err(|_| Error::validation("body", "body is not valid base64")),
    }
}

/// The body as JSON of type `T`; a 400 naming the failing field otherwise.
pub fn json_body<T: serde::de::DeserializeOwned>(req: &Request) -> Result<T, Error> {
    crate::kit::json::from_slice(&raw_body(req)?, "")
}

/// Size of the decoded body without decoding it, to refuse oversized input early.
pub fn raw_body_len(req: &Request) -> usize {
    match (&req.body, req.is_base64_encoded) {
        (None, _) => 0,
        (Some(body), false) => body.len(),
        (Some(body), true) => body.len() / 4 * 3,
    }
}

/// The public base URL the caller reached us on (`https://{domain}`), as API Gateway sees it.
pub fn base_url(req: &Request) -> Option<String> {
    let host = req
        .request_context
        .domain_name
        .clone()
        .or_else(|| header(req, "host").map(str::to_string))?;
    let scheme = header(req, "x-forwarded-proto").unwrap_or("https");
    Some(format!("{scheme}://{host}"))
}

/// The base of the public URLs Liaison hands out (webhook URLs, referral links): the
/// configured `PublicBaseUrl` when a custom domain fronts the API, else the URL the caller
/// reached.
pub fn public_base_url(configured: Option<&str>, req: &Request) -> String {
    configured
        .map(str::to_string)
        .or_else(|| base_url(req))
        .unwrap_or_default()
}

/// The JWT claims API Gateway's authorizer verified, if any.
pub fn jwt_claims(req: &Request) -> Option<&std::collections::HashMap<String, String>> {
    req.request_context
        .authorizer
        .as_ref()
        .and_then(|a| a.jwt.as_ref())
        .map(|jwt| &jwt.claims)
}

/// The response to an API request: `outcome`, or its error as `{"error":{...}}`, logged as
/// refused (4xx) or failed (5xx) with its code only.
pub fn respond(outcome: Result<Response, Error>, api: &str) -> Response {
    match outcome {
        Ok(response) => response,
        Err(err) => {
            if err.status() >= 500 {
                tracing::error!(error = %err, status = err.status(), api, "request failed");
            } else {
                tracing::info!(
                    code = err.code(),
                    status = err.status(),
                    api,
                    "request refused"
                );
            }
            error(&err)
        }
    }
}

pub fn json<T: Serialize>(status: u16, body: &T) -> Response {
    let text = serde_json::to_string(body).unwrap_or_else(|_| "{}".to_string());
    with_body(status, "application/json", text)
}

pub fn text(status: u16, content_type: &str, body: impl Into<String>) -> Response {
    with_body(status, content_type, body.into())
}

pub fn empty(status: u16) -> Response {
    let mut resp = Response::default();
    resp.status_code = i64::from(status);
    resp
}

pub fn error(err: &Error) -> Response {
    json(err.status(), &err.to_body())
}

fn with_body(status: u16, content_type: &str, body: String) -> Response {
    let mut headers = HeaderMap::new();
    if let Ok(value) = HeaderValue::from_str(content_type) {
        headers.insert("content-type", value);
    }
    let mut resp = Response::default();
    resp.status_code = i64::from(status);
    resp.headers = headers;
    resp.body = Some(Body::Text(body));
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(body: &str, base64: bool) -> Request {
        serde_json::from_value(serde_json::json!({
            "version": "2.0",
            "routeKey": "POST /hooks/{source_id}",
            "rawPath": "/hooks/src_1",
            "rawQueryString": "",
            "headers": {"Webhook-Id": "msg_1", "content-type": "application/json"},
            "pathParameters": {"source_id": "src_1"},
            "requestContext": {"http": {"method": "POST", "path": "/hooks/src_1", "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1", "userAgent": "t"}, "domainName": "abc.execute-api.eu-west-1.amazonaws.com"},
            "body": body,
            "isBase64Encoded": base64
        }))
        .expect("valid fixture")
    }

    #[test]
    fn when_body_is_base64_should_return_the_decoded_bytes() {
        let req = request("eyJhIjoxfQ==", true);
        assert_eq!(raw_body(&req).unwrap(), br#"{"a":1}"#);
        assert!(raw_body_len(&req) >= 7);
    }

    #[test]
    fn when_body_is_not_valid_base64_should_be_a_400() {
        let req = request("***", true);
        assert_eq!(raw_body(&req).unwrap_err().status(), 400);
    }

    #[test]
    fn headers_should_be_found_whatever_their_case() {
        let req = request("{}", false);
        assert_eq!(header(&req, "webhook-id"), Some("msg_1"));
        assert_eq!(header(&req, "WEBHOOK-ID"), Some("msg_1"));
        assert_eq!(path_param(&req, "source_id"), Some("src_1"));
        assert_eq!(method(&req), "POST");
        assert_eq!(
            base_url(&req).as_deref(),
            Some("https://abc.execute-api.eu-west-1.amazonaws.com")
        );
    }
}
