//! The ingest pipeline, the same for every platform:
//! source → handshake → signature (raw bytes) → size → parse → per event: claim the
//! dedupe key (conditional write) → enqueue → mark done.
//!
//! Nothing is stored or enqueued for a rejected request. An event whose enqueue fails gives
//! its claim back and the request answers 503, so the platform's retry gets it through; a
//! crash between enqueue and "done" leaves a claim whose lease runs out, after which a retry
//! enqueues again with the same event id (consumers are idempotent on it).

use serde_json::json;
use shared::contracts::sources::Source;
use shared::kit::http::{self, Request, Response};
use shared::kit::metrics;
use shared::Error;

use crate::connectors;
use crate::intake::Outcome;
use crate::receipts::{self, Delivery, Handled};
use crate::request::Report;
use crate::request::{HookRequest, Ignored, Parsed, PRIVATE_MESSAGE};
use crate::Deps;

pub async fn ingest(deps: &Deps, req: &Request) -> Result<Response, Error> {
    let source_id = http::path_param(req, "source_id").unwrap_or_default();
    let source = load_source(deps, source_id).await?;
    let delivered = deliver(deps, req, &source).await;
    receipts::keep(deps, &source, &delivered).await;
    delivered.map(|delivery| match delivery {
        Delivery::Handshake(answer) => answer,
        Delivery::Handled(handled) => {
            respond(&handled.outcomes, &handled.ignored, handled.report.as_ref())
        }
    })
}

async fn deliver(deps: &Deps, req: &Request, source: &Source) -> Result<Delivery, Error> {
    let connector = connectors::for_platform(source.platform);
    let body = http::raw_body(req)?;
    let now = deps.clock.now();
    let url = called_url(req);
    let hook = HookRequest {
        method: http::method(req),
        url: &url,
        headers: &req.headers,
        query: &req.query_string_parameters,
        body: &body,
        now,
    };
    if let Some(answer) = connector.handshake(&hook, source) {
        return answer.map(Delivery::Handshake);
    }
    if hook.method != "POST" {
        return Err(Error::MethodNotAllowed(format!(
            "{} sources take POST only",
            source.platform
        )));
    }
    connector.verify(&hook, source)?;
    connector.check_size(&hook, &deps.limits)?;
    let parsed = match connector.parse(&hook, source) {
        Ok(parsed) => parsed,
        Err(err @ Error::Validation { .. }) if !connector.strict() => {
            Parsed::ignored("unparseable", err.to_string())
        }
        Err(err) => return Err(err),
    };
    let correlation_id = req.request_context.request_id.clone().unwrap_or_default();
    let event = connector.event_name(&hook).map(str::to_string);
    if !parsed.ignored.is_empty() {
        record_ignored(deps, source, event.as_deref(), &body, &parsed.ignored).await?;
    }

    let mut outcomes = Vec::with_capacity(parsed.events.len());
    for normalised in parsed.events {
        let outcome = deps
            .intake
            .accept(source, normalised, &correlation_id)
            .await?;
        tracing::info!(
            source_id = %source.id,
            platform = %source.platform,
            event_id = %outcome.id,
            duplicate = outcome.duplicate,
            messages = outcome.messages,
            correlation_id = %correlation_id,
            "webhook event accepted"
        );
        outcomes.push(outcome);
    }
    Ok(Delivery::Handled(Handled {
        event,
        outcomes,
        ignored: parsed.ignored,
        report: parsed.report,
    }))
}

/// Keeps the raw body of what was ignored and counts it (metric `IgnoredEvents`, by
/// platform and reason). A failure here fails the request (503), so the platform's retry
/// brings the body back rather than it vanishing.
async fn record_ignored(
    deps: &Deps,
    source: &Source,
    event: Option<&str>,
    body: &[u8],
    ignored: &[Ignored],
) -> Result<(), Error> {
    let now = deps.clock.now();
    // A private message is not public conversation: record that it came, not what it said.
    let private = ignored.iter().any(|i| i.reason == PRIVATE_MESSAGE);
    let body: &[u8] = if private {
        b"(a private message: the body is not kept)"
    } else {
        body
    };
    let reasons = ignored
        .iter()
        .map(|i| format!("{}: {}", i.reason, i.detail))
        .collect();
    let record = deps
        .ignored
        .record(
            &source.id,
            source.platform.as_str(),
            event,
            body,
            reasons,
            now,
            deps.limits.ignored_retention,
        )
        .await?;
    for item in ignored {
        metrics::count(
            "IgnoredEvents",
            1,
            &[
                ("Platform", source.platform.as_str()),
                ("Reason", item.reason),
            ],
            now,
        );
    }
    tracing::info!(
        source_id = %source.id,
        platform = %source.platform,
        ignored_id = %record.id,
        count = ignored.len(),
        reason = ignored[0].reason,
        "webhook content ignored"
    );
    Ok(())
}

