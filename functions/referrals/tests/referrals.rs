//! The referrals consumer against DynamoDB Local: a customer's connections are stored,
//! matched to known contacts, and ranked into at most K suggestions; a prospect with an
//! open cart comes first; a customer and a suppressed prospect never appear; a redelivered
//! part changes nothing; mutual connections in the brand's graph count; a disconnection
//! forgets the edges.

mod common;

use common::{message, s};

use chrono::Utc;
use liaison_stack::harness::{self, TestResources};
use serde_json::{json, Value};
use shared::contracts::contacts::identity::{Identity, IdentityKind};
use shared::contracts::contacts::{ContactStore, Provenance};
use shared::kit::clock::stamp;

fn connected(account: &str, email: &str, connections: Vec<Value>, part: u32) -> Value {
    json!({"type": "social", "action": "connected",
           "account": {"platform": "instagram", "id": account, "handle": format!("@{account}")},
           "customer": {"email": email},
           "connections": connections,
           "chunk": {"index": 0, "count": 1}, "part": {"index": part, "count": 1}})
}

fn follower(i: usize) -> Value {
    json!({"id": format!("ig-{i}"), "handle": format!("@follower{i}"), "relation": "follower"})
}

/// A contact known by their Instagram handle.
async fn known(store: &ContactStore, handle: &str) -> String {
    store
        .resolve(
            &[Identity {
                kind: IdentityKind::Handle,
                value: format!("meta:{handle}"),
                verified: false,
            }],
            &Provenance {
                event_id: format!("evt_{handle}"),
                source_id: "src_ig".into(),
                platform: "instagram".into(),
            },
            Utc::now(),
        )
        .await
        .unwrap()
        .unwrap()
}

async fn suggestions(resources: &TestResources, customer: &str) -> Vec<Value> {
    let out = resources
        .clients
        .dynamodb
        .query()
        .table_name(resources.table("SuggestionsTable"))
        .key_condition_expression("pk = :c")
        .expression_attribute_values(":c", s(customer))
        .send()
        .await
        .unwrap();
    let mut items: Vec<Value> = out
        .items()
        .iter()
        .map(|i| serde_dynamo::from_item(i.clone()).unwrap())
        .collect();
    items.sort_by(|a: &Value, b: &Value| {
        b["score"]
            .as_f64()
            .partial_cmp(&a["score"].as_f64())
            .unwrap()
    });
    items
}

async fn contact_of_email(store: &ContactStore, email: &str) -> String {
    let found = store
        .lookup(&[Identity {
            kind: IdentityKind::Email,
            value: email.into(),
            verified: true,
        }])
        .await
        .unwrap();
    found[0]
        .clone()
        .expect("the customer is a contact")
        .contact_id
}

