//! The scheduler against DynamoDB Local and moto's SQS: due steps are read from their time
//! buckets (never a Scan), and overlapping runs enqueue each one once.
//!
//! `RELAUNCH_COST_CARTS=10000 cargo test -p relaunch-scheduler --test scheduler cost -- --nocapture`
//! prints what one run costs in DynamoDB and SQS calls for that many due carts
//! (bench/relaunch-scheduler-cost.sh; the numbers are in docs/relaunch.md).

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{AttributeValue, PutRequest, WriteRequest};
use chrono::{Duration, Utc};
use liaison_stack::harness::{self, TestResources};
use relaunch_scheduler::{Deps, Report};
use shared::kit::clock::{stamp, Clock};
use shared::relaunch::campaigns::schedule::bucket;

fn s(v: &str) -> AttributeValue {
    AttributeValue::S(v.to_string())
}

/// `count` open carts whose first step fell due a minute ago, as the carts function writes
/// them (25 per BatchWriteItem).
async fn due_carts(resources: &TestResources, count: usize) {
    let due = Utc::now() - Duration::minutes(1);
    let items: Vec<WriteRequest> = (0..count)
        .map(|i| {
            let item = HashMap::from([
                ("id".to_string(), s(&format!("crt_{i:06}"))),
                ("campaign_id".to_string(), s("cmp_cost")),
                ("next_step".to_string(), AttributeValue::N("0".into())),
                ("due_at".to_string(), s(&stamp(due))),
                ("due_bucket".to_string(), s(&bucket(due))),
                ("cart_status".to_string(), s("open")),
            ]);
            WriteRequest::builder()
                .put_request(PutRequest::builder().set_item(Some(item)).build().unwrap())
                .build()
        })
        .collect();
    for chunk in items.chunks(25) {
        let mut pending = HashMap::from([(resources.table("CartsTable"), chunk.to_vec())]);
        while !pending.is_empty() {
            let out = resources
                .clients
                .dynamodb
                .batch_write_item()
                .set_request_items(Some(pending))
                .send()
                .await
                .unwrap();
            pending = out.unprocessed_items.unwrap_or_default();
            pending.retain(|_, v| !v.is_empty());
        }
    }
}

async fn deps(resources: &TestResources) -> Deps {
    Deps::from_env(
        &resources.function_env("relaunch-scheduler"),
        Clock::system(),
    )
    .await
    .unwrap()
}

async fn still_indexed(resources: &TestResources) -> usize {
    let due = Utc::now();
    let mut count = 0;
    for b in [bucket(due - Duration::hours(1)), bucket(due)] {
        let query = resources
            .clients
            .dynamodb
            .query()
            .table_name(resources.table("CartsTable"))
            .index_name("ByDue")
            .key_condition_expression("due_bucket = :b")
            .expression_attribute_values(":b", s(&b));
        count += shared::kit::pages::query_all(query, "count")
            .await
            .unwrap()
            .len();
    }
    count
}

#[tokio::test]
async fn overlapping_runs_should_enqueue_each_due_step_once() {
    let resources = harness::resources().await;
    due_carts(&resources, 120).await;
    let (a, b) = (deps(&resources).await, deps(&resources).await);
    let (ra, rb) = tokio::join!(
        relaunch_scheduler::handle(&a),
        relaunch_scheduler::handle(&b)
    );
    assert_eq!(ra.enqueued + rb.enqueued, 120, "{ra:?} {rb:?}");
    assert_eq!(ra.failed + rb.failed, 0);
    assert_eq!(resources.queue_depth("SendsQueue").await, 120);
    assert_eq!(
        resources.count_items("SendsTable").await,
        120 + 1,
        "claims and the cursor"
    );
    assert_eq!(still_indexed(&resources).await, 0, "carts left the index");
    // A third run finds nothing: no Scan, and nothing enqueued twice.
    let again = relaunch_scheduler::handle(&a).await;
    assert_eq!((again.due, again.enqueued), (0, 0), "{again:?}");
    assert_eq!(resources.queue_depth("SendsQueue").await, 120);
}

