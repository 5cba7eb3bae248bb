//! IAM enforced locally: a function's calls, made with the real SDK through the IAM gateway,
//! pass where its role in the template grants them and are refused with AWS's own error where
//! it does not: each item of a transaction on its own, an index apart from its table, a batch
//! as its single action, SES on its identity.

use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem, Update};
use liaison_stack::harness::{self, TestResources};
use liaison_stack::template::Template;

const TEMPLATE: &str = r#"
Parameters:
  SenderEmail:
    Type: String
    Default: news@brand.example
Resources:
  WorkerFunction:
    Type: AWS::Serverless::Function
    Metadata:
      BuildProperties:
        Binary: worker
    Properties:
      Policies:
        - Statement:
            - Effect: Allow
              Action: [dynamodb:GetItem, dynamodb:PutItem]
              Resource: !GetAtt Granted.Arn
            - Effect: Allow
              Action: dynamodb:Query
              Resource: !Sub "${Granted.Arn}/index/ByOther"
            - Effect: Allow
              Action: sqs:SendMessage
              Resource: !GetAtt GrantedQueue.Arn
            - Effect: Allow
              Action: ses:SendEmail
              Resource: !Sub "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/${SenderEmail}"
  Granted:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions:
        - {AttributeName: pk, AttributeType: S}
        - {AttributeName: other, AttributeType: S}
      KeySchema: [{AttributeName: pk, KeyType: HASH}]
      GlobalSecondaryIndexes:
        - IndexName: ByOther
          KeySchema: [{AttributeName: other, KeyType: HASH}]
          Projection: {ProjectionType: ALL}
  Other:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{AttributeName: pk, AttributeType: S}]
      KeySchema: [{AttributeName: pk, KeyType: HASH}]
  GrantedQueue:
    Type: AWS::SQS::Queue
  OtherQueue:
    Type: AWS::SQS::Queue
  Sender:
    Type: AWS::SES::EmailIdentity
    Properties:
      EmailIdentity: !Ref SenderEmail
"#;

struct Worker {
    resources: TestResources,
    clients: liaison_stack::provision::Clients,
}

async fn worker() -> Worker {
    let template = Template::parse(TEMPLATE).unwrap();
    let resources = harness::resources_from(template).await;
    let env = resources.function_env("worker");
    assert_ne!(env["AWS_ACCESS_KEY_ID"], resources.env["AWS_ACCESS_KEY_ID"]);
    let clients = liaison_stack::clients(&env).await;
    Worker { resources, clients }
}

fn key(pk: &str) -> std::collections::HashMap<String, AttributeValue> {
    [("pk".to_string(), AttributeValue::S(pk.into()))].into()
}

#[tokio::test]
async fn a_granted_item_call_should_pass_and_the_same_call_on_another_table_be_denied() {
    let w = worker().await;
    let granted = w.resources.table("Granted");
    let other = w.resources.table("Other");
    w.clients
        .dynamodb
        .put_item()
        .table_name(&granted)
        .set_item(Some(key("a")))
        .send()
        .await
        .unwrap();

    let err = w
        .clients
        .dynamodb
        .put_item()
        .table_name(&other)
        .set_item(Some(key("a")))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    let meta = aws_sdk_dynamodb::error::ProvideErrorMetadata::meta(&err);
    assert_eq!(meta.code(), Some("AccessDeniedException"));
    let message = meta.message().unwrap_or_default();
    assert!(message.contains("dynamodb:PutItem"), "{message}");
    assert!(message.contains(&format!("table/{other}")), "{message}");
    assert_eq!(w.resources.count_items("Other").await, 0);
}

