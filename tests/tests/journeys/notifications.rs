//! People told at once, registered as staff do it, through the local runner: a Slack
//! channel's incoming webhook (its URL a secret: only its origin is ever shown), a Teams
//! channel and a sales address, each checked with the test button.

use std::time::Duration;

use e2e::staff;
use liaison_local::harness;
use liaison_stack::doubles::chat;
use serde_json::{json, Value};

#[tokio::test]
async fn sales_channels_should_be_registered_with_their_hooks_sealed_and_answer_the_test() {
    let (served, chat) = chat::start().await.expect("chat double");
    let system = harness::system().await;
    let admin = |method: &'static str, path: String, body: Option<Value>| {
        let system = &system;
        async move { staff(system, method, &path, "liaison-admin", body).await }
    };
    let hook = format!("{}{}", served.url, chat.slack_hook());

    for (body, field) in [
        (json!({"kind": "slack", "url": hook, "token": "x"}), "token"),
        (json!({"kind": "slack"}), "url"),
        (
            json!({"kind": "email", "account": "sales@brand.example", "url": hook}),
            "url",
        ),
        (
            json!({"kind": "email", "account": "not an address"}),
            "account",
        ),
        (
            json!({"kind": "teams", "url": hook, "types": ["case.closed"]}),
            "types",
        ),
    ] {
        let (status, refused) = admin("POST", "/admin/endpoints".into(), Some(body)).await;
        assert_eq!(status, 400, "{refused}");
        assert_eq!(refused["error"]["field"], field, "{refused}");
    }

    let (status, slack) = admin(
        "POST",
        "/admin/endpoints".into(),
        Some(json!({"kind": "slack", "url": hook, "description": "#sales"})),
    )
    .await;
    assert_eq!(status, 201, "{slack}");
    assert_eq!(slack["url"], served.url, "the origin only");
    assert!(!slack.to_string().contains("/services/"));
    assert_eq!(
        slack["types"],
        json!([
            "opportunity.opened",
            "callback.requested",
            "case.opened",
            "case.overdue",
            "question.opened",
            "question.overdue"
        ])
    );
    let (status, email) = admin(
        "POST",
        "/admin/endpoints".into(),
        Some(json!({"kind": "email", "account": "sales@brand.example"})),
    )
    .await;
    assert_eq!(status, 201, "{email}");
    assert_eq!(email["account"], "sales@brand.example");

    let id = slack["id"].as_str().unwrap();
    let (status, _) = admin("POST", format!("/admin/endpoints/{id}/test"), None).await;
    assert_eq!(status, 202);
    for _ in 0..100 {
        if !chat.slack_messages().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let posted = chat.slack_messages();
    assert_eq!(posted.len(), 1);
    assert!(posted[0].1["text"]
        .as_str()
        .unwrap()
        .contains("this channel receives its notifications"));
}