#[tokio::test]
async fn known_prospects_should_be_suggested_first_and_customers_and_suppressed_never() {
    let resources = harness::resources().await;
    let (deps, store) = common::consumer(&resources).await;
    let db = &resources.clients.dynamodb;
    // Léa: a prospect with an open cart. Marc: already a customer. Zoé: her address bounced.
    let lea = known(&store, "lea").await;
    db.put_item()
        .table_name(resources.table("CartsTable"))
        .set_item(Some(
            serde_dynamo::to_item(json!({
                "id": "crt_lea", "source_id": "src_shop", "platform": "shopify", "cart_id": "c1",
                "contact_id": lea, "currency": "EUR", "total": "40.00", "lines": [],
                "last_activity": stamp(Utc::now()), "cart_status": "open", "updated_at": stamp(Utc::now())
            }))
            .unwrap(),
        ))
        .send()
        .await
        .unwrap();
    let marc = known(&store, "marc").await;
    store.become_customer(&marc, Utc::now()).await.unwrap();
    let zoe = store
        .resolve(
            &[
                Identity {
                    kind: IdentityKind::Handle,
                    value: "meta:zoe".into(),
                    verified: false,
                },
                Identity {
                    kind: IdentityKind::Email,
                    value: "zoe@example.fr".into(),
                    verified: true,
                },
            ],
            &Provenance {
                event_id: "evt_zoe".into(),
                source_id: "src_ig".into(),
                platform: "instagram".into(),
            },
            Utc::now(),
        )
        .await
        .unwrap()
        .unwrap();
    let zoe_key = shared::contracts::lookup::lookup_key(
        &liaison_stack::harness::lookup_key(),
        "email",
        "zoe@example.fr",
    );
    db.put_item()
        .table_name(resources.table("SuppressionTable"))
        .item("email_key", s(&zoe_key))
        .item("reason", s("bounce"))
        .send()
        .await
        .unwrap();

    let mut list: Vec<Value> = (0..300).map(follower).collect();
    list.push(json!({"id": "ig-lea", "handle": "@lea", "name": "Léa", "relation": "friend"}));
    list.push(json!({"id": "ig-marc", "handle": "@marc", "relation": "friend", "strength": 0.9}));
    list.push(json!({"id": "ig-zoe", "handle": "@zoe", "relation": "friend", "strength": 0.9}));
    let event = message(
        "evt_conn_1",
        connected("camille", "camille@example.fr", list, 0),
    );
    let out = referrals::handle_queue(&deps, event).await;
    assert!(out.batch_item_failures.is_empty());
    let customer = contact_of_email(&store, "camille@example.fr").await;
    let found = suggestions(&resources, &customer).await;
    assert_eq!(found.len(), 5, "K a week: {found:?}");
    assert_eq!(found[0]["contact_id"], lea.as_str(), "{found:?}");
    assert_eq!(found[0]["handle"], "@lea");
    assert!(found[0]["code"].as_str().unwrap().starts_with("r_"));
    for s in &found {
        assert_ne!(s["contact_id"], marc.as_str());
        assert_ne!(s["contact_id"], zoe.as_str());
        assert!(!s["reasons"].as_array().unwrap().is_empty());
    }
    // 303 edges stored (self excluded), the platform ids themselves never.
    let edges = resources.count_items("ConnectionsTable").await;
    assert_eq!(edges, 303 + 1, "edges and the account's degree");

    // The same part again: nothing new.
    let again = message(
        "evt_conn_1",
        connected(
            "camille",
            "camille@example.fr",
            (0..300).map(follower).collect(),
            0,
        ),
    );
    referrals::handle_queue(&deps, again).await;
    assert_eq!(suggestions(&resources, &customer).await.len(), 5);

    // Disconnected: every edge of the account is forgotten.
    let gone = message(
        "evt_disc_1",
        json!({"type": "social", "action": "disconnected",
               "account": {"platform": "instagram", "id": "camille"},
               "customer": {"email": "camille@example.fr"}}),
    );
    let out = referrals::handle_queue(&deps, gone).await;
    assert!(out.batch_item_failures.is_empty());
    assert_eq!(resources.count_items("ConnectionsTable").await, 0);
}

