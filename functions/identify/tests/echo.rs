//! The platform's webhook for the brand's own reply, arriving while the answers function is
//! still waiting for the platform's answer to the call that made it (WordPress's plugin
//! fires during the request): the message comes back instead of being recorded as a new
//! comment, and once the answer is recorded it is linked to it.

use aws_lambda_events::sqs::{SqsEvent, SqsMessage};
use chrono::Utc;
use liaison_stack::harness;
use serde_json::json;
use shared::contracts::answers::{
    Answer, AnswerStore, Channel, Claim, Outcome, Published, State, Target,
};
use shared::contracts::events::Message;
use shared::contracts::sources::Platform;
use shared::kit::clock::Clock;

/// The brand's reply `reply_id` under comment `parent`, as WordPress sends it back.
fn echo(id: &str, parent: &str, reply_id: &str) -> SqsEvent {
    let message: Message = serde_json::from_value(json!({
        "v": 1, "id": id, "source_id": "src_echo", "platform": "wordpress",
        "dedupe_key": id, "received_at": "2026-12-06T10:00:00Z", "correlation_id": "echo",
        "event": {"type": "contribution", "action": "created", "kind": "reply",
                  "external_id": reply_id, "parent_id": parent, "thread_id": "1",
                  "text": "A new kettle is on its way.", "created_at": "2026-12-06T09:59:59Z",
                  "moderation": "published", "author": {"name": "Brand", "platform_user_id": "1"}}
    }))
    .expect("a message");
    let mut record = SqsMessage::default();
    record.message_id = Some(format!("m-{id}"));
    record.body = Some(message.encode());
    let mut event = SqsEvent::default();
    event.records = vec![record];
    event
}

#[tokio::test]
async fn an_echo_before_its_answer_is_recorded_should_come_back_then_be_linked() {
    let resources = harness::resources().await;
    let env = resources.function_env("identify");
    let deps = identify::Deps::from_env(&env, Clock::system())
        .await
        .expect("identify deps");
    let store = AnswerStore {
        client: resources.clients.dynamodb.clone(),
        table: resources.table("AnswersTable"),
        reports_table: resources.table("ReportsTable"),
        cases_table: resources.table("CasesTable"),
    };
    let now = Utc::now();
    let target = Target {
        source_id: "src_echo".into(),
        platform: Platform::WordPress,
        external_id: "7".into(),
        thread_id: Some("1".into()),
        author_id: None,
        written_at: now,
    };
    let answer = Answer {
        text: "A new kettle is on its way.".into(),
        author: "agent-1".into(),
        ..Answer::queued(
            "ans_echo".into(),
            "evt_parent".into(),
            Channel::PublicReply,
            target,
            now,
        )
    };
    store.create(&answer, false).await.unwrap();
    let Claim::Claimed(sending) = store.claim("evt_parent", "ans_echo", now).await.unwrap() else {
        panic!("not claimed");
    };
    store.mark_in_flight(&sending).await.unwrap();

    // The echo comes while the call is still out: back to the queue, nothing recorded.
    let failures = identify::handle(&deps, echo("evt_echo", "7", "4242")).await;
    assert_eq!(failures.batch_item_failures.len(), 1);
    assert_eq!(resources.count_items("ContributionsTable").await, 0);

    // The call answered: the redelivered echo is the answer's, not a comment.
    let published = Outcome::Published(Published {
        platform_id: "4242".into(),
        permalink: None,
        at: now,
    });
    store.settle(&sending, &published, now).await.unwrap();
    let failures = identify::handle(&deps, echo("evt_echo", "7", "4242")).await;
    assert!(failures.batch_item_failures.is_empty());
    assert_eq!(resources.count_items("ContributionsTable").await, 0);
    let linked = store.get("evt_parent", "ans_echo").await.unwrap().unwrap();
    assert_eq!(linked.state, State::Published);
    assert_eq!(linked.echo_event_id.as_deref(), Some("evt_echo"));

    // Someone else's reply under the same comment, once nothing is in flight: a comment.
    let failures = identify::handle(&deps, echo("evt_other", "7", "4243")).await;
    assert!(failures.batch_item_failures.is_empty());
    assert_eq!(resources.count_items("ContributionsTable").await, 1);
}
