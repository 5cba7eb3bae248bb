//! docs/openapi.yaml as the judge of every answer the journeys receive from the staff, site
//! and webhook API (and of the public links' status and media type): the operation is found
//! by its path template, the response by its status (exact, then `4XX`, then `default`), and
//! a JSON body is validated against the response's schema by the `jsonschema` crate (OpenAPI
//! 3.1 schemas are JSON Schema 2020-12, formats asserted), not by our own reading of the
//! description. A journey fails when a handler answers what the contract does not describe:
//! an undocumented status, a body that breaks its schema, a media type not listed, a body
//! where none is described or none where one is.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, OnceLock};

use reqwest::{RequestBuilder, Response, ResponseBuilderExt};
use serde_json::Value;

/// How many schema errors a refusal names, and how much of the body it shows.
const ERRORS_SHOWN: usize = 5;
const BODY_SHOWN: usize = 1500;

/// docs/openapi.yaml, read once, and the validators compiled from it (one per response
/// schema, compiled the first time a journey receives that response).
struct Contract {
    document: Value,
    validators: Mutex<HashMap<String, Arc<jsonschema::Validator>>>,
}

fn contract() -> &'static Contract {
    static CONTRACT: OnceLock<Contract> = OnceLock::new();
    CONTRACT.get_or_init(|| {
        let path = liaison_local::stack::repo_root().join("docs/openapi.yaml");
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let document = liaison_stack::template::document(&text)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        Contract {
            document,
            validators: Mutex::new(HashMap::new()),
        }
    })
}

/// Checks a JSON answer: `body` is what the response carried (`Value::Null` when it carried
/// nothing). Panics, naming the call, the status and what is wrong, when the answer is not
/// what docs/openapi.yaml describes for this operation and status.
pub fn check(method: &str, path_with_query: &str, status: u16, body: &Value) {
    if let Err(refusal) = verdict(method, path_with_query, status, body) {
        panic!("{refusal}");
    }
}

/// What [`check`] decides, as a value: `Err` holds the refusal it would panic with.
pub fn verdict(
    method: &str,
    path_with_query: &str,
    status: u16,
    body: &Value,
) -> Result<(), String> {
    judge(method, path_with_query, status, Body::Json(body))
        .map_err(|why| refusal(method, path_with_query, status, &why, &body.to_string()))
}

/// Checks a response as received: its `Content-Type` (JSON bodies are parsed and validated,
/// others must be a media type the response documents) and its raw bytes.
pub fn check_raw(
    method: &str,
    path_with_query: &str,
    status: u16,
    content_type: Option<&str>,
    bytes: &[u8],
) {
    if let Err(refusal) = verdict_raw(method, path_with_query, status, content_type, bytes) {
        panic!("{refusal}");
    }
}

/// What [`check_raw`] decides, as a value.
pub fn verdict_raw(
    method: &str,
    path_with_query: &str,
    status: u16,
    content_type: Option<&str>,
    bytes: &[u8],
) -> Result<(), String> {
    let body = Body::Raw {
        content_type,
        bytes,
    };
    judge(method, path_with_query, status, body).map_err(|why| {
        let shown = String::from_utf8_lossy(bytes);
        refusal(method, path_with_query, status, &why, &shown)
    })
}

/// `send()`, then the answer checked against docs/openapi.yaml ([`check_raw`]); the response
/// is handed back as it arrived (status, headers, body and URL). For the routes the document
/// describes only (not the runner's `/_local/...` or `/oidc/...`).
pub trait SendChecked {
    fn send_checked(self) -> impl Future<Output = reqwest::Result<Response>> + Send;
}

