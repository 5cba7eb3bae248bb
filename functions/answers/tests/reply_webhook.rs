//! Answers delivered to a Standard Webhooks source's reply URL, against the local stack and
//! a receiver answering as a test tells it; what it received is checked with the Standard
//! Webhooks authors' own library (`standardwebhooks`), not with Liaison's signer.

mod support;

use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::IntoResponse;
use chrono::{Duration, Utc};
use liaison_stack::doubles::{serve, Fault, Recorded, Served};
use serde_json::{json, Value};
use shared::contracts::answers::{Channel, State, Tags, REPLY_URL_SETTING};
use shared::contracts::moderation::CALLBACK_SECRET_CREDENTIAL;
use shared::contracts::sources::Platform;
use support::{fixture, Fixture, Seed};

/// One of the specification's published test secrets.
const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const PATH: &str = "/liaison/answers";

/// A receiver that takes every answer and says under which id it published it.
async fn receiver() -> Served {
    let app = axum::Router::new().route(
        PATH,
        axum::routing::post(|_: HeaderMap, _: axum::body::Bytes| async {
            (
                StatusCode::CREATED,
                axum::Json(json!({"id": "reply-981", "url": "https://community.example/r/981"})),
            )
                .into_response()
        }),
    );
    serve(app).await.expect("receiver")
}

async fn answering(served: &Served) -> Fixture {
    let mut seed = Seed::new(Platform::StandardWebhooks, "c-9");
    seed.settings = vec![(REPLY_URL_SETTING, json!(format!("{}{PATH}", served.url)))];
    seed.credentials = vec![(CALLBACK_SECRET_CREDENTIAL, SECRET.into())];
    seed.thread_id = Some("t-1".into());
    seed.author_id = Some("u-7".into());
    fixture(seed, &[]).await
}

/// Whether the Standard Webhooks authors' own verifier accepts the request (signature,
/// and a timestamp within its tolerance).
fn verified(request: &Recorded) -> bool {
    standardwebhooks::Webhook::new(SECRET)
        .and_then(|hook| hook.verify(&request.body, &request.headers))
        .is_ok()
}

fn deliveries(served: &Served) -> Vec<Recorded> {
    served.recorder.requests_to(Method::POST, PATH)
}

#[tokio::test]
async fn an_answer_should_be_delivered_once_signed_with_the_sources_secret() {
    let served = receiver().await;
    let f = answering(&served).await;
    let tags = Tags {
        visible: vec!["delivery".into()],
        hidden: vec!["courier-x".into()],
    };
    let answer = f
        .write(Channel::PublicReply, "A new kettle is on its way.", tags)
        .await
        .unwrap();
    let (failures, after) = f.publish(&answer).await;
    assert_eq!((failures, after.state), (0, State::Published), "{after:?}");
    let published = after.published.unwrap();
    assert_eq!(published.platform_id, "reply-981");
    assert_eq!(
        published.permalink.as_deref(),
        Some("https://community.example/r/981")
    );
    for _ in 0..2 {
        f.publish(&answer).await;
    }
    let sent = deliveries(&served);
    assert_eq!(sent.len(), 1, "delivered once");
    assert!(verified(&sent[0]), "signed as Standard Webhooks says");
    assert_eq!(sent[0].header("webhook-id"), Some(answer.id.as_str()));
    assert_eq!(sent[0].header("content-type"), Some("application/json"));
    let body: Value = sent[0].json();
    assert_eq!(body["type"], "answer.created");
    assert_eq!(body["data"]["answer_id"], answer.id.as_str());
    assert_eq!(body["data"]["text"], "A new kettle is on its way.");
    assert_eq!(body["data"]["tags"], json!(["delivery"]));
    assert_eq!(
        body["data"]["in_reply_to"],
        json!({"external_id": "c-9", "thread_id": "t-1", "author_id": "u-7"})
    );
    assert!(!String::from_utf8_lossy(&sent[0].body).contains("courier-x"));
    // The brand's endpoints are told once, though the job ran three times.
    let told = f.resources.published_events("answer.published").await;
    assert_eq!(told.len(), 1, "{told:?}");
    let event: Value = serde_json::from_str(&told[0]).unwrap();
    assert_eq!(event["data"]["answer"]["id"], answer.id.as_str());
    assert_eq!(
        event["data"]["answer"]["permalink"],
        "https://community.example/r/981"
    );
}

#[tokio::test]
async fn a_tampered_body_should_not_verify() {
    let served = receiver().await;
    let f = answering(&served).await;
    let answer = f.answer(Channel::PrivateMessage).await;
    f.publish(&answer).await;
    let mut sent = deliveries(&served).remove(0);
    assert!(verified(&sent));
    sent.body =
        axum::body::Bytes::from(String::from_utf8_lossy(&sent.body).replace("kettle", "kettles"));
    assert!(!verified(&sent), "the check would catch a wrong signature");
}

