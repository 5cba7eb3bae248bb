//! Referral attribution against DynamoDB Local: an order carrying a customer's referral code
//! converts once, with a pending reward; an invited friend's order converts without a code;
//! a self-referral (same name and address under another email) and a third referral order
//! from one IP in a day are flagged; a person converts once.

mod common;

use common::{message, s};

use chrono::{Duration, Utc};
use liaison_stack::harness::{self, TestResources};
use serde_json::{json, Value};
use shared::contracts::contacts::identity::{Identity, IdentityKind};
use shared::contracts::contacts::{ContactStore, Provenance};
use shared::kit::clock::{stamp, Clock};

fn order(id: &str, email: &str, name: (&str, &str), code: Option<&str>, ip: &str) -> Value {
    json!({"type": "commerce", "kind": "order", "order_id": id,
           "customer": {"email": email, "first_name": name.0, "last_name": name.1},
           "currency": "EUR", "lines": [], "total": "84.90",
           "placed_at": stamp(Utc::now()), "referral_code": code,
           "signals": {"client_ip": ip,
                       "shipping_address": {"line1": format!("{} rue Oberkampf", id.len()), "postal_code": "75011", "country": "FR"}}})
}

struct Setup {
    resources: TestResources,
    deps: referrals::Deps,
    store: ContactStore,
    /// Camille, the referrer, and her suggestions' codes, best first.
    camille: String,
    codes: Vec<String>,
}

/// Camille connects her Instagram; five of her followers are suggested to her.
async fn setup() -> Setup {
    let resources = harness::resources().await;
    let (deps, store) = common::consumer(&resources).await;
    let list: Vec<Value> = (0..8)
        .map(|i| json!({"id": format!("ig-{i}"), "handle": format!("@f{i}"), "relation": "friend"}))
        .collect();
    let connected = json!({"type": "social", "action": "connected",
        "account": {"platform": "instagram", "id": "ig-camille"},
        "customer": {"email": "camille@example.fr"}, "connections": list,
        "chunk": {"index": 0, "count": 1}, "part": {"index": 0, "count": 1}});
    let out = referrals::handle_queue(&deps, message("evt_conn", connected)).await;
    assert!(out.batch_item_failures.is_empty());
    let camille = buyer(&store, "camille@example.fr").await;
    let items = resources
        .clients
        .dynamodb
        .query()
        .table_name(resources.table("SuggestionsTable"))
        .key_condition_expression("pk = :c")
        .expression_attribute_values(":c", s(&camille))
        .send()
        .await
        .unwrap();
    let codes: Vec<String> = items
        .items()
        .iter()
        .map(|i| i["code"].as_s().unwrap().clone())
        .collect();
    assert_eq!(codes.len(), 5);
    Setup {
        resources,
        deps,
        store,
        camille,
        codes,
    }
}

/// The contact an order's email is, created as the carts function would.
async fn buyer(store: &ContactStore, email: &str) -> String {
    store
        .resolve(
            &[Identity {
                kind: IdentityKind::Email,
                value: email.into(),
                verified: true,
            }],
            &Provenance {
                event_id: format!("evt_{email}"),
                source_id: "src_shop".into(),
                platform: "standard-webhooks".into(),
            },
            Utc::now(),
        )
        .await
        .unwrap()
        .unwrap()
}

async fn conversions(resources: &TestResources) -> Vec<Value> {
    let out = resources
        .clients
        .dynamodb
        .scan()
        .table_name(resources.table("ReferralsTable"))
        .filter_expression("sk = :c")
        .expression_attribute_values(":c", s("conversion"))
        .send()
        .await
        .unwrap();
    out.items()
        .iter()
        .map(|i| serde_dynamo::from_item(i.clone()).unwrap())
        .collect()
}

async fn place(setup: &Setup, id: &str, event: Value) {
    let out = referrals::handle_queue(&setup.deps, message(id, event)).await;
    assert!(out.batch_item_failures.is_empty(), "{id}: {out:?}");
}