impl SendChecked for RequestBuilder {
    async fn send_checked(self) -> reqwest::Result<Response> {
        let (client, request) = self.build_split();
        let request = request?;
        let method = request.method().as_str().to_string();
        let url = request.url().clone();
        let resp = client.execute(request).await?;
        let status = resp.status();
        let version = resp.version();
        let headers = resp.headers().clone();
        let resp_url = resp.url().clone();
        let bytes = resp.bytes().await?;
        let content_type = headers
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok());
        let path_with_query = match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_string(),
        };
        // A client that follows redirects hands back the last hop's answer, which is not this
        // operation's: only an answer of the URL asked is judged.
        if resp_url == url {
            check_raw(
                &method,
                &path_with_query,
                status.as_u16(),
                content_type,
                &bytes,
            );
        }
        let mut rebuilt = http::Response::builder()
            .status(status)
            .version(version)
            .url(resp_url);
        if let Some(h) = rebuilt.headers_mut() {
            *h = headers;
        }
        Ok(Response::from(
            rebuilt
                .body(bytes)
                .expect("the parts of a received response"),
        ))
    }
}

enum Body<'a> {
    /// A body already parsed as JSON (`Null`: none).
    Json(&'a Value),
    Raw {
        content_type: Option<&'a str>,
        bytes: &'a [u8],
    },
}

fn refusal(method: &str, path: &str, status: u16, why: &str, body: &str) -> String {
    format!(
        "{method} {path} answered {status}, which docs/openapi.yaml does not describe:\n{why}\nbody: {}",
        truncated(body)
    )
}

fn truncated(text: &str) -> String {
    match text.char_indices().nth(BODY_SHOWN) {
        Some((at, _)) => format!("{}... ({} bytes in all)", &text[..at], text.len()),
        None => text.to_string(),
    }
}

/// `Ok` when the answer is described; otherwise why not.
fn judge(method: &str, path_with_query: &str, status: u16, body: Body<'_>) -> Result<(), String> {
    let contract = contract();
    let doc = &contract.document;
    let path = path_with_query.split(['?', '#']).next().unwrap_or_default();
    let template = operation_path(doc, path)
        .ok_or_else(|| format!("no path of docs/openapi.yaml matches {path}"))?;
    let method = method.to_ascii_lowercase();
    let operation = doc["paths"][template.as_str()]
        .get(&method)
        .ok_or_else(|| format!("{template} has no {} operation", method.to_uppercase()))?;
    let responses = operation["responses"]
        .as_object()
        .ok_or_else(|| format!("{} {template} has no responses", method.to_uppercase()))?;
    let code = response_code(responses.keys().map(String::as_str), status).ok_or_else(|| {
        format!(
            "{} {template} documents no {status} (only {})",
            method.to_uppercase(),
            responses.keys().cloned().collect::<Vec<_>>().join(", ")
        )
    })?;
    let mut pointer = format!(
        "#/paths/{}/{method}/responses/{}",
        escape(&template),
        escape(code)
    );
    let mut response = &responses[code];
    // A response may be a `$ref` to `#/components/responses/...` (an OpenAPI reference, which
    // a JSON Schema validator would not follow): followed here.
    for _ in 0..8 {
        let Some(target) = response.get("$ref").and_then(Value::as_str) else {
            break;
        };
        response = doc
            .pointer(target.trim_start_matches('#'))
            .ok_or_else(|| format!("{pointer}: the reference {target} is not in the document"))?;
        pointer = target.to_string();
    }
    let described = format!("{} {template} {code}", method.to_uppercase());
    let content = response.get("content").and_then(Value::as_object);

    let (media, parsed) = match body {
        Body::Json(Value::Null) => (None, None),
        Body::Json(value) => (Some("application/json"), Some(value.clone())),
        Body::Raw { bytes: [], .. } => (None, None),
        Body::Raw {
            content_type,
            bytes,
        } => {
            let essence = content_type
                .and_then(|c| c.split(';').next())
                .map(|c| c.trim().to_ascii_lowercase())
                .unwrap_or_default();
            if is_json(&essence) {
                let value = serde_json::from_slice(bytes)
                    .map_err(|e| format!("the body is not JSON ({e}) though it says {essence}"))?;
                (Some("application/json"), Some(value))
            } else {
                return match content.map(|c| media_entry(c, &essence)) {
                    None => Err(format!(
                        "{described} is documented without a body, and a {essence:?} body came"
                    )),
                    Some(None) => Err(format!(
                        "{described} documents {}, not {essence:?}",
                        media_types(content)
                    )),
                    Some(Some(_)) => Ok(()),
                };
            }
        }
    };
    let (Some(media), Some(value)) = (media, parsed) else {
        // No body: right when none is described (a 204, a redirect).
        return match content {
            Some(c) if !c.is_empty() => Err(format!(
                "{described} documents a body ({}), and none came",
                media_types(content)
            )),
            _ => Ok(()),
        };
    };
    let Some(content) = content else {
        return Err(format!(
            "{described} is documented without a body, and one came"
        ));
    };
    let Some(key) = media_entry(content, media) else {
        return Err(format!(
            "{described} documents {}, not JSON",
            media_types(Some(content))
        ));
    };
    if content[key].get("schema").is_none() {
        return Ok(());
    }
    let schema_pointer = format!("{pointer}/content/{}/schema", escape(key));
    let validator = validator(contract, &schema_pointer)?;
    let errors: Vec<String> = validator
        .iter_errors(&value)
        .map(|e| {
            let at = e.instance_path().to_string();
            let at = if at.is_empty() { "/".to_string() } else { at };
            format!("  at {at}: {e}")
        })
        .collect();
    if errors.is_empty() {
        return Ok(());
    }
    let more = errors.len().saturating_sub(ERRORS_SHOWN);
    let mut why = format!("the body breaks the schema of {described} ({schema_pointer}):\n");
    why.push_str(&errors[..errors.len().min(ERRORS_SHOWN)].join("\n"));
    if more > 0 {
        why.push_str(&format!("\n  ... and {more} more"));
    }
    Err(why)
}

