//! The hosted classifier against the Bedrock Runtime double (infra/stack's `doubles::bedrock`,
//! which checks each call's signature, body and IAM grant as Bedrock does) and DynamoDB
//! Local, through identify's own role: a label the model gives is used, recorded as
//! `hosted` and its cost counted; whatever goes wrong, the built-in classifier decides and
//! the reason is counted; a brand that did not turn it on sends nothing.

use std::collections::HashMap;
use std::time::Duration;

use aws_lambda_events::sqs::{SqsEvent, SqsMessage};
use chrono::{DateTime, Utc};
use identify::hosted::{Ask, Hosted};
use liaison_stack::doubles::bedrock::{self, ErrorKind, Role, Scripted};
use liaison_stack::harness::{self, TestResources};
use serde_json::json;
use shared::contracts::contributions::LabelSource;
use shared::contracts::hosted::{self as counters, HostedSetting, HostedSpec};
use shared::contracts::rules::Label;
use shared::kit::clock::Clock;

const MODEL: &str = "eu.amazon.nova-micro-v1:0";

struct Scene {
    resources: TestResources,
    bedrock: bedrock::Bedrock,
    env: HashMap<String, String>,
}

/// This test's resources, the double authorising identify's role, and identify's
/// environment pointed at it.
async fn scene() -> Scene {
    let resources = harness::resources().await;
    let bedrock = bedrock::start(vec![Role::of(&resources, "identify")])
        .await
        .expect("the Bedrock double");
    let mut env = resources.function_env("identify");
    env.insert(
        "AWS_ENDPOINT_URL_BEDROCK_RUNTIME".into(),
        bedrock.url.clone(),
    );
    Scene {
        resources,
        bedrock,
        env,
    }
}

impl Scene {
    async fn hosted(&self) -> Hosted {
        let sdk = shared::kit::aws::sdk_config(&self.env).await;
        let dynamodb = shared::kit::aws::dynamodb(&sdk, &self.env);
        Hosted::from_env(&self.env, &sdk, dynamodb, Duration::ZERO)
            .expect("hosted")
            .with_pause(Duration::ZERO)
    }

    async fn turn_on(&self, daily_budget_usd: f64) {
        let setting = HostedSetting {
            spec: HostedSpec {
                enabled: true,
                daily_budget_usd,
            },
            updated_at: Utc::now(),
            updated_by: "test".into(),
        };
        counters::save(
            &self.resources.clients.dynamodb,
            &self.resources.table("SettingsTable"),
            &setting,
        )
        .await
        .unwrap();
    }

    async fn today(&self, now: DateTime<Utc>) -> counters::Day {
        let day = now.date_naive();
        counters::days(
            &self.resources.clients.dynamodb,
            &self.resources.table("ReportsTable"),
            day,
            day,
        )
        .await
        .unwrap()
        .pop()
        .unwrap_or_default()
    }

    fn calls(&self) -> Vec<liaison_stack::doubles::Recorded> {
        self.bedrock.recorder.requests()
    }
}

fn ask(text: &str) -> Ask<'_> {
    Ask {
        text,
        rating: None,
        rules: &[],
        examples: &[],
    }
}