#[tokio::test]
async fn a_claim_whose_message_was_lost_should_be_enqueued_again_later_once() {
    let resources = harness::resources().await;
    due_carts(&resources, 1).await;
    // A run that stopped after its claim, before enqueueing: the claim is `queued` and the
    // cart still in the index.
    resources
        .clients
        .dynamodb
        .put_item()
        .table_name(resources.table("SendsTable"))
        .item("id", s("crt_000000#0"))
        .item("status", s("queued"))
        .item("queued_at", s(&stamp(Utc::now() - Duration::minutes(2))))
        .send()
        .await
        .unwrap();
    let scheduler = deps(&resources).await;
    let early = relaunch_scheduler::handle(&scheduler).await;
    assert_eq!(
        (early.due, early.already_claimed, early.enqueued),
        (1, 1, 0)
    );
    let clock = Clock::system();
    clock.advance(Duration::minutes(20));
    let later = Deps::from_env(&resources.function_env("relaunch-scheduler"), clock)
        .await
        .unwrap();
    let report = relaunch_scheduler::handle(&later).await;
    assert_eq!(report.enqueued, 1, "{report:?}");
    assert_eq!(resources.queue_depth("SendsQueue").await, 1);
}

#[tokio::test]
async fn a_deferred_step_should_be_claimed_again_when_its_cart_is_due() {
    let resources = harness::resources().await;
    due_carts(&resources, 1).await;
    // Deferred to quiet hours hours away; a new snapshot since made the cart due now.
    resources
        .clients
        .dynamodb
        .put_item()
        .table_name(resources.table("SendsTable"))
        .item("id", s("crt_000000#0"))
        .item("status", s("deferred"))
        .item("due_at", s(&stamp(Utc::now() + Duration::hours(9))))
        .send()
        .await
        .unwrap();
    let report = relaunch_scheduler::handle(&deps(&resources).await).await;
    assert_eq!((report.due, report.enqueued), (1, 1), "{report:?}");
}

/// Counts, not times: what one run costs for `RELAUNCH_COST_CARTS` due carts (200 in CI).
#[tokio::test]
async fn cost_of_one_run_should_be_one_claim_and_one_unindex_per_cart_and_a_batch_per_ten() {
    let count: usize = std::env::var("RELAUNCH_COST_CARTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let resources = harness::resources().await;
    due_carts(&resources, count).await;
    // A steady run: the previous one (a minute ago) left its cursor in this hour.
    resources
        .clients
        .dynamodb
        .put_item()
        .table_name(resources.table("SendsTable"))
        .item("id", s(shared::relaunch::sends::CURSOR_ID))
        .item("bucket", s(&bucket(Utc::now() - Duration::minutes(6))))
        .send()
        .await
        .unwrap();
    let scheduler = deps(&resources).await;
    let started = std::time::Instant::now();
    let report: Report = relaunch_scheduler::handle(&scheduler).await;
    let elapsed = started.elapsed();
    println!(
        "relaunch scheduler, {count} due carts: {report:?}; DynamoDB calls = {} (Query {}, claim UpdateItem {}, unindex UpdateItem {}, cursor GetItem+PutItem 2); SQS SendMessageBatch = {}; {:.1} s on the local stack",
        report.queries + report.claims + report.unindexed + 2,
        report.queries,
        report.claims,
        report.unindexed,
        report.send_batches,
        elapsed.as_secs_f64()
    );
    assert_eq!(report.due, count);
    assert_eq!(report.claims, count);
    assert_eq!(report.enqueued, count);
    // Ten per batch, within each Query page.
    assert!(
        report.send_batches <= count.div_ceil(10) + report.queries,
        "{report:?}"
    );
    assert_eq!(report.unindexed, count);
    assert_eq!(resources.queue_depth("SendsQueue").await, count);
}
