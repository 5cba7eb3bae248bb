//! What the deliveries function's tests share: its own tables and queues on the local stack
//! (DynamoDB Local, moto's SQS through the real SDK), the function built from its template
//! environment on a clock the test moves, a pump that plays Lambda's SQS event sources (a
//! batch of up to ten, the failures left on the queue), and receivers that record what they
//! get and answer as the test says.

#![allow(dead_code)] // each test binary uses its part

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use aws_lambda_events::sqs::{SqsEvent, SqsMessage};
use axum::http::{HeaderMap, StatusCode};
use chrono::{Duration, Utc};
use liaison_stack::harness::{self, TestResources};
use serde_json::Value;
use shared::contracts::deliveries::endpoints::{Endpoint, EndpointStore, Kind, New};
use shared::contracts::deliveries::store::DeliveryStore;
use shared::contracts::deliveries::{Event, EventQueue, EventType};
use shared::kit::clock::Clock;

pub struct Fixture {
    pub resources: TestResources,
    pub deps: deliveries::Deps,
    pub endpoints: EndpointStore,
    pub store: DeliveryStore,
    pub events: EventQueue,
    pub clock: Clock,
}

pub async fn fixture() -> Fixture {
    let resources = harness::resources().await;
    let mut env = resources.function_env("deliveries");
    // A waiting job looks at its lane again every second: the tests move the clock.
    env.insert("DELIVERY_MAX_WAIT_SECONDS".into(), "1".into());
    let clock = Clock::system();
    let deps = deliveries::Deps::from_env(&env, clock.clone())
        .await
        .expect("deps from the template's environment");
    let table = resources.table("DeliveriesTable");
    let client = resources.clients.dynamodb.clone();
    Fixture {
        endpoints: EndpointStore {
            client: client.clone(),
            table: table.clone(),
            sealer: harness::sealer(),
        },
        store: DeliveryStore { client, table },
        events: EventQueue {
            sqs: resources.clients.sqs.clone(),
            queue_url: resources.queue_url("EventsQueue"),
        },
        resources,
        deps,
        clock,
    }
}

impl Fixture {
    /// Registers an endpoint at `url` for `types`: it and its secret.
    pub async fn endpoint(&self, url: &str, types: &[EventType]) -> (Endpoint, String) {
        let new = New {
            kind: Kind::Webhook,
            url: url.into(),
            description: "test".into(),
            types: types.to_vec(),
            account: None,
            token: None,
            currency: None,
        };
        let (endpoint, secret) = self
            .endpoints
            .create(new, self.clock.now())
            .await
            .expect("endpoint stored");
        (endpoint, secret.expect("a webhook's secret"))
    }

    /// Registers a connector of `kind` at `url` (its API base), with its login (a CRM's
    /// currency: EUR).
    pub async fn connector(&self, kind: Kind, url: &str, account: &str, token: &str) -> Endpoint {
        let new = New {
            kind,
            url: url.into(),
            description: "test".into(),
            types: kind.handles().to_vec(),
            account: Some(account.into()),
            token: Some(token.into()),
            currency: (kind == Kind::HubSpot).then(|| "EUR".to_string()),
        };
        self.endpoints
            .create(new, self.clock.now())
            .await
            .expect("connector stored")
            .0
    }

    /// Publishes `kind` number `n` about `contact`, as a producer does.
    pub async fn publish(&self, kind: EventType, contact: Option<&str>, n: usize) -> Event {
        let event = Event::new(
            kind,
            &format!("{}-{n}-{}", contact.unwrap_or("none"), unique()),
            self.clock.now(),
            contact,
            serde_json::json!({ "n": n }),
        );
        self.events.publish(&event).await.expect("published");
        event
    }

    /// Publishes `kind` about `contact` with `data`, named by `subject`, as a producer does.
    pub async fn publish_data(
        &self,
        kind: EventType,
        subject: &str,
        contact: Option<&str>,
        data: Value,
    ) -> Event {
        let event = Event::new(kind, subject, self.clock.now(), contact, data);
        self.events.publish(&event).await.expect("published");
        event
    }

