//! The poller against a local HTTP server that answers with the platforms' documented
//! response shapes (the real APIs cannot be reached from here), with DynamoDB Local and
//! moto's SQS behind it.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use chrono::Utc;
use liaison_stack::harness::{self, TestResources};
use shared::contracts::sources::{Credentials, Platform, SigningSecret, Source, KIND};
use shared::kit::clock::Clock;

const CHANNEL: &str = "UCm7LqH3fQv9Xk2Zp8Rb4sTw";

fn fixture(path: &str) -> String {
    let full = format!("{}/events/poll/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

/// What the fake platforms saw, and how they should answer.
#[derive(Default)]
struct Platforms {
    requests: Vec<(String, HashMap<String, String>, Option<String>)>,
    /// When set, every API answers this status.
    fail_with: Option<u16>,
}

type Shared = Arc<Mutex<Platforms>>;

fn record(
    state: &Shared,
    path: &str,
    query: &HashMap<String, String>,
    headers: &HeaderMap,
) -> Option<StatusCode> {
    let mut s = state.lock().unwrap();
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    s.requests.push((path.to_string(), query.clone(), auth));
    s.fail_with.map(|code| StatusCode::from_u16(code).unwrap())
}

async fn threads(
    State(s): State<Shared>,
    Query(q): Query<HashMap<String, String>>,
    h: HeaderMap,
) -> impl IntoResponse {
    if let Some(code) = record(&s, "commentThreads", &q, &h) {
        return (code, String::new());
    }
    let page = if q.contains_key("pageToken") { 2 } else { 1 };
    (
        StatusCode::OK,
        fixture(&format!("youtube/comment-threads-page-{page}.json")),
    )
}

async fn comments(
    State(s): State<Shared>,
    Query(q): Query<HashMap<String, String>>,
    h: HeaderMap,
) -> impl IntoResponse {
    record(&s, "comments", &q, &h);
    fixture("youtube/comments-list.json")
}

async fn channels(
    State(s): State<Shared>,
    Query(q): Query<HashMap<String, String>>,
    h: HeaderMap,
) -> impl IntoResponse {
    record(&s, "channels", &q, &h);
    fixture("youtube/channels-list.json")
}

async fn wp_comments(
    State(s): State<Shared>,
    Query(q): Query<HashMap<String, String>>,
    h: HeaderMap,
) -> impl IntoResponse {
    if let Some(code) = record(&s, "wp/comments", &q, &h) {
        return (code, [("x-wp-totalpages", "0")], String::new());
    }
    // The fixture holds both statuses; a real site filters by `status`.
    let all: Vec<serde_json::Value> =
        serde_json::from_str(&fixture("wordpress/comments-context-edit.json")).unwrap();
    let wanted = if q.get("status").map(String::as_str) == Some("hold") {
        "hold"
    } else {
        "approved"
    };
    let page: Vec<_> = all.into_iter().filter(|c| c["status"] == wanted).collect();
    (
        StatusCode::OK,
        [("x-wp-totalpages", "1")],
        serde_json::to_string(&page).unwrap(),
    )
}

async fn wc_orders(
    State(s): State<Shared>,
    Query(q): Query<HashMap<String, String>>,
    h: HeaderMap,
) -> impl IntoResponse {
    if let Some(code) = record(&s, "wc/orders", &q, &h) {
        return (code, [("x-wp-totalpages", "0")], String::new());
    }
    (
        StatusCode::OK,
        [("x-wp-totalpages", "1")],
        fixture("woocommerce/orders-page.json"),
    )
}

async fn hub(State(s): State<Shared>, h: HeaderMap, body: String) -> impl IntoResponse {
    let form: HashMap<String, String> = url::form_urlencoded::parse(body.as_bytes())
        .into_owned()
        .collect();
    record(&s, "hub", &form, &h);
    StatusCode::ACCEPTED
}

async fn platforms() -> (String, Shared) {
    let state = Shared::default();
    let app = Router::new()
        .route("/youtube/v3/commentThreads", get(threads))
        .route("/youtube/v3/channels", get(channels))
        .route("/youtube/v3/comments", get(comments))
        .route("/wp-json/wp/v2/comments", get(wp_comments))
        .route("/wp-json/wc/v3/orders", get(wc_orders))
        .route("/hub", post(hub))
        .with_state(state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}"), state)
}

fn source(platform: Platform, settings: &[(&str, &str)], credentials: &[(&str, &str)]) -> Source {
    Source {
        id: shared::kit::ids::new_id("src").unwrap(),
        platform,
        name: "test".into(),
        created_at: Utc::now(),
        secrets: vec![SigningSecret {
            value: "hub-secret-0123456789".into(),
            created_at: Utc::now(),
            expires_at: None,
        }],
        settings: settings
            .iter()
            .map(|(k, v)| (k.to_string(), (*v).into()))
            .collect::<BTreeMap<_, _>>(),
        credentials: Credentials(
            credentials
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        ),
        version: 0,
        kind: KIND.into(),
        websub_requested_at: None,
    }
}

fn youtube_source() -> Source {
    source(
        Platform::YouTube,
        &[("channel_id", CHANNEL)],
        &[("api_key", "AIzaTestKey")],
    )
}

fn woo_source(base: &str) -> Source {
    source(
        Platform::WooCommerce,
        &[("site_url", base)],
        &[("consumer_key", "ck_test"), ("consumer_secret", "cs_test")],
    )
}

async fn deps(resources: &TestResources, base: &str, extra: &[(&str, &str)]) -> ingest::poll::Deps {
    // The poll function's environment and role from template.yaml (its calls go through the
    // IAM gateway), pointed at the local platform doubles.
    let mut env = resources.function_env("poll");
    env.insert("YOUTUBE_API_BASE".into(), format!("{base}/youtube/v3"));
    env.insert("WEBSUB_HUB_URL".into(), format!("{base}/hub"));
    env.insert(
        "PUBLIC_BASE_URL".into(),
        "https://hooks.liaison.test".into(),
    );
    // Fixtures are from late November 2026: look back far enough to see them all.
    env.insert("POLL_LOOKBACK_HOURS".into(), (24 * 3650).to_string());
    for (k, v) in extra {
        env.insert(k.to_string(), v.to_string());
    }
    ingest::poll::Deps::from_env(&env, Clock::system())
        .await
        .unwrap()
}

async fn store(resources: &TestResources, source: &Source) {
    resources.sources().create(source).await.unwrap();
}

/// `total` with `one` request's counts added.
fn add(total: &mut ingest::poll::Summary, one: &ingest::poll::Summary) {
    total.sources_polled += one.sources_polled;
    total.events_queued += one.events_queued;
    total.duplicates += one.duplicates;
    total.failures += one.failures;
    total.skipped_backoff += one.skipped_backoff;
    total.skipped_quota += one.skipped_quota;
    total.subscriptions_renewed += one.subscriptions_renewed;
    total.already_polled += one.already_polled;
}

/// One schedule: the fan-out to the poll queue, then every request on it worked as Lambda
/// would hand them over (batches of one), through the function's own role.
async fn run(resources: &TestResources, deps: &ingest::poll::Deps) -> ingest::poll::Summary {
    let dispatched = ingest::poll::dispatch(deps).await;
    assert_eq!(dispatched.failures, 0, "{dispatched:?}");
    let queue = resources.queue_url("PollQueue");
    let sqs = &resources.clients.sqs;
    let mut total = ingest::poll::Summary::default();
    let mut received = 0;
    while received < dispatched.requests_sent {
        let out = sqs
            .receive_message()
            .queue_url(&queue)
            .max_number_of_messages(10)
            .wait_time_seconds(1)
            .send()
            .await
            .unwrap();
        for message in out.messages.unwrap_or_default() {
            received += 1;
            let mut record = aws_lambda_events::event::sqs::SqsMessage::default();
            record.body = message.body.clone();
            record.message_id = message.message_id.clone();
            let summary = ingest::poll::poll_request(deps, &record)
                .await
                .unwrap_or_else(|e| panic!("{e:?}"));
            add(&mut total, &summary);
            sqs.delete_message()
                .queue_url(&queue)
                .receipt_handle(message.receipt_handle.unwrap_or_default())
                .send()
                .await
                .unwrap();
        }
    }
    total
}

#[tokio::test]
async fn youtube_comments_should_be_queued_once_and_the_cursor_stop_the_next_run() {
    let resources = harness::resources().await;
    let (base, seen) = platforms().await;
    let yt = youtube_source();
    store(&resources, &yt).await;
    let deps = deps(&resources, &base, &[]).await;

    let first = run(&resources, &deps).await;
    // 5 threads over 2 pages, 3 replies fetched for the thread that had more than it
    // carried; the channel's own reply is not a customer's contribution.
    assert_eq!(first.events_queued, 7, "{first:?}");
    assert_eq!(resources.queue_depth("ContributionsQueue").await, 7);
    assert_eq!(first.subscriptions_renewed, 1);
    {
        let s = seen.lock().unwrap();
        let calls: Vec<&str> = s.requests.iter().map(|r| r.0.as_str()).collect();
        assert_eq!(
            calls,
            [
                "hub",
                "commentThreads",
                "comments",
                "commentThreads",
                "channels"
            ]
        );
        // The comments' five authors' audience, in one call.
        assert_eq!(s.requests[4].1["part"], "statistics,snippet");
        assert_eq!(s.requests[4].1["id"].split(',').count(), 5);
        let hub = &s.requests[0].1;
        assert_eq!(
            hub["hub.callback"],
            format!("https://hooks.liaison.test/hooks/{}", yt.id)
        );
        assert_eq!(
            hub["hub.topic"],
            format!("https://www.youtube.com/xml/feeds/videos.xml?channel_id={CHANNEL}")
        );
        assert_eq!(hub["hub.secret"], "hub-secret-0123456789");
        assert_eq!(s.requests[1].1["allThreadsRelatedToChannelId"], CHANNEL);
        assert_eq!(s.requests[1].1["order"], "time");
    }
    let state = deps.states.get(&yt.id).await.unwrap();
    assert_eq!(state.cursor, Some("2026-11-23T11:12:20Z".parse().unwrap()));
    assert_eq!(state.quota_used, 4);
    // The request was marked on the source, so ingest confirms the hub's verification.
    let marked = deps.sources.get(&yt.id).await.unwrap().unwrap();
    assert!(marked.websub_requested_at.is_some());

    // The next run reads page 1, meets the cursor on the first thread, and stops there.
    seen.lock().unwrap().requests.clear();
    let second = run(&resources, &deps).await;
    assert_eq!(
        (second.events_queued, second.subscriptions_renewed),
        (0, 0),
        "{second:?}"
    );
    assert_eq!(seen.lock().unwrap().requests.len(), 1);
    assert_eq!(resources.queue_depth("ContributionsQueue").await, 7);
}

#[tokio::test]
async fn wordpress_and_woocommerce_should_reconcile_with_their_logins() {
    let resources = harness::resources().await;
    let (base, seen) = platforms().await;
    let wp = source(
        Platform::WordPress,
        &[("site_url", &base)],
        &[
            ("username", "liaison"),
            ("application_password", "abcd efgh ijkl mnop"),
        ],
    );
    let wc = woo_source(&base);
    store(&resources, &wp).await;
    store(&resources, &wc).await;
    let deps = deps(&resources, &base, &[]).await;

    let summary = run(&resources, &deps).await;
    assert_eq!(summary.sources_polled, 2, "{summary:?}");
    assert_eq!(resources.queue_depth("ContributionsQueue").await, 3);
    assert_eq!(resources.queue_depth("CommerceQueue").await, 3);
    {
        let s = seen.lock().unwrap();
        for (path, query, auth) in &s.requests {
            assert!(
                auth.as_deref().is_some_and(|a| a.starts_with("Basic ")),
                "{path} without login"
            );
            if path == "wp/comments" {
                assert_eq!(query["context"], "edit");
            } else {
                assert!(query.contains_key("modified_after"));
            }
        }
    }
    // A second run finds the same items (one second of overlap): all duplicates.
    let again = run(&resources, &deps).await;
    assert_eq!(again.events_queued, 0, "{again:?}");
    assert_eq!(resources.queue_depth("ContributionsQueue").await, 3);
    assert_eq!(resources.queue_depth("CommerceQueue").await, 3);
}

#[tokio::test]
async fn a_failing_platform_should_back_off_and_keep_its_cursor() {
    let resources = harness::resources().await;
    let (base, seen) = platforms().await;
    let wc = woo_source(&base);
    store(&resources, &wc).await;
    let deps = deps(&resources, &base, &[]).await;
    seen.lock().unwrap().fail_with = Some(503);

    let failed = run(&resources, &deps).await;
    assert_eq!(failed.failures, 1, "{failed:?}");
    let state = deps.states.get(&wc.id).await.unwrap();
    assert_eq!(state.cursor, None);
    assert_eq!(state.failures, 1);
    assert!(state.retry_after.is_some_and(|at| at > Utc::now()));
    assert!(state
        .last_error
        .as_deref()
        .is_some_and(|e| e.contains("503")));

    // Within the backoff the platform is left alone.
    seen.lock().unwrap().fail_with = None;
    let waiting = run(&resources, &deps).await;
    assert_eq!(waiting.skipped_backoff, 1, "{waiting:?}");
    assert_eq!(seen.lock().unwrap().requests.len(), 1);

    // After it, the poll goes through and the failures reset.
    deps.clock.advance(chrono::Duration::minutes(2));
    let recovered = run(&resources, &deps).await;
    assert_eq!(recovered.events_queued, 3, "{recovered:?}");
    assert_eq!(deps.states.get(&wc.id).await.unwrap().failures, 0);
}

#[tokio::test]
async fn a_spent_daily_budget_should_stop_polling_until_the_next_day() {
    let resources = harness::resources().await;
    let (base, seen) = platforms().await;
    let yt = youtube_source();
    store(&resources, &yt).await;
    let deps = deps(
        &resources,
        &base,
        &[("YOUTUBE_DAILY_BUDGET", "1"), ("PUBLIC_BASE_URL", " ")],
    )
    .await;

    let first = run(&resources, &deps).await;
    assert_eq!(first.sources_polled, 1, "{first:?}");
    let state = deps.states.get(&yt.id).await.unwrap();
    assert_eq!(state.quota_used, 1);
    // The budget stopped the run before the cursor was reached: the cursor stays.
    assert_eq!(state.cursor, None);
    let second = run(&resources, &deps).await;
    assert_eq!(second.skipped_quota, 1, "{second:?}");
    let thread_calls = seen
        .lock()
        .unwrap()
        .requests
        .iter()
        .filter(|r| r.0 == "commentThreads")
        .count();
    assert_eq!(thread_calls, 1);
}

/// A shop with six orders changed one after the other, served two a page, oldest first,
/// after `modified_after` (as WooCommerce's REST API does).
async fn backlog_orders(Query(q): Query<HashMap<String, String>>) -> impl IntoResponse {
    let template: Vec<serde_json::Value> =
        serde_json::from_str(&fixture("woocommerce/orders-page.json")).unwrap();
    let after = q
        .get("modified_after")
        .and_then(|a| a.parse::<chrono::DateTime<Utc>>().ok());
    let all: Vec<serde_json::Value> = (0..6)
        .map(|n| {
            let mut order = template[0].clone();
            let at = chrono::DateTime::parse_from_rfc3339("2026-11-23T10:00:00Z").unwrap()
                + chrono::Duration::minutes(n);
            order["id"] = serde_json::json!(9000 + n);
            order["date_modified_gmt"] =
                serde_json::json!(at.format("%Y-%m-%dT%H:%M:%S").to_string());
            order
        })
        .filter(|o| {
            let at = format!("{}Z", o["date_modified_gmt"].as_str().unwrap());
            after.is_none_or(|a| at.parse::<chrono::DateTime<Utc>>().unwrap() > a)
        })
        .collect();
    let page: usize = q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1);
    let pages = all.len().div_ceil(2).max(1);
    let body: Vec<&serde_json::Value> = all.iter().skip((page - 1) * 2).take(2).collect();
    (
        StatusCode::OK,
        [("x-wp-totalpages", pages.to_string())],
        serde_json::to_string(&body).unwrap(),
    )
}

#[tokio::test]
async fn a_backlog_longer_than_a_run_should_be_worked_through_run_after_run() {
    let resources = harness::resources().await;
    let app = Router::new().route("/wp-json/wc/v3/orders", get(backlog_orders));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let wc = woo_source(&base);
    store(&resources, &wc).await;
    // One page a run: the six orders take several runs, each going on from the last.
    let deps = deps(
        &resources,
        &base,
        &[("POLL_MAX_PAGES", "1"), ("POLL_LOOKBACK_HOURS", "24000")],
    )
    .await;
    let mut queued = 0;
    for _ in 0..6 {
        queued += run(&resources, &deps).await.events_queued;
    }
    assert_eq!(queued, 12, "every order once, with its shipped news");
    assert_eq!(resources.queue_depth("CommerceQueue").await, 12);
    let state = deps.states.get(&wc.id).await.unwrap();
    assert_eq!(state.cursor, Some("2026-11-23T10:05:00Z".parse().unwrap()));
}

#[tokio::test]
async fn a_worker_past_its_deadline_should_start_no_page_and_keep_its_cursor() {
    let resources = harness::resources().await;
    let (base, seen) = platforms().await;
    let wc = woo_source(&base);
    store(&resources, &wc).await;
    let out_of_time = deps(&resources, &base, &[("POLL_RUN_SECONDS", "0")]).await;
    let summary = run(&resources, &out_of_time).await;
    assert_eq!(summary.events_queued, 0, "{summary:?}");
    assert!(seen.lock().unwrap().requests.is_empty(), "no page started");
    let state = out_of_time.states.get(&wc.id).await.unwrap();
    let before_the_orders: chrono::DateTime<Utc> = "2026-11-01T00:00:00Z".parse().unwrap();
    assert!(
        state.cursor.is_none_or(|c| c < before_the_orders),
        "the cursor passes nothing unread: {:?}",
        state.cursor
    );
    assert_eq!(state.polling_until, None, "the claim is given back");
    let on_time = deps(&resources, &base, &[]).await;
    let summary = run(&resources, &on_time).await;
    assert_eq!(summary.events_queued, 3, "{summary:?}");
}

#[tokio::test]
async fn a_youtube_backlog_deeper_than_a_run_should_go_on_where_the_last_run_stopped() {
    let resources = harness::resources().await;
    let (base, seen) = platforms().await;
    let yt = youtube_source();
    store(&resources, &yt).await;
    // One page a run; the two pages of threads are newest first.
    let deps = deps(
        &resources,
        &base,
        &[("POLL_MAX_PAGES", "1"), ("PUBLIC_BASE_URL", " ")],
    )
    .await;
    let first = run(&resources, &deps).await;
    let state = deps.states.get(&yt.id).await.unwrap();
    assert_eq!(state.cursor, None, "the cursor waits for the catch-up");
    let catch_up = state.catch_up.clone().expect("where to go on");
    assert_eq!(
        catch_up.newest,
        "2026-11-23T11:12:20Z"
            .parse::<chrono::DateTime<Utc>>()
            .unwrap()
    );

    seen.lock().unwrap().requests.clear();
    let second = run(&resources, &deps).await;
    {
        let s = seen.lock().unwrap();
        let threads: Vec<_> = s
            .requests
            .iter()
            .filter(|r| r.0 == "commentThreads")
            .collect();
        assert_eq!(threads.len(), 1);
        assert_eq!(
            threads[0].1.get("pageToken"),
            Some(&catch_up.page_token),
            "the second page, not the newest again"
        );
    }
    assert_eq!(first.events_queued + second.events_queued, 7);
    let state = deps.states.get(&yt.id).await.unwrap();
    assert_eq!(state.catch_up, None);
    assert_eq!(
        state.cursor,
        Some("2026-11-23T11:12:20Z".parse().unwrap()),
        "the newest time of the whole catch-up"
    );
    // Caught up: the next run reads the first page, meets the cursor, queues nothing.
    let third = run(&resources, &deps).await;
    assert_eq!(third.events_queued, 0, "{third:?}");
}

#[tokio::test]
async fn a_request_for_a_source_polled_since_or_being_polled_should_do_nothing() {
    let resources = harness::resources().await;
    let (base, seen) = platforms().await;
    let wc = woo_source(&base);
    store(&resources, &wc).await;
    let deps = deps(&resources, &base, &[]).await;
    let asked = ingest::poll::PollRequest {
        source_id: wc.id.clone(),
        requested_at: Utc::now(),
    };
    let first = ingest::poll::poll_one(&deps, &asked).await.unwrap();
    assert_eq!(first.events_queued, 3, "{first:?}");
    // The same request again (a redelivery): polled since it was asked.
    let again = ingest::poll::poll_one(&deps, &asked).await.unwrap();
    assert_eq!(again.already_polled, 1, "{again:?}");
    // A newer request while another worker holds the source.
    let mut state = deps.states.get(&wc.id).await.unwrap();
    state.polling_until = Some(Utc::now() + chrono::Duration::seconds(60));
    deps.states.save(&state).await.unwrap();
    let newer = ingest::poll::PollRequest {
        requested_at: Utc::now() + chrono::Duration::seconds(1),
        ..asked
    };
    let busy = ingest::poll::poll_one(&deps, &newer).await.unwrap();
    assert_eq!(busy.already_polled, 1, "{busy:?}");
    assert_eq!(
        seen.lock()
            .unwrap()
            .requests
            .iter()
            .filter(|r| r.0 == "wc/orders")
            .count(),
        1,
        "one poll of the platform"
    );
}

#[tokio::test]
async fn a_malformed_poll_request_should_go_to_the_dead_letter_queue_with_its_reason() {
    let resources = harness::resources().await;
    let (base, _) = platforms().await;
    let deps = deps(&resources, &base, &[]).await;
    let mut record = aws_lambda_events::event::sqs::SqsMessage::default();
    record.message_id = Some("m-1".into());
    record.body = Some("{\"source\":\"not a poll request\"}".into());
    let mut event = aws_lambda_events::event::sqs::SqsEvent::default();
    event.records = vec![record];
    let out = ingest::poll::work(&deps, event).await;
    assert!(out.batch_item_failures.is_empty(), "set aside, not retried");
    let dead = resources.peek_queue("PollDeadLetterQueue").await;
    assert_eq!(dead.len(), 1);
    let reason = dead[0]
        .message_attributes()
        .and_then(|a| a.get(shared::kit::batch::REJECTION_REASON_ATTRIBUTE))
        .and_then(|v| v.string_value())
        .unwrap_or_default()
        .to_string();
    assert!(reason.contains("not a poll request"), "{reason}");
}