/// The URL the platform called: API Gateway's domain, the raw path and query. Always
/// `https`: API Gateway takes nothing else (the local runner's plain HTTP stands for it).
fn called_url(req: &Request) -> String {
    let domain = req
        .request_context
        .domain_name
        .as_deref()
        .unwrap_or_default();
    let path = req.raw_path.as_deref().unwrap_or_default();
    match req.raw_query_string.as_deref().filter(|q| !q.is_empty()) {
        Some(query) => format!("https://{domain}{path}?{query}"),
        None => format!("https://{domain}{path}"),
    }
}

async fn load_source(deps: &Deps, source_id: &str) -> Result<Source, Error> {
    let not_found = || Error::NotFound("no such source".to_string());
    // Ids are generated by us: anything else is not worth a read.
    if !is_source_id(source_id) {
        return Err(not_found());
    }
    deps.sources.get(source_id).await?.ok_or_else(not_found)
}

fn is_source_id(id: &str) -> bool {
    id.strip_prefix("src_").is_some_and(|rest| {
        rest.len() == 26
            && rest
                .bytes()
                .all(|b| b.is_ascii_lowercase() || (b'2'..=b'7').contains(&b))
    })
}

/// 202 when something new was queued; 200 for duplicates only, pings and bodies ignored.
/// A report (what was done to the input) adds its fields, and then `messages`: how many
/// queue messages this request sent.
fn respond(outcomes: &[Outcome], ignored: &[Ignored], report: Option<&Report>) -> Response {
    let queued_new = outcomes.iter().any(|o| !o.duplicate);
    let status = if queued_new { 202 } else { 200 };
    let mut body = match outcomes {
        [] => json!({"received": true}),
        [one] if one.duplicate => json!({"id": one.id, "duplicate": true}),
        [one] => json!({"id": one.id}),
        many => json!({
            "events": many.iter().map(|o| json!({"id": o.id, "duplicate": o.duplicate})).collect::<Vec<_>>(),
        }),
    };
    if let (Some(report), Some(fields)) = (report, body.as_object_mut()) {
        if let serde_json::Value::Object(extra) = report.to_json() {
            fields.extend(extra);
        }
        if let [one] = outcomes {
            if !one.duplicate {
                fields.insert("messages".into(), json!(one.messages));
            }
        }
    }
    if !ignored.is_empty() {
        body["ignored"] = ignored
            .iter()
            .map(|i| json!({"reason": i.reason, "detail": i.detail}))
            .collect();
    }
    http::json(status, &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_generated_source_ids_should_be_looked_up() {
        assert!(is_source_id("src_abcdefghijklmnopqrstuvwxyz"));
        assert!(!is_source_id("src_ABCDEFGHIJKLMNOPQRSTUVWXYZ"));
        assert!(!is_source_id("src_abc"));
        assert!(!is_source_id("../admin"));
    }

    #[test]
    fn a_delivery_of_only_duplicates_should_answer_200() {
        let dup = Outcome {
            id: "evt_1".into(),
            duplicate: true,
            messages: 0,
        };
        let new = Outcome {
            id: "evt_2".into(),
            duplicate: false,
            messages: 1,
        };
        assert_eq!(
            respond(std::slice::from_ref(&dup), &[], None).status_code,
            200
        );
        assert_eq!(
            respond(std::slice::from_ref(&new), &[], None).status_code,
            202
        );
        assert_eq!(respond(&[dup, new], &[], None).status_code, 202);
        assert_eq!(respond(&[], &[], None).status_code, 200);
    }

    fn body_of(response: &Response) -> serde_json::Value {
        match &response.body {
            Some(aws_lambda_events::encodings::Body::Text(text)) => {
                serde_json::from_str(text).unwrap()
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_report_should_be_added_to_the_answer() {
        let (_, report) = crate::social::connected(
            &json!({"platform": "x", "account": {"id": "me"}, "customer": {"id": "c1"},
                    "connections": [{"id": "me", "relation": "fan"}, {"id": "u1", "relation": "fan"}]})
            .to_string(),
        )
        .unwrap();
        let new = Outcome {
            id: "evt_2".into(),
            duplicate: false,
            messages: 1,
        };
        let answer = respond(std::slice::from_ref(&new), &[], Some(&report));
        assert_eq!(answer.status_code, 202);
        let body = body_of(&answer);
        assert_eq!(body["id"], "evt_2");
        assert_eq!(body["accepted"], 1);
        assert_eq!(body["dropped"]["self"], 1);
        assert_eq!(body["messages"], 1);
        let dup = Outcome {
            duplicate: true,
            messages: 0,
            ..new
        };
        let again = body_of(&respond(&[dup], &[], Some(&report)));
        assert_eq!(again["duplicate"], true);
        assert_eq!(again["accepted"], 1);
        assert!(again.get("messages").is_none());
    }
}
