//! What template.yaml promises the team that runs Liaison, read from the template and the
//! code, so that it stays true as functions change:
//! - least privilege: no wildcard where a narrower grant exists; a function reaches only the
//!   tables and queues its code names; every DynamoDB, SQS or SES call a function's own code
//!   makes is granted, and every DynamoDB action granted is one its code uses;
//! - operations: every queue has a dead-letter queue alarm and an age alarm, every function an
//!   errors alarm, a throttles alarm and a log group with a retention;
//! - the dashboard reads only metrics the code emits, and is valid JSON;
//! - no secret in any function's environment (keys live in SSM, the environment names them).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use liaison_stack::stack::{repo_root, rust_sources};
use serde_json::Value;

fn template() -> Value {
    let text = std::fs::read_to_string(repo_root().join("template.yaml")).unwrap();
    liaison_stack::template::document(&text).unwrap()
}

fn resources(doc: &Value) -> &serde_json::Map<String, Value> {
    doc["Resources"].as_object().unwrap()
}

fn of_type<'a>(doc: &'a Value, kind: &str) -> Vec<(&'a String, &'a Value)> {
    resources(doc)
        .iter()
        .filter(|(_, r)| r["Type"] == kind)
        .collect()
}

/// Every `.rs` file under `dir`, concatenated.
fn sources(dir: &Path) -> String {
    rust_sources(dir)
        .into_iter()
        .map(|(_, text)| text)
        .collect()
}

/// The crate (its directory under `functions/`) that builds `binary`: the crate of that
/// name, or the one declaring it as a `[[bin]]` (poll is a binary of ingest).
fn crate_of(binary: &str) -> String {
    let functions = repo_root().join("functions");
    if functions.join(binary).join("Cargo.toml").exists() {
        return binary.to_string();
    }
    std::fs::read_dir(&functions)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .find(|dir| {
            std::fs::read_to_string(functions.join(dir).join("Cargo.toml"))
                .is_ok_and(|m| m.contains(&format!("name = \"{binary}\"")))
        })
        .unwrap_or_else(|| panic!("no crate under functions/ builds {binary}"))
}

