//! The hosted classifier's setting and report through the admin API, each answer checked
//! against docs/openapi.yaml: off until an administrator turns it on, a budget out of range
//! refused with its field named, the setting theirs alone, the report every staff member's.
//! (What identify does with it, against the Bedrock double: functions/identify/tests/hosted.rs.)

use e2e::staff;
use liaison_local::harness;
use serde_json::json;

#[tokio::test]
async fn an_administrator_should_turn_the_hosted_model_on_within_a_sane_budget() {
    let system = harness::system().await;
    let (status, setting) = staff(&system, "GET", "/admin/classifier", "liaison-admin", None).await;
    assert_eq!(status, 200);
    assert_eq!(setting["enabled"], false, "off by default");
    assert_eq!(setting["model_id"], "eu.amazon.nova-micro-v1:0");
    assert!(setting["updated_at"].is_null());

    let on = json!({"enabled": true, "daily_budget_usd": 2.5});
    for group in ["liaison-support", "liaison-marketer"] {
        let (status, _) = staff(&system, "PUT", "/admin/classifier", group, Some(on.clone())).await;
        assert_eq!(status, 403, "{group}");
    }
    for bad in [
        json!({"enabled": true, "daily_budget_usd": 0}),
        // Found by Schemathesis: a number DynamoDB cannot store was a 500.
        json!({"enabled": true, "daily_budget_usd": 5e-324}),
        json!({"enabled": true, "daily_budget_usd": 1000}),
        json!({"enabled": true, "daily_budget_usd": "2"}),
        json!({"enabled": true}),
        json!({"enabled": true, "daily_budget_usd": 1, "model": "gpt"}),
    ] {
        let (status, body) = staff(
            &system,
            "PUT",
            "/admin/classifier",
            "liaison-admin",
            Some(bad.clone()),
        )
        .await;
        assert_eq!(status, 400, "{bad}");
        assert!(body["error"]["code"].is_string(), "{body}");
    }
    let (status, body) = staff(
        &system,
        "PUT",
        "/admin/classifier",
        "liaison-admin",
        Some(json!({"enabled": true, "daily_budget_usd": 0})),
    )
    .await;
    assert_eq!(
        (status, &body["error"]["field"]),
        (400, &json!("daily_budget_usd"))
    );

    let (status, saved) = staff(
        &system,
        "PUT",
        "/admin/classifier",
        "liaison-admin",
        Some(on),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        (saved["enabled"].clone(), saved["daily_budget_usd"].clone()),
        (json!(true), json!(2.5))
    );
    assert_eq!(saved["updated_by"], "test-user");
    let (_, again) = staff(&system, "GET", "/admin/classifier", "liaison-admin", None).await;
    assert_eq!(again, saved);

    let (status, report) = staff(
        &system,
        "GET",
        "/admin/reports/classifier?from=2026-11-01&to=2026-11-30",
        "liaison-sales",
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(report["total"]["calls"], 0);
    assert_eq!(report["days"], json!([]));
    let (status, _) = staff(
        &system,
        "GET",
        "/admin/reports/classifier?from=2026-11-30&to=2026-11-01",
        "liaison-sales",
        None,
    )
    .await;
    assert_eq!(status, 400);
}
