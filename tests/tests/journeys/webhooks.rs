//! Outbound webhooks end to end, through the local runner as `make dev` serves it: an
//! administrator registers an endpoint, tests it, and an incident comment, its case and
//! the case's closing reach it as Standard Webhooks requests that the spec authors' own
//! Python library (PyPI `standardwebhooks`, run in its own process) verifies.

use std::process::{Child, Command};
use std::time::Duration;

use e2e::{create_source, deliver, staff};
use liaison_local::harness::{self, TestSystem};
use serde_json::{json, Value};

/// The Python receiver (tests/receivers/standard_webhooks_receiver.py), stopped on drop.
pub(crate) struct PythonReceiver {
    child: Child,
    pub(crate) base: String,
}

impl Drop for PythonReceiver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl PythonReceiver {
    pub(crate) async fn start() -> PythonReceiver {
        let root = liaison_stack::stack::repo_root();
        let python = root.join(".local/verifiers/bin/python");
        assert!(
            python.exists(),
            "{} is missing: run infra/deps.sh (make test does)",
            python.display()
        );
        let port_file = std::env::temp_dir().join(format!(
            "liaison-receiver-{}-{}",
            std::process::id(),
            chrono::Utc::now().timestamp_micros()
        ));
        // Owned by the guard at once: stopped on drop whatever happens next.
        let mut receiver = PythonReceiver {
            child: Command::new(python)
                .arg(root.join("tests/receivers/standard_webhooks_receiver.py"))
                .arg(&port_file)
                .spawn()
                .expect("the Python receiver starts"),
            base: String::new(),
        };
        for _ in 0..100 {
            if let Ok(port) = std::fs::read_to_string(&port_file) {
                let _ = std::fs::remove_file(&port_file);
                receiver.base = format!("http://127.0.0.1:{}", port.trim());
                return receiver;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the Python receiver did not listen");
    }

    pub(crate) async fn set_secret(&self, secret: &str) {
        let status = reqwest::Client::new()
            .post(format!("{}/secret", self.base))
            .json(&json!({ "secret": secret }))
            .send()
            .await
            .expect("the receiver answers")
            .status();
        assert_eq!(status, 204);
    }

    pub(crate) async fn received(&self) -> Vec<Value> {
        reqwest::get(format!("{}/received", self.base))
            .await
            .expect("the receiver answers")
            .json()
            .await
            .expect("JSON")
    }

    /// The first delivery of type `kind`, once it arrived.
    pub(crate) async fn first_of(&self, kind: &str) -> Value {
        for _ in 0..150 {
            if let Some(found) = self
                .received()
                .await
                .into_iter()
                .find(|r| r["body"]["type"] == kind)
            {
                return found;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("no {kind} delivery: {:?}", self.received().await);
    }
}

fn incident(id: &str) -> Vec<u8> {
    json!({
        "type": "contribution.created",
        "data": {"id": id, "kind": "comment", "created_at": "2026-12-07T10:00:00Z",
                 "text": "My order never arrived and nobody answers, this is unacceptable",
                 "author": {"name": "Client", "email": format!("{id}@example.com")}}
    })
    .to_string()
    .into_bytes()
}

async fn admin(system: &TestSystem, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    staff(system, method, path, "liaison-admin", body).await
}

#[tokio::test]
async fn an_incident_its_case_and_its_closing_should_reach_an_endpoint_verified_by_the_official_library(
) {
    let receiver = PythonReceiver::start().await;
    let system = harness::system().await;

    // Bad registrations are refused with the reason, and only administrators register.
    let (status, refused) = admin(
        &system,
        "POST",
        "/admin/endpoints",
        Some(json!({"url": "ftp://example.com/hook", "types": ["case.opened"]})),
    )
    .await;
    assert_eq!(status, 400, "{refused}");
    assert_eq!(refused["error"]["code"], "invalid_request");
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("https"),
        "{refused}"
    );
    let (status, refused) = admin(
        &system,
        "POST",
        "/admin/endpoints",
        Some(json!({"url": format!("{}/hook", receiver.base), "types": ["case.opend"]})),
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("case.opend is not one of"),
        "{refused}"
    );
    let (status, _) = staff(&system, "GET", "/admin/endpoints", "liaison-support", None).await;
    assert_eq!(status, 403);

    let (status, created) = admin(
        &system,
        "POST",
        "/admin/endpoints",
        Some(json!({
            "url": format!("{}/hook", receiver.base),
            "description": "helpdesk",
            "types": ["case.opened", "case.closed", "contribution.classified"],
        })),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let secret = created["secret"].as_str().expect("the secret, shown once");
    receiver.set_secret(secret).await;
    let id = created["id"].as_str().unwrap().to_string();
    let (_, shown) = admin(&system, "GET", &format!("/admin/endpoints/{id}"), None).await;
    assert!(shown.get("secret").is_none() && !shown.to_string().contains(secret));

    // The test button.
    let (status, test) = admin(
        &system,
        "POST",
        &format!("/admin/endpoints/{id}/test"),
        None,
    )
    .await;
    assert_eq!(status, 202, "{test}");
    let got = receiver.first_of("webhook.test").await;
    assert_eq!(got["verified"], true, "{got}");
    assert_eq!(got["id"], test["event_id"]);

    // An incident: classified, then a case opened, for the same contact, in that order.
    let source = create_source(&system, "blog").await;
    deliver(&system, &source, "m1", &incident("c-1")).await;
    let classified = receiver.first_of("contribution.classified").await;
    let opened = receiver.first_of("case.opened").await;
    for delivery in [&classified, &opened] {
        assert_eq!(delivery["verified"], true, "{delivery}");
    }
    assert_eq!(classified["body"]["data"]["label"], "incident");
    let contact = opened["body"]["contact_id"]
        .as_str()
        .expect("about a contact");
    assert_eq!(classified["body"]["contact_id"], contact);
    assert!(
        classified["body"]["sequence"].as_u64() < opened["body"]["sequence"].as_u64(),
        "numbered in order: {classified} {opened}"
    );
    let case_id = opened["body"]["data"]["case"]["id"]
        .as_str()
        .unwrap()
        .to_string();

    // Closed by staff: case.closed.
    let (status, _) = staff(
        &system,
        "POST",
        &format!("/admin/cases/{case_id}/close"),
        "liaison-support",
        Some(json!({"resolution": "refunded"})),
    )
    .await;
    assert_eq!(status, 200);
    let closed = receiver.first_of("case.closed").await;
    assert_eq!(closed["verified"], true);
    assert_eq!(closed["body"]["data"]["case"]["status"], "closed");
    assert!(closed["body"]["sequence"].as_u64() > opened["body"]["sequence"].as_u64());

    // The delivery log: every one delivered, newest first.
    let (status, log) = admin(
        &system,
        "GET",
        &format!("/admin/endpoints/{id}/deliveries"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{log}");
    let deliveries = log["deliveries"].as_array().unwrap();
    assert_eq!(deliveries.len(), 4, "{log}");
    assert!(
        deliveries.iter().all(|d| d["status"] == "delivered"),
        "{log}"
    );
    assert_eq!(deliveries[0]["type"], "case.closed");
    let (status, _) = admin(
        &system,
        "GET",
        &format!("/admin/endpoints/{id}/deliveries?status=lost"),
        None,
    )
    .await;
    assert_eq!(status, 400);

    // Rotation shows a new secret once; deletion ends it.
    let (status, rotated) = admin(
        &system,
        "POST",
        &format!("/admin/endpoints/{id}/secret"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_ne!(rotated["secret"], created["secret"]);
    assert_eq!(rotated["secrets"].as_array().unwrap().len(), 2);
    let (status, _) = admin(&system, "DELETE", &format!("/admin/endpoints/{id}"), None).await;
    assert_eq!(status, 204);
    let (status, _) = admin(&system, "GET", &format!("/admin/endpoints/{id}"), None).await;
    assert_eq!(status, 404);
}