/// The function crates a function's crate depends on (`identify`, `ingest`), by name.
fn function_dependencies(binary: &str) -> Vec<String> {
    let own = crate_of(binary);
    let manifest =
        std::fs::read_to_string(repo_root().join("functions").join(&own).join("Cargo.toml"))
            .unwrap();
    let functions: BTreeSet<String> = std::fs::read_dir(repo_root().join("functions"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    manifest
        .lines()
        .filter_map(|l| l.split('.').next())
        .map(|name| name.trim().to_string())
        .filter(|name| *name != own && functions.contains(name))
        .collect()
}

fn crate_dir(binary: &str) -> PathBuf {
    repo_root()
        .join("functions")
        .join(crate_of(binary))
        .join("src")
}

/// A function's own code, and everything its code runs: the function crates it depends on
/// and `shared`.
fn reachable_code(binary: &str) -> String {
    let mut code = sources(&crate_dir(binary));
    for dep in function_dependencies(binary) {
        code.push_str(&sources(&crate_dir(&dep)));
    }
    code.push_str(&sources(&repo_root().join("shared/src")));
    code
}

/// The resource a policy `Resource` entry names: `T` for `!GetAtt T.Arn` and
/// `!Sub "${T.Arn}/index/..."`, `*` for a wildcard, `None` for anything else.
fn named_resource(resource: &Value) -> Option<String> {
    if let Some(s) = resource.as_str() {
        return Some(s.to_string());
    }
    if let Some(parts) = resource.get("Fn::GetAtt").and_then(Value::as_array) {
        return parts[0].as_str().map(str::to_string);
    }
    if let Some(Value::String(sub)) = resource.get("Fn::Sub") {
        let inner = sub.strip_prefix("${")?.split(['.', '}']).next()?;
        return Some(inner.to_string());
    }
    if let Some(name) = resource.get("Ref").and_then(Value::as_str) {
        return Some(name.to_string());
    }
    None
}

fn as_list(v: &Value) -> Vec<Value> {
    match v {
        Value::Array(items) => items.clone(),
        Value::Null => Vec::new(),
        other => vec![other.clone()],
    }
}

/// Per function: (actions, resources named) of its policy statements.
fn grants(function: &Value) -> Vec<(Vec<String>, Vec<Value>)> {
    let mut out = Vec::new();
    for policy in as_list(&function["Properties"]["Policies"]) {
        for statement in as_list(&policy["Statement"]) {
            let actions = as_list(&statement["Action"])
                .iter()
                .filter_map(|a| a.as_str().map(str::to_string))
                .collect();
            out.push((actions, as_list(&statement["Resource"])));
        }
    }
    out
}

/// The SDK calls this test knows, by the IAM action they need (DynamoDB's transactions:
/// "Using IAM with DynamoDB transactions" in its developer guide).
const CALLS: &[(&str, &str)] = &[
    ("dynamodb:GetItem", ".get_item()"),
    ("dynamodb:PutItem", ".put_item()"),
    ("dynamodb:UpdateItem", ".update_item()"),
    ("dynamodb:DeleteItem", ".delete_item()"),
    ("dynamodb:Query", ".query()"),
    ("dynamodb:Scan", ".scan()"),
    ("dynamodb:BatchGetItem", ".batch_get_item()"),
    ("dynamodb:BatchWriteItem", ".batch_write_item()"),
    // A transaction needs no action of its own: each of its parts needs its operation's.
    ("dynamodb:PutItem", "Put::builder()"),
    ("dynamodb:UpdateItem", "Update::builder()"),
    ("dynamodb:DeleteItem", "Delete::builder()"),
    ("dynamodb:ConditionCheckItem", "ConditionCheck::builder()"),
    ("sqs:SendMessage", ".send_message()"),
    ("sqs:SendMessage", ".send_message_batch()"),
    (
        "sqs:ChangeMessageVisibility",
        ".change_message_visibility()",
    ),
    ("ses:SendEmail", ".send_email()"),
    ("ses:SendRawEmail", ".send_raw_email()"),
];

/// Actions that only exist on `*` in IAM.
const ONLY_ON_STAR: &[&str] = &[
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "cloudwatch:PutMetricData",
];

fn binary(function: &Value) -> String {
    function["Metadata"]["BuildProperties"]["Binary"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn no_statement_should_grant_a_wildcard_where_a_narrower_grant_exists() {
    let doc = template();
    for (id, function) in of_type(&doc, "AWS::Serverless::Function") {
        for (actions, resources) in grants(function) {
            for action in &actions {
                assert!(
                    !action.contains('*'),
                    "{id}: the action {action} is a wildcard"
                );
            }
            let star = resources.iter().any(|r| r.as_str() == Some("*"));
            if star {
                for action in &actions {
                    assert!(
                        ONLY_ON_STAR.contains(&action.as_str()),
                        "{id}: {action} on Resource \"*\""
                    );
                }
            }
        }
    }
}

#[test]
fn a_function_should_reach_only_the_tables_and_queues_its_code_names() {
    let doc = template();
    let kinds: BTreeMap<&String, &str> = resources(&doc)
        .iter()
        .map(|(id, r)| (id, r["Type"].as_str().unwrap_or("")))
        .collect();
    for (id, function) in of_type(&doc, "AWS::Serverless::Function") {
        let binary = binary(function);
        let code = reachable_code(&binary);
        // The environment variable that carries each resource to the code.
        let env: BTreeMap<String, String> = function["Properties"]["Environment"]["Variables"]
            .as_object()
            .map(|vars| {
                vars.iter()
                    .filter_map(|(name, v)| {
                        Some((v.get("Ref")?.as_str()?.to_string(), name.clone()))
                    })
                    .collect()
            })
            .unwrap_or_default();
        for (_, resources) in grants(function) {
            for resource in resources.iter().filter_map(named_resource) {
                let kind = kinds.get(&resource).copied().unwrap_or("");
                if !matches!(kind, "AWS::DynamoDB::Table" | "AWS::SQS::Queue") {
                    continue;
                }
                let var = env.get(&resource).unwrap_or_else(|| {
                    panic!("{id} may reach {resource}, which its environment does not name")
                });
                assert!(
                    code.contains(&format!("\"{var}\"")),
                    "{id} may reach {resource} ({var}), which its code never reads"
                );
            }
        }
    }
}

#[test]
fn every_call_a_function_makes_should_be_granted_and_every_grant_used() {
    let doc = template();
    for (id, function) in of_type(&doc, "AWS::Serverless::Function") {
        let binary = binary(function);
        let granted: BTreeSet<String> = grants(function)
            .into_iter()
            .flat_map(|(actions, _)| actions)
            .collect();
        // What the function's own crate calls must be granted (a missing grant is a
        // failure on AWS that no local test sees: the emulators check no IAM).
        let own = sources(&crate_dir(&binary));
        for (action, call) in CALLS {
            if own.contains(call) {
                assert!(
                    granted.contains(*action),
                    "{id} calls {call} without {action}"
                );
            }
        }
        // Every DynamoDB action granted is one the code it runs uses.
        let reachable = reachable_code(&binary);
        for action in granted.iter().filter(|a| a.starts_with("dynamodb:")) {
            let used = CALLS
                .iter()
                .filter(|(a, _)| a == action)
                .any(|(_, call)| reachable.contains(call));
            assert!(used, "{id} is granted {action}, which its code never calls");
        }
    }
}

#[test]
fn every_queue_and_function_should_have_its_alarms_and_log_group() {
    let doc = template();
    let alarms = of_type(&doc, "AWS::CloudWatch::Alarm");
    let watched = |metric: &str, target: &str| {
        alarms.iter().any(|(_, alarm)| {
            let p = &alarm["Properties"];
            let dims = p["Dimensions"].to_string() + &p["Metrics"].to_string();
            (p["MetricName"] == metric || p["Metrics"].to_string().contains(metric))
                && dims.contains(&format!("\"{target}\""))
        })
    };
    let queues = of_type(&doc, "AWS::SQS::Queue");
    let dlqs: BTreeSet<String> = queues
        .iter()
        .filter_map(|(_, q)| {
            named_resource(&q["Properties"]["RedrivePolicy"]["deadLetterTargetArn"])
        })
        .collect();
    for (id, _) in &queues {
        if dlqs.contains(id.as_str()) {
            assert!(
                watched("ApproximateNumberOfMessagesVisible", id),
                "no alarm on the dead-letter queue {id}"
            );
        } else {
            assert!(
                watched("ApproximateAgeOfOldestMessage", id),
                "no age alarm on the queue {id}"
            );
        }
    }
    let log_groups: Vec<String> = of_type(&doc, "AWS::Logs::LogGroup")
        .iter()
        .filter(|(_, g)| g["Properties"]["RetentionInDays"] != Value::Null)
        .map(|(_, g)| g["Properties"]["LogGroupName"].to_string())
        .collect();
    for (id, _) in of_type(&doc, "AWS::Serverless::Function") {
        assert!(watched("Errors", id), "no errors alarm on {id}");
        assert!(watched("Throttles", id), "no throttles alarm on {id}");
        assert!(
            log_groups.iter().any(|g| g.contains(&format!("${{{id}}}"))),
            "no log group with a retention for {id}"
        );
    }
}

#[test]
fn the_dashboard_should_read_only_metrics_the_code_emits() {
    let doc = template();
    let dashboards = of_type(&doc, "AWS::CloudWatch::Dashboard");
    assert_eq!(dashboards.len(), 1);
    let body = dashboards[0].1["Properties"]["DashboardBody"]["Fn::Sub"]
        .as_str()
        .unwrap()
        .to_string();
    // `${...}` are CloudFormation's: any string stands in for them.
    let mut plain = String::new();
    let mut rest = body.as_str();
    while let Some(start) = rest.find("${") {
        plain.push_str(&rest[..start]);
        let end = rest[start..].find('}').unwrap();
        plain.push('x');
        rest = &rest[start + end + 1..];
    }
    plain.push_str(rest);
    let json: Value = serde_json::from_str(&plain).expect("the dashboard body is JSON");
    assert!(!json["widgets"].as_array().unwrap().is_empty());
    let code: String = ["functions", "shared/src"]
        .iter()
        .map(|d| sources(&repo_root().join(d)))
        .collect();
    let mut searched = 0;
    for part in body.split("SEARCH('{Liaison,").skip(1) {
        let dims: BTreeSet<&str> = part.split('}').next().unwrap().split(',').collect();
        let metric = part
            .split("MetricName=\\\"")
            .nth(1)
            .and_then(|m| m.split('\\').next())
            .unwrap();
        searched += 1;
        assert!(
            code.contains(&format!("\"{metric}\"")),
            "the dashboard reads {metric}, which no code emits"
        );
        assert!(
            dims.contains("Service"),
            "{metric}: every Liaison metric carries Service ({dims:?})"
        );
    }
    assert!(searched >= 10, "{searched} metrics read");
}

#[test]
fn a_failed_smoke_test_should_keep_a_release_from_production_and_ci_hold_no_keys() {
    let workflows = repo_root().join(".github/workflows");
    let text = std::fs::read_to_string(workflows.join("deploy.yml")).unwrap();
    let deploy: Value =
        serde_json::to_value(serde_norway::from_str::<serde_norway::Value>(&text).unwrap())
            .unwrap();
    let jobs = &deploy["jobs"];
    let steps = |job: &str| jobs[job]["steps"].as_array().cloned().unwrap_or_default();
    let runs = |job: &str, needle: &str| {
        steps(job)
            .iter()
            .position(|s| s["run"].as_str().is_some_and(|r| r.contains(needle)))
    };
    // Staging deploys, then smoke-tests, in one job that fails if the smoke test fails.
    let deployed = runs("staging", "infra/deploy.sh staging").expect("staging deploys");
    let smoked = runs("staging", "infra/smoke-test.sh").expect("staging is smoke-tested");
    assert!(deployed < smoked);
    for step in steps("staging") {
        assert!(step.get("continue-on-error").is_none(), "{step}");
    }
    // Production needs staging (so its smoke test), its approval, and runs only on success.
    let needs = jobs["production"]["needs"].to_string();
    assert!(needs.contains("staging"), "{needs}");
    assert_eq!(jobs["production"]["environment"]["name"], "production");
    let condition = jobs["production"]["if"].as_str().unwrap_or_default();
    assert!(
        !condition.contains("always()") && !condition.contains("failure()"),
        "{condition}"
    );
    // AWS access only through OIDC: a role to assume, never stored keys.
    for entry in std::fs::read_dir(&workflows).unwrap().flatten() {
        let text = std::fs::read_to_string(entry.path()).unwrap();
        assert!(!text.contains("aws-access-key-id"), "{:?}", entry.path());
        assert!(
            !text.contains("AWS_SECRET_ACCESS_KEY"),
            "{:?}",
            entry.path()
        );
    }
    assert!(text.contains("id-token: write") && text.contains("role-to-assume"));
}

/// Whoever reads a function's configuration (`lambda:GetFunctionConfiguration`, the console)
/// must learn no secret from it: keys live in SSM and the environment only names them.
#[test]
fn no_function_environment_should_hold_a_secret() {
    let doc = template();
    let no_echo: Vec<&String> = doc["Parameters"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, p)| p["NoEcho"] == true)
        .map(|(name, _)| name)
        .collect();
    assert!(
        no_echo.is_empty(),
        "a secret as a template parameter ends in the functions' environment or the stack's: {no_echo:?}"
    );
    let secret_like = |name: &str| {
        ["SECRET", "KEY", "TOKEN", "PASSWORD", "CREDENTIAL"]
            .iter()
            .any(|word| name.contains(word))
            && !name.ends_with("_PARAMETER")
    };
    let mut environments = vec![("Globals".to_string(), &doc["Globals"]["Function"])];
    for (id, function) in of_type(&doc, "AWS::Serverless::Function") {
        environments.push((id.clone(), &function["Properties"]));
    }
    for (id, properties) in environments {
        let Some(variables) = properties["Environment"]["Variables"].as_object() else {
            continue;
        };
        for (name, value) in variables {
            assert!(!secret_like(name), "{id}: {name} looks like a secret");
            let text = value.to_string();
            assert!(
                !text.contains("Key") && !text.contains("Secret"),
                "{id}: {name} = {text} takes a key or a secret"
            );
        }
    }
}
