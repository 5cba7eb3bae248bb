//! SQS consumers: partial batch failures and rejection to the dead-letter queue.
//!
//! Every consumer is declared with `FunctionResponseTypes: [ReportBatchItemFailures]`, so one
//! bad message never fails its batch:
//! - a record that fails for a passing reason is reported in `batchItemFailures` and comes back
//!   after the visibility timeout (then to the DLQ after `maxReceiveCount`);
//! - a record that can never succeed (unknown version, invalid body) is sent to the DLQ at
//!   once with the reason as a message attribute, and acknowledged.

use std::future::Future;

use aws_lambda_events::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent, SqsMessage};
use aws_sdk_sqs::types::MessageAttributeValue;

/// Why a record was not processed, with the error that says so (its cause kept).
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// Try again later (throttling, timeouts, a dependency down).
    #[error(transparent)]
    Retry(crate::Error),
    /// This message can never succeed: move it to the dead-letter queue now.
    #[error(transparent)]
    Reject(crate::Error),
}

impl RecordError {
    /// A message that can never succeed as it is, for `reason`.
    pub fn reject(reason: impl Into<String>) -> Self {
        RecordError::Reject(crate::Error::Validation {
            field: None,
            message: reason.into(),
        })
    }

    /// A message that cannot be read as `what` (`a send`), for `cause`.
    pub fn unreadable(what: &str, cause: impl std::error::Error + Send + Sync + 'static) -> Self {
        RecordError::Reject(crate::Error::caused(format!("not {what}"), cause))
    }

    /// A message that failed for a passing reason.
    pub fn retry(reason: impl Into<String>) -> Self {
        RecordError::Retry(crate::Error::Transient(reason.into()))
    }
}

impl From<crate::Error> for RecordError {
    fn from(err: crate::Error) -> Self {
        if err.is_retryable() {
            RecordError::Retry(err)
        } else {
            RecordError::Reject(err)
        }
    }
}

/// Where rejected messages go.
#[derive(Debug, Clone)]
pub struct DeadLetters {
    sqs: aws_sdk_sqs::Client,
    queue_url: String,
}

/// The message attribute that carries the reason of a rejection.
pub const REJECTION_REASON_ATTRIBUTE: &str = "liaison-rejection-reason";

impl DeadLetters {
    pub fn new(sqs: aws_sdk_sqs::Client, queue_url: impl Into<String>) -> Self {
        Self {
            sqs,
            queue_url: queue_url.into(),
        }
    }

    async fn reject(&self, message: &SqsMessage, reason: &str) -> Result<(), crate::Error> {
        let reason_attr = MessageAttributeValue::builder()
            .data_type("String")
            .string_value(truncate(reason, 1024))
            .build()
            .map_err(|e| crate::Error::caused("rejection reason attribute", e))?;
        let fifo = self.queue_url.ends_with(".fifo");
        self.sqs
            .send_message()
            .queue_url(&self.queue_url)
            .message_body(message.body.clone().unwrap_or_default())
            .message_attributes(REJECTION_REASON_ATTRIBUTE, reason_attr)
            // A FIFO queue's dead-letter queue is FIFO too, and wants a group and an id.
            .set_message_group_id(fifo.then(|| "rejected".into()))
            .set_message_deduplication_id(message.message_id.clone().filter(|_| fifo))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| crate::Error::from_sdk("SendMessage to the dead-letter queue", e))
    }
}

fn truncate(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_string()
}

/// Runs `handle` on every record, in order, and reports which ones must come back.
pub async fn process<F, Fut>(
    event: SqsEvent,
    dead_letters: &DeadLetters,
    handle: F,
) -> SqsBatchResponse
where
    F: Fn(SqsMessage) -> Fut,
    Fut: Future<Output = Result<(), RecordError>>,
{
    let mut failures = Vec::new();
    for record in event.records {
        let outcome = handle(record.clone()).await;
        failures.extend(settle(dead_letters, &record, outcome).await);
    }
    respond(failures)
}

/// Like [`process`], but records of different groups (`group_of`) are handled side by side,
/// while the records of one group keep their order: a batch whose work is mostly waiting
/// (slow receivers of callbacks) takes as long as its slowest group, not the sum of all.
pub async fn process_grouped<F, Fut, G>(
    event: SqsEvent,
    dead_letters: &DeadLetters,
    group_of: G,
    handle: F,
) -> SqsBatchResponse
where
    F: Fn(SqsMessage) -> Fut,
    Fut: Future<Output = Result<(), RecordError>>,
    G: Fn(&SqsMessage) -> String,
{
    let mut groups: Vec<(String, Vec<SqsMessage>)> = Vec::new();
    for record in event.records {
        let key = group_of(&record);
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, records)) => records.push(record),
            None => groups.push((key, vec![record])),
        }
    }
    let handle = &handle;
    let settled =
        futures_util::future::join_all(groups.into_iter().map(|(_, records)| async move {
            let mut failures = Vec::new();
            for record in records {
                let outcome = handle(record.clone()).await;
                failures.extend(settle(dead_letters, &record, outcome).await);
            }
            failures
        }))
        .await;
    respond(settled.into_iter().flatten().collect())
}

