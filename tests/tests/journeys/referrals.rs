//! Referral suggestions end to end through the runner. Two people comment on the brand's
//! Instagram (signed Meta webhooks); then a customer connects their Instagram account on the
//! brand's site, which sends a few hundred connections (signed, through ingest). The
//! referrals consumer matches the two commenters among them and ranks them first, with
//! reasons; the customer themself never appears, and no platform id is stored.

use std::time::Duration;

use aws_sdk_dynamodb::types::AttributeValue;
use e2e::{create_source, deliver};
use liaison_local::harness;
use serde_json::{json, Value};

#[tokio::test]
async fn a_connected_account_should_become_ranked_suggestions() {
    let system = harness::system_without(&["carts"]).await;
    // helene.lumiere and ada_lovelace comment on the brand's Instagram post.
    e2e::platforms::instagram_comments(&system).await;
    let contributions = system.resources.table("ContributionsTable");
    for _ in 0..150 {
        let out = system
            .resources
            .clients
            .dynamodb
            .scan()
            .table_name(&contributions)
            .send()
            .await
            .unwrap();
        if out.items().len() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // Camille connects her Instagram account on the brand's site.
    let site = create_source(&system, "Maison Lumière (site)").await;
    let mut connections: Vec<Value> = (0..200)
        .map(|i| json!({"id": format!("99{i:08}"), "handle": format!("@follower{i}"), "relation": "follower"}))
        .collect();
    connections.push(json!({"id": "1234567890123456", "handle": "@helene.lumiere", "name": "Hélène", "relation": "follower"}));
    connections
        .push(json!({"id": "2345678901234567", "handle": "@ada_lovelace", "relation": "follower"}));
    connections.push(json!({"id": "17841400999999", "handle": "@camille", "relation": "follower"}));
    let connected = json!({
        "type": "social.connected", "timestamp": "2026-11-23T10:00:00Z",
        "data": {"platform": "instagram", "account": {"id": "17841400999999", "handle": "@camille"},
                 "customer": {"id": "cus_77", "email": "camille.r@example.fr"},
                 "connections": connections}
    });
    let resp = deliver(
        &system,
        &site,
        "msg-connect-1",
        connected.to_string().as_bytes(),
    )
    .await;
    assert_eq!(resp.status().as_u16(), 202);
    let explained: Value = resp.json().await.unwrap();
    assert_eq!(explained["dropped"]["self"], 1, "{explained}");

    let db = &system.resources.clients.dynamodb;
    let table = system.resources.table("SuggestionsTable");
    let mut found = Vec::new();
    for _ in 0..150 {
        found = db
            .scan()
            .table_name(&table)
            .send()
            .await
            .unwrap()
            .items()
            .to_vec();
        if found.len() >= 5 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(found.len(), 5, "K a week");
    let mut found: Vec<Value> = found
        .into_iter()
        .map(|i| serde_dynamo::from_item(i).unwrap())
        .collect();
    found.sort_by(|a, b| {
        b["score"]
            .as_f64()
            .partial_cmp(&a["score"].as_f64())
            .unwrap()
    });
    let handles: Vec<&str> = found.iter().filter_map(|s| s["handle"].as_str()).collect();
    assert_eq!(handles[0], "@helene.lumiere", "{handles:?}");
    assert_eq!(handles[1], "@ada_lovelace", "{handles:?}");
    assert!(
        found[0]["reasons"]
            .to_string()
            .contains("talked about the brand"),
        "{}",
        found[0]
    );
    assert!(
        !handles.contains(&"@camille"),
        "never the customer themself"
    );
    // The platform ids are stored only as keyed hashes.
    let edges = db
        .scan()
        .table_name(system.resources.table("ConnectionsTable"))
        .send()
        .await
        .unwrap();
    assert!(!format!("{:?}", edges.items()).contains("1234567890123456"));
    assert!(edges
        .items()
        .iter()
        .any(|i| i.get("handle") == Some(&AttributeValue::S("@helene.lumiere".into()))));

    // Erasing Camille erases the graph she shared and the suggestions made to her.
    let camille = found[0]["pk"].as_str().unwrap().to_string();
    let (status, _) = e2e::staff(
        &system,
        "DELETE",
        &format!("/admin/contacts/{camille}"),
        "liaison-admin",
        None,
    )
    .await;
    assert_eq!(status, 204);
    for table in ["ConnectionsTable", "SuggestionsTable"] {
        let left = db
            .scan()
            .table_name(system.resources.table(table))
            .send()
            .await
            .unwrap();
        assert!(
            left.items()
                .iter()
                .all(|i| i.get("pk") != Some(&AttributeValue::S(camille.clone()))),
            "{table}"
        );
    }
}
