//! The idempotency claims against DynamoDB Local: their conditional writes are what must hold.

use chrono::{Duration, Utc};
use ingest::idempotency::{Claim, Idempotency};
use liaison_stack::harness;

async fn store() -> (Idempotency, harness::TestResources) {
    let res = harness::resources().await;
    let store = Idempotency::new(res.clients.dynamodb.clone(), res.table("IdempotencyTable"));
    (store, res)
}

#[tokio::test]
async fn a_completed_key_should_answer_done_with_its_result() {
    let (store, _res) = store().await;
    let now = Utc::now();
    let lease = Duration::seconds(30);
    let keep = Duration::days(7);
    assert_eq!(
        store.claim("k1", now, lease, keep).await.unwrap(),
        Claim::Acquired
    );
    store.complete("k1", "evt_1", now, keep).await.unwrap();
    let again = store
        .claim("k1", now + Duration::minutes(5), lease, keep)
        .await
        .unwrap();
    assert_eq!(
        again,
        Claim::Done {
            result: Some("evt_1".into())
        }
    );
}

#[tokio::test]
async fn a_live_claim_should_be_in_progress_and_an_expired_lease_reclaimable() {
    let (store, _res) = store().await;
    let now = Utc::now();
    let lease = Duration::seconds(30);
    let keep = Duration::days(7);
    assert_eq!(
        store.claim("k2", now, lease, keep).await.unwrap(),
        Claim::Acquired
    );
    assert_eq!(
        store
            .claim("k2", now + Duration::seconds(10), lease, keep)
            .await
            .unwrap(),
        Claim::InProgress
    );
    // The first holder died: after its lease, another caller takes over.
    assert_eq!(
        store
            .claim("k2", now + Duration::seconds(31), lease, keep)
            .await
            .unwrap(),
        Claim::Acquired
    );
}

#[tokio::test]
async fn a_released_claim_should_be_claimable_at_once() {
    let (store, _res) = store().await;
    let now = Utc::now();
    let keep = Duration::days(7);
    assert_eq!(
        store
            .claim("k3", now, Duration::seconds(30), keep)
            .await
            .unwrap(),
        Claim::Acquired
    );
    store.release("k3").await.unwrap();
    assert_eq!(
        store
            .claim("k3", now, Duration::seconds(30), keep)
            .await
            .unwrap(),
        Claim::Acquired
    );
}

#[tokio::test]
async fn releasing_a_done_key_should_keep_it_done() {
    let (store, _res) = store().await;
    let now = Utc::now();
    let keep = Duration::days(7);
    store
        .claim("k4", now, Duration::seconds(30), keep)
        .await
        .unwrap();
    store.complete("k4", "evt_4", now, keep).await.unwrap();
    store.release("k4").await.unwrap();
    assert!(matches!(
        store
            .claim("k4", now, Duration::seconds(30), keep)
            .await
            .unwrap(),
        Claim::Done { .. }
    ));
}

#[tokio::test]
async fn an_expired_record_should_count_as_absent_before_ttl_deletes_it() {
    let (store, _res) = store().await;
    let now = Utc::now();
    let keep = Duration::hours(1);
    store
        .claim("k5", now, Duration::seconds(30), keep)
        .await
        .unwrap();
    store.complete("k5", "evt_5", now, keep).await.unwrap();
    let later = now + Duration::hours(2);
    assert_eq!(
        store
            .claim("k5", later, Duration::seconds(30), keep)
            .await
            .unwrap(),
        Claim::Acquired
    );
}

#[tokio::test]
async fn of_many_concurrent_claims_exactly_one_should_win() {
    let (store, _res) = store().await;
    let now = Utc::now();
    let attempts = (0..16).map(|_| {
        let store = store.clone();
        tokio::spawn(async move {
            store
                .claim("race", now, Duration::seconds(30), Duration::days(1))
                .await
        })
    });
    let mut acquired = 0;
    for attempt in attempts {
        if attempt.await.unwrap().unwrap() == Claim::Acquired {
            acquired += 1;
        }
    }
    assert_eq!(acquired, 1);
}
