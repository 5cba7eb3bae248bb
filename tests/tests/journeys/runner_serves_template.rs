//! The runner serves exactly what template.yaml declares, and template.yaml declares exactly
//! the functions the workspace has: the two can never drift apart.

use e2e::SendChecked;
use std::collections::BTreeSet;

use liaison_local::harness;
use liaison_local::registry::Registry;
use liaison_local::stack::repo_root;
use serde_json::Value;

#[tokio::test]
async fn every_declared_route_queue_and_schedule_should_be_served_and_nothing_else() {
    let template = harness::template();
    let system = harness::system().await;
    let served: Value = reqwest::get(system.url("/_local/served"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();

    let served_set = |list: &str, fields: [&str; 2]| -> BTreeSet<String> {
        served[list]
            .as_array()
            .unwrap()
            .iter()
            .map(|item| {
                format!(
                    "{} -> {}",
                    item[fields[0]].as_str().unwrap(),
                    item[fields[1]].as_str().unwrap()
                )
            })
            .collect()
    };
    let declared_routes: BTreeSet<String> = template
        .routes()
        .map(|(f, r)| format!("{} {} -> {}", r.method, r.path, f.logical_id))
        .collect();
    assert_eq!(served_set("routes", ["route", "function"]), declared_routes);

    let declared_queues: BTreeSet<String> = template
        .functions
        .iter()
        .flat_map(|f| {
            f.sqs_sources
                .iter()
                .map(move |s| format!("{} -> {}", s.queue_logical_id, f.logical_id))
        })
        .collect();
    assert_eq!(served_set("queues", ["queue", "function"]), declared_queues);

    let declared_schedules: BTreeSet<String> = template
        .functions
        .iter()
        .flat_map(|f| {
            f.schedules
                .iter()
                .map(move |s| format!("{} -> {}", s.expression, f.logical_id))
        })
        .collect();
    assert_eq!(
        served_set("schedules", ["expression", "function"]),
        declared_schedules
    );

    // Every declared route reaches its function: the answer is the function's
    // ({"error":{...}} or data), never the gateway's own "Not Found".
    let client = reqwest::Client::new();
    let token = system.token(&["liaison-admin"]);
    let site_token = system.site_token(shared::kit::auth::SITE_REFERRALS_SCOPE);
    for (_, route) in template.routes() {
        // Each authorizer takes its own kind of token: staff, or the brand's site.
        let token = match route.authorizer.as_deref() {
            Some("SiteJwt") => &site_token,
            _ => &token,
        };
        let path = route
            .path
            .replace("{source_id}", "src_missing")
            .replace("{id}", "src_missing");
        let method = reqwest::Method::from_bytes(route.method.as_bytes()).unwrap();
        let resp = client
            .request(method, system.url(&path))
            .bearer_auth(token)
            .send_checked()
            .await
            .unwrap();
        assert!(
            resp.headers().get("x-liaison-gateway").is_none(),
            "{} {} was not served",
            route.method,
            route.path
        );
    }
    // And what is not declared is the gateway's 404.
    for (method, path) in [
        ("GET", "/hooks"),
        ("PUT", "/hooks/src_x"),
        ("GET", "/admin/unknown"),
    ] {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let resp = client
            .request(method, system.url(path))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), 404, "{path}");
        assert!(resp.headers().get("x-liaison-gateway").is_some());
    }
}

#[test]
fn template_functions_registry_and_workspace_crates_should_match() {
    let template = harness::template();
    let in_template: BTreeSet<String> = template
        .functions
        .iter()
        .map(|f| f.binary.clone())
        .collect();
    let in_registry: BTreeSet<String> =
        Registry::builtin().binaries().map(str::to_string).collect();
    // Every `[[bin]]` the crates under functions/ declare (ingest builds two: ingest, poll).
    let in_workspace: BTreeSet<String> = std::fs::read_dir(repo_root().join("functions"))
        .unwrap()
        .filter_map(Result::ok)
        .filter_map(|e| std::fs::read_to_string(e.path().join("Cargo.toml")).ok())
        .flat_map(|manifest| {
            manifest
                .split("[[bin]]")
                .skip(1)
                .filter_map(|section| {
                    section
                        .lines()
                        .find_map(|l| l.trim().strip_prefix("name = "))
                        .map(|name| name.trim_matches('"').to_string())
                })
                .collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(
        in_template, in_registry,
        "template.yaml and the runner's registry differ"
    );
    assert_eq!(
        in_template, in_workspace,
        "template.yaml and the binaries of functions/ differ"
    );
    // Convention: crate `foo-bar` is `FooBarFunction`.
    for f in &template.functions {
        let expected: String = f
            .binary
            .split('-')
            .map(|w| {
                let mut c = w.chars();
                c.next()
                    .map(|h| h.to_uppercase().collect::<String>() + c.as_str())
                    .unwrap_or_default()
            })
            .collect::<String>()
            + "Function";
        assert_eq!(f.logical_id, expected);
    }
}

#[tokio::test]
async fn health_should_answer_once_ready() {
    let system = harness::system().await;
    let resp = reqwest::get(system.url("/health")).await.unwrap();
    assert_eq!(resp.status().as_u16(), 200);
}
