//! Contacts against DynamoDB Local: the transaction that creates a contact with its lookups
//! lets exactly one of several racing deliveries win, and no key holds an email.

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::Utc;
use identify::contacts::{ContactStore, Provenance};
use identify::identity::{Identity, IdentityKind, Known};
use liaison_stack::harness;

fn provenance(event: &str) -> Provenance {
    Provenance {
        event_id: event.into(),
        source_id: "src_test".into(),
        platform: "wordpress".into(),
    }
}

fn email(value: &str, verified: bool) -> Identity {
    Identity {
        kind: IdentityKind::Email,
        value: value.into(),
        verified,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_deliveries_of_a_new_email_should_make_one_contact() {
    let resources = harness::resources().await;
    let store = ContactStore::new(
        resources.clients.dynamodb.clone(),
        resources.table("ContactsTable"),
        b"test-identity-hash-key-0123456789abcdef".to_vec(),
    );
    let identities = vec![email("ada@example.com", false)];
    // Spawned before any is awaited: they race on DynamoDB.
    let attempts: Vec<_> = (0..8)
        .map(|i| {
            let store = store.clone();
            let identities = identities.clone();
            tokio::spawn(async move {
                store
                    .create(&identities, &provenance(&format!("evt_{i}")), Utc::now())
                    .await
            })
        })
        .collect();
    let mut results = Vec::new();
    for attempt in attempts {
        results.push(attempt.await.unwrap());
    }
    let winners: Vec<&String> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    assert_eq!(winners.len(), 1, "{results:?}");
    for loser in results.iter().filter_map(|r| r.as_ref().err()) {
        assert!(loser.is_retryable(), "{loser}");
    }
    let known = store.lookup(&identities).await.unwrap();
    assert_eq!(
        known,
        vec![Some(Known {
            contact_id: winners[0].clone(),
            verified: false
        })]
    );
    // Profile, identity link, lookup: three items, and no key holds the address.
    let scan = resources
        .clients
        .dynamodb
        .scan()
        .table_name(resources.table("ContactsTable"))
        .send()
        .await
        .unwrap();
    let items = scan.items.unwrap_or_default();
    assert_eq!(items.len(), 3);
    for item in &items {
        for key in ["pk", "sk"] {
            let value = item[key].as_s().unwrap();
            assert!(
                !value.contains("ada") && !value.contains("example"),
                "{value}"
            );
        }
    }
}

#[tokio::test]
async fn a_shop_should_vouch_for_a_typed_email_make_a_customer_and_keep_the_newest_consent() {
    let resources = harness::resources().await;
    let store = ContactStore::new(
        resources.clients.dynamodb.clone(),
        resources.table("ContactsTable"),
        b"test-identity-hash-key-0123456789abcdef".to_vec(),
    );
    let now = Utc::now();
    let typed = vec![email("bea@example.com", false)];
    let contact = store
        .resolve(&typed, &provenance("evt_comment"), now)
        .await
        .unwrap()
        .expect("a contact");
    // The same address from an order: the same contact, now verified.
    let ordered = vec![email("bea@example.com", true)];
    let again = store
        .resolve(&ordered, &provenance("evt_order"), now)
        .await
        .unwrap();
    assert_eq!(again.as_deref(), Some(contact.as_str()));
    let known = store.lookup(&ordered).await.unwrap();
    assert_eq!(known[0].as_ref().map(|k| k.verified), Some(true));

    store.become_customer(&contact, now).await.unwrap();
    let older = now - chrono::Duration::days(1);
    store
        .set_consent(&contact, true, "src_shop", now)
        .await
        .unwrap();
    store
        .set_consent(&contact, false, "src_shop", older)
        .await
        .unwrap();
    let profile = resources
        .clients
        .dynamodb
        .get_item()
        .table_name(resources.table("ContactsTable"))
        .key("pk", AttributeValue::S(format!("contact#{contact}")))
        .key("sk", AttributeValue::S("profile".into()))
        .send()
        .await
        .unwrap()
        .item
        .unwrap();
    assert_eq!(profile["type"].as_s().unwrap(), "customer");
    let consent = profile["consent"].as_m().unwrap();
    assert_eq!(
        consent["marketing"].as_bool().unwrap(),
        &true,
        "the older statement is ignored"
    );
    assert_eq!(
        store
            .standing(&contact)
            .await
            .unwrap()
            .unwrap()
            .contact_type,
        shared::contracts::contacts::standing::ContactType::Customer
    );
}