/// The validator of the schema at `pointer`: the whole document as the schema's resource (so
/// `#/components/...` references resolve) with a root `$ref` to the response's schema.
fn validator(contract: &Contract, pointer: &str) -> Result<Arc<jsonschema::Validator>, String> {
    let mut cache = contract
        .validators
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(found) = cache.get(pointer) {
        return Ok(found.clone());
    }
    let mut schema = contract.document.clone();
    schema
        .as_object_mut()
        .expect("an OpenAPI document is an object")
        .insert("$ref".into(), Value::String(pointer.to_string()));
    let compiled = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .build(&schema)
        .map_err(|e| format!("the schema {pointer} does not compile: {e}"))?;
    let compiled = Arc::new(compiled);
    cache.insert(pointer.to_string(), compiled.clone());
    Ok(compiled)
}

/// The path template of docs/openapi.yaml that `path` is an instance of; when several are,
/// the one whose first differing segment is literal (`/admin/campaigns/{id}/stats` over
/// `/admin/campaigns/{id}/{action}`).
fn operation_path(doc: &Value, path: &str) -> Option<String> {
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    doc["paths"]
        .as_object()?
        .keys()
        .filter_map(|template| {
            let parts: Vec<&str> = template.trim_end_matches('/').split('/').collect();
            if parts.len() != segments.len() {
                return None;
            }
            let mut literal = Vec::with_capacity(parts.len());
            for (part, segment) in parts.iter().zip(&segments) {
                let is_param = part.starts_with('{') && part.ends_with('}');
                if is_param {
                    if segment.is_empty() {
                        return None;
                    }
                } else if part != segment {
                    return None;
                }
                literal.push(!is_param);
            }
            Some((literal, template))
        })
        .max_by(|a, b| a.0.cmp(&b.0))
        .map(|(_, template)| template.clone())
}

/// The response key for `status`: the exact code, else its range (`4XX`), else `default`.
fn response_code<'a>(
    mut keys: impl Iterator<Item = &'a str> + Clone,
    status: u16,
) -> Option<&'a str> {
    let exact = status.to_string();
    let range = format!("{}XX", status / 100);
    keys.clone()
        .find(|k| *k == exact)
        .or_else(|| keys.clone().find(|k| k.eq_ignore_ascii_case(&range)))
        .or_else(|| keys.find(|k| *k == "default"))
}

