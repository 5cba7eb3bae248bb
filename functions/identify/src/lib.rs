//! IdentifyFunction (SQS `contributions`, partial batch failures): who wrote a contribution,
//! what it is, moderation, routing, scores.
//!
//! Built so far: every contribution is classified (`classify`: label, confidence, cues) and
//! recorded once in `ContributionsTable`. Identity, verification, moderation, routing and
//! scores come next (issue: identify), on top of this record.
//!
//! A message of an unknown version or an invalid body goes to the dead-letter queue with
//! its reason, without failing its batch; a DynamoDB failure is retried by SQS.

pub mod classify;
pub mod store;

use aws_lambda_events::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use shared::batch::{self, DeadLetters, RecordError};
use shared::clock::Clock;
use shared::config::{self, Env};
use shared::events::{Event, Message};
use shared::Error;

use classify::{classify, Input};
use store::{ContributionStore, Recorded};

pub struct Deps {
    pub contributions: ContributionStore,
    pub dead_letters: DeadLetters,
    pub clock: Clock,
}

impl Deps {
    pub async fn from_env(env: &dyn Env, clock: Clock) -> Result<Self, Error> {
        let table = config::required(env, "CONTRIBUTIONS_TABLE")?;
        let dlq = config::required(env, "CONTRIBUTIONS_DLQ_URL")?;
        let sdk = shared::aws::sdk_config(env).await;
        Ok(Deps {
            contributions: ContributionStore::new(shared::aws::dynamodb(&sdk, env), table),
            dead_letters: DeadLetters::new(shared::aws::sqs(&sdk, env), dlq),
            clock,
        })
    }
}

pub async fn handle(deps: &Deps, event: SqsEvent) -> SqsBatchResponse {
    batch::process(event, &deps.dead_letters, |record| process(deps, record)).await
}

async fn process(deps: &Deps, record: SqsMessage) -> Result<(), RecordError> {
    let message = Message::decode(record.body.as_deref().unwrap_or_default())?;
    let Event::Contribution(contribution) = &message.event else {
        return Err(RecordError::Reject(format!(
            "event {} is not a contribution",
            message.id
        )));
    };
    let classification = classify(Input {
        text: &contribution.text,
        rating: contribution.rating,
    });
    let recorded = deps
        .contributions
        .record(&message, contribution, &classification, deps.clock.now())
        .await?;
    // Ids, the label and the confidence only: never the text, names or emails.
    tracing::info!(
        event_id = %message.id,
        source_id = %message.source_id,
        correlation_id = %message.correlation_id,
        label = classification.label.as_str(),
        confidence = classification.confidence,
        duplicate = recorded == Recorded::AlreadyThere,
        "contribution classified"
    );
    Ok(())
}