    /// Plays Lambda's two SQS event sources until neither has made progress for 1.5 s: a job
    /// waiting for a retry time is hidden for a second at a time, so each is seen at least
    /// once after the clock moved. A job that comes back still waiting is parked for the rest
    /// of the pump (its lane waits for the clock to move), so that the others get their turn
    /// (moto hands out the oldest visible messages first), and set visible again at the end.
    /// How many invocations it made.
    pub async fn pump(&self) -> usize {
        let mut invocations = 0;
        let mut last_progress = std::time::Instant::now();
        let mut waiting = Waiting::default();
        loop {
            let mut any = false;
            for queue in ["EventsQueue", "DeliveriesQueue"] {
                if let Some(done) = self.invoke_once(queue, &mut waiting).await {
                    invocations += 1;
                    any = true;
                    if done > 0 {
                        last_progress = std::time::Instant::now();
                    }
                }
            }
            if last_progress.elapsed() > std::time::Duration::from_millis(1500) {
                break;
            }
            if !any {
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
        }
        let url = self.resources.queue_url("DeliveriesQueue");
        for handle in waiting.parked.values() {
            // A handle that is no longer current (the message came back since) is refused.
            let _ = self
                .resources
                .clients
                .sqs
                .change_message_visibility()
                .queue_url(&url)
                .receipt_handle(handle)
                .visibility_timeout(0)
                .send()
                .await;
        }
        invocations
    }

    /// [`Self::pump`], moving the clock by `step` between rounds, until `done` holds or
    /// `rounds` have passed.
    pub async fn pump_while_moving(&self, step: Duration, rounds: usize, done: impl Fn() -> bool) {
        for _ in 0..rounds {
            self.pump().await;
            if done() {
                return;
            }
            self.clock.advance(step);
        }
    }

    /// One batch from `queue` through the handler, as Lambda does: how many of its messages
    /// were done with, or `None` when there was none.
    async fn invoke_once(&self, queue: &str, waiting: &mut Waiting) -> Option<usize> {
        let url = self.resources.queue_url(queue);
        let sqs = &self.resources.clients.sqs;
        let out = sqs
            .receive_message()
            .queue_url(&url)
            .max_number_of_messages(10)
            .message_system_attribute_names(aws_sdk_sqs::types::MessageSystemAttributeName::All)
            .send()
            .await
            .expect("ReceiveMessage");
        let messages = out.messages.unwrap_or_default();
        if messages.is_empty() {
            return None;
        }
        let mut event = SqsEvent::default();
        event.records = messages
            .iter()
            .map(|m| {
                let mut record = SqsMessage::default();
                record.message_id = m.message_id.clone();
                record.receipt_handle = m.receipt_handle.clone();
                record.body = m.body.clone();
                record.attributes = m
                    .attributes
                    .clone()
                    .unwrap_or_default()
                    .into_iter()
                    .map(|(k, v)| (k.as_str().to_string(), v))
                    .collect();
                record
            })
            .collect();
        let failed: Vec<String> = deliveries::handle(&self.deps, event)
            .await
            .batch_item_failures
            .into_iter()
            .map(|f| f.item_identifier)
            .collect();
        let mut done = 0;
        for m in &messages {
            if !failed.contains(&m.message_id.clone().unwrap_or_default()) {
                sqs.delete_message()
                    .queue_url(&url)
                    .receipt_handle(m.receipt_handle.clone().unwrap_or_default())
                    .send()
                    .await
                    .expect("DeleteMessage");
                done += 1;
            } else if queue == "EventsQueue" {
                // What Lambda does for a FIFO failure: it comes back at once, in order.
                sqs.change_message_visibility()
                    .queue_url(&url)
                    .receipt_handle(m.receipt_handle.clone().unwrap_or_default())
                    .visibility_timeout(0)
                    .send()
                    .await
                    .expect("ChangeMessageVisibility");
            } else {
                let id = m.message_id.clone().unwrap_or_default();
                let handle = m.receipt_handle.clone().unwrap_or_default();
                if !waiting.seen.insert(id.clone()) {
                    // Back and still waiting: parked until the pump ends.
                    sqs.change_message_visibility()
                        .queue_url(&url)
                        .receipt_handle(&handle)
                        .visibility_timeout(120)
                        .send()
                        .await
                        .expect("ChangeMessageVisibility");
                    waiting.parked.insert(id, handle);
                }
            }
        }
        Some(done)
    }

    /// Endpoint `id`'s log, newest first.
    pub async fn log(&self, id: &str) -> Vec<Value> {
        let items = shared::kit::pages::query_all(self.store.log(id, None), "Query log")
            .await
            .expect("log");
        items
            .into_iter()
            .map(|i| shared::kit::pages::to_json(i).expect("json"))
            .collect()
    }
}

/// The lane jobs a pump saw waiting, and those it parked (by message id, their last receipt
/// handle).
#[derive(Default)]
struct Waiting {
    seen: std::collections::HashSet<String>,
    parked: HashMap<String, String>,
}

fn unique() -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    format!(
        "{}{}",
        Utc::now().timestamp_micros(),
        NEXT.fetch_add(1, Ordering::SeqCst)
    )
}

