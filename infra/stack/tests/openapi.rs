//! docs/openapi.yaml is the contract of the HTTP API (the console's client is generated from
//! it, Schemathesis checks the local stack against it): it must describe every route
//! template.yaml serves, and nothing else, each behind the authorizer the template gives it.

use std::collections::{BTreeMap, BTreeSet};

use liaison_stack::stack::repo_root;
use liaison_stack::template::Template;
use serde_json::Value;

fn openapi() -> Value {
    let text = std::fs::read_to_string(repo_root().join("docs/openapi.yaml")).unwrap();
    liaison_stack::template::document(&text).unwrap()
}

/// `(METHOD, path)` of every operation, with its security scheme (`None`: public).
fn operations(doc: &Value) -> BTreeMap<(String, String), Option<String>> {
    let mut found = BTreeMap::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("a path item") {
            if !["get", "put", "post", "delete", "patch", "head", "options"]
                .contains(&method.as_str())
            {
                continue;
            }
            let scheme = operation["security"]
                .as_array()
                .and_then(|s| s.first())
                .and_then(Value::as_object)
                .and_then(|s| s.keys().next().cloned());
            found.insert((method.to_uppercase(), path.clone()), scheme);
        }
    }
    found
}

#[test]
fn every_route_of_the_template_should_be_described_with_its_authorizer_and_no_other() {
    let template = Template::load(&repo_root().join("template.yaml")).unwrap();
    let described = operations(&openapi());
    let mut served = BTreeSet::new();
    let mut wrong = Vec::new();
    for (function, route) in template.routes() {
        let key = (route.method.to_uppercase(), route.path.clone());
        served.insert(key.clone());
        let expected = match route.authorizer.as_deref() {
            None => None,
            Some("StaffJwt") => Some("staffJwt"),
            Some("SiteJwt") => Some("siteJwt"),
            Some(other) => panic!("{other}: an authorizer docs/openapi.yaml has no scheme for"),
        };
        match described.get(&key) {
            None => wrong.push(format!(
                "{} {} ({}) is not in docs/openapi.yaml",
                key.0, key.1, function.logical_id
            )),
            Some(scheme) if scheme.as_deref() != expected => wrong.push(format!(
                "{} {}: security {scheme:?}, the template says {expected:?}",
                key.0, key.1
            )),
            Some(_) => {}
        }
    }
    for key in described.keys().filter(|k| !served.contains(*k)) {
        wrong.push(format!("{} {} is described but not served", key.0, key.1));
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn every_operation_should_have_a_unique_id_for_the_generated_client() {
    let doc = openapi();
    let mut ids = BTreeMap::<String, usize>::new();
    for item in doc["paths"].as_object().unwrap().values() {
        for operation in item.as_object().unwrap().values() {
            if let Some(id) = operation["operationId"].as_str() {
                *ids.entry(id.to_string()).or_default() += 1;
            }
        }
    }
    let operations = operations(&doc).len();
    assert_eq!(ids.len(), operations, "an operation without an operationId");
    let twice: Vec<_> = ids.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "{twice:?}");
}
