//! A contact's reach as the contacts table keeps it, against DynamoDB Local: measured from
//! what each platform says, dated, with its basis; a same-week smaller measure does not
//! lower it, one of the same audience a week later does, and the influence follows.

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Duration, Utc};
use liaison_stack::harness;
use shared::contracts::contacts::identity::{Identity, IdentityKind};
use shared::contracts::contacts::{ContactStore, Provenance, Scored};
use shared::contracts::events::{Audience, ContributionKind};
use shared::contracts::sources::Platform;

type Item = std::collections::HashMap<String, AttributeValue>;

async fn profile(res: &harness::TestResources, contact: &str) -> Item {
    res.clients
        .dynamodb
        .get_item()
        .table_name(res.table("ContactsTable"))
        .key("pk", AttributeValue::S(format!("contact#{contact}")))
        .key("sk", AttributeValue::S("profile".into()))
        .consistent_read(true)
        .send()
        .await
        .unwrap()
        .item
        .unwrap()
}

fn text<'a>(item: &'a Item, name: &str) -> &'a str {
    item.get(name).and_then(|v| v.as_s().ok()).map_or("", |s| s)
}

fn number(item: &Item, name: &str) -> f64 {
    item[name].as_n().unwrap().parse().unwrap()
}

fn subscribers(n: u64) -> Audience {
    Audience {
        subscribers: Some(n),
        ..Audience::default()
    }
}

#[tokio::test]
async fn a_reach_should_be_kept_dated_with_its_basis_and_fall_a_week_later() {
    let res = harness::resources().await;
    let store = ContactStore::new(
        res.clients.dynamodb.clone(),
        res.table("ContactsTable"),
        b"test-identity-hash-key-0123456789abcdef".to_vec(),
    );
    let t0: DateTime<Utc> = "2026-11-02T10:00:00Z".parse().unwrap();
    let identity = Identity {
        kind: IdentityKind::Account,
        value: "youtube:UCh3L9fQ2vXk7pZr1mN8bTsA".into(),
        verified: true,
    };
    let provenance = Provenance {
        event_id: "evt_1".into(),
        source_id: "src_yt".into(),
        platform: "youtube".into(),
    };
    let contact = store.create(&[identity], &provenance, t0).await.unwrap();
    let comment = |audience| Scored {
        kind: ContributionKind::Comment,
        audience,
        platform: Platform::YouTube,
        praise: false,
    };

    let large = subscribers(120_000);
    store
        .add_to_scores(&contact, comment(&large), t0)
        .await
        .unwrap();
    let first = profile(&res, &contact).await;
    assert!((number(&first, "reach") - 84.7).abs() < 0.1);
    assert_eq!(text(&first, "reach_basis"), "youtube subscribers 120000");
    assert_eq!(text(&first, "reach_kind"), "youtube_subscribers");
    assert_eq!(text(&first, "reach_at"), t0.to_rfc3339());
    assert!(number(&first, "influence") >= number(&first, "reach"));
    let standing = store.standing(&contact).await.unwrap().unwrap();
    assert!((standing.reach - 84.7).abs() < 0.1);

    // Three days later, a smaller count: the same week keeps the larger, and its date.
    let small = subscribers(900);
    let day3 = t0 + Duration::days(3);
    store
        .add_to_scores(&contact, comment(&small), day3)
        .await
        .unwrap();
    let same_week = profile(&res, &contact).await;
    assert_eq!(
        text(&same_week, "reach_basis"),
        "youtube subscribers 120000"
    );
    assert_eq!(text(&same_week, "reach_at"), t0.to_rfc3339());
    // A contribution without any audience fact changes nothing of the reach.
    let none = Audience::default();
    store
        .add_to_scores(&contact, comment(&none), day3)
        .await
        .unwrap();
    assert_eq!(
        text(&profile(&res, &contact).await, "reach_at"),
        t0.to_rfc3339()
    );

    // A week and a day later, the channel measured again has fallen: so does its reach,
    // and the influence with it.
    let later = t0 + Duration::days(8);
    assert!(store
        .measure_reach(&contact, &small, Platform::YouTube, later)
        .await
        .unwrap());
    let fell = profile(&res, &contact).await;
    assert_eq!(text(&fell, "reach_basis"), "youtube subscribers 900");
    assert_eq!(text(&fell, "reach_at"), later.to_rfc3339());
    assert!(number(&fell, "reach") < 50.0);
    assert!(number(&fell, "influence") < number(&first, "influence"));
    // The contribution score, decayed to the measure's time, is not lost.
    assert!(number(&fell, "contribution_score") > 0.0);

    // A measure that changes nothing writes nothing; nobody's profile is never created.
    let blog = Audience {
        blog_url: Some("https://lumiere.blog".into()),
        ..Audience::default()
    };
    assert!(!store
        .measure_reach(&contact, &blog, Platform::WordPress, later)
        .await
        .unwrap());
    assert!(!store
        .measure_reach("ct_nobody", &large, Platform::YouTube, later)
        .await
        .unwrap());
}
