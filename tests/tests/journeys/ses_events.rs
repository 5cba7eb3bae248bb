//! SES's feedback through the runner: the template's ses-events function, and only it, serves
//! the SES events queue; a bounce puts the address on the suppression list and a message that
//! is no SES event goes to the dead-letter queue.

use liaison_local::harness;

fn bounce() -> String {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../functions/ses-events/events/sns-bounce-permanent.json"
    );
    std::fs::read_to_string(path).unwrap()
}

#[tokio::test]
async fn the_local_runner_should_serve_the_ses_events_queue_with_its_function() {
    let mut template = harness::template();
    template.functions.retain(|f| f.binary == "ses-events");
    assert_eq!(
        template.functions.len(),
        1,
        "SesEventsFunction in template.yaml"
    );
    let system = harness::system_with(template, liaison_local::registry::Registry::builtin()).await;
    let resources = &system.resources;
    let url = resources.queue_url("SesEventsQueue");
    for body in [bounce(), "not an SES event".to_string()] {
        resources
            .clients
            .sqs
            .send_message()
            .queue_url(&url)
            .message_body(body)
            .send()
            .await
            .expect("SendMessage");
    }
    let mut done = false;
    for _ in 0..100 {
        let suppressed = resources.count_items("SuppressionTable").await == 1;
        let rejected = resources.queue_depth("SesEventsDeadLetterQueue").await == 1;
        if suppressed && rejected {
            done = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert!(done, "the runner delivered both messages to ses-events");
}
