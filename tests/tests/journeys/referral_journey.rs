//! A referral from end to end, through the runner and every function on the way:
//! - Hélène and Ada comment on the brand's Instagram (signed Meta webhooks): known prospects
//!   with contributions. Staff mark Ada a customer. Bob connected his Instagram on the site
//!   earlier, and his address then bounced (an SES notification on its queue): suppressed.
//! - Camille connects her Instagram on the brand's site: a few hundred connections, the three
//!   of them among them. The site reads her suggestions with its own machine token: Hélène
//!   first with her reasons, never Ada (a customer) nor Bob (suppressed).
//! - Hélène follows Camille's link (`/r/{code}`) to the shop and orders with the code: the
//!   conversion and Camille's pending reward appear for staff. Camille then orders with another
//!   of her own codes: a self-referral, flagged.

use e2e::SendChecked;
use std::time::Duration;

use e2e::{create_source, deliver, staff};
use liaison_local::harness::{self, TestSystem};
use reqwest::Client;
use serde_json::{json, Value};

async fn site(system: &TestSystem, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    let mut req = Client::new()
        .request(method.parse().unwrap(), system.url(path))
        .bearer_auth(system.site_token(shared::kit::auth::SITE_REFERRALS_SCOPE));
    if let Some(body) = body {
        req = req.json(&body);
    }
    let resp = req.send_checked().await.expect("runner reachable");
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

/// `check` on the staff list of conversions, retried until it holds (10 s).
async fn conversions_when(system: &TestSystem, check: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    let mut last = Vec::new();
    for _ in 0..100 {
        let (status, body) = staff(
            system,
            "GET",
            "/admin/referrals/conversions",
            "liaison-marketer",
            None,
        )
        .await;
        assert_eq!(status, 200, "{body}");
        last = body["conversions"].as_array().cloned().unwrap_or_default();
        if check(&last) {
            return last;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("conversions never matched: {last:?}");
}

/// Everything a table holds, as text to search for an id.
async fn scan(system: &TestSystem, table: &str) -> String {
    let out = system
        .resources
        .clients
        .dynamodb
        .scan()
        .table_name(system.resources.table(table))
        .send()
        .await
        .unwrap();
    format!("{:?}", out.items())
}

async fn contact_by_handle(system: &TestSystem, handle: &str) -> String {
    for _ in 0..100 {
        let (status, body) = staff(
            system,
            "GET",
            &format!("/admin/contacts?platform=meta&handle={handle}"),
            "liaison-support",
            None,
        )
        .await;
        if status == 200 {
            if let Some(id) = body["contacts"][0]["id"].as_str().or(body["id"].as_str()) {
                return id.to_string();
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no contact with handle {handle}");
}

fn order(id: &str, code: &str, email: &str, name: (&str, &str), ip: &str) -> Value {
    json!({"type": "order.placed", "timestamp": chrono::Utc::now().to_rfc3339(),
           "data": {"id": id, "customer": {"email": email, "first_name": name.0, "last_name": name.1},
                    "currency": "EUR", "total": "84.90", "placed_at": chrono::Utc::now().to_rfc3339(),
                    "lines": [{"title": "Lampe atelier", "quantity": 1, "unit_price": "84.90"}],
                    "referral_code": code, "client_ip": ip,
                    "shipping_address": {"line1": "12 rue Oberkampf", "postal_code": "75011", "country": "FR"}}})
}

#[tokio::test]
async fn a_referral_should_run_from_suggestion_to_reward_and_flag_a_self_referral() {
    let system = harness::system().await;
    // Hélène and Ada comment on the brand's Instagram.
    e2e::platforms::instagram_comments(&system).await;
    let ada = contact_by_handle(&system, "ada_lovelace").await;
    contact_by_handle(&system, "helene.lumiere").await;
    let (status, body) = staff(
        &system,
        "PATCH",
        &format!("/admin/contacts/{ada}"),
        "liaison-sales",
        Some(json!({"type": "customer"})),
    )
    .await;
    assert_eq!(status, 200, "{body}");

    // Bob connected his Instagram on the site; then his address bounced.
    let shop = create_source(&system, "Maison Lumière (site)").await;
    let bob = json!({"type": "social.connected", "timestamp": "2026-11-23T09:00:00Z",
        "data": {"platform": "instagram", "account": {"id": "17841400888888", "handle": "@bob"},
                 "customer": {"id": "cus_12", "email": "bob@example.fr"},
                 "connections": [{"id": "55500000001", "handle": "@someone", "relation": "follower"}]}});
    let resp = deliver(&system, &shop, "msg-bob", bob.to_string().as_bytes()).await;
    assert_eq!(resp.status().as_u16(), 202);
    let bounce_path =
        liaison_local::stack::repo_root().join("functions/ses-events/events/bounce-permanent.json");
    let bounce = std::fs::read_to_string(bounce_path)
        .unwrap()
        .replace("Ada.Lovelace@Example.com", "bob@example.fr");
    system
        .resources
        .clients
        .sqs
        .send_message()
        .queue_url(system.resources.queue_url("SesEventsQueue"))
        .message_body(bounce)
        .send()
        .await
        .unwrap();
    for _ in 0..100 {
        if system.resources.count_items("SuppressionTable").await > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(system.resources.count_items("SuppressionTable").await, 1);

    // Camille connects her Instagram: 300 followers, Hélène, Ada and Bob among them.
    let mut connections: Vec<Value> = (0..300)
        .map(|i| json!({"id": format!("99{i:08}"), "handle": format!("@follower{i}"), "relation": "follower"}))
        .collect();
    connections.push(json!({"id": "1234567890123456", "handle": "@helene.lumiere", "name": "Hélène", "relation": "follower"}));
    connections.push(json!({"id": "2345678901234567", "handle": "@ada_lovelace", "relation": "friend", "strength": 1.0}));
    connections.push(
        json!({"id": "17841400888888", "handle": "@bob", "relation": "friend", "strength": 1.0}),
    );
    let connected = json!({"type": "social.connected", "timestamp": "2026-11-23T10:00:00Z",
        "data": {"platform": "instagram", "account": {"id": "17841400999999", "handle": "@camille"},
                 "customer": {"id": "cus_77", "email": "camille.r@example.fr"},
                 "connections": connections}});
    let resp = deliver(
        &system,
        &shop,
        "msg-camille",
        connected.to_string().as_bytes(),
    )
    .await;
    assert_eq!(resp.status().as_u16(), 202);

    // The site reads Camille's suggestions by its own customer id, with its machine token.
    let path = "/api/referrals/customer:cus_77/suggestions";
    let mut listed = Value::Null;
    for _ in 0..150 {
        let (status, body) = site(&system, "GET", path, None).await;
        if status == 200 && body["suggestions"].as_array().is_some_and(|s| s.len() == 5) {
            listed = body;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let suggestions = listed["suggestions"].as_array().expect("5 suggestions");
    let handles: Vec<&str> = suggestions
        .iter()
        .filter_map(|s| s["handle"].as_str())
        .collect();
    assert_eq!(handles[0], "@helene.lumiere", "{handles:?}");
    assert!(
        suggestions[0]["reasons"]
            .to_string()
            .contains("talked about the brand"),
        "{}",
        suggestions[0]
    );
    assert!(
        !handles.contains(&"@ada_lovelace"),
        "a customer: {handles:?}"
    );
    assert!(!handles.contains(&"@bob"), "suppressed: {handles:?}");
    assert!(
        suggestions[0].get("contact_id").is_none(),
        "never the candidate's id"
    );
    let link = suggestions[0]["link"].as_str().unwrap().to_string();
    let code = suggestions[0]["code"].as_str().unwrap().to_string();
    assert!(link.ends_with(&format!("/r/{code}")), "{link}");

    // A staff token is not the site's, and the site's is not staff's.
    let resp = Client::new()
        .get(system.url(path))
        .bearer_auth(system.token(&["liaison-admin"]))
        .send_checked()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 401);
    let resp = Client::new()
        .get(system.url(path))
        .bearer_auth(system.site_token("liaison/other"))
        .send_checked()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 403);
    let resp = Client::new()
        .get(system.url("/admin/referrals/conversions"))
        .bearer_auth(system.site_token(shared::kit::auth::SITE_REFERRALS_SCOPE))
        .send_checked()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 401);

    // Camille dismisses her last suggestion; it leaves her list. Marking it sent afterwards
    // is allowed (she changed her mind), unsending a shared one is not.
    let last = suggestions[4]["code"].as_str().unwrap();
    let mark = format!("{path}/{last}");
    let (status, _) = site(
        &system,
        "PATCH",
        &mark,
        Some(json!({"status": "dismissed"})),
    )
    .await;
    assert_eq!(status, 200);
    let (_, after) = site(&system, "GET", path, None).await;
    assert_eq!(after["suggestions"].as_array().unwrap().len(), 4);
    let (status, body) = site(&system, "PATCH", &mark, Some(json!({"status": "maybe"}))).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("invalid_request"))
    );
    let (status, _) = site(&system, "PATCH", &mark, Some(json!({"status": "sent"}))).await;
    assert_eq!(status, 200);
    let (status, _) = site(
        &system,
        "PATCH",
        &mark,
        Some(json!({"status": "dismissed"})),
    )
    .await;
    assert_eq!(status, 409);

    // Hélène follows the link: to the shop, with the code.
    let no_redirects = Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let resp = no_redirects
        .get(system.url(&format!("/r/{code}")))
        .send_checked()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 302);
    let location = resp.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(location, format!("https://shop.liaison.local/?ref={code}"));
    let resp = no_redirects
        .get(system.url("/r/r_aaaaaaaaaaaaaaaaaaaaaaaaaa"))
        .send_checked()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 404);

    // ...and orders with it: a conversion, Camille's reward pending.
    let helene = order(
        "ord_500",
        &code,
        "helene@example.fr",
        ("Hélène", "Lefèvre"),
        "198.51.100.23",
    );
    let resp = deliver(
        &system,
        &shop,
        "msg-order-500",
        helene.to_string().as_bytes(),
    )
    .await;
    assert_eq!(resp.status().as_u16(), 202);
    let found = conversions_when(&system, |c| c.len() == 1).await;
    let conversion = &found[0];
    assert_eq!(conversion["order_id"], "ord_500");
    assert_eq!(conversion["state"], "pending", "{conversion}");
    assert_eq!(conversion["reward"], "8.49");
    assert_eq!(conversion["via"], "code");
    assert!(conversion.get("ip_key").is_none());
    // Not approved yet: it cannot be paid.
    let id = conversion["id"].as_str().unwrap();
    let (status, body) = staff(
        &system,
        "PATCH",
        &format!("/admin/referrals/conversions/{id}"),
        "liaison-marketer",
        Some(json!({"decision": "paid"})),
    )
    .await;
    assert_eq!(status, 409, "{body}");

    // Camille orders with another of her own codes: a self-referral, flagged.
    let other = suggestions[1]["code"].as_str().unwrap();
    let own = order(
        "ord_501",
        other,
        "camille.r@example.fr",
        ("Camille", "Roux"),
        "203.0.113.50",
    );
    let resp = deliver(&system, &shop, "msg-order-501", own.to_string().as_bytes()).await;
    assert_eq!(resp.status().as_u16(), 202);
    let found = conversions_when(&system, |c| c.len() == 2).await;
    let flagged = found.iter().find(|c| c["order_id"] == "ord_501").unwrap();
    assert_eq!(flagged["state"], "flagged", "{flagged}");
    assert_eq!(flagged["flags"][0]["rule"], "self_referral");
    let (status, flagged_only) = staff(
        &system,
        "GET",
        "/admin/referrals/conversions?state=flagged",
        "liaison-sales",
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(flagged_only["conversions"].as_array().unwrap().len(), 1);

    // The revenue report counts both orders (the flagged one said so) and their rewards.
    let today = chrono::Utc::now().date_naive();
    let range = format!(
        "/admin/reports/revenue?from={}&to={}",
        today - chrono::Duration::days(1),
        today + chrono::Duration::days(1)
    );
    let (status, report) = staff(&system, "GET", &range, "liaison-sales", None).await;
    assert_eq!(status, 200, "{report}");
    let referred = &report["referrals"];
    assert_eq!(
        (referred["orders"].clone(), referred["flagged"].clone()),
        (json!(2), json!(1)),
        "{report}"
    );
    assert_eq!(referred["revenue"], json!({"EUR": "169.8"}), "{report}");
    assert_eq!(referred["rewards"]["EUR"], "16.98", "{report}");

    // Staff see Camille's suggestions too, with the visit counted.
    let camille = listed["contact_id"].as_str().unwrap();
    let (status, seen) = staff(
        &system,
        "GET",
        &format!("/admin/referrals/{camille}/suggestions"),
        "liaison-marketer",
        None,
    )
    .await;
    assert_eq!(status, 200, "{seen}");
    let first = seen["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["code"] == code.as_str())
        .unwrap();
    assert_eq!(first["visits"], 1, "{first}");

    // Erasing Hélène keeps Camille's reward without her; erasing Camille erases her rewards,
    // her prints and the suggestions made to her.
    let helene_id = conversion["referred"].as_str().unwrap().to_string();
    let (status, _) = staff(
        &system,
        "DELETE",
        &format!("/admin/contacts/{helene_id}"),
        "liaison-admin",
        None,
    )
    .await;
    assert_eq!(status, 204);
    let left = conversions_when(&system, |c| c.len() == 2).await;
    let kept = left.iter().find(|c| c["order_id"] == "ord_500").unwrap();
    assert!(kept.get("referred").is_none(), "{kept}");
    assert!(!scan(&system, "ReferralsTable").await.contains(&helene_id));
    assert!(!scan(&system, "SuggestionsTable").await.contains(&helene_id));
    let (status, _) = staff(
        &system,
        "DELETE",
        &format!("/admin/contacts/{camille}"),
        "liaison-admin",
        None,
    )
    .await;
    assert_eq!(status, 204);
    for table in ["ReferralsTable", "SuggestionsTable", "ConnectionsTable"] {
        assert!(!scan(&system, table).await.contains(camille), "{table}");
    }
}
