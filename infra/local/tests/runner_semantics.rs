//! The runner behaves as Lambda's triggers do, checked with a small template and a recording
//! function: SQS batches with partial failures (a failed record comes back after the
//! visibility timeout and reaches the DLQ after maxReceiveCount), schedules on demand and when
//! the clock passes their time, and the template's environment with resources resolved.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use liaison_local::harness;
use liaison_local::registry::{factory, Registry};
use liaison_local::template::Template;
use serde_json::{json, Value};

const TEMPLATE: &str = r#"
Resources:
  WorkerFunction:
    Type: AWS::Serverless::Function
    Metadata:
      BuildProperties:
        Binary: worker
    Properties:
      Timeout: 5
      Environment:
        Variables:
          QUEUE_URL: !Ref WorkQueue
          QUEUE_ARN: !GetAtt WorkQueue.Arn
          TABLE: !Ref Table
          LABEL: !Sub "${AWS::Region}-${Table}"
      Events:
        Work:
          Type: SQS
          Properties:
            Queue: !GetAtt WorkQueue.Arn
            BatchSize: 5
            FunctionResponseTypes: [ReportBatchItemFailures]
        Tick:
          Type: Schedule
          Properties:
            Schedule: rate(1 minute)
        Ping:
          Type: HttpApi
          Properties:
            Path: /ping
            Method: GET
  WorkQueue:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: 1
      RedrivePolicy:
        deadLetterTargetArn: !GetAtt WorkDeadLetterQueue.Arn
        maxReceiveCount: 2
  WorkDeadLetterQueue:
    Type: AWS::SQS::Queue
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{AttributeName: pk, AttributeType: S}]
      KeySchema: [{AttributeName: pk, KeyType: HASH}]
"#;

#[derive(Default)]
struct Recorder {
    env: Mutex<HashMap<String, String>>,
    events: Mutex<Vec<Value>>,
}

impl Recorder {
    fn bodies_seen(&self) -> Vec<String> {
        self.events
            .lock()
            .unwrap()
            .iter()
            .flat_map(|e| e["Records"].as_array().cloned().unwrap_or_default())
            .filter_map(|r| r["body"].as_str().map(str::to_string))
            .collect()
    }

    fn scheduled_count(&self) -> usize {
        self.events
            .lock()
            .unwrap()
            .iter()
            .filter(|e| e["detail-type"] == "Scheduled Event")
            .count()
    }
}

fn registry(recorder: Arc<Recorder>) -> Registry {
    let mut registry = Registry::default();
    registry.register(
        "worker",
        factory(
            move |env, _clock| {
                let recorder = recorder.clone();
                async move {
                    *recorder.env.lock().unwrap() = env;
                    Ok::<_, String>(recorder)
                }
            },
            |recorder: Arc<Arc<Recorder>>, event: Value| async move {
                recorder.events.lock().unwrap().push(event.clone());
                if let Some(records) = event["Records"].as_array() {
                    let failures: Vec<Value> = records
                        .iter()
                        .filter(|r| r["body"] == "fail")
                        .map(|r| json!({"itemIdentifier": r["messageId"]}))
                        .collect();
                    return json!({ "batchItemFailures": failures });
                }
                if event["version"] == "2.0" {
                    return json!({"statusCode": 200, "headers": {"content-type": "text/plain"}, "body": "pong"});
                }
                json!(null)
            },
        ),
    );
    registry
}

async fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    for _ in 0..200 {
        if check() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("timed out waiting for: {what}");
}

