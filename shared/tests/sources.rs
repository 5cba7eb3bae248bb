//! The sources table: creation is conditional, listing goes through the ByKind index without
//! secrets, and concurrent secret changes cannot overwrite each other.

use std::collections::BTreeMap;

use chrono::{Duration, Utc};
use liaison_stack::harness;
use shared::contracts::sources::{Platform, SigningSecret, Source, SourceStore, KIND};

fn source(id: &str, minutes_ago: i64) -> Source {
    Source {
        id: id.to_string(),
        platform: Platform::StandardWebhooks,
        name: format!("name of {id}"),
        created_at: Utc::now() - Duration::minutes(minutes_ago),
        secrets: vec![SigningSecret {
            value: "whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0".into(),
            created_at: Utc::now(),
            expires_at: None,
        }],
        settings: BTreeMap::new(),
        credentials: Default::default(),
        version: 0,
        kind: KIND.into(),
        websub_requested_at: None,
    }
}

#[tokio::test]
async fn sources_should_be_created_once_and_read_back() {
    let res = harness::resources().await;
    let store = SourceStore::new(res.clients.dynamodb.clone(), res.table("SourcesTable"));
    let s = source("src_a", 0);
    store.create(&s).await.unwrap();
    assert_eq!(store.create(&s).await.unwrap_err().status(), 409);
    assert_eq!(store.get("src_a").await.unwrap(), Some(s));
    assert_eq!(store.get("src_none").await.unwrap(), None);
    assert!(store.delete("src_a").await.unwrap());
    assert!(!store.delete("src_a").await.unwrap());
}

#[tokio::test]
async fn listing_should_page_newest_first() {
    let res = harness::resources().await;
    let store = SourceStore::new(res.clients.dynamodb.clone(), res.table("SourcesTable"));
    for (i, id) in ["src_old", "src_mid", "src_new"].iter().enumerate() {
        store.create(&source(id, 30 - i as i64 * 10)).await.unwrap();
    }
    let (page1, next) = store.list(2, None).await.unwrap();
    let ids: Vec<_> = page1.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["src_new", "src_mid"]);
    // The index projects no secrets.
    assert!(page1.iter().all(|s| s.secrets.is_empty()));
    let (page2, next2) = store.list(2, next.as_deref()).await.unwrap();
    assert_eq!(
        page2.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(),
        ["src_old"]
    );
    assert!(next2.is_none() || store.list(2, next2.as_deref()).await.unwrap().0.is_empty());
}

#[tokio::test]
async fn a_stale_secret_update_should_conflict() {
    let res = harness::resources().await;
    let store = SourceStore::new(res.clients.dynamodb.clone(), res.table("SourcesTable"));
    let s = source("src_rot", 0);
    store.create(&s).await.unwrap();
    let rotated = s.rotated(
        "whsec_bmV3LW5ldy1uZXctbmV3LW5ldy1uZXctbmV3".into(),
        Utc::now(),
        Duration::hours(1),
    );
    store.replace_secrets("src_rot", 0, &rotated).await.unwrap();
    // A second writer that read version 0 loses.
    assert_eq!(
        store
            .replace_secrets("src_rot", 0, &rotated)
            .await
            .unwrap_err()
            .status(),
        409
    );
    let stored = store.get("src_rot").await.unwrap().unwrap();
    assert_eq!(stored.version, 1);
    assert_eq!(stored.secrets.len(), 2);
}

#[tokio::test]
async fn credentials_should_be_sealed_at_rest_and_opened_only_with_the_key() {
    let res = harness::resources().await;
    let sealed_store = res.sources();
    let mut s = source("src_sealed", 0);
    s.credentials
        .0
        .insert("application_password".into(), "abcd efgh ijkl mnop".into());
    sealed_store.create(&s).await.unwrap();
    // In the table: the name, never the value.
    let item = res
        .clients
        .dynamodb
        .get_item()
        .table_name(res.table("SourcesTable"))
        .key(
            "id",
            aws_sdk_dynamodb::types::AttributeValue::S("src_sealed".into()),
        )
        .send()
        .await
        .unwrap()
        .item
        .unwrap();
    let stored = format!("{item:?}");
    assert!(stored.contains("application_password"));
    assert!(!stored.contains("abcd efgh"), "{stored}");
    // The functions given the key read the value; the others only that it exists.
    assert_eq!(
        sealed_store.get("src_sealed").await.unwrap(),
        Some(s.clone())
    );
    let keyless = SourceStore::new(res.clients.dynamodb.clone(), res.table("SourcesTable"));
    let seen = keyless.get("src_sealed").await.unwrap().unwrap();
    let value = seen.credentials.get("application_password").unwrap();
    assert!(value.starts_with(shared::contracts::sealed::PREFIX));
    // And cannot write credentials it could not seal.
    let mut other = source("src_plain", 0);
    other.credentials.0.insert("api_key".into(), "k".into());
    assert_eq!(keyless.create(&other).await.unwrap_err().status(), 500);
    // Replaced in place, sealed again.
    sealed_store
        .replace_access("src_sealed", 0, &s.credentials, &BTreeMap::new())
        .await
        .unwrap();
    assert_eq!(
        sealed_store
            .get("src_sealed")
            .await
            .unwrap()
            .unwrap()
            .credentials,
        s.credentials
    );
}
