//! The poller through the runner: the schedule fans out one request per source to the poll
//! queue, and each is polled by an invocation of its own (the template's `ScalingConfig`
//! lets five run at once), so a slow site holds no other back.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use axum::routing::get;
use axum::Router;
use chrono::Utc;
use liaison_local::harness;
use shared::contracts::sources::{Credentials, Platform, SigningSecret, Source, KIND};

fn orders() -> String {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../functions/ingest/events/poll/woocommerce/orders-page.json"
    );
    std::fs::read_to_string(path).unwrap()
}

type Arrivals = std::sync::Arc<std::sync::Mutex<Vec<Instant>>>;

/// A WooCommerce site that answers its orders after `delay`, noting when each request came.
async fn shop(delay: Duration, arrivals: Arrivals) -> String {
    let app = Router::new().route(
        "/wp-json/wc/v3/orders",
        get(move || async move {
            arrivals.lock().unwrap().push(Instant::now());
            tokio::time::sleep(delay).await;
            ([("x-wp-totalpages", "1")], orders())
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    base
}

fn woo_source(site: &str) -> Source {
    Source {
        id: shared::kit::ids::new_id("src").unwrap(),
        platform: Platform::WooCommerce,
        name: "shop".into(),
        created_at: Utc::now(),
        secrets: vec![SigningSecret {
            value: "woo-secret-0123456789".into(),
            created_at: Utc::now(),
            expires_at: None,
        }],
        settings: BTreeMap::from([("site_url".to_string(), site.into())]),
        credentials: Credentials(BTreeMap::from([
            ("consumer_key".to_string(), "ck_test".to_string()),
            ("consumer_secret".to_string(), "cs_test".to_string()),
        ])),
        version: 0,
        kind: KIND.into(),
        websub_requested_at: None,
    }
}

#[tokio::test]
async fn a_slow_site_should_hold_no_other_source_back() {
    // Without the carts function, the orders stay on the commerce queue to be counted.
    let system = harness::system_without(&["carts"]).await;
    let resources = &system.resources;
    let sources = resources.sources();
    // Two sites taking 5 s each: one after the other, the second would start 5 s late.
    let arrivals = Arrivals::default();
    for _ in 0..2 {
        let site = shop(Duration::from_secs(5), arrivals.clone()).await;
        sources.create(&woo_source(&site)).await.unwrap();
    }

    let fired_at = Instant::now();
    let fired = reqwest::Client::new()
        .post(system.url("/_local/schedules/PollFunction"))
        .send()
        .await
        .unwrap();
    assert!(fired.status().is_success(), "{}", fired.status());
    let deadline = fired_at + Duration::from_secs(30);
    while resources.queue_depth("CommerceQueue").await < 6 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let arrivals = arrivals.lock().unwrap().clone();
    assert_eq!(arrivals.len(), 2, "each site polled once");
    for at in &arrivals {
        assert!(
            at.duration_since(fired_at) < Duration::from_secs(3),
            "each site asked at once, not after the other: {:?}",
            at.duration_since(fired_at)
        );
    }
    // Both sites' two orders each, once, and the completed one's shipped news.
    assert_eq!(resources.queue_depth("CommerceQueue").await, 6);
}