#[tokio::test]
async fn sqs_records_should_follow_partial_batch_failure_semantics() {
    let recorder = Arc::new(Recorder::default());
    let system = harness::system_with(
        Template::parse(TEMPLATE).unwrap(),
        registry(recorder.clone()),
    )
    .await;
    let sqs = &system.resources.clients.sqs;
    let url = system.resources.queue_url("WorkQueue");
    for body in ["ok-1", "fail", "ok-2"] {
        sqs.send_message()
            .queue_url(&url)
            .message_body(body)
            .send()
            .await
            .unwrap();
    }

    // The failed record is delivered maxReceiveCount (2) times, then moved to the DLQ.
    eventually("the failing record to be received twice", || {
        recorder
            .bodies_seen()
            .iter()
            .filter(|b| *b == "fail")
            .count()
            >= 2
    })
    .await;
    let mut in_dlq = Vec::new();
    for _ in 0..100 {
        in_dlq = system.resources.peek_queue("WorkDeadLetterQueue").await;
        if !in_dlq.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(
        in_dlq.iter().filter_map(|m| m.body()).collect::<Vec<_>>(),
        ["fail"]
    );

    // Successful records were deleted: processed exactly once, never seen again.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let seen = recorder.bodies_seen();
    assert_eq!(seen.iter().filter(|b| *b == "ok-1").count(), 1, "{seen:?}");
    assert_eq!(seen.iter().filter(|b| *b == "ok-2").count(), 1, "{seen:?}");
    assert_eq!(seen.iter().filter(|b| *b == "fail").count(), 2, "{seen:?}");
    assert!(system.resources.peek_queue("WorkQueue").await.is_empty());

    // Each SQS record looks as Lambda delivers it.
    let first = recorder
        .events
        .lock()
        .unwrap()
        .iter()
        .find(|e| e["Records"].is_array())
        .cloned()
        .unwrap();
    let record = &first["Records"][0];
    assert_eq!(record["eventSource"], "aws:sqs");
    assert!(record["eventSourceARN"]
        .as_str()
        .unwrap()
        .ends_with("-WorkQueue"));
    assert!(record["attributes"]["ApproximateReceiveCount"].is_string());
}

#[tokio::test]
async fn the_function_should_get_the_template_environment_resolved() {
    let recorder = Arc::new(Recorder::default());
    let system = harness::system_with(
        Template::parse(TEMPLATE).unwrap(),
        registry(recorder.clone()),
    )
    .await;
    let env = recorder.env.lock().unwrap().clone();
    let p = &system.resources.provisioned;
    assert_eq!(env["QUEUE_URL"], p.queues["WorkQueue"].url);
    assert_eq!(env["QUEUE_ARN"], p.queues["WorkQueue"].arn);
    assert_eq!(env["TABLE"], p.tables["Table"]);
    assert_eq!(
        env["LABEL"],
        format!("{}-{}", liaison_local::REGION, p.tables["Table"])
    );
    assert!(env.contains_key("AWS_ENDPOINT_URL_DYNAMODB"));
}

#[tokio::test]
async fn schedules_should_fire_on_demand_and_when_the_clock_passes_their_time() {
    let recorder = Arc::new(Recorder::default());
    let system = harness::system_with(
        Template::parse(TEMPLATE).unwrap(),
        registry(recorder.clone()),
    )
    .await;
    let client = reqwest::Client::new();

    let resp = client
        .post(system.url("/_local/schedules/WorkerFunction"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(recorder.scheduled_count(), 1);
    let unknown = client
        .post(system.url("/_local/schedules/NoSuchFunction"))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status().as_u16(), 404);

    // rate(1 minute): moving the clock 61 s makes it due once.
    let moved = client
        .post(system.url("/_local/clock"))
        .json(&json!({"advance_seconds": 61}))
        .send()
        .await
        .unwrap();
    assert_eq!(moved.status().as_u16(), 200);
    eventually("the schedule to fire after the clock moved", || {
        recorder.scheduled_count() == 2
    })
    .await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(
        recorder.scheduled_count(),
        2,
        "a rate schedule fires once per period"
    );

    // HTTP routes of the same template are served too.
    let pong = client.get(system.url("/ping")).send().await.unwrap();
    assert_eq!(pong.text().await.unwrap(), "pong");
}