#[tokio::test]
async fn a_query_should_need_the_grant_of_the_index_it_reads() {
    let w = worker().await;
    let granted = w.resources.table("Granted");
    let query = |index: Option<&str>| {
        let mut q = w
            .clients
            .dynamodb
            .query()
            .table_name(&granted)
            .key_condition_expression("#k = :v");
        q = match index {
            Some(i) => q.index_name(i).expression_attribute_names("#k", "other"),
            None => q.expression_attribute_names("#k", "pk"),
        };
        q.expression_attribute_values(":v", AttributeValue::S("x".into()))
            .send()
    };
    assert!(query(Some("ByOther")).await.is_ok());
    let err = query(None).await.unwrap_err().into_service_error();
    assert!(
        err.to_string().contains("AccessDenied")
            || format!("{err:?}").contains("AccessDeniedException")
    );
}

#[tokio::test]
async fn a_transaction_with_one_ungranted_item_should_be_denied_whole() {
    let w = worker().await;
    let put = Put::builder()
        .table_name(w.resources.table("Granted"))
        .set_item(Some(key("t")))
        .build()
        .unwrap();
    let update = Update::builder()
        .table_name(w.resources.table("Other"))
        .set_key(Some(key("t")))
        .update_expression("SET n = :n")
        .expression_attribute_values(":n", AttributeValue::N("1".into()))
        .build()
        .unwrap();
    let err = w
        .clients
        .dynamodb
        .transact_write_items()
        .transact_items(TransactWriteItem::builder().put(put).build())
        .transact_items(TransactWriteItem::builder().update(update).build())
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        format!("{err:?}").contains("dynamodb:UpdateItem"),
        "{err:?}"
    );
    assert_eq!(w.resources.count_items("Granted").await, 0);
    let denials = w.resources.iam.denials();
    assert!(denials.iter().any(|d| d.operation == "TransactWriteItems"
        && d.check.action == "dynamodb:UpdateItem"
        && d.check.resource.ends_with(&w.resources.table("Other"))));
}

#[tokio::test]
async fn a_message_should_go_only_to_a_granted_queue() {
    let w = worker().await;
    w.clients
        .sqs
        .send_message()
        .queue_url(w.resources.queue_url("GrantedQueue"))
        .message_body("ok")
        .send()
        .await
        .unwrap();
    let err = w
        .clients
        .sqs
        .send_message()
        .queue_url(w.resources.queue_url("OtherQueue"))
        .message_body("no")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    let code = aws_sdk_sqs::error::ProvideErrorMetadata::code(&err);
    assert!(
        matches!(code, Some("AccessDenied" | "AccessDeniedException")),
        "{err:?}"
    );
    let entry = aws_sdk_sqs::types::SendMessageBatchRequestEntry::builder()
        .id("1")
        .message_body("no")
        .build()
        .unwrap();
    assert!(w
        .clients
        .sqs
        .send_message_batch()
        .queue_url(w.resources.queue_url("OtherQueue"))
        .entries(entry)
        .send()
        .await
        .is_err());
    assert_eq!(w.resources.queue_depth("OtherQueue").await, 0);
    assert_eq!(w.resources.queue_depth("GrantedQueue").await, 1);
}

#[tokio::test]
async fn an_email_should_need_its_action_on_the_sender_identity() {
    use aws_sdk_ses::types::{Body, Content, Destination, Message, RawMessage};
    let w = worker().await;
    let content = |s: &str| Content::builder().data(s).build().unwrap();
    // The sender as the stack resolves it (infra/local-parameters.json may set it).
    let sender = w.resources.parameters["SenderEmail"].clone();
    w.clients
        .ses
        .send_email()
        .source(&sender)
        .destination(Destination::builder().to_addresses("a@example.com").build())
        .message(
            Message::builder()
                .subject(content("granted"))
                .body(Body::builder().text(content("hello")).build())
                .build(),
        )
        .send()
        .await
        .unwrap();
    let raw = format!("From: {sender}\r\nTo: a@example.com\r\nSubject: raw\r\n\r\nhello");
    let err = w
        .clients
        .ses
        .send_raw_email()
        .raw_message(
            RawMessage::builder()
                .data(aws_smithy_types::Blob::new(raw.as_bytes()))
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(
        aws_sdk_ses::error::ProvideErrorMetadata::code(&err),
        Some("AccessDenied"),
        "{err:?}"
    );
}
