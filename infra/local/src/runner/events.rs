//! The JSON events AWS would deliver: API Gateway HTTP API payload v2, SQS batches, and
//! EventBridge scheduled events.

use std::collections::HashMap;

use axum::http::{HeaderMap, Method, Uri};
use base64::Engine;
use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};

pub struct HttpContext<'a> {
    pub route_key: &'a str,
    pub path_parameters: &'a HashMap<String, String>,
    pub claims: Option<&'a HashMap<String, String>>,
    pub host: &'a str,
    pub source_ip: &'a str,
    pub request_id: &'a str,
    pub account_id: &'a str,
    pub now: DateTime<Utc>,
}

/// An API Gateway HTTP API (payload format 2.0) event for this request.
pub fn http_event(
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
    ctx: &HttpContext<'_>,
) -> Value {
    let mut header_map: Map<String, Value> = Map::new();
    let mut cookies = Vec::new();
    for name in headers.keys() {
        let values: Vec<&str> = headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        if name == "cookie" {
            cookies.extend(
                values
                    .iter()
                    .flat_map(|v| v.split("; "))
                    .map(str::to_string),
            );
            continue;
        }
        header_map.insert(name.as_str().to_string(), Value::String(values.join(",")));
    }
    header_map.insert("x-forwarded-proto".into(), "http".into());
    header_map.insert("x-forwarded-for".into(), ctx.source_ip.into());

    let raw_query = uri.query().unwrap_or("");
    let mut query: Map<String, Value> = Map::new();
    for (k, v) in url_pairs(raw_query) {
        match query.get_mut(&k) {
            Some(Value::String(existing)) => {
                existing.push(',');
                existing.push_str(&v);
            }
            _ => {
                query.insert(k, Value::String(v));
            }
        }
    }

    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let (body_value, is_base64) = if body.is_empty() {
        (Value::Null, false)
    } else {
        match std::str::from_utf8(body) {
            Ok(text) if is_textual(content_type) => (Value::String(text.to_string()), false),
            _ => (
                Value::String(base64::engine::general_purpose::STANDARD.encode(body)),
                true,
            ),
        }
    };

    let mut request_context = json!({
        "accountId": ctx.account_id,
        "apiId": "local",
        "domainName": ctx.host,
        "domainPrefix": ctx.host.split('.').next().unwrap_or(ctx.host),
        "http": {
            "method": method.as_str(),
            "path": uri.path(),
            "protocol": "HTTP/1.1",
            "sourceIp": ctx.source_ip,
            "userAgent": headers.get("user-agent").and_then(|v| v.to_str().ok()).unwrap_or(""),
        },
        "requestId": ctx.request_id,
        "routeKey": ctx.route_key,
        "stage": "$default",
        "time": ctx.now.format("%d/%b/%Y:%H:%M:%S %z").to_string(),
        "timeEpoch": ctx.now.timestamp_millis(),
    });
    if let Some(claims) = ctx.claims {
        request_context["authorizer"] = json!({ "jwt": { "claims": claims, "scopes": null } });
    }
    let mut event = json!({
        "version": "2.0",
        "routeKey": ctx.route_key,
        "rawPath": uri.path(),
        "rawQueryString": raw_query,
        "headers": header_map,
        "requestContext": request_context,
        "isBase64Encoded": is_base64,
    });
    if !cookies.is_empty() {
        event["cookies"] = json!(cookies);
    }
    if !query.is_empty() {
        event["queryStringParameters"] = Value::Object(query);
    }
    if !ctx.path_parameters.is_empty() {
        event["pathParameters"] = json!(ctx.path_parameters);
    }
    if !body_value.is_null() {
        event["body"] = body_value;
    }
    event
}

/// API Gateway passes text bodies as they are and base64-encodes the rest.
fn is_textual(content_type: &str) -> bool {
    let ct = content_type.to_ascii_lowercase();
    ct.is_empty()
        || ct.starts_with("text/")
        || ct.contains("json")
        || ct.contains("xml")
        || ct.starts_with("application/x-www-form-urlencoded")
        || ct.starts_with("application/javascript")
}

fn url_pairs(query: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// An SQS event for a batch, as Lambda's event source mapping builds it.
pub fn sqs_event(messages: &[aws_sdk_sqs::types::Message], queue_arn: &str, region: &str) -> Value {
    let records: Vec<Value> = messages
        .iter()
        .map(|m| {
            let attributes: Map<String, Value> = m
                .attributes()
                .map(|attrs| {
                    attrs
                        .iter()
                        .map(|(k, v)| (k.as_str().to_string(), Value::String(v.clone())))
                        .collect()
                })
                .unwrap_or_default();
            let message_attributes: Map<String, Value> = m
                .message_attributes()
                .map(|attrs| {
                    attrs
                        .iter()
                        .map(|(k, v)| {
                            (
                                k.clone(),
                                json!({
                                    "stringValue": v.string_value(),
                                    "stringListValues": [],
                                    "binaryListValues": [],
                                    "dataType": v.data_type(),
                                }),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            json!({
                "messageId": m.message_id(),
                "receiptHandle": m.receipt_handle(),
                "body": m.body(),
                "attributes": attributes,
                "messageAttributes": message_attributes,
                "md5OfBody": m.md5_of_body(),
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": region,
            })
        })
        .collect();
    json!({ "Records": records })
}

/// The event EventBridge sends for a schedule.
pub fn scheduled_event(
    rule_arn: &str,
    account_id: &str,
    region: &str,
    id: &str,
    now: DateTime<Utc>,
) -> Value {
    json!({
        "version": "0",
        "id": id,
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": account_id,
        "time": now.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        "region": region,
        "resources": [rule_arn],
        "detail": {},
    })
}
