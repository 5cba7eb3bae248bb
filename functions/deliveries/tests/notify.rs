//! People told at once, against the Slack and Teams incoming-webhook doubles
//! (`liaison_stack::doubles::chat`) and moto's SES: a call-me-back request tells sales the
//! number to dial and when, by email, in Slack and in Teams; an opportunity quotes what was
//! written; a rate-limited Slack waits for its `Retry-After`; an archived channel is refused
//! with its reason; the hook URL, a secret, is never shown.

mod support;

use axum::http::Method;
use chrono::Duration;
use liaison_stack::doubles::chat;
use serde_json::json;
use shared::contracts::deliveries::endpoints::{Kind, New};
use shared::contracts::deliveries::EventType;
use support::fixture;

async fn notifier(f: &support::Fixture, kind: Kind, url: Option<&str>, to: Option<&str>) -> String {
    let (url, token) = match url {
        Some(hook) => (
            url::Url::parse(hook)
                .unwrap()
                .origin()
                .ascii_serialization(),
            Some(hook.to_string()),
        ),
        None => (format!("mailto:{}", to.unwrap()), None),
    };
    let new = New {
        kind,
        url,
        description: "sales".into(),
        types: kind.handles().to_vec(),
        account: to.map(str::to_string),
        token,
        currency: None,
    };
    let (endpoint, _) = f.endpoints.create(new, f.clock.now()).await.unwrap();
    assert!(
        !endpoint.view().to_string().contains("/services/"),
        "the hook stays sealed"
    );
    endpoint.id
}

fn callback(id: &str) -> serde_json::Value {
    json!({"callback": {"id": id, "contact_id": "ct_n", "campaign_id": "cmp_7",
                        "cart_id": "cart_9", "phone": "+33612345678", "slot": "evening"}})
}

#[tokio::test]
async fn a_call_me_back_request_should_tell_sales_the_number_by_email_slack_and_teams() {
    let f = fixture().await;
    let (served, chat) = chat::start().await.expect("chat double");
    let slack = notifier(
        &f,
        Kind::Slack,
        Some(&format!("{}{}", served.url, chat.slack_hook())),
        None,
    )
    .await;
    let teams = notifier(
        &f,
        Kind::Teams,
        Some(&format!("{}{}", served.url, chat.teams_hook())),
        None,
    )
    .await;
    let sales = format!("sales-{}@brand.example", f.clock.now().timestamp_micros());
    let email = notifier(&f, Kind::Email, None, Some(&sales)).await;

    f.publish_data(
        EventType::CallbackRequested,
        "cb_n1",
        Some("ct_n"),
        callback("cb_n1"),
    )
    .await;
    f.publish_data(
        EventType::OpportunityOpened,
        "opp_n1",
        Some("ct_n"),
        json!({"opportunity": {"id": "opp_n1", "platform": "x", "text": "Can I order <two> lamps & a shade?",
                               "permalink": "https://x.com/ada/status/7"},
               "author": {"name": "Ada", "email": null}}),
    )
    .await;
    f.pump().await;

    let posted = chat.slack_messages();
    assert_eq!(posted.len(), 2, "{posted:?}");
    let text = posted[0].1.to_string();
    assert!(
        text.contains("+33612345678") && text.contains("Evening"),
        "{text}"
    );
    let quoted = posted[1].1.to_string();
    assert!(
        quoted.contains("&lt;two&gt; lamps &amp; a shade"),
        "escaped for mrkdwn: {quoted}"
    );
    let cards = chat.teams_messages();
    assert_eq!(cards.len(), 2, "{cards:?}");
    assert_eq!(
        cards[0].1["attachments"][0]["content"]["type"],
        "AdaptiveCard"
    );
    assert!(cards[0].1.to_string().contains("+33612345678"));
    let emails: Vec<String> = f
        .resources
        .sent_emails()
        .await
        .iter()
        .map(|m| m.to_string())
        .filter(|m| m.contains(&sales))
        .collect();
    assert_eq!(emails.len(), 2, "{emails:?}");
    assert!(emails
        .iter()
        .any(|m| m.contains("A buyer asks to be called back") && m.contains("+33612345678")));
    for id in [&slack, &teams, &email] {
        let log = f.log(id).await;
        assert_eq!(log.len(), 2, "{log:?}");
        assert!(log.iter().all(|d| d["status"] == "delivered"), "{log:?}");
    }
}

#[tokio::test]
async fn a_rate_limited_slack_should_wait_and_an_archived_channel_be_refused_with_its_reason() {
    let f = fixture().await;
    let (served, chat) = chat::start().await.expect("chat double");
    let hook = chat.slack_hook();
    let slack = notifier(
        &f,
        Kind::Slack,
        Some(&format!("{}{hook}", served.url)),
        None,
    )
    .await;
    served
        .recorder
        .fail_next_to(Method::POST, &hook, chat::slack_rate_limited(30));
    f.publish_data(
        EventType::CallbackRequested,
        "cb_n2",
        Some("ct_n2"),
        callback("cb_n2"),
    )
    .await;
    f.pump().await;
    assert!(chat.slack_messages().is_empty());
    f.clock.advance(Duration::seconds(31));
    f.pump().await;
    assert_eq!(chat.slack_messages().len(), 1);

    assert!(chat.archive_slack(&hook));
    f.publish_data(
        EventType::CallbackRequested,
        "cb_n3",
        Some("ct_n3"),
        callback("cb_n3"),
    )
    .await;
    f.pump().await;
    let log = f.log(&slack).await;
    let refused = log.iter().find(|d| d["contact_id"] == "ct_n3").unwrap();
    assert_eq!(refused["status"], "refused", "{refused}");
    assert_eq!(refused["last_attempt"]["status"], 410);
    assert!(refused["last_attempt"]["response"]
        .as_str()
        .unwrap()
        .contains("channel_is_archived"));
}