/// One request a receiver got.
#[derive(Clone, Debug)]
pub struct Received {
    pub headers: HashMap<String, String>,
    pub body: Vec<u8>,
    /// What it answered.
    pub status: u16,
}

impl Received {
    pub fn id(&self) -> &str {
        &self.headers["webhook-id"]
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }
}

/// How a receiver answers its n-th request (0 first), the k-th (0 first) with this
/// `webhook-id`.
pub type Answering = Arc<dyn Fn(usize, &str, usize) -> u16 + Send + Sync>;

pub struct Receiver {
    pub url: String,
    pub log: Arc<Mutex<Vec<Received>>>,
    pub answering: Arc<Mutex<Answering>>,
}

impl Receiver {
    /// A receiver at `http://127.0.0.1:port/hook` answering 200 (with a body, which 204
    /// could not carry).
    pub async fn start() -> Receiver {
        let log: Arc<Mutex<Vec<Received>>> = Arc::default();
        let answering: Arc<Mutex<Answering>> = Arc::new(Mutex::new(Arc::new(|_, _, _| 200)));
        let count = Arc::new(AtomicUsize::new(0));
        let (kept, how) = (log.clone(), answering.clone());
        let app = axum::Router::new().route(
            "/hook",
            axum::routing::post(move |headers: HeaderMap, body: axum::body::Bytes| {
                let (kept, how, count) = (kept.clone(), how.clone(), count.clone());
                async move {
                    let n = count.fetch_add(1, Ordering::SeqCst);
                    let id = headers
                        .get("webhook-id")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default()
                        .to_string();
                    let k = kept
                        .lock()
                        .unwrap()
                        .iter()
                        .filter(|r| r.headers.get("webhook-id") == Some(&id))
                        .count();
                    let status = (how.lock().unwrap())(n, &id, k);
                    kept.lock().unwrap().push(Received {
                        headers: headers
                            .iter()
                            .map(|(k, v)| {
                                (k.as_str().to_string(), v.to_str().unwrap_or("").to_string())
                            })
                            .collect(),
                        body: body.to_vec(),
                        status,
                    });
                    let status = StatusCode::from_u16(status).unwrap();
                    let mut response = axum::response::Response::new(axum::body::Body::from(
                        format!("answered {}", status.as_u16()),
                    ));
                    *response.status_mut() = status;
                    if status.is_redirection() {
                        response.headers_mut().insert(
                            "location",
                            axum::http::HeaderValue::from_static("http://127.0.0.1:9/elsewhere"),
                        );
                    }
                    response
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Receiver {
            url,
            log,
            answering,
        }
    }

    pub fn answer_with(&self, how: impl Fn(usize) -> u16 + Send + Sync + 'static) {
        *self.answering.lock().unwrap() = Arc::new(move |n, _, _| how(n));
    }

    /// Answers by event: `how(webhook-id, k)` for its k-th attempt.
    pub fn answer_by_event(&self, how: impl Fn(&str, usize) -> u16 + Send + Sync + 'static) {
        *self.answering.lock().unwrap() = Arc::new(move |_, id, k| how(id, k));
    }

    pub fn received(&self) -> Vec<Received> {
        self.log.lock().unwrap().clone()
    }

    /// The requests it accepted (2xx).
    pub fn accepted(&self) -> Vec<Received> {
        self.received()
            .into_iter()
            .filter(|r| (200..300).contains(&r.status))
            .collect()
    }
}

/// Whether `request` verifies with `secret` by the Standard Webhooks authors' own library.
pub fn verifies(secret: &str, request: &Received) -> bool {
    let webhook = standardwebhooks::Webhook::new(secret).expect("a whsec_ secret");
    let mut headers = axum::http::HeaderMap::new();
    for name in ["webhook-id", "webhook-timestamp", "webhook-signature"] {
        headers.insert(name, request.headers[name].parse().unwrap());
    }
    webhook.verify(&request.body, &headers).is_ok()
}