#[tokio::test]
async fn friends_in_common_should_raise_a_candidate_and_a_recent_suggestion_should_wait() {
    let resources = harness::resources().await;
    let (deps, store) = common::consumer(&resources).await;
    let f = |i: usize| json!({"id": format!("ig-f{i}"), "handle": format!("@f{i}"), "relation": "follower"});
    // Ana connects first: seven followers, five of them suggested to her (K a week).
    let ana: Vec<Value> = (0..7).map(f).collect();
    referrals::handle_queue(
        &deps,
        message("evt_a", connected("ig-ana", "ana@example.fr", ana, 0)),
    )
    .await;
    let ana_id = contact_of_email(&store, "ana@example.fr").await;
    let to_ana: Vec<String> = suggestions(&resources, &ana_id)
        .await
        .iter()
        .map(|s| s["handle"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(to_ana.len(), 5);
    // Bea is Ana's friend, and follows the same seven, and five others.
    let mut bea: Vec<Value> = (0..7).map(f).collect();
    bea.extend((0..5).map(
        |i| json!({"id": format!("ig-t{i}"), "handle": format!("@t{i}"), "relation": "follower"}),
    ));
    bea.push(json!({"id": "ig-ana", "handle": "@ana", "relation": "friend"}));
    referrals::handle_queue(
        &deps,
        message("evt_b", connected("ig-bea", "bea@example.fr", bea, 0)),
    )
    .await;
    let bea_id = contact_of_email(&store, "bea@example.fr").await;
    let found = suggestions(&resources, &bea_id).await;
    let handles: Vec<&str> = found.iter().filter_map(|s| s["handle"].as_str()).collect();
    // Suggested to Ana moments ago: within the cooldown for everyone.
    for h in &to_ana {
        assert!(
            !handles.contains(&h.as_str()),
            "{h} within the cooldown: {handles:?}"
        );
    }
    // The two Ana was not told about share a friend with Bea (Ana): above Bea's others.
    let mutual: Vec<&Value> = found
        .iter()
        .filter(|s| s["handle"].as_str().is_some_and(|h| h.starts_with("@f")))
        .collect();
    assert_eq!(mutual.len(), 2, "{handles:?}");
    let best_other = found
        .iter()
        .filter(|s| s["handle"].as_str().is_some_and(|h| h.starts_with("@t")))
        .map(|s| s["score"].as_f64().unwrap())
        .fold(0.0, f64::max);
    for m in mutual {
        assert!(m["score"].as_f64().unwrap() > best_other, "{found:?}");
        let reasons = m["reasons"].to_string();
        assert!(reasons.contains("in common"), "{reasons}");
    }
}

/// A public comment by `contact`, answering `parent` when given, recorded as identify does.
async fn comment(resources: &TestResources, contact: &str, id: &str, parent: Option<&str>) {
    let record: shared::contracts::contributions::ContributionRecord =
        serde_json::from_value(json!({
            "id": format!("evt_{id}"), "source_id": "src_blog", "platform": "standard-webhooks",
            "received_at": stamp(Utc::now()), "classified_at": stamp(Utc::now()),
            "contact_id": contact,
            "classification": {"label": "praise", "confidence": 0.9, "cues": []},
            "contribution": {"action": "created", "kind": "comment", "external_id": id,
                             "parent_id": parent, "text": "Lovely", "created_at": stamp(Utc::now()),
                             "moderation": "published", "author": {}}
        }))
        .unwrap();
    resources
        .clients
        .dynamodb
        .put_item()
        .table_name(resources.table("ContributionsTable"))
        .set_item(Some(serde_dynamo::to_item(&record).unwrap()))
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn a_friend_who_answered_the_customer_should_say_so_in_the_reasons() {
    let resources = harness::resources().await;
    let (deps, store) = common::consumer(&resources).await;
    // Nina is known by her handle; the customer is known by her email before she connects.
    let nina = known(&store, "nina").await;
    let customer = store
        .resolve(
            &[Identity {
                kind: IdentityKind::Email,
                value: "iris@example.fr".into(),
                verified: true,
            }],
            &Provenance {
                event_id: "evt_iris".into(),
                source_id: "src_shop".into(),
                platform: "standard-webhooks".into(),
            },
            Utc::now(),
        )
        .await
        .unwrap()
        .unwrap();
    // Iris commented twice on the blog; Nina answered both, and Iris answered Nina once.
    comment(&resources, &customer, "c-iris-1", None).await;
    comment(&resources, &customer, "c-iris-2", None).await;
    comment(&resources, &nina, "c-nina-1", Some("c-iris-1")).await;
    comment(&resources, &nina, "c-nina-2", Some("c-iris-2")).await;
    comment(&resources, &customer, "c-iris-3", Some("c-nina-1")).await;
    let list = vec![
        json!({"id": "ig-nina", "handle": "@nina", "relation": "follower"}),
        json!({"id": "ig-other", "handle": "@other", "relation": "follower"}),
    ];
    let out = referrals::handle_queue(
        &deps,
        message(
            "evt_iris_conn",
            connected("iris", "iris@example.fr", list, 0),
        ),
    )
    .await;
    assert!(out.batch_item_failures.is_empty());
    let found = suggestions(&resources, &customer).await;
    assert_eq!(found[0]["handle"], "@nina", "{found:?}");
    let reasons = found[0]["reasons"].to_string();
    assert!(reasons.contains("interacted with you 3 times"), "{reasons}");
}
