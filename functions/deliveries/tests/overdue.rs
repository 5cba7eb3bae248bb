//! The SLA watch on the local stack: an open case past its due time alerts support again
//! (the support address's email) and is told as `case.overdue` to the endpoints that want
//! it (a Slack channel here), once however often the watch runs; a case not yet due, or
//! closed, is left alone.

mod support;

use chrono::{Duration, Utc};
use liaison_stack::doubles::chat;
use shared::contracts::deliveries::endpoints::{Kind, New};
use shared::contracts::rules::{Priority, Team};
use shared::contracts::work::{self, Case, Change, Opened, Question};
use support::fixture;

fn case(id: &str, due_in: Duration) -> Case {
    let now = Utc::now();
    Case {
        opened: Opened {
            id: id.into(),
            event_id: format!("evt_{id}"),
            source_id: "src_sla".into(),
            platform: "wordpress".into(),
            contact_id: Some(format!("ct_{id}")),
            contact_type: None,
            audience: None,
            tags: vec![],
            label: None,
            status: "open".into(),
            opened_at: now - Duration::hours(3),
            permalink: Some("https://blog.example/p/1#comment-3".into()),
            text: "Still no refund after three weeks".into(),
        },
        priority: Priority::P1,
        due_at: now + due_in,
        cues: vec![],
        announced: true,
        alert_sent: true,
    }
}

#[tokio::test]
async fn a_case_past_its_sla_should_alert_support_again_once() {
    let f = fixture().await;
    let table = f.resources.table("CasesTable");
    let client = &f.resources.clients.dynamodb;
    for (id, due_in) in [
        ("case_late", Duration::hours(-2)),
        ("case_early", Duration::hours(1)),
        ("case_done", Duration::hours(-2)),
    ] {
        assert!(work::open_once(client, &table, &case(id, due_in))
            .await
            .unwrap());
    }
    let close = Change::Close {
        by: "agent",
        resolution: "refunded",
        outcome: None,
    };
    work::change(client, &table, "case_done", close, Utc::now())
        .await
        .unwrap()
        .expect("closed");
    let (served, chat) = chat::start().await.expect("chat double");
    let hook = format!("{}{}", served.url, chat.slack_hook());
    let new = New {
        kind: Kind::Slack,
        url: served.url.clone(),
        description: "#support".into(),
        types: vec![shared::contracts::deliveries::EventType::CaseOverdue],
        account: None,
        token: Some(hook),
        currency: None,
    };
    f.endpoints.create(new, f.clock.now()).await.unwrap();

    let first = deliveries::overdue::sweep(&f.deps).await;
    assert_eq!((first.overdue, first.failures), (1, 0));
    let again = deliveries::overdue::sweep(&f.deps).await;
    assert_eq!((again.overdue, again.failures), (0, 0), "told once");
    f.pump().await;

    let told = f.resources.published_events("case.overdue").await;
    assert_eq!(told.len(), 1, "{told:?}");
    assert!(told[0].contains("case_late"));
    let posted = chat.slack_messages();
    assert_eq!(posted.len(), 1);
    assert!(posted[0].1["text"]
        .as_str()
        .unwrap()
        .contains("[P1] Overdue: Incident on wordpress"));
    let support = f.deps.watch.support_address.clone();
    let alerts: Vec<String> = f
        .resources
        .sent_emails()
        .await
        .iter()
        .map(|m| m.to_string())
        .filter(|m| m.contains(&support) && m.contains("case_late") && m.contains("Overdue"))
        .collect();
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    let late = work::get_item(client, &table, "case_late")
        .await
        .unwrap()
        .unwrap();
    assert!(late.contains_key("overdue_told_at"));
    let early = work::get_item(client, &table, "case_early")
        .await
        .unwrap()
        .unwrap();
    assert!(!early.contains_key("overdue_told_at"));
}

fn question(id: &str, owner: Team, due_in: Duration) -> Question {
    let case = case(id, due_in);
    Question {
        opened: Opened {
            text: "Do you ship to Canada?".into(),
            ..case.opened
        },
        owner,
        priority: Priority::P3,
        due_at: case.due_at,
    }
}

#[tokio::test]
async fn a_question_past_its_sla_should_tell_its_owner_once() {
    let f = fixture().await;
    let table = f.resources.table("QuestionsTable");
    let client = &f.resources.clients.dynamodb;
    for (id, owner, due_in) in [
        ("qst_marketing", Team::Marketing, Duration::hours(-1)),
        ("qst_support", Team::Support, Duration::hours(-1)),
        ("qst_early", Team::Marketing, Duration::hours(5)),
    ] {
        assert!(
            work::open_once(client, &table, &question(id, owner, due_in))
                .await
                .unwrap()
        );
    }
    let first = deliveries::overdue::sweep(&f.deps).await;
    assert_eq!(
        (first.questions_overdue, first.overdue, first.failures),
        (2, 0, 0)
    );
    let again = deliveries::overdue::sweep(&f.deps).await;
    assert_eq!(
        (again.questions_overdue, again.failures),
        (0, 0),
        "told once"
    );

    let told = f.resources.published_events("question.overdue").await;
    assert_eq!(told.len(), 2, "{told:?}");
    assert!(told.iter().all(|t| !t.contains("qst_early")));
    let marketing = f
        .deps
        .watch
        .marketing_address
        .clone()
        .expect("the local stack names marketing's address");
    let support = f.deps.watch.support_address.clone();
    let emails: Vec<String> = f
        .resources
        .sent_emails()
        .await
        .iter()
        .map(|m| m.to_string())
        .filter(|m| m.contains("Overdue: qst_"))
        .collect();
    let to = |address: &str, id: &str| {
        emails
            .iter()
            .filter(|m| m.contains(address) && m.contains(id))
            .count()
    };
    assert_eq!(emails.len(), 2, "{emails:?}");
    assert_eq!(to(&marketing, "qst_marketing"), 1);
    assert_eq!(to(&support, "qst_support"), 1);
    let early = work::get_item(client, &table, "qst_early")
        .await
        .unwrap()
        .unwrap();
    assert!(!early.contains_key("overdue_told_at"));
}