fn contribution(id: &str, text: &str) -> SqsEvent {
    let message: shared::contracts::events::Message = serde_json::from_value(json!({
        "v": 1, "id": id, "source_id": "src_hosted", "platform": "wordpress",
        "dedupe_key": id, "received_at": Utc::now(), "correlation_id": "hosted",
        "event": {"type": "contribution", "action": "created", "kind": "comment",
                  "external_id": format!("x-{id}"), "thread_id": "1", "text": text,
                  "created_at": Utc::now(), "moderation": "published",
                  "author": {"name": "Ada", "platform_user_id": "42"}}
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
async fn a_label_from_the_model_should_be_recorded_as_hosted_with_its_cost_counted() {
    let scene = scene().await;
    scene.turn_on(1.0).await;
    scene.bedrock.state.answer_next(Scripted::text(
        r#"{"label": "purchase_intent", "confidence": 0.91}"#,
    ));
    let deps = identify::Deps::from_env(&scene.env, Clock::system())
        .await
        .expect("identify deps");
    let text = "Do you ship the oak lamp to Belgium before Christmas?";
    let failures = identify::handle(&deps, contribution("evt_hosted_1", text)).await;
    assert!(failures.batch_item_failures.is_empty());

    // Read as staff would (identify's role only writes contributions).
    let store = shared::contracts::contributions::ContributionStore::new(
        scene.resources.clients.dynamodb.clone(),
        scene.resources.table("ContributionsTable"),
        scene.resources.table("ReportsTable"),
    );
    let record = store.get("evt_hosted_1").await.unwrap().expect("recorded");
    let classification = record.classification;
    assert_eq!(classification.label, Label::PurchaseIntent);
    assert_eq!(classification.source, LabelSource::Hosted);
    assert_eq!(classification.cues, [format!("hosted:{MODEL}")]);
    assert!((classification.confidence - 0.91).abs() < 1e-6);

    // One signed Converse call, for the inference profile, carrying the contribution.
    let calls = scene.calls();
    assert_eq!(calls.len(), 1);
    let call = &calls[0];
    assert_eq!(
        call.path,
        format!("/model/{}/converse", MODEL.replace(':', "%3A"))
    );
    let auth = call.header("authorization").unwrap_or_default();
    assert!(auth.starts_with("AWS4-HMAC-SHA256 Credential="), "{auth}");
    assert!(auth.contains("/bedrock/aws4_request"), "{auth}");
    let body = call.json();
    assert_eq!(body["messages"][0]["role"], "user");
    assert!(body["messages"][0]["content"][0]["text"]
        .as_str()
        .unwrap()
        .ends_with(text));
    assert!(body["system"][0]["text"]
        .as_str()
        .unwrap()
        .contains("purchase_intent"));
    assert_eq!(body["inferenceConfig"]["temperature"], 0.0);

    // Its cost: the tokens the double counted at Nova Micro's list price.
    let day = scene.today(Utc::now()).await;
    assert_eq!((day.calls, day.hosted), (1, 1));
    let system = body["system"][0]["text"].as_str().unwrap();
    let user = body["messages"][0]["content"][0]["text"].as_str().unwrap();
    let input = bedrock::tokens(&format!("{system}{user}"));
    let output = bedrock::tokens(r#"{"label": "purchase_intent", "confidence": 0.91}"#);
    assert_eq!(day.cost_nano_usd, input * 35 + output * 140);
    assert!(scene.bedrock.state.denials().is_empty());
}

#[tokio::test]
async fn a_brand_that_did_not_turn_it_on_should_send_nothing() {
    let scene = scene().await;
    let hosted = scene.hosted().await;
    let now = Utc::now();
    assert_eq!(
        hosted
            .classify(&ask("Où est mon colis ?"), now)
            .await
            .unwrap(),
        None
    );
    // Turned on, then off again.
    scene.turn_on(1.0).await;
    let setting = HostedSetting {
        spec: HostedSpec {
            enabled: false,
            daily_budget_usd: 1.0,
        },
        updated_at: now,
        updated_by: "test".into(),
    };
    counters::save(
        &scene.resources.clients.dynamodb,
        &scene.resources.table("SettingsTable"),
        &setting,
    )
    .await
    .unwrap();
    assert_eq!(
        hosted
            .classify(&ask("Où est mon colis ?"), now)
            .await
            .unwrap(),
        None
    );
    assert!(scene.calls().is_empty(), "no call at all");
    assert_eq!(scene.today(now).await, counters::Day::default());
}

#[tokio::test]
async fn every_fall_back_should_leave_the_label_to_the_builtin_and_count_its_reason() {
    let scene = scene().await;
    scene.turn_on(1.0).await;
    let hosted = scene.hosted().await;
    let state = &scene.bedrock.state;
    let now = Utc::now();
    let text = "My parcel never arrived, order 1234.";

    // Not one of the labels, then each way Bedrock fails.
    state.answer_next(Scripted::text(
        r#"{"label": "complaint", "confidence": 0.9}"#,
    ));
    state.answer_next(Scripted::text("This is an incident."));
    state.fail_next(ErrorKind::Throttling);
    state.fail_next(ErrorKind::InternalServer);
    state.fail_next(ErrorKind::Validation);
    state.fail_next(ErrorKind::ModelTimeout);
    // Slower than the 2 s timeout.
    state.answer_next(
        Scripted::text(r#"{"label": "incident", "confidence": 0.9}"#).after(Duration::from_secs(3)),
    );
    for _ in 0..7 {
        assert_eq!(hosted.classify(&ask(text), now).await.unwrap(), None);
    }
    let day = scene.today(now).await;
    assert_eq!((day.calls, day.hosted), (7, 0));
    let fallbacks = &day.fallbacks;
    assert_eq!(fallbacks["refused"], 2);
    assert_eq!(fallbacks["throttled"], 1);
    assert_eq!(fallbacks["error"], 2);
    assert_eq!(fallbacks["timeout"], 2);
    assert!(day.cost_nano_usd > 0, "refused answers were billed");

    // The model answers again: its label is used.
    state.answer_next(Scripted::text(
        r#"{"label": "incident", "confidence": 0.8}"#,
    ));
    let decided = hosted
        .classify(&ask(text), now)
        .await
        .unwrap()
        .expect("hosted");
    assert_eq!(
        (decided.label, decided.source),
        (Label::Incident, LabelSource::Hosted)
    );
}

#[tokio::test]
async fn a_spent_budget_should_stop_the_calls_until_the_next_day() {
    let scene = scene().await;
    // The lowest budget, all but 10 billionths of a dollar spent: the next call (some
    // 16,000 of them) spends the rest.
    scene.turn_on(0.01).await;
    let hosted = scene.hosted().await;
    let now = Utc::now();
    let spent = counters::Tally {
        cost_nano_usd: 9_999_990,
        ..counters::Tally::default()
    };
    counters::count(
        &scene.resources.clients.dynamodb,
        &scene.resources.table("ReportsTable"),
        now.date_naive(),
        spent,
    )
    .await
    .unwrap();
    state_answers(&scene, 3);
    assert!(hosted
        .classify(&ask("Love it!"), now)
        .await
        .unwrap()
        .is_some());
    assert_eq!(hosted.classify(&ask("Love it!"), now).await.unwrap(), None);
    assert_eq!(hosted.classify(&ask("Love it!"), now).await.unwrap(), None);
    assert_eq!(scene.calls().len(), 1, "no call once the budget is spent");
    let day = scene.today(now).await;
    assert_eq!((day.calls, day.fallbacks["budget"]), (1, 2));
    assert!(day.cost_nano_usd > 10_000_000);
    // Tomorrow is another day.
    let tomorrow = now + chrono::Duration::days(1);
    assert!(hosted
        .classify(&ask("Love it!"), tomorrow)
        .await
        .unwrap()
        .is_some());
}

fn state_answers(scene: &Scene, n: usize) {
    for _ in 0..n {
        scene
            .bedrock
            .state
            .answer_next(Scripted::text(r#"{"label": "praise", "confidence": 0.97}"#));
    }
}

#[tokio::test]
async fn a_model_the_template_does_not_grant_should_be_refused_as_aws_would() {
    let mut scene = scene().await;
    scene.turn_on(1.0).await;
    // Another model than the one template.yaml grants identify.
    scene
        .env
        .insert("HOSTED_MODEL_ID".into(), "eu.amazon.nova-lite-v1:0".into());
    let hosted = scene.hosted().await;
    let now = Utc::now();
    assert_eq!(hosted.classify(&ask("Hello"), now).await.unwrap(), None);
    let denials = scene.bedrock.state.denials();
    assert_eq!(denials.len(), 1, "{denials:?}");
    assert_eq!(denials[0].function, "IdentifyFunction");
    assert!(denials[0]
        .check
        .resource
        .ends_with(":inference-profile/eu.amazon.nova-lite-v1:0"));
    assert_eq!(scene.today(now).await.fallbacks["error"], 1);
}

#[tokio::test]
async fn a_model_without_a_known_price_should_be_refused_at_start() {
    let mut scene = scene().await;
    scene.env.insert(
        "HOSTED_MODEL_ID".into(),
        "amazon.titan-text-express-v1".into(),
    );
    let sdk = shared::kit::aws::sdk_config(&scene.env).await;
    let dynamodb = shared::kit::aws::dynamodb(&sdk, &scene.env);
    let err = Hosted::from_env(&scene.env, &sdk, dynamodb, Duration::ZERO)
        .err()
        .expect("refused");
    assert!(err.to_string().contains("HOSTED_MODEL_ID"), "{err}");
}
