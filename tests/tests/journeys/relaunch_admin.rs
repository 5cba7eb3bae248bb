//! What marketers and sales read of relaunches through the admin API: a campaign's stats,
//! the remarketing audience of its abandoned carts (consenting, reachable people only, as
//! hashed emails), and the "call me back" requests sales work through.
//!
//! Only the admin function runs: the items the carts, sender, SES events and tracking
//! functions would write are written here directly, as they write them.

use e2e::SendChecked;
use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use e2e::staff;
use liaison_local::harness::{self, TestSystem};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

const MARKETER: &str = "liaison-marketer";
const SALES: &str = "liaison-sales";
const SUPPORT: &str = "liaison-support";

/// Every function but admin is left out: nothing else writes the tables these tests fill.
async fn admin_only() -> TestSystem {
    let others: Vec<String> = harness::template()
        .functions
        .iter()
        .map(|f| f.binary.clone())
        .filter(|b| b != "admin")
        .collect();
    let others: Vec<&str> = others.iter().map(String::as_str).collect();
    harness::system_without(&others).await
}

fn campaign() -> Value {
    json!({
        "name": "Paniers abandonnés",
        "schedule": {"starts_at": "2026-01-01T00:00:00Z"},
        "entry": {"abandoned_after_minutes": 60, "currencies": ["EUR"]},
        "steps": [
            {"delay_minutes": 0, "subject": "Votre panier", "html": "<p>{{ cart.total }}</p>", "text": "{{ cart.total }}",
             "variant_b": {"percent": 50, "subject": "Toujours là ?", "html": "<p>B</p>", "text": "B"}},
            {"delay_minutes": 1440, "subject": "Dernier rappel", "html": "<p>x</p>", "text": "x"}
        ]
    })
}