fn is_json(essence: &str) -> bool {
    essence == "application/json" || essence.ends_with("+json")
}

/// The key of `content` that covers `essence` (`text/html`, `text/*`, `*/*`).
fn media_entry<'a>(content: &'a serde_json::Map<String, Value>, essence: &str) -> Option<&'a str> {
    let kind = essence.split('/').next().unwrap_or_default();
    let keys = || content.keys().map(String::as_str);
    keys()
        .find(|k| k.eq_ignore_ascii_case(essence))
        .or_else(|| {
            keys().find(|k| {
                k.strip_suffix("/*")
                    .is_some_and(|t| t.eq_ignore_ascii_case(kind))
            })
        })
        .or_else(|| keys().find(|k| *k == "*/*"))
}

fn media_types(content: Option<&serde_json::Map<String, Value>>) -> String {
    content
        .map(|c| c.keys().cloned().collect::<Vec<_>>().join(", "))
        .unwrap_or_default()
}

/// A JSON pointer token (`~` as `~0`, `/` as `~1`) as it may stand in a URI fragment: the
/// characters a fragment does not allow (`{`, `}` of path templates) percent-encoded.
fn escape(token: &str) -> String {
    token
        .replace('%', "%25")
        .replace('~', "~0")
        .replace('/', "~1")
        .replace('{', "%7B")
        .replace('}', "%7D")
        .replace(' ', "%20")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn refused(method: &str, path: &str, status: u16, body: Value) -> String {
        verdict(method, path, status, &body).expect_err("a refusal")
    }

    fn case(id: &str) -> Value {
        json!({
            "id": id,
            "event_id": "evt_1",
            "source_id": "src_1",
            "platform": "wordpress",
            "contact_id": "ct_1",
            "status": "open",
            "opened_at": "2025-03-01T10:00:00Z",
            "text": "My order arrived broken.",
            "priority": "P2",
            "due_at": "2025-03-01T14:00:00Z",
            "cues": ["broken"],
        })
    }

    #[test]
    fn a_path_should_match_its_template_preferring_literal_segments() {
        let doc = &contract().document;
        assert_eq!(
            operation_path(doc, "/admin/cases/case_123").as_deref(),
            Some("/admin/cases/{id}")
        );
        assert_eq!(
            operation_path(doc, "/admin/cases/case_123/answers").as_deref(),
            Some("/admin/cases/{id}/answers")
        );
        assert_eq!(
            operation_path(doc, "/admin/campaigns/cmp_1/stats").as_deref(),
            Some("/admin/campaigns/{id}/stats")
        );
        assert_eq!(
            operation_path(doc, "/admin/campaigns/cmp_1/pause").as_deref(),
            Some("/admin/campaigns/{id}/{action}")
        );
        assert_eq!(operation_path(doc, "/admin/nowhere"), None);
    }

    #[test]
    fn a_status_should_find_its_code_then_its_range_then_default() {
        let keys = ["200", "4XX", "default"];
        assert_eq!(response_code(keys.into_iter(), 200), Some("200"));
        assert_eq!(response_code(keys.into_iter(), 404), Some("4XX"));
        assert_eq!(response_code(keys.into_iter(), 503), Some("default"));
        assert_eq!(response_code(["200", "5XX"].into_iter(), 503), Some("5XX"));
        assert_eq!(response_code(["200"].into_iter(), 404), None);
    }

    #[test]
    fn a_body_the_schema_describes_should_be_accepted() {
        check("GET", "/admin/cases/case_1", 200, &case("case_1"));
        check(
            "GET",
            "/admin/cases?status=open&limit=5",
            200,
            &json!({"cases": [case("case_1")], "next": null}),
        );
        // The shared error answer, through `#/components/responses/NotFound`.
        check(
            "GET",
            "/admin/cases/case_2",
            404,
            &json!({"error": {"code": "not_found", "message": "no such case"}}),
        );
        // API Gateway's own refusal, through a `5XX` range.
        check(
            "GET",
            "/admin/cases/case_2",
            503,
            &json!({"message": "Service Unavailable"}),
        );
        // No body where none is described.
        check("DELETE", "/admin/sources/src_1", 204, &Value::Null);
    }

    #[test]
    fn a_body_without_a_required_property_should_be_refused() {
        let mut body = case("case_1");
        body.as_object_mut().unwrap().remove("status");
        let why = refused("GET", "/admin/cases/case_1", 200, body);
        assert!(
            why.contains("GET /admin/cases/case_1 answered 200"),
            "{why}"
        );
        assert!(why.contains("\"status\" is a required property"), "{why}");
        assert!(why.contains("at /:"), "{why}");

        let why = refused(
            "GET",
            "/admin/cases",
            200,
            json!({"cases": [case("case_1")]}),
        );
        assert!(why.contains("\"next\" is a required property"), "{why}");
    }

    #[test]
    fn a_body_with_a_wrong_type_should_be_refused_naming_where() {
        let mut wrong = case("case_2");
        wrong["opened_at"] = json!(1740823200);
        let why = refused(
            "GET",
            "/admin/cases",
            200,
            json!({"cases": [case("case_1"), wrong], "next": null}),
        );
        assert!(why.contains("at /cases/1/opened_at"), "{why}");
        assert!(why.contains("is not of type \"string\""), "{why}");

        let why = refused(
            "GET",
            "/admin/cases/case_1",
            404,
            json!({"error": {"code": 404, "message": "no such case"}}),
        );
        assert!(why.contains("at /error/code"), "{why}");

        // Formats are asserted, not only annotations: a time must be RFC 3339.
        let mut late = case("case_1");
        late["due_at"] = json!("tomorrow at noon");
        let why = refused("GET", "/admin/cases/case_1", 200, late);
        assert!(why.contains("at /due_at"), "{why}");
        assert!(why.contains("is not a \"date-time\""), "{why}");
    }

    #[test]
    fn an_undocumented_status_or_body_should_be_refused() {
        let why = refused("GET", "/admin/cases/case_1", 418, json!({"tea": true}));
        assert!(why.contains("documents no 418"), "{why}");
        // 409 is not among the answers of a case's page.
        let why = refused(
            "GET",
            "/admin/cases/case_1",
            409,
            json!({"error": {"code": "conflict", "message": "x"}}),
        );
        assert!(why.contains("documents no 409"), "{why}");
        let why = refused(
            "DELETE",
            "/admin/sources/src_1",
            204,
            json!({"deleted": true}),
        );
        assert!(why.contains("documented without a body"), "{why}");
        let why = refused("GET", "/admin/cases/case_1", 200, Value::Null);
        assert!(why.contains("none came"), "{why}");
        let why = refused("PUT", "/admin/cases/case_1", 200, Value::Null);
        assert!(why.contains("has no PUT operation"), "{why}");
    }

    #[test]
    fn a_raw_answer_should_be_judged_by_its_media_type() {
        check_raw(
            "GET",
            "/t/verify/tok",
            200,
            Some("text/html; charset=utf-8"),
            b"<html></html>",
        );
        check_raw("GET", "/r/abc", 302, None, b"");
        check_raw(
            "POST",
            "/hooks/src_1",
            401,
            Some("application/json"),
            br#"{"error":{"code":"unauthorized","message":"bad signature"}}"#,
        );
        let html = verdict_raw(
            "GET",
            "/admin/cases/case_1",
            200,
            Some("text/html"),
            b"<html></html>",
        );
        assert!(html
            .expect_err("HTML where JSON is described")
            .contains("documents application/json, not \"text/html\""),);
        let not_json = verdict_raw(
            "GET",
            "/admin/cases/case_1",
            404,
            Some("application/json"),
            b"not json",
        );
        assert!(not_json
            .expect_err("not JSON")
            .contains("the body is not JSON"));
    }

    #[test]
    #[should_panic(
        expected = "GET /admin/cases/case_1 answered 418, which docs/openapi.yaml does not describe"
    )]
    fn check_should_panic_with_the_refusal() {
        check("GET", "/admin/cases/case_1", 418, &json!({"tea": true}));
    }
}
