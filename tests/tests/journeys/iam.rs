//! The local stack refuses what AWS would: with ingest's `sqs:SendMessage` taken out of
//! template.yaml, a signed webhook gets 503 and nothing is queued (the platform retries);
//! with the grant back, the same delivery is accepted once.

use e2e::{create_source, deliver, fixture};
use liaison_local::harness;
use liaison_local::registry::Registry;
use liaison_local::resolve::Resolver;

#[tokio::test]
async fn without_its_send_grant_ingest_should_answer_503_queue_nothing_and_accept_the_retry() {
    let full = harness::template();
    let mut template = full.clone();
    template
        .functions
        .retain(|f| !["identify", "carts", "referrals"].contains(&f.binary.as_str()));
    let ingest = template
        .functions
        .iter_mut()
        .find(|f| f.binary == "ingest")
        .unwrap();
    let before = ingest.statements.len();
    ingest
        .statements
        .retain(|s| s["Action"] != serde_json::json!("sqs:SendMessage"));
    assert_eq!(ingest.statements.len(), before - 1, "the grant to remove");
    let system = harness::system_with(template, Registry::builtin()).await;
    let source = create_source(&system, "blog").await;
    let body = fixture("standard-webhooks/comment-created.json");

    let refused = deliver(&system, &source, "msg_no_grant", &body).await;
    assert_eq!(refused.status().as_u16(), 503);
    let error: serde_json::Value = refused.json().await.unwrap();
    assert!(error["error"]["code"].is_string(), "{error}");
    assert_eq!(system.resources.queue_depth("ContributionsQueue").await, 0);
    let denials = system.resources.iam.denials();
    let queue_arn = &system.resources.provisioned.queues["ContributionsQueue"].arn;
    assert!(
        denials.iter().any(|d| d.function == "IngestFunction"
            && d.check.action == "sqs:SendMessage"
            && &d.check.resource == queue_arn),
        "{denials:?}"
    );

    // The grant restored (the role as template.yaml has it), the platform's retry goes through.
    let resources = &system.resources;
    let resolver = Resolver {
        template: &full,
        parameters: &resources.parameters,
        provisioned: &resources.provisioned,
    };
    let def = full
        .functions
        .iter()
        .find(|f| f.binary == "ingest")
        .unwrap();
    let mut env = resources.env.clone();
    liaison_local::iam::enroll(&resources.iam, def, &resolver, &mut env).unwrap();
    let accepted = deliver(&system, &source, "msg_no_grant", &body).await;
    assert_eq!(accepted.status().as_u16(), 202);
    assert_eq!(system.resources.queue_depth("ContributionsQueue").await, 1);
}