async fn create_campaign(system: &TestSystem) -> String {
    let (status, created) = staff(
        system,
        "POST",
        "/admin/campaigns",
        MARKETER,
        Some(campaign()),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    created["id"].as_str().expect("an id").to_string()
}

/// Writes `item` (JSON, as serde_dynamo encodes it) into the test's copy of `table`.
async fn put(system: &TestSystem, table: &str, item: Value) {
    let item: HashMap<String, AttributeValue> = serde_dynamo::to_item(item).expect("an item");
    system
        .resources
        .clients
        .dynamodb
        .put_item()
        .table_name(system.resources.table(table))
        .set_item(Some(item))
        .send()
        .await
        .unwrap_or_else(|e| panic!("PutItem {table}: {}", e.into_service_error()));
}

/// A counters item of StatsTable, numbers as DynamoDB numbers (revenue decimal).
async fn put_counters(system: &TestSystem, campaign_id: &str, sk: &str, counters: &[(&str, &str)]) {
    let mut item: HashMap<String, AttributeValue> = counters
        .iter()
        .map(|(name, n)| (name.to_string(), AttributeValue::N(n.to_string())))
        .collect();
    item.insert("pk".into(), AttributeValue::S(campaign_id.into()));
    item.insert("sk".into(), AttributeValue::S(sk.into()));
    system
        .resources
        .clients
        .dynamodb
        .put_item()
        .table_name(system.resources.table("StatsTable"))
        .set_item(Some(item))
        .send()
        .await
        .unwrap_or_else(|e| panic!("PutItem stats: {}", e.into_service_error()));
}

#[tokio::test]
async fn a_campaign_stats_should_show_every_step_and_variant_with_its_counters_and_rates() {
    let system = admin_only().await;
    let id = create_campaign(&system).await;
    let path = format!("/admin/campaigns/{id}/stats");

    for group in [SUPPORT, SALES] {
        let (status, _) = staff(&system, "GET", &path, group, None).await;
        assert_eq!(status, 403, "{group}");
    }
    let (status, body) = staff(
        &system,
        "GET",
        "/admin/campaigns/cmp_nope/stats",
        MARKETER,
        None,
    )
    .await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(body["error"]["code"], "not_found");

    // Nothing counted yet: every step and variant the campaign defines, all zero.
    let (status, empty) = staff(&system, "GET", &path, MARKETER, None).await;
    assert_eq!(status, 200, "{empty}");
    assert_eq!(empty["entered"], 0);
    let listed: Vec<(u64, &str)> = empty["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["step"].as_u64().unwrap(), s["variant"].as_str().unwrap()))
        .collect();
    assert_eq!(listed, [(0, "A"), (0, "B"), (1, "A")]);
    assert_eq!(empty["steps"][2]["sent"], 0);
    assert_eq!(empty["steps"][2]["rates"]["open"], Value::Null);

    put_counters(
        &system,
        &id,
        "campaign",
        &[
            ("entered", "12"),
            ("converted", "2"),
            ("revenue_EUR", "123.4"),
        ],
    )
    .await;
    put_counters(
        &system,
        &id,
        "step#0#A",
        &[
            ("sent", "8"),
            ("delivered", "8"),
            ("opened", "4"),
            ("clicked", "2"),
            ("converted", "2"),
            ("revenue_EUR", "123.4"),
            ("deferred_quiet", "3"),
            ("deferred_ses", "1"),
            ("skipped_converted", "1"),
            ("skipped_uncertain", "1"),
        ],
    )
    .await;
    put_counters(
        &system,
        &id,
        "step#0#B",
        &[
            ("sent", "4"),
            ("delivered", "3"),
            ("bounced", "1"),
            ("unsubscribed", "1"),
        ],
    )
    .await;
    // Another campaign's counters stay its own.
    put_counters(&system, "cmp_other", "step#0#A", &[("sent", "99")]).await;

    let (status, stats) = staff(&system, "GET", &path, "liaison-admin", None).await;
    assert_eq!(status, 200, "{stats}");
    assert_eq!(stats["campaign_id"], id.as_str());
    assert_eq!(stats["entered"], 12);
    assert_eq!(stats["converted"], 2);
    assert_eq!(stats["revenue"], json!({"EUR": "123.40"}));
    let a = &stats["steps"][0];
    assert_eq!(
        (a["step"].as_u64(), a["variant"].as_str()),
        (Some(0), Some("A"))
    );
    assert_eq!(
        (
            a["sent"].as_u64(),
            a["delivered"].as_u64(),
            a["opened"].as_u64(),
            a["clicked"].as_u64()
        ),
        (Some(8), Some(8), Some(4), Some(2))
    );
    assert_eq!(
        a["deferred"],
        json!({"cap": 0, "quiet": 3, "activity": 0, "ses": 1})
    );
    assert_eq!(a["skipped"]["converted"], 1);
    assert_eq!(a["skipped"]["uncertain"], 1);
    assert_eq!(a["skipped"]["suppressed"], 0);
    assert_eq!(a["revenue"], json!({"EUR": "123.40"}));
    assert_eq!(
        a["rates"],
        json!({"open": 0.5, "click": 0.25, "conversion": 0.25})
    );
    let b = &stats["steps"][1];
    assert_eq!(b["variant"], "B");
    assert_eq!(
        (b["bounced"].as_u64(), b["unsubscribed"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(b["complained"], 0);
    assert_eq!(b["rates"]["open"], 0.0);
    assert_eq!(stats["steps"].as_array().unwrap().len(), 3);
}

fn sha256_hex(email: &str) -> String {
    format!("{:x}", Sha256::digest(email.as_bytes()))
}

/// A contact's profile, with a marketing consent (`None`: none recorded).
async fn profile(system: &TestSystem, contact_id: &str, consent: Option<bool>) {
    let mut item =
        json!({"pk": format!("contact#{contact_id}"), "sk": "profile", "type": "customer"});
    if let Some(marketing) = consent {
        item["consent"] =
            json!({"marketing": marketing, "source_id": "src_shop", "at": "2026-01-02T10:00:00Z"});
    }
    put(system, "ContactsTable", item).await;
}

async fn cart(
    system: &TestSystem,
    n: usize,
    campaign_id: &str,
    status: &str,
    email: Option<&str>,
    contact_id: Option<&str>,
) {
    let mut item = json!({
        "id": format!("crt_{n:04}"),
        "source_id": "src_shop",
        "campaign_id": campaign_id,
        "cart_status": status,
        "last_activity": format!("2026-01-03T10:{:02}:{:02}Z", n / 60 % 60, n % 60),
        "currency": "EUR",
        "total": "42.00",
        "accepts_marketing": true,
    });
    if let Some(email) = email {
        item["email"] = json!(email);
    }
    if let Some(contact_id) = contact_id {
        item["contact_id"] = json!(contact_id);
    }
    put(system, "CartsTable", item).await;
}

async fn audience(system: &TestSystem, campaign_id: &str) -> Vec<String> {
    let (status, body) = staff(
        system,
        "GET",
        &format!("/admin/audiences/abandoned?campaign={campaign_id}"),
        MARKETER,
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["format"], "sha256_email");
    let hashes: Vec<String> = body["hashes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h.as_str().unwrap().to_string())
        .collect();
    assert_eq!(body["count"], hashes.len());
    hashes
}

#[tokio::test]
async fn the_abandoned_audience_should_hold_only_consenting_reachable_people_with_an_open_cart() {
    let system = admin_only().await;
    let id = create_campaign(&system).await;
    let other = create_campaign(&system).await;

    // Ada: two open carts (one person, one hash).
    profile(&system, "ctc_ada", Some(true)).await;
    cart(
        &system,
        1,
        &id,
        "open",
        Some("ada@example.com"),
        Some("ctc_ada"),
    )
    .await;
    cart(
        &system,
        2,
        &id,
        "open",
        Some("ada@example.com"),
        Some("ctc_ada"),
    )
    .await;
    // Bob consents now, and unsubscribes during the test.
    profile(&system, "ctc_bob", Some(true)).await;
    cart(
        &system,
        3,
        &id,
        "open",
        Some("bob@example.com"),
        Some("ctc_bob"),
    )
    .await;
    // Cy consents, but bounced: the address is suppressed.
    profile(&system, "ctc_cy", Some(true)).await;
    cart(
        &system,
        4,
        &id,
        "open",
        Some("cy@example.com"),
        Some("ctc_cy"),
    )
    .await;
    // Di ordered: the cart is converted.
    profile(&system, "ctc_di", Some(true)).await;
    cart(
        &system,
        5,
        &id,
        "converted",
        Some("di@example.com"),
        Some("ctc_di"),
    )
    .await;
    // Eve refused marketing; Fay never said (the cart's own flag is not enough).
    profile(&system, "ctc_eve", Some(false)).await;
    cart(
        &system,
        6,
        &id,
        "open",
        Some("eve@example.com"),
        Some("ctc_eve"),
    )
    .await;
    profile(&system, "ctc_fay", None).await;
    cart(
        &system,
        7,
        &id,
        "open",
        Some("fay@example.com"),
        Some("ctc_fay"),
    )
    .await;
    // Gus's cart is in another campaign; Hal's has no email; Ivy's no contact.
    profile(&system, "ctc_gus", Some(true)).await;
    cart(
        &system,
        8,
        &other,
        "open",
        Some("gus@example.com"),
        Some("ctc_gus"),
    )
    .await;
    profile(&system, "ctc_hal", Some(true)).await;
    cart(&system, 9, &id, "open", None, Some("ctc_hal")).await;
    cart(&system, 10, &id, "open", Some("ivy@example.com"), None).await;
    // More people than one BatchGetItem takes (100 keys).
    let crowd: Vec<String> = (0..110).map(|i| format!("p{i:03}@example.com")).collect();
    for (i, email) in crowd.iter().enumerate() {
        let contact = format!("ctc_p{i:03}");
        profile(&system, &contact, Some(true)).await;
        cart(&system, 100 + i, &id, "open", Some(email), Some(&contact)).await;
    }
    put(
        &system,
        "SuppressionTable",
        json!({
            "email_key": shared::contracts::lookup::lookup_key(&harness::lookup_key(), "email", "cy@example.com"),
            "reason": "bounce",
            "at": "2026-01-03T11:00:00Z",
        }),
    )
    .await;

    let mut expected: Vec<String> = ["ada@example.com", "bob@example.com"]
        .iter()
        .map(|e| e.to_string())
        .chain(crowd.iter().cloned())
        .map(|e| sha256_hex(&e))
        .collect();
    expected.sort();
    let hashes = audience(&system, &id).await;
    assert_eq!(hashes.len(), 112);
    assert_eq!(hashes, expected, "sorted, once each, only the reachable");
    for excluded in [
        "cy@example.com",
        "di@example.com",
        "eve@example.com",
        "fay@example.com",
        "gus@example.com",
        "ivy@example.com",
    ] {
        assert!(!hashes.contains(&sha256_hex(excluded)), "{excluded}");
    }

    // Bob unsubscribes: gone from the very next export.
    let dynamodb = &system.resources.clients.dynamodb;
    dynamodb
        .update_item()
        .table_name(system.resources.table("ContactsTable"))
        .key("pk", AttributeValue::S("contact#ctc_bob".into()))
        .key("sk", AttributeValue::S("profile".into()))
        .update_expression("SET unsubscribed_at = :at")
        .expression_attribute_values(":at", AttributeValue::S("2026-01-03T12:00:00Z".into()))
        .send()
        .await
        .unwrap();
    let after = audience(&system, &id).await;
    assert_eq!(after.len(), 111);
    assert!(!after.contains(&sha256_hex("bob@example.com")));
    assert!(after.contains(&sha256_hex("ada@example.com")));

    // As CSV, for the ad platforms' upload forms.
    let resp = reqwest::Client::new()
        .get(system.url(&format!(
            "/admin/audiences/abandoned?campaign={id}&format=csv"
        )))
        .bearer_auth(system.token(&[MARKETER]))
        .send_checked()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let content_type = resp.headers()["content-type"].to_str().unwrap().to_string();
    assert!(content_type.starts_with("text/csv"), "{content_type}");
    let text = resp.text().await.unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "email_sha256");
    assert_eq!(
        lines[1..],
        after.iter().map(String::as_str).collect::<Vec<_>>()[..]
    );

    // Refusals.
    for group in [SALES, SUPPORT] {
        let (status, _) = staff(
            &system,
            "GET",
            &format!("/admin/audiences/abandoned?campaign={id}"),
            group,
            None,
        )
        .await;
        assert_eq!(status, 403, "{group}");
    }
    let (status, body) = staff(&system, "GET", "/admin/audiences/abandoned", MARKETER, None).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["field"], "campaign");
    let (status, body) = staff(
        &system,
        "GET",
        &format!("/admin/audiences/abandoned?campaign={id}&format=xml"),
        MARKETER,
        None,
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["field"], "format");
    let (status, _) = staff(
        &system,
        "GET",
        "/admin/audiences/abandoned?campaign=cmp_nope",
        MARKETER,
        None,
    )
    .await;
    assert_eq!(status, 404);
}

async fn callback(system: &TestSystem, id: &str, status: &str, created_at: &str) {
    put(
        system,
        "CallbacksTable",
        json!({
            "id": id, "status": status, "created_at": created_at,
            "contact_id": "ctc_ada", "campaign_id": "cmp_1", "cart_id": "crt_1",
            "email_id": "eml_1", "step": 0,
        }),
    )
    .await;
}

fn ids(body: &Value) -> Vec<&str> {
    body["callbacks"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"))
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn sales_should_see_callback_requests_newest_first_and_mark_them_done() {
    let system = admin_only().await;
    callback(&system, "cb_morning", "open", "2026-01-05T09:00:00Z").await;
    callback(&system, "cb_noon", "open", "2026-01-05T12:00:00Z").await;
    callback(&system, "cb_evening", "open", "2026-01-05T18:00:00Z").await;
    callback(&system, "cb_old", "done", "2026-01-01T09:00:00Z").await;

    for group in [MARKETER, SUPPORT] {
        let (status, _) = staff(&system, "GET", "/admin/callbacks", group, None).await;
        assert_eq!(status, 403, "{group}");
        let (status, _) = staff(
            &system,
            "PATCH",
            "/admin/callbacks/cb_noon",
            group,
            Some(json!({"status": "done"})),
        )
        .await;
        assert_eq!(status, 403, "{group}");
    }

    let (status, open) = staff(&system, "GET", "/admin/callbacks", SALES, None).await;
    assert_eq!(status, 200, "{open}");
    assert_eq!(ids(&open), ["cb_evening", "cb_noon", "cb_morning"]);
    assert_eq!(open["callbacks"][0]["cart_id"], "crt_1");
    assert_eq!(open["next"], Value::Null);

    // Two at a time, then the rest from the cursor.
    let (_, first) = staff(&system, "GET", "/admin/callbacks?limit=2", SALES, None).await;
    assert_eq!(ids(&first), ["cb_evening", "cb_noon"]);
    let cursor = first["next"].as_str().expect("a next page").to_string();
    let (_, rest) = staff(
        &system,
        "GET",
        &format!("/admin/callbacks?limit=2&after={cursor}"),
        SALES,
        None,
    )
    .await;
    assert_eq!(ids(&rest), ["cb_morning"]);

    let (status, body) = staff(
        &system,
        "GET",
        "/admin/callbacks?status=closed",
        SALES,
        None,
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["field"], "status");

    let (status, done) = staff(
        &system,
        "PATCH",
        "/admin/callbacks/cb_noon",
        SALES,
        Some(json!({"status": "done", "note": "Called back, order placed by phone"})),
    )
    .await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done["status"], "done");
    assert_eq!(done["done_by"], "test-user");
    assert_eq!(done["note"], "Called back, order placed by phone");
    let done_at = done["done_at"].as_str().expect("done_at").to_string();
    assert!(
        chrono::DateTime::parse_from_rfc3339(&done_at).is_ok(),
        "{done_at}"
    );

    // Done again: who did it first, and when, stay.
    let (status, again) = staff(
        &system,
        "PATCH",
        "/admin/callbacks/cb_noon",
        "liaison-admin",
        Some(json!({"status": "done"})),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(again["done_at"], done_at.as_str());
    assert_eq!(again["note"], "Called back, order placed by phone");

    let (_, open) = staff(&system, "GET", "/admin/callbacks?status=open", SALES, None).await;
    assert_eq!(ids(&open), ["cb_evening", "cb_morning"]);
    let (_, closed) = staff(&system, "GET", "/admin/callbacks?status=done", SALES, None).await;
    assert_eq!(ids(&closed), ["cb_noon", "cb_old"]);

    // Stored as answered.
    let stored = system
        .resources
        .clients
        .dynamodb
        .get_item()
        .table_name(system.resources.table("CallbacksTable"))
        .key("id", AttributeValue::S("cb_noon".into()))
        .consistent_read(true)
        .send()
        .await
        .unwrap()
        .item
        .unwrap();
    assert_eq!(stored["status"], AttributeValue::S("done".into()));
    assert_eq!(stored["done_by"], AttributeValue::S("test-user".into()));

    // Reopened: no longer done.
    let (status, reopened) = staff(
        &system,
        "PATCH",
        "/admin/callbacks/cb_noon",
        SALES,
        Some(json!({"status": "open"})),
    )
    .await;
    assert_eq!(status, 200, "{reopened}");
    assert_eq!(reopened["status"], "open");
    assert!(reopened.get("done_at").is_none(), "{reopened}");
    assert_eq!(reopened["reopened_by"], "test-user");
    let (_, open) = staff(&system, "GET", "/admin/callbacks", SALES, None).await;
    assert_eq!(ids(&open), ["cb_evening", "cb_noon", "cb_morning"]);

    // Refusals: a bad status names the field; an unknown request is a 404, not created.
    let (status, body) = staff(
        &system,
        "PATCH",
        "/admin/callbacks/cb_noon",
        SALES,
        Some(json!({"status": "closed"})),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["field"], "status");
    let (status, body) = staff(
        &system,
        "PATCH",
        "/admin/callbacks/cb_nope",
        SALES,
        Some(json!({"status": "done"})),
    )
    .await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(body["error"]["code"], "not_found");
    assert_eq!(system.resources.count_items("CallbacksTable").await, 4);
}