#[tokio::test]
async fn an_order_with_a_code_should_convert_once_with_a_pending_reward() {
    let setup = setup().await;
    buyer(&setup.store, "paul@example.org").await;
    let paul = order(
        "o-1",
        "paul@example.org",
        ("Paul", "Martin"),
        Some(&setup.codes[0]),
        "198.51.100.1",
    );
    place(&setup, "evt_o1", paul.clone()).await;
    // Redelivered: still one conversion.
    place(&setup, "evt_o1", paul).await;
    let found = conversions(&setup.resources).await;
    assert_eq!(found.len(), 1, "{found:?}");
    let c = &found[0];
    assert_eq!(c["referrer"], setup.camille.as_str());
    // The brand's endpoints are told once, about the referrer.
    let told = setup.resources.published_events("referral.converted").await;
    assert_eq!(told.len(), 1, "{told:?}");
    let event: Value = serde_json::from_str(&told[0]).unwrap();
    assert_eq!(event["contact_id"], setup.camille.as_str());
    assert_eq!(event["data"]["conversion"]["reward"], "8.49");
    assert_eq!(c["via"], "code");
    assert_eq!(c["reward"], "8.49");
    assert_eq!(c["reward_state"], "pending");
    assert!(c.get("flags").is_none(), "{c}");
    let placed: chrono::DateTime<Utc> = c["placed_at"].as_str().unwrap().parse().unwrap();
    let approve: chrono::DateTime<Utc> = c["approve_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(
        approve - placed,
        Duration::days(45),
        "after the 30-day return window"
    );
    assert!(
        !c.to_string().contains("198.51.100.1"),
        "the IP only hashed"
    );

    // Paul orders again with another of Camille's codes: a person converts once.
    let again = order(
        "o-2",
        "paul@example.org",
        ("Paul", "Martin"),
        Some(&setup.codes[1]),
        "198.51.100.1",
    );
    place(&setup, "evt_o2", again).await;
    assert_eq!(conversions(&setup.resources).await.len(), 1);

    // An unknown code and an order without any invitation: nothing.
    place(
        &setup,
        "evt_o3",
        order(
            "o-3",
            "zed@example.org",
            ("Zed", "Zed"),
            Some("r_aaaaaaaaaaaaaaaaaaaaaaaaaa"),
            "198.51.100.2",
        ),
    )
    .await;
    assert_eq!(conversions(&setup.resources).await.len(), 1);
}

#[tokio::test]
async fn a_self_referral_and_a_third_order_from_one_ip_should_be_flagged() {
    let setup = setup().await;
    // Camille's own first order: her name and address become her prints.
    place(
        &setup,
        "evt_own",
        order(
            "own-1",
            "camille@example.fr",
            ("Camille", "Roux"),
            None,
            "203.0.113.5",
        ),
    )
    .await;
    // Then she uses her own code under another email, same name, same address.
    buyer(&setup.store, "camille.alt@example.fr").await;
    let mut alt = order(
        "alt-1",
        "camille.alt@example.fr",
        ("camille", "ROUX"),
        Some(&setup.codes[0]),
        "203.0.113.6",
    );
    alt["signals"]["shipping_address"]["line1"] = "5 rue Oberkampf".into();
    place(&setup, "evt_alt", alt).await;
    let found = conversions(&setup.resources).await;
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["reward_state"], "flagged");
    assert_eq!(found[0]["flags"][0]["rule"], "self_referral");
    let detail = found[0]["flags"][0]["detail"].as_str().unwrap();
    assert!(
        detail.contains("name") && detail.contains("address"),
        "{detail}"
    );

    // Three friends order with their codes from one IP within the day: the third is flagged.
    for (i, email) in ["a@x.org", "b@x.org", "c@x.org"].iter().enumerate() {
        buyer(&setup.store, email).await;
        let id = format!("ip-{i}");
        place(
            &setup,
            &format!("evt_{id}"),
            order(
                &id,
                email,
                ("Friend", &format!("Number{i}")),
                Some(&setup.codes[i + 1]),
                "192.0.2.77",
            ),
        )
        .await;
    }
    let found = conversions(&setup.resources).await;
    let by_order = |id: &str| found.iter().find(|c| c["order_id"] == id).unwrap().clone();
    assert_eq!(by_order("ip-0")["reward_state"], "pending");
    assert_eq!(by_order("ip-1")["reward_state"], "pending");
    let third = by_order("ip-2");
    assert_eq!(third["reward_state"], "flagged", "{third}");
    assert_eq!(third["flags"][0]["rule"], "shared_ip");
}