/// What one record's outcome means for the batch: a failure to report (SQS redelivers it),
/// or nothing (done, or rejected to the dead-letter queue).
pub async fn settle(
    dead_letters: &DeadLetters,
    record: &SqsMessage,
    outcome: Result<(), RecordError>,
) -> Option<BatchItemFailure> {
    let id = record.message_id.clone().unwrap_or_default();
    let failed = match outcome {
        Ok(()) => false,
        Err(RecordError::Retry(reason)) => {
            let reason = reason.to_string();
            tracing::warn!(message_id = %id, %reason, "record failed; it will be retried");
            true
        }
        Err(RecordError::Reject(reason)) => {
            let reason = reason.to_string();
            tracing::error!(message_id = %id, %reason, "record rejected to the dead-letter queue");
            match dead_letters.reject(record, &reason).await {
                Ok(()) => false,
                Err(dlq_error) => {
                    tracing::error!(message_id = %id, error = %dlq_error, "rejection failed; the record will be retried");
                    true
                }
            }
        }
    };
    failed.then(|| {
        let mut failure = BatchItemFailure::default();
        failure.item_identifier = id;
        failure
    })
}

/// Sends `body` as JSON to the queue `queue` (named in errors) at `queue_url`; a failure is
/// worth retrying.
pub async fn send_json<T: serde::Serialize>(
    sqs: &aws_sdk_sqs::Client,
    queue_url: &str,
    queue: &str,
    body: &T,
) -> Result<(), crate::Error> {
    let body = serde_json::to_string(body)
        .map_err(|e| crate::Error::caused(format!("encode a {queue} message"), e))?;
    sqs.send_message()
        .queue_url(queue_url)
        .message_body(body)
        .send()
        .await
        .map_err(|e| crate::Error::from_sdk(&format!("SendMessage {queue}"), e).transient())?;
    Ok(())
}

/// Sends up to ten messages, each `bodies[i]` as JSON, in one `SendMessageBatch`: whether
/// each was accepted, by index. A call SQS refused whole is an error (retry the lot).
pub async fn send_json_batch<T: serde::Serialize>(
    sqs: &aws_sdk_sqs::Client,
    queue_url: &str,
    bodies: &[T],
) -> Result<Vec<bool>, crate::Error> {
    use aws_sdk_sqs::types::SendMessageBatchRequestEntry;
    let entries = bodies
        .iter()
        .enumerate()
        .map(|(i, body)| {
            let body = serde_json::to_string(body)
                .map_err(|e| crate::Error::caused("encode message", e))?;
            SendMessageBatchRequestEntry::builder()
                .id(i.to_string())
                .message_body(body)
                .build()
                .map_err(|e| crate::Error::caused("batch entry", e))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let out = sqs
        .send_message_batch()
        .queue_url(queue_url)
        .set_entries(Some(entries))
        .send()
        .await
        .map_err(|e| crate::Error::from_sdk("SendMessageBatch", e))?;
    let mut accepted = vec![false; bodies.len()];
    for ok in out.successful() {
        if let Some(slot) = ok
            .id()
            .parse::<usize>()
            .ok()
            .and_then(|i| accepted.get_mut(i))
        {
            *slot = true;
        }
    }
    for failed in out.failed() {
        tracing::warn!(code = failed.code(), "a message of a batch was refused");
    }
    Ok(accepted)
}

/// How many times SQS has handed out `record` (1 the first time).
pub fn receive_count(record: &SqsMessage) -> u32 {
    record
        .attributes
        .get("ApproximateReceiveCount")
        .and_then(|n| n.parse().ok())
        .unwrap_or(1)
}

/// The longest [`backoff_seconds`]: 15 minutes.
pub const MAX_BACKOFF_SECONDS: i32 = 900;

/// Seconds to keep a record hidden after its `attempt`-th failure: `first`, doubling, at
/// most [`MAX_BACKOFF_SECONDS`].
pub fn backoff_seconds(first: i32, attempt: u32) -> i32 {
    let doublings = attempt.saturating_sub(1).min(10);
    (first.clamp(0, MAX_BACKOFF_SECONDS) << doublings).min(MAX_BACKOFF_SECONDS)
}

/// Keeps a record that failed for a passing reason hidden for `seconds` (at most SQS's
/// 12 hours) before it comes back, instead of the queue's visibility timeout. Best effort:
/// if SQS refuses, the visibility timeout applies.
pub async fn delay(sqs: &aws_sdk_sqs::Client, queue_url: &str, record: &SqsMessage, seconds: i32) {
    let Some(handle) = record.receipt_handle.as_deref() else {
        return;
    };
    let changed = sqs
        .change_message_visibility()
        .queue_url(queue_url)
        .receipt_handle(handle)
        .visibility_timeout(seconds.clamp(0, 43_200))
        .send()
        .await;
    if let Err(e) = changed {
        tracing::warn!(error = %e.into_service_error(), "visibility not changed");
    }
}

pub fn respond(failures: Vec<BatchItemFailure>) -> SqsBatchResponse {
    let mut response = SqsBatchResponse::default();
    response.batch_item_failures = failures;
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_should_double_up_to_fifteen_minutes() {
        assert_eq!(backoff_seconds(30, 1), 30);
        assert_eq!(backoff_seconds(30, 2), 60);
        assert_eq!(backoff_seconds(30, 4), 240);
        assert_eq!(backoff_seconds(30, 6), 900);
        assert_eq!(backoff_seconds(30, u32::MAX), 900);
        assert_eq!(backoff_seconds(1, 3), 4);
    }
}