#[tokio::test]
async fn a_receiver_without_a_json_answer_should_publish_under_the_answers_id() {
    let app = axum::Router::new().route(
        PATH,
        axum::routing::post(|| async { StatusCode::NO_CONTENT }),
    );
    let served = serve(app).await.unwrap();
    let f = answering(&served).await;
    let answer = f.answer(Channel::PublicReply).await;
    let (_, after) = f.publish(&answer).await;
    assert_eq!(after.state, State::Published, "{after:?}");
    assert_eq!(after.published.unwrap().platform_id, answer.id);
}

#[tokio::test]
async fn a_rate_limit_should_be_retried_after_retry_after_with_the_same_webhook_id() {
    let served = receiver().await;
    served.recorder.fail_next(Fault::Status {
        status: 429,
        body: json!({"message": "Slow down."}),
        retry_after: Some(60),
    });
    let f = answering(&served).await;
    let answer = f.answer(Channel::PublicReply).await;
    let (failures, after) = f.publish(&answer).await;
    assert_eq!((failures, after.state), (1, State::Retrying), "{after:?}");
    let wait = after.retry_at.unwrap() - Utc::now();
    assert!(
        wait > Duration::seconds(45) && wait <= Duration::seconds(60),
        "{wait}"
    );
    assert_eq!(after.reason.as_deref(), Some("429: Slow down."));
    f.deps.clock.advance(Duration::seconds(61));
    let (failures, after) = f.publish(&answer).await;
    assert_eq!((failures, after.state), (0, State::Published), "{after:?}");
    let sent = deliveries(&served);
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0].header("webhook-id"), sent[1].header("webhook-id"));
    assert_eq!(
        sent[0].body, sent[1].body,
        "the same body: receivers dedupe"
    );
    assert!(sent.iter().all(verified));
}

#[tokio::test]
async fn a_gone_receiver_should_fail_the_answer() {
    let served = receiver().await;
    served.recorder.fail_next(Fault::Status {
        status: 410,
        body: json!({"message": "This thread is closed."}),
        retry_after: None,
    });
    let f = answering(&served).await;
    let answer = f.answer(Channel::PublicReply).await;
    let (failures, after) = f.publish(&answer).await;
    assert_eq!((failures, after.state), (0, State::Failed));
    assert_eq!(after.reason.as_deref(), Some("410: This thread is closed."));
    assert_eq!(
        f.resources.queue_depth("EventsQueue").await,
        0,
        "nothing told"
    );
}

#[tokio::test]
async fn a_connection_cut_after_delivery_should_leave_the_answer_unknown_never_resent() {
    let served = receiver().await;
    served.recorder.fail_next(Fault::DropAfterActing);
    let f = answering(&served).await;
    let answer = f.answer(Channel::PublicReply).await;
    let (failures, after) = f.publish(&answer).await;
    assert_eq!((failures, after.state), (0, State::Unknown), "{after:?}");
    f.publish(&answer).await;
    assert_eq!(deliveries(&served).len(), 1, "never sent twice");
}

#[tokio::test]
async fn a_server_error_should_leave_the_answer_unknown() {
    let served = receiver().await;
    served.recorder.fail_next(Fault::Status {
        status: 500,
        body: json!({"message": "boom"}),
        retry_after: None,
    });
    let f = answering(&served).await;
    let answer = f.answer(Channel::PublicReply).await;
    assert_eq!(f.publish(&answer).await.1.state, State::Unknown);
}

#[tokio::test]
async fn a_reply_url_on_this_machine_should_be_refused_in_aws_before_any_call() {
    let served = receiver().await;
    let mut seed = Seed::new(Platform::StandardWebhooks, "c-9");
    seed.settings = vec![(REPLY_URL_SETTING, json!(format!("{}{PATH}", served.url)))];
    seed.credentials = vec![(CALLBACK_SECRET_CREDENTIAL, SECRET.into())];
    // As deployed: no private or plain-HTTP destination (a URL stored before the check).
    let f = fixture(
        seed,
        &[(
            shared::contracts::outbound::ALLOW_PRIVATE_VARIABLE,
            "false".into(),
        )],
    )
    .await;
    let answer = f.answer(Channel::PublicReply).await;
    let (failures, after) = f.publish(&answer).await;
    assert_eq!((failures, after.state), (0, State::Failed), "{after:?}");
    assert!(after.reason.unwrap().starts_with("the source's reply_url"));
    assert!(deliveries(&served).is_empty());
}