#[tokio::test]
async fn an_invited_friend_should_convert_without_a_code() {
    let setup = setup().await;
    // Léa is known (she commented) and is among Camille's connections.
    let db = &setup.resources.clients.dynamodb;
    let lea = buyer(&setup.store, "lea@example.fr").await;
    let handle = Identity {
        kind: IdentityKind::Handle,
        value: "meta:lea".into(),
        verified: false,
    };
    setup
        .store
        .link(
            &lea,
            &[&handle],
            &Provenance {
                event_id: "evt_lea".into(),
                source_id: "src_ig".into(),
                platform: "meta".into(),
            },
            Utc::now(),
        )
        .await
        .unwrap();
    let connected = json!({"type": "social", "action": "connected",
        "account": {"platform": "instagram", "id": "ig-camille"},
        "customer": {"email": "camille@example.fr"},
        "connections": [{"id": "ig-lea", "handle": "@lea", "relation": "friend", "strength": 1.0}],
        "chunk": {"index": 1, "count": 2}, "part": {"index": 0, "count": 1}});
    // A week later (K a week): Léa is suggested.
    let clock = Clock::system();
    clock.advance(Duration::days(8));
    let later = referrals::Deps::from_env(&setup.resources.function_env("referrals"), clock)
        .await
        .unwrap();
    let out = referrals::handle_queue(&later, message("evt_conn_lea", connected)).await;
    assert!(out.batch_item_failures.is_empty());
    let to_lea = db
        .query()
        .table_name(setup.resources.table("SuggestionsTable"))
        .index_name("ByContact")
        .key_condition_expression("contact_id = :c")
        .expression_attribute_values(":c", s(&lea))
        .send()
        .await
        .unwrap();
    let key = to_lea.items().first().expect("Léa suggested").clone();
    // Suggested only: her order is not a referral.
    let mut lea_order = order(
        "lea-1",
        "lea@example.fr",
        ("Léa", "Petit"),
        None,
        "192.0.2.9",
    );
    lea_order["placed_at"] = stamp(Utc::now() + Duration::days(9)).into();
    place(&setup, "evt_lea_0", lea_order.clone()).await;
    assert!(conversions(&setup.resources).await.is_empty());
    // The link opened (a mail scanner, a link preview, Camille herself), as tracking counts
    // a visit: still nobody's referral.
    db.update_item()
        .table_name(setup.resources.table("SuggestionsTable"))
        .key("pk", key["pk"].clone())
        .key("sk", key["sk"].clone())
        .update_expression("ADD visits :one SET clicked_at = :at, last_visit_at = :at")
        .expression_attribute_values(
            ":one",
            aws_sdk_dynamodb::types::AttributeValue::N("1".into()),
        )
        .expression_attribute_values(":at", s(&stamp(Utc::now() + Duration::days(8))))
        .send()
        .await
        .unwrap();
    lea_order["order_id"] = "lea-visited".into();
    place(&setup, "evt_lea_visited", lea_order.clone()).await;
    assert!(conversions(&setup.resources).await.is_empty());
    // Camille shares her link with Léa: Léa's next order is Camille's referral.
    db.update_item()
        .table_name(setup.resources.table("SuggestionsTable"))
        .key("pk", key["pk"].clone())
        .key("sk", key["sk"].clone())
        .update_expression("SET #s = :sent, updated_at = :at")
        .expression_attribute_names("#s", "status")
        .expression_attribute_values(":sent", s("sent"))
        .expression_attribute_values(":at", s(&stamp(Utc::now() + Duration::days(8))))
        .send()
        .await
        .unwrap();
    lea_order["order_id"] = "lea-2".into();
    place(&setup, "evt_lea_1", lea_order).await;
    let found = conversions(&setup.resources).await;
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["via"], "invitation");
    assert_eq!(found[0]["referrer"], setup.camille.as_str());
    assert_eq!(found[0]["referred"], lea.as_str());
}
