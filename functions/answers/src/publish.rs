//! One answer job: claim, one platform call, record what came of it.

use aws_lambda_events::sqs::SqsMessage;
use shared::contracts::answers::{Answer, Channel, Claim, Job, Outcome, Published, State};
use shared::contracts::sources::Platform;
use shared::kit::batch::{self, RecordError};

use crate::call::Call;
use crate::{Deps, MAX_ATTEMPTS};

pub async fn run(
    deps: &Deps,
    record: &SqsMessage,
    contribution_id: &str,
    answer_id: &str,
) -> Result<(), RecordError> {
    let now = deps.clock.now();
    let answer = match deps.answers.claim(contribution_id, answer_id, now).await? {
        Claim::Claimed(answer) => answer,
        Claim::InDoubt(answer) => {
            // The attempt that claimed it ended without saying how: it may be published.
            let outcome = Outcome::Unknown {
                reason: "an attempt ended without its outcome; it may have been published: check before resending".into(),
            };
            deps.answers.settle(&answer, &outcome, now).await?;
            read_back_later(deps, &answer).await;
            tracing::warn!(answer_id, "answer in doubt after a lost attempt: unknown");
            return Ok(());
        }
        Claim::Settled(answer) if answer.state == State::Retrying => {
            // Back before its time (the delay could not be set): later.
            return Err(RecordError::retry("the answer's retry is not due yet"));
        }
        Claim::Settled(answer) => {
            tracing::info!(
                answer_id,
                state = answer.state.as_str(),
                "answer already settled"
            );
            // A retry after the announcement failed: announced now (once, by its id).
            if let Some(published) = &answer.published {
                deps.announce(&answer, published).await?;
            }
            return Ok(());
        }
        Claim::Missing => {
            tracing::info!(answer_id, "no such answer (erased?); dropped");
            return Ok(());
        }
    };
    if answer.channel == Channel::PublicReply {
        // Before the call: the platform's webhook for the reply may come before its answer.
        if let Err(e) = deps.answers.mark_in_flight(&answer).await {
            tracing::warn!(answer_id, error = %e, "answer not marked in flight; its echo may be recorded as a comment");
        }
    }
    let started = std::time::Instant::now();
    let call = match crate::order_news::stopped_since(deps, &answer).await {
        Ok(None) => attempt(deps, &answer).await,
        Ok(Some(why)) => Call::refused(why),
        Err(e) => Call::not_yet(e),
    };
    let platform = answer.target.platform.as_str();
    let channel = answer.channel.as_str();
    let (outcome, retry_in) = match call {
        Call::Done(published) => (Outcome::Published(published), None),
        Call::Retry { after, reason } if answer.attempts < MAX_ATTEMPTS => {
            let seconds = deps.retry_in(after, record);
            let at = now + chrono::Duration::seconds(i64::from(seconds));
            (Outcome::Retrying { at, reason }, Some(seconds))
        }
        Call::Retry { reason, .. } => (
            Outcome::Failed {
                reason: format!("gave up after {} attempts: {reason}", answer.attempts),
            },
            None,
        ),
        Call::Refused {
            reason,
            credentials,
        } => {
            if credentials {
                crate::credentials_refused(deps, platform);
            }
            (Outcome::Failed { reason }, None)
        }
        Call::Unknown { reason } => (Outcome::Unknown { reason }, None),
    };
    // If this write fails, the redelivered job finds the answer `sending`: unknown, not
    // sent again.
    deps.answers
        .settle(&answer, &outcome, deps.clock.now())
        .await?;
    match &outcome {
        Outcome::Unknown { .. } => read_back_later(deps, &answer).await,
        Outcome::Published(published) => deps.announce(&answer, published).await?,
        _ => {}
    }
    let millis = started.elapsed().as_millis() as f64;
    shared::kit::metrics::amount(
        "AnswerCallMilliseconds",
        millis,
        &[("Platform", platform), ("Channel", channel)],
        deps.clock.now(),
    );
    tracing::info!(
        answer_id,
        platform,
        channel,
        outcome = outcome.state().as_str(),
        attempt = answer.attempts,
        millis,
        "answer attempt"
    );
    match retry_in {
        Some(seconds) => {
            batch::delay(&deps.sqs, &deps.queue_url, record, seconds).await;
            Err(RecordError::retry(format!(
                "answer to retry in {seconds} s"
            )))
        }
        None => Ok(()),
    }
}

/// Asks for the thread of an `unknown` answer to be read back a minute from now, where the
/// platform allows it. Not worth failing the job for: without it the answer stays
/// `unknown`, which staff see.
async fn read_back_later(deps: &Deps, answer: &Answer) {
    if !crate::reconcile::can_read_back(answer) {
        return;
    }
    let job = Job::Reconcile {
        contribution_id: answer.contribution_id.clone(),
        answer_id: answer.id.clone(),
    };
    if let Err(e) = deps
        .jobs()
        .send_after(job, crate::reconcile::DELAY_SECONDS)
        .await
    {
        tracing::warn!(answer_id = %answer.id, error = %e, "no read-back asked; the answer stays unknown");
    }
}

/// The one platform call of a claimed answer.
async fn attempt(deps: &Deps, answer: &Answer) -> Call<Published> {
    let source = match deps.sources.get(&answer.target.source_id).await {
        Ok(Some(source)) => source,
        Ok(None) => return Call::refused("the source was deleted"),
        Err(e) => return Call::not_yet(e),
    };
    if answer.channel == Channel::Email {
        return crate::email::send(deps, answer).await;
    }
    match answer.target.platform {
        Platform::WordPress => crate::wordpress::answer(deps, &source, answer).await,
        Platform::Discourse => crate::discourse::answer(deps, &source, answer).await,
        Platform::Meta => crate::meta::answer(deps, &source, answer).await,
        Platform::X => crate::x::answer(deps, &source, answer).await,
        Platform::YouTube => crate::youtube::answer(deps, &source, answer).await,
        Platform::Trustpilot => crate::trustpilot::answer(deps, &source, answer).await,
        Platform::StandardWebhooks => crate::reply_webhook::answer(deps, &source, answer).await,
        platform @ (Platform::Shopify
        | Platform::WooCommerce
        | Platform::Zendesk
        | Platform::HubSpot) => Call::refused(format!(
            "answering by {} on {platform} is not available",
            answer.channel.as_str()
        )),
    }
}
